"""The daily budget's ledger in the jobs table: the minutes each UTC day has spent, per analysis and in total.

One usage item per day holds the running sums; one charge item per job and day says the job was
counted. Charging writes both in one transaction, the sums only while they stay within the limits, so
a re-delivered upload or a retried start never counts a job twice, and two starters racing for the
last minutes of a day can never both take them.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from video_pipeline.contract import TOTAL
from video_pipeline.dal.errors import error_code

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_USAGE_SK = "USAGE"


def budget_pk(day: str) -> str:
    return f"BUDGET#{day}"


def _charge_sk(token: str) -> str:
    return f"CHARGE#{token}"


def _sum_attribute(name: str) -> str:
    return f"minutes_{name}"


class BudgetLedger:
    def __init__(self, table: Table) -> None:
        self._table = table

    def charge(self, day: str, token: str, analysis: str, minutes: float, limits: Mapping[str, float]) -> bool:
        """Count the job `token` against `day`; True if it is counted now (or was already), False if over a limit."""
        amount = Decimal(str(minutes))
        names: dict[str, str] = {}
        values: dict[str, Any] = {":minutes": amount, ":zero": Decimal(0)}
        conditions = []
        for number, (name, limit) in enumerate(sorted(limits.items())):
            names[f"#l{number}"] = _sum_attribute(name)
            values[f":room{number}"] = Decimal(str(limit)) - amount
            # Room left, or nothing spent yet today: a job longer than the limit starts alone.
            spent = f"#l{number}"
            conditions.append(f"(attribute_not_exists({spent}) OR {spent} <= :room{number} OR {spent} = :zero)")
        names.update({"#total": _sum_attribute(TOTAL), "#own": _sum_attribute(analysis)})
        update: dict[str, Any] = {
            "TableName": self._table.name,
            "Key": {"pk": budget_pk(day), "sk": _USAGE_SK},
            "UpdateExpression": "ADD #total :minutes, #own :minutes",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if conditions:
            update["ConditionExpression"] = " AND ".join(conditions)
        else:
            values.pop(":zero")
        charge: dict[str, Any] = {
            "TableName": self._table.name,
            "Item": {"pk": budget_pk(day), "sk": _charge_sk(token), "analysis": analysis, "minutes": amount},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        if not conditions:
            return self._count_only(charge, update)
        try:
            items: Any = [{"Put": charge}, {"Update": update}]
            self._table.meta.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            # Either this job was counted before (a repeat) or a limit has no room: the charge item says which.
            return self._charged(day, token)
        return True

    def _count_only(self, charge: dict[str, Any], update: dict[str, Any]) -> bool:
        """No limit to keep: the day's minutes are only counted (for the dashboard), so no transaction,
        which costs twice the write units. The charge item still makes a repeat count nothing; an
        invocation killed between the two writes leaves that job's minutes out of the count."""
        client = self._table.meta.client
        try:
            client.put_item(**charge)
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            return True  # counted before
        client.update_item(**update)
        return True

    def used(self, day: str) -> dict[str, float]:
        """Minutes spent on `day`, by analysis and in `TOTAL`."""
        item = self._table.get_item(Key={"pk": budget_pk(day), "sk": _USAGE_SK}).get("Item") or {}
        prefix = _sum_attribute("")
        return {str(name)[len(prefix) :]: float(value) for name, value in item.items() if str(name).startswith(prefix)}  # type: ignore[arg-type]

    def _charged(self, day: str, token: str) -> bool:
        key = {"pk": budget_pk(day), "sk": _charge_sk(token)}
        return "Item" in self._table.get_item(Key=key, ConsistentRead=True)
