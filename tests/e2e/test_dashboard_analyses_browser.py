"""The video page's panels for labels, moderation, text, shots and technical cues, and the exports, in
headless Chromium against the local read API and the sample tables (`samples/newsroom.mp4` is the
sample every analysis has seen). Screenshots are kept under test-artifacts/ like the other browser tests.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from pathlib import Path
from urllib.parse import quote

import av
import numpy as np
import opentimelineio as otio
import pytest
import requests
from playwright.sync_api import Locator, Page, Route, expect

from local.dashboard_data import EVERY_ANALYSIS_SAMPLE
from local.sample_media import FPS, scenes_video_bytes
from tests.e2e.dashboard_fixtures import screenshot


def _clock(ms: int) -> str:
    """app.js's clock(): m:ss.s."""
    minutes, seconds = divmod(ms / 1000, 60)
    return f"{int(minutes)}:{seconds:04.1f}"


@pytest.fixture(scope="module")
def newsroom(dashboard_url: str) -> dict:
    videos = requests.get(f"{dashboard_url}/api/videos", params={"limit": 100}, timeout=30).json()["items"]
    return next(video for video in videos if video["key"] == EVERY_ANALYSIS_SAMPLE.key)


def detections(dashboard_url: str, video: dict, analysis: str) -> list[dict]:
    path = f"{dashboard_url}/api/videos/{video['video_id']}/analyses/{analysis}/detections"
    return requests.get(path, params={"limit": 1000}, timeout=30).json()["items"]


def canvas_colour(canvas: Locator) -> tuple[float, float, float]:
    """The mean RGB of a thumbnail's picture (its middle, inside any letterbox)."""
    values = canvas.evaluate(
        """(c) => {
          const d = c.getContext("2d").getImageData(c.width / 4, c.height / 4, c.width / 2, c.height / 2).data;
          const sum = [0, 0, 0];
          for (let i = 0; i < d.length; i += 4) { sum[0] += d[i]; sum[1] += d[i + 1]; sum[2] += d[i + 2]; }
          return sum.map((v) => v / (d.length / 4));
        }"""
    )
    return (values[0], values[1], values[2])


