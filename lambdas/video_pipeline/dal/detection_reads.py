"""Reading packed detections back: a job's detections in a time range, and an appearance's.

A time range reads only the packed items whose windows overlap it (one Query, paged lazily by
DynamoDB's 1 MB); each window's detections are put in (timestamp, stream position) order, which is
the order the per-detection layout's sort keys gave. An appearance (by-entity index) names its job,
its time span and its stream positions, so its detections are read from the same windows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from video_pipeline.analyses import EntityRule, element_timestamp
from video_pipeline.logic.packed_codec import unpack_elements, unpack_ordinals
from video_pipeline.models import Detection
from video_pipeline.schema import MAX_TIMESTAMP_MS, PARTITION_KEY, SORT_KEY, window_sk_parts, windows_between

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


@dataclass(frozen=True, slots=True)
class Located:
    """A detection and its place in its job: what a cursor records."""

    timestamp: int
    ordinal: int
    detection: Detection

    @property
    def position(self) -> tuple[int, int]:
        return self.timestamp, self.ordinal


def labeller(rule: EntityRule | None) -> Callable[[Mapping[str, Any]], str | None]:
    """The label the per-detection layout stored: only for a detection with an identity."""
    if rule is None:
        return lambda _element: None
    return lambda element: (rule.label(element) or None) if rule.identity(element) is not None else None


def query_items(table: Table, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item of a query, one response at a time, as the caller consumes them."""
    start: dict[str, Any] | None = None
    while True:
        response = table.query(**query, ExclusiveStartKey=start) if start else table.query(**query)
        yield from response.get("Items", [])
        start = response.get("LastEvaluatedKey")
        if not start:
            return


def job_detections(
    table: Table,
    job_id: str,
    label: Callable[[Mapping[str, Any]], str | None],
    *,
    start_ms: int,
    end_ms: int,
    descending: bool = False,
) -> Iterator[Located]:
    """A job's detections with start_ms <= timestamp <= end_ms, in (timestamp, position) order."""
    if start_ms > end_ms:
        return  # an empty range (a cursor past its end): no Query, whose BETWEEN would be refused
    low, high = windows_between(start_ms, end_ms)
    query = {
        "KeyConditionExpression": Key(PARTITION_KEY).eq(job_id) & Key(SORT_KEY).between(low, high),
        "ScanIndexForward": not descending,
    }
    window: list[Located] = []
    window_start: int | None = None
    for item in query_items(table, query):
        start, first = window_sk_parts(str(item[SORT_KEY]))
        if start != window_start:
            yield from sorted(window, key=_position, reverse=descending)
            window, window_start = [], start
        for located in _item_detections(item, first, label):
            if start_ms <= located.timestamp <= end_ms:
                window.append(located)
    yield from sorted(window, key=_position, reverse=descending)


def _item_detections(
    item: Mapping[str, Any], first: int, label: Callable[[Mapping[str, Any]], str | None]
) -> Iterator[Located]:
    """A packed item's detections, each at its stream position (consecutive from `first`, or as `o` says)."""
    elements = unpack_elements(bytes(item["z"]))
    gaps = item.get("o")
    ordinals = unpack_ordinals(first, len(elements), bytes(gaps) if gaps is not None else None)
    job_id, video_id = str(item[PARTITION_KEY]), str(item["video_id"])
    for ordinal, element in zip(ordinals, elements, strict=True):
        timestamp = element_timestamp(element)
        yield Located(timestamp, ordinal, Detection(job_id, video_id, timestamp, element, label(element)))


def _position(located: Located) -> tuple[int, int]:
    return located.position


def carried_detections(
    items: Iterable[Mapping[str, Any]], rule: EntityRule, *, descending: bool
) -> Iterator[tuple[Mapping[str, Any], Located]]:
    """The detections an identity's own packed items hold (a `carried` rule's, from the by-entity
    index in the index's order), each with its item, in (timestamp, position) order within each."""
    label = labeller(rule)
    for item in items:
        _window, first = window_sk_parts(str(item[SORT_KEY]))
        for located in sorted(_item_detections(item, first, label), key=_position, reverse=descending):
            yield item, located


def entity_detections(
    table: Table, appearances: Iterable[Mapping[str, Any]], rule: EntityRule, identity: str, *, descending: bool
) -> Iterator[tuple[Mapping[str, Any], Located]]:
    """The detections of consecutive appearance items, each with its appearance, in (timestamp,
    position) order within each.

    Appearances come from the by-entity index in time order within a job, so one lazy Query per job
    serves all of that job's appearances on a page, however many there are.
    """
    label = labeller(rule)
    job: str | None = None
    detections: Iterator[Located] = iter(())
    held: Located | None = None
    for appearance in appearances:
        first, last = int(appearance["first"]), int(appearance["last"])
        start, end = (int(appearance["ts"]), first), (int(appearance["last_ts"]), last)
        if appearance[PARTITION_KEY] != job:
            job, held = str(appearance[PARTITION_KEY]), None
            low, high = (0, end[0]) if descending else (start[0], MAX_TIMESTAMP_MS)
            detections = job_detections(table, job, label, start_ms=low, end_ms=high, descending=descending)
        while True:
            found = held if held is not None else next(detections, None)
            held = None
            if found is None:
                break
            if (found.position < start) if descending else (found.position > end):
                held = found  # it may belong to the next appearance of this job
                break
            if first <= found.ordinal <= last and rule.identity(found.detection.data) == identity:
                yield appearance, found
