"""The settings every bucket of the stack shares: SSE-S3, TLS only, no public access, owner-enforced.

Every setting that a CDK feature flag would otherwise decide is stated here, so the buckets are the
same in an app without this project's cdk.json (tests/infra/test_portability.py).
"""

from __future__ import annotations

from typing import Any, cast

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

# The service principal S3 server access logging writes as.
_LOG_DELIVERY = "logging.s3.amazonaws.com"


def private_bucket(
    scope: Construct,
    construct_id: str,
    *,
    server_access_logs_bucket: s3.IBucket | None = None,
    server_access_logs_prefix: str | None = None,
    **props: Any,
) -> s3.Bucket:
    """An s3.Bucket with the stack's baseline; `props` add what is particular to the bucket.

    SSE-S3 (not SSE-KMS): S3 server access logging delivers only to SSE-S3 buckets, and Rekognition
    reads videos with the caller's S3 permissions, so a customer managed key would have to be granted
    to every caller too.

    ACLs are disabled on every bucket (BucketOwnerEnforced), the access-log bucket included: S3 server
    access logging into such a bucket is authorized by a bucket policy for the logging service, not
    by the log-delivery ACL (S3 User Guide, "Permissions for log delivery"). Which of the two
    `s3.Bucket(server_access_logs_bucket=...)` uses is left to the feature flag
    `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`; without it, CDK asks for the ACL and
    ObjectWriter ownership and refuses BucketOwnerEnforced. So logging is configured here instead.
    """
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        **props,
    )
    if server_access_logs_bucket is not None:
        if not server_access_logs_prefix:
            # One prefix per source bucket: the delivery grant below is scoped to it.
            raise ValueError(f"{construct_id}: server access logs need a prefix of their own")
        log_to(bucket, server_access_logs_bucket, server_access_logs_prefix)
    elif server_access_logs_prefix:
        raise ValueError(f"{construct_id}: a server access log prefix needs a server access logs bucket")
    return bucket


def log_to(bucket: s3.Bucket, target: s3.IBucket, prefix: str) -> None:
    """Deliver `bucket`'s server access logs to `target` under `prefix`, granted by `target`'s policy.

    The grant is what the flag above would write: only `bucket`, in this account, may deliver, and
    only under its own prefix (the confused-deputy conditions the S3 User Guide recommends).
    """
    cfn_bucket = cast(s3.CfnBucket, bucket.node.default_child)
    cfn_bucket.logging_configuration = s3.CfnBucket.LoggingConfigurationProperty(
        destination_bucket_name=target.bucket_name, log_file_prefix=prefix
    )
    granted = target.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(_LOG_DELIVERY)],
            actions=["s3:PutObject"],
            resources=[target.arn_for_objects(f"{prefix}*")],
            conditions={
                "ArnLike": {"aws:SourceArn": bucket.bucket_arn},
                "StringEquals": {"aws:SourceAccount": Stack.of(bucket).account},
            },
        )
    )
    if not granted.statement_added:
        # An imported bucket's policy is not ours to change; logs would silently never arrive.
        raise ValueError(f"cannot grant log delivery on {target.node.path}: its bucket policy is not in this app")
