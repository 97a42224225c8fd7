"""The boto3 clients the fake itself uses to reach S3 and SNS, made once and shared."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

# (service name, region) -> client
ClientFactory = Callable[[str, str], Any]

_shared: tuple[boto3.session.Session, bool] | None = None
_shared_clients: dict[tuple[str, str], Any] = {}
_shared_lock = threading.Lock()


def _shared_client(service: str, region: str) -> Any:
    """A client from the one session every fake shares, itself shared.

    A new session re-reads each service model and a new client costs tens of milliseconds, while
    boto3 clients are thread-safe and hold no per-fake state. Sessions copy botocore's built-in
    handlers when created, so a session made before moto was imported would send S3 and SNS calls
    past moto; such a session and its clients are replaced. Creation is serialized because botocore
    sessions are not safe to create clients from concurrently.
    """
    global _shared  # noqa: PLW0603 - a process-wide cache is the point
    moto_loaded = "moto.core.models" in sys.modules
    with _shared_lock:
        if _shared is None or (moto_loaded and not _shared[1]):
            _shared = (boto3.session.Session(), moto_loaded)
            _shared_clients.clear()
        key = (service, region)
        if key not in _shared_clients:
            _shared_clients[key] = _shared[0].client(service, region_name=region)  # type: ignore[call-overload]
        return _shared_clients[key]


class Clients:
    """Lazily created, cached clients.

    Creation is deferred to first use so that clients are built while the test's mocks (moto's
    `mock_aws`) are in force, and cached because building a client costs milliseconds per call.
    """

    def __init__(self, region: str, factory: ClientFactory | None = None) -> None:
        self.region = region
        self._factory = factory
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def _create(self, service: str, region: str) -> Any:
        if self._factory is not None:
            return self._factory(service, region)
        # Not boto3's default session: the code under test may reconfigure or replace that one.
        return _shared_client(service, region)

    def get(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        with self._lock:
            client = self._cache.get(key)
            if client is None:
                client = self._cache[key] = self._create(*key)
            return client

    def s3(self) -> S3Client:
        client: S3Client = self.get("s3")
        return client

    def sns(self, region: str | None = None) -> SNSClient:
        client: SNSClient = self.get("sns", region)
        return client
