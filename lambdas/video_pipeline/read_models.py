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
    single_sighting_count: int = Field(
        default=0,
        description="Person indexes seen at one reported instant only (stored with SingleSighting: true)",
    )
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


class ContentTypeErrorView(_View):
    """The body of a 415 answer: a request body that is not JSON (Powertools' own answer)."""

    statusCode: int  # noqa: N815  (Powertools' error body spells it so)
    detail: list[dict[str, Any]]


class ReanalysisRequest(_View):
    """Re-run chosen analyses of chosen videos (docs/operations.md)."""

    video_ids: list[str] = Field(min_length=1, max_length=100, description="Videos to re-analyse (32 hex digits)")
    analyses: list[str] = Field(min_length=1, max_length=3, description="faces, celebrities or persons")
    run: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9._-]{1,64}$",
        description="The run's name: sending a run again starts nothing new (default: the time)",
    )


class ReanalysisView(_View):
    run: str
    queued: list[str] = Field(description="The videos whose re-analysis was queued")


class BackfillRequest(_View):
    """One bounded step of a backfill of the input bucket: call again with the returned cursor."""

    prefix: str = Field(default="", max_length=1024, description="Only keys that begin with this")
    since: str | None = Field(default=None, description="Only objects last modified at or after (ISO 8601)")
    until: str | None = Field(default=None, description="Only objects last modified before (ISO 8601)")
    suffixes: list[str] | None = Field(
        default=None, max_length=20, description="Video suffixes (default: .mp4 .mov .m4v)"
    )
    dry_run: bool = Field(default=False, description="Send nothing: count what would start and estimate its cost")
    cursor: str | None = Field(default=None, max_length=1024, description="The `cursor` of the previous step")
    limit: int = Field(default=1000, ge=1, le=1000, description="Objects listed in this step at most")


class BackfillView(_View):
    listed: int
    chosen: int
    known: int = Field(description="Already analysed (or queued) before: not sent again")
    sent: int = Field(description="Sent to the uploads queue, or in a dry run: would be")
    minutes: float = Field(description="Dry run: the video minutes of what would start")
    estimated_cost_usd: float = Field(description="Dry run: what Rekognition would charge at list price")
    cursor: str | None = Field(default=None, description="Pass as `cursor` to go on; absent when the listing ended")


class ReferenceFaceView(_View):
    """A face of the stack's collection that face search looks for."""

    name: str = Field(description="Its ExternalImageId (the picture's name), else its FaceId: what matches are under")
    face_id: str
    image_id: str | None = None
    confidence: float | None = None


class ReferenceFacePage(_View):
    items: list[ReferenceFaceView]


class FaceIndexingRequest(_View):
    """One bounded step of indexing the reference pictures under a prefix: call again with the cursor."""

    prefix: str = Field(min_length=1, max_length=1024, description="Within the deployment's reference prefix")
    cursor: str | None = Field(default=None, max_length=1024, description="The `cursor` of the previous step")
    limit: int = Field(default=50, ge=1, le=200, description="Objects listed in this step at most")


class IndexedPictureView(_View):
    key: str
    outcome: str = Field(description="indexed, already_indexed, no_face or not_an_image")
    name: str | None = Field(default=None, description="The ExternalImageId the face is (or would be) indexed under")
    face_id: str | None = None
    reasons: list[str] = Field(default_factory=list, description="Why no face was indexed (UnindexedFaces reasons)")


class FaceIndexingView(_View):
    pictures: list[IndexedPictureView]
    cursor: str | None = Field(default=None, description="Pass as `cursor` to go on; absent when the prefix is done")


class FaceRemovalView(_View):
    removed: list[str] = Field(description="The FaceIds removed; matches already stored are kept")


class MediaLinkView(_View):
    url: str = Field(description="Where a browser can load the video (the version analysed): a presigned S3 URL")
    expires_in_seconds: int = Field(description="How long the URL works from now")
