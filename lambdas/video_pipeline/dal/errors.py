"""Classifying DynamoDB client errors."""

from __future__ import annotations

from botocore.exceptions import ClientError

# Throttling that the SDK's own retries did not absorb: worth backing off and trying again.
THROTTLING_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "InternalServerError"}
)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_condition_failure(error: ClientError) -> bool:
    return error_code(error) == "ConditionalCheckFailedException"


def is_throttling(error: ClientError) -> bool:
    return error_code(error) in THROTTLING_CODES


# A transaction cancelled because a condition did not hold, or because another write touched the same
# item at the same moment: either way the repair is not due now (the next run looks again).
_TRANSACTION_SKIPS = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


def is_transaction_condition_failure(error: ClientError) -> bool:
    if error_code(error) != "TransactionCanceledException":
        return False
    reasons = error.response.get("CancellationReasons") or []
    codes = {str(reason.get("Code")) for reason in reasons if reason.get("Code") not in (None, "None")}
    return not reasons or (bool(codes) and codes <= _TRANSACTION_SKIPS)
