"""The starter's own SQS calls: what a waiting upload costs."""

from __future__ import annotations

from typing import Any
from unittest import mock

from video_pipeline.dal.queues import BACKLOG_FRESH_SECONDS, MessageQueue


class CountingSQS:
    def __init__(self) -> None:
        self.attribute_reads = 0
        self.waiting = 7

    def get_queue_attributes(self, **_: Any) -> dict[str, Any]:
        self.attribute_reads += 1
        return {
            "Attributes": {"ApproximateNumberOfMessages": str(self.waiting), "ApproximateNumberOfMessagesDelayed": "3"}
        }


def test_waiting_uploads_reuse_a_young_backlog_count_and_read_it_again_once_it_is_old() -> None:
    sqs = CountingSQS()
    queue = MessageQueue(sqs, "https://sqs.example/uploads")  # type: ignore[arg-type]
    with mock.patch("time.time", return_value=1_000.0):
        assert [queue.backlog() for _ in range(5)] == [10] * 5
    assert sqs.attribute_reads == 1

    sqs.waiting = 20
    with mock.patch("time.time", return_value=1_000.0 + BACKLOG_FRESH_SECONDS - 1):
        assert queue.backlog() == 10
    with mock.patch("time.time", return_value=1_000.0 + BACKLOG_FRESH_SECONDS):
        assert queue.backlog() == 23
    assert sqs.attribute_reads == 2
