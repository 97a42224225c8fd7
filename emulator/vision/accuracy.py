"""Scoring detections against a generated clip's ground truth: precision, recall, box overlap, identity."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.vision.sample_clip import GroundTruth
from emulator.vision.tracking import iou

MIN_IOU = 0.4


@dataclass(frozen=True, slots=True)
class Score:
    truths: int
    detections: int
    matched: int
    mean_iou: float
    # Per true identity, how many extra indexes the tracker gave it (0 when every person keeps one index).
    identity_switches: int

    @property
    def precision(self) -> float:
        return self.matched / self.detections if self.detections else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.truths if self.truths else 1.0


def sampled_timestamps(truth: GroundTruth, every_ms: int) -> list[int]:
    """The frame timestamps an analyzer sampling every `every_ms` looks at (the rule `decode.sample` applies)."""
    chosen, next_ms = [], 0
    for index in range(int(truth.duration_ms * truth.fps / 1000)):
        timestamp = int(index * 1000 / truth.fps)
        if timestamp >= next_ms:
            chosen.append(timestamp)
            next_ms = timestamp + every_ms
    return chosen


def _box_and_index(element: Mapping[str, Any]) -> tuple[Mapping[str, float], int | None]:
    if "Person" in element:
        return element["Person"]["BoundingBox"], int(element["Person"]["Index"])
    detail = element.get("Face") or element.get("Celebrity") or {}
    return detail["BoundingBox"], None


def score(kind: str, truth: GroundTruth, elements: Sequence[Mapping[str, Any]], every_ms: int) -> Score:
    """Greedy one-to-one matching per sampled frame, highest overlap first, at IoU >= MIN_IOU."""
    by_time: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for element in elements:
        by_time[int(element["Timestamp"])].append(element)
    truths = matched = 0
    overlaps: list[float] = []
    indexes_of: dict[int, set[int]] = defaultdict(set)
    for timestamp in sampled_timestamps(truth, every_ms):
        expected = truth.at(kind, timestamp)
        found = [_box_and_index(element) for element in by_time.get(timestamp, [])]
        truths += len(expected)
        for overlap, ti, fi in matched_pairs([t.box for t in expected], [f[0] for f in found]):
            matched += 1
            overlaps.append(overlap)
            index = found[fi][1]
            if index is not None:
                indexes_of[expected[ti].identity].add(index)
    switches = sum(len(indexes) - 1 for indexes in indexes_of.values())
    mean = sum(overlaps) / len(overlaps) if overlaps else 0.0
    return Score(truths, len(elements), matched, round(mean, 3), switches)


def matched_pairs(
    truth: Sequence[Mapping[str, float]], found: Sequence[Mapping[str, float]]
) -> list[tuple[float, int, int]]:
    """Greedy one-to-one matching by IoU, best overlap first, at least MIN_IOU: (overlap, truth, found)."""
    pairs = sorted(((iou(t, f), ti, fi) for ti, t in enumerate(truth) for fi, f in enumerate(found)), reverse=True)
    used_truth: set[int] = set()
    used_found: set[int] = set()
    matches = []
    for overlap, ti, fi in pairs:
        if overlap < MIN_IOU:
            break
        if ti in used_truth or fi in used_found:
            continue
        used_truth.add(ti)
        used_found.add(fi)
        matches.append((overlap, ti, fi))
    return matches


def score_frames(
    expected: Mapping[int, Sequence[Mapping[str, float]]],
    timestamps: Sequence[int],
    elements: Sequence[Mapping[str, Any]],
) -> Score:
    """Like `score`, for hand-labelled truth: boxes by sampled timestamp (absent: nothing there)."""
    by_time: dict[int, list[Mapping[str, float]]] = defaultdict(list)
    for element in elements:
        by_time[int(element["Timestamp"])].append(_box_and_index(element)[0])
    truths = matched = 0
    overlaps: list[float] = []
    for timestamp in timestamps:
        boxes, found = expected.get(timestamp, []), by_time.get(timestamp, [])
        truths += len(boxes)
        for overlap, _ti, _fi in matched_pairs(boxes, found):
            matched += 1
            overlaps.append(overlap)
    detections = sum(len(by_time.get(timestamp, [])) for timestamp in timestamps)
    mean = sum(overlaps) / len(overlaps) if overlaps else 0.0
    return Score(truths, detections, matched, round(mean, 3), 0)