@functools.cache
def _sample_frames() -> list[np.ndarray]:
    with av.open(io.BytesIO(scenes_video_bytes())) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def frame_colour(ms: float) -> tuple[float, float, float]:
    """The mean RGB of the same middle region of the sample's frame shown at `ms`."""
    frames = _sample_frames()
    frame = frames[min(int(ms * FPS / 1000), len(frames) - 1)]
    height, width = frame.shape[:2]
    red, green, blue = frame[height // 4 : 3 * height // 4, width // 4 : 3 * width // 4].reshape(-1, 3).mean(axis=0)
    return (float(red), float(green), float(blue))


def test_without_a_playable_video_the_shots_say_why_and_keep_their_placeholders(
    page: Page, dashboard_url: str, newsroom: dict
) -> None:
    page.route("**/local-media/**", lambda route: route.fulfill(status=404, body="gone"))
    segments = [item["data"] for item in detections(dashboard_url, newsroom, "segments")]
    shots = [s for s in segments if s["Type"] == "SHOT"]
    open_video(page, dashboard_url, newsroom)
    section = page.locator("section[data-analysis=segments]")
    expect(section.locator(".thumb-note.error")).to_contain_text("No thumbnails:", timeout=PAGE_LOAD_MS)
    expect(section.locator("canvas.thumb.placeholder")).to_have_count(len(shots))


# The page appears once every analysis' detections are in (seven here, read one request at a time
# from moto): on a loaded machine that takes longer than Playwright's default 5 s.
PAGE_LOAD_MS = 30_000


def open_video(page: Page, dashboard_url: str, video: dict) -> None:
    page.goto(f"{dashboard_url}/")
    page.locator("#videos a.video-link", has_text=video["key"]).click()
    expect(page.locator("#video-title")).to_have_text(video["key"], timeout=PAGE_LOAD_MS)


def test_videos_list_has_a_column_for_every_analysis_the_videos_have(
    page: Page, dashboard_url: str, newsroom: dict
) -> None:
    page.goto(f"{dashboard_url}/")
    headers = page.locator("#videos thead th")
    expect(headers).to_contain_text(["Faces", "Labels", "Moderation flags", "Text on screen", "Shots and cues"])
    row = page.locator("#videos tbody tr", has_text=EVERY_ANALYSIS_SAMPLE.key)
    expect(row.locator("[data-status=SUCCEEDED]")).to_have_count(len(newsroom["analyses"]))
    segments = next(job for job in newsroom["analyses"] if job["analysis"] == "segments")
    expect(row.locator("[data-analysis=segments]")).to_contain_text(f"{segments['detection_count']} detections")
    screenshot(page, "videos-every-analysis")


def test_labels_timeline_has_a_row_per_label_linking_to_its_appearances(
    page: Page, dashboard_url: str, newsroom: dict
) -> None:
    names = {item["data"]["Label"]["Name"] for item in detections(dashboard_url, newsroom, "labels")}
    open_video(page, dashboard_url, newsroom)
    labels = page.locator("section[data-analysis=labels]")
    expect(labels.locator(".lane")).to_have_count(len(names))
    assert set(labels.locator(".lane-name").all_inner_texts()) == names
    # Sightings drawn as spans of time, not ticks.
    expect(labels.locator(".span").first).to_be_visible()
    assert labels.locator(".tick").count() == 0
    screenshot(page, "labels")

    labels.locator("a.lane-name", has_text="Chair").click()
    expect(page).to_have_url(re.compile(r"#/analyses/labels/appearances/Chair$"))
    expect(page.locator("#identity-name")).to_have_text("Chair")
    expect(page.locator("p.muted", has_text="Label ·")).to_be_visible()
    row = page.locator("#appearances tbody tr", has_text=EVERY_ANALYSIS_SAMPLE.key)
    expect(row).to_have_count(1)
    screenshot(page, "label-appearances")
    row.locator("a.video-link").click()
    expect(page.locator("#video-title")).to_have_text(newsroom["key"], timeout=PAGE_LOAD_MS)


def test_moderation_flags_show_parent_and_level_and_filter_by_confidence(
    page: Page, dashboard_url: str, newsroom: dict
) -> None:
    flags = [item["data"]["ModerationLabel"] for item in detections(dashboard_url, newsroom, "moderation")]
    open_video(page, dashboard_url, newsroom)
    moderation = page.locator("section[data-analysis=moderation]")
    rows = moderation.locator("table.flags tbody tr")
    expect(rows).to_have_count(len(flags))
    visible = moderation.locator("table.flags tbody tr:not([hidden])")
    expect(visible).to_have_count(len(flags))  # the filter starts at the lowest confidence
    child = next(flag for flag in flags if flag["ParentName"])
    child_row = visible.filter(has_text=child["Name"]).first
    expect(child_row.locator("td").nth(2)).to_have_text(child["ParentName"])
    expect(child_row.locator("td.level")).to_have_text(f"L{child['TaxonomyLevel']}")
    expect(visible.filter(has_text="(top level)").first.locator("td.level")).to_have_text("L1")

    # Typed into the number box, then moved on the slider: the table follows both.
    moderation.locator("input.confidence-input").fill("70")
    expect(visible).to_have_count(sum(flag["Confidence"] >= 70 for flag in flags))
    expect(moderation.locator(".filter-count")).to_contain_text("at 70% or more")
    assert sum(flag["Confidence"] >= 70 for flag in flags) < len(flags)
    screenshot(page, "moderation-filtered")
    moderation.locator("input[type=range]").fill("90")
    expect(visible).to_have_count(sum(flag["Confidence"] >= 90 for flag in flags))
    expect(moderation.locator("input.confidence-input")).to_have_value("90")


def test_text_search_filters_lines_and_words_and_jumps_to_a_time(
    page: Page, dashboard_url: str, newsroom: dict
) -> None:
    found = detections(dashboard_url, newsroom, "text")
    open_video(page, dashboard_url, newsroom)
    text = page.locator("section[data-analysis=text]")
    shown = text.locator("li.text-row:not([hidden])")
    lines = {
        item["data"]["TextDetection"]["DetectedText"]
        for item in found
        if item["data"]["TextDetection"]["Type"] == "LINE"
    }
    expect(shown).to_have_count(len(lines))  # lines first

    text.locator("input[type=search]").fill("HARBOUR")
    expect(shown).to_have_count(1)
    expect(shown.first.locator(".detected")).to_have_text("Live from the harbour")
    text.locator("select").select_option("WORD")
    expect(shown).to_have_count(1)
    expect(shown.first.locator(".detected")).to_have_text("harbour")
    text.locator("select").select_option("")
    expect(shown).to_have_count(2)

    # A time of the line moves the page there: every timeline's position, and the line is current.
    line = text.locator("li.text-row[data-type=LINE]:not([hidden])")
    time_button = line.locator("button.time").nth(2)
    ms = int(time_button.get_attribute("data-ms") or -1)
    time_button.click()
    expect(page.locator("section[data-analysis=labels] .position")).to_have_text(_clock(ms))
    expect(line).to_have_class(re.compile(r"\bcurrent\b"))
    screenshot(page, "text-search")

    text.locator("input[type=search]").fill("no such caption")
    expect(shown).to_have_count(0)
    expect(text.locator(".notice")).to_have_text("No text matches the search.")


def test_shot_list_shows_timecodes_frames_and_thumbnails(page: Page, dashboard_url: str, newsroom: dict) -> None:
    segments = [item["data"] for item in detections(dashboard_url, newsroom, "segments")]
    shots = sorted((s for s in segments if s["Type"] == "SHOT"), key=lambda s: s["StartFrameNumber"])
    cues = [s for s in segments if s["Type"] == "TECHNICAL_CUE"]
    open_video(page, dashboard_url, newsroom)
    section = page.locator("section[data-analysis=segments]")
    rows = section.locator("table.shots tbody tr")
    expect(rows).to_have_count(len(shots))
    expect(section.locator("table.cues tbody tr")).to_have_count(len(cues))
    second = rows.nth(1)
    expect(second.locator("td.timecode").nth(0)).to_have_text(shots[1]["StartTimecodeSMPTE"])
    expect(second.locator("td.timecode").nth(1)).to_have_text(shots[1]["EndTimecodeSMPTE"])
    expect(second).to_contain_text(f"{shots[1]['StartFrameNumber']}\u2013{shots[1]['EndFrameNumber']}")  # an en dash
    expect(second).to_contain_text(f"{shots[1]['DurationFrames']} frames")
    # Every shot's thumbnail is drawn from the video: its middle frame, the frame of that moment.
    expect(section.locator(".thumb-note")).to_contain_text("each shot's middle frame", timeout=PAGE_LOAD_MS)
    expect(section.locator("canvas.thumb.placeholder")).to_have_count(0)
    expect(section.locator("canvas.thumb")).to_have_count(len(shots))
    for index, shot in enumerate(shots):
        middle = (shot["StartTimestampMillis"] + shot["EndTimestampMillis"]) / 2
        canvas = section.locator("canvas.thumb").nth(index)
        expect(canvas).to_have_attribute("data-frame-ms", str(round(middle)))
        drawn = canvas_colour(canvas)
        expected = frame_colour(middle)
        assert max(abs(a - b) for a, b in zip(drawn, expected, strict=True)) < 12, (index, drawn, expected)
    expect(section.locator(".shot-block")).to_have_count(len(shots))

    # A shot's time moves the page there, and the shot under the playhead is current.
    second.locator("button.time").click()
    expect(second).to_have_class(re.compile(r"\bcurrent\b"))
    expect(rows.first).not_to_have_class(re.compile(r"\bcurrent\b"))
    screenshot(page, "shots")


def test_exports_download_a_csv_and_edls_that_import(page: Page, dashboard_url: str, newsroom: dict) -> None:
    segments = [item["data"] for item in detections(dashboard_url, newsroom, "segments")]
    open_video(page, dashboard_url, newsroom)
    section = page.locator("section[data-analysis=segments]")

    with page.expect_download() as csv_download:
        section.locator("button[data-export=csv]").click()
    assert csv_download.value.suggested_filename == "newsroom-segments.csv"
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text())))
    assert len(rows) == len(segments)
    expect(section.locator(".export-status")).to_have_text("Saved newsroom-segments.csv")

    for button, name, kind in (
        ("shots-edl-1", "newsroom-shots.edl", "SHOT"),
        ("cues-edl", "newsroom-cues.edl", "TECHNICAL_CUE"),
    ):
        with page.expect_download() as edl_download:
            section.locator(f"button[data-export={button}]").click()
        assert edl_download.value.suggested_filename == name
        edl = Path(edl_download.value.path()).read_text()
        timeline = otio.adapters.read_from_string(edl, adapter_name="cmx_3600", rate=newsroom["metadata"]["frame_rate"])
        starts = sorted(clip.source_range.start_time.to_frames() for clip in timeline.find_clips())
        assert starts == sorted(s["StartFrameNumber"] for s in segments if s["Type"] == kind)
    screenshot(page, "exports")


