"""Person tracking from label detection: MOT quality against generated ground truth, and cost.

    .venv/bin/python -m benchmarks.person_tracking [--quick]

Scenes of walkers (emulator/crowd.py: crossing paths, people hidden behind nearer people, missed
detections, jittered boxes, false detections, people entering and leaving at edges and doorways)
become GetLabelDetection results for the Person label, paged 1,000 elements at a time through the
collector's own result stream (tracker included). The tracks it stores are scored against the
walkers with py-motmetrics (IoU >= 0.5 counts as a match): IDF1, MOTA, identity switches, and how
many stored tracks were seen at one instant only (the tracker keeps those rather than drop them). Also
printed: the tracker's time per 1,000 detections and the size it adds to the Lambda package.
Figures are quoted in docs/person-tracking.md; tests/unit/test_person_tracking_quality.py holds the
floor.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy

# py-motmetrics 1.4.0 (its latest release) still calls numpy.asfarray, which numpy 2 removed; the
# local run's OpenCV needs numpy 2. This restores exactly the removed function for that one library.
if not hasattr(numpy, "asfarray"):
    numpy.asfarray = lambda values, dtype=numpy.float64: numpy.asarray(values, dtype=dtype)  # type: ignore[attr-defined]

import motmetrics as mm
from video_pipeline.analyses import PERSON_LABEL_MIN_CONFIDENCE
from video_pipeline.logic import result_streams, tracking
from video_pipeline.logic.result_streams import PersonsFromLabels

from emulator.crowd import Crowd, instances

PAGE_SIZE = 1000
# Rekognition Video reports about five instants a second at most (emulator/video.py).
SAMPLE_INTERVAL_MS = 200
SCENE_MS = 120_000
SEEDS = tuple(range(1, 11))
METRICS = ("idf1", "mota", "num_switches", "motp", "mostly_tracked", "mostly_lost", "num_objects")


@dataclass(frozen=True, slots=True)
class Scene:
    crowd: Crowd
    timestamps: tuple[int, ...]

    def label_elements(self) -> list[dict[str, Any]]:
        """GetLabelDetection's Labels for the Person filter: one element per instant where someone is seen."""
        elements = []
        for timestamp in self.timestamps:
            found = instances(self.crowd, timestamp, PERSON_LABEL_MIN_CONFIDENCE)
            if found:
                confidence = max(float(str(instance["Confidence"])) for instance in found)
                label = {"Name": "Person", "Confidence": confidence, "Instances": found, "Parents": []}
                elements.append({"Timestamp": timestamp, "Label": label})
        return elements


def scenes(seeds: tuple[int, ...] = SEEDS, duration_ms: int = SCENE_MS) -> list[Scene]:
    timestamps = tuple(range(0, duration_ms, SAMPLE_INTERVAL_MS))
    return [Scene(Crowd(seed, duration_ms), timestamps) for seed in seeds]


def track(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Person elements the collector would store, paging as it does."""
    stream = PersonsFromLabels()
    stored: list[dict[str, Any]] = []
    for start in range(0, len(elements), PAGE_SIZE):
        stored.extend(dict(element) for element in stream.feed(elements[start : start + PAGE_SIZE]))
    stored.extend(dict(element) for element in stream.finish())
    return stored


def _box(box: dict[str, float]) -> list[float]:
    return [box["Left"], box["Top"], box["Width"], box["Height"]]


def accumulate(scene: Scene, stored: list[dict[str, Any]]) -> mm.MOTAccumulator:
    hypotheses: dict[int, list[tuple[int, list[float]]]] = defaultdict(list)
    for element in stored:
        person = element["Person"]
        hypotheses[element["Timestamp"]].append((person["Index"], _box(person["BoundingBox"])))
    accumulator = mm.MOTAccumulator(auto_id=True)
    for timestamp in scene.timestamps:
        truth = scene.crowd.truth(timestamp)
        found = hypotheses.get(timestamp, [])
        distances = mm.distances.iou_matrix([list(box) for _, box in truth], [box for _, box in found], max_iou=0.5)
        accumulator.update([ident for ident, _ in truth], [index for index, _ in found], distances)
    return accumulator


def single_sighting_tracks(stored: list[dict[str, Any]]) -> int:
    """Stored indexes seen at one instant only."""
    instants: dict[int, set[int]] = defaultdict(set)
    for element in stored:
        instants[element["Person"]["Index"]].add(element["Timestamp"])
    return sum(1 for seen in instants.values() if len(seen) == 1)


def evaluate(all_scenes: list[Scene]) -> dict[str, float]:
    """Overall MOT metrics of the tracker over the scenes, plus the single-sighting tracks stored."""
    stored = [track(scene.label_elements()) for scene in all_scenes]
    accumulators = [accumulate(scene, elements) for scene, elements in zip(all_scenes, stored, strict=True)]
    names = [f"seed{scene.crowd.seed}" for scene in all_scenes]
    summary = mm.metrics.create().compute_many(accumulators, metrics=list(METRICS), names=names, generate_overall=True)
    figures = {metric: float(summary.loc["OVERALL", metric]) for metric in METRICS}
    figures["single_sighting_tracks"] = float(sum(single_sighting_tracks(elements) for elements in stored))
    figures["tracks"] = float(sum(len({e["Person"]["Index"] for e in elements}) for elements in stored))
    return figures


def time_per_thousand(all_scenes: list[Scene], rounds: int = 3) -> tuple[float, int]:
    """Best-of-rounds milliseconds the result stream (tracker included) takes per 1,000 detections."""
    elements = [scene.label_elements() for scene in all_scenes]
    detections = sum(len(element["Label"]["Instances"]) for scene in elements for element in scene)
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for scene in elements:
            track(scene)
        best = min(best, time.perf_counter() - began)
    return best / detections * 1000 * 1000, detections


def package_bytes() -> int:
    """What the tracker adds to the Lambda bundle: its two modules, no third-party dependency."""
    return sum(Path(module.__file__ or "").stat().st_size for module in (tracking, result_streams))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="three scenes instead of ten")
    options = parser.parse_args()
    all_scenes = scenes(SEEDS[:3] if options.quick else SEEDS)
    figures = evaluate(all_scenes)
    walkers = sum(len(scene.crowd.walkers) for scene in all_scenes)
    print(
        f"{len(all_scenes)} scenes x {SCENE_MS // 1000} s at {1000 // SAMPLE_INTERVAL_MS} instants/s, "
        f"{walkers} walkers, {int(figures['num_objects'])} ground-truth boxes"
    )
    print(
        f"IDF1 {figures['idf1']:.3f}  MOTA {figures['mota']:.3f}  ID switches {int(figures['num_switches'])}  "
        f"MOTP (1-IoU) {figures['motp']:.3f}  mostly tracked {int(figures['mostly_tracked'])}/{walkers}  "
        f"mostly lost {int(figures['mostly_lost'])}"
    )
    print(
        f"tracks stored {int(figures['tracks'])}, of which seen at one instant only "
        f"{int(figures['single_sighting_tracks'])}"
    )
    milliseconds, detections = time_per_thousand(all_scenes)
    print(f"tracker: {milliseconds:.2f} ms per 1,000 detections ({detections} detections timed, best of 3)")
    print(f"package: {package_bytes()} bytes of source (tracking.py + result_streams.py), no dependencies")


if __name__ == "__main__":
    main()
