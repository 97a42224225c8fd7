"""AWS on this machine as real HTTP endpoints: moto's server for S3, SQS, SNS, DynamoDB and IAM, the
Rekognition Video emulator for Rekognition.

Every boto3 client created inside `local_cloud()` reaches them through boto3's standard endpoint
variables (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_REKOGNITION`), so the Lambda handlers run unchanged,
exactly as they would against the real services.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from emulator import RekognitionVideoFake
from emulator.analyzers import Analyzer
from emulator.endpoint import RekognitionEndpoint

# Credentials moto accepts and AWS never would: nothing signed here could reach a real account.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
}


@dataclass(frozen=True, slots=True)
class LocalCloud:
    fake: RekognitionVideoFake
    aws_url: str
    rekognition_url: str
    region: str


def client_at(url: str, service: str, region: str, credentials: Mapping[str, str] = FAKE_CREDENTIALS) -> Any:
    """A client of `service` at `url` (moto's server, the emulator's endpoint) in a session of its own,
    signing with `credentials`: nothing of the process's AWS configuration applies."""
    return boto3.session.Session().client(  # type: ignore[call-overload]
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
    )


@contextmanager
def patched_environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def serving(
    analyzers: Mapping[str, Analyzer] | None = None,
    *,
    workers: int = 2,
    region: str = "us-east-1",
    people_pathing: bool = True,
) -> Iterator[LocalCloud]:
    """moto's server and the emulator's endpoint on loopback while the block runs; the emulator reads
    videos from, and publishes notifications to, that moto. Nothing else in the process changes."""
    # werkzeug logs every request moto's server answers; a local run's output is its own summary.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    aws_url = f"http://{host}:{port}"

    fake = RekognitionVideoFake(
        region=region,
        client_factory=lambda service, client_region: client_at(aws_url, service, client_region),
        analyzers=analyzers,
        workers=workers,
        people_pathing=people_pathing,
    )
    try:
        with RekognitionEndpoint(fake) as endpoint:
            yield LocalCloud(fake, aws_url, endpoint.url, region)
    finally:
        fake.close()
        moto.stop()


@contextmanager
def local_cloud(
    analyzers: Mapping[str, Analyzer] | None = None,
    *,
    workers: int = 2,
    region: str = "us-east-1",
    people_pathing: bool = True,
) -> Iterator[LocalCloud]:
    """`serving`, and every boto3 client created in the block pointed at it (and at nothing real)."""
    with serving(analyzers, workers=workers, region=region, people_pathing=people_pathing) as cloud:
        environment = {
            **FAKE_CREDENTIALS,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "AWS_ENDPOINT_URL": cloud.aws_url,
            "AWS_ENDPOINT_URL_REKOGNITION": cloud.rekognition_url,
        }
        with patched_environment(environment):
            yield cloud
