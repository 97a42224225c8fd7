"""Rekognition Video completion notifications, validated defensively.

The documented payload is {JobId, Status, API, JobTag?, Timestamp, Video{S3ObjectName, S3Bucket}};
`JobTag` appears only when the Start* call sent one, `API` has been seen both as the operation name
(StartFaceDetection) and as FACE_DETECTION, and some messages carry an extra `Message`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from video_pipeline.logic.envelope import MalformedMessageError, decode_body


class _NotifiedVideo(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    object_name: str = Field(alias="S3ObjectName")
    bucket: str = Field(alias="S3Bucket")


class CompletionNotice(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    job_id: str = Field(alias="JobId", min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9-_]+$")
    status: Literal["SUCCEEDED", "FAILED", "ERROR"] = Field(alias="Status")
    api: str = Field(alias="API", min_length=1)
    job_tag: str | None = Field(default=None, alias="JobTag")
    timestamp: int | None = Field(default=None, alias="Timestamp")
    video: _NotifiedVideo | None = Field(default=None, alias="Video")
    message: str | None = Field(default=None, alias="Message")


def parse_notice(body: str) -> CompletionNotice:
    payload = decode_body(body)
    try:
        return CompletionNotice.model_validate(payload)
    except ValidationError as error:
        fields = ", ".join(".".join(str(part) for part in issue["loc"]) for issue in error.errors())
        raise MalformedMessageError(f"not a Rekognition completion notification (invalid: {fields})") from error
