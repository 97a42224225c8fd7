"""Text in a frame as GetTextDetection reports it: LINE and WORD detections with Ids and geometry.

The synthetic source and the real OCR analyzer (`emulator.vision.text`) both describe a frame's text
as `Line`s of `Word`s with polygons in frame ratios; this module applies StartTextDetection's filters
and writes the elements. As in DetectText, a frame's lines come first with Ids from 0, then its words,
each with its line's Id as ParentId. Filters (documented for `DetectionFilter` and `RegionsOfInterest`):

- `WordFilter.MinConfidence` (80 by default), `MinBoundingBoxHeight` and `MinBoundingBoxWidth` (ratios
  of the frame) drop words; a line left without words is dropped with them.
- `RegionsOfInterest` keeps only words whose centre lies in one of the regions (a BoundingBox, or a
  Polygon taken as its bounding rectangle); without regions, the whole frame counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.results import ElementKey

TEXT_MODEL_VERSION = "3.0"
DEFAULT_MIN_WORD_CONFIDENCE = 80.0

Point = tuple[float, float]


def _by_timestamp(element: Mapping[str, Any]) -> tuple[int]:
    return (int(element.get("Timestamp", 0)),)


# GetTextDetection has no SortBy: by time, and within an instant as found (lines, then words).
TEXT_ORDER: Mapping[str, ElementKey] = {"TIMESTAMP": _by_timestamp}


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    confidence: float  # 0-100
    polygon: tuple[Point, ...]  # corners in frame ratios, clockwise from the top left

    @property
    def box(self) -> dict[str, float]:
        return _bounding_box(self.polygon)


@dataclass(frozen=True, slots=True)
class Line:
    words: tuple[Word, ...]
    confidence: float
    polygon: tuple[Point, ...]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


def _clamp(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 6)


def _bounding_box(polygon: Sequence[Point]) -> dict[str, float]:
    xs = [_clamp(x) for x, _ in polygon]
    ys = [_clamp(y) for _, y in polygon]
    return {
        "Width": round(max(xs) - min(xs), 6),
        "Height": round(max(ys) - min(ys), 6),
        "Left": min(xs),
        "Top": min(ys),
    }


def rectangle(left: float, top: float, width: float, height: float) -> tuple[Point, ...]:
    """The four corners of an axis-aligned box, clockwise from the top left."""
    return ((left, top), (left + width, top), (left + width, top + height), (left, top + height))


@dataclass(frozen=True, slots=True)
class TextFilters:
    min_confidence: float = DEFAULT_MIN_WORD_CONFIDENCE
    min_height: float = 0.0
    min_width: float = 0.0
    regions: tuple[dict[str, float], ...] = ()  # bounding boxes in frame ratios

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> TextFilters:
        filters = params.get("Filters") or {}
        word = filters.get("WordFilter") or {}
        regions = []
        for region in filters.get("RegionsOfInterest") or ():
            if region.get("BoundingBox"):
                regions.append({name: float(region["BoundingBox"].get(name, 0.0)) for name in _BOX_MEMBERS})
            elif region.get("Polygon"):
                regions.append(
                    _bounding_box([(point.get("X", 0.0), point.get("Y", 0.0)) for point in region["Polygon"]])
                )
        return cls(
            float(word.get("MinConfidence", DEFAULT_MIN_WORD_CONFIDENCE)),
            float(word.get("MinBoundingBoxHeight", 0.0)),
            float(word.get("MinBoundingBoxWidth", 0.0)),
            tuple(regions),
        )

    def keeps(self, word: Word) -> bool:
        box = word.box
        if word.confidence < self.min_confidence or box["Height"] < self.min_height or box["Width"] < self.min_width:
            return False
        if not self.regions:
            return True
        x, y = box["Left"] + box["Width"] / 2, box["Top"] + box["Height"] / 2
        return any(
            region["Left"] <= x <= region["Left"] + region["Width"]
            and region["Top"] <= y <= region["Top"] + region["Height"]
            for region in self.regions
        )


_BOX_MEMBERS = ("Width", "Height", "Left", "Top")


def _geometry(polygon: Sequence[Point], box: Mapping[str, float]) -> dict[str, Any]:
    return {"BoundingBox": dict(box), "Polygon": [{"X": _clamp(x), "Y": _clamp(y)} for x, y in polygon]}


def text_elements(timestamp_ms: int, lines: Iterable[Line], filters: TextFilters) -> list[dict[str, Any]]:
    """One frame's TextDetections: its kept lines (Ids from 0), then their kept words."""
    kept = [(line, [word for word in line.words if filters.keeps(word)]) for line in lines]
    kept = [(line, words) for line, words in kept if words]
    elements: list[dict[str, Any]] = []
    for line_id, (line, words) in enumerate(kept):
        polygon = line.polygon
        detection = {
            "DetectedText": " ".join(word.text for word in words),
            "Type": "LINE",
            "Id": line_id,
            "Confidence": round(min(100.0, max(0.0, line.confidence)), 4),
            "Geometry": _geometry(polygon, _bounding_box(polygon)),
        }
        elements.append({"Timestamp": timestamp_ms, "TextDetection": detection})
    next_id = len(kept)
    for line_id, (_line, words) in enumerate(kept):
        for word in words:
            detection = {
                "DetectedText": word.text,
                "Type": "WORD",
                "Id": next_id,
                "ParentId": line_id,
                "Confidence": round(min(100.0, max(0.0, word.confidence)), 4),
                "Geometry": _geometry(word.polygon, word.box),
            }
            elements.append({"Timestamp": timestamp_ms, "TextDetection": detection})
            next_id += 1
    return elements
