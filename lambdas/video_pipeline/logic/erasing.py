"""Deleting a video deletes its data: detections, archived pages and job records.

Faces and tracked people are biometric-adjacent data, so they must not outlive the video. A version
deleted for good erases that version's video; a delete marker (the object disappears from a
versioned bucket) or the deletion of an unversioned object erases every video of that key.
Erasure is idempotent and resumable: results go first, job records last, so a retry after a timeout
still finds what is left.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.identity import holder_id
from video_pipeline.logic.ports import SlotsPort
from video_pipeline.models import JobRecord, RemovedObject

# Enough for the final archive and job-record deletes after the last detection page.
RESERVE_SECONDS = 20.0


class StoredVideoLike(Protocol):
    @property
    def video_id(self) -> str: ...
    @property
    def version_id(self) -> str | None: ...


class VideoRecordsPort(Protocol):
    def videos_of_object(self, bucket: str, key: str) -> Sequence[StoredVideoLike]: ...
    def jobs_of_video(self, video_id: str) -> list[JobRecord]: ...
    def delete_video(self, video_id: str) -> None: ...


class DetectionEraserPort(Protocol):
    def delete_job(self, job_id: str, time_left: Callable[[], float], reserve_seconds: float) -> bool: ...


class ArchiveEraserPort(Protocol):
    def delete_video(self, video_id: str) -> int: ...


@dataclass(slots=True)
class EraseReport:
    bucket: str
    key: str
    videos: list[str] = field(default_factory=list)
    archived_pages: int = 0


class VideoEraser:
    def __init__(
        self,
        *,
        jobs: VideoRecordsPort,
        detections: DetectionEraserPort,
        archive: ArchiveEraserPort,
        slots: SlotsPort,
    ) -> None:
        self._jobs = jobs
        self._detections = detections
        self._archive = archive
        self._slots = slots

    def erase(self, removed: RemovedObject, time_left: Callable[[], float] = lambda: math.inf) -> EraseReport:
        report = EraseReport(removed.bucket, removed.key)
        for video in self._jobs.videos_of_object(removed.bucket, removed.key):
            if removed.version_id and not removed.delete_marker and video.version_id != removed.version_id:
                continue
            self._erase_video(video.video_id, time_left, report)
        return report

    def _erase_video(self, video_id: str, time_left: Callable[[], float], report: EraseReport) -> None:
        jobs = self._jobs.jobs_of_video(video_id)
        for record in jobs:
            if record.job_id and not self._detections.delete_job(record.job_id, time_left, RESERVE_SECONDS):
                raise RetryLaterError(f"erasing video {video_id} continues in the next delivery")
        report.archived_pages += self._archive.delete_video(video_id)
        for record in jobs:
            # A job still running no longer needs its slot: nobody will collect its results.
            self._slots.release(holder_id(video_id, record.analysis))
        self._jobs.delete_video(video_id)
        report.videos.append(video_id)
