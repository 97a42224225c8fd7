"""The synthesized template: resources, permissions, wiring and settings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match
from video_pipeline.analyses import by_name
from video_pipeline.schema import DETECTIONS_TABLE, JOB_ID_INDEX, JOBS_TABLE, TableSpec

from infra.config import DEFAULT_RESULT_RETENTION_DAYS
from infra.constructs.ingest_queue import VISIBILITY_TIMEOUT_FACTOR
from infra.constructs.notifications import TOPIC_NAME_PREFIX
from infra.constructs.pipeline_function import POWERTOOLS_LAYER_PARAMETER
from infra.pipeline import (
    COLLECTOR_BATCH_SIZE,
    COLLECTOR_HANDLER,
    COLLECTOR_MAX_RECEIVE_COUNT,
    STARTER_BATCH_SIZE,
    STARTER_HANDLER,
    STARTER_MAX_RECEIVE_COUNT,
)
from tests.infra.conftest import VARIANT
from tests.infra.synth import Synthesized, as_list, statements

pytestmark = pytest.mark.infra


def ref(logical_id: str) -> dict[str, str]:
    return {"Ref": logical_id}


def arn_of(logical_id: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def function_policy_statements(synth: Synthesized, function: Any) -> list[dict[str, Any]]:
    """Every statement of every policy attached to the function's role."""
    role = synth.logical_id(function.role)
    attached = {
        name: policy
        for name, policy in synth.of_type("AWS::IAM::Policy").items()
        if ref(role) in policy["Properties"]["Roles"]
    }
    return list(statements(attached))


def actions_of(found: list[dict[str, Any]]) -> set[str]:
    return {action for statement in found for action in as_list(statement["Action"])}


def test_resource_counts(synthesized: Synthesized) -> None:
    template = synthesized.template
    # Starter, collector, reconciler, read API, and CDK's bucket-notifications and bucket-deployment handlers.
    template.resource_count_is("AWS::Lambda::Function", 6)
    template.resource_count_is("AWS::Lambda::EventSourceMapping", 2)
    template.resource_count_is("AWS::DynamoDB::Table", 2)
    template.resource_count_is("AWS::SQS::Queue", 4)
    template.resource_count_is("AWS::SNS::Topic", 2)
    template.resource_count_is("AWS::SNS::Subscription", 1)
    # Input, access logs, results archive, dashboard site.
    template.resource_count_is("AWS::S3::Bucket", 4)
    # Four functions' logs, the read API's access logs, and the bucket deployment's logs.
    template.resource_count_is("AWS::Logs::LogGroup", 6)
    # Two dead-letter queues, two queue ages, three functions' errors, jobs at quota, failed jobs of
    # each of the three analyses.
    template.resource_count_is("AWS::CloudWatch::Alarm", 12)
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)
    # Four Lambda roles, the Rekognition publishing role, the library operator role and the two CDK handlers' roles.
    template.resource_count_is("AWS::IAM::Role", 8)
    template.resource_count_is("AWS::Events::Rule", 1)


def test_topic_name_starts_with_amazon_rekognition(synthesized: Synthesized) -> None:
    topic = synthesized.resources[synthesized.logical_id(synthesized.stack.pipeline.notifications.topic)]
    assert topic["Properties"]["TopicName"].startswith(f"{TOPIC_NAME_PREFIX}-")


def test_rekognition_role_is_trusted_by_rekognition_for_this_account_only(synthesized: Synthesized) -> None:
    role = synthesized.resources[synthesized.logical_id(synthesized.stack.pipeline.notifications.role)]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "rekognition.amazonaws.com"},
            "Condition": {
                "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                "ArnLike": {
                    "aws:SourceArn": {
                        "Fn::Join": [
                            "",
                            [
                                "arn:",
                                {"Ref": "AWS::Partition"},
                                ":rekognition:",
                                {"Ref": "AWS::Region"},
                                ":",
                                {"Ref": "AWS::AccountId"},
                                ":*",
                            ],
                        ]
                    }
                },
            },
        }
    ]
    assert "ManagedPolicyArns" not in role["Properties"]


