"""SQS operations the handlers perform themselves, beyond what the event source mapping does."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

WAITS_ATTRIBUTE = "waits"
# SQS's own counts lag by up to a minute, so a count this young is as good as a fresh one; every waiting
# upload asks for it, and re-using it spares one request per wait.
BACKLOG_FRESH_SECONDS = 15.0


class MessageQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url
        self._backlog: tuple[float, int] | None = None  # (when read, count)

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
        """Messages waiting in the queue, visible or delayed (approximate, as SQS counts them; a count
        read in the last `BACKLOG_FRESH_SECONDS` is reused)."""
        now = time.time()
        if self._backlog is not None and 0 <= now - self._backlog[0] < BACKLOG_FRESH_SECONDS:
            return self._backlog[1]
        attributes = self._client.get_queue_attributes(
            QueueUrl=self._queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"],
        )["Attributes"]
        count = sum(int(value) for value in attributes.values())
        self._backlog = (now, count)
        return count

    def hide(self, receipt_handle: str, seconds: int) -> None:
        """Set when a received message comes back (the event source mapping returns failed records)."""
        self._client.change_message_visibility(
            QueueUrl=self._queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
