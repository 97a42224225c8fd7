"""Deterministic synthetic results, one source per video API.

Element i is a pure function of (job seed, i): sample = i // per_frame picks the instant, slot =
i % per_frame picks the tracked entity (face, celebrity, person or label) seen at that instant.
Timestamps therefore never decrease with i, which makes TIMESTAMP the natural, sort-free order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.crowd import Crowd, instances
from emulator.draw import Draw
from emulator.face_collections import IndexedFace
from emulator.features import face_box_within, face_detail, tracked_box
from emulator.gallery import CELEBRITIES, LABELS, LabelInfo
from emulator.results import Element, ElementSource, SortKey
from emulator.video import Timeline, VideoProfile

_FACE_ASPECT = (1.1, 1.5)
_PERSON_ASPECT = (2.2, 3.2)
LABEL_MODEL_VERSION = "3.0"
# Without MinConfidence the service returns labels at 50% confidence or more.
_DEFAULT_MIN_CONFIDENCE = 50.0
_PERSON = "Person"


@dataclass(frozen=True, slots=True)
class Synthesis:
    """Everything a synthetic source is a function of."""

    seed: int
    profile: VideoProfile
    count: int
    start_params: Mapping[str, Any]
    # The faces of the collection a face search job searches (StartFaceSearch's CollectionId), if any.
    collection: tuple[IndexedFace, ...] = ()


class TimelineSource(ElementSource):
    """Elements placed on the video's sampled instants, `per_frame` of them at each."""

    natural_sort = "TIMESTAMP"

    def __init__(self, spec: Synthesis, per_frame: int) -> None:
        self._seed = spec.seed
        self._per_frame = max(per_frame, 1)
        # Never past the video's end: at most one sampled instant per frame of the actual file.
        samples = Timeline.fitting(spec.profile, math.ceil(spec.count / self._per_frame))
        self._count = min(spec.count, samples * self._per_frame) if per_frame > 0 else 0
        self._timeline = Timeline(spec.profile, samples)

    @property
    def count(self) -> int:
        return self._count

    def video_metadata(self) -> dict[str, Any]:
        return self._timeline.profile.metadata()

    def _position(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self._count:
            raise IndexError(index)
        return divmod(index, self._per_frame)

    def sort_key(self, index: int, sort_by: str) -> SortKey:
        sample, slot = self._position(index)
        return (self._timeline.timestamp(sample), slot)

    def _as_segment(self, element: Element, sample: int) -> Element:
        """`AggregateBy=SEGMENTS`: the detection spans from its instant to the next sampled one."""
        start, end = self._timeline.timestamp(sample), self._timeline.timestamp(sample + 1)
        element.update(StartTimestampMillis=start, EndTimestampMillis=end, DurationMillis=end - start)
        return element


class FaceSource(TimelineSource):
    def __init__(self, spec: Synthesis) -> None:
        super().__init__(spec, Draw(spec.seed, 1).integer(1, 3))
        self._all = spec.start_params.get("FaceAttributes", "DEFAULT") == "ALL"

    def element(self, index: int, options: Mapping[str, str]) -> Element:
        sample, slot = self._position(index)
        box = tracked_box(self._seed, slot, sample, _FACE_ASPECT)
        face = face_detail(Draw(self._seed, 2, index), box, all_attributes=self._all)
        return {"Timestamp": self._timeline.timestamp(sample), "Face": face}


class CelebritySource(TimelineSource):
    def __init__(self, spec: Synthesis) -> None:
        draw = Draw(spec.seed, 3)
        self._cast = draw.sample(CELEBRITIES, draw.integer(1, 3))
        super().__init__(spec, len(self._cast))

    def element(self, index: int, options: Mapping[str, str]) -> Element:
        sample, slot = self._position(index)
        celebrity = self._cast[slot]
        box = tracked_box(self._seed, slot, sample, _FACE_ASPECT)
        draw = Draw(self._seed, 4, index)
        detail = {
            "Urls": list(celebrity.urls),
            "Name": celebrity.name,
            "Id": celebrity.id,
            "Confidence": round(draw.uniform(90.0, 100.0), 4),
            "BoundingBox": box,
            "Face": face_detail(draw, box, all_attributes=False),
            "KnownGender": {"Type": celebrity.gender},
        }
        return {"Timestamp": self._timeline.timestamp(sample), "Celebrity": detail}

    def sort_key(self, index: int, sort_by: str) -> SortKey:
        sample, slot = self._position(index)
        if sort_by == "ID":
            return (self._cast[slot].id, sample)
        return super().sort_key(index, sort_by)


class PersonSource(TimelineSource):
    def __init__(self, spec: Synthesis) -> None:
        super().__init__(spec, Draw(spec.seed, 5).integer(1, 4))

    def element(self, index: int, options: Mapping[str, str]) -> Element:
        sample, slot = self._position(index)
        box = tracked_box(self._seed, slot, sample, _PERSON_ASPECT)
        person: dict[str, Any] = {"Index": slot, "BoundingBox": box}
        draw = Draw(self._seed, 6, index)
        # A person is often seen from behind or too small for a face; Face is optional in the model.
        if draw.chance(0.6):
            person["Face"] = face_detail(draw, face_box_within(box), all_attributes=False)
        return {"Timestamp": self._timeline.timestamp(sample), "Person": person}

    def sort_key(self, index: int, sort_by: str) -> SortKey:
        sample, slot = self._position(index)
        if sort_by == "INDEX":
            return (slot, sample)
        return super().sort_key(index, sort_by)


def allowed_labels(params: Mapping[str, Any]) -> tuple[LabelInfo, ...]:
    """The vocabulary's labels StartLabelDetection's Settings.GeneralLabels filters let through."""
    general = ((params.get("Settings") or {}).get("GeneralLabels")) or {}

    def folded(name: str) -> set[str]:
        return {str(value).casefold() for value in general.get(name) or ()}

    include, exclude = folded("LabelInclusionFilters"), folded("LabelExclusionFilters")
    include_categories = folded("LabelCategoryInclusionFilters")
    exclude_categories = folded("LabelCategoryExclusionFilters")

    def kept(label: LabelInfo) -> bool:
        categories = {category.casefold() for category in label.categories}
        return (
            (not include or label.name.casefold() in include)
            and label.name.casefold() not in exclude
            and (not include_categories or bool(categories & include_categories))
            and not categories & exclude_categories
        )

    return tuple(label for label in LABELS if kept(label))


class LabelSource(TimelineSource):
    def __init__(self, spec: Synthesis) -> None:
        vocabulary: Sequence[LabelInfo] = allowed_labels(spec.start_params)
        draw = Draw(spec.seed, 7)
        self._present = draw.sample(vocabulary, draw.integer(3, 5))
        minimum = spec.start_params.get("MinConfidence")
        self._min_confidence = min(100.0, float(_DEFAULT_MIN_CONFIDENCE if minimum is None else minimum))
        super().__init__(spec, len(self._present))
        # People walk through the video: Person boxes move, cross, hide and leave like real ones.
        self._crowd = Crowd(spec.seed, self._timeline.duration_ms)

    def _confidence(self, draw: Draw) -> float:
        return round(draw.uniform(max(self._min_confidence, 55.0), 100.0), 4)

    def element(self, index: int, options: Mapping[str, str]) -> Element:
        sample, slot = self._position(index)
        info = self._present[slot]
        draw = Draw(self._seed, 8, index)
        segments = options.get("AggregateBy") == "SEGMENTS"
        found: list[dict[str, Any]] = []
        timestamp = self._timeline.timestamp(sample)
        # Segment aggregation reports spans, not per-frame boxes.
        if info.name == _PERSON and not segments:
            found = instances(self._crowd, timestamp, self._min_confidence)
        elif info.has_instances and not segments:
            found = [
                {
                    "BoundingBox": tracked_box(self._seed, slot * 8 + number, sample, _FACE_ASPECT),
                    "Confidence": self._confidence(draw),
                }
                for number in range(1 + slot % 2)
            ]
        label = {
            "Name": info.name,
            "Confidence": self._confidence(Draw(self._seed, 9, index)),
            "Instances": found,
            "Parents": [{"Name": name} for name in info.parents],
            "Aliases": [{"Name": name} for name in info.aliases],
            "Categories": [{"Name": name} for name in info.categories],
        }
        element: Element = {"Timestamp": timestamp, "Label": label}
        return self._as_segment(element, sample) if segments else element

    def sort_key(self, index: int, sort_by: str) -> SortKey:
        _sample, slot = self._position(index)
        if sort_by == "NAME":
            # Within a name, the service orders by confidence, highest first.
            return (self._present[slot].name, -self._confidence(Draw(self._seed, 9, index)))
        return super().sort_key(index, sort_by)
