"""The jobs table: one META item per video, one JOB item per (video, analysis).

Every state change is a conditional write, so duplicate S3 events and re-delivered notifications
can race freely: the first writer wins and the others see a condition failure they can ignore.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from video_pipeline.analyses import NATIVE_ENGINE
from video_pipeline.dal.entity_runs import from_runs, to_runs
from video_pipeline.dal.errors import is_condition_failure
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.models import Checkpoint, Claim, JobRecord, JobStatus, UploadedObject, Video, revision_of
from video_pipeline.schema import (
    JOB_ID_INDEX,
    JOB_SK_PREFIX,
    META_SK,
    OBJECT_INDEX,
    RECENT_PARTITION,
    STATUS_INDEX,
    job_sk,
    object_ref,
    recent_sk,
    video_pk,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


# The tombstone of a deleted video's items (META and JOB), set when its erasure begins.
ERASED_ATTRIBUTE = "erased_at"
# The finished job a re-analysis replaces, as readers keep seeing it until the new job has succeeded.
PREVIOUS_ATTRIBUTE = "previous"
# The options a shared job's analysis asked for (`JobRecord.asked_options`).
ASKED_OPTIONS_ATTRIBUTE = "asked_options"
# What of a finished job its readers see (`repository._job_summary`), kept when a re-analysis replaces it.
_SHOWN_ATTRIBUTES = (
    "job_id",
    "engine",
    "status",
    "started_at",
    "job_started_at",
    "completed_at",
    "detection_count",
    "entity_count",
    "single_sighting_count",
    "status_message",
    "error_code",
    "video_metadata",
)
# Claims that find the item changed between reading and writing it look again this often.
_CLAIM_ATTEMPTS = 3
# A running job this collector may write for: never over a tombstone (the collector then erases instead).
_STILL_COLLECTABLE = f"job_id = :job_id AND #status = :in_progress AND attribute_not_exists({ERASED_ATTRIBUTE})"


def to_dynamo(value: Any) -> Any:
    """Floats become Decimals, as DynamoDB requires."""
    return json.loads(json.dumps(value), parse_float=Decimal)


class JobsStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def put_video(self, video: Video, analyses: tuple[str, ...]) -> bool:
        """Create the video's META item once; a duplicate upload event leaves it untouched.

        False when the item is a deleted video's tombstone: its upload event came late, start nothing.
        """
        upload = video.upload
        item: dict[str, Any] = {
            "pk": video_pk(video.video_id),
            "sk": META_SK,
            "kind": "video",
            "video_id": video.video_id,
            "bucket": upload.bucket,
            "key": upload.key,
            "size": video.size,
            "uploaded_at": upload.event_time,
            "analyses": list(analyses),
            "object_ref": object_ref(upload.bucket, upload.key),
            "recent_pk": RECENT_PARTITION,
            "recent_sk": recent_sk(upload.event_time, video.video_id, META_SK),
        }
        if upload.version_id:
            item["version_id"] = upload.version_id
        if upload.etag:
            item["etag"] = upload.etag
        if upload.sequencer:
            item["sequencer"] = upload.sequencer
        try:
            self._table.put_item(
                Item=item, ConditionExpression="attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD"
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise
            # The item that failed the condition (ReturnValuesOnConditionCheckFailure): a tombstone or not.
            existing: Any = dict(error.response).get("Item") or {}
            return ERASED_ATTRIBUTE not in existing
        return True

    def stored_upload(self, video_id: str) -> UploadedObject | None:
        """The upload a stored video came from, as its event stated it; None if unknown or deleted."""
        item = self._table.get_item(Key={"pk": video_pk(video_id), "sk": META_SK}, ConsistentRead=True).get("Item")
        if item is None or ERASED_ATTRIBUTE in item:
            return None
        return UploadedObject(
            bucket=str(item["bucket"]),
            key=str(item["key"]),
            size=int(item["size"]),  # type: ignore[arg-type]
            etag=_optional_str(item.get("etag")),
            version_id=_optional_str(item.get("version_id")),
            event_time=str(item["uploaded_at"]),
            sequencer=_optional_str(item.get("sequencer")),
        )

    def recorded_duration(self, video_id: str) -> int | None:
        """The video's duration as read once from the object (see `record_duration`), if it was."""
        item = self._table.get_item(
            Key={"pk": video_pk(video_id), "sk": META_SK}, ConsistentRead=True, ProjectionExpression="duration_ms"
        ).get("Item")
        value = (item or {}).get("duration_ms")
        return int(value) if value is not None else None  # type: ignore[arg-type]

    def record_duration(self, video_id: str, duration_ms: int, *, estimated: bool) -> None:
        """Keep the duration on the video: its minutes are read from the object once, however often it waits.

        `estimated`: the object had no readable movie header, so the duration was guessed from the size.
        """
        try:
            self._table.update_item(
                Key={"pk": video_pk(video_id), "sk": META_SK},
                UpdateExpression="SET duration_ms = if_not_exists(duration_ms, :ms), "
                "duration_estimated = if_not_exists(duration_estimated, :estimated)",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":ms": duration_ms, ":estimated": estimated},
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise

    def claim(self, record: JobRecord, video: Video, now: str) -> Claim:
        """Record a job about to start, unless this exact job is already started or finished.

        A STARTING record with the same token is re-claimed: the previous attempt stopped before
        Rekognition answered, and the Start* call is idempotent on the token. A job with other
        parameters (a re-analysis) replaces a finished one, which stays the `previous` job that readers
        see until the new one has succeeded; it waits while the other one still runs.
        """
        key = {"pk": video_pk(record.video_id), "sk": job_sk(record.analysis)}
        for _ in range(_CLAIM_ATTEMPTS):
            existing = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
            refusal = _refusal(existing, record.token) if existing is not None else None
            if refusal is not None:
                return refusal
            if self._put_over(self._job_item(record, video, now), existing):
                return Claim.CLAIMED
        raise RetryLaterError(f"job {record.analysis} of video {record.video_id} kept changing while being claimed")

    def _put_over(self, item: dict[str, Any], existing: dict[str, Any] | None) -> bool:
        """Write the claimed job only over the item as it was read: a concurrent change makes it look again."""
        if existing is None:
            return self._put_if(item, "attribute_not_exists(pk)")
        previous = _previous_of(existing)
        if previous:
            item[PREVIOUS_ATTRIBUTE] = previous
        # The video keeps its place in the listings, whatever time a re-sent event states.
        for name in ("uploaded_at", "recent_sk"):
            if name in existing:
                item[name] = existing[name]
        return self._put_if(
            item,
            f"#token = :seen AND #status = :status AND attribute_not_exists({ERASED_ATTRIBUTE})",
            names={"#token": "token", "#status": "status"},
            values={":seen": existing["token"], ":status": existing["status"]},
        )

    def forget_previous(self, video_id: str, analysis: str, job_id: str) -> None:
        """The replaced job's results are removed: the record stops naming it."""
        try:
            self._table.update_item(
                Key={"pk": video_pk(video_id), "sk": job_sk(analysis)},
                UpdateExpression=f"REMOVE {PREVIOUS_ATTRIBUTE}",
                ConditionExpression=f"{PREVIOUS_ATTRIBUTE}.job_id = :job_id",
                ExpressionAttributeValues={":job_id": job_id},
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise

    def mark_started(self, record: JobRecord, job_id: str, now: str) -> None:
        self._update_if_starting(
            record,
            "SET #status = :status, job_id = :job_id, engine = :engine, job_started_at = :now, updated_at = :now",
            {":status": JobStatus.IN_PROGRESS.value, ":job_id": job_id, ":engine": record.engine, ":now": now},
        )

    def mark_failed(self, record: JobRecord, error_code: str, message: str, now: str) -> None:
        """A job that cannot run: dashboards show the reason."""
        self._update_if_starting(
            record,
            "SET #status = :status, error_code = :code, status_message = :message, "
            "completed_at = :now, updated_at = :now",
            {":status": JobStatus.FAILED.value, ":code": error_code, ":message": message[:2000], ":now": now},
        )

    def get_job(self, video_id: str, analysis: str) -> JobRecord | None:
        response = self._table.get_item(Key={"pk": video_pk(video_id), "sk": job_sk(analysis)}, ConsistentRead=True)
        item = response.get("Item")
        return _job_record(item) if item else None

    def find_by_job_id(self, job_id: str) -> JobRecord | None:
        response = self._table.query(IndexName=JOB_ID_INDEX.name, KeyConditionExpression=Key("job_id").eq(job_id))
        items = response.get("Items", [])
        return _job_record(items[0]) if items else None

    def jobs_in_status(self, status: JobStatus) -> Iterator[JobRecord]:
        """Every job in `status` (the by-status index is eventually consistent), oldest first."""
        query: dict[str, Any] = {
            "IndexName": STATUS_INDEX.name,
            "KeyConditionExpression": Key(STATUS_INDEX.partition_key).eq(status.value),
        }
        while True:
            response = self._table.query(**query)
            for item in response.get("Items", []):
                yield _job_record(item)
            if "LastEvaluatedKey" not in response:
                return
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def videos_of_object(self, bucket: str, key: str) -> list[StoredVideo]:
        """Every stored video (one per uploaded revision) of an S3 object."""
        query: dict[str, Any] = {
            "IndexName": OBJECT_INDEX.name,
            "KeyConditionExpression": Key(OBJECT_INDEX.partition_key).eq(object_ref(bucket, key)),
        }
        videos: list[StoredVideo] = []
        while True:
            response = self._table.query(**query)
            videos.extend(
                StoredVideo(
                    str(item["video_id"]),
                    _optional_str(item.get("version_id")),
                    _optional_str(item.get("etag")),
                    _optional_str(item.get("sequencer")),
                )
                for item in response["Items"]
            )
            if "LastEvaluatedKey" not in response:
                return videos
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def jobs_of_video(self, video_id: str) -> list[JobRecord]:
        response = self._table.query(
            KeyConditionExpression=Key("pk").eq(video_pk(video_id)) & Key("sk").begins_with(JOB_SK_PREFIX),
            ConsistentRead=True,
        )
        return [_job_record(item) for item in response.get("Items", [])]

    def mark_erased(self, video_id: str, analyses: list[str], now: str) -> None:
        """The tombstone: the video leaves every listing, and each job says its results must not stay.

        A collector writing this job's results checks the mark after every page and before its final
        state, so erasure wins however the two interleave (docs/reliability.md).
        """
        for sk in (META_SK, *(job_sk(analysis) for analysis in analyses)):
            try:
                self._table.update_item(
                    Key={"pk": video_pk(video_id), "sk": sk},
                    UpdateExpression=f"SET {ERASED_ATTRIBUTE} = if_not_exists({ERASED_ATTRIBUTE}, :now) "
                    "REMOVE recent_pk, recent_sk",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={":now": now},
                )
            except ClientError as error:
                if not is_condition_failure(error):
                    raise

    def is_erased(self, video_id: str, analysis: str) -> bool:
        """True when the job's video was deleted (or its record is gone): its results must not stay."""
        response = self._table.get_item(
            Key={"pk": video_pk(video_id), "sk": job_sk(analysis)},
            ConsistentRead=True,
            ProjectionExpression=ERASED_ATTRIBUTE,
        )
        item = response.get("Item")
        return item is None or ERASED_ATTRIBUTE in item

    def delete_job(self, video_id: str, analysis: str) -> None:
        self._table.delete_item(Key={"pk": video_pk(video_id), "sk": job_sk(analysis)})

    def adopt(self, record: JobRecord, job_id: str, now: str) -> bool:
        """Record the JobId Rekognition gave a job whose starter stopped before recording it."""
        try:
            self._table.update_item(
                Key={"pk": video_pk(record.video_id), "sk": job_sk(record.analysis)},
                UpdateExpression="SET #status = :running, job_id = :job_id, job_started_at = :now, updated_at = :now",
                ConditionExpression="#token = :token AND #status = :starting AND attribute_not_exists(job_id)",
                ExpressionAttributeNames={"#status": "status", "#token": "token"},
                ExpressionAttributeValues={
                    ":running": JobStatus.IN_PROGRESS.value,
                    ":job_id": job_id,
                    ":now": now,
                    ":token": record.token,
                    ":starting": JobStatus.STARTING.value,
                },
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def touch(self, record: JobRecord, now: str) -> bool:
        """Note that the job is being worked on (its collection started); False if it is no longer running."""
        return self._update_collectable(record, "SET updated_at = :now", {":now": now})

    def complete(
        self,
        record: JobRecord,
        status: JobStatus,
        now: str,
        *,
        status_message: str = "",
        detection_count: int = 0,
        entity_count: int = 0,
        single_sighting_count: int = 0,
        video_metadata: dict[str, Any] | None = None,
    ) -> bool:
        """Write the job's final state once. False if another delivery already finished it."""
        values: dict[str, Any] = {
            ":status": status.value,
            ":now": now,
            ":count": detection_count,
            ":entities": entity_count,
            ":message": status_message[:2000],
        }
        expression = (
            "SET #status = :status, completed_at = :now, updated_at = :now, detection_count = :count, "
            "entity_count = :entities, status_message = :message"
        )
        if single_sighting_count:
            expression += ", single_sighting_count = :single"
            values[":single"] = single_sighting_count
        if video_metadata:
            expression += ", video_metadata = :metadata"
            values[":metadata"] = to_dynamo(video_metadata)
        expression += " REMOVE #checkpoint"
        return self._update_collectable(record, expression, values, names={"#checkpoint": "checkpoint"})

    def save_checkpoint(self, record: JobRecord, checkpoint: Checkpoint) -> bool:
        """Remember how far collection got; False if the job is no longer in progress."""
        runs, others = to_runs(checkpoint.entities)
        value: dict[str, Any] = {
            "next_token": checkpoint.next_token,
            "detections": checkpoint.detections,
            "pages": checkpoint.pages,
            "entities": others,
            "entity_runs": [list(run) for run in runs],
            "saved_at": checkpoint.saved_at,
        }
        if checkpoint.video_metadata:
            value["video_metadata"] = to_dynamo(checkpoint.video_metadata)
        if checkpoint.stream_state:
            value["stream_state"] = to_dynamo(checkpoint.stream_state)
        if checkpoint.packing_state:
            value["packing_state"] = to_dynamo(checkpoint.packing_state)
        return self._update_collectable(
            record,
            "SET #checkpoint = :checkpoint, updated_at = :now",
            {":checkpoint": value, ":now": checkpoint.saved_at},
            names={"#checkpoint": "checkpoint"},
        )

    def _update_collectable(
        self, record: JobRecord, expression: str, values: dict[str, Any], *, names: dict[str, str] | None = None
    ) -> bool:
        """An update of a running job that no tombstone marks; False when the job is no longer that."""
        try:
            self._table.update_item(
                Key={"pk": video_pk(record.video_id), "sk": job_sk(record.analysis)},
                UpdateExpression=expression,
                ConditionExpression=_STILL_COLLECTABLE,
                ExpressionAttributeNames={"#status": "status", **(names or {})},
                ExpressionAttributeValues={
                    **values,
                    ":job_id": record.job_id,
                    ":in_progress": JobStatus.IN_PROGRESS.value,
                },
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def _job_item(self, record: JobRecord, video: Video, now: str) -> dict[str, Any]:
        sk = job_sk(record.analysis)
        item: dict[str, Any] = {
            "pk": video_pk(record.video_id),
            "sk": sk,
            "kind": "job",
            "video_id": record.video_id,
            "analysis": record.analysis,
            "engine": record.engine,
            "status": record.status.value,
            "token": record.token,
            "tag": record.tag,
            "bucket": record.bucket,
            "key": record.key,
            "uploaded_at": record.uploaded_at,
            "started_at": now,
            "updated_at": now,
            "recent_pk": RECENT_PARTITION,
            "recent_sk": recent_sk(record.uploaded_at, record.video_id, sk),
        }
        if video.upload.version_id:
            item["version_id"] = video.upload.version_id
        if record.asked_options is not None:
            item[ASKED_OPTIONS_ATTRIBUTE] = to_dynamo(record.asked_options)
        return item

    def _put_if(
        self,
        item: dict[str, Any],
        condition: str,
        *,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> bool:
        arguments: dict[str, Any] = {"Item": item, "ConditionExpression": condition}
        if names:
            arguments["ExpressionAttributeNames"] = names
        if values:
            arguments["ExpressionAttributeValues"] = values
        try:
            self._table.put_item(**arguments)
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def _update_if_starting(self, record: JobRecord, expression: str, values: dict[str, Any]) -> None:
        """Leave a job alone if a concurrent delivery already moved it past STARTING."""
        try:
            self._table.update_item(
                Key={"pk": video_pk(record.video_id), "sk": job_sk(record.analysis)},
                UpdateExpression=expression,
                ConditionExpression="#token = :token AND #status = :starting",
                ExpressionAttributeNames={"#status": "status", "#token": "token"},
                ExpressionAttributeValues={
                    **values,
                    ":token": record.token,
                    ":starting": JobStatus.STARTING.value,
                },
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise


@dataclass(frozen=True, slots=True)
class StoredVideo:
    video_id: str
    version_id: str | None
    etag: str | None = None
    sequencer: str | None = None

    @property
    def revision(self) -> str:
        return revision_of(self.version_id, self.etag)


def _job_record(item: dict[str, Any]) -> JobRecord:
    return JobRecord(
        video_id=str(item["video_id"]),
        analysis=str(item["analysis"]),
        status=JobStatus(str(item["status"])),
        token=str(item["token"]),
        tag=str(item["tag"]),
        bucket=str(item["bucket"]),
        key=str(item["key"]),
        uploaded_at=str(item["uploaded_at"]),
        job_id=str(item["job_id"]) if item.get("job_id") else None,
        started_at=_optional_str(item.get("started_at")),
        updated_at=_optional_str(item.get("updated_at")),
        checkpoint=_checkpoint(item.get("checkpoint")),
        engine=str(item.get("engine", NATIVE_ENGINE)),
        erased=ERASED_ATTRIBUTE in item,
        previous_job_id=_optional_str((item.get(PREVIOUS_ATTRIBUTE) or {}).get("job_id")),
        asked_options=_plain(item[ASKED_OPTIONS_ATTRIBUTE]) if ASKED_OPTIONS_ATTRIBUTE in item else None,
        detection_count=int(item["detection_count"]) if "detection_count" in item else None,
    )


def _refusal(existing: dict[str, Any], token: str) -> Claim | None:
    """Why a job with `token` may not be claimed over the existing record; None when it may."""
    # Never over a tombstone: an upload of a deleted video, delivered late, starts nothing.
    if ERASED_ATTRIBUTE in existing:
        return Claim.DUPLICATE
    same = existing["token"] == token
    if same and existing["status"] != JobStatus.STARTING.value:
        return Claim.DUPLICATE
    if not same and existing["status"] == JobStatus.IN_PROGRESS.value:
        return Claim.BUSY
    return None


def _previous_of(existing: dict[str, Any]) -> dict[str, Any] | None:
    """The job readers keep seeing while a replacement runs: the existing job if it succeeded, else the
    one it was itself replacing (a failed re-analysis leaves the last good results in place)."""
    if existing.get("status") == JobStatus.SUCCEEDED.value and existing.get("job_id"):
        return {name: existing[name] for name in _SHOWN_ATTRIBUTES if name in existing}
    previous = existing.get(PREVIOUS_ATTRIBUTE)
    return previous if isinstance(previous, dict) else None


def _optional_str(value: Any) -> str | None:
    return str(value) if value else None


def _checkpoint(value: Any) -> Checkpoint | None:
    if not isinstance(value, dict) or not value.get("next_token"):
        return None
    metadata, stream_state, packing_state = (
        value.get(name) for name in ("video_metadata", "stream_state", "packing_state")
    )
    return Checkpoint(
        next_token=str(value["next_token"]),
        detections=int(value.get("detections", 0)),
        pages=int(value.get("pages", 0)),
        entities=tuple(sorted(from_runs(value.get("entity_runs", []), value.get("entities", [])))),
        saved_at=str(value.get("saved_at", "")),
        video_metadata=_plain(metadata) if metadata else None,
        stream_state=_plain(stream_state) if stream_state else None,
        packing_state=_plain(packing_state) if packing_state else None,
    )


def _plain(value: Any) -> Any:
    """DynamoDB's Decimals back to the ints and floats they were written from."""
    return json.loads(json.dumps(value, default=_plain_number))


def _plain_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")
