"""Text detections without AWS: the developer guide's example, filters, Ids; the real OCR on a clip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator import assert_conforms
from emulator.text import Line, TextFilters, Word, text_elements
from emulator.vision.analyzers import analyze_file
from emulator.vision.shot_clip import EditSpec, render_edit
from emulator.vision.text import TextAnalyzer

pytestmark = pytest.mark.unit

EXAMPLE = json.loads((Path(__file__).parents[1] / "data" / "aws_examples" / "get_text_detection.json").read_text())


def _points(geometry: dict) -> tuple[tuple[float, float], ...]:
    return tuple((point["X"], point["Y"]) for point in geometry["Polygon"])


def example_line() -> Line:
    """The example's line and words, as an OCR would report them."""
    detections = [element["TextDetection"] for element in EXAMPLE["response"]["TextDetections"]]
    line, words = detections[0], detections[1:]
    found = tuple(Word(word["DetectedText"], word["Confidence"], _points(word["Geometry"])) for word in words)
    return Line(found, line["Confidence"], _points(line["Geometry"]))


def test_the_developer_guides_example_conforms_and_is_reproduced():
    response = EXAMPLE["response"]
    assert_conforms("GetTextDetection", response)
    ours = text_elements(967, [example_line()], TextFilters())
    theirs = response["TextDetections"]
    assert [element["TextDetection"]["DetectedText"] for element in ours] == [
        element["TextDetection"]["DetectedText"] for element in theirs
    ]
    for mine, example in zip(ours, theirs, strict=True):
        assert set(mine["TextDetection"]) == set(example["TextDetection"])
        assert {name: mine["TextDetection"].get(name) for name in ("Type", "Id", "ParentId")} == {
            name: example["TextDetection"].get(name) for name in ("Type", "Id", "ParentId")
        }
        assert mine["TextDetection"]["Geometry"]["BoundingBox"] == pytest.approx(
            example["TextDetection"]["Geometry"]["BoundingBox"], abs=2e-3
        )


@pytest.mark.parametrize(
    ("word_filter", "kept"),
    [
        ({}, ["Twinkle Twinkle Little Star", "Twinkle", "Twinkle", "Little", "Star"]),
        ({"MinConfidence": 99.9}, ["Twinkle Twinkle", "Twinkle", "Twinkle"]),
        ({"MinBoundingBoxWidth": 0.2}, ["Twinkle Twinkle", "Twinkle", "Twinkle"]),
        ({"MinBoundingBoxHeight": 0.2}, []),
    ],
)
def test_the_word_filter_drops_words_and_lines_left_empty(word_filter, kept):
    filters = TextFilters.of({"Filters": {"WordFilter": word_filter}})
    found = text_elements(967, [example_line()], filters)
    assert [element["TextDetection"]["DetectedText"] for element in found] == kept


def test_regions_of_interest_keep_words_centred_inside_them():
    right_half = {
        "Filters": {"RegionsOfInterest": [{"BoundingBox": {"Left": 0.5, "Top": 0, "Width": 0.5, "Height": 1}}]}
    }
    found = text_elements(0, [example_line()], TextFilters.of(right_half))
    assert [element["TextDetection"]["DetectedText"] for element in found] == ["Little Star", "Little", "Star"]
    assert [element["TextDetection"]["Id"] for element in found] == [0, 1, 2]
    polygon = {
        "Filters": {"RegionsOfInterest": [{"Polygon": [{"X": 0, "Y": 0}, {"X": 0.3, "Y": 0}, {"X": 0.3, "Y": 1}]}]}
    }
    assert [
        element["TextDetection"]["DetectedText"]
        for element in text_elements(0, [example_line()], TextFilters.of(polygon))
    ] == [
        "Twinkle",
        "Twinkle",
    ]


def test_the_real_ocr_reads_the_captions_of_a_clip(tmp_path):
    path = tmp_path / "captions.mp4"
    render_edit(
        path, EditSpec(shots=(25, 25), black=(0, 0), width=640, height=360, captions=("BREAKING NEWS", "OPEN 24 HOURS"))
    )
    found = analyze_file(TextAnalyzer(), "StartTextDetection", path, params={})
    lines = {
        (element["Timestamp"], element["TextDetection"]["DetectedText"])
        for element in found
        if element["TextDetection"]["Type"] == "LINE"
    }
    assert lines == {(0, "BREAKING NEWS"), (1000, "OPEN 24 HOURS")}
    words = [element["TextDetection"] for element in found if element["TextDetection"]["Type"] == "WORD"]
    assert [word["DetectedText"] for word in words] == ["BREAKING", "NEWS", "OPEN", "24", "HOURS"]
    assert all(word["ParentId"] == 0 and word["Confidence"] >= 80 for word in words)
    # Captions are drawn on the upper third: their boxes say so, in frame ratios.
    assert all(0.15 < word["Geometry"]["BoundingBox"]["Top"] < 0.34 for word in words)
