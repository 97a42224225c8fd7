"""The read API's library routes: re-analysis requests, and the backfill in bounded steps.

An API request must answer within seconds, so a backfill through the API lists at most `limit`
objects per call and answers with the cursor to pass next: the dashboard calls again until the
cursor is null (its progress), stops by not calling, and resumes by passing the last cursor.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from video_pipeline.analyses import Analysis
from video_pipeline.logic.backfill import (
    Backfill,
    BackfillReport,
    KnownVideosPort,
    ListedObject,
    RangeReaderPort,
    Selection,
)
from video_pipeline.logic.reanalysis import StoredUploadsPort, UploadsQueuePort, request_reanalysis
from video_pipeline.models import UploadedObject

# What one API call lists at most: a page of S3's listing, well within the API's time limit.
MOST_LISTED_PER_CALL = 1000


class VideosPort(StoredUploadsPort, KnownVideosPort, Protocol):
    """The jobs table as the library routes read it: a video's upload, and the videos of an S3 key."""


class BucketListingPort(Protocol):
    def listing(
        self, bucket: str, prefix: str = "", after: str | None = None
    ) -> Iterator[tuple[ListedObject, str]]: ...


class LibraryDesk:
    def __init__(
        self,
        *,
        bucket: str,
        videos: VideosPort,
        uploads: UploadsQueuePort,
        objects: RangeReaderPort,
        lister: BucketListingPort,
        analyses: tuple[Analysis, ...],
    ) -> None:
        self._bucket = bucket
        self._videos = videos
        self._uploads = uploads
        self._lister = lister
        self._backfill = Backfill(videos=videos, uploads=uploads, objects=objects, analyses=analyses)

    def reanalyse(self, video_ids: Sequence[str], analyses: Sequence[str], run: str) -> list[UploadedObject]:
        return request_reanalysis(video_ids, analyses, run, videos=self._videos, uploads=self._uploads)

    def backfill_step(self, selection: Selection, *, cursor: str | None, limit: int, dry_run: bool) -> BackfillReport:
        """One bounded step of a backfill of the input bucket, from `cursor` (None: the beginning)."""
        listing = self._lister.listing(self._bucket, selection.prefix, cursor)
        return self._backfill.run(listing, selection, dry_run=dry_run, limit=min(limit, MOST_LISTED_PER_CALL))
