"""Where the videos live: the fake reads object sizes and leading bytes, as the service would."""

from __future__ import annotations

from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from emulator.clients import Clients


class VideoStore(Protocol):
    def size(self, bucket: str, key: str, version: str | None) -> int | None:
        """The object's size in bytes, or None if it cannot be read."""

    def prefix(self, bucket: str, key: str, version: str | None, length: int) -> bytes | None:
        """The object's first `length` bytes, or None if it cannot be read."""


def _version(version: str | None) -> dict[str, Any]:
    return {"VersionId": version} if version else {}


class S3VideoStore:
    def __init__(self, clients: Clients) -> None:
        self._clients = clients

    def size(self, bucket: str, key: str, version: str | None) -> int | None:
        try:
            head = self._clients.s3().head_object(Bucket=bucket, Key=key, **_version(version))
        except (ClientError, BotoCoreError):
            # Missing, forbidden or wrong version all look the same to the caller of Start*.
            return None
        return int(head["ContentLength"])

    def prefix(self, bucket: str, key: str, version: str | None, length: int) -> bytes | None:
        try:
            response = self._clients.s3().get_object(
                Bucket=bucket, Key=key, Range=f"bytes=0-{length - 1}", **_version(version)
            )
            return response["Body"].read()
        except (ClientError, BotoCoreError):
            return None
