"""The read API's library routes (the dashboard's backfill and re-analysis) against moto and the fake."""

from __future__ import annotations

import json

import boto3
from video_pipeline.composition import Clients
from video_pipeline.composition.reader import build_library_desk, build_reader
from video_pipeline.contract import Env
from video_pipeline.handlers import read_api
from video_pipeline.settings import ReadApiSettings

from in_process.harness import sample_video_bytes
from in_process.lambda_runtime import FakeLambdaContext
from local.http_api import http_api_event


def api(harness, environment=None):
    settings = ReadApiSettings.from_environment(environment or harness.resources.environment())
    clients = Clients.new()
    return read_api.bind(build_reader(settings, clients), build_library_desk(settings, clients))


def post(handler, path, body):
    event = http_api_event("POST", path, "", {"content-type": "application/json"}, json.dumps(body).encode())
    response = handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def existing(harness, *keys):
    s3 = boto3.client("s3")
    for key in keys:
        s3.put_object(Bucket=harness.resources.bucket, Key=key, Body=sample_video_bytes())
    boto3.client("sqs").purge_queue(QueueUrl=harness.resources.starter_queue_url)


def test_a_backfill_goes_step_by_step_with_a_cursor_and_a_dry_run_prices_it(harness):
    existing(harness, "lib/a.mp4", "lib/b.mp4", "lib/c.mp4", "other/d.mp4")
    handler = api(harness)
    status, dry = post(handler, "/backfills", {"prefix": "lib/", "dry_run": True})
    assert status == 200
    assert (dry["sent"], dry["minutes"], dry["estimated_cost_usd"], dry["cursor"]) == (3, 30.0, 9.0, None)
    harness.run_until_idle()
    assert harness.all_videos() == []  # a dry run sends nothing

    status, first = post(handler, "/backfills", {"prefix": "lib/", "limit": 2})
    assert status == 200 and (first["sent"], first["cursor"]) == (2, "lib/b.mp4")
    status, rest = post(handler, "/backfills", {"prefix": "lib/", "cursor": first["cursor"]})
    assert status == 200 and (rest["sent"], rest["cursor"]) == (1, None)
    harness.run_until_idle()
    assert sorted(video.key for video in harness.all_videos()) == ["lib/a.mp4", "lib/b.mp4", "lib/c.mp4"]
    status, again = post(handler, "/backfills", {"prefix": "lib/"})
    assert (again["sent"], again["known"]) == (0, 3)


def test_a_re_analysis_route_queues_the_videos_and_bad_requests_get_a_clear_400(harness):
    harness.upload("a.mp4")
    harness.run_until_idle()
    (video,) = harness.all_videos()
    handler = api(harness)
    status, answer = post(handler, "/reanalyses", {"video_ids": [video.video_id], "analyses": ["faces"], "run": "r1"})
    assert status == 200 and answer == {"run": "r1", "queued": [video.video_id]}
    harness.run_until_idle()
    (after,) = harness.all_videos()
    assert after.jobs["faces"].job_id != video.jobs["faces"].job_id

    status, problem = post(handler, "/reanalyses", {"video_ids": ["0" * 32], "analyses": ["faces"]})
    assert status == 400 and "no such video" in problem["message"]
    status, problem = post(handler, "/backfills", {"since": "last tuesday"})
    assert status == 400 and problem["message"] == "since: 'last tuesday' is not an ISO 8601 date or time"
    status, _problem = post(handler, "/backfills", {"limit": 5000})
    assert status == 422


def test_without_the_uploads_queue_the_library_routes_say_so(harness):
    environment = {**harness.resources.environment(), Env.UPLOADS_QUEUE_URL: ""}
    status, problem = post(api(harness, environment), "/backfills", {})
    assert status == 400 and "not configured" in problem["message"]


def test_a_body_that_is_not_json_gets_415_not_a_server_error(harness):
    handler = api(harness)
    for content_type in ("text/plain", "multipart/form-data"):
        event = http_api_event("POST", "/backfills", "", {"content-type": content_type}, b"prefix=x")
        response = handler(event, FakeLambdaContext())
        assert response["statusCode"] == 415, content_type
        assert json.loads(response["body"])["detail"][0]["type"] == "unsupported_content_type"


def _signed_in(event, groups):
    """The event as API Gateway's JWT authorizer passes it: list claims as text, `[a b]`."""
    claims = {"sub": "user-1"} | ({"cognito:groups": groups} if groups is not None else {})
    event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


def test_where_an_operators_group_is_set_only_its_members_change_the_library_and_everyone_reads(harness):
    existing(harness, "lib/a.mp4")
    settings = ReadApiSettings.from_environment(harness.resources.environment())
    clients = Clients.new()
    handler = read_api.bind(
        build_reader(settings, clients), build_library_desk(settings, clients), operators_group="operators"
    )
    body = json.dumps({"prefix": "lib/", "dry_run": True}).encode()
    for groups in (None, "[analysts]", "[operators-old]"):
        event = _signed_in(http_api_event("POST", "/backfills", "", {"content-type": "application/json"}, body), groups)
        response = handler(event, FakeLambdaContext())
        assert response["statusCode"] == 403, groups
        assert "only members of the Cognito group 'operators'" in json.loads(response["body"])["message"]
    for method, path in (("DELETE", "/faces/ada"), ("POST", "/reanalyses")):
        event = _signed_in(http_api_event(method, path, "", {"content-type": "application/json"}, b"{}"), "[analysts]")
        assert handler(event, FakeLambdaContext())["statusCode"] == 403, path
    for groups in ("[analysts operators]", ["operators"]):
        event = _signed_in(http_api_event("POST", "/backfills", "", {"content-type": "application/json"}, body), groups)
        response = handler(event, FakeLambdaContext())
        assert response["statusCode"] == 200 and json.loads(response["body"])["sent"] == 1, groups
    reading = _signed_in(http_api_event("GET", "/videos", "", {}, b""), None)
    assert handler(reading, FakeLambdaContext())["statusCode"] == 200
