"""The composition root: every function's collaborators, built from explicit settings and clients.

The Lambda handlers call these lazily, on their first invocation, with settings read from the
environment and clients of the default session. Tests, the local run and the fault-injection
simulation call them with settings and clients of their own, so nothing needs module reloads or
patched globals to point a handler somewhere else.

One module per function, so that a function's cold start loads its own collaborators only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3

from video_pipeline.dal import clients as default_clients

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource
    from mypy_boto3_rekognition import RekognitionClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient


@dataclass(frozen=True, slots=True)
class Clients:
    """The AWS clients one function uses; `default()` builds them as Lambda does (dal/clients.py)."""

    rekognition: RekognitionClient
    dynamodb: DynamoDBClient
    dynamodb_resource: DynamoDBServiceResource
    s3: S3Client
    sqs: SQSClient

    @classmethod
    def new(cls, session: boto3.Session | None = None) -> Clients:
        """Fresh clients of `session` (the default one when None), configured as in Lambda."""
        return cls(
            rekognition=default_clients.new_client("rekognition", session),
            dynamodb=default_clients.new_client("dynamodb", session),
            dynamodb_resource=default_clients.new_dynamodb_resource(session),
            s3=default_clients.new_client("s3", session),
            sqs=default_clients.new_client("sqs", session),
        )

    @classmethod
    def default(cls) -> Clients:
        return cls(
            rekognition=default_clients.rekognition(),
            dynamodb=default_clients.dynamodb(),
            dynamodb_resource=default_clients.dynamodb_resource(),
            s3=default_clients.s3(),
            sqs=default_clients.sqs(),
        )
