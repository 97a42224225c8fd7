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

For an analysis whose rule is `carried` (a person's track), a closing window item is written as
one item per identity in it (plus one for detections without an identity), each indexed under the
identity's detections partition: reading an identity's detections is then one by-entity Query, as
it was when every detection was its own indexed item, and a time window still reads only the items
of the windows it overlaps. The split depends only on the stream, like the window rule.

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
from video_pipeline.logic.packed_codec import compact_json, pack_ordinals, pack_texts
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
    detections_entity,
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
    __slots__ = ("chars", "first", "identities", "texts", "timestamp", "timestamps", "truncated", "window")

    def __init__(self, window: int, first: int, timestamp: int) -> None:
        self.window, self.first, self.timestamp = window, first, timestamp
        self.texts: list[str] = []
        self.truncated: list[int] = []
        self.chars = 0
        # Kept only for a `carried` rule: each text's identity and timestamp, to split the item by identity.
        self.identities: list[str | None] = []
        self.timestamps: list[int] = []

    def add(self, text: str, truncated: int | None, placed: tuple[str | None, int] | None) -> None:
        """One more element: its text, its position if it was truncated, its (identity, timestamp)
        when the item will be split by identity."""
        self.texts.append(text)
        self.chars += len(text)
        if truncated is not None:
            self.truncated.append(truncated)
        if placed is not None:
            self.identities.append(placed[0])
            self.timestamps.append(placed[1])


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
        self._carried = rule is not None and rule.carried
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
        items = self._window_items(self._open) if self._open is not None else []
        self._open = None
        items.extend(self._appearance_item(run) for run in self._runs.values())
        self._runs = {}
        return items

    def _pack(self, elements: Iterable[Mapping[str, Any]], tally: ResultTally) -> list[DynamoItem]:
        items: list[DynamoItem] = []
        ordinal = tally.detections
        current = self._open
        rule = self._rule
        carried = self._carried
        timestamp = -1
        for element in elements:
            timestamp = element_timestamp(element)
            text = element.text if type(element) is ServiceElement else compact_json(element)
            truncated = len(text) > _SAFE_ELEMENT_CHARS and len(text.encode("utf-8")) > MAX_ELEMENT_BYTES
            if truncated:
                text = compact_json({"Timestamp": timestamp})
            window = timestamp - timestamp % WINDOW_MS
            if current is not None and (current.window != window or current.chars + len(text) > PACK_MAX_TEXT_BYTES):
                items.extend(self._window_items(current))
                current = None
            if current is None:
                current = _OpenItem(window, ordinal, timestamp)
            identity = rule.identity(element) if rule is not None else None
            current.add(text, ordinal if truncated else None, (identity, timestamp) if carried else None)
            if len(current.texts) >= PACK_MAX_DETECTIONS or current.chars >= PACK_MAX_TEXT_BYTES:
                items.extend(self._window_items(current))
                current = None
            if identity is not None:
                self._appear(element, identity, timestamp, ordinal, tally=tally, items=items)
            ordinal += 1
        self._open = current
        tally.detections = ordinal
        if rule is not None and timestamp >= 0:
            # Runs the stream has moved past can never grow again: write them now, hold no more.
            for identity in [key for key, run in self._runs.items() if timestamp - run.last_ts > APPEARANCE_GAP_MS]:
                items.append(self._appearance_item(self._runs.pop(identity)))
        return items

    def _appear(
        self,
        element: Mapping[str, Any],
        identity: str,
        timestamp: int,
        ordinal: int,
        *,
        tally: ResultTally,
        items: list[DynamoItem],
    ) -> None:
        rule = self._rule
        assert rule is not None
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

    def _window_items(self, item: _OpenItem) -> list[DynamoItem]:
        """The items a closing window item is written as: itself, or for a `carried` rule one item per
        identity in it (in the order of their first detection) and one for the detections without."""
        if not self._carried:
            consecutive = range(item.first, item.first + len(item.texts))
            return [self._packed_item(item.window, item.timestamp, consecutive, item.texts, item.truncated)]
        held: dict[str | None, list[int]] = {}
        for offset, identity in enumerate(item.identities):
            held.setdefault(identity, []).append(offset)
        truncated = set(item.truncated)
        items = []
        for identity, offsets in held.items():
            ordinals = [item.first + offset for offset in offsets]
            texts = [item.texts[offset] for offset in offsets]
            first_ts = item.timestamps[offsets[0]]
            packed = self._packed_item(
                item.window, first_ts, ordinals, texts, [ordinal for ordinal in ordinals if ordinal in truncated]
            )
            if identity is not None:
                packed["entity"] = {"S": detections_entity(self._entity(identity))}
                packed["entity_sort"] = {"S": self._entity_sort(position_key(first_ts, ordinals[0]))}
            items.append(packed)
        return items

    def _packed_item(
        self, window: int, first_ts: int, ordinals: Sequence[int], texts: Sequence[str], truncated: Sequence[int]
    ) -> DynamoItem:
        packed: DynamoItem = {
            "pk": {"S": self._context.job_id},
            "sk": {"S": window_sk(window, ordinals[0])},
            "video_id": {"S": self._context.video_id},
            "ts": {"N": str(first_ts)},
            "n": {"N": str(len(texts))},
            "z": {"B": self._pack_texts(texts)},
        }
        gaps = pack_ordinals(ordinals)
        if gaps is not None:
            packed["o"] = {"B": gaps}
        if truncated:
            packed["truncated"] = {"NS": [str(ordinal) for ordinal in truncated]}
        return packed

    def _entity(self, identity: str) -> str:
        rule = self._rule
        assert rule is not None
        if rule.scope is EntityScope.ACCOUNT:
            return account_entity(rule.prefix, identity)
        return job_entity(rule.prefix, self._context.job_id, identity)

    def _appearance_item(self, run: _Run) -> DynamoItem:
        rule = self._rule
        assert rule is not None
        context = self._context
        position = position_key(run.first_ts, run.first)
        entity = self._entity(run.identity)
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
        if self._carried:
            state["carried"] = True
        if self._open is not None:
            item = self._open
            state["open"] = {
                "window": item.window,
                "first": item.first,
                "ts": item.timestamp,
                "texts": item.texts,
                "truncated": item.truncated,
            }
            if self._carried:
                state["open"] |= {"identities": item.identities, "timestamps": item.timestamps}
        return state

    def _restore(self, state: Mapping[str, Any]) -> None:
        # A collection checkpointed before its rule was carried goes on as it began, so that none of its
        # detections are missing from its identities' items (it reads from its windows, as it did then).
        self._carried = self._carried and bool(state.get("carried"))
        held = state.get("open")
        if held:
            item = _OpenItem(int(held["window"]), int(held["first"]), int(held["ts"]))
            item.texts = [str(text) for text in held["texts"]]
            item.truncated = [int(ordinal) for ordinal in held.get("truncated", [])]
            item.chars = sum(len(text) for text in item.texts)
            if self._carried:
                item.identities = [None if identity is None else str(identity) for identity in held["identities"]]
                item.timestamps = [int(timestamp) for timestamp in held["timestamps"]]
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
