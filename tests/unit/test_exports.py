"""Shot list exports: SMPTE timecodes (drop frame too), CSV, and CMX 3600 EDLs that an EDL reader imports.

The import is OpenTimelineIO's CMX 3600 adapter (otio-cmx3600-adapter), the reader editing pipelines
use; the event lines are also checked against the format's columns directly.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import opentimelineio as otio
import pytest
from video_pipeline.logic.exports import (
    CSV_COLUMNS,
    EDL_EVENT_LIMIT,
    ExportError,
    Segment,
    Timebase,
    edl_part_count,
    segments_csv,
    segments_edl,
    segments_of,
)

from emulator.segments import Span, segment_elements, shots_between
from emulator.timecode import FrameRate

NTSC = 30000 / 1001
# CMX 3600: event number, reel, channels, transition, source in/out, record in/out.
EVENT_LINE = re.compile(
    r"^(\d{3})  (\S{1,8}) +(V|A|B|AA|AA/V|A2) +(C) +"
    r"(\d\d:\d\d:\d\d[:;]\d\d) (\d\d:\d\d:\d\d[:;]\d\d) (\d\d:\d\d:\d\d[:;]\d\d) (\d\d:\d\d:\d\d[:;]\d\d)$"
)


@pytest.mark.parametrize(
    ("fps", "frame", "timecode"),
    [
        (25.0, 0, "00:00:00:00"),
        (25.0, 25 * 3600 + 24, "01:00:00:24"),
        (24000 / 1001, 24 * 60, "00:01:00:00"),  # 23.976 counts 24 frames a second, no drop frame
        (NTSC, 1799, "00:00:59;29"),
        (NTSC, 1800, "00:01:00;02"),  # numbers ;00 and ;01 skipped at the minute
        (NTSC, 17982, "00:10:00;00"),  # ...but not at every tenth minute
        (NTSC, 107892, "01:00:00;00"),  # an hour of 29.97 video keeps pace with the clock
        (60000 / 1001, 3600, "00:01:00;04"),  # 59.94 skips four numbers
    ],
)
def test_timecodes_count_frames_and_drop_frame_numbers_at_ntsc_rates(fps: float, frame: int, timecode: str) -> None:
    assert Timebase(fps).timecode(frame) == timecode


@pytest.mark.parametrize("fps", [23.976, 24.0, 25.0, NTSC, 30.0, 50.0, 60000 / 1001, 60.0])
def test_timecodes_match_the_ones_rekognition_writes(fps: float) -> None:
    # The emulator's GetSegmentDetection writes timecodes as the service documents them.
    service = FrameRate(fps)
    ours = Timebase(fps)
    for frame in (*range(0, 4000, 7), 17981, 17982, 17983, 107891, 107892, 215784):
        assert ours.timecode(frame) == service.timecode(frame), frame


def test_one_hour_of_record_offset_is_an_hour_of_timecode() -> None:
    for fps in (25.0, NTSC, 60000 / 1001, 24.0):
        timebase = Timebase(fps)
        assert timebase.timecode(timebase.frames_in(1)).replace(";", ":") == "01:00:00:00"


@pytest.mark.parametrize("fps", [0.0, -25.0, float("nan"), 5000.0])
def test_an_impossible_frame_rate_is_refused_with_a_reason(fps: float) -> None:
    with pytest.raises(ExportError, match="frame rate"):
        Timebase(fps)


def _stored_segments(fps: float, cuts: list[int], frames: int) -> list[dict[str, object]]:
    """GetSegmentDetection elements as the emulator (following the API reference) writes them."""
    spans = shots_between(cuts, frames, [90.0] * len(cuts))
    spans.append(Span("TECHNICAL_CUE", 0, 11, 99.0, "BlackFrames"))
    return segment_elements(spans, FrameRate(fps), {"SegmentTypes": ["SHOT", "TECHNICAL_CUE"]})


def test_csv_lists_shots_and_cues_with_timecodes_frames_and_times() -> None:
    timebase = Timebase(NTSC)
    elements = _stored_segments(NTSC, [1800, 3600], 5400)
    rows = list(csv.DictReader(io.StringIO(segments_csv(segments_of(elements, timebase), timebase))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(row["type"], row["name"]) for row in rows] == [
        ("SHOT", "Shot 0"),
        ("TECHNICAL_CUE", "BlackFrames"),
        ("SHOT", "Shot 1"),
        ("SHOT", "Shot 2"),
    ]
    second = rows[2]
    assert (second["start_timecode"], second["start_frame"], second["end_frame"]) == ("00:01:00;02", "1800", "3599")
    assert second["duration_frames"] == "1800"
    # The same start as Rekognition's own StartTimecodeSMPTE for that shot.
    assert second["start_timecode"] == next(
        element["StartTimecodeSMPTE"] for element in elements if element.get("StartFrameNumber") == 1800
    )


def test_shots_only_when_asked() -> None:
    timebase = Timebase(25.0)
    segments = segments_of(_stored_segments(25.0, [50], 100), timebase, types=("SHOT",))
    assert [segment.name for segment in segments] == ["Shot 0", "Shot 1"]


def test_a_segment_without_frame_numbers_takes_them_from_its_times() -> None:
    element = {"Type": "SHOT", "StartTimestampMillis": 2000, "EndTimestampMillis": 3960, "ShotSegment": {"Index": 4}}
    (segment,) = segments_of([element], Timebase(25.0))
    assert (segment.first_frame, segment.last_frame) == (50, 99)


@dataclass(frozen=True)
class ImportedClip:
    name: str
    source_start: int
    frames: int
    record_start: int  # in the imported timeline, whose start is the first record in


def _imported(edl: str, fps: float) -> list[ImportedClip]:
    timeline = otio.adapters.read_from_string(edl, adapter_name="cmx_3600", rate=fps)
    return [
        ImportedClip(
            clip.name,
            clip.source_range.start_time.to_frames(),
            clip.source_range.duration.to_frames(),
            clip.range_in_parent().start_time.to_frames(),
        )
        for clip in timeline.find_clips()
    ]


@pytest.mark.parametrize("fps", [25.0, NTSC])
def test_the_edl_imports_as_one_clip_per_shot_at_its_frames(fps: float) -> None:
    timebase = Timebase(fps)
    cuts = [700, 1800, 2400, 20000]  # past the tenth minute at 29.97, where drop frame resumes counting
    segments = segments_of(_stored_segments(fps, cuts, 21000), timebase, types=("SHOT",))
    edl = segments_edl(segments, timebase, title="samples/news.mp4 shots", clip="news.mp4")

    lines = edl.split("\r\n")
    assert lines[0] == "TITLE: samples/news.mp4 shots"
    assert lines[1] == ("FCM: DROP FRAME" if timebase.drop_frame else "FCM: NON-DROP FRAME")
    events = [EVENT_LINE.match(line) for line in lines if line[:3].isdigit()]
    assert all(events) and len(events) == len(segments)
    assert [int(event.group(1)) for event in events if event] == list(range(1, len(segments) + 1))

    clips = _imported(edl, fps)
    assert [clip.name for clip in clips] == ["news.mp4"] * len(segments)
    for clip, segment in zip(clips, segments, strict=True):
        assert (clip.source_start, clip.frames) == (segment.first_frame, segment.frames)
        # Each shot sits at its own time in the program: the record side is the source, an hour later.
        assert clip.record_start == segment.first_frame


def test_over_999_events_the_edl_comes_in_parts_each_importable() -> None:
    timebase = Timebase(25.0)
    segments = [Segment("SHOT", f"Shot {i}", i * 2, i * 2 + 1, i * 80, i * 80 + 79, 80.0) for i in range(1500)]
    assert edl_part_count(segments) == 2
    first = segments_edl(segments, timebase, title="long.mp4", clip="long.mp4", part=1)
    second = segments_edl(segments, timebase, title="long.mp4", clip="long.mp4", part=2)
    assert first.startswith("TITLE: long.mp4 (part 1 of 2)")
    assert len(_imported(first, 25.0)) == EDL_EVENT_LIMIT
    clips = _imported(second, 25.0)
    assert len(clips) == 1500 - EDL_EVENT_LIMIT
    assert clips[0].source_start == EDL_EVENT_LIMIT * 2
    with pytest.raises(ExportError, match="part 3 does not exist: this EDL has 2 parts"):
        segments_edl(segments, timebase, title="long.mp4", clip="long.mp4", part=3)


def test_an_empty_shot_list_is_one_valid_edl_without_events() -> None:
    edl = segments_edl([], Timebase(25.0), title="empty.mp4", clip="empty.mp4")
    assert edl_part_count([]) == 1
    assert _imported(edl, 25.0) == []


def test_names_outside_seven_bit_text_are_made_safe() -> None:
    segment = Segment("SHOT", "Shot 0", 0, 9, 0, 400, 90.0)
    edl = segments_edl([segment], Timebase(25.0), title="café\nTITLE: x", clip="über.mp4")
    assert edl.split("\r\n")[:2] == ["TITLE: caf__TITLE: x", "FCM: NON-DROP FRAME"]
    assert "* FROM CLIP NAME: _ber.mp4" in edl
