"""The read API handler on HTTP API events: answers, pagination and clear errors for bad input."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from in_process.lambda_runtime import FakeLambdaContext
from local.dashboard import LocalDashboard, local_dashboard
from local.http_api import http_api_event


@pytest.fixture(scope="module")
def dashboard() -> Iterator[LocalDashboard]:
    with local_dashboard() as running:
        yield running


def get(dashboard: LocalDashboard, path: str, query: str = "") -> tuple[int, dict]:
    event = http_api_event("GET", path, query, {"accept": "application/json"}, b"")
    response = dashboard.app.handler(event, FakeLambdaContext())
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


def a_video(dashboard: LocalDashboard, key: str) -> str:
    status, page = get(dashboard, "/videos", "limit=100")
    assert status == 200
    return next(video["video_id"] for video in page["items"] if video["key"] == key)


def test_videos_newest_first_with_progress(dashboard):
    status, page = get(dashboard, "/videos", "limit=100")
    assert status == 200 and page["cursor"] is None
    keys = [video["key"] for video in page["items"]]
    assert keys[0] == "samples/still-processing.mp4" and keys[-1] == "samples/red-carpet.mp4"
    by_key = {video["key"]: video for video in page["items"]}
    assert by_key["samples/still-processing.mp4"]["progress"] == {"finished": 0, "total": 3}
    assert by_key["samples/red-carpet.mp4"]["progress"] == {"finished": 3, "total": 3}
    assert [job["analysis"] for job in by_key["samples/red-carpet.mp4"]["analyses"]] == [
        "faces",
        "celebrities",
        "persons",
    ]
    assert by_key["samples/red-carpet.mp4"]["metadata"]["duration_ms"] > 0
    rejected = by_key["samples/zero-bytes.mp4"]["analyses"]
    assert {(job["status"], job["error_code"]) for job in rejected} == {("FAILED", "EmptyObject")}


def test_detections_in_a_window_are_paged_in_time_order(dashboard):
    video_id = a_video(dashboard, "samples/city-walk.mp4")
    path = f"/videos/{video_id}/analyses/faces/detections"
    _, everything = get(dashboard, path, "limit=1000")
    times = [item["timestamp_ms"] for item in everything["items"]]
    low, high = times[10], times[100]
    collected, cursor = [], None
    while True:
        query = f"start_ms={low}&end_ms={high}&limit=7" + (f"&cursor={cursor}" if cursor else "")
        status, page = get(dashboard, path, query)
        assert status == 200 and len(page["items"]) <= 7
        collected += page["items"]
        cursor = page["cursor"]
        if not cursor:
            break
    assert [item["timestamp_ms"] for item in collected] == [t for t in times if low <= t <= high]


@pytest.mark.parametrize(
    ("path", "query", "status", "message"),
    [
        ("/videos/" + "0" * 32, "", 404, "no video 00000000000000000000000000000000"),
        ("/videos/" + "0" * 32 + "/analyses/faces/detections", "", 404, "no video"),
        ("/videos", "cursor=not-a-cursor", 400, "invalid cursor"),
        ("/nowhere", "", 404, "no route GET /nowhere"),
    ],
)
def test_unknown_things_and_bad_cursors_get_a_clear_4xx(dashboard, path, query, status, message):
    answered, body = get(dashboard, path, query)
    assert answered == status and message in body["message"]


def test_a_cursor_from_another_list_is_a_bad_request_not_a_crash(dashboard):
    video_id = a_video(dashboard, "samples/city-walk.mp4")
    _, videos = get(dashboard, "/videos", "limit=1")
    foreign = videos["cursor"]
    status, body = get(dashboard, f"/videos/{video_id}/analyses/faces/detections", f"cursor={foreign}")
    assert status == 400 and "invalid cursor" in body["message"]
    forged = base64.urlsafe_b64encode(json.dumps({"pk": "x"}).encode()).decode()
    status, body = get(dashboard, "/videos", f"cursor={forged}")
    assert status == 400 and "invalid cursor" in body["message"]


def test_window_end_before_start_is_a_bad_request(dashboard):
    video_id = a_video(dashboard, "samples/city-walk.mp4")
    status, body = get(dashboard, f"/videos/{video_id}/analyses/faces/detections", "start_ms=500&end_ms=100")
    assert status == 400 and body["message"] == "end_ms (100) is before start_ms (500)"


def test_invalid_parameters_name_the_parameter_and_the_rule(dashboard):
    video_id = a_video(dashboard, "samples/city-walk.mp4")
    status, body = get(dashboard, f"/videos/{video_id}/analyses/label/detections")
    assert status == 422
    assert body["detail"][0]["loc"] == ["path", "analysis"] and "pattern" in body["detail"][0]["msg"]
    status, body = get(dashboard, "/videos", "limit=0")
    assert status == 422 and body["detail"][0]["loc"] == ["query", "limit"]
    status, body = get(dashboard, "/jobs", "status=DONE")
    assert status == 422 and body["detail"][0]["loc"] == ["query", "status"]


def test_person_track_of_a_video_without_person_tracking_results(dashboard):
    video_id = a_video(dashboard, "samples/damaged-tracking.mp4")
    status, body = get(dashboard, f"/videos/{video_id}/persons/0")
    assert status == 200 and body == {"items": [], "cursor": None}


def test_a_detections_cursor_past_its_window_is_an_empty_page_not_a_crash(dashboard):
    video_id = a_video(dashboard, "samples/city-walk.mp4")
    past = base64.urlsafe_b64encode(json.dumps({"ord": 0, "ts": 10**11}).encode()).decode()
    path = f"/videos/{video_id}/analyses/faces/detections"
    status, body = get(dashboard, path, f"start_ms=0&end_ms=1000&cursor={past}")
    assert status == 200 and body["items"] == [] and body.get("cursor") is None
