"""`RekognitionVideoPipeline`: the reusable L3 construct for the whole pipeline.

    upload -> S3 --ObjectCreated--> SQS ingest queue --> starter Lambda --Start*--> Rekognition Video
    Rekognition --completion--> SNS topic --raw--> SQS results queue --> collector Lambda --Get*-->
    DynamoDB (jobs, detections)

Use it from any CDK app: ``RekognitionVideoPipeline(stack, "Pipeline", config=PipelineConfig(...))``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from aws_cdk import CfnElement, Duration, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct
from video_pipeline.analyses import Analysis
from video_pipeline.schema import JOB_ID_INDEX

from infra.config import PipelineConfig
from infra.constructs import (
    IngestQueue,
    OperationsDashboard,
    PipelineAlarms,
    PipelineFunction,
    PipelineMetrics,
    RekognitionNotifications,
    ResultsTables,
    RuntimeDefaults,
    VideoInputBucket,
)
from infra.nag import acknowledge

STARTER_HANDLER = "video_pipeline.handlers.starter.handler"
COLLECTOR_HANDLER = "video_pipeline.handlers.collector.handler"
METRICS_NAMESPACE = "RekognitionVideoPipeline"

# Starter: per record one ranged S3 read, a few DynamoDB writes and one Start* call per analysis,
# at most 10 records a batch. Usually seconds; the bound is a throttled batch, where each of the 30
# Start* calls backs off up to ~3.5 s (logic/retry.py) before the message is handed back.
# 512 MB buys the CPU that keeps the pydantic/Powertools cold start short; the work is I/O bound.
STARTER_TIMEOUT = Duration.seconds(120)
STARTER_MEMORY_MB = 512
# Collector: one completed job can page through hundreds of thousands of results (1,000 a page)
# and write them 25 items per BatchWriteItem, so it gets Lambda's maximum and the memory (and so
# CPU) to parse large pages quickly.
COLLECTOR_TIMEOUT = Duration.minutes(15)
COLLECTOR_MEMORY_MB = 1024

# The starter hands a message back when Rekognition's concurrent-job quota is full
# (LimitExceededException); each try waits out a visibility timeout (12 minutes), so 15 receives
# give a backlog about three hours to drain before a video is parked in the dead-letter queue.
STARTER_MAX_RECEIVE_COUNT = 15
# Collector failures are DynamoDB throttling or bugs, not waiting: a few tries, 90 minutes apart.
COLLECTOR_MAX_RECEIVE_COUNT = 5

# Parallel starters only turn into more LimitExceeded/ThrottlingException responses: Rekognition
# allows a few Start* calls per second and ~20 concurrent jobs per account. Event source maximum
# concurrency caps this without reserving account concurrency, which would fail in new accounts
# whose concurrency quota is still low.
STARTER_MAX_CONCURRENCY = 2
# Up to 10 uploads an invocation; the short window batches a burst of uploads without delaying a
# lone upload noticeably.
STARTER_BATCH_SIZE = 10
STARTER_BATCHING_WINDOW = Duration.seconds(5)
# Completions arrive no faster than jobs can run concurrently; this also bounds Get* call rates.
COLLECTOR_MAX_CONCURRENCY = 5
# One message is one whole job's results: a batch of one gives each job the full timeout.
COLLECTOR_BATCH_SIZE = 1

# An upload may wait while the job quota is full (each retry is a 12-minute visibility timeout), so
# an hour of waiting means a real backlog; a completion is normally collected within minutes, and a
# retried one reappears only after 90 minutes, so half an hour means the collector is stuck.
INGEST_MAX_AGE = Duration.hours(1)
RESULTS_MAX_AGE = Duration.minutes(30)
# Six 5-minute periods at the quota: a burst of uploads fills it briefly; half an hour is a backlog.
AT_QUOTA_PERIODS = 6


class RekognitionVideoPipeline(Construct):
    """Everything between an uploaded video and its detections in DynamoDB.

    Exposes every resource it creates so a surrounding app can add outputs, alarms or consumers.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: PipelineConfig | None = None) -> None:
        super().__init__(scope, construct_id)
        self.config = config = config or PipelineConfig()
        analyses = config.engines.every_analysis

        self.tables = ResultsTables(
            self,
            "Tables",
            deletion_protection=config.deletion_protection,
            removal_policy=config.removal_policy,
        )
        self.input = VideoInputBucket(self, "Input", access_log_expiration=Duration.days(config.log_retention_days))
        self.notifications = RekognitionNotifications(self, "Notifications")
        self.ingest = IngestQueue(
            self, "Ingest", consumer_timeout=STARTER_TIMEOUT, max_receive_count=STARTER_MAX_RECEIVE_COUNT
        )
        self.results = IngestQueue(
            self, "Results", consumer_timeout=COLLECTOR_TIMEOUT, max_receive_count=COLLECTOR_MAX_RECEIVE_COUNT
        )
        self.input.notify_videos(self.ingest, prefix=config.input_prefix, suffixes=config.video_suffixes)
        self.notifications.deliver_to(self.results)

        self.runtime_defaults = defaults = RuntimeDefaults(
            log_retention=config.log_retention,
            log_level=config.log_level,
            log_removal_policy=config.removal_policy,
            metrics_namespace=METRICS_NAMESPACE,
            powertools_layer_version=config.powertools_layer_version,
        )
        self.starter = PipelineFunction(
            self,
            "Starter",
            handler=STARTER_HANDLER,
            description="Starts Rekognition Video jobs for uploaded videos",
            service_name="video-pipeline-starter",
            environment={
                "JOBS_TABLE_NAME": self.tables.jobs.table_name,
                "REKOGNITION_TOPIC_ARN": self.notifications.topic.topic_arn,
                "REKOGNITION_ROLE_ARN": self.notifications.role.role_arn,
                "ENABLED_ANALYSES": ",".join(config.enabled_analyses),
                "FACE_ATTRIBUTES": config.face_attributes,
                "PERSON_TRACKING_ENGINE": config.person_tracking_engine,
                "PERSON_TRACKING_FALLBACK": str(config.person_tracking_fallback).lower(),
            },
            timeout=STARTER_TIMEOUT,
            memory_size=STARTER_MEMORY_MB,
            defaults=defaults,
        )
        self.collector = PipelineFunction(
            self,
            "Collector",
            handler=COLLECTOR_HANDLER,
            description="Stores the results of completed Rekognition Video jobs",
            service_name="video-pipeline-collector",
            environment={
                "JOBS_TABLE_NAME": self.tables.jobs.table_name,
                "DETECTIONS_TABLE_NAME": self.tables.detections.table_name,
            },
            timeout=COLLECTOR_TIMEOUT,
            memory_size=COLLECTOR_MEMORY_MB,
            defaults=defaults,
        )
        self.starter.consume(
            self.ingest,
            batch_size=STARTER_BATCH_SIZE,
            max_batching_window=STARTER_BATCHING_WINDOW,
            max_concurrency=STARTER_MAX_CONCURRENCY,
        )
        self.collector.consume(self.results, batch_size=COLLECTOR_BATCH_SIZE, max_concurrency=COLLECTOR_MAX_CONCURRENCY)
        self._grant_starter(analyses)
        self._grant_collector(analyses)

        self.alarms = PipelineAlarms(self, "Alarms", email=config.alarm_email)
        self.alarms.on_dead_letters("IngestDeadLetters", self.ingest.dead_letter_queue, what="An upload")
        self.alarms.on_dead_letters("ResultsDeadLetters", self.results.dead_letter_queue, what="A job completion")
        self.alarms.on_errors("StarterErrors", self.starter.function, what="starter")
        self.alarms.on_errors("CollectorErrors", self.collector.function, what="collector")
        self._observe(config)

    def _observe(self, config: PipelineConfig) -> None:
        """The operations dashboard, and the alarms that need the pipeline's custom metrics."""
        self.metrics = PipelineMetrics(
            namespace=METRICS_NAMESPACE,
            starter_service=self.starter.service_name,
            collector_service=self.collector.service_name,
            analyses=config.enabled_analyses,
        )
        self.alarms.on_oldest_message("IngestBacklog", self.ingest.queue, max_age=INGEST_MAX_AGE, what="An upload")
        self.alarms.on_oldest_message(
            "ResultsBacklog", self.results.queue, max_age=RESULTS_MAX_AGE, what="A job completion"
        )
        self.alarms.on_failed_jobs("FailedJobs", self.metrics.all_failed_jobs())
        self.alarms.on_saturation(
            "JobsAtQuota", self.metrics.jobs_in_flight(), quota=config.job_quota, periods=AT_QUOTA_PERIODS
        )
        self.operations = OperationsDashboard(
            self,
            "Operations",
            metrics=self.metrics,
            job_quota=config.job_quota,
            queues=[("uploads", self.ingest), ("completions", self.results)],
            functions=[("starter", self.starter.function), ("collector", self.collector.function)],
            alarms=self.alarms.alarms,
        )

    def _grant_starter(self, analyses: Iterable[Analysis]) -> None:
        starter = self.starter.function
        _allow_rekognition(self.starter, "StartJobs", sorted({analysis.iam_start_action for analysis in analyses}))
        self.notifications.grant_pass_role(starter)
        # Ranged reads (file signature checks) of new uploads, including a given version.
        objects = self.input.bucket.arn_for_objects(f"{self.config.input_prefix}*")
        starter.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:GetObject", "s3:GetObjectVersion"], resources=[objects])
        )
        acknowledge(
            self.starter.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            "Uploaded object keys are not known in advance; the read is limited to the input prefix of "
            "the input bucket.",
            finding=f"Resource::<{_logical_id(self.input.bucket)}.Arn>/{self.config.input_prefix}*",
        )
        starter.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                resources=[self.tables.jobs.table_arn],
            )
        )

    def _grant_collector(self, analyses: Iterable[Analysis]) -> None:
        collector = self.collector.function
        _allow_rekognition(self.collector, "GetResults", sorted({analysis.iam_get_action for analysis in analyses}))
        jobs = self.tables.jobs.table_arn
        collector.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:GetItem", "dynamodb:UpdateItem"], resources=[jobs])
        )
        collector.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[f"{jobs}/index/{JOB_ID_INDEX.name}"])
        )
        collector.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:BatchWriteItem", "dynamodb:PutItem"],
                resources=[self.tables.detections.table_arn],
            )
        )


def _allow_rekognition(function: PipelineFunction, construct_id: str, actions: list[str]) -> None:
    """Attach the Rekognition actions as their own policy, so the wildcard is acknowledged alone."""
    policy = iam.Policy(
        function,
        construct_id,
        statements=[iam.PolicyStatement(actions=actions, resources=["*"])],
        roles=[function.role],
    )
    # A separate policy is not part of the function's dependencies; without this the event source
    # could invoke the function before the policy is attached.
    function.function.node.add_dependency(policy)
    acknowledge(
        policy,
        "AwsSolutions-IAM5",
        "Rekognition Video Start*/Get* operations have no resource-level permissions; the actions "
        "are exactly those of the enabled analyses.",
        finding="Resource::*",
    )


def _logical_id(construct: Construct) -> str:
    """The CloudFormation logical id of an L2 construct's resource, as cdk-nag prints it."""
    stack = Stack.of(construct)
    return str(stack.resolve(stack.get_logical_id(cast(CfnElement, construct.node.default_child))))
