"""What the logic needs from the data-access layer; the DAL classes satisfy these structurally."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from video_pipeline.analyses import Analysis
from video_pipeline.models import Checkpoint, JobRecord, JobStatus, Video


class ObjectHeadLike(Protocol):
    @property
    def header(self) -> bytes: ...
    @property
    def size(self) -> int: ...


class ObjectReaderPort(Protocol):
    def read_head(self, bucket: str, key: str, version_id: str | None, length: int) -> ObjectHeadLike | None: ...


class RekognitionPort(Protocol):
    def start(self, analysis: Analysis, request: dict[str, Any]) -> str: ...

    def get_page(self, analysis: Analysis, job_id: str, next_token: str | None, page_size: int) -> dict[str, Any]: ...


class JobsPort(Protocol):
    def put_video(self, video: Video, analyses: tuple[str, ...]) -> None: ...
    def claim(self, record: JobRecord, video: Video, now: str) -> bool: ...
    def mark_started(self, record: JobRecord, job_id: str, now: str) -> None: ...
    def mark_failed(self, record: JobRecord, error_code: str, message: str, now: str) -> None: ...
    def get_job(self, video_id: str, analysis: str) -> JobRecord | None: ...
    def find_by_job_id(self, job_id: str) -> JobRecord | None: ...
    def save_checkpoint(self, record: JobRecord, checkpoint: Checkpoint) -> bool: ...

    def complete(
        self,
        record: JobRecord,
        status: JobStatus,
        now: str,
        *,
        status_message: str = "",
        detection_count: int = 0,
        entity_count: int = 0,
        video_metadata: dict[str, Any] | None = None,
    ) -> bool: ...


class DetectionsPort(Protocol):
    def write(self, items: Sequence[dict[str, Any]]) -> None: ...


class SlotsPort(Protocol):
    """The concurrent-job quota: a job holds a slot from before its Start* until its results are in."""

    def acquire(self, holder: str) -> bool: ...
    def release(self, holder: str) -> None: ...
    def is_full(self) -> bool: ...


class ArchivePort(Protocol):
    def put_page(self, video_id: str, analysis: str, job_id: str, number: int, page: dict[str, Any]) -> None: ...