def test_rekognition_role_may_only_publish_to_the_topic(synthesized: Synthesized) -> None:
    notifications = synthesized.stack.pipeline.notifications
    found = function_policy_statements(synthesized, notifications)
    assert found == [
        {"Action": "sns:Publish", "Effect": "Allow", "Resource": ref(synthesized.logical_id(notifications.topic))}
    ]


def test_topic_accepts_publications_from_the_rekognition_role_only_over_tls(synthesized: Synthesized) -> None:
    notifications = synthesized.stack.pipeline.notifications
    topic, role = synthesized.logical_id(notifications.topic), synthesized.logical_id(notifications.role)
    synthesized.template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [ref(topic)],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "sns:Publish",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {"Effect": "Allow", "Action": "sns:Publish", "Principal": {"AWS": arn_of(role)}}
                        ),
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "sns:Publish",
                                "Principal": {"AWS": "*"},
                                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": arn_of(role)}},
                            }
                        ),
                    ]
                )
            },
        },
    )


def rekognition_actions(synth: Synthesized, function: Any) -> set[str]:
    return {action for action in actions_of(function_policy_statements(synth, function)) if "rekognition:" in action}


def test_starter_may_call_exactly_the_start_actions(synthesized: Synthesized) -> None:
    # Person tracking defaults to the labels engine: StartLabelDetection, never StartPersonTracking.
    starter = synthesized.stack.pipeline.starter
    assert rekognition_actions(synthesized, starter) == {
        "rekognition:StartFaceDetection",
        "rekognition:StartCelebrityRecognition",
        "rekognition:StartLabelDetection",
    }


def test_collector_may_call_exactly_the_get_actions(synthesized: Synthesized) -> None:
    collector = synthesized.stack.pipeline.collector
    assert rekognition_actions(synthesized, collector) == {
        "rekognition:GetFaceDetection",
        "rekognition:GetCelebrityRecognition",
        "rekognition:GetLabelDetection",
    }


def test_native_person_engine_with_fallback_may_use_both_engines(native_persons: Synthesized) -> None:
    """And each further enabled analysis brings exactly its own two actions."""
    pipeline = native_persons.stack.pipeline
    assert rekognition_actions(native_persons, pipeline.starter) == {
        "rekognition:StartPersonTracking",
        "rekognition:StartLabelDetection",
        "rekognition:StartContentModeration",
        "rekognition:StartSegmentDetection",
    }
    assert rekognition_actions(native_persons, pipeline.collector) == {
        "rekognition:GetPersonTracking",
        "rekognition:GetLabelDetection",
        "rekognition:GetContentModeration",
        "rekognition:GetSegmentDetection",
    }
    properties = native_persons.resources[native_persons.logical_id(pipeline.starter.function)]["Properties"]
    variables = properties["Environment"]["Variables"]
    assert (variables["PERSON_TRACKING_ENGINE"], variables["PERSON_TRACKING_FALLBACK"]) == ("native", "true")
    assert variables["ENABLED_ANALYSES"] == "persons,moderation,segments"
    assert json.loads(variables["ANALYSIS_OPTIONS"]) == {"moderation": {"MinConfidence": 70}}


def test_only_enabled_analyses_are_allowed(variant: Synthesized) -> None:
    faces = by_name("faces")
    assert rekognition_actions(variant, variant.stack.pipeline.starter) == {faces.iam_start_action}
    assert rekognition_actions(variant, variant.stack.pipeline.collector) == {faces.iam_get_action}


@pytest.mark.parametrize("function_name", ["starter", "collector"])
def test_no_wildcard_actions_and_wildcard_resources_only_where_unavoidable(
    synthesized: Synthesized, function_name: str
) -> None:
    function = getattr(synthesized.stack.pipeline, function_name)
    for statement in function_policy_statements(synthesized, function):
        actions = as_list(statement["Action"])
        assert all("*" not in action for action in actions), statement
        if "*" in as_list(statement["Resource"]):
            # Neither Rekognition Video jobs nor X-Ray segments have resource-level permissions.
            assert all(action.split(":")[0] in {"rekognition", "xray"} for action in actions), statement


