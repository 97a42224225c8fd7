"""Reads of the uploaded objects themselves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_CONTENT_RANGE = re.compile(r"bytes \d+-\d+/(\d+)")
_GONE = frozenset({"NoSuchKey", "NoSuchVersion", "404"})
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
            code = error.response.get("Error", {}).get("Code")
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
