"""AWS clients configured as the pipeline uses them: fresh ones on demand, or Lambda's, created on
first use and reused across warm invocations.

Nothing is built at import time, so tests can set the environment and start their doubles first.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource
    from mypy_boto3_rekognition import RekognitionClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

# Rekognition retries are owned by the pipeline's own back-off (logic/retry.py) so that every
# transient error, LimitExceededException included, follows one policy instead of two stacked ones.
_REKOGNITION_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5, read_timeout=30)
_DYNAMODB_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 8}, connect_timeout=5, read_timeout=10)
_SQS_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 5}, connect_timeout=5, read_timeout=10)
# SigV4 named explicitly: botocore presigns S3 URLs with the deprecated SigV2 query form otherwise
# (dal/media_links.py); requests are signed with SigV4 either way.
_S3_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 4}, connect_timeout=5, read_timeout=10, signature_version="s3v4"
)


_CONFIGS = {"rekognition": _REKOGNITION_CONFIG, "dynamodb": _DYNAMODB_CONFIG, "sqs": _SQS_CONFIG, "s3": _S3_CONFIG}


def new_client(service: str, session: boto3.Session | None = None) -> Any:
    """A new client of `service`, from `session` or the default session, with the pipeline's settings."""
    return (session or boto3).client(service, config=_CONFIGS[service])  # type: ignore[call-overload]


def new_dynamodb_resource(session: boto3.Session | None = None) -> DynamoDBServiceResource:
    return (session or boto3).resource("dynamodb", config=_DYNAMODB_CONFIG)


@cache
def rekognition() -> RekognitionClient:
    return boto3.client("rekognition", config=_REKOGNITION_CONFIG)


@cache
def dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb", config=_DYNAMODB_CONFIG)


@cache
def dynamodb_resource() -> DynamoDBServiceResource:
    return boto3.resource("dynamodb", config=_DYNAMODB_CONFIG)


@cache
def s3() -> S3Client:
    return boto3.client("s3", config=_S3_CONFIG)


@cache
def sqs() -> SQSClient:
    return boto3.client("sqs", config=_SQS_CONFIG)


def reset() -> None:
    """Forget cached clients (tests switch regions or doubles between cases)."""
    for factory in (rekognition, dynamodb, dynamodb_resource, s3, sqs):
        factory.cache_clear()
