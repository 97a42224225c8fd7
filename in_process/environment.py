"""The pipeline's AWS resources, created in moto the way the CDK stack creates them in an account.

Call `provision` inside an active `moto.mock_aws()`. Table layouts come from the same schema module
the stack uses, so local runs and tests exercise the deployed key design.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
from video_pipeline.analyses import DEFAULT_ANALYSES, DEFAULT_PERSON_ENGINE
from video_pipeline.contract import (
    COLLECTOR_MAX_RECEIVE_COUNT,
    DEFAULT_VIDEO_SUFFIXES,
    STARTER_MAX_RECEIVE_COUNT,
    Env,
    notified_suffixes,
)
from video_pipeline.schema import DETECTIONS_TABLE, JOBS_TABLE, TableSpec

ACCOUNT_ID = "123456789012"


@dataclass(frozen=True, slots=True)
class LocalPipeline:
    region: str
    bucket: str
    archive_bucket: str
    jobs_table: str
    detections_table: str
    topic_arn: str
    role_arn: str
    starter_queue_url: str
    results_queue_url: str
    starter_dead_letter_url: str
    results_dead_letter_url: str

    def environment(
        self,
        analyses: tuple[str, ...] = DEFAULT_ANALYSES,
        face_attributes: str = "ALL",
        *,
        person_engine: str = DEFAULT_PERSON_ENGINE,
        person_fallback: bool = False,
        job_quota: int = 20,
    ) -> dict[str, str]:
        """The variables the stack sets on the Lambda functions."""
        return {
            Env.JOBS_TABLE: self.jobs_table,
            Env.INPUT_BUCKETS: self.bucket,
            Env.UPLOADS_QUEUE_URL: self.starter_queue_url,
            Env.RESULTS_QUEUE_URL: self.results_queue_url,
            Env.ARCHIVE_BUCKET: self.archive_bucket,
            Env.JOB_QUOTA: str(job_quota),
            Env.RESULT_RETENTION_DAYS: "0",
            Env.RECONCILE_AFTER_MINUTES: "20",
            Env.DETECTIONS_TABLE: self.detections_table,
            Env.TOPIC_ARN: self.topic_arn,
            Env.ROLE_ARN: self.role_arn,
            Env.ENABLED_ANALYSES: ",".join(analyses),
            Env.FACE_ATTRIBUTES: face_attributes,
            Env.PERSON_TRACKING_ENGINE: person_engine,
            Env.PERSON_TRACKING_FALLBACK: str(person_fallback).lower(),
        }


def create_table(name: str, spec: TableSpec, region: str) -> None:
    keys = {spec.partition_key, spec.sort_key}
    for index in spec.indexes:
        keys |= {index.partition_key, index.sort_key}
    boto3.client("dynamodb", region_name=region).create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in sorted(keys)],
        KeySchema=[
            {"AttributeName": spec.partition_key, "KeyType": "HASH"},
            {"AttributeName": spec.sort_key, "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in spec.indexes
        ],
    )


def provision(region: str = "us-east-1", *, prefix: str = "local", raw_delivery: bool = False) -> LocalPipeline:
    s3 = boto3.client("s3", region_name=region)
    sqs = boto3.client("sqs", region_name=region)
    sns = boto3.client("sns", region_name=region)
    iam = boto3.client("iam", region_name=region)

    bucket = f"{prefix}-videos"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    archive_bucket = f"{prefix}-results-archive"
    s3.create_bucket(Bucket=archive_bucket)

    jobs_table, detections_table = f"{prefix}-jobs", f"{prefix}-detections"
    create_table(jobs_table, JOBS_TABLE, region)
    create_table(detections_table, DETECTIONS_TABLE, region)

    starter_dead_letter_url = sqs.create_queue(QueueName=f"{prefix}-uploads-dlq")["QueueUrl"]
    results_dead_letter_url = sqs.create_queue(QueueName=f"{prefix}-results-dlq")["QueueUrl"]
    starter_queue_url = _queue_with_dead_letters(
        sqs, f"{prefix}-uploads", starter_dead_letter_url, STARTER_MAX_RECEIVE_COUNT
    )
    results_queue_url = _queue_with_dead_letters(
        sqs, f"{prefix}-results", results_dead_letter_url, COLLECTOR_MAX_RECEIVE_COUNT
    )
    starter_queue_arn = _queue_arn(sqs, starter_queue_url)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": starter_queue_arn,
                    "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": suffix}]}},
                }
                for suffix in notified_suffixes(DEFAULT_VIDEO_SUFFIXES)
            ]
        },
    )

    topic_arn = sns.create_topic(Name=f"AmazonRekognition-{prefix}")["TopicArn"]
    subscription = sns.subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=_queue_arn(sqs, results_queue_url), ReturnSubscriptionArn=True
    )
    if raw_delivery:
        sns.set_subscription_attributes(
            SubscriptionArn=subscription["SubscriptionArn"], AttributeName="RawMessageDelivery", AttributeValue="true"
        )
    role_arn = iam.create_role(
        RoleName=f"{prefix}-rekognition-publish",
        AssumeRolePolicyDocument=json.dumps(_rekognition_trust_policy()),
    )["Role"]["Arn"]
    return LocalPipeline(
        region=region,
        bucket=bucket,
        archive_bucket=archive_bucket,
        jobs_table=jobs_table,
        detections_table=detections_table,
        topic_arn=topic_arn,
        role_arn=role_arn,
        starter_queue_url=starter_queue_url,
        results_queue_url=results_queue_url,
        starter_dead_letter_url=starter_dead_letter_url,
        results_dead_letter_url=results_dead_letter_url,
    )


def _queue_with_dead_letters(sqs: Any, name: str, dead_letter_url: str, max_receive_count: int) -> str:
    policy = {"deadLetterTargetArn": _queue_arn(sqs, dead_letter_url), "maxReceiveCount": max_receive_count}
    return str(sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": json.dumps(policy)})["QueueUrl"])


def _queue_arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def _rekognition_trust_policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "rekognition.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
