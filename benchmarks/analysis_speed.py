"""Speed of the local run's analyses on a generated 1080p clip: every analysis of the video, timed.

    .venv/bin/python -m benchmarks.analysis_speed [--seconds 120] [--width 1920] [--height 1080] [--video F]

Renders a clip (drawn faces and people walking; `--video` analyses a file of yours instead), then runs
every real analyzer the local run configures (faces, persons, labels, celebrities: one shared
examination) and prints the wall time and the speed as a multiple of real time (above 1: faster than
the video plays), with the machine's load average before and after: on a shared machine the figure
means little without it. It also prints the CPU time the analysis used (this process and its worker
processes): divided by the cores, that is the wall time the same work needs on a machine it has to
itself, a figure other workloads barely move. Figures are quoted in the README.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import tempfile
import time
from pathlib import Path

from emulator.catalog import CELEBRITIES, FACES, LABELS, PERSONS
from emulator.vision.analyzers import Sampling, VideoAnalyzer, analyze_file, real_analyzers
from emulator.vision.decode import probe
from emulator.vision.sample_clip import FACE, PERSON, Actor, ClipSpec, render


def long_clip(seconds: float, width: int, height: int) -> ClipSpec:
    """Faces and people coming and going for the whole clip, scaled to the frame."""
    scale = width / 640
    actors: list[Actor] = []
    for start in range(0, int(seconds), 8):
        end = min(seconds, start + 8.0)
        actors.append(
            Actor(
                FACE,
                0,
                start,
                start + 4.0,
                (int(150 * scale), int(170 * scale)),
                (int(300 * scale), int(190 * scale)),
                int(96 * scale),
            )
        )
        actors.append(
            Actor(
                PERSON,
                0,
                start + 4.0,
                end,
                (int(90 * scale), int(60 * scale)),
                (int(250 * scale), int(60 * scale)),
                int(250 * scale),
            )
        )
    return ClipSpec(width=width, height=height, fps=30, seconds=seconds, actors=tuple(actors))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--every-ms", type=int, default=200)
    parser.add_argument("--video", type=Path, help="analyse this file instead of rendering a clip")
    parser.add_argument("--keep", type=Path, help="keep the rendered clip here (render once, measure again)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = options.video
        if path is None:
            path = Path(directory) / "long.mp4"
            began = time.perf_counter()
            render(path, long_clip(options.seconds, options.width, options.height), options={"preset": "veryfast"})
            print(f"rendered in {time.perf_counter() - began:.0f} s")
            if options.keep is not None:
                path = Path(shutil.copy(path, options.keep))
        info = probe(str(path))
        seconds = info.duration_ms / 1000
        print(f"clip: {info.width}x{info.height}, {info.frame_rate:.0f} fps, {seconds:.1f} s; {os.cpu_count()} cores")
        analyzers = real_analyzers(Sampling(every_ms=options.every_ms))
        load_before = os.getloadavg()
        cpu_before = _cpu_seconds()
        began = time.perf_counter()
        for operation in (
            FACES.start_operation,
            PERSONS.start_operation,
            LABELS.start_operation,
            CELEBRITIES.start_operation,
        ):
            analyzer = analyzers[operation]
            assert isinstance(analyzer, VideoAnalyzer)
            elements = analyze_file(analyzer, operation, path)
            print(f"  {operation:28} {len(elements):>6} elements at {time.perf_counter() - began:7.1f} s")
        elapsed = time.perf_counter() - began
        cpu = _cpu_seconds() - cpu_before
        cores = os.cpu_count() or 1
        print(f"all analyses: {elapsed:.1f} s for {seconds:.1f} s of video = {seconds / elapsed:.2f}x real time")
        print(
            f"CPU time: {cpu:.1f} s over {cores} cores = {cpu / cores:.1f} s of wall time on an idle machine "
            f"= {seconds / (cpu / cores):.2f}x real time at best"
        )
        print(f"load average (1, 5, 15 min): before {_load(load_before)}, after {_load(os.getloadavg())}")


def _cpu_seconds() -> float:
    """User and system CPU time of this process and of its live worker processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in [os.getpid(), *(child.pid for child in multiprocessing.active_children())]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, TypeError):
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _load(averages: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.1f}" for value in averages)


if __name__ == "__main__":
    main()
