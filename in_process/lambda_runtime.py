"""Deliver SQS messages to a handler the way a Lambda SQS event source mapping does.

Messages the handler reports as failed (partial batch response) stay in the queue and come back
after their visibility timeout; the others are deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import boto3

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True, slots=True)
class FakeLambdaContext:
    function_name: str = "local"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:local"
    aws_request_id: str = "local-request"
    # Lambda's longest timeout; a smaller value makes a handler behave as if its time were running out.
    remaining_ms: int = 900_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass(slots=True)
class DeliveryStats:
    invocations: int = 0
    delivered: int = 0
    failed: int = 0


def to_sqs_event(messages: Sequence[Mapping[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {
                    "ApproximateReceiveCount": message.get("Attributes", {}).get("ApproximateReceiveCount", "1"),
                    "SentTimestamp": message.get("Attributes", {}).get("SentTimestamp", "0"),
                },
                "messageAttributes": {
                    name: {"stringValue": value.get("StringValue"), "dataType": value["DataType"]}
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


class QueuePoller:
    def __init__(
        self, queue_url: str, handler: Handler, *, region: str, batch_size: int = 10, remaining_ms: int = 900_000
    ) -> None:
        self._remaining_ms = remaining_ms
        self._sqs = boto3.client("sqs", region_name=region)
        self._queue_url = queue_url
        self._handler = handler
        self._region = region
        self._batch_size = batch_size
        self._queue_arn = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.stats = DeliveryStats()

    def poll_once(self, *, retry_failed_now: bool = True) -> int:
        """One invocation with up to `batch_size` messages; returns how many were delivered."""
        messages = self._receive()
        if not messages:
            return 0
        context = FakeLambdaContext(aws_request_id=str(uuid.uuid4()), remaining_ms=self._remaining_ms)
        response = self._handler(to_sqs_event(messages, self._queue_arn, self._region), context) or {}
        failed = {failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])}
        self.stats.invocations += 1
        for message in messages:
            if message["MessageId"] in failed:
                self.stats.failed += 1
                if retry_failed_now:
                    self._sqs.change_message_visibility(
                        QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                    )
            else:
                self.stats.delivered += 1
                self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def _receive(self) -> list[dict[str, Any]]:
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=self._batch_size,
            VisibilityTimeout=30,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        return [dict(message) for message in messages]

    def drain(self, max_invocations: int = 1000) -> DeliveryStats:
        """Invoke until the queue is empty (or the bound is hit, for handlers that keep failing)."""
        for _ in range(max_invocations):
            if self.poll_once() == 0:
                break
        return self.stats
