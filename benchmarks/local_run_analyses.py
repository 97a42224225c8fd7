"""What each analysis adds to `make local`'s time: the local run on the generated sample, once per choice.

    .venv/bin/python -m benchmarks.local_run_analyses [--choice faces,celebrities,persons,text ...]

Runs `python -m local.run --analyses CHOICE` on the generated sample video (8 s, 640x360, 24 fps)
for each choice and prints the CPU seconds the run used (user + system, its worker processes
included), which other work on a shared machine barely moves, beside the wall time, which it does,
and each choice's CPU beyond the default's. For text, also per frame read (one a second of video).
Figures are quoted in the README's "Try it".
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from video_pipeline.analyses import DEFAULT_ANALYSES

from emulator.vision.sample_clip import DEFAULT_CLIP
from emulator.vision.text import TEXT_SAMPLE_EVERY_MS

DEFAULT = ",".join(DEFAULT_ANALYSES)
CHOICES = (
    DEFAULT,
    *(f"{DEFAULT},{name}" for name in ("labels", "moderation", "text", "segments")),
    "all",
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(choice: str, out: Path) -> tuple[float, float]:
    """CPU and wall seconds of one local run with `--analyses choice`."""
    cpu, wall = _children_cpu(), time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "local.run", "--analyses", choice, "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return _children_cpu() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--choice", action="append", help="an --analyses value (repeatable; default: each new one)")
    options = parser.parse_args()
    choices = options.choice or list(CHOICES)
    text_frames = int(DEFAULT_CLIP.seconds * 1000 // TEXT_SAMPLE_EVERY_MS)
    baseline: float | None = None
    with tempfile.TemporaryDirectory() as directory:
        for number, choice in enumerate(choices):
            cpu, wall = measure(choice, Path(directory) / str(number))
            if choice == DEFAULT:
                baseline = cpu
            extra = "" if baseline is None or choice == DEFAULT else f", {cpu - baseline:+.1f} s CPU beyond the default"
            if baseline is not None and choice == f"{DEFAULT},text":
                extra += f" = {(cpu - baseline) / text_frames:.2f} s per frame read ({text_frames} frames)"
            print(f"--analyses {choice}: {cpu:.1f} s CPU, {wall:.1f} s wall{extra}", flush=True)


if __name__ == "__main__":
    main()
