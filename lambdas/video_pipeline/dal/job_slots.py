"""The account's concurrent-job quota as a ledger of slot holders in the jobs table.

One item holds the set of jobs that occupy a slot. Taking a slot adds the job to the set only while
the set is smaller than the quota; giving it back removes the job. Both are single conditional
updates and both are idempotent (adding a member twice or removing an absent one changes nothing),
so a re-delivered message or notification can never count a job twice or free a slot twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from video_pipeline.dal.errors import is_condition_failure, is_transaction_condition_failure
from video_pipeline.logic.identity import parse_holder
from video_pipeline.models import JobStatus
from video_pipeline.schema import LEDGER_KEY, job_sk, video_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_HOLDERS = "holders"
_FINAL = [status.value for status in JobStatus if status.is_final]


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

    def release_if_settled(self, holder: str, *, starting_before: str) -> bool:
        """Drop `holder` only if its job, read in the same transaction, no longer runs.

        Settled: the job record is gone, final, or STARTING since before `starting_before` (the
        invocation that took the slot died before Start*, and its retry would have refreshed it).
        Checking and dropping in one transaction means a job that moves on meanwhile (STARTING to
        IN_PROGRESS) can never lose the slot Rekognition is using.
        """
        video_id, analysis = parse_holder(holder)
        return self._transact(
            holder,
            "DELETE #holders :me",
            {"pk": video_pk(video_id), "sk": job_sk(analysis)},
            "attribute_not_exists(pk) OR #status IN (" + ", ".join(f":f{i}" for i in range(len(_FINAL))) + ") "
            "OR (#status = :starting AND updated_at < :cutoff)",
            {
                **{f":f{i}": status for i, status in enumerate(_FINAL)},
                ":starting": JobStatus.STARTING.value,
                ":cutoff": starting_before,
            },
        )

    def restore_if_running(self, holder: str) -> bool:
        """Add back a holder the ledger lost, only if its job, read in the same transaction, still runs.

        Adding ignores the quota on purpose: the job runs whether or not the ledger knew about it.
        """
        video_id, analysis = parse_holder(holder)
        return self._transact(
            holder,
            "ADD #holders :me",
            {"pk": video_pk(video_id), "sk": job_sk(analysis)},
            "#status = :running",
            {":running": JobStatus.IN_PROGRESS.value},
        )

    def _transact(
        self, holder: str, ledger_update: str, job_key: dict[str, Any], condition: str, values: dict[str, Any]
    ) -> bool:
        # The table resource's client takes plain Python values, as the resource does.
        try:
            self._table.meta.client.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self._table.name,
                            "Key": job_key,
                            "ConditionExpression": condition,
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": values,
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table.name,
                            "Key": LEDGER_KEY,
                            "UpdateExpression": ledger_update,
                            "ExpressionAttributeNames": {"#holders": _HOLDERS},
                            "ExpressionAttributeValues": {":me": {holder}},
                        }
                    },
                ]
            )
        except ClientError as error:
            if is_transaction_condition_failure(error):
                return False
            raise
        return True


def _as_set(value: Any) -> set[Any]:
    return set(value) if value else set()
