"""Presigned S3 links to the uploaded videos, for the dashboard to draw shot thumbnails from.

The link is signed with the read API's own role, which may read the input prefix (`GetObject`,
`GetObjectVersion`), so it opens exactly the analysed version and nothing else; signing is local
computation, no request to S3. Its lifetime is short because anyone holding it can read the video.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Long enough for a page to load the video and seek through its shots; short enough that a link
# copied out of the page soon stops working.
MEDIA_LINK_LIFETIME_SECONDS: Final = 300


class SignedMediaLinks:
    def __init__(self, client: S3Client, lifetime_seconds: int = MEDIA_LINK_LIFETIME_SECONDS) -> None:
        self._client = client
        self._lifetime = lifetime_seconds

    @property
    def lifetime_seconds(self) -> int:
        return self._lifetime

    def link(self, bucket: str, key: str, version_id: str | None) -> str:
        parameters = {"Bucket": bucket, "Key": key} | ({"VersionId": version_id} if version_id else {})
        return self._client.generate_presigned_url("get_object", Params=parameters, ExpiresIn=self._lifetime)
