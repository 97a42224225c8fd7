"""S3 event notifications: validated models and the uploads they announce."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from video_pipeline.analyses import by_name
from video_pipeline.logic.envelope import MalformedMessageError, decode_body
from video_pipeline.models import RemovedObject, UploadedObject


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _S3Object(_Lenient):
    key: str = Field(min_length=1)
    size: int | None = Field(default=None, ge=0)
    etag: str | None = Field(default=None, alias="eTag")
    version_id: str | None = Field(default=None, alias="versionId")
    sequencer: str | None = Field(default=None, pattern=r"^[0-9A-Fa-f]{1,64}$")


class _S3Bucket(_Lenient):
    name: str = Field(min_length=3)


class _S3Entity(_Lenient):
    bucket: _S3Bucket
    object: _S3Object


# The field by which the pipeline's own re-analysis requests extend an ObjectCreated record.
REANALYSIS_FIELD = "rvpReanalysis"


class _Reanalysis(_Lenient):
    run: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    analyses: tuple[str, ...] = Field(min_length=1)

    @field_validator("analyses")
    @classmethod
    def _known(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            by_name(name)
        return names


class S3EventRecord(_Lenient):
    event_name: str = Field(alias="eventName")
    event_time: str = Field(alias="eventTime")
    s3: _S3Entity
    reanalysis: _Reanalysis | None = Field(default=None, alias=REANALYSIS_FIELD)


class S3EventNotification(_Lenient):
    records: list[S3EventRecord] = Field(alias="Records")


def is_test_event(payload: dict[str, Any]) -> bool:
    """S3 sends `s3:TestEvent` once when a notification configuration is created."""
    return payload.get("Event") == "s3:TestEvent"


def parse_s3_event(body: str) -> list[S3EventRecord]:
    """The records of one SQS message body (none for a test event).

    Raises MalformedMessageError when the body is not an S3 event notification.
    """
    payload = decode_body(body)
    if is_test_event(payload):
        return []
    try:
        notification = S3EventNotification.model_validate(payload)
    except ValidationError as error:
        raise MalformedMessageError(f"not an S3 event notification: {error.error_count()} errors") from error
    return notification.records


def uploads_in(body: str) -> list[UploadedObject]:
    """The ObjectCreated uploads announced by one SQS message body (empty for a test event)."""
    return uploads_of(parse_s3_event(body))


def uploads_of(records: list[S3EventRecord]) -> list[UploadedObject]:
    return [_upload(record) for record in records if record.event_name.startswith("ObjectCreated:")]


# Deletions by a request, and by a lifecycle rule (noncurrent versions expiring send no ObjectRemoved).
_REMOVAL_EVENTS = ("ObjectRemoved:", "LifecycleExpiration:")
_DELETE_MARKER_EVENTS = frozenset({"ObjectRemoved:DeleteMarkerCreated", "LifecycleExpiration:DeleteMarkerCreated"})


def removals_of(records: list[S3EventRecord]) -> list[RemovedObject]:
    """The removal events: a version deleted for good, or a delete marker hiding the object."""
    return [
        RemovedObject(
            bucket=record.s3.bucket.name,
            key=unquote_plus(record.s3.object.key),
            version_id=_version(record.s3.object.version_id),
            delete_marker=record.event_name in _DELETE_MARKER_EVENTS,
            sequencer=record.s3.object.sequencer,
        )
        for record in records
        if record.event_name.startswith(_REMOVAL_EVENTS)
    ]


def buckets_of(records: list[S3EventRecord]) -> set[str]:
    return {record.s3.bucket.name for record in records}


def _version(value: str | None) -> str | None:
    # Unversioned buckets report the literal "null" version.
    return value if value not in (None, "", "null") else None


def _upload(record: S3EventRecord) -> UploadedObject:
    obj = record.s3.object
    return UploadedObject(
        bucket=record.s3.bucket.name,
        key=unquote_plus(obj.key),
        size=obj.size,
        etag=obj.etag,
        version_id=_version(obj.version_id),
        event_time=record.event_time,
        sequencer=obj.sequencer,
        rerun=record.reanalysis.run if record.reanalysis else "",
        analyses=record.reanalysis.analyses if record.reanalysis else (),
    )


def object_created_body(upload: UploadedObject) -> str:
    """The S3 ObjectCreated notification S3 would have sent for `upload`: how the backfill and the
    re-analysis send existing objects through the uploads queue, the same way as new uploads."""
    obj: dict[str, Any] = {"key": quote_plus(upload.key)}
    optional = {"size": upload.size, "eTag": upload.etag, "versionId": upload.version_id, "sequencer": upload.sequencer}
    obj.update({name: value for name, value in optional.items() if value is not None})
    record: dict[str, Any] = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventTime": upload.event_time,
        "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": upload.bucket}, "object": obj},
    }
    if upload.rerun:
        record[REANALYSIS_FIELD] = {"run": upload.rerun, "analyses": list(upload.analyses)}
    return json.dumps({"Records": [record]}, separators=(",", ":"))
