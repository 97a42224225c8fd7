"""Contract tests: requests generated from docs/openapi.json against the local read API over HTTP.

The API runs as `make dashboard` runs it (the Lambda handler behind the HTTP API stand-in, on
127.0.0.1) over tables the pipeline filled. Every answer must be documented: status code, content
type and body schema; no input may produce a server error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from local.dashboard import local_dashboard, serving
from local.dashboard_data import EVERY_ANALYSIS_SAMPLE, FINISHED_SAMPLES, RUNNING_SAMPLE
from local.http_api import API_PREFIX

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

schema = schemathesis.openapi.from_path(DOCUMENT)


@pytest.fixture(scope="module")
def api_url() -> Iterator[str]:
    with local_dashboard() as dashboard, serving(dashboard.app) as url:
        yield url + API_PREFIX


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_get_documented_answers(case, api_url):
    case.call_and_validate(base_url=api_url, checks=CHECKS)


def _validated(api_url: str, path: str, template: str, **params) -> dict:
    response = requests.get(api_url + path, params=params, timeout=10)
    schema[template]["GET"].validate_response(response)
    assert response.status_code == 200, response.text
    return response.json()


def test_real_data_pages_conform_and_cursors_walk_every_item(api_url):
    """Generated ids rarely hit stored videos; walk the stored ones through every read pattern."""
    first = _validated(api_url, "/videos", "/videos", limit=2)
    videos = first["items"]
    cursor = first["cursor"]
    while cursor:
        page = _validated(api_url, "/videos", "/videos", limit=2, cursor=cursor)
        videos += page["items"]
        cursor = page["cursor"]
    samples = (*FINISHED_SAMPLES, EVERY_ANALYSIS_SAMPLE, RUNNING_SAMPLE)
    assert len({video["video_id"] for video in videos}) == len(videos) == len(samples)
    celebrity_ids = set()
    exported = 0
    for video in videos:
        one = _validated(api_url, f"/videos/{video['video_id']}", "/videos/{video_id}")
        assert one["video_id"] == video["video_id"]
        for job in one["analyses"]:
            path = f"/videos/{video['video_id']}/analyses/{job['analysis']}/detections"
            detections = _validated(api_url, path, "/videos/{video_id}/analyses/{analysis}/detections", limit=1000)
            assert len(detections["items"]) == (job["detection_count"] if job["status"] == "SUCCEEDED" else 0)
            if job["analysis"] == "celebrities":
                celebrity_ids |= {item["data"]["Celebrity"]["Id"] for item in detections["items"]}
            if job["analysis"] == "persons" and detections["items"]:
                index = detections["items"][0]["data"]["Person"]["Index"]
                track = _validated(
                    api_url, f"/videos/{video['video_id']}/persons/{index}", "/videos/{video_id}/persons/{person_index}"
                )
                assert track["items"] and all(item["data"]["Person"]["Index"] == index for item in track["items"])
            if job["analysis"] == "segments":
                exported += _validated_exports(api_url, video["video_id"])
    assert celebrity_ids
    assert exported == 2
    for celebrity_id in celebrity_ids:
        appearances = _validated(
            api_url, f"/celebrities/{celebrity_id}/appearances", "/celebrities/{celebrity_id}/appearances"
        )
        assert appearances["items"] and all(
            item["data"]["Celebrity"]["Id"] == celebrity_id for item in appearances["items"]
        )
    stuck = _validated(api_url, "/jobs", "/jobs", status="IN_PROGRESS", older_than_minutes=0)
    assert {job["analysis"] for job in stuck["items"]} == {"faces", "celebrities", "persons"}


def _validated_exports(api_url: str, video_id: str) -> int:
    """The shot list's CSV and EDL: documented answers, as attachments."""
    for route in ("segments.csv", "segments.edl"):
        response = requests.get(f"{api_url}/videos/{video_id}/{route}", timeout=10)
        schema[f"/videos/{{video_id}}/{route}"]["GET"].validate_response(response)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return 2
