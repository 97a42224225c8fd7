"""The composition root: every function's collaborators, built from explicit settings and clients.

The Lambda handlers call these lazily, on their first invocation, with settings read from the
environment and clients of the default session. Tests, the local run and the fault-injection
simulation call them with settings and clients of their own, so nothing needs module reloads or
patched globals to point a handler somewhere else.

One module per function, so that a function's cold start loads its own collaborators only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3

from video_pipeline.dal import clients as default_clients

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource
    from mypy_boto3_rekognition import RekognitionClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient


class Clients:
    """The AWS clients a function may use, each made when its composition first asks for it.

    A client loads its service's model when it is made, so a cold start makes only the clients its
    function uses: the read API's DynamoDB alone, not also Rekognition's, S3's and SQS's (~100 ms on
    the cold start benchmark's machine). `default()` makes them as Lambda does (dal/clients.py).
    """

    def __init__(self, make: Callable[[str], Any]) -> None:
        # `make(name)`: the client called `name` (one of the properties below).
        self._make = make

    @cached_property
    def rekognition(self) -> RekognitionClient:
        return self._make("rekognition")  # type: ignore[no-any-return]

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        return self._make("dynamodb")  # type: ignore[no-any-return]

    @cached_property
    def dynamodb_resource(self) -> DynamoDBServiceResource:
        return self._make("dynamodb_resource")  # type: ignore[no-any-return]

    @cached_property
    def s3(self) -> S3Client:
        return self._make("s3")  # type: ignore[no-any-return]

    @cached_property
    def sqs(self) -> SQSClient:
        return self._make("sqs")  # type: ignore[no-any-return]

    @classmethod
    def new(cls, session: boto3.Session | None = None) -> Clients:
        """Fresh clients of `session` (the default one when None), configured as in Lambda."""

        def make(name: str) -> Any:
            if name == "dynamodb_resource":
                return default_clients.new_dynamodb_resource(session)
            return default_clients.new_client(name, session)

        return cls(make)

    @classmethod
    def default(cls) -> Clients:
        """Lambda's clients: one of each per process, reused across warm invocations."""
        return cls(lambda name: getattr(default_clients, name)())
