"""Hand-made events for cases moto's S3 notifications cannot produce (version ids, odd sizes)."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote_plus

import boto3

from in_process.lambda_runtime import FakeLambdaContext, to_sqs_event


def s3_event_body(
    bucket: str,
    key: str,
    *,
    version: str | None = None,
    size: int = 4096,
    etag: str = "e1",
    event_name: str = "ObjectCreated:Put",
    sequencer: str = "0A",
) -> str:
    obj: dict[str, Any] = {"key": quote_plus(key), "size": size, "eTag": etag, "sequencer": sequencer}
    if version:
        obj["versionId"] = version
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2026-11-22T10:00:00.000Z",
        "eventName": event_name,
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"}, "object": obj},
    }
    return json.dumps({"Records": [record]})


def invoke(handler: Any, *bodies: str) -> tuple[dict[str, Any], list[str]]:
    """Invoke a handler with one SQS message per body; returns (response, message ids)."""
    messages = [{"MessageId": str(uuid.uuid4()), "ReceiptHandle": "r", "Body": body} for body in bodies]
    event = to_sqs_event(messages, "arn:aws:sqs:us-east-1:123456789012:local", "us-east-1")
    response = handler(event, FakeLambdaContext())
    return response, [message["MessageId"] for message in messages]


def failed_ids(response: dict[str, Any]) -> list[str]:
    return [failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])]


def completion_bodies(queue_url: str) -> list[str]:
    """The completion notices waiting in the results queue (up to 10), to deliver by hand."""
    messages = boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [message["Body"] for message in messages]