# Results the read API does not hold in the sample tables, served in its shapes by Playwright instead.
_STOOD_IN_VIDEO = "f" * 32


def _job(analysis: str, detections: int, entities: int) -> dict:
    return {
        "analysis": analysis,
        "status": "SUCCEEDED",
        "detection_count": detections,
        "entity_count": entities,
        "started_at": "2026-12-01T00:00:00Z",
    }


def _stand_in(page: Page, dashboard_url: str, job: dict, items: list[dict], more: dict[str, dict]) -> None:
    """A 10-second video with one analysis, its detections, and the other answers in `more` by path."""
    video = {
        "video_id": _STOOD_IN_VIDEO,
        "bucket": "b",
        "key": "samples/staff-meeting.mp4",
        "uploaded_at": "2026-12-01T00:00:00Z",
        "size": 1,
        "analyses": [job],
        "progress": {"finished": 1, "total": 1},
        "metadata": {"duration_ms": 10_000},
    }
    answers = {
        f"/api/videos/{_STOOD_IN_VIDEO}": video,
        f"/api/videos/{_STOOD_IN_VIDEO}/analyses/{job['analysis']}/detections": {"items": items, "cursor": None},
        **more,
    }

    def answer(route: Route) -> None:
        path = route.request.url.split(dashboard_url, 1)[1].split("?", 1)[0]
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answers[path]))

    page.route(f"{dashboard_url}/api/**", answer)


