"""Read API over the pipeline's tables: the six access patterns dashboards use.

1. recent videos, newest first, with each analysis' status      -> `recent_videos`
2. one video: metadata, jobs, counts, errors                      -> `video`
3. one analysis' detections of a video in a time window, in order -> `detections`
4. every appearance of one celebrity across videos                -> `celebrity_appearances`
5. the track of one person index within a video                   -> `person_track`
6. jobs in a given status older than a given age                  -> `jobs_in_status`

Every list is paginated with an opaque cursor. Detections are stored packed by time window and
indexed by appearance (docs/data-model.md); patterns 3-5 answer exactly as the one-item-per-
detection layout did (tests/integration/test_read_answers.py), page for page.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING, Any, TypeVar

from boto3.dynamodb.conditions import ConditionBase, Key
from botocore.exceptions import ClientError

from video_pipeline.analyses import CELEBRITIES, NATIVE_ENGINE, PERSONS, EntityRule, EntityScope, by_name
from video_pipeline.dal.detection_reads import (
    Located,
    carried_detections,
    entity_detections,
    job_detections,
    labeller,
    query_items,
)
from video_pipeline.dal.jobs_store import ERASED_ATTRIBUTE, PREVIOUS_ATTRIBUTE
from video_pipeline.logic.clock import format_instant
from video_pipeline.models import Detection, JobStatus, JobSummary, Page, VideoSummary
from video_pipeline.schema import (
    APPEARANCE_SK_PREFIX,
    DETECTIONS_TABLE,
    ENTITY_INDEX,
    JOBS_TABLE,
    MAX_TIMESTAMP_MS,
    META_SK,
    PARTITION_KEY,
    RECENT_INDEX,
    RECENT_PARTITION,
    SORT_KEY,
    STATUS_INDEX,
    account_entity,
    detections_entity,
    job_entity,
    job_sk,
    video_pk,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_dynamodb.type_defs import QueryOutputTableTypeDef

_INDEXES = {index.name: index for index in (*JOBS_TABLE.indexes, *DETECTIONS_TABLE.indexes)}
T = TypeVar("T")
# The read-side records live with the domain models; importing them here keeps `dal.repository`
# a complete entry point for readers.
__all__ = ["Detection", "InvalidCursorError", "JobSummary", "Page", "PipelineRepository", "VideoSummary"]


class InvalidCursorError(ValueError):
    """A cursor that this repository did not hand out, or one handed out for another list."""

    def __init__(self) -> None:
        super().__init__("invalid cursor: pass back the cursor of the previous page unchanged")


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; give callers ints and floats."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(_plain(key), sort_keys=True).encode()).decode()


def _decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as error:
        raise InvalidCursorError from error
    if not isinstance(value, dict) or not value:
        raise InvalidCursorError
    return value


def _job_summary(item: dict[str, Any]) -> JobSummary:
    item = _plain(item)
    previous = item.get(PREVIOUS_ATTRIBUTE)
    if previous and item["status"] != JobStatus.SUCCEEDED.value:
        # A re-analysis is under way (or failed): readers keep seeing the job it replaces, whole, until
        # the new one has succeeded; then they see the new one, whole. Never a mix, never a gap.
        item = {"video_id": item["video_id"], "analysis": item["analysis"], **previous}
    return JobSummary(
        video_id=item["video_id"],
        analysis=item["analysis"],
        status=JobStatus(item["status"]),
        started_at=item["started_at"],
        job_id=item.get("job_id"),
        engine=item.get("engine", NATIVE_ENGINE),
        completed_at=item.get("completed_at"),
        detection_count=item.get("detection_count", 0),
        entity_count=item.get("entity_count", 0),
        single_sighting_count=item.get("single_sighting_count", 0),
        error_code=item.get("error_code"),
        status_message=item.get("status_message"),
        video_metadata=item.get("video_metadata"),
    )


def _video_summary(meta: dict[str, Any], jobs: list[dict[str, Any]]) -> VideoSummary:
    meta = _plain(meta)
    summaries = [_job_summary(job) for job in jobs]
    return VideoSummary(
        video_id=meta["video_id"],
        bucket=meta["bucket"],
        key=meta["key"],
        uploaded_at=meta["uploaded_at"],
        size=meta["size"],
        version_id=meta.get("version_id"),
        jobs={job.analysis: job for job in summaries},
    )


def _position_cursor(cursor: str | None, *names: str) -> dict[str, Any] | None:
    """A detection list's cursor: where its previous page ended (`ts`, `ord`, and the appearance's `sort`)."""
    value = _decode_cursor(cursor)
    if value is None:
        return None
    if set(value) != {"ts", "ord", *names} or not all(isinstance(value[n], int) for n in ("ts", "ord")):
        raise InvalidCursorError
    if any(not isinstance(value[name], str) for name in names):
        raise InvalidCursorError
    return value


def _first(found: Iterable[tuple[Located, dict[str, Any]]], limit: int) -> Page[Detection]:
    """Up to `limit` detections, each with the cursor that resumes after it; a full page carries a
    cursor, as DynamoDB's Limit gave one."""
    page: list[Detection] = []
    for located, resume in found:
        page.append(located.detection)
        if len(page) == limit:
            return Page(page, _encode_cursor(resume))
    return Page(page, None)


