"""What the read API returns: the repository's records, shaped for dashboards.

These pydantic models are the response schemas of the generated OpenAPI document, so a field added
here shows up in `docs/openapi.json` (and the contract tests check every response against it).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from video_pipeline.models import JobStatus


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class VideoMetadataView(_View):
    """Rekognition's VideoMetadata of the video, as the first finished analysis reported it."""

    duration_ms: int | None = Field(default=None, description="DurationMillis")
    frame_rate: float | None = None
    width: int | None = Field(default=None, description="FrameWidth in pixels")
    height: int | None = Field(default=None, description="FrameHeight in pixels")
    codec: str | None = None
    format: str | None = None


class JobView(_View):
    analysis: str = Field(description="faces, celebrities or persons")
    status: JobStatus
    started_at: str = Field(description="When the pipeline took the job on (ISO 8601 UTC)")
    completed_at: str | None = None
    job_id: str | None = Field(default=None, description="Rekognition JobId, once Rekognition accepted the job")
    detection_count: int = 0
    entity_count: int = Field(default=0, description="Distinct celebrities or person indexes found")
    error_code: str | None = Field(default=None, description="Why the job never started, e.g. EmptyObject")
    status_message: str | None = Field(default=None, description="Rekognition's StatusMessage of a failed job")


class ProgressView(_View):
    finished: int = Field(description="Analyses in a final state (succeeded, failed or error)")
    total: int = Field(description="Analyses of this video")


class VideoView(_View):
    video_id: str
    bucket: str
    key: str
    uploaded_at: str
    size: int = Field(description="Bytes")
    version_id: str | None = None
    analyses: list[JobView] = Field(description="One entry per analysis, in registry order")
    progress: ProgressView
    metadata: VideoMetadataView | None = None


class VideoPage(_View):
    items: list[VideoView]
    cursor: str | None = Field(default=None, description="Pass as `cursor` to get the next page; absent at the end")


class DetectionView(_View):
    timestamp_ms: int
    video_id: str
    job_id: str
    label: str | None = Field(default=None, description="Celebrity name or person index, when the analysis has one")
    data: dict[str, Any] = Field(description="The element exactly as Rekognition returned it")


class DetectionPage(_View):
    items: list[DetectionView]
    cursor: str | None = None


class StuckJobView(JobView):
    video_id: str


class JobPage(_View):
    items: list[StuckJobView]
    cursor: str | None = None


class ErrorView(_View):
    """The body of every 400 and 404 answer."""

    statusCode: int  # noqa: N815  (Powertools' error body spells it so)
    message: str