def _detection(ms: int, label: str, element: dict) -> dict:
    return {"timestamp_ms": ms, "video_id": _STOOD_IN_VIDEO, "job_id": "j", "label": label, "data": element}


def _label(ms: int, name: str, end_ms: int | None = None) -> dict:
    element = {"Timestamp": ms, "Label": {"Name": name, "Confidence": 90.0, "Instances": [], "Parents": []}}
    if end_ms is not None:  # GetLabelDetection aggregated by segments
        element |= {"StartTimestampMillis": ms, "EndTimestampMillis": end_ms}
    return _detection(ms, name, element)


def test_label_sightings_join_into_spans_and_segments_keep_their_ends(page: Page, dashboard_url: str) -> None:
    # Sampled every second: Dog at 0-2 s and again at 8 s (two spans); Car aggregated from 3 to 6.5 s.
    labels = [_label(ms, "Dog") for ms in (0, 1000, 2000, 8000)] + [_label(3000, "Car", end_ms=6500)]
    labels += [_label(ms, "Tree") for ms in range(0, 10_000, 1000)]
    _stand_in(page, dashboard_url, _job("labels", len(labels), 3), labels, {})
    page.goto(f"{dashboard_url}/#/videos/{_STOOD_IN_VIDEO}")
    section = page.locator("section[data-analysis=labels]")
    expect(section.locator(".lane")).to_have_count(3)
    spans = {
        name: section.locator(f".track[data-lane={name}] .span").evaluate_all("spans => spans.map(s => s.title)")
        for name in ("Dog", "Car", "Tree")
    }
    assert spans == {
        "Dog": ["Dog: 0:00.0 \u2013 0:02.0", "Dog: 0:08.0 \u2013 0:08.0"],
        "Car": ["Car: 0:03.0 \u2013 0:06.5"],
        "Tree": ["Tree: 0:00.0 \u2013 0:09.0"],
    }


def _person(ms: int, name: str, similarity: float) -> dict:
    """A GetFaceSearch `Persons` element matching the indexed face `name` (its ExternalImageId)."""
    face = {"FaceId": "0b683aed-a0f1-48b2-9b5e-139e9cc2a757", "ExternalImageId": name, "Confidence": 99.9}
    element = {
        "Timestamp": ms,
        "Person": {"Index": 0, "BoundingBox": {"Left": 0.1, "Top": 0.2, "Width": 0.2, "Height": 0.3}},
        "FaceMatches": [{"Similarity": similarity, "Face": face}],
    }
    return _detection(ms, name, element)


def test_face_search_matches_link_across_videos(page: Page, dashboard_url: str) -> None:
    """The panel is written from the read API's shapes; they are stood in for until `face_search` is
    registered (another change) and has sample data."""
    matches = [_person(0, "ana.garcia", 99.1), _person(1000, "ana.garcia", 98.0), _person(2000, "li.wei", 97.5)]
    appearances = {"/api/analyses/face_search/appearances/ana.garcia": {"items": matches[:2], "cursor": None}}
    _stand_in(page, dashboard_url, _job("face_search", len(matches), 2), matches, appearances)
    page.goto(f"{dashboard_url}/#/videos/{_STOOD_IN_VIDEO}")
    section = page.locator("section[data-analysis=face_search]")
    expect(section.locator("h2")).to_have_text("Face search matches")
    expect(section).to_contain_text("2 distinct people")
    assert set(section.locator(".lane-name").all_inner_texts()) == {"ana.garcia", "li.wei"}
    expect(section.locator(".details li").first).to_contain_text("99.1% similar")
    screenshot(page, "face-search")
    section.locator("a.lane-name", has_text="ana.garcia").click()
    expect(page).to_have_url(re.compile(f"#/analyses/face_search/appearances/{quote('ana.garcia')}$"))
    expect(page.locator("#identity-name")).to_have_text("ana.garcia")
    expect(page.locator("p.muted", has_text="Indexed face · 2 appearances in 1 video")).to_be_visible()