def test_starter_permissions(synthesized: Synthesized) -> None:
    pipeline = synthesized.stack.pipeline
    found = function_policy_statements(synthesized, pipeline.starter)
    role = synthesized.logical_id(pipeline.notifications.role)
    bucket = synthesized.logical_id(pipeline.input.bucket)
    jobs = synthesized.logical_id(pipeline.tables.jobs)
    assert {
        "Action": "iam:PassRole",
        "Effect": "Allow",
        "Resource": arn_of(role),
        "Condition": {"StringEquals": {"iam:PassedToService": "rekognition.amazonaws.com"}},
    } in found
    assert {
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Effect": "Allow",
        "Resource": {"Fn::Join": ["", [arn_of(bucket), "/*"]]},
    } in found
    assert {
        "Action": ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        "Effect": "Allow",
        "Resource": arn_of(jobs),
    } in found
    # Erasing a deleted video's results: its detections and its archived pages, nothing else.
    detections = synthesized.logical_id(pipeline.tables.detections)
    archive = synthesized.logical_id(pipeline.archive.bucket)
    assert {
        "Action": ["dynamodb:BatchWriteItem", "dynamodb:Query"],
        "Effect": "Allow",
        "Resource": arn_of(detections),
    } in found
    assert {
        "Action": "s3:DeleteObject",
        "Effect": "Allow",
        "Resource": {"Fn::Join": ["", [arn_of(archive), "/results/*"]]},
    } in found
    # Uploads waiting for a quota slot are sent back to the ingest queue.
    ingest = arn_of(synthesized.logical_id(pipeline.ingest.queue))
    assert any(
        "sqs:SendMessage" in as_list(statement["Action"]) and statement["Resource"] == ingest for statement in found
    )
    # The publishing role is the only role the starter can hand to anyone.
    assert len([statement for statement in found if "iam:PassRole" in as_list(statement["Action"])]) == 1


def test_starter_reads_only_under_the_input_prefix(variant: Synthesized) -> None:
    bucket = variant.logical_id(variant.stack.pipeline.input.bucket)
    found = function_policy_statements(variant, variant.stack.pipeline.starter)
    reads = [s for s in found if "s3:GetObject" in as_list(s["Action"])]
    assert [s["Resource"] for s in reads] == [{"Fn::Join": ["", [arn_of(bucket), f"/{VARIANT.input_prefix}*"]]}]


def test_collector_permissions(synthesized: Synthesized) -> None:
    pipeline = synthesized.stack.pipeline
    found = function_policy_statements(synthesized, pipeline.collector)
    jobs = synthesized.logical_id(pipeline.tables.jobs)
    detections = synthesized.logical_id(pipeline.tables.detections)
    assert {
        "Action": ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:UpdateItem"],
        "Effect": "Allow",
        "Resource": arn_of(jobs),
    } in found
    assert {
        "Action": "dynamodb:Query",
        "Effect": "Allow",
        "Resource": {"Fn::Join": ["", [arn_of(jobs), f"/index/{JOB_ID_INDEX.name}"]]},
    } in found
    # Query: the results of a job whose video was deleted while it ran are found and erased.
    assert {
        "Action": ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:Query"],
        "Effect": "Allow",
        "Resource": arn_of(detections),
    } in found
    archive = synthesized.logical_id(pipeline.archive.bucket)
    assert {
        "Action": ["s3:DeleteObject", "s3:PutObject"],
        "Effect": "Allow",
        "Resource": {"Fn::Join": ["", [arn_of(archive), "/results/*"]]},
    } in found
    assert {"Action": "s3:ListBucket", "Effect": "Allow", "Resource": arn_of(archive)} in found
    assert sorted(action for action in actions_of(found) if action.startswith(("s3:", "iam:"))) == [
        "s3:DeleteObject",
        "s3:ListBucket",
        "s3:PutObject",
    ]


