"""The local report's sections, rendered from detections as the repository returns them."""

from __future__ import annotations

from typing import Any

from video_pipeline.models import Detection, JobStatus, JobSummary

from local.report_frames import detection_boxes
from local.report_sections import ROWS_PER_TABLE, AnalysisView, frame_timestamps, section_html, still_timestamps


def view(name: str, elements: list[tuple[int, dict[str, Any]]], duration_ms: int = 4000) -> AnalysisView:
    job = JobSummary(
        video_id="v",
        analysis=name,
        status=JobStatus.SUCCEEDED,
        started_at="2026-12-01T00:00:00Z",
        job_id="j",
        detection_count=len(elements),
        video_metadata={"DurationMillis": duration_ms},
    )
    return AnalysisView(name, job, [Detection("j", "v", timestamp, data) for timestamp, data in elements])


def shot(index: int, start: int, end: int, first: int, last: int) -> dict[str, Any]:
    return {
        "Type": "SHOT",
        "StartTimestampMillis": start,
        "EndTimestampMillis": end,
        "DurationMillis": end - start,
        "StartTimecodeSMPTE": f"00:00:0{start // 1000}:00",
        "EndTimecodeSMPTE": f"00:00:0{end // 1000}:00",
        "DurationSMPTE": f"00:00:0{(end - start) // 1000}:00",
        "StartFrameNumber": first,
        "EndFrameNumber": last,
        "DurationFrames": last - first + 1,
        "ShotSegment": {"Index": index, "Confidence": 99.5},
    }


def test_an_analysis_the_report_does_not_know_gets_its_counts_and_nothing_it_cannot_read():
    face_search = view("face_search", [(0, {"Person": {"Index": 0}, "FaceMatches": []}), (500, {"Anything": 1})])
    html = section_html(face_search)
    assert 'data-analysis="face_search"' in html and 'data-count="2"' in html
    assert "<svg" not in html and "<table" not in html
    assert frame_timestamps(face_search) == [] and still_timestamps(face_search) == []
    assert detection_boxes("face_search", {"Anything": 1}) == ([], "face_search")


def test_shots_are_listed_with_timecodes_frames_durations_and_their_stills():
    segments = view("segments", [(0, shot(0, 0, 2000, 0, 49)), (2000, shot(1, 2000, 4000, 50, 99))])
    assert still_timestamps(segments) == [1000, 3000]  # each shot's middle
    segments.stills = {1000: "data:image/jpeg;base64,AAAA"}
    html = section_html(segments)
    assert '<td>0</td><td><img class="still" src="data:image/jpeg;base64,AAAA"' in html
    assert "<td>1</td><td></td>" in html  # no still decoded for it: the row stays, without one
    assert "<td>50 to 99</td><td>00:00:02:00 (2.00 s, 50 frames)</td><td>99.5%</td>" in html
    assert html.count('class="mark shot-0"') == 1 and html.count('class="mark shot-1"') == 1
    assert 'width="500.0"' in html  # each shot's span is as long as the shot: half the video
    assert "cues" not in html  # no technical cue, no cue row or table


def test_a_label_draws_every_instance_and_moderation_none():
    label = {"Name": "Car", "Confidence": 91.0, "Instances": [{"BoundingBox": {"Left": 0.1}, "Confidence": 90.2}] * 2}
    boxes, caption = detection_boxes("labels", {"Label": label})
    assert len(boxes) == 2 and boxes[0][1] == "Car 90%" and caption == "Car 91%"
    flag = {"ModerationLabel": {"Name": "Smoking", "Confidence": 70.4, "ParentName": "Tobacco", "TaxonomyLevel": 2}}
    assert detection_boxes("moderation", flag) == ([], "Smoking 70%")


def test_text_frames_show_lines_and_words_are_counted():
    line = {"Type": "LINE", "DetectedText": "OPEN", "Confidence": 99.0, "Geometry": {"BoundingBox": {"Left": 0.1}}}
    word = {**line, "Type": "WORD", "ParentId": 0}
    text = view("text", [(1000, {"TextDetection": line}), (1000, {"TextDetection": word}), (2000, {"Word": 1})])
    assert frame_timestamps(text) == [1000]  # only where a line has a box
    html = section_html(text)
    assert "1 line and 2 words read" in html and '<span class="text-line">OPEN</span>' in html


def test_moderation_says_its_caveat_above_the_flags():
    flag = {"ModerationLabel": {"Name": "Smoking", "Confidence": 70.4, "ParentName": "Tobacco", "TaxonomyLevel": 2}}
    html = section_html(view("moderation", [(0, flag)]), "moderation: synthetic labels")
    assert html.index('<p class="note stated">moderation: synthetic labels') < html.index('class="flags"')
    assert "<td>0.00 s</td><td>Smoking</td><td>Tobacco</td><td>2</td><td>70.4%</td>" in html
    # Other analyses' caveats are said only when there is nothing else to show.
    assert "stated" not in section_html(view("faces", [(0, {"Face": {}})]), "faces: dlib")


def test_long_tables_stop_at_their_row_limit_and_say_how_many_more():
    flag = {"ModerationLabel": {"Name": "Smoking", "Confidence": 70.4, "ParentName": "Tobacco", "TaxonomyLevel": 2}}
    html = section_html(view("moderation", [(number, flag) for number in range(ROWS_PER_TABLE + 2)]))
    assert html.count("<td>Smoking</td>") == ROWS_PER_TABLE and "and 2 more</p>" in html
