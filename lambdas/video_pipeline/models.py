"""Domain values passed between the layers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from video_pipeline.analyses import NATIVE_ENGINE


class JobStatus(StrEnum):
    STARTING = "STARTING"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ERROR = "ERROR"

    @property
    def is_final(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.ERROR)


@dataclass(frozen=True, slots=True)
class UploadedObject:
    """One S3 ObjectCreated record, key already URL-decoded."""

    bucket: str
    key: str
    size: int | None
    etag: str | None
    version_id: str | None
    event_time: str

    @property
    def revision(self) -> str:
        """What distinguishes this upload from another upload of the same key."""
        if self.version_id:
            return f"version:{self.version_id}"
        return f"etag:{self.etag or ''}"


@dataclass(frozen=True, slots=True)
class Video:
    """An accepted upload with its stable identifier."""

    video_id: str
    upload: UploadedObject
    size: int


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
    # Which Rekognition operations run the job; person tracking has more than one engine.
    engine: str = NATIVE_ENGINE
