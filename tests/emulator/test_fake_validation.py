"""Requests the service rejects: constraint violations at the front door (ValidationException, lowerCamelCase
paths), semantic ones by the operation itself (InvalidParameterException)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import BUCKET, KEY, ROLE_ARN, start, video_param

pytestmark = pytest.mark.integration

TOPIC = "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionTopic"
VIDEO = video_param()

VALIDATION = "ValidationException"
SEMANTIC = "InvalidParameterException"

BAD_START_REQUESTS = {
    "token-pattern": (
        {"Video": VIDEO, "ClientRequestToken": "has space"},
        VALIDATION,
        "Value 'has space' at 'clientRequestToken' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_]+$",
    ),
    "token-length": (
        {"Video": VIDEO, "ClientRequestToken": "t" * 65},
        VALIDATION,
        "at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 64",
    ),
    "token-empty": (
        {"Video": VIDEO, "ClientRequestToken": ""},
        VALIDATION,
        "Value '' at 'clientRequestToken' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    ),
    # The model's JobTag pattern is unanchored; "bad tag" still fails because the whole value must match.
    "tag-pattern": ({"Video": VIDEO, "JobTag": "bad tag"}, VALIDATION, "Value 'bad tag' at 'jobTag'"),
    "tag-length": (
        {"Video": VIDEO, "JobTag": "t" * 1025},
        VALIDATION,
        "at 'jobTag' failed to satisfy constraint: Member must have length less than or equal to 1024",
    ),
    "face-attributes": (
        {"Video": VIDEO, "FaceAttributes": "SOME"},
        VALIDATION,
        "Value 'SOME' at 'faceAttributes' failed to satisfy constraint: "
        "Member must satisfy enum value set: [DEFAULT, ALL]",
    ),
    "video-missing": ({}, VALIDATION, "Value null at 'video' failed to satisfy constraint: Member must not be null"),
    "s3-object-missing": ({"Video": {}}, SEMANTIC, "Video.S3Object"),
    "name-missing": ({"Video": {"S3Object": {"Bucket": BUCKET}}}, SEMANTIC, "Video.S3Object.Name"),
    "bucket-missing": ({"Video": {"S3Object": {"Name": KEY}}}, SEMANTIC, "Video.S3Object.Bucket"),
    "bucket-short": ({"Video": video_param(bucket="ab")}, VALIDATION, "Value 'ab' at 'video.s3Object.bucket'"),
    "topic-arn": (
        {"Video": VIDEO, "NotificationChannel": {"SNSTopicArn": "my-topic", "RoleArn": ROLE_ARN}},
        VALIDATION,
        "Value 'my-topic' at 'notificationChannel.sNSTopicArn'",
    ),
    "role-arn": (
        {"Video": VIDEO, "NotificationChannel": {"SNSTopicArn": TOPIC, "RoleArn": "role/x"}},
        VALIDATION,
        "Value 'role/x' at 'notificationChannel.roleArn'",
    ),
    "role-missing": (
        {"Video": VIDEO, "NotificationChannel": {"SNSTopicArn": TOPIC}},
        VALIDATION,
        "Value null at 'notificationChannel.roleArn' failed to satisfy constraint: Member must not be null",
    ),
    "type": (
        {"Video": VIDEO, "JobTag": 7},
        VALIDATION,
        "Value '7' at 'jobTag' failed to satisfy constraint: Member must be of type string",
    ),
    "list-member": (
        {"Video": VIDEO, "Settings": {"GeneralLabels": {"LabelInclusionFilters": ["ok", "x" * 51]}}},
        VALIDATION,
        "at 'settings.generalLabels.labelInclusionFilters.2.member'",
    ),
}


def _rejection(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.mark.parametrize(("params", "code", "fragment"), BAD_START_REQUESTS.values(), ids=BAD_START_REQUESTS.keys())
def test_invalid_start_requests_are_rejected(fake, video, unvalidated, params, code, fragment):
    method = unvalidated.start_label_detection if "Settings" in params else unvalidated.start_face_detection
    with pytest.raises(ClientError) as raised:
        method(**params)
    found_code, message = _rejection(raised)
    assert found_code == code and fragment in message
    if code == VALIDATION:
        assert message.endswith(" detected: " + message.split(" detected: ", 1)[1])
        assert message.split(" ", 1)[0] == str(message.count("Value "))
    assert fake.jobs == {}


BAD_GET_REQUESTS = {
    "job-id-pattern": ({"JobId": "not a job id"}, "Value 'not a job id' at 'jobId'"),
    "job-id-length": ({"JobId": "a" * 65}, "at 'jobId' failed to satisfy constraint: Member must have length"),
    "job-id-missing": ({"JobId": None}, "Value null at 'jobId' failed to satisfy constraint: Member must not be null"),
    "max-results-zero": (
        {"MaxResults": 0},
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ),
    "next-token-length": (
        {"NextToken": "t" * 256},
        "at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 255",
    ),
    "sort-by": (
        {"SortBy": "NAME"},
        "Value 'NAME' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [ID, TIMESTAMP]",
    ),
}


@pytest.mark.parametrize(("params", "fragment"), BAD_GET_REQUESTS.values(), ids=BAD_GET_REQUESTS.keys())
def test_invalid_get_requests_are_rejected(fake, video, unvalidated, params, fragment):
    job_id = start(unvalidated, "StartCelebrityRecognition")
    with pytest.raises(ClientError) as raised:
        request = {"JobId": job_id, **params}
        unvalidated.get_celebrity_recognition(**{name: value for name, value in request.items() if value is not None})
    code, message = _rejection(raised)
    assert code == VALIDATION and fragment in message


def test_every_violation_is_listed(fake, video, unvalidated):
    with pytest.raises(ClientError) as raised:
        unvalidated.start_face_detection(Video=VIDEO, ClientRequestToken="a b", JobTag="c d", FaceAttributes="X")
    code, message = _rejection(raised)
    assert code == VALIDATION and message.startswith(
        "3 validation errors detected: Value 'a b' at 'clientRequestToken'"
    )
    assert message.count("; Value ") == 2
    assert all(name in message for name in ("'clientRequestToken'", "'jobTag'", "'faceAttributes'"))


def test_the_front_door_error_has_the_coral_wire_format(fake, video, unvalidated):
    with pytest.raises(ClientError) as raised:
        unvalidated.get_face_detection(JobId="a" * 64, MaxResults=0)
    metadata = raised.value.response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 400
    assert metadata["HTTPHeaders"]["x-amzn-errortype"].startswith("ValidationException:")
    # botocore reads `message` as readily as `Message`; the body is checked on the socket in test_endpoint.
    assert raised.value.response["Error"]["Message"].startswith("1 validation error detected")


def test_every_character_the_patterns_allow_is_accepted(fake, video, rekognition):
    start(
        rekognition,
        ClientRequestToken="Az09-_" * 10 + "abcd",
        JobTag="a_b.c-d:e+f=g/h" + "x" * 1009,
        NotificationChannel={"SNSTopicArn": TOPIC, "RoleArn": ROLE_ARN},
    )
    assert len(fake.jobs) == 1
