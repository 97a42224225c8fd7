"""The emulator as an HTTP endpoint: plain boto3 clients with `endpoint_url` get the service's answers."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator import RekognitionVideoFake
from emulator.endpoint import RekognitionEndpoint
from emulator.intercept import ROUTER
from tests.emulator.conftest import REGION, SINGLE_ATTEMPT, UNVALIDATED, video_param


@pytest.fixture
def served(video) -> Iterator[tuple[RekognitionVideoFake, str]]:
    fake = RekognitionVideoFake()
    with RekognitionEndpoint(fake) as endpoint:
        yield fake, endpoint.url
    assert ROUTER.active is None  # nothing was answered in-process


def _client(url: str, config: Config = SINGLE_ATTEMPT):
    return boto3.session.Session().client("rekognition", region_name=REGION, endpoint_url=url, config=config)


def _post(url: str, target: str | None, body: bytes) -> tuple[int, dict]:
    headers = {"Content-Type": "application/x-amz-json-1.1", **({"X-Amz-Target": target} if target else {})}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_jobs_start_page_and_repeat_through_the_socket(served):
    fake, url = served
    client = _client(url)
    token = {"ClientRequestToken": "same-request"}
    job_id = client.start_person_tracking(Video=video_param(), **token)["JobId"]
    assert client.start_person_tracking(Video=video_param(), **token)["JobId"] == job_id
    with pytest.raises(client.exceptions.IdempotentParameterMismatchException):
        client.start_person_tracking(Video=video_param(), JobTag="other", **token)
    fake.complete_jobs()
    elements, token_count, next_token = [], 0, None
    while True:
        page = client.get_person_tracking(
            JobId=job_id, MaxResults=5, **({"NextToken": next_token} if next_token else {})
        )
        elements.extend(page["Persons"])
        next_token = page.get("NextToken")
        if not next_token:
            break
        token_count += 1
    assert elements == fake.results(job_id) and token_count >= 2


def test_errors_arrive_as_the_modeled_exceptions(served):
    fake, url = served
    client = _client(url)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_face_detection(JobId="f" * 64)
    unvalidated = _client(url, UNVALIDATED)
    with pytest.raises(ClientError) as raised:
        unvalidated.get_face_detection(JobId="f" * 64, MaxResults=0)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(client.exceptions.InvalidS3ObjectException):
        client.start_face_detection(Video=video_param(key="missing.mp4"))
    fake.inject_fault("StartFaceDetection", "ThrottlingException")
    with pytest.raises(client.exceptions.ThrottlingException):
        client.start_face_detection(Video=video_param())


def test_requests_that_name_no_operation_or_carry_no_json_are_refused(served):
    _fake, url = served
    status, body = _post(url, None, b"{}")
    assert status == 400 and body["__type"] == "UnknownOperationException"
    status, body = _post(url, "RekognitionService.GetFaceDetection", b"not json")
    assert status == 400 and body["__type"] == "SerializationException"
    status, body = _post(url, "RekognitionService.GetFaceDetection", b'{"JobId":"' + b"a" * 64 + b'","MaxResults":0}')
    assert status == 400 and body["__type"] == "com.amazon.coral.validate#ValidationException"
    assert body["message"].startswith("1 validation error detected: Value '0' at 'maxResults'")
    status, body = _post(url, "RekognitionService.DetectFaces", b"{}")
    assert status == 501 and body["__type"] == "NotImplementedByFake"


def test_members_the_model_lacks_are_ignored(served):
    """The service's JSON deserializer skips unknown members (SDKs cannot even send them; a raw request can)."""
    fake, url = served
    body = json.dumps({"Video": {**video_param(), "Extra": 1}, "NotAMember": "x"}).encode()
    status, answer = _post(url, "RekognitionService.StartFaceDetection", body)
    assert status == 200 and answer["JobId"] in fake.jobs


def test_each_answer_carries_one_date_header(served):
    _fake, url = served
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "RekognitionService.GetFaceDetection"}
    connection.request("POST", "/", body=json.dumps({"JobId": "a" * 64}), headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 400
    assert len(response.headers.get_all("Date") or []) == 1
