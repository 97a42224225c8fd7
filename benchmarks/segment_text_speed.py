"""Speed and accuracy of the real segment and text analyzers on a generated edit: shots, black frames, captions.

    .venv/bin/python -m benchmarks.segment_text_speed [--shots 12] [--shot-frames 60] [--width 1280] [--height 720]

Renders a clip of `--shots` shots (25 fps) with a black run after every third and a caption on every
shot, then runs StartSegmentDetection's analyzer (every frame, shots and BlackFrames) and
StartTextDetection's (RapidOCR, one frame a second) on it. Prints CPU time (this process: both analyzers
run in it), which other work on a shared machine barely moves, per second of video and per analysed
frame, and how many of the rendered cuts, black runs and captions were found. Figures are quoted in
docs/emulator.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from emulator.vision.analyzers import analyze_file
from emulator.vision.shot_clip import EditSpec, render_edit
from emulator.vision.shots import SegmentAnalyzer
from emulator.vision.text import TextAnalyzer

CAPTIONS = ("BREAKING NEWS", "OPEN 24 HOURS", "Final score 3 - 1", "Exit 12 Main Street", "Chapter Two")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=int, default=12)
    parser.add_argument("--shot-frames", type=int, default=60)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    options = parser.parse_args()
    spec = EditSpec(
        shots=(options.shot_frames,) * options.shots,
        black=tuple(12 if number % 3 == 2 else 0 for number in range(options.shots)),
        width=options.width,
        height=options.height,
        captions=tuple(CAPTIONS[number % len(CAPTIONS)] for number in range(options.shots)),
    )
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "edit.mp4"
        truth = render_edit(path, spec)
        seconds = truth.frames / float(spec.fps)
        print(f"clip: {spec.width}x{spec.height}, {truth.frames} frames, {seconds:.1f} s, {len(truth.cuts)} cuts")

        began = time.process_time()
        segments = analyze_file(
            SegmentAnalyzer(), "StartSegmentDetection", path, params={"SegmentTypes": ["SHOT", "TECHNICAL_CUE"]}
        )
        cpu = time.process_time() - began
        cuts = {segment["StartFrameNumber"] for segment in segments if segment["Type"] == "SHOT"} - {0}
        runs = {(s["StartFrameNumber"], s["EndFrameNumber"]) for s in segments if s["Type"] == "TECHNICAL_CUE"}
        expected_cuts, expected_runs = set(truth.cuts), set(truth.black_runs)
        print(
            f"segments: {cpu:.1f} s CPU = {cpu / seconds:.2f} s per second of video, "
            f"{1000 * cpu / truth.frames:.1f} ms per frame; "
            f"cuts found {len(cuts & expected_cuts)}/{len(expected_cuts)}, false {len(cuts - expected_cuts)}; "
            f"black runs exact {len(runs & expected_runs)}/{len(expected_runs)}"
        )

        began = time.process_time()
        texts = analyze_file(TextAnalyzer(), "StartTextDetection", path)
        cpu = time.process_time() - began
        instants = {element["Timestamp"] for element in texts}
        lines = [
            element["TextDetection"]["DetectedText"] for element in texts if element["TextDetection"]["Type"] == "LINE"
        ]
        read = sum(1 for line in lines if line in CAPTIONS)
        frames_read = int(seconds) + 1
        print(
            f"text: {cpu:.1f} s CPU (models loaded once included) = {cpu / frames_read:.2f} s per frame read "
            f"(one a second); lines read exactly {read}/{len(lines)} at {len(instants)} instants"
        )
        misread = sorted({line for line in lines if line not in CAPTIONS})
        if misread:
            print(f"  read otherwise: {'; '.join(misread)}")


if __name__ == "__main__":
    main()
