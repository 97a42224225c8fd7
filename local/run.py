"""`make local`: the pipeline end to end on this machine, no AWS account needed.

moto stands in for S3, SQS, SNS and DynamoDB, the project's Rekognition Video fake for Rekognition
(synthetic detections, shaped exactly like the service's). The handlers are the Lambda code itself.

    python -m local.run                 # a generated sample video
    python -m local.run my.mp4 b.mov    # your own files (their container is checked; results are synthetic)
    python -m local.run --person-engine native   # person tracking on StartPersonTracking (an account
                                                 # that still has People Pathing), not label detection
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path

from video_pipeline.analyses import DEFAULT_PERSON_ENGINE, NATIVE_ENGINE, PERSON_ENGINES

from local.harness import sample_video_bytes

DEFAULT_DETECTIONS = 1500


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", nargs="*", type=Path, help="video files to upload (default: a generated sample)")
    parser.add_argument("--detections", type=int, default=DEFAULT_DETECTIONS, help="synthetic detections per job")
    parser.add_argument(
        "--person-engine",
        choices=PERSON_ENGINES,
        default=DEFAULT_PERSON_ENGINE,
        help="person tracking engine; the fake offers People Pathing only to the native engine",
    )
    return parser.parse_args(argv)


def _inputs(paths: list[Path]) -> list[tuple[str, bytes]]:
    if not paths:
        return [("samples/sample video.mp4", sample_video_bytes(64 * 1024))]
    inputs = []
    for path in paths:
        if not path.is_file():
            raise SystemExit(f"error: {path} is not a file")
        inputs.append((f"uploads/{path.name}", path.read_bytes()))
    return inputs


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    inputs = _inputs(options.videos)
    from moto import mock_aws

    with mock_aws():
        from local.environment import provision

        resources = provision()
        os.environ.update({"AWS_DEFAULT_REGION": resources.region, "POWERTOOLS_TRACE_DISABLED": "1"})
        os.environ.update(resources.environment(person_engine=options.person_engine))
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

        from video_pipeline.handlers import collector, starter

        from emulator import RekognitionVideoFake
        from local.harness import PipelineHarness

        fake = RekognitionVideoFake(people_pathing=options.person_engine == NATIVE_ENGINE)
        with fake.activate():
            harness = PipelineHarness(resources=resources, fake=fake, starter=starter, collector=collector)
            began = time.perf_counter()
            for key, body in inputs:
                fake.script(resources.bucket, key, detections=options.detections)
                harness.upload(key, body)
                print(f"uploaded s3://{resources.bucket}/{key} ({len(body)} bytes)")
            # The handlers print CloudWatch EMF metrics to stdout, as Lambda expects; keep them out of the summary.
            with contextlib.redirect_stdout(io.StringIO()):
                harness.run_until_idle()
            elapsed = time.perf_counter() - began
            _summarize(harness, elapsed)
    return 0


def _summarize(harness: object, elapsed: float) -> None:
    from local.harness import PipelineHarness

    assert isinstance(harness, PipelineHarness)
    videos = harness.repository.recent_videos(limit=100).items
    print(f"\n{'video':40} {'analysis':12} {'engine':7} {'status':10} {'detections':>10}  note")
    for video in videos:
        for name, job in sorted(video.jobs.items()):
            note = job.status_message or job.error_code or ""
            row = f"{video.key[:40]:40} {name:12} {job.engine:7} {job.status.value:10} {job.detection_count:>10}"
            print(f"{row}  {note[:50]}")
    print(
        f"\n{len(videos)} video(s), {sum(len(v.jobs) for v in videos)} job(s) in {elapsed:.2f} s; "
        f"starter invocations {harness.starter_stats.invocations}, collector invocations "
        f"{harness.collector_stats.invocations}"
    )
    print("Next: `make test` runs every test tier; docs/data-model.md shows how dashboards query these tables;")
    print("      docs/deploy.md deploys the same handlers to your AWS account with `cdk deploy`.")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
