"""Fixtures for the Rekognition Video fake's own tests: moto for S3/SNS/SQS, the fake for Rekognition."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from moto import mock_aws

from emulator import RekognitionVideoFake, sample_video_bytes
from emulator.vision.sample_clip import DEFAULT_CLIP, ClipSpec, GroundTruth, render
from tests.images import png

REGION = "us-east-1"
BUCKET = "fake-videos"
KEY = "clips/clip one.mp4"
ROLE_ARN = "arn:aws:iam::123456789012:role/rekognition-publish"
SINGLE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"})
# One session for the whole tier: a fresh session re-reads every service model, ~0.1 s per client.
# Made after moto is imported, so it carries moto's request hook; the emulator needs none.
SESSION = boto3.session.Session(region_name=REGION)
UNVALIDATED = SINGLE_ATTEMPT.merge(Config(parameter_validation=False))


_CLIENTS: dict[tuple[str, int], Any] = {}


def client(service: str, config: Config | None = None) -> Any:
    """A client shared by every test: moto's hook and the emulator's activation make it safe across mocks."""
    key = (service, id(config))
    if key not in _CLIENTS:
        _CLIENTS[key] = SESSION.client(service, config=config)  # type: ignore[call-overload]
    return _CLIENTS[key]


START_METHODS = {
    "StartFaceDetection": "start_face_detection",
    "StartCelebrityRecognition": "start_celebrity_recognition",
    "StartPersonTracking": "start_person_tracking",
    "StartLabelDetection": "start_label_detection",
    "StartSegmentDetection": "start_segment_detection",
    "StartContentModeration": "start_content_moderation",
    "StartTextDetection": "start_text_detection",
    "StartFaceSearch": "start_face_search",
}
GET_METHODS = {
    "StartFaceDetection": ("get_face_detection", "GetFaceDetection", "Faces"),
    "StartCelebrityRecognition": ("get_celebrity_recognition", "GetCelebrityRecognition", "Celebrities"),
    "StartPersonTracking": ("get_person_tracking", "GetPersonTracking", "Persons"),
    "StartLabelDetection": ("get_label_detection", "GetLabelDetection", "Labels"),
    "StartContentModeration": ("get_content_moderation", "GetContentModeration", "ModerationLabels"),
    "StartTextDetection": ("get_text_detection", "GetTextDetection", "TextDetections"),
}
# The analyses whose results are not one element per timestamp, or whose Start needs more than a video.
MORE_GET_METHODS = {
    "StartSegmentDetection": ("get_segment_detection", "GetSegmentDetection", "Segments"),
    "StartFaceSearch": ("get_face_search", "GetFaceSearch", "Persons"),
}
# The collection StartFaceSearch searches in these tests (create it first: see `collection` below).
COLLECTION_ID = "known-faces"
ALL_GET_METHODS = {**GET_METHODS, **MORE_GET_METHODS}
# What a Start operation requires besides the video.
REQUIRED_START_PARAMS: dict[str, dict[str, Any]] = {
    "StartSegmentDetection": {"SegmentTypes": ["SHOT", "TECHNICAL_CUE"]},
    "StartFaceSearch": {"CollectionId": COLLECTION_ID},
}


@dataclass(frozen=True)
class Channel:
    topic_arn: str
    queue_url: str

    @property
    def notification_channel(self) -> dict[str, str]:
        return {"SNSTopicArn": self.topic_arn, "RoleArn": ROLE_ARN}

    def messages(self) -> list[dict[str, Any]]:
        """Every completion message delivered so far, unwrapped from its SNS envelope."""
        sqs = client("sqs")
        found: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return found
            for message in batch:
                found.append(json.loads(json.loads(message["Body"])["Message"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a fixed region, so nothing can sign a request real AWS would accept."""
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def fake(aws: None) -> Iterator[RekognitionVideoFake]:
    instance = RekognitionVideoFake()
    with instance.activate():
        yield instance


@pytest.fixture
def s3(aws: None) -> BaseClient:
    return client("s3")


@pytest.fixture
def video(s3: BaseClient) -> tuple[str, str]:
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=sample_video_bytes())
    return BUCKET, KEY


@pytest.fixture
def rekognition(fake: RekognitionVideoFake) -> BaseClient:
    """A client that reports the first error instead of retrying it away."""
    return client("rekognition", SINGLE_ATTEMPT)


@pytest.fixture
def unvalidated(fake: RekognitionVideoFake) -> BaseClient:
    """A client that sends what it is given, so the service's own validation is what answers."""
    return client("rekognition", UNVALIDATED)