class PipelineRepository:
    def __init__(self, jobs_table: Table, detections_table: Table) -> None:
        self._jobs = jobs_table
        self._detections = detections_table

    # 1
    def recent_videos(self, limit: int = 20, cursor: str | None = None) -> Page[VideoSummary]:
        """Newest uploads first. META and JOB items share the `recent` index, one video's items adjacent."""
        videos: list[VideoSummary] = []
        group: list[dict[str, Any]] = []
        last_key: dict[str, Any] | None = None
        query = {
            "IndexName": RECENT_INDEX.name,
            "KeyConditionExpression": Key(RECENT_INDEX.partition_key).eq(RECENT_PARTITION),
            "ScanIndexForward": False,
        }
        for item in self._items(self._jobs, query, _decode_cursor(cursor)):
            if group and item["video_id"] != group[0]["video_id"]:
                videos.append(self._summarize(group))
                last_key = _index_key(group[-1])
                group = []
                if len(videos) == limit:
                    return Page(videos, _encode_cursor(last_key))
            group.append(item)
        if group:
            videos.append(self._summarize(group))
        return Page(videos, None)

    # 2
    def video(self, video_id: str) -> VideoSummary | None:
        items = list(self._items(self._jobs, {"KeyConditionExpression": Key("pk").eq(video_pk(video_id))}, None))
        # A deleted video is gone from the moment its erasure begins (its tombstone), not when it ends.
        listed = any(item["sk"] == META_SK and ERASED_ATTRIBUTE not in item for item in items)
        return self._summarize(items) if listed else None

    def job(self, video_id: str, analysis: str) -> JobSummary | None:
        item = self._jobs.get_item(Key={"pk": video_pk(video_id), "sk": job_sk(analysis)}).get("Item")
        return _job_summary(item) if item and ERASED_ATTRIBUTE not in item else None

    # 3
    def detections(
        self,
        video_id: str,
        analysis: str,
        *,
        start_ms: int = 0,
        end_ms: int = MAX_TIMESTAMP_MS,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page[Detection]:
        rule = by_name(analysis).entity
        job_id = self._job_id(video_id, by_name(analysis).name)
        after = _position_cursor(cursor)
        if job_id is None:
            return Page([])
        resume = max(start_ms, after["ts"]) if after else start_ms
        found = job_detections(self._detections, job_id, labeller(rule), start_ms=resume, end_ms=end_ms)
        if after:
            found = (item for item in found if item.position > (after["ts"], after["ord"]))
        return _first(((item, {"ts": item.timestamp, "ord": item.ordinal}) for item in found), limit)

    # 4
    def celebrity_appearances(
        self, celebrity_id: str, *, newest_first: bool = True, limit: int = 100, cursor: str | None = None
    ) -> Page[Detection]:
        return self.appearances(CELEBRITIES.name, celebrity_id, newest_first=newest_first, limit=limit, cursor=cursor)

    def appearances(
        self, analysis: str, identity: str, *, newest_first: bool = True, limit: int = 100, cursor: str | None = None
    ) -> Page[Detection]:
        """Every appearance of an identity that holds across videos (a celebrity, a label, a moderation
        category), each appearance's detections, newest video first."""
        rule = by_name(analysis).entity
        if rule is None or rule.scope is not EntityScope.ACCOUNT:
            raise ValueError(f"{analysis} has no identities that hold across videos")
        entity = account_entity(rule.prefix, identity)
        page = self._appearances(entity, rule, identity, descending=newest_first, limit=limit, cursor=cursor)
        return self._shown_only(page, analysis)

    # 5
    def person_track(
        self, video_id: str, person_index: int, *, limit: int = 1000, cursor: str | None = None
    ) -> Page[Detection]:
        rule = PERSONS.entity
        assert rule is not None
        job_id = self._job_id(video_id, PERSONS.name)
        _position_cursor(cursor, "sort")
        if job_id is None:
            return Page([])
        entity = job_entity(rule.prefix, job_id, str(person_index))
        return self._appearances(entity, rule, str(person_index), descending=False, limit=limit, cursor=cursor)

    # 6
    def jobs_in_status(
        self,
        status: JobStatus,
        older_than: timedelta,
        *,
        now: datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page[JobSummary]:
        """Oldest first: jobs that entered the pipeline before `now - older_than` and are still in `status`."""
        cutoff = format_instant((now or datetime.now(UTC)) - older_than)
        condition = Key(STATUS_INDEX.partition_key).eq(status.value) & Key(STATUS_INDEX.sort_key).lt(cutoff)
        query = {"IndexName": STATUS_INDEX.name, "KeyConditionExpression": condition}
        items, next_cursor = self._limited(self._jobs, query, limit, cursor)
        return Page([_job_summary(item) for item in items], next_cursor)

    def _shown_only(self, page: Page[Detection], analysis: str) -> Page[Detection]:
        """Only the detections of the job each video shows: while a re-analysis writes its results, the
        index across videos holds both jobs' for a while (and a deleted video's until they are erased)."""
        shown: dict[str, str | None] = {}
        for detection in page.items:
            if detection.video_id not in shown:
                shown[detection.video_id] = self._job_id(detection.video_id, analysis)
        return Page([item for item in page.items if item.job_id == shown[item.video_id]], page.cursor)

    def _job_id(self, video_id: str, analysis: str) -> str | None:
        summary = self.job(video_id, analysis)
        return summary.job_id if summary else None

    def _summarize(self, items: list[dict[str, Any]]) -> VideoSummary:
        meta = next(item for item in items if item["sk"] == META_SK)
        return _video_summary(meta, [item for item in items if item["sk"] != META_SK])

    def _appearances(
        self, entity: str, rule: EntityRule, identity: str, *, descending: bool, limit: int, cursor: str | None
    ) -> Page[Detection]:
        """The detections of an entity's appearances (by-entity index), in the index's order: from the
        identity's own packed items when its rule is `carried`, else from its appearances' windows."""
        after = _position_cursor(cursor, "sort")

        def query(partition: str) -> dict[str, Any]:
            condition: ConditionBase = Key(ENTITY_INDEX.partition_key).eq(partition)
            if after:
                # The item the previous page ended in, and those after it.
                sort_key = Key(ENTITY_INDEX.sort_key)
                condition &= sort_key.lte(after["sort"]) if descending else sort_key.gte(after["sort"])
            return {
                "IndexName": ENTITY_INDEX.name,
                "KeyConditionExpression": condition,
                "ScanIndexForward": not descending,
            }

        found: Iterator[tuple[Mapping[str, Any], Located]] | None = None
        if rule.carried:
            carried = query_items(self._detections, query(detections_entity(entity)))
            first = next(carried, None)
            if first is not None:
                found = carried_detections(chain([first], carried), rule, descending=descending)
        if found is None:
            # Items of the per-detection layout also carry `entity`, until `make rebuild` migrates them;
            # and a carried rule's job stored before it was carried has only appearances and windows.
            appearances = (
                item
                for item in query_items(self._detections, query(entity))
                if str(item[SORT_KEY]).startswith(APPEARANCE_SK_PREFIX)
            )
            found = entity_detections(self._detections, appearances, rule, identity, descending=descending)

        def detections() -> Iterator[tuple[Located, dict[str, Any]]]:
            for item, located in found:
                sort = str(item[ENTITY_INDEX.sort_key])
                if after and sort == after["sort"]:
                    done = (after["ts"], after["ord"])
                    if (located.position <= done) if not descending else (located.position >= done):
                        continue
                yield located, {"sort": sort, "ts": located.timestamp, "ord": located.ordinal}

        return _first(detections(), limit)

    def _limited(
        self, table: Table, query: dict[str, Any], limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        response = _query(table, {**query, "Limit": limit}, _decode_cursor(cursor))
        return list(response.get("Items", [])), _encode_cursor(response.get("LastEvaluatedKey"))

    @staticmethod
    def _items(table: Table, query: dict[str, Any], start: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
        while True:
            response = _query(table, query, start)
            yield from response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if not start:
                return


def _query(table: Table, query: dict[str, Any], start: dict[str, Any] | None) -> QueryOutputTableTypeDef:
    if not start:
        return table.query(**query)
    if set(start) != _key_attributes(query.get("IndexName")) or not all(isinstance(v, str) for v in start.values()):
        raise InvalidCursorError
    try:
        return table.query(**query, ExclusiveStartKey=start)
    except ClientError as error:
        # A decodable cursor whose key does not fit this query (tampered, or from another list).
        if error.response.get("Error", {}).get("Code") == "ValidationException":
            raise InvalidCursorError from error
        raise


def _key_attributes(index_name: str | None) -> set[str]:
    """The attributes of a LastEvaluatedKey: the table's key, plus the index's when querying one."""
    index = _INDEXES.get(index_name or "")
    return {PARTITION_KEY, SORT_KEY} | ({index.partition_key, index.sort_key} if index else set())


def _index_key(item: dict[str, Any]) -> dict[str, Any]:
    names = ("pk", "sk", RECENT_INDEX.partition_key, RECENT_INDEX.sort_key)
    return {name: item[name] for name in names}
