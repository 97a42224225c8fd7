"""The local dashboard's stand-in for presigned S3 links: the videos, served from its own address.

On AWS the read API's `/videos/{id}/media` answers a presigned S3 URL; here S3 is moto inside this
process, which a browser cannot reach, so the link points back at the dashboard (`MEDIA_PREFIX`), and
the dashboard answers it with the video's bytes, byte ranges included (a browser seeks with them).
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, unquote

MEDIA_PREFIX: Final = "/local-media"
# Where `make local` lists the files it uploaded, beside its tables.json.
VIDEOS_MANIFEST: Final = "videos.json"
# Links last as long as the dashboard runs; the figure only tells the page when to ask again.
LOCAL_LINK_LIFETIME_SECONDS: Final = 3600

# (bucket, key) -> the object's bytes, or None when there is no such video.
VideoBytes = Callable[[str, str], bytes | None]
Answer = tuple[HTTPStatus, list[tuple[str, str]], bytes]

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True, slots=True)
class LocalMediaLinks:
    """The media links of the local read API: `MEDIA_PREFIX/<bucket>/<key>`, each part one path segment."""

    lifetime_seconds: int = LOCAL_LINK_LIFETIME_SECONDS

    def link(self, bucket: str, key: str, version_id: str | None) -> str:
        # The version is not part of the link: locally the bucket holds the one version analysed.
        return f"{MEDIA_PREFIX}/{quote(bucket, safe='')}/{quote(key, safe='')}"


def write_manifest(directory: Path, bucket: str, files: Mapping[str, Path]) -> Path:
    """`videos.json`: where each uploaded key's file is, so the dashboard can serve it later."""
    path = directory / VIDEOS_MANIFEST
    entries = [{"bucket": bucket, "key": key, "path": str(file.resolve())} for key, file in sorted(files.items())]
    path.write_text(json.dumps(entries, indent=1) + "\n")
    return path


def from_manifest(path: Path) -> VideoBytes:
    """The files a `make local` run listed; a file moved or deleted since is no video."""
    entries: list[dict[str, Any]] = json.loads(path.read_text()) if path.is_file() else []
    files = {(str(entry["bucket"]), str(entry["key"])): Path(entry["path"]) for entry in entries}

    def read(bucket: str, key: str) -> bytes | None:
        file = files.get((bucket, key))
        return file.read_bytes() if file is not None and file.is_file() else None

    return read


def answer(videos: VideoBytes, path: str, range_header: str | None) -> Answer:
    """The answer to GET `path` (under MEDIA_PREFIX): the video, the requested bytes of it, or 404/416."""
    parts = path[len(MEDIA_PREFIX) :].strip("/").split("/")
    body = videos(unquote(parts[0]), unquote(parts[1])) if len(parts) == 2 else None
    if body is None:
        return HTTPStatus.NOT_FOUND, [("Content-Type", "text/plain")], b"no such video"
    headers = [("Content-Type", mimetypes.guess_type(unquote(parts[1]))[0] or "video/mp4"), ("Accept-Ranges", "bytes")]
    match = _RANGE.fullmatch((range_header or "").strip())
    if not match or not (match.group(1) or match.group(2)):
        return HTTPStatus.OK, headers, body
    size = len(body)
    if match.group(1):
        first = int(match.group(1))
        last = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
    else:  # `bytes=-N`: the last N bytes
        first, last = max(size - int(match.group(2)), 0), size - 1
    if first >= size or last < first:
        return HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, [("Content-Range", f"bytes */{size}")], b""
    return (
        HTTPStatus.PARTIAL_CONTENT,
        [*headers, ("Content-Range", f"bytes {first}-{last}/{size}")],
        body[first : last + 1],
    )