def test_reconciler_runs_on_a_schedule_and_may_only_peek_and_requeue(synthesized: Synthesized) -> None:
    pipeline = synthesized.stack.pipeline
    (rule,) = synthesized.of_type("AWS::Events::Rule").values()
    assert rule["Properties"]["ScheduleExpression"] == "rate(10 minutes)"
    assert rule["Properties"]["Targets"][0]["Arn"] == arn_of(synthesized.logical_id(pipeline.reconciler.function))
    found = function_policy_statements(synthesized, pipeline.reconciler)
    actions = set(actions_of(found))
    assert {"rekognition:GetFaceDetection", "rekognition:GetCelebrityRecognition"} <= actions
    assert not any(action.startswith(("rekognition:Start", "s3:", "iam:", "dynamodb:Put")) for action in actions)
    # Each ledger repair checks the job's own item in the same transaction.
    assert "dynamodb:ConditionCheckItem" in actions
    results = arn_of(synthesized.logical_id(pipeline.results.queue))
    assert any("sqs:SendMessage" in as_list(s["Action"]) and s["Resource"] == results for s in found)


def test_results_archive_is_private_unversioned_and_retained(synthesized: Synthesized) -> None:
    archive = synthesized.resources[synthesized.logical_id(synthesized.stack.pipeline.archive.bucket)]
    properties = archive["Properties"]
    assert "VersioningConfiguration" not in properties  # a deleted page must be gone, not a hidden version
    assert properties["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    assert archive["DeletionPolicy"] == "Retain"


def event_source_of(synth: Synthesized, function: Any) -> dict[str, Any]:
    function_id = synth.logical_id(function.function)
    mapping: dict[str, Any]
    (mapping,) = [
        body["Properties"]
        for body in synth.of_type("AWS::Lambda::EventSourceMapping").values()
        if body["Properties"]["FunctionName"] == ref(function_id)
    ]
    return mapping


def test_queues_feed_their_functions_with_partial_batch_responses(synthesized: Synthesized) -> None:
    pipeline = synthesized.stack.pipeline
    starter = event_source_of(synthesized, pipeline.starter)
    assert starter["EventSourceArn"] == arn_of(synthesized.logical_id(pipeline.ingest.queue))
    assert starter["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert starter["BatchSize"] == STARTER_BATCH_SIZE == 10
    assert 0 < starter["MaximumBatchingWindowInSeconds"] <= 10
    collector = event_source_of(synthesized, pipeline.collector)
    assert collector["EventSourceArn"] == arn_of(synthesized.logical_id(pipeline.results.queue))
    assert collector["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert collector["BatchSize"] == COLLECTOR_BATCH_SIZE


@pytest.mark.parametrize(
    ("queue_name", "function_name", "max_receive_count"),
    [("ingest", "starter", STARTER_MAX_RECEIVE_COUNT), ("results", "collector", COLLECTOR_MAX_RECEIVE_COUNT)],
)
def test_queues_have_dead_letter_queues_and_outlast_their_consumers(
    synthesized: Synthesized, queue_name: str, function_name: str, max_receive_count: int
) -> None:
    pipeline = synthesized.stack.pipeline
    ingest_queue = getattr(pipeline, queue_name)
    queue = synthesized.resources[synthesized.logical_id(ingest_queue.queue)]["Properties"]
    dead_letters = synthesized.resources[synthesized.logical_id(ingest_queue.dead_letter_queue)]["Properties"]
    function = synthesized.resources[synthesized.logical_id(getattr(pipeline, function_name).function)]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": arn_of(synthesized.logical_id(ingest_queue.dead_letter_queue)),
        "maxReceiveCount": max_receive_count,
    }
    assert queue["VisibilityTimeout"] >= VISIBILITY_TIMEOUT_FACTOR * function["Timeout"]
    assert dead_letters["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]
    for properties in (queue, dead_letters):
        assert properties["SqsManagedSseEnabled"] is True


def test_starter_messages_outlast_a_full_rekognition_job_quota() -> None:
    # The starter returns messages while Rekognition's concurrent-job quota is full; they must get
    # many more tries than a failing message would need.
    assert STARTER_MAX_RECEIVE_COUNT >= 10


def test_every_queue_refuses_plain_http(synthesized: Synthesized) -> None:
    secured = [
        queue
        for policy in synthesized.of_type("AWS::SQS::QueuePolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}} and statement["Effect"] == "Deny"
        for queue in policy["Properties"]["Queues"]
    ]
    assert sorted(q["Ref"] for q in secured) == sorted(synthesized.of_type("AWS::SQS::Queue"))


def test_topic_delivers_raw_messages_to_the_results_queue(synthesized: Synthesized) -> None:
    pipeline = synthesized.stack.pipeline
    synthesized.template.has_resource_properties(
        "AWS::SNS::Subscription",
        {
            "Protocol": "sqs",
            "TopicArn": ref(synthesized.logical_id(pipeline.notifications.topic)),
            "Endpoint": arn_of(synthesized.logical_id(pipeline.results.queue)),
            "RawMessageDelivery": True,
            "RedrivePolicy": {
                "deadLetterTargetArn": arn_of(synthesized.logical_id(pipeline.results.dead_letter_queue))
            },
        },
    )


def notification_filters(synth: Synthesized, event: str = "s3:ObjectCreated:*") -> list[tuple[str | None, str]]:
    (notifications,) = synth.of_type("Custom::S3BucketNotifications").values()
    queue = arn_of(synth.logical_id(synth.stack.pipeline.ingest.queue))
    found = []
    for configuration in notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]:
        assert configuration["QueueArn"] == queue
        if configuration["Events"] != [event]:
            continue
        rules = {rule["Name"]: rule["Value"] for rule in configuration["Filter"]["Key"]["FilterRules"]}
        found.append((rules.get("prefix"), rules["suffix"]))
    return found


def test_deleted_videos_notify_the_ingest_queue_too(synthesized: Synthesized, variant: Synthesized) -> None:
    """Deleting a video erases its results, so removals reach the starter under the same filters, and so
    do the lifecycle rule's expirations of noncurrent versions (which send no ObjectRemoved event)."""
    for synth in (synthesized, variant):
        assert sorted(notification_filters(synth, "s3:ObjectRemoved:*")) == sorted(notification_filters(synth))
        assert sorted(notification_filters(synth, "s3:LifecycleExpiration:*")) == sorted(notification_filters(synth))


def send_policy(synth: Synthesized, queue: Any) -> dict[str, Any]:
    queue_ref = ref(synth.logical_id(queue))
    (statement,) = [
        statement
        for policy in synth.of_type("AWS::SQS::QueuePolicy").values()
        if queue_ref in policy["Properties"]["Queues"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Sid") == "SendOnlyByPipelineSources"
    ]
    return statement


def test_only_the_pipelines_own_senders_may_send_to_its_queues(synthesized: Synthesized) -> None:
    """Anyone else in the account with sqs:SendMessage could forge uploads or completions."""
    pipeline = synthesized.stack.pipeline
    role = synthesized.logical_id
    # The uploads queue also takes the backfill's and the re-analysis' messages: from the operator role's
    # commands and from the read API's library routes.
    reader = synthesized.stack.results_dashboard.api.reader
    ingest_senders = [pipeline.starter.role, pipeline.operator.role, reader.role]
    expected = {
        pipeline.ingest.queue: ([arn_of(role(pipeline.input.bucket))], ingest_senders),
        pipeline.results.queue: (
            [ref(role(pipeline.notifications.topic))],
            [pipeline.collector.role, pipeline.reconciler.role],
        ),
    }
    for queue, (sources, roles) in expected.items():
        statement = send_policy(synthesized, queue)
        assert statement["Effect"] == "Deny" and statement["Principal"] == {"AWS": "*"}
        assert statement["Action"] == "sqs:SendMessage"
        assert statement["Condition"] == {
            "ArnNotLike": {"aws:SourceArn": sources},
            "ArnNotEquals": {"aws:PrincipalArn": [arn_of(role(sender)) for sender in roles]},
        }


def test_uploads_of_videos_in_either_case_notify_the_ingest_queue(synthesized: Synthesized) -> None:
    assert sorted(notification_filters(synthesized)) == sorted(
        (None, suffix) for suffix in (".mp4", ".MP4", ".mov", ".MOV", ".m4v", ".M4V")
    )


def test_notifications_honour_the_input_prefix(variant: Synthesized) -> None:
    assert sorted(notification_filters(variant)) == [(VARIANT.input_prefix, ".MP4"), (VARIANT.input_prefix, ".mp4")]


def test_input_bucket(synthesized: Synthesized) -> None:
    input_bucket = synthesized.stack.pipeline.input
    bucket = synthesized.resources[synthesized.logical_id(input_bucket.bucket)]
    properties = bucket["Properties"]
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["LoggingConfiguration"]["DestinationBucketName"] == ref(
        synthesized.logical_id(input_bucket.access_logs)
    )
    assert bucket["DeletionPolicy"] == "Retain"
    for bucket_construct in (input_bucket.bucket, input_bucket.access_logs):
        synthesized.template.has_resource_properties(
            "AWS::S3::BucketPolicy",
            {
                "Bucket": ref(synthesized.logical_id(bucket_construct)),
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                    )
                },
            },
        )


def key_schema(spec: TableSpec) -> list[dict[str, str]]:
    return [
        {"AttributeName": spec.partition_key, "KeyType": "HASH"},
        {"AttributeName": spec.sort_key, "KeyType": "RANGE"},
    ]


@pytest.mark.parametrize(("table_name", "spec"), [("jobs", JOBS_TABLE), ("detections", DETECTIONS_TABLE)])
def test_tables_follow_the_data_model(synthesized: Synthesized, table_name: str, spec: TableSpec) -> None:
    table = synthesized.resources[synthesized.logical_id(getattr(synthesized.stack.pipeline.tables, table_name))]
    properties = table["Properties"]
    assert properties["KeySchema"] == key_schema(spec)
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    indexes = {index["IndexName"]: index for index in properties.get("GlobalSecondaryIndexes", [])}
    assert set(indexes) == {index.name for index in spec.indexes}
    for index in spec.indexes:
        assert indexes[index.name]["KeySchema"] == [
            {"AttributeName": index.partition_key, "KeyType": "HASH"},
            {"AttributeName": index.sort_key, "KeyType": "RANGE"},
        ]
        assert indexes[index.name]["Projection"] == {"ProjectionType": "ALL"}
    assert all(attribute["AttributeType"] == "S" for attribute in properties["AttributeDefinitions"])


def test_detections_expire_by_the_reserved_attribute(synthesized: Synthesized) -> None:
    tables = synthesized.stack.pipeline.tables
    detections = synthesized.resources[synthesized.logical_id(tables.detections)]["Properties"]
    jobs = synthesized.resources[synthesized.logical_id(tables.jobs)]["Properties"]
    assert detections["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert "TimeToLiveSpecification" not in jobs


def test_deletion_protection_can_be_turned_off(variant: Synthesized) -> None:
    for table in variant.of_type("AWS::DynamoDB::Table").values():
        assert table["Properties"]["DeletionProtectionEnabled"] is False
        assert table["DeletionPolicy"] == "Delete"
    # Buckets holding uploads or logs stay; the dashboard's holds only copies of files in this repository.
    site = variant.logical_id(variant.stack.results_dashboard.site.bucket)
    for name, bucket in variant.of_type("AWS::S3::Bucket").items():
        assert bucket["DeletionPolicy"] == ("Delete" if name == site else "Retain")


@pytest.mark.parametrize(
    ("function_name", "handler", "timeout", "memory"),
    [("starter", STARTER_HANDLER, 120, 512), ("collector", COLLECTOR_HANDLER, 900, 1024)],
)
def test_functions_share_the_runtime_defaults(
    synthesized: Synthesized, function_name: str, handler: str, timeout: int, memory: int
) -> None:
    construct = getattr(synthesized.stack.pipeline, function_name)
    properties = synthesized.resources[synthesized.logical_id(construct.function)]["Properties"]
    assert properties["Handler"] == handler
    assert properties["Runtime"] == "python3.12"
    assert properties["Architectures"] == ["x86_64"]
    assert properties["TracingConfig"] == {"Mode": "Active"}
    assert (properties["Timeout"], properties["MemorySize"]) == (timeout, memory)
    # The pinned Powertools release's layer, from its SSM parameter (test_powertools_layer.py).
    assert properties["Layers"] == [{"Ref": powertools_parameter(synthesized)}]
    assert properties["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "LogGroup": ref(synthesized.logical_id(construct.log_group)),
    }
    # Concurrency is capped on the event source instead; reserving it fails in young accounts.
    assert "ReservedConcurrentExecutions" not in properties
    log_group = synthesized.resources[synthesized.logical_id(construct.log_group)]
    assert log_group["Properties"]["RetentionInDays"] == 30
    role = synthesized.resources[synthesized.logical_id(construct.role)]["Properties"]
    assert "ManagedPolicyArns" not in role


def test_event_sources_cap_concurrency_above_the_minimum(synthesized: Synthesized) -> None:
    pipeline = synthesized.stack.pipeline
    for function in (pipeline.starter, pipeline.collector):
        assert event_source_of(synthesized, function)["ScalingConfig"]["MaximumConcurrency"] >= 2


def test_variant_settings_reach_the_functions(variant: Synthesized) -> None:
    construct = variant.stack.pipeline.starter
    properties = variant.resources[variant.logical_id(construct.function)]["Properties"]
    assert properties["Environment"]["Variables"]["ENABLED_ANALYSES"] == "faces"
    assert properties["Environment"]["Variables"]["FACE_ATTRIBUTES"] == "DEFAULT"
    assert properties["Environment"]["Variables"]["POWERTOOLS_LOG_LEVEL"] == "DEBUG"
    assert properties["LoggingConfig"]["ApplicationLogLevel"] == "DEBUG"
    assert properties["Layers"][0]["Fn::Join"][1][-1].endswith(":7")
    log_group = variant.resources[variant.logical_id(construct.log_group)]
    assert log_group["Properties"]["RetentionInDays"] == VARIANT.log_retention_days
    assert log_group["DeletionPolicy"] == "Delete"


def test_alarms_notify_the_alarm_topic(synthesized: Synthesized, variant: Synthesized) -> None:
    topic = ref(synthesized.logical_id(synthesized.stack.pipeline.alarms.topic))
    for alarm in synthesized.of_type("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [topic]
    synthesized.template.resource_count_is("AWS::SNS::Subscription", 1)  # no e-mail configured
    variant.template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": VARIANT.alarm_email}
    )


def test_outputs_tell_how_to_use_the_pipeline(synthesized: Synthesized, variant: Synthesized) -> None:
    outputs = synthesized.template.to_json()["Outputs"]
    pipeline = synthesized.stack.pipeline
    bucket = ref(synthesized.logical_id(pipeline.input.bucket))
    assert outputs["InputBucketName"]["Value"] == bucket
    assert outputs["JobsTableName"]["Value"] == ref(synthesized.logical_id(pipeline.tables.jobs))
    assert outputs["DetectionsTableName"]["Value"] == ref(synthesized.logical_id(pipeline.tables.detections))
    assert outputs["RekognitionTopicArn"]["Value"] == ref(synthesized.logical_id(pipeline.notifications.topic))
    assert outputs["TryIt"]["Value"] == {"Fn::Join": ["", ["aws s3 cp ./sample.mp4 s3://", bucket, "/sample.mp4"]]}
    variant_bucket = ref(variant.logical_id(variant.stack.pipeline.input.bucket))
    assert variant.template.to_json()["Outputs"]["TryIt"]["Value"] == {
        "Fn::Join": [
            "",
            ["aws s3 cp ./sample.mp4 s3://", variant_bucket, f"/{VARIANT.input_prefix}sample.mp4"],
        ]
    }


def test_results_expire_after_a_finite_retention_by_default(synthesized: Synthesized) -> None:
    """Biometric-adjacent detections and raw pages do not stay for ever unless the operator says so."""
    pipeline = synthesized.stack.pipeline
    days = DEFAULT_RESULT_RETENTION_DAYS
    collector = synthesized.resources[synthesized.logical_id(pipeline.collector.function)]
    assert collector["Properties"]["Environment"]["Variables"]["RESULT_RETENTION_DAYS"] == str(days)
    archive = synthesized.resources[synthesized.logical_id(pipeline.archive.bucket)]
    rules = archive["Properties"]["LifecycleConfiguration"]["Rules"]
    assert {"ExpirationInDays": days, "Status": "Enabled"} in [
        {key: rule[key] for key in ("ExpirationInDays", "Status") if key in rule} for rule in rules
    ]


def powertools_parameter(synth: Synthesized) -> str:
    (name,) = synth.template.find_parameters("*", {"Default": POWERTOOLS_LAYER_PARAMETER})
    return str(name)
