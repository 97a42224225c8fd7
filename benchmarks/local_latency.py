"""End-to-end latency of the local run: upload to results in DynamoDB, less the emulator's analysis.

    .venv/bin/python -m benchmarks.local_latency

What `make local` does, on the generated sample clip: moto's server and the emulator's HTTP endpoint
with the real analyzers. The pipeline's own overhead is the time from the upload to the last job's
results in DynamoDB, less the time the emulator spent analysing (first job start to last job end:
jobs run in parallel in its worker pool).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class LatencyFigures:
    jobs: int
    upload_to_results_seconds: float
    analysis_seconds: float

    @property
    def overhead_seconds(self) -> float:
        return self.upload_to_results_seconds - self.analysis_seconds


def measure_latency() -> LatencyFigures:
    from emulator.vision.analyzers import Sampling, real_analyzers
    from emulator.vision.sample_clip import render_sample
    from in_process.cloud import local_cloud

    with tempfile.TemporaryDirectory() as directory:
        path, _truth = render_sample(Path(directory))
        with local_cloud(real_analyzers(Sampling(every_ms=200), None), workers=3, people_pathing=False) as cloud:
            from in_process.environment import provision

            resources = provision(cloud.region)
            os.environ.update({"POWERTOOLS_TRACE_DISABLED": "1", **resources.environment()})
            from in_process.functions import pipeline_functions
            from in_process.harness import PipelineHarness

            functions = pipeline_functions(os.environ)
            starter, collector = functions.starter, functions.collector

            warnings.filterwarnings("ignore", message="No application metrics to publish")
            harness = PipelineHarness(resources=resources, fake=cloud.fake, starter=starter, collector=collector)
            began = time.time()
            harness.upload(f"samples/{path.name}", path.read_bytes())
            with contextlib.redirect_stdout(io.StringIO()):
                harness.run_until_idle()
            finished = time.time()
            jobs = list(cloud.fake.jobs.values())
    if not jobs:
        raise RuntimeError("the local run started no job; see the handlers' log above")
    analysis = max(job.completed_at or 0.0 for job in jobs) - min(job.created_at for job in jobs)
    return LatencyFigures(len(jobs), finished - began, analysis)


def print_latency(runs: list[LatencyFigures]) -> None:
    ordered = sorted(runs, key=lambda run: run.overhead_seconds)
    median = ordered[len(ordered) // 2]
    print(f"Local run end to end (sample clip, {median.jobs} jobs, median of {len(runs)} runs)")
    print(f"  upload -> results in DynamoDB   {median.upload_to_results_seconds:6.2f} s")
    print(f"  emulator analysis               {median.analysis_seconds:6.2f} s")
    print(f"  pipeline's own overhead         {median.overhead_seconds:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one:
        print(json.dumps(asdict(measure_latency())))
        return
    run_in_fresh_process(arguments.runs)


def run_in_fresh_process(runs: int) -> None:
    """Each run in its own interpreter: moto's backends are process-wide, so a second local cloud in
    the same process would meet the first one's tables (and another benchmark's moto state)."""
    figures = []
    for _ in range(runs):
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.local_latency", "--one"], check=True, capture_output=True, text=True
        )
        figures.append(LatencyFigures(**json.loads(completed.stdout.strip().splitlines()[-1])))
    print_latency(figures)


if __name__ == "__main__":
    main()
