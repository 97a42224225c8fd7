"""Segments without AWS: timecodes, the developer guide's example, filters and order, the real analyzer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator import assert_conforms
from emulator.segments import SHOT, TECHNICAL_CUE, Span, segment_elements, selected_segment_types, shots_between
from emulator.timecode import FrameRate
from emulator.vision.analyzers import analyze_file
from emulator.vision.shot_clip import EditSpec, render_edit
from emulator.vision.shots import SegmentAnalyzer

pytestmark = pytest.mark.unit

EXAMPLE = json.loads((Path(__file__).parents[1] / "data" / "aws_examples" / "get_segment_detection.json").read_text())
NTSC = FrameRate(30000 / 1001)


def frame_of(timecode: str, fps: int) -> int:
    hours, minutes, seconds, frames = (int(part) for part in timecode.replace(";", ":").split(":"))
    return ((hours * 60 + minutes) * 60 + seconds) * fps + frames


@pytest.mark.parametrize(
    ("rate", "frame", "timecode"),
    [
        (FrameRate(24), 697, "00:00:29:01"),
        (FrameRate(25), 25 * 3600, "01:00:00:00"),
        (NTSC, 1799, "00:00:59;29"),
        (NTSC, 1800, "00:01:00;02"),  # frame numbers 00 and 01 of minute 1 are dropped
        (NTSC, 17982, "00:10:00;00"),  # ... but not those of every tenth minute
        (NTSC, 107892, "01:00:00;00"),  # drop-frame keeps pace with the clock: an hour is an hour
        (FrameRate(60000 / 1001), 3600, "00:01:00;04"),
        (FrameRate(30), 1800, "00:01:00:00"),
    ],
)
def test_timecodes_count_frames_and_drop_numbers_at_ntsc_rates(rate, frame, timecode):
    assert rate.timecode(frame) == timecode


def test_a_frame_rate_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        FrameRate(0)


def test_the_developer_guides_example_conforms_and_is_reproduced_from_its_frames():
    response = EXAMPLE["response"]
    assert_conforms("GetSegmentDetection", response)
    rate = FrameRate(response["VideoMetadata"][0]["FrameRate"])
    shots = [segment for segment in response["Segments"] if segment["Type"] == SHOT]
    # The example's shots, as the frame spans their timecodes name.
    spans = [
        Span(SHOT, frame_of(shot["StartTimecodeSMPTE"], 24), frame_of(shot["EndTimecodeSMPTE"], 24), 90.0)
        for shot in shots
    ]
    ours = segment_elements(spans, rate, {"SegmentTypes": [SHOT]})
    timing = (
        "StartTimestampMillis",
        "EndTimestampMillis",
        "DurationMillis",
        "StartTimecodeSMPTE",
        "EndTimecodeSMPTE",
        "DurationSMPTE",
    )
    assert [{name: segment[name] for name in timing} for segment in ours] == [
        {name: shot[name] for name in timing} for shot in shots
    ]
    assert [segment["ShotSegment"]["Index"] for segment in ours] == list(range(len(shots)))
    # Every member the example shows, ours has too (ours adds the frame numbers of the newer API).
    assert all(set(shot) <= set(segment) for shot, segment in zip(shots, ours, strict=True))


def test_filters_order_and_shot_numbers():
    spans = [
        Span(TECHNICAL_CUE, 0, 9, 99.0, "BlackFrames"),
        *shots_between([10, 40, 70], 100, [95.0, 60.0, 90.0]),
    ]
    params = {"SegmentTypes": ["SHOT", "TECHNICAL_CUE"], "Filters": {"ShotFilter": {"MinSegmentConfidence": 80}}}
    found = segment_elements(spans, FrameRate(25), params)
    assert [segment["Type"] for segment in found] == [SHOT, SHOT, TECHNICAL_CUE]
    # The shots either side of the weak cut at frame 40 fall below 80%; the rest are renumbered from 0.
    assert [(segment["StartFrameNumber"], segment["ShotSegment"]["Index"]) for segment in found[:2]] == [
        (0, 0),
        (70, 1),
    ]
    assert found[2]["DurationFrames"] == 10 and found[2]["EndFrameNumber"] == 9
    assert selected_segment_types(params) == [
        {"Type": "SHOT", "ModelVersion": "1.0"},
        {"Type": "TECHNICAL_CUE", "ModelVersion": "1.0"},
    ]
    only_cues = segment_elements(spans, FrameRate(25), {"SegmentTypes": ["TECHNICAL_CUE"]})
    assert [segment["Type"] for segment in only_cues] == [TECHNICAL_CUE]


def test_a_span_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="first frame"):
        Span(SHOT, 5, 4, 90.0)


SHOTS_AND_CUES = {"SegmentTypes": ["SHOT", "TECHNICAL_CUE"]}


@pytest.fixture(scope="module")
def edit(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("edits") / "edit.mp4"
    return path, render_edit(path)


@pytest.fixture(scope="module")
def dark_edit(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("edits") / "dark.mp4"
    return path, render_edit(path, EditSpec(black_level=30))


def test_the_real_analyzer_finds_every_cut_and_black_run(edit):
    path, truth = edit
    found = analyze_file(SegmentAnalyzer(), "StartSegmentDetection", path, params=SHOTS_AND_CUES)
    shots = [segment for segment in found if segment["Type"] == SHOT]
    cues = [segment for segment in found if segment["Type"] == TECHNICAL_CUE]
    assert [shot["StartFrameNumber"] for shot in shots[1:]] == list(truth.cuts)
    assert shots[-1]["EndFrameNumber"] == truth.frames - 1
    assert [(cue["StartFrameNumber"], cue["EndFrameNumber"]) for cue in cues] == list(truth.black_runs)
    assert {cue["TechnicalCueSegment"]["Type"] for cue in cues} == {"BlackFrames"}
    assert all(segment["StartTimecodeSMPTE"].count(":") == 3 for segment in found)  # 25 fps: no drop frames


def test_the_black_frame_filter_decides_what_is_black(dark_edit):
    path, truth = dark_edit

    def cues(black_frame):
        params = {"SegmentTypes": ["TECHNICAL_CUE"], "Filters": {"TechnicalCueFilter": {"BlackFrame": black_frame}}}
        return analyze_file(SegmentAnalyzer(), "StartSegmentDetection", path, params=params)

    # A dark grey (luma about 42 of 16-235) is black under the default 20% threshold (up to 59.8) ...
    assert [(cue["StartFrameNumber"], cue["EndFrameNumber"]) for cue in cues({})] == list(truth.black_runs)
    # ... and not under a 10% one (up to 37.9).
    assert cues({"MaxPixelThreshold": 0.1}) == []


def test_a_minimum_confidence_of_one_hundred_keeps_only_certain_segments(edit):
    path, _ = edit
    params = {**SHOTS_AND_CUES, "Filters": {"ShotFilter": {"MinSegmentConfidence": 100}}}
    found = analyze_file(SegmentAnalyzer(), "StartSegmentDetection", path, params=params)
    assert all(segment["ShotSegment"]["Confidence"] == 100 for segment in found if segment["Type"] == SHOT)
