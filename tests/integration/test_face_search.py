"""Face search end to end against moto and the Rekognition fake: reference faces indexed from the input
bucket through the read API, videos searched for them, matches stored as appearances across videos,
read back by name, erased with their video, and never duplicated by re-delivered notices."""

from __future__ import annotations

import json

import boto3
import pytest
from video_pipeline.composition import Clients
from video_pipeline.composition.reader import build_reader, build_reference_faces
from video_pipeline.contract import DEFAULT_REFERENCE_FACES_PREFIX, Env
from video_pipeline.handlers import read_api
from video_pipeline.models import JobStatus
from video_pipeline.settings import ReadApiSettings

from in_process.functions import pipeline_functions
from in_process.lambda_runtime import FakeLambdaContext
from local.http_api import http_api_event
from tests.images import png
from tests.integration.events import completion_bodies, failed_ids, invoke
from tests.integration.test_collector import stored
from tests.reliability.test_recovery import delete_in_s3, erase

pytestmark = pytest.mark.integration

COLLECTION = "local-faces"
ROOT = DEFAULT_REFERENCE_FACES_PREFIX
# Two people: the fake tells pictures apart by their bytes (tests/emulator/test_fake_face_search.py).
PICTURES = {f"{ROOT}team/Ada Lovelace.png": png(10), f"{ROOT}team/grace.jpg.png": png(200)}


def environment(harness):
    return {
        **harness.resources.environment(),
        Env.ENABLED_ANALYSES: "face_search",
        Env.FACE_COLLECTION_ID: COLLECTION,
        Env.ANALYSIS_OPTIONS: json.dumps({"face_search": {"FaceMatchThreshold": 90}}),
    }


def request(handler, method, path, body=None):
    payload = json.dumps(body).encode() if body is not None else b""
    path, _, query = path.partition("?")
    event = http_api_event(method, path, query, {"content-type": "application/json"}, payload)
    response = handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def api(harness, variables):
    settings = ReadApiSettings.from_environment(variables)
    clients = Clients.new()
    return read_api.bind(build_reader(settings, clients), None, build_reference_faces(settings, clients))


@pytest.fixture
def deployed(harness):
    """face_search enabled with its collection, as the stack deploys it; the read API with the face routes."""
    boto3.client("rekognition").create_collection(CollectionId=COLLECTION)
    s3 = boto3.client("s3")
    for key, picture in PICTURES.items():
        s3.put_object(Bucket=harness.resources.bucket, Key=key, Body=picture)
    variables = environment(harness)
    harness.redeploy_starter(pipeline_functions(variables).starter)
    return api(harness, variables)


def test_reference_faces_are_indexed_once_by_name_then_found_across_videos(harness, deployed):
    status, indexed = request(deployed, "POST", "/faces/indexings", {"prefix": f"{ROOT}team/"})
    assert status == 200 and indexed["cursor"] is None
    assert [(p["name"], p["outcome"]) for p in indexed["pictures"]] == [
        ("Ada_Lovelace", "indexed"),
        ("grace.jpg", "indexed"),
    ]
    status, again = request(deployed, "POST", "/faces/indexings", {"prefix": ROOT})
    assert status == 200 and {p["outcome"] for p in again["pictures"]} == {"already_indexed"}
    status, faces = request(deployed, "GET", "/faces")
    assert status == 200 and [face["name"] for face in faces["items"]] == ["Ada_Lovelace", "grace.jpg"]

    for key in ("a.mp4", "b.mp4", "c.mp4"):
        harness.fake.script(harness.resources.bucket, key, detections=40)
        harness.upload(key)
    harness.run_until_idle()

    (start,) = {params["CollectionId"] for operation, params in harness.fake.calls if operation == "StartFaceSearch"}
    assert start == COLLECTION
    videos = harness.repository.recent_videos().items
    seen: dict[str, set[str]] = {}
    for video in videos:
        job = video.jobs["face_search"]
        assert job.status is JobStatus.SUCCEEDED, job.status_message
        detections = stored(harness, video, "face_search")
        assert [d.data for d in detections] == harness.fake.results(job.job_id)
        for detection in detections:
            for match in detection.data["FaceMatches"]:
                seen.setdefault(match["Face"]["ExternalImageId"], set()).add(video.video_id)
    assert set(seen) <= {"Ada_Lovelace", "grace.jpg"} and seen
    for name, videos_seen in seen.items():
        status, page = request(deployed, "GET", f"/analyses/face_search/appearances/{name}?limit=1000")
        assert status == 200
        assert {item["video_id"] for item in page["items"]} == videos_seen
        assert all(item["data"]["FaceMatches"][0]["Face"]["ExternalImageId"] == name for item in page["items"])


