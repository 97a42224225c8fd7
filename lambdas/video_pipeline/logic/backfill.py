"""Backfill: analyse videos already in the input bucket, through the same queue and quota ledger as uploads.

Each chosen object is sent to the uploads queue as the ObjectCreated event S3 would have sent for it,
so the starter, the quota ledger and the daily budget treat it exactly as an upload; its jobs get the
tokens the upload's would have had, so a repeat starts nothing new. Objects come from a listing of
the bucket or, for millions of objects, from an S3 Inventory or Batch Operations manifest.

Progress is a cursor (the last key listed, or the manifest row): a stopped backfill resumes from it.
A dry run sends nothing; it reads each new video's duration (a few small ranged reads) and estimates
what Rekognition would charge, at the registry's prices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from video_pipeline.analyses import Analysis
from video_pipeline.contract import DEFAULT_VIDEO_SUFFIXES
from video_pipeline.logic import admission, media_duration
from video_pipeline.logic.admission import Verdict
from video_pipeline.logic.budget import estimated_cost_usd, guessed_duration_ms, video_minutes
from video_pipeline.logic.reanalysis import UploadsQueuePort
from video_pipeline.logic.s3_events import object_created_body
from video_pipeline.models import UploadedObject


@dataclass(frozen=True, slots=True)
class ListedObject:
    """One current object version, as a bucket listing or an inventory row describes it."""

    bucket: str
    key: str
    size: int
    etag: str
    version_id: str | None
    last_modified: str  # ISO 8601, UTC

    def as_upload(self) -> UploadedObject:
        """The upload event S3 sent (or would have sent) for this version."""
        return UploadedObject(
            bucket=self.bucket,
            key=self.key,
            size=self.size,
            etag=self.etag,
            version_id=self.version_id,
            event_time=self.last_modified,
        )


@dataclass(frozen=True, slots=True)
class Selection:
    """Which objects a backfill takes: key prefix, last-modified range (`since` <= t < `until`), suffixes."""

    prefix: str = ""
    since: datetime | None = None
    until: datetime | None = None
    suffixes: tuple[str, ...] = DEFAULT_VIDEO_SUFFIXES

    def wants(self, listed: ListedObject) -> bool:
        if not listed.key.startswith(self.prefix):
            return False
        if admission.by_name_and_size(listed.key, listed.size, self.suffixes).verdict is Verdict.IGNORE:
            return False
        modified = _instant(listed.last_modified)
        return (self.since is None or modified >= self.since) and (self.until is None or modified < self.until)


class StoredVideoLike(Protocol):
    @property
    def version_id(self) -> str | None: ...
    @property
    def etag(self) -> str | None: ...


class KnownVideosPort(Protocol):
    def videos_of_object(self, bucket: str, key: str) -> Sequence[StoredVideoLike]: ...


class RangeReaderPort(Protocol):
    def read_range(self, bucket: str, key: str, version_id: str | None, offset: int, length: int) -> bytes: ...


@dataclass(slots=True)
class BackfillReport:
    listed: int = 0
    chosen: int = 0
    # Already known to the pipeline (uploaded or backfilled before): a repeat would start nothing.
    known: int = 0
    # Sent to the uploads queue, or in a dry run: would be sent.
    sent: int = 0
    minutes: float = 0.0
    estimated_cost_usd: float = 0.0
    # Where the next run resumes; None once everything was listed.
    cursor: str | None = None
    would_start: list[tuple[ListedObject, float]] = field(default_factory=list)


# (object, the cursor that resumes after it)
Listing = Iterable[tuple[ListedObject, str]]


class Backfill:
    def __init__(
        self,
        *,
        videos: KnownVideosPort,
        uploads: UploadsQueuePort,
        objects: RangeReaderPort,
        analyses: tuple[Analysis, ...],
    ) -> None:
        self._videos = videos
        self._uploads = uploads
        self._objects = objects
        self._analyses = analyses

    def run(
        self,
        listing: Listing,
        selection: Selection,
        *,
        dry_run: bool = False,
        limit: int | None = None,
        on_progress: Callable[[BackfillReport], None] | None = None,
        progress_every: int = 1000,
    ) -> BackfillReport:
        """Send (or in a dry run, price) every chosen object not yet known; stop after `limit` objects listed."""
        report = BackfillReport()
        for listed, cursor in _bounded(listing, limit):
            report.listed += 1
            report.cursor = cursor
            if selection.wants(listed):
                self._take(listed, report, dry_run=dry_run)
            if on_progress and report.listed % progress_every == 0:
                on_progress(report)
        if limit is None or report.listed < limit:
            report.cursor = None  # the listing ended: nothing left to resume
        return report

    def _take(self, listed: ListedObject, report: BackfillReport, *, dry_run: bool) -> None:
        report.chosen += 1
        upload = listed.as_upload()
        if self._is_known(listed):
            report.known += 1
            return
        report.sent += 1
        if dry_run:
            minutes = video_minutes(self._duration_ms(listed))
            report.minutes += minutes
            report.estimated_cost_usd += estimated_cost_usd(minutes, self._analyses)
            report.would_start.append((listed, minutes))
            return
        self._uploads.send_later(object_created_body(upload), delay_seconds=0)

    def _is_known(self, listed: ListedObject) -> bool:
        """Whether this version was uploaded or backfilled before. Its event may have named the version,
        or (S3 events of unversioned buckets, some emulators) only the content's ETag."""
        for stored in self._videos.videos_of_object(listed.bucket, listed.key):
            if stored.version_id:
                if stored.version_id == listed.version_id:
                    return True
            elif stored.etag == listed.etag:
                return True
        return False

    def _duration_ms(self, listed: ListedObject) -> int:
        def read(offset: int, length: int) -> bytes:
            return self._objects.read_range(listed.bucket, listed.key, listed.version_id, offset, length)

        return media_duration.duration_ms(read, listed.size) or guessed_duration_ms(listed.size)


def _bounded(listing: Listing, limit: int | None) -> Iterator[tuple[ListedObject, str]]:
    for number, entry in enumerate(listing):
        if limit is not None and number >= limit:
            return
        yield entry


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
