"""Synthetic content moderation: no offline moderation model exists under a permissive licence, so the
emulator invents ModerationLabels from a seed, shaped exactly like the service's (its taxonomy's names,
each label reported together with its parents up to the top level at the same instant).

The vocabulary is a small, mild part of Rekognition's moderation taxonomy on purpose: it exercises the
hierarchy (Name, ParentName, TaxonomyLevel) and cross-video indexes without pretending to judge content.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from emulator.draw import Draw
from emulator.results import Element, SortKey
from emulator.synthetic import Synthesis, TimelineSource

MODERATION_MODEL_VERSION = "7.0"
# Without MinConfidence, the service returns moderation labels at 50% confidence or more.
_DEFAULT_MIN_CONFIDENCE = 50.0


@dataclass(frozen=True, slots=True)
class ModerationLabelInfo:
    name: str
    parent: str  # "" for a top-level category, as the service reports it
    level: int


# Each detection as the service reports it: the label found, then its parents up to the top level,
# all at the same instant (the developer guide's example: Smoking, its level-2 parent, its category).
_CHAINS: tuple[tuple[str, ...], ...] = (
    ("Weapons", "Violence"),
    ("Alcoholic Beverages", "Alcohol"),
    ("Drinking", "Alcohol"),
    ("Smoking", "Drugs & Tobacco Paraphernalia & Use", "Drugs & Tobacco"),
    ("Female Swimwear or Underwear", "Swimwear or Underwear"),
    ("Male Swimwear or Underwear", "Swimwear or Underwear"),
    ("Middle Finger", "Rude Gestures"),
    ("Gambling",),
)


def _detection(chain: tuple[str, ...]) -> tuple[ModerationLabelInfo, ...]:
    depth = len(chain)
    return tuple(
        ModerationLabelInfo(name, chain[position + 1] if position + 1 < depth else "", depth - position)
        for position, name in enumerate(chain)
    )


DETECTIONS: tuple[tuple[ModerationLabelInfo, ...], ...] = tuple(_detection(chain) for chain in _CHAINS)


class ModerationSource(TimelineSource):
    def __init__(self, spec: Synthesis) -> None:
        draw = Draw(spec.seed, 21)
        chosen = draw.sample(DETECTIONS, draw.integer(1, 2))
        # Labels seen at each sampled instant: every chosen detection's labels, parents after children.
        self._labels = [label for detection in chosen for label in detection]
        self._detection_of = [number for number, detection in enumerate(chosen) for _label in detection]
        minimum = spec.start_params.get("MinConfidence")
        self._min_confidence = min(100.0, float(_DEFAULT_MIN_CONFIDENCE if minimum is None else minimum))
        super().__init__(spec, len(self._labels))

    def _confidence(self, index: int) -> float:
        """One confidence per detection and instant, its parents' too: AWS's examples report a chain so
        (GetContentModeration: "Male Swimwear Or Underwear" and "Suggestive" both at 93.02153015136719)."""
        sample, slot = self._position(index)
        draw = Draw(self._seed, 22, sample, self._detection_of[slot])
        return round(draw.uniform(max(self._min_confidence, 55.0), 100.0), 4)

    def element(self, index: int, options: Mapping[str, str]) -> Element:
        sample, slot = self._position(index)
        info = self._labels[slot]
        timestamp = self._timeline.timestamp(sample)
        label = {
            "Confidence": self._confidence(index),
            "Name": info.name,
            "ParentName": info.parent,
            "TaxonomyLevel": info.level,
        }
        element: Element = {"Timestamp": timestamp, "ModerationLabel": label}
        return self._as_segment(element, sample) if options.get("AggregateBy") == "SEGMENTS" else element

    def sort_key(self, index: int, sort_by: str) -> SortKey:
        _sample, slot = self._position(index)
        if sort_by == "NAME":
            return (self._labels[slot].name, -self._confidence(index))
        return super().sort_key(index, sort_by)
