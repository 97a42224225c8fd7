"""How big each analysis' result elements are: the shapes the cost and ingest benchmarks run on.

    .venv/bin/python -m benchmarks.element_shapes [--elements N]

For every operation the Rekognition fake serves (the pipeline's analyses with their default Start*
options, and face search against a collection of three people), the mean compact-JSON bytes of N
elements as the fake spells numbers (6 digits) and as the service does (float32 printed in full,
`--service-spelling` in collector_ingest.py), next to the elements of AWS's published examples in
tests/data/aws_examples (GetTextDetection, GetSegmentDetection; DetectModerationLabels for the
ModerationLabel shape), which the emulator's tests hold its bodies to. The element's size decides
its write units and compression, so it is what a stand-in row of the cost model must match.
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from video_pipeline.analyses import DEFAULT_PERSON_ENGINE, ENGINES, REGISTRY, Analysis, JobSettings

from benchmarks.packing import service_spelling
from emulator.catalog import by_start
from emulator.face_collections import IndexedFace
from emulator.media import sample_video_bytes
from emulator.mp4 import read_container
from emulator.synthetic import Synthesis
from emulator.video import VideoProfile

EXAMPLES = Path(__file__).resolve().parent.parent / "tests" / "data" / "aws_examples"
# Example file -> (the analysis whose elements it shows, the member holding them).
EXAMPLE_ELEMENTS = {
    "get_face_detection.json": ("faces", "Faces"),
    "get_celebrity_recognition.json": ("celebrities", "Celebrities"),
    "get_label_detection.json": ("labels", "Labels"),
    "get_content_moderation.json": ("moderation", "ModerationLabels"),
    "get_text_detection.json": ("text", "TextDetections"),
    "get_segment_detection.json": ("segments", "Segments"),
    "get_face_search.json": ("face_search", "Persons"),
}
FACE_SEARCH = "face_search"


def _bytes(elements: Iterable[Any]) -> float:
    sizes = [len(json.dumps(element, separators=(",", ":")).encode()) for element in elements]
    return sum(sizes) / max(len(sizes), 1)


def _engine(name: str) -> Analysis:
    """The analysis as a default deployment runs it (person tracking from label detection)."""
    return ENGINES[name][DEFAULT_PERSON_ENGINE] if name in ENGINES else REGISTRY[name]


def _collection() -> tuple[IndexedFace, ...]:
    box = {"Width": 0.25, "Height": 0.35, "Left": 0.4, "Top": 0.2}
    return tuple(
        IndexedFace(
            f"{person:08d}-0000-4000-8000-000000000000",
            f"image-{person}",
            f"person-{person}",
            box,
            99.99,
            bytes([person]),
        )
        for person in range(3)
    )


def synthetic_elements(count: int) -> dict[str, list[Mapping[str, Any]]]:
    """`count` elements of each analysis (fewer where the 10-minute clip holds fewer), as the fake answers."""
    profile = VideoProfile(read_container(io.BytesIO(sample_video_bytes(fps=30.0, seconds=600.0))))
    found: dict[str, list[Mapping[str, Any]]] = {}
    runs: list[tuple[str, str, dict[str, Any], Mapping[str, str], tuple[IndexedFace, ...]]] = [
        (
            name,
            _engine(name).start_operation,
            _engine(name).start_options(JobSettings()),
            _engine(name).get_parameters,
            (),
        )
        for name in REGISTRY
        if name != FACE_SEARCH  # searched against a collection of its own, below
    ]
    runs.append((FACE_SEARCH, "StartFaceSearch", {"CollectionId": "people"}, {"SortBy": "TIMESTAMP"}, _collection()))
    for name, operation, start, get, collection in runs:
        api = by_start(operation)
        source = api.synthesize(Synthesis(7, profile, count, start, collection))
        options = api.get_options(get)
        found[name] = [source.element(index, options) for index in range(min(count, source.count))]
    return found


def example_elements() -> dict[str, list[Mapping[str, Any]]]:
    found = {}
    for file, (name, member) in EXAMPLE_ELEMENTS.items():
        response = json.loads((EXAMPLES / file).read_text())["response"]
        found[name] = list(response[member])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description="Mean element bytes per analysis: the fake's and AWS's examples")
    parser.add_argument("--elements", type=int, default=2000)
    count = parser.parse_args().elements
    examples = example_elements()
    print(f"Result elements, mean compact-JSON bytes ({count:,} synthetic elements per analysis)")
    print(f"{'analysis':<13}{'elements':>9}{'fake':>8}{'service':>9}{'AWS example':>13}{'examples':>10}")
    for name, elements in synthetic_elements(count).items():
        example = examples.get(name)
        shown = f"{_bytes(example):>13.0f}{len(example):>10}" if example else f"{'-':>13}{'-':>10}"
        print(f"{name:<13}{len(elements):>9,}{_bytes(elements):>8.0f}{_bytes(service_spelling(elements)):>9.0f}{shown}")


if __name__ == "__main__":
    main()
