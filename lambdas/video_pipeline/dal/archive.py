"""The raw Get* pages of every job, gzip-compressed JSON in S3, one object per page.

A page read by the gateway carries the service's own body, which is stored as it came; a page from
anywhere else is encoded compactly.

Keys are predictable - `results/{video_id}/{analysis}/{job_id}/page-00000.json.gz`, declared in
`schema` - so the results of any video can be found and re-derived without paying Rekognition again.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from video_pipeline.result_pages import SERVICE_BODY, parse_page
from video_pipeline.schema import archive_job_prefix, archive_page_key, archive_video_prefix

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_LIST_PAGE = 1000
# S3's DeleteObjects takes at most 1,000 keys.
_DELETE_BATCH = 1000


class ResultsArchive:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    def put_page(self, video_id: str, analysis: str, job_id: str, number: int, page: dict[str, Any]) -> None:
        raw = page.get(SERVICE_BODY)
        if not isinstance(raw, bytes):
            members = {name: value for name, value in page.items() if name != "ResponseMetadata"}
            raw = json.dumps(members, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")
        body = gzip.compress(raw, compresslevel=6)
        self._client.put_object(
            Bucket=self.bucket,
            Key=archive_page_key(video_id, analysis, job_id, number),
            Body=body,
            ContentType="application/json",
            ContentEncoding="gzip",
        )

    def pages(self, video_id: str, analysis: str, job_id: str, result_key: str) -> Iterator[dict[str, Any]]:
        """The archived pages of one job, in stream order, read as the gateway reads the service's."""
        for key in sorted(self._keys(archive_job_prefix(video_id, analysis, job_id))):
            body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            yield parse_page(gzip.decompress(body).decode("utf-8"), result_key)

    def delete_video(self, video_id: str) -> int:
        """Delete every archived page of a video; returns how many objects were removed."""
        return self._delete_under(archive_video_prefix(video_id))

    def delete_job(self, video_id: str, analysis: str, job_id: str) -> int:
        """Delete every archived page of one job; returns how many objects were removed."""
        return self._delete_under(archive_job_prefix(video_id, analysis, job_id))

    def _delete_under(self, prefix: str) -> int:
        keys = list(self._keys(prefix))
        for start in range(0, len(keys), _DELETE_BATCH):
            batch = keys[start : start + _DELETE_BATCH]
            self._client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
            )
        return len(keys)

    def _keys(self, prefix: str) -> Iterator[str]:
        paginator = self._client.get_paginator("list_objects_v2")
        for listing in paginator.paginate(Bucket=self.bucket, Prefix=prefix, PaginationConfig={"PageSize": _LIST_PAGE}):
            for entry in listing.get("Contents", []):
                yield entry["Key"]
