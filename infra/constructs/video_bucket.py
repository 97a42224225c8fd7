"""The bucket videos are uploaded to, and the bucket its access logs go to."""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from constructs import Construct
from video_pipeline.contract import notified_suffixes

from infra.constructs.ingest_queue import IngestQueue
from infra.constructs.private_bucket import private_bucket
from infra.nag import acknowledge

# Overwritten and deleted videos stay recoverable this long, then stop costing storage.
NONCURRENT_VERSION_EXPIRATION = Duration.days(30)
ABANDONED_UPLOAD_EXPIRATION = Duration.days(7)
# The construct id aws-cdk-lib gives its bucket-notifications singleton.
_NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"
# With this flag on (a host app may set it), CDK treats even this stack's own bucket as imported:
# the notifications resource then keeps whatever notifications it finds and its handler may read
# them. The bucket is this construct's, so its notifications are exactly the ones declared here; no
# prop decides it, so the construct pins it for its subtree (feature flags are context).
_KEEP_FOREIGN_NOTIFICATIONS_FLAG = "@aws-cdk/aws-s3:keepNotificationInImportedBucket"


class VideoInputBucket(Construct):
    """Versioned, SSE-S3 encrypted, TLS-only, private upload bucket with server access logging.

    SSE-S3 rather than SSE-KMS: Rekognition reads the video with the caller's S3 permissions, and a
    customer managed key would have to be granted to every caller too. Both buckets are retained
    when the stack is deleted, because they hold data (see docs/deploy.md).
    """

    def __init__(self, scope: Construct, construct_id: str, *, access_log_expiration: Duration) -> None:
        super().__init__(scope, construct_id)
        self.node.set_context(_KEEP_FOREIGN_NOTIFICATIONS_FLAG, False)  # before any child reads it
        self.access_logs = private_bucket(
            self,
            "AccessLogs",
            lifecycle_rules=[s3.LifecycleRule(expiration=access_log_expiration)],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.bucket = private_bucket(
            self,
            "Bucket",
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="input/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    noncurrent_version_expiration=NONCURRENT_VERSION_EXPIRATION,
                    abort_incomplete_multipart_upload_after=ABANDONED_UPLOAD_EXPIRATION,
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )

    def notify_videos(self, target: IngestQueue, *, prefix: str, suffixes: Iterable[str]) -> None:
        """Send ObjectCreated, ObjectRemoved and LifecycleExpiration notifications for keys under `prefix`
        ending in a video suffix.

        Removals (by a request or by the lifecycle rule) let the pipeline erase a deleted video's results.
        S3 suffix filters are case-sensitive, so each suffix is registered in lower and upper case.
        """
        # A lifecycle rule expiring noncurrent versions sends LifecycleExpiration, not ObjectRemoved.
        events = (s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED, s3.EventType.LIFECYCLE_EXPIRATION)
        for event in events:
            for suffix in notified_suffixes(tuple(suffixes)):
                self.bucket.add_event_notification(
                    event,
                    s3n.SqsDestination(target.queue),
                    s3.NotificationKeyFilter(prefix=prefix or None, suffix=suffix),
                )
        self._acknowledge_notifications_handler()

    def _acknowledge_notifications_handler(self) -> None:
        # CDK configures bucket notifications through a stack-wide singleton custom resource that
        # runs only at deploy time; its role is CDK's, not ours to redesign.
        handler = Stack.of(self).node.find_child(_NOTIFICATIONS_HANDLER_ID)
        acknowledge(
            handler.node.find_child("Role"),
            "AwsSolutions-IAM4",
            "CDK's bucket-notifications custom resource uses the basic execution policy to write its "
            "own logs; it runs only while the stack deploys.",
            finding="Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        )
