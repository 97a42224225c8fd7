"""The account's concurrent-job quota as a ledger of slot holders in the jobs table.

One item holds the set of jobs that occupy a slot. Taking a slot adds the job to the set only while
the set is smaller than the quota; giving it back removes the job. Both are single conditional
updates and both are idempotent (adding a member twice or removing an absent one changes nothing),
so a re-delivered message or notification can never count a job twice or free a slot twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from video_pipeline.dal.errors import is_condition_failure

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

LEDGER_KEY = {"pk": "QUOTA", "sk": "JOBS_IN_FLIGHT"}
_HOLDERS = "holders"


class JobSlots:
    def __init__(self, table: Table, quota: int) -> None:
        if quota < 1:
            raise ValueError(f"the job quota must be at least 1, got {quota}")
        self._table = table
        self.quota = quota
        # The ledger's size as of the last update this instance made: a free gauge for metrics.
        self.last_in_flight: int | None = None

    def acquire(self, holder: str) -> bool:
        """Take a slot for `holder`; True if it holds one now (already held counts), False if full."""
        try:
            response = self._table.update_item(
                Key=LEDGER_KEY,
                UpdateExpression="ADD #holders :me",
                ConditionExpression="attribute_not_exists(#holders) OR contains(#holders, :holder) "
                "OR size(#holders) < :quota",
                ExpressionAttributeNames={"#holders": _HOLDERS},
                ExpressionAttributeValues={":me": {holder}, ":holder": holder, ":quota": self.quota},
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as error:
            if is_condition_failure(error):
                self.last_in_flight = self.quota
                return False
            raise
        self.last_in_flight = len(_as_set(response.get("Attributes", {}).get(_HOLDERS)))
        return True

    def release(self, holder: str) -> None:
        response = self._table.update_item(
            Key=LEDGER_KEY,
            UpdateExpression="DELETE #holders :me",
            ExpressionAttributeNames={"#holders": _HOLDERS},
            ExpressionAttributeValues={":me": {holder}},
            ReturnValues="UPDATED_NEW",
        )
        self.last_in_flight = len(_as_set(response.get("Attributes", {}).get(_HOLDERS)))

    def holders(self) -> frozenset[str]:
        item = self._table.get_item(Key=LEDGER_KEY, ConsistentRead=True).get("Item") or {}
        return frozenset(str(member) for member in _as_set(item.get(_HOLDERS)))

    def in_flight(self) -> int:
        return len(self.holders())

    def is_full(self) -> bool:
        self.last_in_flight = self.in_flight()
        return self.last_in_flight >= self.quota

    def replace(self, stale: Iterable[str], missing: Iterable[str]) -> None:
        """Repair the ledger: drop holders that no longer run, add running jobs it forgot.

        Two separate updates, each idempotent, so a slot taken concurrently is never lost. Adding
        ignores the quota on purpose: those jobs run whether or not the ledger knew about them.
        """
        for expression, members in (("DELETE #holders :members", set(stale)), ("ADD #holders :members", set(missing))):
            if members:
                self._table.update_item(
                    Key=LEDGER_KEY,
                    UpdateExpression=expression,
                    ExpressionAttributeNames={"#holders": _HOLDERS},
                    ExpressionAttributeValues={":members": members},
                )


def _as_set(value: Any) -> set[Any]:
    return set(value) if value else set()
