"""The detections table: written in BatchWriteItem chunks, every unprocessed item retried.

Items are the packed windows and appearances of `logic/detections.py`: a job's items share its
partition, so deleting a job's detections is one Query (keys only) and BatchWriteItem deletes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from video_pipeline.dal.errors import is_throttling
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.retry import Backoff
from video_pipeline.schema import EXPIRY_ATTRIBUTE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BATCH_LIMIT = 25
DynamoItem = dict[str, dict[str, Any]]
# Unprocessed items mean the table is throttling: back off longer than for a single call.
WRITE_BACKOFF = Backoff(attempts=10, base_seconds=0.05, cap_seconds=2.0)


class DetectionsStore:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        backoff: Backoff = WRITE_BACKOFF,
        sleep: Callable[[float], None] | None = None,
        retention: timedelta | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._retention = retention
        self._now = now
        self._table_name = table_name
        self._backoff = backoff
        self._sleep = sleep
        self.requests = 0

    def write(self, items: Sequence[DynamoItem]) -> None:
        """Write every item (puts are idempotent: keys are deterministic) or raise RetryLaterError."""
        if self._retention is not None:
            expiry = {"N": str(int(self._now() + self._retention.total_seconds()))}
            items = [{**item, EXPIRY_ATTRIBUTE: expiry} for item in items]
        for start in range(0, len(items), BATCH_LIMIT):
            self._apply([{"PutRequest": {"Item": item}} for item in items[start : start + BATCH_LIMIT]])

    def delete_job(self, job_id: str, time_left: Callable[[], float], reserve_seconds: float) -> bool:
        """Delete a job's detections; False if time ran short first (call again: progress is kept)."""
        return self._delete(job_id, time_left, reserve_seconds, kept=frozenset())

    def delete_stale(self, job_id: str, kept: Collection[str]) -> None:
        """Delete the job's items whose sort key is not in `kept`, once `make rebuild` has written
        those: items of the one-item-per-detection layout (sort keys start with a digit), and items
        the layout no longer writes (appearances of an analysis whose rule is not indexed)."""
        self._delete(job_id, lambda: float("inf"), 0.0, kept=kept)

    def _delete(
        self, job_id: str, time_left: Callable[[], float], reserve_seconds: float, *, kept: Collection[str]
    ) -> bool:
        query: dict[str, Any] = {
            "TableName": self._table_name,
            "KeyConditionExpression": "pk = :job",
            "ExpressionAttributeValues": {":job": {"S": job_id}},
            "ProjectionExpression": "pk, sk",
        }
        while True:
            if time_left() < reserve_seconds:
                return False
            response = self._client.query(**query)
            keys = [key for key in response.get("Items", []) if key["sk"]["S"] not in kept]
            for start in range(0, len(keys), BATCH_LIMIT):
                self._apply([{"DeleteRequest": {"Key": key}} for key in keys[start : start + BATCH_LIMIT]])
            if "LastEvaluatedKey" not in response:
                return True
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _apply(self, requests: list[Any]) -> None:
        """One BatchWriteItem, retrying unprocessed items and throttling until all are written."""
        pending = requests
        for attempt in range(1, self._backoff.attempts + 1):
            self.requests += 1
            try:
                response = self._client.batch_write_item(RequestItems={self._table_name: pending})
            except ClientError as error:
                if not is_throttling(error):
                    raise
            else:
                pending = list(response.get("UnprocessedItems", {}).get(self._table_name, []))
                if not pending:
                    return
            (self._sleep or time.sleep)(self._backoff.delay(attempt))
        raise RetryLaterError(f"{len(pending)} detections still unwritten after {self._backoff.attempts} attempts")
