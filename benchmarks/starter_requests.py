"""Starter: AWS requests per upload against the floor, and handler time without AWS latency.

    .venv/bin/python -m benchmarks.starter_requests [--quick]

Uploads go through the real starter handler (moto + the in-process Rekognition fake, all three
analyses); every boto3 call made inside the handler is counted per operation and its time (SDK and
backend) subtracted from the handler's wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import time
from dataclasses import dataclass

from benchmarks.aws_calls import OwnTime, api_calls
from benchmarks.collector_ingest import _quiet_environment


@dataclass(frozen=True)
class StarterFigures:
    uploads: int
    analyses: int
    requests: dict[str, int]
    own_ms_per_upload: float
    wall_ms_per_upload: float

    @property
    def requests_per_upload(self) -> float:
        return sum(self.requests.values()) / self.uploads

    @property
    def floor_per_upload(self) -> int:
        """One Start* per analysis, and one record written per job and for the video."""
        return self.analyses + self.analyses + 1


def measure_starter(uploads: int) -> StarterFigures:
    from moto import mock_aws

    with mock_aws():
        from in_process.environment import provision

        resources = provision()
        # A quota no upload waits for: waiting is measured by benchmarks/reliability.py, not here.
        os.environ.update(resources.environment(job_quota=10_000))
        analyses = len(os.environ["ENABLED_ANALYSES"].split(","))
        from emulator import RekognitionVideoFake
        from in_process.functions import pipeline_functions
        from in_process.harness import PipelineHarness
        from in_process.lambda_runtime import QueuePoller

        functions = pipeline_functions(resources.environment(job_quota=10_000))
        starter, collector = functions.starter, functions.collector
        fake = RekognitionVideoFake(concurrent_job_limit=10_000)
        with fake.activate(), contextlib.redirect_stdout(io.StringIO()), api_calls() as api:
            api.recording = False
            harness = PipelineHarness(resources=resources, fake=fake, starter=starter, collector=collector)
            own = OwnTime()

            def recorded(event: dict, context: object) -> object:  # type: ignore[type-arg]
                api.recording = True
                try:
                    return starter.handler(event, context)
                finally:
                    api.recording = False

            # A warm-up upload first, so the figures are of warm invocations (cold start: cold_start.py).
            harness.upload("warm-up.mp4")
            harness.run_starter()
            poller = QueuePoller(
                resources.starter_queue_url, own.wrap(recorded, api), region=resources.region, batch_size=1
            )
            api.counts.clear()
            for number in range(uploads):
                harness.upload(f"video-{number}.mp4")
            began = time.perf_counter()
            # One upload an invocation, as a lone upload arrives.
            while poller.poll_once():
                pass
            wall = time.perf_counter() - began
        requests = {f"{service}.{operation}": n for (service, operation), n in sorted(api.counts.items())}
        return StarterFigures(uploads, analyses, requests, own.seconds * 1000 / uploads, wall * 1000 / uploads)


def print_starter(runs: list[StarterFigures]) -> StarterFigures:
    figures = runs[0]
    own = statistics.median(run.own_ms_per_upload for run in runs)
    print(f"Starter ({figures.uploads} uploads, {figures.analyses} analyses each, median of {len(runs)} runs)")
    for name, count in figures.requests.items():
        print(f"  {name:<40}{count / figures.uploads:>6.1f} per upload")
    print(
        f"  {'all AWS requests':<40}{figures.requests_per_upload:>6.1f} per upload (floor {figures.floor_per_upload})"
    )
    print(f"  handler time less AWS calls: {own:.1f} ms per upload")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    _quiet_environment()
    print_starter([measure_starter(3 if quick else 20) for _ in range(1 if quick else 3)])


if __name__ == "__main__":
    main()
