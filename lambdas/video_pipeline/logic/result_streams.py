"""What the collector stores for each page of Get* results: the elements as returned, or derived ones.

The `labels` person engine gets Person instances per timestamp from GetLabelDetection; the tracker
turns them into elements shaped exactly like GetPersonTracking's, {Timestamp, Person{Index,
BoundingBox}}, so what is stored does not depend on the engine (plus `SingleSighting` on a person seen
at one instant only). Pages stream through: only the
current instant and the tracker's live tracks are held, never the whole result list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from video_pipeline.analyses import LABELS_ENGINE, Analysis
from video_pipeline.logic.shared_jobs import kept_as_asked
from video_pipeline.logic.tracking import (
    Box,
    Detection,
    PersonTracker,
    Tracked,
    TrackerSettings,
    detection_from_state,
    detection_state,
)

PERSON_LABEL = "Person"
# The pipeline's own element field: this person was seen at one reported instant only.
SINGLE_SIGHTING = "SingleSighting"
_BOX_MEMBERS = ("Left", "Top", "Width", "Height")


class ResultStream(Protocol):
    def feed(self, elements: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """The elements to store for one page, in a repeatable order."""

    def finish(self) -> list[Mapping[str, Any]]:
        """The elements still held back once the last page has been fed."""

    def state(self) -> dict[str, Any] | None:
        """What the stream holds between pages, as JSON values, for a checkpoint (None: nothing)."""

    def single_sightings(self) -> int:
        """Derived tracks seen at one reported instant only, so far (stored, marked `SingleSighting`)."""


class AsReturned:
    def feed(self, elements: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        return list(elements)

    def finish(self) -> list[Mapping[str, Any]]:
        return []

    def state(self) -> dict[str, Any] | None:
        return None

    def single_sightings(self) -> int:
        return 0


def _box(value: object) -> Box | None:
    if not isinstance(value, Mapping) or not all(isinstance(value.get(name), int | float) for name in _BOX_MEMBERS):
        return None
    box = Box(*(float(value[name]) for name in _BOX_MEMBERS))
    return box if box.width > 0 and box.height > 0 else None


def person_instances(label: Mapping[str, Any]) -> list[Detection]:
    """The boxed Person instances of one label; instances without a usable box are skipped."""
    detections = []
    for instance in label.get("Instances") or ():
        box = _box(instance.get("BoundingBox")) if isinstance(instance, Mapping) else None
        if box is not None:
            detections.append(Detection(box, float(instance.get("Confidence") or 0.0)))
    return detections


def person_element(tracked: Tracked) -> dict[str, Any]:
    """A GetPersonTracking-shaped element; `SingleSighting` (the pipeline's own field, absent otherwise)
    marks a person seen at this one instant only."""
    box = tracked.detection.box
    element: dict[str, Any] = {
        "Timestamp": tracked.timestamp,
        "Person": {
            "Index": tracked.index,
            "BoundingBox": {"Width": box.width, "Height": box.height, "Left": box.left, "Top": box.top},
        },
    }
    if tracked.single_sighting:
        element[SINGLE_SIGHTING] = True
    return element


class PersonsFromLabels:
    """GetLabelDetection elements (AggregateBy TIMESTAMPS, in time order) -> tracked Person elements."""

    def __init__(self, settings: TrackerSettings | None = None, state: Mapping[str, Any] | None = None) -> None:
        self._tracker = PersonTracker.from_state(state["tracker"], settings) if state else PersonTracker(settings)
        self._instant: int | None = None if not state or state.get("instant") is None else int(state["instant"])
        self._detections: list[Detection] = [detection_from_state(values) for values in (state or {}).get("held", [])]

    def state(self) -> dict[str, Any] | None:
        return {
            "tracker": self._tracker.to_state(),
            "instant": self._instant,
            "held": [detection_state(detection) for detection in self._detections],
        }

    def single_sightings(self) -> int:
        # The tracker's count is part of its checkpointed state, so a resumed collection keeps counting.
        return self._tracker.single_sightings

    def feed(self, elements: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        stored: list[Mapping[str, Any]] = []
        for element in elements:
            label = element.get("Label") or {}
            if label.get("Name") != PERSON_LABEL:
                continue
            timestamp = int(element.get("Timestamp", 0))
            # One instant's instances may in principle span two pages: hold them until the next instant.
            if self._instant is not None and timestamp != self._instant:
                stored.extend(self._flush())
            self._instant = timestamp
            self._detections.extend(person_instances(label))
        return stored

    def finish(self) -> list[Mapping[str, Any]]:
        return [*self._flush(), *(person_element(item) for item in self._tracker.finish())]

    def _flush(self) -> list[Mapping[str, Any]]:
        if self._instant is None:
            return []
        tracked = self._tracker.update(self._instant, self._detections)
        self._instant, self._detections = None, []
        return [person_element(item) for item in tracked]


class AsAsked:
    """A shared label job's elements as the analysis' own options would have returned them, then its
    stream (`logic/shared_jobs.py`); the filter holds nothing, so the inner stream's state is the state."""

    def __init__(self, inner: ResultStream, asked: Mapping[str, Any]) -> None:
        self._inner = inner
        self._asked = asked

    def feed(self, elements: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        kept = (kept_as_asked(element, self._asked) for element in elements)
        return self._inner.feed(element for element in kept if element is not None)

    def finish(self) -> list[Mapping[str, Any]]:
        return self._inner.finish()

    def state(self) -> dict[str, Any] | None:
        return self._inner.state()

    def single_sightings(self) -> int:
        return self._inner.single_sightings()


def result_stream(
    analysis: Analysis, state: Mapping[str, Any] | None = None, asked: Mapping[str, Any] | None = None
) -> ResultStream:
    """The stream for a job's results, resumed from a checkpoint's `state` when there is one; `asked`:
    the options the job's analysis asked for, where it shares a job started with wider ones."""
    stream: ResultStream = PersonsFromLabels(state=state) if analysis.engine == LABELS_ENGINE else AsReturned()
    return stream if asked is None else AsAsked(stream, asked)
