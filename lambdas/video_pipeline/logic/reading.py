"""The read API's logic: repository records -> dashboard views, and what counts as a bad request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from video_pipeline.analyses import REGISTRY
from video_pipeline.models import JobStatus
from video_pipeline.read_models import (
    DetectionPage,
    DetectionView,
    JobPage,
    JobView,
    ProgressView,
    StuckJobView,
    VideoMetadataView,
    VideoPage,
    VideoView,
)

if TYPE_CHECKING:
    # Plain records the repository returns; the logic only reads them.
    from video_pipeline.models import Detection, JobSummary, Page, VideoSummary


class UnknownResourceError(Exception):
    """The request names something that does not exist."""


class InvalidRequestError(Exception):
    """The request is well-formed but asks for something impossible."""


class ReadRepositoryPort(Protocol):
    def recent_videos(self, limit: int = ..., cursor: str | None = ...) -> Page[VideoSummary]: ...
    def video(self, video_id: str) -> VideoSummary | None: ...
    def job(self, video_id: str, analysis: str) -> JobSummary | None: ...

    def detections(
        self,
        video_id: str,
        analysis: str,
        *,
        start_ms: int = ...,
        end_ms: int = ...,
        limit: int = ...,
        cursor: str | None = ...,
    ) -> Page[Detection]: ...

    def celebrity_appearances(
        self, celebrity_id: str, *, newest_first: bool = ..., limit: int = ..., cursor: str | None = ...
    ) -> Page[Detection]: ...

    def person_track(
        self, video_id: str, person_index: int, *, limit: int = ..., cursor: str | None = ...
    ) -> Page[Detection]: ...

    def jobs_in_status(
        self,
        status: JobStatus,
        older_than: timedelta,
        *,
        now: datetime | None = ...,
        limit: int = ...,
        cursor: str | None = ...,
    ) -> Page[JobSummary]: ...


def job_view(job: JobSummary) -> JobView:
    return JobView(
        analysis=job.analysis,
        status=job.status,
        started_at=job.started_at,
        completed_at=job.completed_at,
        job_id=job.job_id,
        detection_count=job.detection_count,
        entity_count=job.entity_count,
        single_sighting_count=job.single_sighting_count,
        error_code=job.error_code,
        status_message=job.status_message,
    )


def _metadata(jobs: Iterable[JobSummary]) -> VideoMetadataView | None:
    found: dict[str, Any] | None = next((job.video_metadata for job in jobs if job.video_metadata), None)
    if found is None:
        return None
    return VideoMetadataView(
        duration_ms=found.get("DurationMillis"),
        frame_rate=found.get("FrameRate"),
        width=found.get("FrameWidth"),
        height=found.get("FrameHeight"),
        codec=found.get("Codec"),
        format=found.get("Format"),
    )


def _registry_order(name: str) -> tuple[int, str]:
    names = list(REGISTRY)
    return (names.index(name) if name in names else len(names), name)


def video_view(video: VideoSummary) -> VideoView:
    jobs = [video.jobs[name] for name in sorted(video.jobs, key=_registry_order)]
    return VideoView(
        video_id=video.video_id,
        bucket=video.bucket,
        key=video.key,
        uploaded_at=video.uploaded_at,
        size=video.size,
        version_id=video.version_id,
        analyses=[job_view(job) for job in jobs],
        progress=ProgressView(finished=sum(1 for job in jobs if job.status.is_final), total=len(jobs)),
        metadata=_metadata(jobs),
    )


def detection_view(detection: Detection) -> DetectionView:
    return DetectionView(
        timestamp_ms=detection.timestamp_ms,
        video_id=detection.video_id,
        job_id=detection.job_id,
        label=detection.label,
        data=detection.data,
    )


def _detection_page(page: Page[Detection]) -> DetectionPage:
    return DetectionPage(items=[detection_view(item) for item in page.items], cursor=page.cursor)


class ResultsReader:
    """Answers the dashboard's questions (access patterns 1-6) in API terms."""

    def __init__(self, repository: ReadRepositoryPort, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self._repository = repository
        self._now = now

    def videos(self, *, limit: int, cursor: str | None) -> VideoPage:
        page = self._repository.recent_videos(limit=limit, cursor=cursor)
        return VideoPage(items=[video_view(video) for video in page.items], cursor=page.cursor)

    def video(self, video_id: str) -> VideoView:
        video = self._repository.video(video_id)
        if video is None:
            raise UnknownResourceError(f"no video {video_id}")
        return video_view(video)

    def detections(
        self, video_id: str, analysis: str, *, start_ms: int, end_ms: int, limit: int, cursor: str | None
    ) -> DetectionPage:
        if end_ms < start_ms:
            raise InvalidRequestError(f"end_ms ({end_ms}) is before start_ms ({start_ms})")
        self._require_job(video_id, analysis)
        page = self._repository.detections(
            video_id, analysis, start_ms=start_ms, end_ms=end_ms, limit=limit, cursor=cursor
        )
        return _detection_page(page)

    def person_track(self, video_id: str, person_index: int, *, limit: int, cursor: str | None) -> DetectionPage:
        self._require_job(video_id, "persons")
        return _detection_page(self._repository.person_track(video_id, person_index, limit=limit, cursor=cursor))

    def celebrity_appearances(self, celebrity_id: str, *, limit: int, cursor: str | None) -> DetectionPage:
        """Newest videos first; an unknown celebrity simply has no appearances."""
        return _detection_page(self._repository.celebrity_appearances(celebrity_id, limit=limit, cursor=cursor))

    def stuck_jobs(self, status: JobStatus, *, older_than_minutes: int, limit: int, cursor: str | None) -> JobPage:
        page = self._repository.jobs_in_status(
            status, timedelta(minutes=older_than_minutes), now=self._now(), limit=limit, cursor=cursor
        )
        items = [StuckJobView(video_id=job.video_id, **job_view(job).model_dump()) for job in page.items]
        return JobPage(items=items, cursor=page.cursor)

    def _require_job(self, video_id: str, analysis: str) -> None:
        if self._repository.job(video_id, analysis) is None:
            if self._repository.video(video_id) is None:
                raise UnknownResourceError(f"no video {video_id}")
            raise UnknownResourceError(f"video {video_id} has no {analysis} analysis")
