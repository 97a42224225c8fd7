"""Deleting a video deletes its data: detections, archived pages and job records.

Faces and tracked people are biometric-adjacent data, so they must not outlive the video. A version
deleted for good erases that version's video; a delete marker (the object disappears from a
versioned bucket) or the deletion of an unversioned object erases every earlier video of that key.

The event is a claim, not a fact: events arrive late, out of order, and anyone able to send to the
queue could forge one. So S3 is asked first. A version is erased only once S3 no longer holds it;
the object's current revision is never erased; a delete marker erases only what was uploaded before
it (S3's `sequencer` orders the events of one key).

Erasure first marks the video and its jobs with a tombstone, then deletes results, then the records
of jobs that have ended; the video's own record stays as its tombstone, so that an upload event of the
deleted video delivered late starts nothing. A job Rekognition still runs keeps its tombstoned record
and its quota slot: the collector, told of the job's end (by Rekognition or the reconciler), removes
whatever was written and then frees the slot.
Erasure is idempotent and resumable: a retry after a timeout finds what is left.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from video_pipeline.logic.clock import utc_now
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.identity import holder_id
from video_pipeline.logic.ports import SlotsPort
from video_pipeline.models import JobRecord, RemovedObject, sequenced_before

# Enough for the final archive and job-record deletes after the last detection page.
RESERVE_SECONDS = 20.0


class StoredVideoLike(Protocol):
    @property
    def video_id(self) -> str: ...
    @property
    def version_id(self) -> str | None: ...
    @property
    def sequencer(self) -> str | None: ...
    @property
    def revision(self) -> str: ...


class VideoRecordsPort(Protocol):
    def videos_of_object(self, bucket: str, key: str) -> Sequence[StoredVideoLike]: ...
    def jobs_of_video(self, video_id: str) -> list[JobRecord]: ...
    def mark_erased(self, video_id: str, analyses: list[str], now: str) -> None: ...
    def delete_job(self, video_id: str, analysis: str) -> None: ...


class DetectionEraserPort(Protocol):
    def delete_job(self, job_id: str, time_left: Callable[[], float], reserve_seconds: float) -> bool: ...


class ArchiveEraserPort(Protocol):
    def delete_video(self, video_id: str) -> int: ...


class ObjectStatePort(Protocol):
    def current_revision(self, bucket: str, key: str) -> str | None: ...
    def version_state(self, bucket: str, key: str, version_id: str) -> str: ...


@dataclass(slots=True)
class EraseReport:
    bucket: str
    key: str
    videos: list[str] = field(default_factory=list)
    archived_pages: int = 0
    # Jobs Rekognition may still run: their tombstones stay until the collector has cleaned up.
    pending_jobs: list[str] = field(default_factory=list)
    # Why the event erased nothing although it named stored videos (S3 contradicts it).
    refused: str = ""


def _still_running(record: JobRecord) -> bool:
    return not record.status.is_final


class VideoEraser:
    def __init__(
        self,
        *,
        jobs: VideoRecordsPort,
        detections: DetectionEraserPort,
        archive: ArchiveEraserPort,
        slots: SlotsPort,
        objects: ObjectStatePort,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self._jobs = jobs
        self._detections = detections
        self._archive = archive
        self._slots = slots
        self._objects = objects
        self._clock = clock

    def erase(self, removed: RemovedObject, time_left: Callable[[], float] = lambda: math.inf) -> EraseReport:
        report = EraseReport(removed.bucket, removed.key)
        stored = self._jobs.videos_of_object(removed.bucket, removed.key)
        if not stored:
            return report
        doomed, report.refused = self._doomed(removed, stored)
        for video in doomed:
            self._erase_video(video.video_id, time_left, report)
        return report

    def _doomed(self, removed: RemovedObject, stored: Sequence[StoredVideoLike]) -> tuple[list[StoredVideoLike], str]:
        """The stored videos this removal really erases, after asking S3; or why it erases none."""
        if removed.version_id and not removed.delete_marker:
            named = [video for video in stored if video.version_id == removed.version_id]
            if named and self._objects.version_state(removed.bucket, removed.key, removed.version_id) != "gone":
                return [], f"version {removed.version_id} still exists"
            return named, ""
        if removed.delete_marker and removed.version_id:
            state = self._objects.version_state(removed.bucket, removed.key, removed.version_id)
            if state != "delete-marker":
                return [], f"no delete marker {removed.version_id} on the key (S3 says {state})"
        current = self._objects.current_revision(removed.bucket, removed.key)
        earlier = [
            video
            for video in stored
            if video.revision != current and sequenced_before(video.sequencer, removed.sequencer)
        ]
        if not earlier and any(video.revision == current for video in stored):
            return [], "the object still exists"
        return earlier, ""

    def _erase_video(self, video_id: str, time_left: Callable[[], float], report: EraseReport) -> None:
        jobs = self._jobs.jobs_of_video(video_id)
        # The tombstone first: from here on no collector can finish this video's jobs, only erase them.
        self._jobs.mark_erased(video_id, [record.analysis for record in jobs], self._clock())
        # A job a re-analysis is replacing still has its results too.
        job_ids = [job_id for record in jobs for job_id in (record.job_id, record.previous_job_id) if job_id]
        for job_id in job_ids:
            if not self._detections.delete_job(job_id, time_left, RESERVE_SECONDS):
                raise RetryLaterError(f"erasing video {video_id} continues in the next delivery")
        report.archived_pages += self._archive.delete_video(video_id)
        # Read again: a job that finished meanwhile wrote everything before its final state.
        for record in self._jobs.jobs_of_video(video_id):
            if _still_running(record):
                # Rekognition may still run it: its slot stays taken until the collector hears of its end.
                report.pending_jobs.append(record.job_id or record.analysis)
                continue
            self._jobs.delete_job(video_id, record.analysis)
            self._slots.release(holder_id(video_id, record.analysis))
        # The video's META item stays as its tombstone (no face data: bucket, key, size): an upload
        # event of this video delivered late then starts nothing (JobsStore.claim).
        report.videos.append(video_id)
