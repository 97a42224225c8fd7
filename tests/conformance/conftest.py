"""Real clients written by AWS against the emulator's HTTP endpoint: the AWS CLI, the JavaScript SDK
v3, and the developer guide's examples, with only endpoint, region, credentials and the example's
fill-in values changed. S3, SNS, SQS and IAM are moto's server; everything is on loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emulator import RekognitionVideoFake, sample_video_bytes
from in_process.cloud import client_at, serving

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
BUCKET = "conformance-videos"
KEY = "clips/walk in the park.mp4"
ROLE_NAME = "AmazonRekognitionConformance"
TOPIC_NAME = "AmazonRekognitionConformance"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "conformance", "AWS_SECRET_ACCESS_KEY": "conformance"}
# Start operation -> (CLI command stem, result key)
APIS = {
    "StartFaceDetection": ("face-detection", "Faces"),
    "StartCelebrityRecognition": ("celebrity-recognition", "Celebrities"),
    "StartPersonTracking": ("person-tracking", "Persons"),
    "StartLabelDetection": ("label-detection", "Labels"),
}
# The analyses added later, which the AWS CLI and the JavaScript client drive too: stem, result key.
MORE_APIS = {
    "StartSegmentDetection": ("segment-detection", "Segments"),
    "StartContentModeration": ("content-moderation", "ModerationLabels"),
    "StartTextDetection": ("text-detection", "TextDetections"),
}
# What a Start command needs besides the video, in the CLI's own words.
START_ARGUMENTS: dict[str, list[str]] = {
    "StartSegmentDetection": ["--segment-types", "SHOT", "TECHNICAL_CUE"],
}


@dataclass(frozen=True)
class Cloud:
    fake: RekognitionVideoFake
    aws_url: str
    rekognition_url: str
    topic_arn: str
    queue_url: str
    role_arn: str

    def client(self, service: str) -> Any:
        url = self.rekognition_url if service == "rekognition" else self.aws_url
        return client_at(url, service, REGION, CREDENTIALS)

    @property
    def environment(self) -> dict[str, str]:
        """What a user's shell has: credentials and a region, no AWS config or profile."""
        keep = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        return {
            **keep,
            **CREDENTIALS,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def messages(self, job_ids: Iterable[str], attempts: int = 60) -> list[dict[str, Any]]:
        """The completion notifications of `job_ids`, unwrapped from their SNS envelopes, in arrival order.

        A job's notification is published just after the job leaves IN_PROGRESS, so it is waited for
        (long polls of one second, a bounded number of them), not assumed. Other jobs' messages are
        dropped: the queue is shared by the package's tests.
        """
        wanted = set(job_ids)
        sqs = self.client("sqs")
        found: list[dict[str, Any]] = []
        for _ in range(attempts):
            if {message["JobId"] for message in found} >= wanted:
                break
            batch = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in batch.get("Messages", []):
                body = json.loads(json.loads(message["Body"])["Message"])
                if body["JobId"] in wanted:
                    found.append(body)
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return found


def _provision(cloud_url: str) -> tuple[str, str, str]:
    def client(service: str) -> Any:
        return client_at(cloud_url, service, REGION, CREDENTIALS)

    s3 = client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=sample_video_bytes(width=640, height=360, fps=25, seconds=8))
    topic_arn = client("sns").create_topic(Name=TOPIC_NAME)["TopicArn"]
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName="conformance-completions")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    trust = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "rekognition.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]
    }
    role_arn = client("iam").create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    return topic_arn, queue_url, role_arn


@pytest.fixture(scope="package")
def cloud() -> Iterator[Cloud]:
    """moto's server for S3/SNS/SQS/IAM and the emulator's endpoint; jobs finish in a worker pool.

    One for the whole package: moto's servers in one process share their state.
    """
    with serving(workers=1, region=REGION) as served:
        topic_arn, queue_url, role_arn = _provision(served.aws_url)
        yield Cloud(served.fake, served.aws_url, served.rekognition_url, topic_arn, queue_url, role_arn)


def wait_idle(fake: RekognitionVideoFake) -> None:
    fake.wait_until_idle(timeout=120, interval=0.05)


def run(command: list[str], environment: Mapping[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, env=dict(environment), capture_output=True, text=True, timeout=timeout, check=False
    )


def aws_cli(cloud: Cloud, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`aws --endpoint-url ... rekognition ...`, the CLI from PyPI in a fresh process."""
    command = [sys.executable, "-m", "awscli", "--endpoint-url", cloud.rekognition_url, "--output", "json", *arguments]
    return run(command, cloud.environment)


def cli_json(done: subprocess.CompletedProcess[str]) -> Any:
    """The JSON a successful AWS CLI command printed; its error output if it failed."""
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
