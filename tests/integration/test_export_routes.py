"""The shot list export routes on HTTP API events: CSV and CMX 3600 files that tools read back, clear 4xx."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import opentimelineio as otio
import pytest

from in_process.lambda_runtime import FakeLambdaContext
from local.dashboard import LocalDashboard, local_dashboard
from local.dashboard_data import EVERY_ANALYSIS_SAMPLE
from local.http_api import http_api_event
from local.sample_media import FPS


@pytest.fixture(scope="module")
def dashboard() -> Iterator[LocalDashboard]:
    with local_dashboard() as running:
        yield running


@pytest.fixture(scope="module")
def video_id(dashboard: LocalDashboard) -> str:
    videos = dashboard.harness.all_videos()
    return next(video.video_id for video in videos if video.key == EVERY_ANALYSIS_SAMPLE.key)


@pytest.fixture(scope="module")
def stored_segments(dashboard: LocalDashboard, video_id: str) -> list[dict]:
    return [item.data for item in dashboard.harness.repository.detections(video_id, "segments", limit=1000).items]


def call(dashboard: LocalDashboard, path: str, query: str = "") -> dict:
    return dashboard.app.handler(http_api_event("GET", path, query, {}, b""), FakeLambdaContext())


def test_csv_lists_every_shot_and_cue_as_a_named_attachment(dashboard, video_id, stored_segments) -> None:
    response = call(dashboard, f"/videos/{video_id}/segments.csv")
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "text/csv; charset=utf-8"
    assert response["headers"]["Content-Disposition"] == 'attachment; filename="newsroom-segments.csv"'
    rows = list(csv.DictReader(io.StringIO(response["body"])))
    assert len(rows) == len(stored_segments)
    shots = [row for row in rows if row["type"] == "SHOT"]
    by_start = {element["StartFrameNumber"]: element for element in stored_segments if element["Type"] == "SHOT"}
    for row in shots:
        # The timecodes computed for the export are the ones Rekognition reported.
        assert row["start_timecode"] == by_start[int(row["start_frame"])]["StartTimecodeSMPTE"]
    assert {row["name"] for row in rows if row["type"] == "TECHNICAL_CUE"} >= {"BlackFrames"}

    only_shots = call(dashboard, f"/videos/{video_id}/segments.csv", "segment_type=SHOT")
    assert len(list(csv.DictReader(io.StringIO(only_shots["body"])))) == len(shots)


@pytest.mark.parametrize(("segment_type", "name"), [("SHOT", "shots"), ("TECHNICAL_CUE", "cues")])
def test_edl_imports_as_one_clip_per_segment(dashboard, video_id, stored_segments, segment_type, name) -> None:
    response = call(dashboard, f"/videos/{video_id}/segments.edl", f"segment_type={segment_type}")
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "text/plain; charset=us-ascii"
    assert response["headers"]["Content-Disposition"] == f'attachment; filename="newsroom-{name}.edl"'
    edl = response["body"]
    assert edl.startswith(f"TITLE: {EVERY_ANALYSIS_SAMPLE.key} {name}\r\nFCM: NON-DROP FRAME\r\n")
    timeline = otio.adapters.read_from_string(edl, adapter_name="cmx_3600", rate=FPS)  # the video's own
    starts = [clip.source_range.start_time.to_frames() for clip in timeline.find_clips()]
    expected = [element["StartFrameNumber"] for element in stored_segments if element["Type"] == segment_type]
    assert sorted(starts) == sorted(expected)
    assert {clip.name for clip in timeline.find_clips()} == {"newsroom.mp4"}


@pytest.mark.parametrize(
    ("path", "query", "status", "message"),
    [
        ("/videos/{other}/segments.csv", "", 404, "has no segments analysis"),
        ("/videos/" + "0" * 32 + "/segments.edl", "", 404, "no video"),
        ("/videos/{video}/segments.edl", "part=2", 400, "part 2 does not exist: this EDL has 1 part (1-1)"),
    ],
)
def test_what_cannot_be_exported_gets_a_clear_4xx(dashboard, video_id, path, query, status, message) -> None:
    other = next(video.video_id for video in dashboard.harness.all_videos() if video.key.endswith("red-carpet.mp4"))
    response = call(dashboard, path.format(video=video_id, other=other), query)
    assert response["statusCode"] == status
    assert message in json.loads(response["body"])["message"]


@pytest.mark.parametrize(("query", "parameter"), [("part=0", "part"), ("segment_type=SCENE", "segment_type")])
def test_bad_parameters_are_named(dashboard, video_id, query, parameter) -> None:
    response = call(dashboard, f"/videos/{video_id}/segments.edl", query)
    assert response["statusCode"] == 422
    assert json.loads(response["body"])["detail"][0]["loc"] == ["query", parameter]
