"""BatchWriteItem: unprocessed items and throttling are retried until every detection is written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from video_pipeline.dal.detections_store import DetectionsStore
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.retry import Backoff


class FlakyTable:
    """Leaves the last item of each request unprocessed, and throttles every `throttle_every`-th call."""

    def __init__(self, throttle_every: int = 0, always_unprocessed: bool = False) -> None:
        self.written: dict[str, dict[str, Any]] = {}
        self.calls = 0
        self._throttle_every = throttle_every
        self._always = always_unprocessed

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:  # noqa: N803
        self.calls += 1
        if self._throttle_every and self.calls % self._throttle_every == 0:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "BatchWriteItem")
        ((table, requests),) = RequestItems.items()
        keep = requests if self._always else requests[-1:] if len(requests) > 1 else []
        for request in requests:
            if request not in keep:
                item = request["PutRequest"]["Item"]
                self.written[item["sk"]["S"]] = item
        return {"UnprocessedItems": {table: keep} if keep else {}}


def items(count: int) -> list[dict[str, Any]]:
    return [{"pk": {"S": "job"}, "sk": {"S": f"{index:05d}"}} for index in range(count)]


def test_unprocessed_items_and_throttling_are_retried_until_all_are_written() -> None:
    table = FlakyTable(throttle_every=3)
    sleeps: list[float] = []
    store = DetectionsStore(table, "detections", sleep=sleeps.append)  # type: ignore[arg-type]
    store.write(items(60))
    assert sorted(table.written) == [f"{index:05d}" for index in range(60)]
    assert sleeps and store.requests == table.calls


def test_a_table_that_never_accepts_hands_the_work_back_instead_of_dropping_it() -> None:
    store = DetectionsStore(
        FlakyTable(always_unprocessed=True),  # type: ignore[arg-type]
        "detections",
        backoff=Backoff(attempts=3, base_seconds=0.0, cap_seconds=0.0),
        sleep=lambda _seconds: None,
    )
    with pytest.raises(RetryLaterError, match="still unwritten"):
        store.write(items(5))


def test_a_retention_period_stamps_each_detection_with_its_expiry() -> None:
    table = FlakyTable()
    store = DetectionsStore(table, "detections", retention=timedelta(days=30), now=lambda: 1_000.0)  # type: ignore[arg-type]
    store.write(items(1))
    store.write(items(2))
    assert {item["expires_at"]["N"] for item in table.written.values()} == {str(1_000 + 30 * 86_400)}