def create_role(arn: str = ROLE_ARN) -> None:
    """The channel's role, as the service requires it to exist (no policy: the emulator checks existence)."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "rekognition.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    client("iam").create_role(RoleName=arn.rsplit("/", 1)[-1], AssumeRolePolicyDocument=json.dumps(trust))


@pytest.fixture
def channel(aws: None) -> Channel:
    create_role()
    sns = client("sns")
    sqs = client("sqs")
    topic_arn = sns.create_topic(Name="AmazonRekognitionFakeTests")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="fake-completions")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return Channel(topic_arn, queue_url)


def upload(key: str, body: bytes | None = None, bucket: str = BUCKET) -> None:
    client("s3").put_object(Bucket=bucket, Key=key, Body=sample_video_bytes() if body is None else body)


def video_param(bucket: str = BUCKET, key: str = KEY, version: str | None = None) -> dict[str, Any]:
    s3_object = {"Bucket": bucket, "Name": key}
    if version:
        s3_object["Version"] = version
    return {"S3Object": s3_object}


def start(client: BaseClient, api: str = "StartFaceDetection", key: str = KEY, **params: Any) -> str:
    response = getattr(client, START_METHODS[api])(
        Video=video_param(key=key), **{**REQUIRED_START_PARAMS.get(api, {}), **params}
    )
    return str(response["JobId"])


def get(client: BaseClient, api: str, job_id: str, **params: Any) -> dict[str, Any]:
    method, _, _ = ALL_GET_METHODS[api]
    response: dict[str, Any] = getattr(client, method)(JobId=job_id, **params)
    return response


def get_all(client: BaseClient, api: str, job_id: str, **params: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """Page through a job's results; returns the elements and each page's size."""
    _, _, result_key = ALL_GET_METHODS[api]
    elements: list[dict[str, Any]] = []
    sizes: list[int] = []
    token: str | None = None
    while True:
        page = get(client, api, job_id, **params, **({"NextToken": token} if token else {}))
        elements.extend(page[result_key])
        sizes.append(len(page[result_key]))
        token = page.get("NextToken")
        if not token:
            return elements, sizes


AWS_EXAMPLES = Path(__file__).parents[1] / "data" / "aws_examples"


def aws_example(name: str) -> dict[str, Any]:
    """One of AWS's published responses, kept with its source: `source`, `operation`, `response`."""
    example: dict[str, Any] = json.loads((AWS_EXAMPLES / f"{name}.json").read_text())
    return example


def wire_page(
    fake: RekognitionVideoFake, api: str, get_params: dict[str, Any] | None = None, **start_params: Any
) -> dict[str, Any]:
    """A finished job's first Get page as the wire carries it (VideoMetadata.FileExtension included,
    which botocore drops), for a job on the `video` fixture's object."""
    job_id = fake.handle(api, {"Video": video_param(), **REQUIRED_START_PARAMS.get(api, {}), **start_params})["JobId"]
    fake.complete_jobs([job_id])
    _, get_operation, _ = ALL_GET_METHODS[api]
    return fake.handle(get_operation, {"JobId": job_id, **(get_params or {})})


def face_description(face: dict[str, Any]) -> dict[str, Any]:
    """What a FaceDetail says about a face besides where it is and how sure: its members, its landmarks'
    types in order, its pose's and quality's members."""
    return {
        "members": sorted(face),
        "landmarks": [landmark["Type"] for landmark in face["Landmarks"]],
        "pose": sorted(face["Pose"]),
        "quality": sorted(face["Quality"]),
    }


@contextmanager
def serving_clip(clip: tuple[Path, GroundTruth], analyzers: dict[str, Any]) -> Iterator[RekognitionVideoFake]:
    """An emulator with these real analyzers, the generated clip stored where `wire_page` starts jobs."""
    path, _truth = clip
    client("s3").create_bucket(Bucket=BUCKET)
    upload(KEY, path.read_bytes())
    with RekognitionVideoFake(analyzers=analyzers) as instance:
        yield instance


# Generated clips for the real analyzers, rendered once per session.
@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    path = tmp_path_factory.mktemp("clips") / "sample.mp4"
    return path, render(path)


@pytest.fixture(scope="session")
def mpeg4_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MP4 whose video is MPEG-4 Part 2, not H.264: a container Rekognition opens, a codec it refuses."""
    path = tmp_path_factory.mktemp("clips") / "mpeg4.mp4"
    render(path, ClipSpec(seconds=1.0, actors=DEFAULT_CLIP.actors[:1]), codec="mpeg4")
    return path


def create_collection(fake: RekognitionVideoFake, faces: dict[str, int] | None = None) -> dict[str, str]:
    """COLLECTION_ID with one indexed face per name (its picture's grey level); returns FaceId by name."""
    fake.handle("CreateCollection", {"CollectionId": COLLECTION_ID})
    face_ids = {}
    for name, level in (faces or {}).items():
        encoded = base64.b64encode(png(level)).decode("ascii")
        indexed = fake.handle(
            "IndexFaces", {"CollectionId": COLLECTION_ID, "Image": {"Bytes": encoded}, "ExternalImageId": name}
        )
        face_ids[name] = indexed["FaceRecords"][0]["Face"]["FaceId"]
    return face_ids
