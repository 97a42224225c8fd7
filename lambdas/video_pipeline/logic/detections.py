"""Turn Get* result elements into detection items with deterministic keys.

A detection's key is (job, timestamp, position in the job's result stream). Rekognition returns a
job's results in the same order every time, so paging through them again - after a re-delivered
notification or a restart - rewrites the same items instead of adding new ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from video_pipeline.analyses import Analysis, EntityScope

# DynamoDB items are limited to 400 KB; real elements are a few KB, the rest is headroom for keys.
MAX_DATA_BYTES = 350_000
DynamoItem = dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class JobContext:
    job_id: str
    video_id: str
    analysis: Analysis
    uploaded_at: str


@dataclass(slots=True)
class ResultTally:
    """Running totals over a job's result stream."""

    detections: int = 0
    entities: set[str] = field(default_factory=set)


def detection_sort_key(timestamp: int, ordinal: int) -> str:
    return f"{timestamp:012d}#{ordinal:08d}"


def detection_items(context: JobContext, elements: Iterable[Mapping[str, Any]], tally: ResultTally) -> list[DynamoItem]:
    """Items for one page of elements; `tally` carries the stream position across pages."""
    items = []
    for element in elements:
        items.append(_item(context, element, tally.detections, tally))
        tally.detections += 1
    return items


def _item(context: JobContext, element: Mapping[str, Any], ordinal: int, tally: ResultTally) -> DynamoItem:
    timestamp = int(element.get("Timestamp", 0))
    sort_key = detection_sort_key(timestamp, ordinal)
    data = json.dumps(element, separators=(",", ":"), ensure_ascii=False)
    item: DynamoItem = {
        "pk": {"S": context.job_id},
        "sk": {"S": sort_key},
        "ts": {"N": str(timestamp)},
        "video_id": {"S": context.video_id},
        "data": {"S": data},
    }
    if len(data.encode("utf-8")) > MAX_DATA_BYTES:
        item["data"] = {"S": json.dumps({"Timestamp": timestamp})}
        item["truncated"] = {"BOOL": True}
    rule = context.analysis.entity
    identity = rule.identity(element) if rule else None
    if rule and identity is not None:
        tally.entities.add(identity)
        if rule.scope is EntityScope.ACCOUNT:
            item["entity"] = {"S": f"{rule.prefix}#{identity}"}
            item["entity_sort"] = {"S": f"{context.uploaded_at}#{context.video_id}#{sort_key}"}
        else:
            item["entity"] = {"S": f"{rule.prefix}#{context.job_id}#{identity}"}
            item["entity_sort"] = {"S": sort_key}
        label = rule.label(element)
        if label:
            item["label"] = {"S": label}
    return item
