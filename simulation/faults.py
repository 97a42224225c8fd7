"""Faults injected from outside the handlers: DynamoDB throttling, poison input."""

from __future__ import annotations

import json
import random
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse

from in_process.environment import LocalPipeline
from in_process.harness import PipelineHarness

THROTTLING = "ProvisionedThroughputExceededException"


class DynamoDBFaults:
    """Throttles a share of the DynamoDB write attempts the handlers make, as an overloaded table would.

    Injected per HTTP attempt (botocore's `before-send`), so the SDK's own retries see the throttling
    exactly as they would see the service's answer, then the pipeline's retries.
    """

    WRITES = ("BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem")

    def __init__(self, share: float, rng: random.Random) -> None:
        self._share = share
        self._rng = rng
        self.injected = 0

    def install(self, client: Any) -> None:
        for operation in self.WRITES:
            client.meta.events.register_first(f"before-send.dynamodb.{operation}", self._maybe_throttle)

    def _maybe_throttle(self, request: Any, **_: Any) -> AWSResponse | None:
        if self._rng.random() >= self._share:
            return None
        self.injected += 1
        body = json.dumps(
            {
                "__type": f"com.amazonaws.dynamodb.v20120810#{THROTTLING}",
                "message": "The level of configured provisioned throughput for the table was exceeded.",
            }
        ).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "throttled"}
        return AWSResponse(request.url, 400, headers, MockRawResponse(body))  # type: ignore[arg-type]


def inject_poison(resources: LocalPipeline) -> int:
    """Malformed and forged messages at both queues, and a non-video upload."""
    sqs = boto3.client("sqs", region_name=resources.region)
    bodies_for_starter = ["not json", json.dumps({"Records": [{"eventName": "ObjectCreated:Put"}]}), "{}"]
    forged = {
        "JobId": "f" * 64,
        "Status": "SUCCEEDED",
        "API": "StartFaceDetection",
        "JobTag": "rvp:faces:" + "0" * 32,
        "Timestamp": 1,
        "Video": {"S3ObjectName": "forged.mp4", "S3Bucket": resources.bucket},
    }
    bodies_for_collector = ["<xml/>", json.dumps({"JobId": "x", "Status": "BOGUS"}), json.dumps(forged)]
    for body in bodies_for_starter:
        sqs.send_message(QueueUrl=resources.starter_queue_url, MessageBody=body)
    for body in bodies_for_collector:
        sqs.send_message(QueueUrl=resources.results_queue_url, MessageBody=body)
    boto3.client("s3", region_name=resources.region).put_object(
        Bucket=resources.bucket, Key="poison/readme.txt.mp4", Body=b"this is not a video"
    )
    return len(bodies_for_starter) + len(bodies_for_collector) + 1


def poison_writes(harness: PipelineHarness, keys: list[str]) -> int:
    """Items written for anything but the scenario's uploads: the rejected non-video's record is expected."""
    known = set(keys) | {"poison/readme.txt.mp4"}
    return sum(1 for video in harness.all_videos() if video.key not in known) + harness.stored_detections("f" * 64)
