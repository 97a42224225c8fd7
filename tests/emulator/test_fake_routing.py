"""How real boto3 clients reach the fake, and how everything else does not."""

from __future__ import annotations

import io

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import RekognitionVideoFake, patch_client
from emulator.intercept import ROUTER
from tests.emulator import conftest
from tests.emulator.conftest import BUCKET, KEY, REGION, SINGLE_ATTEMPT, start

pytestmark = pytest.mark.integration


def test_clients_reach_the_fake_while_other_services_reach_moto(fake, video, rekognition, s3):
    job_id = start(rekognition)
    assert [call.operation for call in fake.calls] == ["StartFaceDetection"]
    assert list(fake.jobs) == [job_id]
    # The fake's own HeadObject went to moto, and so do the test's S3 calls.
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == [KEY]


def test_a_client_cached_before_activation_reaches_whichever_fake_is_active(aws, video):
    client = conftest.client("rekognition", SINGLE_ATTEMPT)
    first, second = RekognitionVideoFake(), RekognitionVideoFake()
    with first.activate():
        first_job = start(client)
    with second.activate():
        second_job = start(client)
    assert list(first.jobs) == [first_job] and list(second.jobs) == [second_job]


def test_without_an_active_fake_rekognition_requests_are_left_alone(aws, video):
    client = conftest.client("rekognition", SINGLE_ATTEMPT)
    # moto answers, and moto does not implement the video operations.
    with pytest.raises(NotImplementedError):
        start(client)


def test_only_one_fake_can_be_active(fake):
    with pytest.raises(RuntimeError, match="already active"), RekognitionVideoFake().activate():
        pass
    assert ROUTER.active is fake  # the failed activation left the active one in place


def test_each_request_reaches_the_fake_once_even_when_routed_twice(aws, video):
    # boto3.client() makes a default session; activation registers the router on it a second time.
    boto3.client("s3", region_name=REGION)
    instance = RekognitionVideoFake()
    with instance.activate():
        client = boto3.client("rekognition", region_name=REGION, config=SINGLE_ATTEMPT)
        patch_client(client)
        start(client)
    assert len(instance.calls) == 1 and len(instance.jobs) == 1


def test_a_client_created_before_activation_is_routed_and_left_alone_after(aws, video):
    # A fresh session, made before the fake exists: nothing registered on it, yet activation reaches it.
    client = boto3.session.Session().client("rekognition", region_name=REGION, config=SINGLE_ATTEMPT)
    instance = RekognitionVideoFake()
    with instance.activate():
        assert start(client) in instance.jobs
    with pytest.raises(NotImplementedError):  # moto's answer again: the fake is out of the path
        start(client)


def test_activation_changes_botocore_only_while_it_lasts(aws):
    import botocore.endpoint
    import botocore.handlers
    import moto.core.models

    def state() -> tuple[object, ...]:
        stubber = moto.core.models.botocore_stubber
        return (tuple(botocore.handlers.BUILTIN_HANDLERS), botocore.endpoint.Endpoint._send, stubber.process_request)

    before = state()
    with RekognitionVideoFake().activate():
        assert state() != before
    assert state() == before


def test_importing_the_emulator_changes_nothing():
    """A fresh interpreter: importing the package leaves botocore's handlers and endpoints as they were."""
    import subprocess
    import sys

    script = (
        "import botocore.handlers as h, botocore.endpoint as e\n"
        "before = (list(h.BUILTIN_HANDLERS), e.Endpoint._send)\n"
        "import emulator, emulator.intercept, emulator.server\n"
        "assert (list(h.BUILTIN_HANDLERS), e.Endpoint._send) == before\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


# StartTextDetection was the video example until the emulator served it; GetCelebrityInfo is not served.
@pytest.mark.parametrize("operation", ["detect_labels", "get_celebrity_info"])
def test_operations_the_fake_does_not_emulate_fail_loudly(fake, rekognition, operation):
    params = {
        "detect_labels": {"Image": {"Bytes": b"\x89PNG"}},
        "get_celebrity_info": {"Id": "1Ax3Nr0o"},
    }[operation]
    with pytest.raises(ClientError) as raised:
        getattr(rekognition, operation)(**params)
    error = raised.value.response
    assert error["Error"]["Code"] == "NotImplementedByFake"
    assert "does not implement" in error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_errors_use_the_json_protocol_wire_format(fake, rekognition):
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException) as raised:
        rekognition.get_face_detection(JobId="a" * 64)
    metadata = raised.value.response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 400
    assert metadata["HTTPHeaders"]["x-amzn-errortype"] == "ResourceNotFoundException"
    assert metadata["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
    assert metadata["RequestId"]


class InMemoryVideos:
    """A video store that needs no S3 at all."""

    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects

    def size(self, bucket, key, version):
        body = self.objects.get(key)
        return None if body is None else len(body)

    def prefix(self, bucket, key, version, length):
        body = self.objects.get(key)
        return None if body is None else body[:length]

    def open(self, bucket, key, version):
        body = self.objects.get(key)
        return None if body is None else io.BytesIO(body)


def test_the_fake_works_without_moto(monkeypatch):
    from emulator import sample_video_bytes

    instance = RekognitionVideoFake(video_store=InMemoryVideos({KEY: sample_video_bytes()}))
    client = conftest.client("rekognition", SINGLE_ATTEMPT)
    with instance.activate():
        job_id = start(client)
        with pytest.raises(client.exceptions.InvalidS3ObjectException):
            start(client, key="missing.mp4")
        instance.complete_jobs()
        page = client.get_face_detection(JobId=job_id)
    assert page["JobStatus"] == "SUCCEEDED" and len(page["Faces"]) == instance.default_detections
