"""Collector ingest figures: mapping throughput, write requests against the BatchWriteItem floor.

    .venv/bin/python -m benchmarks.collector_ingest [--quick]

Prints one row per result size: detections/s of the collector's own mapping (elements -> items, no
I/O), and the DynamoDB requests the full handler path sent per 1,000 detections through moto, next to
the floor (40 = 1,000 / 25 items per BatchWriteItem). Figures are quoted in docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time

from video_pipeline.analyses import FACES
from video_pipeline.logic.detections import JobContext, ResultTally, detection_items

import local  # noqa: F401  (puts lambdas/ on sys.path)


def _mapping_rate(elements: list[dict]) -> float:
    context = JobContext("j" * 64, "v" * 32, FACES, "2026-11-22T10:00:00.000Z")
    began = time.perf_counter()
    for start in range(0, len(elements), 1000):
        detection_items(context, elements[start : start + 1000], ResultTally(detections=start))
    return len(elements) / (time.perf_counter() - began)


def _pipeline_requests(detections: int) -> tuple[float, int, list[dict]]:
    from moto import mock_aws

    with mock_aws():
        from local.environment import provision

        resources = provision()
        os.environ.update(resources.environment(analyses=("faces",)))
        from video_pipeline.dal import detections_store
        from video_pipeline.handlers import collector, starter

        from emulator import RekognitionVideoFake
        from local.harness import PipelineHarness

        requests = 0
        original = detections_store.DetectionsStore._write_batch

        def counting(self, batch):  # type: ignore[no-untyped-def]
            nonlocal requests
            before = self.requests
            original(self, batch)
            requests += self.requests - before

        detections_store.DetectionsStore._write_batch = counting  # type: ignore[method-assign]
        fake = RekognitionVideoFake()
        with fake.activate(), contextlib.redirect_stdout(io.StringIO()):
            harness = PipelineHarness(resources=resources, fake=fake, starter=starter, collector=collector)
            fake.script(resources.bucket, "bench.mp4", detections=detections)
            harness.upload("bench.mp4")
            harness.run_starter()
            (job_id,) = harness.complete_jobs()
            began = time.perf_counter()
            harness.run_collector()
            elapsed = time.perf_counter() - began
            elements = fake.results(job_id)
        detections_store.DetectionsStore._write_batch = original  # type: ignore[method-assign]
        return elapsed, requests, elements


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, to keep the script working in CI")
    sizes = [200, 1000] if parser.parse_args().quick else [1000, 10_000, 50_000]
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    print(f"{'detections':>10} {'mapping det/s':>14} {'handler+moto s':>15} {'requests/1k':>12} {'floor/1k':>9}")
    for size in sizes:
        elapsed, requests, elements = _pipeline_requests(size)
        rate = _mapping_rate(elements)
        print(f"{size:>10} {rate:>14,.0f} {elapsed:>15.2f} {requests * 1000 / size:>12.1f} {40.0:>9.1f}")


if __name__ == "__main__":
    main()