def test_removing_a_reference_face_keeps_the_stored_matches_and_an_unknown_name_is_a_404(harness, deployed):
    request(deployed, "POST", "/faces/indexings", {"prefix": ROOT})
    harness.fake.script(harness.resources.bucket, "v.mp4", detections=30)
    harness.upload("v.mp4")
    harness.run_until_idle()
    name, *_ = {m["Face"]["ExternalImageId"] for d in _all_matches(harness) for m in d["FaceMatches"]}
    before = harness.repository.appearances("face_search", name, limit=1000).items

    status, removed = request(deployed, "DELETE", f"/faces/{name}")
    assert status == 200 and len(removed["removed"]) == 1
    status, faces = request(deployed, "GET", "/faces")
    assert name not in {face["name"] for face in faces["items"]}
    assert harness.repository.appearances("face_search", name, limit=1000).items == before
    status, problem = request(deployed, "DELETE", f"/faces/{name}")
    assert status == 404 and "no reference face named" in problem["message"]


def test_a_deleted_videos_matches_are_erased_with_it(harness, deployed):
    request(deployed, "POST", "/faces/indexings", {"prefix": ROOT})
    harness.fake.script(harness.resources.bucket, "v.mp4", detections=30)
    harness.upload("v.mp4")
    harness.run_until_idle()
    names = {m["Face"]["ExternalImageId"] for d in _all_matches(harness) for m in d["FaceMatches"]}
    assert names
    delete_in_s3(harness, "v.mp4")
    erase(harness, "v.mp4")
    for name in names:
        assert harness.repository.appearances("face_search", name, limit=1000).items == []


def test_redelivered_face_search_notices_store_nothing_twice(harness, deployed):
    request(deployed, "POST", "/faces/indexings", {"prefix": ROOT})
    harness.fake.script(harness.resources.bucket, "v.mp4", detections=1500)  # two Get* pages
    harness.upload("v.mp4")
    harness.run_starter()
    harness.complete_jobs()
    bodies = completion_bodies(harness.resources.results_queue_url)
    assert bodies
    response, _ = invoke(harness.collector.handler, *bodies, *bodies)
    assert failed_ids(response) == []
    (video,) = harness.repository.recent_videos().items
    job = video.jobs["face_search"]
    assert job.status is JobStatus.SUCCEEDED
    returned = harness.fake.results(job.job_id)
    assert job.detection_count == len(stored(harness, video, "face_search")) == len(returned) > 0
    names = {m["Face"]["ExternalImageId"] for element in returned for m in element["FaceMatches"]}
    appearances = [harness.repository.appearances("face_search", name, limit=2000).items for name in names]
    assert sum(len(items) for items in appearances) == len(returned)


def test_without_a_face_collection_the_face_routes_say_so_and_bad_requests_get_a_clear_answer(harness, deployed):
    status, problem = request(api(harness, harness.resources.environment()), "GET", "/faces")
    assert status == 400 and "face search is not enabled" in problem["message"]
    status, problem = request(deployed, "POST", "/faces/indexings", {"prefix": "videos/"})
    assert status == 400 and "outside the reference pictures' 'reference-faces/'" in problem["message"]
    status, _problem = request(deployed, "POST", "/faces/indexings", {"prefix": ROOT, "limit": 5000})
    assert status == 422
    status, _problem = request(deployed, "DELETE", "/faces/not%20allowed")
    assert status == 422


def _all_matches(harness):
    return [d.data for video in harness.repository.recent_videos().items for d in stored(harness, video, "face_search")]
