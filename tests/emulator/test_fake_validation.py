"""Requests the service rejects with InvalidParameterException, naming the parameter at fault."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import BUCKET, KEY, ROLE_ARN, start, video_param

pytestmark = pytest.mark.integration

TOPIC = "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionTopic"
VIDEO = video_param()

BAD_START_REQUESTS = {
    "token-pattern": ({"Video": VIDEO, "ClientRequestToken": "has space"}, "ClientRequestToken"),
    "token-length": ({"Video": VIDEO, "ClientRequestToken": "t" * 65}, "ClientRequestToken"),
    "token-empty": ({"Video": VIDEO, "ClientRequestToken": ""}, "ClientRequestToken"),
    # The model's JobTag pattern is unanchored; "bad tag" still fails because the whole value must match.
    "tag-pattern": ({"Video": VIDEO, "JobTag": "bad tag"}, "JobTag"),
    "tag-length": ({"Video": VIDEO, "JobTag": "t" * 1025}, "JobTag"),
    "face-attributes": ({"Video": VIDEO, "FaceAttributes": "SOME"}, "FaceAttributes"),
    "video-missing": ({}, "Video"),
    "s3-object-missing": ({"Video": {}}, "Video.S3Object"),
    "name-missing": ({"Video": {"S3Object": {"Bucket": BUCKET}}}, "Video.S3Object.Name"),
    "bucket-missing": ({"Video": {"S3Object": {"Name": KEY}}}, "Video.S3Object.Bucket"),
    "bucket-short": ({"Video": video_param(bucket="ab")}, "Video.S3Object.Bucket"),
    "topic-arn": (
        {"Video": VIDEO, "NotificationChannel": {"SNSTopicArn": "my-topic", "RoleArn": ROLE_ARN}},
        "NotificationChannel.SNSTopicArn",
    ),
    "role-arn": (
        {"Video": VIDEO, "NotificationChannel": {"SNSTopicArn": TOPIC, "RoleArn": "role/x"}},
        "NotificationChannel.RoleArn",
    ),
    "role-missing": ({"Video": VIDEO, "NotificationChannel": {"SNSTopicArn": TOPIC}}, "NotificationChannel.RoleArn"),
    "type": ({"Video": VIDEO, "JobTag": 7}, "JobTag"),
}


@pytest.mark.parametrize(("params", "parameter"), BAD_START_REQUESTS.values(), ids=BAD_START_REQUESTS.keys())
def test_invalid_start_requests_are_rejected(fake, video, unvalidated, params, parameter):
    with pytest.raises(unvalidated.exceptions.InvalidParameterException) as raised:
        unvalidated.start_face_detection(**params)
    assert parameter in raised.value.response["Error"]["Message"]
    assert fake.jobs == {}


BAD_GET_REQUESTS = {
    "job-id-pattern": ({"JobId": "not a job id"}, "JobId"),
    "job-id-length": ({"JobId": "a" * 65}, "JobId"),
    "job-id-missing": ({"JobId": None}, "JobId"),
    "max-results-zero": ({"MaxResults": 0}, "MaxResults"),
    "next-token-length": ({"NextToken": "t" * 256}, "NextToken"),
    "sort-by": ({"SortBy": "NAME"}, "SortBy"),
}


@pytest.mark.parametrize(("params", "parameter"), BAD_GET_REQUESTS.values(), ids=BAD_GET_REQUESTS.keys())
def test_invalid_get_requests_are_rejected(fake, video, unvalidated, params, parameter):
    job_id = start(unvalidated, "StartCelebrityRecognition")
    with pytest.raises(unvalidated.exceptions.InvalidParameterException) as raised:
        request = {"JobId": job_id, **params}
        unvalidated.get_celebrity_recognition(**{name: value for name, value in request.items() if value is not None})
    assert parameter in raised.value.response["Error"]["Message"]


def test_every_violation_is_listed(fake, video, unvalidated):
    with pytest.raises(unvalidated.exceptions.InvalidParameterException) as raised:
        unvalidated.start_face_detection(Video=VIDEO, ClientRequestToken="a b", JobTag="c d", FaceAttributes="X")
    message = raised.value.response["Error"]["Message"]
    assert message.startswith("3 validation errors detected")
    assert all(name in message for name in ("ClientRequestToken", "JobTag", "FaceAttributes"))


def test_every_character_the_patterns_allow_is_accepted(fake, video, rekognition):
    start(
        rekognition,
        ClientRequestToken="Az09-_" * 10 + "abcd",
        JobTag="a_b.c-d:e+f=g/h" + "x" * 1009,
        NotificationChannel={"SNSTopicArn": TOPIC, "RoleArn": ROLE_ARN},
    )
    assert len(fake.jobs) == 1
