"""The bucket that keeps every job's raw Get* pages, so results can be re-derived without Rekognition."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.private_bucket import private_bucket


class ResultsArchive(Construct):
    """Private, SSE-S3, TLS-only, access-logged; unversioned on purpose.

    The pages hold face and person data: when a video is deleted its pages are deleted for good,
    which a versioned bucket would turn into hidden noncurrent versions.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        access_logs: s3.IBucket,
        retention: Duration | None,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        rules = [s3.LifecycleRule(expiration=retention)] if retention else []
        self.bucket = private_bucket(
            self,
            "Bucket",
            versioned=False,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="archive/",
            lifecycle_rules=rules,
            removal_policy=removal_policy,
        )
