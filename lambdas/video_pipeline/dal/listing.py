"""The input bucket's current objects, listed page by page or completed from a manifest's rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from video_pipeline.logic.backfill import ListedObject
from video_pipeline.logic.clock import format_instant
from video_pipeline.logic.manifests import ManifestRow

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_GONE = frozenset({"NoSuchKey", "NoSuchVersion", "404", "405", "MethodNotAllowed"})


class BucketLister:
    def __init__(self, client: S3Client) -> None:
        self._client = client

    def listing(self, bucket: str, prefix: str = "", after: str | None = None) -> Iterator[tuple[ListedObject, str]]:
        """Every key's current version (none for a key whose latest is a delete marker), in key order,
        from the key after `after` on; each with the cursor that resumes after it (its key)."""
        request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
        if after:
            request["KeyMarker"] = after
        while True:
            page = self._client.list_object_versions(**request)
            for version in page.get("Versions", []):
                if version.get("IsLatest"):
                    yield _listed(bucket, version["Key"], dict(version)), version["Key"]
            if not page.get("IsTruncated"):
                return
            request["KeyMarker"] = page["NextKeyMarker"]
            request["VersionIdMarker"] = page.get("NextVersionIdMarker", "")

    def completed(self, rows: Iterable[ManifestRow]) -> Iterator[tuple[ListedObject, str]]:
        """The manifest's objects with what their rows leave out read from S3; gone ones are skipped.
        The cursor is the row's number."""
        for row in rows:
            if row.size is not None and row.etag and row.last_modified:
                etag, size, modified = row.etag, row.size, row.last_modified
                yield ListedObject(row.bucket, row.key, size, etag, row.version_id, modified), str(row.number)
                continue
            head = self._head(row)
            if head is not None:
                yield _listed(row.bucket, row.key, head), str(row.number)

    def _head(self, row: ManifestRow) -> dict[str, Any] | None:
        request: dict[str, Any] = {"Bucket": row.bucket, "Key": row.key}
        if row.version_id:
            request["VersionId"] = row.version_id
        try:
            response: dict[str, Any] = dict(self._client.head_object(**request))
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code", "")) in _GONE:
                return None
            raise
        return {
            "Size": response["ContentLength"],
            "ETag": response.get("ETag", ""),
            "VersionId": response.get("VersionId") or row.version_id,
            "LastModified": response["LastModified"],
        }


def _listed(bucket: str, key: str, version: dict[str, Any]) -> ListedObject:
    version_id = version.get("VersionId")
    return ListedObject(
        bucket=bucket,
        key=key,
        size=int(version["Size"]),
        etag=str(version.get("ETag", "")).strip('"'),
        version_id=version_id if version_id not in (None, "", "null") else None,
        last_modified=format_instant(version["LastModified"]),
    )
