"""Domain values passed between the layers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from video_pipeline.analyses import NATIVE_ENGINE


class JobStatus(StrEnum):
    STARTING = "STARTING"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ERROR = "ERROR"
    # Rekognition no longer holds the job's results (they are kept for a limited time) and the
    # pipeline never stored them: the video has to be analysed again.
    EXPIRED = "EXPIRED"

    @property
    def is_final(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.ERROR, JobStatus.EXPIRED)


class Claim(StrEnum):
    """What recording a job about to start found."""

    CLAIMED = "CLAIMED"
    # This exact job is already started or finished (or its video was deleted): start nothing.
    DUPLICATE = "DUPLICATE"
    # Another job of the same analysis, with other parameters, still runs: its replacement waits for it.
    BUSY = "BUSY"


@dataclass(frozen=True, slots=True)
class UploadedObject:
    """One S3 ObjectCreated record, key already URL-decoded."""

    bucket: str
    key: str
    size: int | None
    etag: str | None
    version_id: str | None
    event_time: str
    # S3's ordering of events on one key (hex, compared after left-padding); None where not sent.
    sequencer: str | None = None
    # A re-analysis: the run it belongs to (part of each job's identity, so the jobs start anew) and
    # the analyses it re-runs. An ordinary upload has neither and runs every enabled analysis.
    rerun: str = ""
    analyses: tuple[str, ...] = ()

    @property
    def revision(self) -> str:
        """What distinguishes this upload from another upload of the same key."""
        return revision_of(self.version_id, self.etag)


def revision_of(version_id: str | None, etag: str | None) -> str:
    """One revision of a key: its version, or in an unversioned bucket its content's ETag."""
    if version_id:
        return f"version:{version_id}"
    return f"etag:{etag or ''}"


@dataclass(frozen=True, slots=True)
class RemovedObject:
    """One S3 ObjectRemoved or LifecycleExpiration record: a version deleted for good, an unversioned
    object deleted, or a delete marker (versioned buckets; `version_id` is then the marker's)."""

    bucket: str
    key: str
    version_id: str | None
    delete_marker: bool
    sequencer: str | None = None


def sequenced_before(earlier: str | None, later: str | None) -> bool:
    """Whether S3's sequencer `earlier` orders before `later` (same key). Unknown order counts as before.

    S3 documents the comparison: left-pad the shorter hex value with zeros, then compare lexically.
    """
    if not earlier or not later:
        return True
    width = max(len(earlier), len(later))
    return earlier.upper().rjust(width, "0") < later.upper().rjust(width, "0")


@dataclass(frozen=True, slots=True)
class Video:
    """An accepted upload with its stable identifier."""

    video_id: str
    upload: UploadedObject
    size: int


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How far a collector got through a job's results before it handed over to a fresh invocation."""

    next_token: str
    detections: int
    pages: int
    entities: tuple[str, ...]
    saved_at: str
    video_metadata: dict[str, Any] | None = None
    # What a stateful result stream (the person tracker) holds between pages.
    stream_state: dict[str, Any] | None = None
    # The packed item and the appearances still open (logic/detections.py).
    packing_state: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class JobRecord:
    """The jobs table's view of one (video, analysis) job."""

    video_id: str
    analysis: str
    status: JobStatus
    token: str
    tag: str
    bucket: str
    key: str
    uploaded_at: str
    job_id: str | None = None
    started_at: str | None = None
    updated_at: str | None = None
    checkpoint: Checkpoint | None = None
    # Which Rekognition operations run the job; person tracking has more than one engine.
    engine: str = NATIVE_ENGINE
    # The video was deleted: the job's results must be removed, never written (a tombstone).
    erased: bool = False
    # The job this one replaces (a re-analysis): readers see it until this one has succeeded, and its
    # results are removed after that.
    previous_job_id: str | None = None
    # The Start* options this analysis asked for, where its job is shared and runs wider ones
    # (`logic/shared_jobs.py`): the collector keeps only what a job of its own would have returned.
    asked_options: Mapping[str, Any] | None = None
    # How many detections the collector stored, once the job succeeded (None before).
    detection_count: int | None = None


# The read side: what the repository returns to the read API, the dashboards and the report.
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class JobSummary:
    video_id: str
    analysis: str
    status: JobStatus
    started_at: str
    job_id: str | None = None
    # Which Rekognition operations produced the results (native, or labels plus the tracker).
    engine: str = NATIVE_ENGINE
    completed_at: str | None = None
    detection_count: int = 0
    entity_count: int = 0
    # Persons seen at one reported instant only (labels engine): stored, marked, and counted here.
    single_sighting_count: int = 0
    error_code: str | None = None
    status_message: str | None = None
    video_metadata: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class VideoSummary:
    video_id: str
    bucket: str
    key: str
    uploaded_at: str
    size: int
    version_id: str | None = None
    jobs: dict[str, JobSummary] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Detection:
    job_id: str
    video_id: str
    timestamp_ms: int
    data: dict[str, Any]
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    cursor: str | None = None
