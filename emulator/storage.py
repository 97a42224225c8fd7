"""Where the videos live: the fake reads object sizes, leading bytes and (to analyse them) the content."""

from __future__ import annotations

import io
from typing import Any, BinaryIO, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from emulator.clients import Clients

# Large enough that decoding a video costs few S3 requests, small enough to keep memory flat.
READ_CHUNK_BYTES = 4 * 1024 * 1024


class VideoStore(Protocol):
    def size(self, bucket: str, key: str, version: str | None) -> int | None:
        """The object's size in bytes, or None if it cannot be read."""

    def prefix(self, bucket: str, key: str, version: str | None, length: int) -> bytes | None:
        """The object's first `length` bytes, or None if it cannot be read."""

    def open(self, bucket: str, key: str, version: str | None) -> BinaryIO | None:
        """A seekable binary stream over the object, or None if it cannot be read."""


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

    def open(self, bucket: str, key: str, version: str | None) -> BinaryIO | None:
        size = self.size(bucket, key, version)
        if size is None:
            return None
        raw = _S3RangeReader(self._clients, bucket, key, version, size)
        return io.BufferedReader(raw, buffer_size=READ_CHUNK_BYTES)


class _S3RangeReader(io.RawIOBase):
    """A seekable view of one object version that fetches ranges on demand.

    MP4 readers seek (the index may sit at the end of the file), so a plain streaming body would
    force downloading the whole object first; ranged reads keep memory flat for any size.
    """

    def __init__(self, clients: Clients, bucket: str, key: str, version: str | None, size: int) -> None:
        super().__init__()
        self._clients, self._bucket, self._key, self._version = clients, bucket, key, version
        self._size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        if self._position >= self._size:
            return 0
        end = min(self._size, self._position + len(buffer)) - 1
        try:
            response = self._clients.s3().get_object(
                Bucket=self._bucket, Key=self._key, Range=f"bytes={self._position}-{end}", **_version(self._version)
            )
            data = response["Body"].read()
        except (ClientError, BotoCoreError) as error:
            raise OSError(f"cannot read s3://{self._bucket}/{self._key}: {error}") from error
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)
