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
from typing import TYPE_CHECKING, Any, cast

import boto3

from video_pipeline.dal import clients as default_clients

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource
    from mypy_boto3_rekognition import RekognitionClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient


class _OnFirstUse:
    """A client's stand-in until something of it is used: then the client is made, and everything asked
    of the stand-in is the client's."""

    __slots__ = ("_client", "_make")

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        # Called only for what the stand-in itself lacks, so for every attribute of the client.
        if self._client is None:
            self._client = self._make()
        return getattr(self._client, name)


class Clients:
    """The AWS clients a function may use, each made when something of it is first used.

    Making a client loads its service's model (tens of ms each on the cold start benchmark's
    machine), so a cold start makes only the clients its event needs: the read API DynamoDB's alone;
    the starter no SQS client until an upload waits and no low-level DynamoDB client until a video is
    deleted. `default()` makes them as Lambda does (dal/clients.py).
    """

    def __init__(self, make: Callable[[str], Any]) -> None:
        # `make(name)`: the client called `name` (one of the properties below).
        self._make = make

    def _on_first_use(self, name: str) -> Any:
        return _OnFirstUse(lambda: self._make(name))

    @cached_property
    def rekognition(self) -> RekognitionClient:
        return cast("RekognitionClient", self._on_first_use("rekognition"))

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self._on_first_use("dynamodb"))

    @cached_property
    def dynamodb_resource(self) -> DynamoDBServiceResource:
        return cast("DynamoDBServiceResource", self._on_first_use("dynamodb_resource"))

    @cached_property
    def s3(self) -> S3Client:
        return cast("S3Client", self._on_first_use("s3"))

    @cached_property
    def sqs(self) -> SQSClient:
        return cast("SQSClient", self._on_first_use("sqs"))

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
