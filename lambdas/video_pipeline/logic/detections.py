"""Turn a job's Get* result stream into packed detection items and appearance items.

Detections are packed per job and time window (`schema.WINDOW_MS`): an item holds consecutive
elements of the stream that fall in one window, and closes when the next element belongs to another
window or would take it past `PACK_MAX_TEXT_BYTES` of element text, or when it reaches
`PACK_MAX_DETECTIONS`. The rule reads only the stream (timestamps, positions, element texts), never
where a Get* page ended: the item still open at the end of a page is held, and carried in a
checkpoint across invocations, until a later element closes it. So the items, and their keys (the
window and the stream position of their first element), are the same however Rekognition paged the
results, and a re-delivered notification rewrites the same items instead of adding any.

For an analysis with identities (celebrities, persons, labels, ...; not segments, whose every shot
is an identity of its own: `EntityRule.indexed`), each appearance (a run of one identity whose
detections are at most `APPEARANCE_GAP_MS` apart) becomes one item of the by-entity index: first
and last timestamp and stream position, count, label and the best view's box. Rekognition sorts
these results by timestamp, so a run is closed, for good, once the stream has moved past its gap.

An element's text is the service's own when the gateway read the page (a ServiceElement), a
compact encoding for elements the pipeline derives (the tracker's persons); a window's texts are
stored by `logic/packed_codec.py` (float32 numbers as columns, the rest as JSON, one zlib stream).
This is the collector's hot path; docs/performance.md has the figures and
benchmarks/collector_ingest.py measures them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from video_pipeline.analyses import Analysis, EntityScope, element_timestamp
from video_pipeline.gc_pause import collector_paused
from video_pipeline.logic.packed_codec import compact_json, pack_texts
from video_pipeline.result_pages import ServiceElement
from video_pipeline.schema import (
    APPEARANCE_GAP_MS,
    MAX_ELEMENT_BYTES,
    PACK_MAX_DETECTIONS,
    PACK_MAX_TEXT_BYTES,
    WINDOW_MS,
    account_entity,
    account_entity_sort,
    appearance_sk,
    job_entity,
    position_key,
    window_sk,
)

# UTF-8 needs at most 4 bytes a character: shorter texts cannot exceed the limit, so only longer
# ones pay for encoding just to be measured.
_SAFE_ELEMENT_CHARS = MAX_ELEMENT_BYTES // 4
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


class _OpenItem:
    __slots__ = ("chars", "first", "texts", "timestamp", "truncated", "window")

    def __init__(self, window: int, first: int, timestamp: int) -> None:
        self.window, self.first, self.timestamp = window, first, timestamp
        self.texts: list[str] = []
        self.truncated: list[int] = []
        self.chars = 0


@dataclass(slots=True)
class _Run:
    """One identity's appearance while it is still open."""

    identity: str
    label: str | None
    first_ts: int
    first: int
    last_ts: int
    last: int
    count: int
    box: str
    score: float

    def extend(self, timestamp: int, ordinal: int, box: str | None, score: float) -> None:
        self.last_ts, self.last, self.count = timestamp, ordinal, self.count + 1
        if box is not None and score > self.score:
            self.box, self.score = box, score


