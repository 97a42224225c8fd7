"""SQS operations the handlers perform themselves, beyond what the event source mapping does."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

WAITS_ATTRIBUTE = "waits"


class MessageQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def send_later(self, body: str, *, delay_seconds: int, waits: int | None = None) -> None:
        """Put a (copy of a) message on the queue, visible after `delay_seconds`."""
        attributes: dict[str, Any] = {}
        if waits is not None:
            attributes[WAITS_ATTRIBUTE] = {"DataType": "Number", "StringValue": str(waits)}
        self._client.send_message(
            QueueUrl=self._queue_url, MessageBody=body, DelaySeconds=delay_seconds, MessageAttributes=attributes
        )

    def send_json(self, payload: dict[str, Any], *, delay_seconds: int = 0) -> None:
        self.send_later(json.dumps(payload, separators=(",", ":")), delay_seconds=delay_seconds)

    def backlog(self) -> int:
        """Messages waiting in the queue, visible or delayed (approximate, as SQS counts them)."""
        attributes = self._client.get_queue_attributes(
            QueueUrl=self._queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"],
        )["Attributes"]
        return sum(int(value) for value in attributes.values())

    def hide(self, receipt_handle: str, seconds: int) -> None:
        """Set when a received message comes back (the event source mapping returns failed records)."""
        self._client.change_message_visibility(
            QueueUrl=self._queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
