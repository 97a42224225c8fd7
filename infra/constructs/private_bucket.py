"""The settings every bucket of the stack shares: SSE-S3, TLS only, no public access, owner-enforced."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_s3 as s3
from constructs import Construct


def private_bucket(scope: Construct, construct_id: str, **props: Any) -> s3.Bucket:
    """An s3.Bucket with the stack's baseline; `props` add what is particular to the bucket.

    SSE-S3 (not SSE-KMS): S3 server access logging delivers only to SSE-S3 buckets, and Rekognition
    reads videos with the caller's S3 permissions, so a customer managed key would have to be granted
    to every caller too.
    """
    return s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        **props,
    )