class DetectionPacker:
    """One job's result stream -> packed window items and appearance items, whatever the paging."""

    def __init__(
        self,
        context: JobContext,
        state: Mapping[str, Any] | None = None,
        *,
        pack: Callable[[Sequence[str]], bytes] = pack_texts,
    ) -> None:
        self._context = context
        self._pack_texts = pack  # another codec only in benchmarks/packing.py
        rule = context.analysis.entity
        self._rule = rule
        self._open: _OpenItem | None = None
        self._runs: dict[str, _Run] = {}
        if rule is not None and rule.scope is EntityScope.ACCOUNT:
            self._entity_sort: Callable[[str], str] = lambda position: account_entity_sort(
                context.uploaded_at, context.video_id, position
            )
        else:
            self._entity_sort = str
        if state:
            self._restore(state)

    def pack(self, elements: Iterable[Mapping[str, Any]], tally: ResultTally) -> list[DynamoItem]:
        """The items that one page of elements closes; `tally` carries the stream position across pages."""
        with collector_paused():
            return self._pack(elements, tally)

    def finish(self) -> list[DynamoItem]:
        """The items still open once the stream has ended."""
        items = [self._window_item(self._open)] if self._open is not None else []
        self._open = None
        items.extend(self._appearance_item(run) for run in self._runs.values())
        self._runs = {}
        return items

    def _pack(self, elements: Iterable[Mapping[str, Any]], tally: ResultTally) -> list[DynamoItem]:
        items: list[DynamoItem] = []
        ordinal = tally.detections
        current = self._open
        rule = self._rule
        timestamp = -1
        for element in elements:
            timestamp = element_timestamp(element)
            text = element.text if type(element) is ServiceElement else compact_json(element)
            truncated = len(text) > _SAFE_ELEMENT_CHARS and len(text.encode("utf-8")) > MAX_ELEMENT_BYTES
            if truncated:
                text = compact_json({"Timestamp": timestamp})
            window = timestamp - timestamp % WINDOW_MS
            if current is not None and (current.window != window or current.chars + len(text) > PACK_MAX_TEXT_BYTES):
                items.append(self._window_item(current))
                current = None
            if current is None:
                current = _OpenItem(window, ordinal, timestamp)
            current.texts.append(text)
            current.chars += len(text)
            if truncated:
                current.truncated.append(ordinal)
            if len(current.texts) >= PACK_MAX_DETECTIONS or current.chars >= PACK_MAX_TEXT_BYTES:
                items.append(self._window_item(current))
                current = None
            if rule is not None:
                self._appear(element, timestamp, ordinal, tally, items)
            ordinal += 1
        self._open = current
        tally.detections = ordinal
        if rule is not None and timestamp >= 0:
            # Runs the stream has moved past can never grow again: write them now, hold no more.
            for identity in [key for key, run in self._runs.items() if timestamp - run.last_ts > APPEARANCE_GAP_MS]:
                items.append(self._appearance_item(self._runs.pop(identity)))
        return items

    def _appear(
        self, element: Mapping[str, Any], timestamp: int, ordinal: int, tally: ResultTally, items: list[DynamoItem]
    ) -> None:
        rule = self._rule
        assert rule is not None
        identity = rule.identity(element)
        if identity is None:
            return
        tally.entities.add(identity)
        if not rule.indexed:
            return
        box, score = rule.view(element)
        box_text = compact_json(box) if box is not None else None
        run = self._runs.get(identity)
        if run is not None and timestamp - run.last_ts > APPEARANCE_GAP_MS:
            items.append(self._appearance_item(run))
            run = None
        if run is None:
            self._runs[identity] = _Run(
                identity,
                rule.label(element),
                timestamp,
                ordinal,
                timestamp,
                ordinal,
                1,
                box_text or "null",
                score if box_text else -1.0,
            )
        else:
            run.extend(timestamp, ordinal, box_text, score)

    def _window_item(self, item: _OpenItem) -> DynamoItem:
        packed: DynamoItem = {
            "pk": {"S": self._context.job_id},
            "sk": {"S": window_sk(item.window, item.first)},
            "video_id": {"S": self._context.video_id},
            "ts": {"N": str(item.timestamp)},
            "n": {"N": str(len(item.texts))},
            "z": {"B": self._pack_texts(item.texts)},
        }
        if item.truncated:
            packed["truncated"] = {"NS": [str(ordinal) for ordinal in item.truncated]}
        return packed

    def _appearance_item(self, run: _Run) -> DynamoItem:
        rule = self._rule
        assert rule is not None
        context = self._context
        position = position_key(run.first_ts, run.first)
        if rule.scope is EntityScope.ACCOUNT:
            entity = account_entity(rule.prefix, run.identity)
        else:
            entity = job_entity(rule.prefix, context.job_id, run.identity)
        item: DynamoItem = {
            "pk": {"S": context.job_id},
            "sk": {"S": appearance_sk(run.first_ts, run.first)},
            "video_id": {"S": context.video_id},
            "entity": {"S": entity},
            "entity_sort": {"S": self._entity_sort(position)},
            "ts": {"N": str(run.first_ts)},
            "last_ts": {"N": str(run.last_ts)},
            "first": {"N": str(run.first)},
            "last": {"N": str(run.last)},
            "n": {"N": str(run.count)},
            "box": {"S": run.box},
        }
        if run.label:
            item["label"] = {"S": run.label}
        return item

    def state(self) -> dict[str, Any] | None:
        """What is held between pages, as JSON values, for a checkpoint (None: nothing)."""
        if self._open is None and not self._runs:
            return None
        state: dict[str, Any] = {"runs": [_run_state(run) for run in self._runs.values()]}
        if self._open is not None:
            item = self._open
            state["open"] = {
                "window": item.window,
                "first": item.first,
                "ts": item.timestamp,
                "texts": item.texts,
                "truncated": item.truncated,
            }
        return state

    def _restore(self, state: Mapping[str, Any]) -> None:
        held = state.get("open")
        if held:
            item = _OpenItem(int(held["window"]), int(held["first"]), int(held["ts"]))
            item.texts = [str(text) for text in held["texts"]]
            item.truncated = [int(ordinal) for ordinal in held.get("truncated", [])]
            item.chars = sum(len(text) for text in item.texts)
            self._open = item
        for run in state.get("runs", []):
            self._runs[str(run["identity"])] = _Run(
                identity=str(run["identity"]),
                label=run.get("label"),
                first_ts=int(run["first_ts"]),
                first=int(run["first"]),
                last_ts=int(run["last_ts"]),
                last=int(run["last"]),
                count=int(run["count"]),
                box=str(run["box"]),
                score=float(run["score"]),
            )


def _run_state(run: _Run) -> dict[str, Any]:
    return {
        "identity": run.identity,
        "label": run.label,
        "first_ts": run.first_ts,
        "first": run.first,
        "last_ts": run.last_ts,
        "last": run.last,
        "count": run.count,
        "box": run.box,
        "score": run.score,
    }
