"""Records the fake keeps: jobs, scripted outcomes, calls and lost notifications."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from emulator.results import ResultSet


class JobStatus(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    # Only completion notifications can say ERROR; Get* reports such a job as FAILED, because
    # VideoJobStatus in the model has no ERROR value.
    ERROR = "ERROR"

    @property
    def wire_value(self) -> str:
        return JobStatus.FAILED.value if self is JobStatus.ERROR else self.value


@dataclass(slots=True)
class Job:
    job_id: str
    api: str
    params: dict[str, Any]
    bucket: str
    key: str
    version: str | None
    token: str | None
    tag: str | None
    topic_arn: str | None
    created_at: float
    role_arn: str | None = None
    status: JobStatus = JobStatus.IN_PROGRESS
    status_message: str | None = None
    completed_at: float | None = None
    progress: float = 0.0  # fraction of the video analysed
    # Why the job will fail although Start accepted it (a codec or container it cannot analyse).
    unsupported: str | None = None
    result_set: ResultSet | None = field(default=None, repr=False)

    def video(self) -> dict[str, Any]:
        s3_object: dict[str, Any] = {"Bucket": self.bucket, "Name": self.key}
        if self.version:
            s3_object["Version"] = self.version
        return {"S3Object": s3_object}


@dataclass(frozen=True, slots=True)
class Script:
    """A test's decision about how jobs on one object (and API) turn out."""

    status: JobStatus = JobStatus.SUCCEEDED
    status_message: str | None = None
    detections: int | None = None
    elements: tuple[Mapping[str, Any], ...] | None = None


class Call(NamedTuple):
    """One request the fake received; unpacks as (operation, params)."""

    operation: str
    params: dict[str, Any]


class JobProgress(NamedTuple):
    job_id: str
    api: str
    key: str
    status: JobStatus
    fraction: float


@dataclass(frozen=True, slots=True)
class LostNotification:
    job_id: str
    topic_arn: str
    message: str
    reason: str
