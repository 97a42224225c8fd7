"""The AWS SDK code examples' Python stored-video client (`RekognitionVideo` in
awsdocs/aws-doc-sdk-examples, python/example_code/rekognition/rekognition_video_detection.py, with its
`rekognition_objects` wrappers), replayed call for call through boto3 resources and clients pointed at
the emulator and moto's server. The example's code is not copied here; each step below names the call
it makes and what it reads from the answer.

It differs from the developer guide's flow (`test_developer_guide_python.py`) where a client would
find a difference: it builds its own notification channel (a topic and queue named
"doc-example-video-rekognition", not `AmazonRekognition*`, a queue policy conditioned on the topic, and
a role whose attached policy allows `SNS:Publish` on that topic), reads the queue one message at a
time and treats a message for another job as an error, and fetches results with `JobId` alone (no
`NextToken`, no `MaxResults`), wrapping every element the way its `Rekognition*` classes do.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from tests.conformance.conftest import BUCKET, CREDENTIALS, KEY, REGION, Cloud

pytestmark = pytest.mark.integration

CHANNEL_NAME = "doc-example-video-rekognition"


def _resource(cloud: Cloud, service: str) -> Any:
    """A boto3 resource, as the example uses for SNS, SQS and IAM, on moto's server."""
    return boto3.session.Session().resource(  # type: ignore[call-overload]
        service,
        region_name=REGION,
        endpoint_url=cloud.aws_url,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def _face_view(face: dict[str, Any]) -> dict[str, Any]:
    """What `RekognitionFace` reads: every member by `.get`, `Emotions` as a list of dicts."""
    age_range = face.get("AgeRange")
    return {
        "bounding_box": face.get("BoundingBox"),
        "age": None if age_range is None else (age_range.get("Low"), age_range.get("High")),
        "flags": [face.get(member, {}).get("Value") for member in ("Smile", "Eyeglasses", "Sunglasses", "Gender")]
        + [face.get(member, {}).get("Value") for member in ("Beard", "Mustache", "EyesOpen", "MouthOpen")],
        "emotions": [emotion.get("Type") for emotion in face.get("Emotions", []) if emotion.get("Confidence", 0) > 50],
    }


# Start method -> (Get method, result key, what the example's wrapper reads from one element)
EXAMPLE_JOBS: dict[str, tuple[str, str, Callable[[dict[str, Any]], Any]]] = {
    "start_label_detection": (
        "get_label_detection",
        "Labels",
        lambda element: (element["Label"].get("Name"), element["Label"].get("Parents"), element["Timestamp"]),
    ),
    "start_face_detection": ("get_face_detection", "Faces", lambda element: _face_view(element["Face"])),
    "start_celebrity_recognition": (
        "get_celebrity_recognition",
        "Celebrities",
        # RekognitionCelebrity wraps `Face` unconditionally: a celebrity without one would crash it.
        lambda element: (element["Celebrity"].get("Name"), _face_view(element["Celebrity"].get("Face"))),
    ),
    "start_person_tracking": (
        "get_person_tracking",
        "Persons",
        lambda element: (element["Person"].get("Index"), element["Person"].get("BoundingBox")),
    ),
    "start_content_moderation": (
        "get_content_moderation",
        "ModerationLabels",
        lambda element: (element["ModerationLabel"].get("Name"), element["ModerationLabel"].get("ParentName")),
    ),
}


class _ExampleChannel:
    """`create_notification_channel`, `poll_notification` and `delete_notification_channel`."""

    def __init__(self, cloud: Cloud) -> None:
        sns, sqs, iam = (_resource(cloud, service) for service in ("sns", "sqs", "iam"))
        self.topic = sns.create_topic(Name=CHANNEL_NAME)
        self.queue = sqs.create_queue(QueueName=CHANNEL_NAME, Attributes={"ReceiveMessageWaitTimeSeconds": "5"})
        queue_arn = self.queue.attributes["QueueArn"]
        statement = {
            "Sid": "test-sid",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "SQS:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": self.topic.arn}},
        }
        self.queue.set_attributes(
            Attributes={"Policy": json.dumps({"Version": "2008-10-17", "Statement": [statement]})}
        )
        self.topic.subscribe(Protocol="sqs", Endpoint=queue_arn)
        trust = {
            "Effect": "Allow",
            "Principal": {"Service": "rekognition.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
        self.role = iam.create_role(
            RoleName=CHANNEL_NAME,
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]}),
        )
        publish = {"Effect": "Allow", "Action": "SNS:Publish", "Resource": self.topic.arn}
        policy = iam.create_policy(
            PolicyName=CHANNEL_NAME, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [publish]})
        )
        self.role.attach_policy(PolicyArn=policy.arn)

    @property
    def channel(self) -> dict[str, str]:
        return {"RoleArn": self.role.arn, "SNSTopicArn": self.topic.arn}

    def poll(self, job_id: str, polls: int = 24) -> str:
        """One message at a time, five-second long polls; another job's message is the example's error."""
        for _ in range(polls):
            messages = self.queue.receive_messages(MaxNumberOfMessages=1, WaitTimeSeconds=5)
            if messages:
                message = json.loads(json.loads(messages[0].body)["Message"])
                if message["JobId"] != job_id:
                    raise RuntimeError(f"the example's queue received another job's message: {message}")
                messages[0].delete()
                return str(message["Status"])
        raise AssertionError(f"no completion message for {job_id}")

    def delete(self) -> None:
        for policy in self.role.attached_policies.all():
            self.role.detach_policy(PolicyArn=policy.arn)
            policy.delete()
        self.role.delete()
        self.queue.delete()
        self.topic.delete()


@pytest.fixture(scope="module")
def example_channel(cloud: Cloud) -> Any:
    channel = _ExampleChannel(cloud)
    yield channel
    channel.delete()


@pytest.mark.parametrize("start_method", list(EXAMPLE_JOBS))
def test_the_sdk_examples_video_client_runs_to_the_end(
    cloud: Cloud, example_channel: _ExampleChannel, start_method: str
):
    rekognition = cloud.client("rekognition")
    video = {"S3Object": {"Bucket": BUCKET, "Name": KEY}}
    job_id = getattr(rekognition, start_method)(Video=video, NotificationChannel=example_channel.channel)["JobId"]

    assert example_channel.poll(job_id) == "SUCCEEDED"

    get_method, result_key, wrap = EXAMPLE_JOBS[start_method]
    response = getattr(rekognition, get_method)(JobId=job_id)
    wrapped = [wrap(element) for element in response[result_key]]
    # One call, no token: the first page of at most 1000 elements, the service's default.
    assert wrapped and len(wrapped) == len(cloud.fake.results(job_id)[:1000])
