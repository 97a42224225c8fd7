"""The developer guide's Python stored-video example (the VideoDetect class, "Analyzing a video stored
in an Amazon S3 bucket with Java or Python (SDK)"), replayed call for call through plain boto3 clients
pointed at the emulator and moto's server: start with a notification channel, read the SQS queue
subscribed to the topic until the job's message arrives, then the example's results loops, each of
which makes its first Get* call with NextToken='' and MaxResults=10 (label detection also with
SortBy='TIMESTAMP'). Only endpoint, region, credentials, the role, bucket and video are filled in.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conformance.conftest import BUCKET, KEY, Cloud

pytestmark = pytest.mark.integration

# Start method -> (Get method, result key, extra Get parameters of the example)
EXAMPLE_LOOPS = {
    "start_label_detection": ("get_label_detection", "Labels", {"SortBy": "TIMESTAMP"}),
    "start_face_detection": ("get_face_detection", "Faces", {}),
    "start_person_tracking": ("get_person_tracking", "Persons", {}),
    "start_celebrity_recognition": ("get_celebrity_recognition", "Celebrities", {}),
}


def _wait_for_job(cloud: Cloud, job_id: str, attempts: int = 120) -> dict[str, Any]:
    """The example's SQS loop: receive, unwrap the SNS envelope, match the job id, delete."""
    sqs = cloud.client("sqs")
    for _ in range(attempts):
        response = sqs.receive_message(
            QueueUrl=cloud.queue_url, MessageAttributeNames=["ALL"], MaxNumberOfMessages=10, WaitTimeSeconds=1
        )
        for message in response.get("Messages", []):
            notification = json.loads(message["Body"])
            rekognition_message: dict[str, Any] = json.loads(notification["Message"])
            sqs.delete_message(QueueUrl=cloud.queue_url, ReceiptHandle=message["ReceiptHandle"])
            if str(rekognition_message["JobId"]) == job_id:
                return rekognition_message
    raise AssertionError(f"no completion message for {job_id}")


@pytest.mark.parametrize("start_method", list(EXAMPLE_LOOPS))
def test_the_examples_flow_runs_to_the_end(cloud: Cloud, start_method: str):
    rekognition = cloud.client("rekognition")
    response = getattr(rekognition, start_method)(
        Video={"S3Object": {"Bucket": BUCKET, "Name": KEY}},
        NotificationChannel={"RoleArn": cloud.role_arn, "SNSTopicArn": cloud.topic_arn},
    )
    message = _wait_for_job(cloud, response["JobId"])
    assert message["Status"] == "SUCCEEDED"

    get_method, result_key, extra = EXAMPLE_LOOPS[start_method]
    max_results, pagination_token, finished, seen, printed = 10, "", False, [], []
    while not finished:
        page = getattr(rekognition, get_method)(
            JobId=message["JobId"], MaxResults=max_results, NextToken=pagination_token, **extra
        )
        # What the example prints first on every page.
        printed.append(
            (
                page["VideoMetadata"]["Codec"],
                page["VideoMetadata"]["DurationMillis"],
                page["VideoMetadata"]["Format"],
                page["VideoMetadata"]["FrameRate"],
            )
        )
        seen.extend(page[result_key])
        if "NextToken" in page:
            pagination_token = page["NextToken"]
        else:
            finished = True
    assert seen == cloud.fake.results(message["JobId"], **extra)
    assert len(printed) >= 2 and set(printed) == {("h264", 8000, "QuickTime / MOV", 25.0)}
