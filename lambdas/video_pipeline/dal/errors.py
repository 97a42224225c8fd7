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
