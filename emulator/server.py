"""`python -m emulator`: the emulator as a stand-alone Rekognition Video endpoint, like moto's server.

    python -m emulator --port 4567 --aws-endpoint http://127.0.0.1:5000

Any SDK or the AWS CLI reaches it with `--endpoint-url http://127.0.0.1:4567`. Videos are read from,
and completion notifications published to, the S3 and SNS at `--aws-endpoint` (moto's server, say),
or the AWS endpoints the environment configures when it is omitted. Jobs finish on their own in a
pool of `--workers` threads. See docs/emulator.md.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import boto3

from emulator.analyzers import Analyzer
from emulator.clients import ClientFactory
from emulator.endpoint import RekognitionEndpoint
from emulator.service import DEFAULT_JOB_LIMIT, RekognitionVideoFake

_LOG = logging.getLogger("emulator.server")
ANALYZER_CHOICES = ("synthetic", "real")


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Serve the Amazon Rekognition Video emulator over HTTP (AWS JSON 1.1, any SDK or the AWS CLI).",
    )
    found.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    found.add_argument("--port", type=int, default=4567, help="port to listen on; 0 picks a free one (default: 4567)")
    found.add_argument(
        "--aws-endpoint",
        metavar="URL",
        help="endpoint of the S3 and SNS the emulator reads videos from and notifies through "
        "(e.g. moto's server); default: what the environment configures",
    )
    found.add_argument("--region", default="us-east-1", help="region the emulator answers as (default: us-east-1)")
    found.add_argument(
        "--analyzers",
        choices=ANALYZER_CHOICES,
        default="synthetic",
        help="synthetic: seeded detections, instant; real: decode the video and detect (needs OpenCV and PyAV)",
    )
    found.add_argument(
        "--job-limit", type=int, default=DEFAULT_JOB_LIMIT, help=f"concurrent jobs (default: {DEFAULT_JOB_LIMIT})"
    )
    found.add_argument("--workers", type=int, default=2, help="jobs analysed at once (default: 2)")
    pathing = found.add_mutually_exclusive_group()
    pathing.add_argument(
        "--people-pathing",
        dest="people_pathing",
        action="store_true",
        default=False,
        help="serve StartPersonTracking/GetPersonTracking (an account from before People Pathing's end)",
    )
    pathing.add_argument(
        "--no-people-pathing",
        dest="people_pathing",
        action="store_false",
        help="refuse them with AccessDeniedException, as AWS does today (the default)",
    )
    found.add_argument("--verbose", action="store_true", help="log every job and lost notification")
    return found


def client_factory(aws_endpoint: str | None) -> ClientFactory | None:
    if aws_endpoint is None:
        return None

    def create(service: str, region: str) -> Any:
        return boto3.session.Session().client(service, region_name=region, endpoint_url=aws_endpoint)  # type: ignore[call-overload]

    return create


def analyzers_for(choice: str) -> Mapping[str, Analyzer] | None:
    if choice == "synthetic":
        return None
    # Imported only when asked for: OpenCV and PyAV are heavy, and optional for the synthetic emulator.
    from emulator.vision.analyzers import real_analyzers  # noqa: PLC0415 - optional, heavy dependencies
    from emulator.vision.attribute_models import ModelError  # noqa: PLC0415

    try:
        return real_analyzers()
    except ModelError as error:  # a model file not installed: one line naming the command that installs it
        raise SystemExit(f"error: {error}") from None


def build(options: argparse.Namespace) -> RekognitionVideoFake:
    if options.workers <= 0:
        raise SystemExit("--workers must be positive: a stand-alone server has no test to finish its jobs")
    if options.job_limit <= 0:
        raise SystemExit("--job-limit must be positive")
    return RekognitionVideoFake(
        region=options.region,
        concurrent_job_limit=options.job_limit,
        client_factory=client_factory(options.aws_endpoint),
        analyzers=analyzers_for(options.analyzers),
        workers=options.workers,
        people_pathing=options.people_pathing,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM; the first line printed is the endpoint's URL."""
    options = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if options.verbose else logging.WARNING, format="%(name)s: %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with build(options) as fake, RekognitionEndpoint(fake, options.host, options.port) as endpoint:
        print(f"Rekognition Video emulator listening on {endpoint.url}", flush=True)
        for operation, note in fake.notes.items():
            print(f"  {operation}: {note}", file=sys.stderr)
        stop.wait()
    return 0
