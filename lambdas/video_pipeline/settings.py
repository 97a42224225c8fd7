"""Environment variables, parsed into typed models at cold start.

A wrong deployment fails loudly when the handler module loads, not halfway through a batch.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from video_pipeline.analyses import (
    DEFAULT_ANALYSES,
    DEFAULT_PERSON_ENGINE,
    FACE_SEARCH,
    FACE_SEARCH_COLLECTION_MEMBER,
    Analysis,
    EngineSelection,
    JobSettings,
    PersonEngine,
    by_name,
    parse_analysis_list,
    select_engines,
)
from video_pipeline.analysis_options import check_options_enabled, parse_analysis_options
from video_pipeline.contract import (
    DEFAULT_REFERENCE_FACES_PREFIX,
    DEFAULT_VIDEO_SUFFIXES,
    DailyBudget,
    Env,
    parse_budget,
)

ArnString = Annotated[str, Field(pattern=r"^arn:aws[a-zA-Z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$")]
# StartFaceSearch's and IndexFaces' CollectionId constraint (empty: no collection deployed).
CollectionIdString = Annotated[str, Field(pattern=r"^[a-zA-Z0-9_.\-]{0,255}$")]


class _EnvModel(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Self:
        return cls.model_validate(dict(os.environ if environ is None else environ))


# Rekognition Video's default quota of concurrent stored-video jobs per account and region.
DEFAULT_JOB_QUOTA = 20


def _split_names(value: object) -> object:
    return tuple(name.strip() for name in value.split(",") if name.strip()) if isinstance(value, str) else value


class StarterSettings(_EnvModel):
    jobs_table_name: str = Field(alias=Env.JOBS_TABLE, min_length=3)
    # The buckets whose events this pipeline serves; an event for any other bucket is dropped.
    input_buckets: tuple[str, ...] = Field(alias=Env.INPUT_BUCKETS, min_length=1)
    # The object names the bucket notifies about (the stack's `videoSuffixes`): the same set is admitted.
    video_suffixes: tuple[str, ...] = Field(alias=Env.VIDEO_SUFFIXES, default=DEFAULT_VIDEO_SUFFIXES, min_length=1)
    uploads_queue_url: str = Field(alias=Env.UPLOADS_QUEUE_URL, min_length=1)
    # Deleting a video deletes its results, so the starter reaches them too.
    detections_table_name: str = Field(alias=Env.DETECTIONS_TABLE, min_length=3)
    archive_bucket_name: str = Field(alias=Env.ARCHIVE_BUCKET, min_length=3)
    job_quota: int = Field(alias=Env.JOB_QUOTA, default=DEFAULT_JOB_QUOTA, ge=1, le=10_000)
    topic_arn: ArnString = Field(alias=Env.TOPIC_ARN)
    role_arn: ArnString = Field(alias=Env.ROLE_ARN)
    enabled_analyses: tuple[str, ...] = Field(alias=Env.ENABLED_ANALYSES, default=DEFAULT_ANALYSES)
    face_attributes: Literal["DEFAULT", "ALL"] = Field(alias=Env.FACE_ATTRIBUTES, default="ALL")
    person_tracking_engine: PersonEngine = Field(alias=Env.PERSON_TRACKING_ENGINE, default=DEFAULT_PERSON_ENGINE)
    person_tracking_fallback: bool = Field(alias=Env.PERSON_TRACKING_FALLBACK, default=False)
    # Each enabled analysis' own Start* options, as JSON (empty: the registry's defaults).
    analysis_options: str = Field(alias=Env.ANALYSIS_OPTIONS, default="")
    # The collection face search searches; required when face_search is enabled.
    face_collection_id: CollectionIdString = Field(alias=Env.FACE_COLLECTION_ID, default="")
    # Empty: no limit (the minutes are still counted for the dashboard).
    daily_budget_minutes: str = Field(alias=Env.DAILY_BUDGET_MINUTES, default="")

    @field_validator("daily_budget_minutes")
    @classmethod
    def _check_budget(cls, value: str) -> str:
        parse_budget(value)
        return value

    @property
    def daily_budget(self) -> DailyBudget:
        return parse_budget(self.daily_budget_minutes)

    @field_validator("enabled_analyses", mode="before")
    @classmethod
    def _split_analyses(cls, value: object) -> object:
        return parse_analysis_list(value) if isinstance(value, str) else value

    @field_validator("input_buckets", "video_suffixes", mode="before")
    @classmethod
    def _split_buckets(cls, value: object) -> object:
        return _split_names(value)

    @model_validator(mode="after")
    def _check_options(self) -> Self:
        check_options_enabled(parse_analysis_options(self.analysis_options), self.enabled_analyses)
        if FACE_SEARCH.name in self.enabled_analyses and not self.face_collection_id:
            raise ValueError(f"{FACE_SEARCH.name} is enabled but {Env.FACE_COLLECTION_ID} names no collection")
        return self

    @property
    def job_settings(self) -> JobSettings:
        options = parse_analysis_options(self.analysis_options)
        if FACE_SEARCH.name in self.enabled_analyses:
            # The collection is the deployment's, so it travels with the options (and the job's identity).
            searched = {**options.get(FACE_SEARCH.name, {}), FACE_SEARCH_COLLECTION_MEMBER: self.face_collection_id}
            options = {**options, FACE_SEARCH.name: searched}
        return JobSettings(face_attributes=self.face_attributes, options=options)

    @property
    def engines(self) -> EngineSelection:
        return select_engines(
            self.enabled_analyses, self.person_tracking_engine, fallback=self.person_tracking_fallback
        )


class _TablesSettings(_EnvModel):
    jobs_table_name: str = Field(alias=Env.JOBS_TABLE, min_length=3)
    detections_table_name: str = Field(alias=Env.DETECTIONS_TABLE, min_length=3)


class CollectorSettings(_TablesSettings):
    results_queue_url: str = Field(alias=Env.RESULTS_QUEUE_URL, min_length=1)
    archive_bucket_name: str = Field(alias=Env.ARCHIVE_BUCKET, min_length=3)
    job_quota: int = Field(alias=Env.JOB_QUOTA, default=DEFAULT_JOB_QUOTA, ge=1, le=10_000)
    # Detections expire (DynamoDB TTL) this many days after they are stored; 0 keeps them.
    result_retention_days: int = Field(alias=Env.RESULT_RETENTION_DAYS, default=0, ge=0)


class ReadApiSettings(_TablesSettings):
    """The read API reads both tables; with the uploads queue and the input bucket it also takes backfill
    and re-analysis requests (docs/operations.md)."""

    uploads_queue_url: str = Field(alias=Env.UPLOADS_QUEUE_URL, default="")
    input_buckets: tuple[str, ...] = Field(alias=Env.INPUT_BUCKETS, default=())
    # For the backfill's cost estimate: what the deployment analyses.
    enabled_analyses: tuple[str, ...] = Field(alias=Env.ENABLED_ANALYSES, default=DEFAULT_ANALYSES)
    # The reference-face routes, where the deployment has a face collection (face_search enabled).
    face_collection_id: CollectionIdString = Field(alias=Env.FACE_COLLECTION_ID, default="")
    reference_faces_prefix: str = Field(alias=Env.REFERENCE_FACES_PREFIX, default=DEFAULT_REFERENCE_FACES_PREFIX)
    # Who may call the changing routes; empty (the local dashboard) lets every caller.
    operators_group: str = Field(alias=Env.OPERATORS_GROUP, default="")

    @field_validator("enabled_analyses", mode="before")
    @classmethod
    def _split_analyses(cls, value: object) -> object:
        return parse_analysis_list(value) if isinstance(value, str) else value

    @field_validator("input_buckets", mode="before")
    @classmethod
    def _split_buckets(cls, value: object) -> object:
        return _split_names(value)

    @property
    def engines(self) -> tuple[Analysis, ...]:
        return tuple(by_name(name) for name in self.enabled_analyses)


class ReconcilerSettings(_EnvModel):
    jobs_table_name: str = Field(alias=Env.JOBS_TABLE, min_length=3)
    results_queue_url: str = Field(alias=Env.RESULTS_QUEUE_URL, min_length=1)
    job_quota: int = Field(alias=Env.JOB_QUOTA, default=DEFAULT_JOB_QUOTA, ge=1, le=10_000)
    # How long a job may stay IN_PROGRESS before the reconciler asks Rekognition about it (0: always).
    stale_after_minutes: int = Field(alias=Env.RECONCILE_AFTER_MINUTES, default=20, ge=0, le=7 * 24 * 60)
