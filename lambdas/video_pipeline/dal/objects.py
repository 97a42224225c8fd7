"""Reads of the uploaded objects themselves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_CONTENT_RANGE = re.compile(r"bytes \d+-\d+/(\d+)")
# A deleted bucket is as gone as a deleted object: no retry brings it back.
_GONE = frozenset({"NoSuchKey", "NoSuchVersion", "NoSuchBucket", "404"})
# HEAD of a version that is a delete marker.
_DELETE_MARKER = frozenset({"405", "MethodNotAllowed"})
# S3 cannot serve a byte range of an empty object.
_EMPTY = "InvalidRange"


@dataclass(frozen=True, slots=True)
class ObjectHead:
    header: bytes
    size: int


class ObjectReader:
    def __init__(self, client: S3Client) -> None:
        self._client = client

    def read_head(self, bucket: str, key: str, version_id: str | None, length: int) -> ObjectHead | None:
        """The first `length` bytes and the full size of the object, or None if it no longer exists."""
        arguments = {"Bucket": bucket, "Key": key, "Range": f"bytes=0-{length - 1}"}
        if version_id:
            arguments["VersionId"] = version_id
        try:
            response = self._client.get_object(**arguments)  # type: ignore[arg-type]
        except ClientError as error:
            code = _code(error)
            if code == _EMPTY:
                return ObjectHead(header=b"", size=0)
            if code in _GONE:
                return None
            raise
        with response["Body"] as body:
            header = body.read(length)
        match = _CONTENT_RANGE.fullmatch(response.get("ContentRange", ""))
        size = int(match.group(1)) if match else int(response.get("ContentLength", len(header)))
        return ObjectHead(header=header, size=size)

    def read_range(self, bucket: str, key: str, version_id: str | None, offset: int, length: int) -> bytes:
        """Up to `length` bytes at `offset` (fewer at the end; none past it or once the object is gone)."""
        arguments = {"Bucket": bucket, "Key": key, "Range": f"bytes={offset}-{offset + length - 1}"}
        if version_id:
            arguments["VersionId"] = version_id
        try:
            response = self._client.get_object(**arguments)  # type: ignore[arg-type]
        except ClientError as error:
            if _code(error) in _GONE | {_EMPTY}:
                return b""
            raise
        with response["Body"] as body:
            return body.read(length)

    def current_revision(self, bucket: str, key: str) -> str | None:
        """What the key holds now, as `UploadedObject.revision` spells it; None when it holds nothing."""
        try:
            response = self._client.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if _code(error) in _GONE | _DELETE_MARKER:
                return None
            raise
        version = response.get("VersionId")
        if version and version != "null":
            return f"version:{version}"
        etag = response.get("ETag", "").strip('"')
        return f"etag:{etag}"

    def version_state(self, bucket: str, key: str, version_id: str) -> str:
        """`object`, `delete-marker` or `gone`: what S3 holds under one version id of a key."""
        try:
            self._client.head_object(Bucket=bucket, Key=key, VersionId=version_id)
        except ClientError as error:
            code = _code(error)
            if code in _DELETE_MARKER:
                return "delete-marker"
            if code in _GONE:
                return "gone"
            raise
        return "object"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
