"""Turn Get* result elements into detection items with deterministic keys.

A detection's key is (job, timestamp, position in the job's result stream). Rekognition returns a
job's results in the same order every time, so paging through them again - after a re-delivered
notification or a restart - rewrites the same items instead of adding new ones.

An element's `data` is its JSON text: the service's own when the gateway read the page (a
ServiceElement), a compact encoding for elements the pipeline derives (the tracker's persons).

This is the collector's hot path (every detection of every job passes through it once), so the
per-element work is kept to a few dict literals, and one JSON encoding only for derived elements;
docs/performance.md has the figures and benchmarks/collector_ingest.py measures them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from video_pipeline.analyses import Analysis, EntityScope
from video_pipeline.gc_pause import collector_paused
from video_pipeline.result_pages import ServiceElement

# DynamoDB items are limited to 400 KB; real elements are a few KB, the rest is headroom for keys.
MAX_DATA_BYTES = 350_000
# UTF-8 needs at most 4 bytes a character: shorter texts cannot exceed the limit, so only longer
# ones pay for encoding just to be measured.
_SAFE_DATA_CHARS = MAX_DATA_BYTES // 4
DynamoItem = dict[str, dict[str, Any]]

# One encoder for every element: json.dumps with options builds a new one per call. Get* results
# are trees parsed from JSON, never cyclic, so the cycle check (a dict lookup per container) is skipped.
_encode: Callable[[Any], str] = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False).encode


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
    with collector_paused():
        return _items(context, elements, tally)


def _items(context: JobContext, elements: Iterable[Mapping[str, Any]], tally: ResultTally) -> list[DynamoItem]:
    job_id, video_id = context.job_id, context.video_id
    indexed = _EntityIndexer(context, tally.entities) if context.analysis.entity else None
    items: list[DynamoItem] = []
    ordinal = tally.detections
    for element in elements:
        timestamp = int(element.get("Timestamp", 0))
        sort_key = detection_sort_key(timestamp, ordinal)
        data = element.text if type(element) is ServiceElement else _encode(element)
        item: DynamoItem = {
            "pk": {"S": job_id},
            "sk": {"S": sort_key},
            "ts": {"N": str(timestamp)},
            "video_id": {"S": video_id},
            "data": {"S": data},
        }
        if len(data) > _SAFE_DATA_CHARS and len(data.encode("utf-8")) > MAX_DATA_BYTES:
            item["data"] = {"S": json.dumps({"Timestamp": timestamp})}
            item["truncated"] = {"BOOL": True}
        if indexed is not None:
            indexed.add(item, element, sort_key)
        items.append(item)
        ordinal += 1
    tally.detections = ordinal
    return items


class _EntityIndexer:
    """Adds the by-entity index attributes of one job's detections and collects their identities."""

    __slots__ = ("_account_scope", "_entities", "_identity", "_label", "_prefix", "_sort_prefix")

    def __init__(self, context: JobContext, entities: set[str]) -> None:
        rule = context.analysis.entity
        assert rule is not None
        self._identity, self._label, self._entities = rule.identity, rule.label, entities
        self._account_scope = rule.scope is EntityScope.ACCOUNT
        if self._account_scope:
            self._prefix = f"{rule.prefix}#"
            self._sort_prefix = f"{context.uploaded_at}#{context.video_id}#"
        else:
            self._prefix = f"{rule.prefix}#{context.job_id}#"
            self._sort_prefix = ""

    def add(self, item: DynamoItem, element: Mapping[str, Any], sort_key: str) -> None:
        identity = self._identity(element)
        if identity is None:
            return
        self._entities.add(identity)
        item["entity"] = {"S": self._prefix + identity}
        item["entity_sort"] = {"S": self._sort_prefix + sort_key}
        label = self._label(element)
        if label:
            item["label"] = {"S": label}
