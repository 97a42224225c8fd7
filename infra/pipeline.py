"""`RekognitionVideoPipeline`: the reusable L3 construct for the whole pipeline.

    upload -> S3 --ObjectCreated--> SQS ingest queue --> starter Lambda --Start*--> Rekognition Video
    Rekognition --completion--> SNS topic --raw--> SQS results queue --> collector Lambda --Get*-->
    DynamoDB (jobs, detections)

Use it from any CDK app: ``RekognitionVideoPipeline(stack, "Pipeline", config=PipelineConfig(...))``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from aws_cdk import CfnElement, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from constructs import Construct
from video_pipeline.analyses import FACE_SEARCH, MODERATION, Analysis
from video_pipeline.contract import (
    ARCHIVE_ROOT,
    COLLECTOR_MAX_RECEIVE_COUNT,
    STARTER_MAX_RECEIVE_COUNT,
    Env,
    Metric,
)
from video_pipeline.schema import JOB_ID_INDEX, OBJECT_INDEX, STATUS_INDEX

from infra.config import PipelineConfig
from infra.constructs import (
    FaceCollection,
    IngestQueue,
    LibraryOperatorRole,
    OperationsDashboard,
    PipelineAlarms,
    PipelineFunction,
    PipelineMetrics,
    RekognitionNotifications,
    ResultsArchive,
    ResultsTables,
    RuntimeDefaults,
    VideoInputBucket,
)
from infra.nag import acknowledge

STARTER_HANDLER = "video_pipeline.handlers.starter.handler"
COLLECTOR_HANDLER = "video_pipeline.handlers.collector.handler"
RECONCILER_HANDLER = "video_pipeline.handlers.reconciler.handler"
METRICS_NAMESPACE = Metric.NAMESPACE

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
# The reconciler runs on a schedule; one run checks each stale job with a single small Get* call.
RECONCILER_SCHEDULE = Duration.minutes(10)
RECONCILER_TIMEOUT = Duration.minutes(5)
RECONCILER_MEMORY_MB = 256

# An upload may wait while the job quota is full (each retry is a 12-minute visibility timeout), so
# an hour of waiting means a real backlog; a completion is normally collected within minutes, and a
# retried one reappears only after 90 minutes, so half an hour means the collector is stuck.
INGEST_MAX_AGE = Duration.hours(1)
RESULTS_MAX_AGE = Duration.minutes(30)
# Six 5-minute periods at the quota: a burst of uploads fills it briefly; half an hour is a backlog.
AT_QUOTA_PERIODS = 6
# Today's video minutes against each daily limit: a warning at 80%, and when uploads start waiting.
BUDGET_ALARM_SHARES = (0.8, 1.0)


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
        self.archive = ResultsArchive(
            self,
            "Archive",
            access_logs=self.input.access_logs,
            retention=Duration.days(config.result_retention_days) if config.result_retention_days else None,
            # Like the uploads, the pages are data: kept when the stack goes (docs/deploy.md).
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.input.notify_videos(self.ingest, prefix=config.input_prefix, suffixes=config.video_suffixes)
        # Face search's collection exists only where face search runs; IAM grants follow it.
        self.faces = (
            FaceCollection(self, "Faces", removal_policy=config.removal_policy)
            if FACE_SEARCH.name in config.enabled_analyses
            else None
        )
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
                Env.JOBS_TABLE: self.tables.jobs.table_name,
                Env.INPUT_BUCKETS: self.input.bucket.bucket_name,
                Env.VIDEO_SUFFIXES: ",".join(config.video_suffixes),
                Env.TOPIC_ARN: self.notifications.topic.topic_arn,
                Env.ROLE_ARN: self.notifications.role.role_arn,
                Env.ENABLED_ANALYSES: ",".join(config.enabled_analyses),
                Env.FACE_ATTRIBUTES: config.face_attributes,
                Env.ANALYSIS_OPTIONS: config.analysis_options,
                Env.PERSON_TRACKING_ENGINE: config.person_tracking_engine,
                Env.PERSON_TRACKING_FALLBACK: str(config.person_tracking_fallback).lower(),
                Env.UPLOADS_QUEUE_URL: self.ingest.queue.queue_url,
                Env.DETECTIONS_TABLE: self.tables.detections.table_name,
                Env.ARCHIVE_BUCKET: self.archive.bucket.bucket_name,
                Env.JOB_QUOTA: str(config.job_quota),
                Env.DAILY_BUDGET_MINUTES: config.daily_budget_minutes,
                # Empty where face search does not run (no collection).
                Env.FACE_COLLECTION_ID: self.faces.collection_id if self.faces else "",
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
                Env.JOBS_TABLE: self.tables.jobs.table_name,
                Env.DETECTIONS_TABLE: self.tables.detections.table_name,
                Env.RESULTS_QUEUE_URL: self.results.queue.queue_url,
                Env.ARCHIVE_BUCKET: self.archive.bucket.bucket_name,
                Env.JOB_QUOTA: str(config.job_quota),
                **_retention(config),
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
        self.reconciler = PipelineFunction(
            self,
            "Reconciler",
            handler=RECONCILER_HANDLER,
            description="Finishes jobs whose completion notification was lost; repairs the job-slot ledger",
            service_name="video-pipeline-reconciler",
            environment={
                Env.JOBS_TABLE: self.tables.jobs.table_name,
                Env.RESULTS_QUEUE_URL: self.results.queue.queue_url,
                Env.JOB_QUOTA: str(config.job_quota),
                Env.RECONCILE_AFTER_MINUTES: str(config.reconcile_after_minutes),
            },
            timeout=RECONCILER_TIMEOUT,
            memory_size=RECONCILER_MEMORY_MB,
            defaults=defaults,
        )
        self.reconcile_schedule = events.Rule(
            self,
            "ReconcileSchedule",
            description="Runs the reconciler of the Rekognition video pipeline",
            schedule=events.Schedule.rate(RECONCILER_SCHEDULE),
            targets=[targets.LambdaFunction(self.reconciler.function, retry_attempts=2)],
        )
        self._grant_starter(analyses)
        self._grant_collector(analyses)
        self._grant_reconciler(analyses)
        # Anyone in the account with sqs:SendMessage could otherwise forge uploads or completions.
        self._upload_senders: list[iam.IRole] = [self.starter.role]
        self.ingest.accept_messages_only_from(sources=[self.input.bucket.bucket_arn], roles=self._upload_senders)
        self.operator = LibraryOperatorRole(self, "LibraryOperator")
        self._grant_operator()
        self.results.accept_messages_only_from(
            sources=[self.notifications.topic.topic_arn], roles=[self.collector.role, self.reconciler.role]
        )

        self.alarms = PipelineAlarms(self, "Alarms", email=config.alarm_email)
        self.alarms.on_dead_letters("IngestDeadLetters", self.ingest.dead_letter_queue, what="An upload")
        self.alarms.on_dead_letters("ResultsDeadLetters", self.results.dead_letter_queue, what="A job completion")
        self.alarms.on_errors("StarterErrors", self.starter.function, what="starter")
        self.alarms.on_errors("CollectorErrors", self.collector.function, what="collector")
        self.alarms.on_errors("ReconcilerErrors", self.reconciler.function, what="reconciler")
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
        for analysis in config.enabled_analyses:
            self.alarms.on_failed_jobs(
                f"FailedJobs{_camel(analysis)}", self.metrics.failed_jobs(analysis), analysis=analysis
            )
        if config.moderation_alarm_threshold is not None:
            self.alarms.on_flagged_content(
                "ContentFlagged",
                self.metrics.finding(Metric.MODERATION_FLAGS, MODERATION.name),
                threshold=config.moderation_alarm_threshold,
            )
        self.alarms.on_saturation(
            "JobsAtQuota", self.metrics.jobs_in_flight(), quota=config.job_quota, periods=AT_QUOTA_PERIODS
        )
        for name, limit in sorted(config.daily_budget.limits.items()):
            for share in BUDGET_ALARM_SHARES:
                self.alarms.on_budget(
                    f"Budget{name.title()}{round(share * 100)}",
                    self.metrics.budget_used(name),
                    limit=limit,
                    share=share,
                )
        self.operations = OperationsDashboard(
            self,
            "Operations",
            metrics=self.metrics,
            job_quota=config.job_quota,
            daily_budget=config.daily_budget,
            queues=[("uploads", self.ingest), ("completions", self.results)],
            functions=[
                ("starter", self.starter.function),
                ("collector", self.collector.function),
                ("reconciler", self.reconciler.function),
            ],
            alarms=self.alarms.alarms,
        )

    def reference_faces_environment(self) -> dict[str, str]:
        """The reference-face tools' settings: the collection (empty where face search does not run) and
        where its pictures are."""
        return {
            Env.FACE_COLLECTION_ID: self.faces.collection_id if self.faces else "",
            Env.REFERENCE_FACES_PREFIX: self.config.reference_faces_prefix,
        }

    def allow_reference_faces(self, role: iam.IRole) -> None:
        """Let `role` index, list and remove reference faces: the collection's operations, and reading the
        pictures, which Rekognition does with the caller's rights (IndexFaces from an S3 object)."""
        if self.faces is None:
            return
        self.faces.grant_manage(role)
        prefix = self.config.reference_faces_prefix
        pictures = self.input.bucket.arn_for_objects(f"{prefix}*")
        role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[pictures]))
        acknowledge(
            role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            "The reference pictures are not known in advance; IndexFaces reads them with the caller's rights, "
            "under the reference prefix of the input bucket only.",
            finding=f"Resource::<{logical_id(self.input.bucket)}.Arn>/{prefix}*",
        )

    def _grant_starter(self, analyses: Iterable[Analysis]) -> None:
        starter = self.starter.function
        # StartFaceSearch takes the collection as its resource: granted on it alone, not with the wildcard.
        unscoped = sorted({analysis.iam_start_action for analysis in analyses} - {FACE_SEARCH.iam_start_action})
        if unscoped:
            _allow_rekognition(self.starter, "StartJobs", unscoped)
        if self.faces is not None:
            self.faces.grant_search(starter)
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
            finding=f"Resource::<{logical_id(self.input.bucket)}.Arn>/{self.config.input_prefix}*",
        )
        jobs = self.tables.jobs.table_arn
        starter.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                resources=[jobs],
            )
        )
        # Erasing a deleted video: find its records, then delete its detections and archived pages.
        starter.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[jobs, f"{jobs}/index/{OBJECT_INDEX.name}"])
        )
        starter.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:Query", "dynamodb:BatchWriteItem"], resources=[self.tables.detections.table_arn]
            )
        )
        starter.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self.archive.bucket.bucket_arn])
        )
        starter.add_to_role_policy(iam.PolicyStatement(actions=["s3:DeleteObject"], resources=[self._archived_pages()]))
        self._acknowledge_archive_pages(self.starter, "deletes a deleted video's pages")
        # Uploads waiting for a quota slot go back on the queue with a delay.
        self.ingest.queue.grant_send_messages(starter)

    def allow_uploads_from(self, role: iam.IRole) -> None:
        """Let `role` send to the uploads queue (backfill and re-analysis requests), besides the pipeline's."""
        self._upload_senders.append(role)
        self.ingest.queue.grant_send_messages(role)

    def _grant_operator(self) -> None:
        """Backfill and re-analysis: list and read the input bucket, find known videos, queue uploads."""
        role = self.operator.role
        bucket = self.input.bucket
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:ListBucket", "s3:ListBucketVersions"], resources=[bucket.bucket_arn])
        )
        # HeadObject of manifest rows, and the dry run's ranged reads of movie headers.
        objects = bucket.arn_for_objects(f"{self.config.input_prefix}*")
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject", "s3:GetObjectVersion"], resources=[objects]))
        acknowledge(
            role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            "The videos to backfill are not known in advance; the read is limited to the input prefix of the "
            "input bucket.",
            finding=f"Resource::<{logical_id(bucket)}.Arn>/{self.config.input_prefix}*",
        )
        self.allow_reference_faces(role)
        jobs = self.tables.jobs.table_arn
        role.add_to_policy(iam.PolicyStatement(actions=["dynamodb:GetItem"], resources=[jobs]))
        role.add_to_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[f"{jobs}/index/{OBJECT_INDEX.name}"])
        )
        self.allow_uploads_from(role)

    def _grant_collector(self, analyses: Iterable[Analysis]) -> None:
        collector = self.collector.function
        _allow_rekognition(self.collector, "GetResults", sorted({analysis.iam_get_action for analysis in analyses}))
        jobs = self.tables.jobs.table_arn
        # DeleteItem: a deleted video's job record goes once its results are erased.
        collector.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], resources=[jobs]
            )
        )
        collector.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[f"{jobs}/index/{JOB_ID_INDEX.name}"])
        )
        # Query: a job whose video was deleted while it ran has what it wrote erased.
        collector.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:Query"],
                resources=[self.tables.detections.table_arn],
            )
        )
        collector.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:PutObject", "s3:DeleteObject"], resources=[self._archived_pages()])
        )
        collector.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self.archive.bucket.bucket_arn])
        )
        self._acknowledge_archive_pages(self.collector, "writes each job's pages (and erases a deleted video's)")
        # A collection running out of time continues from its checkpoint in a fresh invocation.
        self.results.queue.grant_send_messages(collector)

    def _archived_pages(self) -> str:
        return self.archive.bucket.arn_for_objects(f"{ARCHIVE_ROOT}/*")

    def _acknowledge_archive_pages(self, function: PipelineFunction, what: str) -> None:
        acknowledge(
            function.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            f"The {function.node.id.lower()} {what} under the archive's results/ prefix; keys hold video "
            "and job ids not known in advance.",
            finding=f"Resource::<{logical_id(self.archive.bucket)}.Arn>/{ARCHIVE_ROOT}/*",
        )

    def _grant_reconciler(self, analyses: Iterable[Analysis]) -> None:
        reconciler = self.reconciler.function
        _allow_rekognition(self.reconciler, "PeekResults", sorted({analysis.iam_get_action for analysis in analyses}))
        jobs = self.tables.jobs.table_arn
        # ConditionCheckItem: each ledger repair checks the job's own item in the same transaction.
        reconciler.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"], resources=[jobs]
            )
        )
        reconciler.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[f"{jobs}/index/{STATUS_INDEX.name}"])
        )
        # Synthesised notifications go where Rekognition's would have gone.
        self.results.queue.grant_send_messages(reconciler)


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


def _camel(name: str) -> str:
    """An analysis name as part of a construct id: `face_search` -> `FaceSearch`."""
    return "".join(part.title() for part in name.split("_"))


def logical_id(construct: Construct) -> str:
    """The CloudFormation logical id of an L2 construct's resource, as cdk-nag prints it."""
    stack = Stack.of(construct)
    return str(stack.resolve(stack.get_logical_id(cast(CfnElement, construct.node.default_child))))


def _retention(config: PipelineConfig) -> dict[str, str]:
    # 0: results are kept until their video is deleted.
    return {Env.RESULT_RETENTION_DAYS: str(config.result_retention_days)}
