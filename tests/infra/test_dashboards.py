"""The operations dashboard, the alarms, and the results dashboard's API, site and users."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match
from video_pipeline.analyses import REGISTRY
from video_pipeline.contract import FINDINGS, Metric
from video_pipeline.schema import DETECTIONS_TABLE, JOBS_TABLE

from infra.constructs.results_api import READ_API_HANDLER
from infra.pipeline import AT_QUOTA_PERIODS, INGEST_MAX_AGE, RESULTS_MAX_AGE
from tests.infra.synth import Synthesized, statements

pytestmark = pytest.mark.infra


def dashboard_body(synth: Synthesized) -> dict[str, Any]:
    """The dashboard JSON with CloudFormation references rendered as `<logical id>`."""
    (dashboard,) = synth.of_type("AWS::CloudWatch::Dashboard").values()
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    text = "".join(part if isinstance(part, str) else f"<{next(iter(part.values()))}>" for part in parts)
    body: dict[str, Any] = json.loads(text)
    return body


def widgets_by_title(synth: Synthesized) -> dict[str, dict[str, Any]]:
    return {
        w["properties"]["title"]: w["properties"]
        for w in dashboard_body(synth)["widgets"]
        if "title" in w["properties"]
    }


def metric_rows(widget: dict[str, Any]) -> list[list[Any]]:
    return [row for row in widget["metrics"] if "expression" not in row[-1]]


def alarm(synth: Synthesized, construct: Any) -> dict[str, Any]:
    properties: dict[str, Any] = synth.resources[synth.logical_id(construct)]["Properties"]
    return properties


def alarm_by_id(synth: Synthesized, construct_id: str) -> dict[str, Any]:
    (found,) = [a for a in synth.stack.pipeline.alarms.alarms if a.node.id == construct_id]
    return alarm(synth, found)


def test_operations_dashboard_has_every_widget(synthesized: Synthesized) -> None:
    assert set(widgets_by_title(synthesized)) == {
        "Uploads received",
        "Jobs in flight against the quota",
        "Upload to results, p90 (ms)",
        "Jobs started",
        "Jobs succeeded",
        "Jobs failed",
        "Oldest message age (s)",
        "Dead-letter queue depth",
        "Queue depth",
        "Lambda errors",
        "Lambda throttles",
        "Lambda duration, p90 (ms)",
        "Video minutes today against the daily budget",
        "Estimated Rekognition cost per upload (USD)",
        "Alarms",
        *(
            f"{analysis}: {what}"
            for analysis in ("faces", "celebrities", "persons")
            for what in ("detections stored", "jobs failed", "upload to results (ms)")
        ),
    }


def test_job_widgets_show_each_analysis_with_the_dimensions_the_handlers_emit(synthesized: Synthesized) -> None:
    widgets = widgets_by_title(synthesized)
    expected = {
        "Jobs started": ("JobsStarted", "video-pipeline-starter"),
        "Jobs succeeded": ("JobsSucceeded", "video-pipeline-collector"),
        "Upload to results, p90 (ms)": ("UploadToResultsLatency", "video-pipeline-collector"),
    }
    for title, (name, service) in expected.items():
        rows = metric_rows(widgets[title])
        assert [row[:6] for row in rows] == [
            ["RekognitionVideoPipeline", name, "analysis", analysis, "service", service]
            for analysis in ("faces", "celebrities", "persons")
        ], title
    failed = widgets["Jobs failed"]["metrics"]
    expressions = [row[0]["expression"] for row in failed if "expression" in row[0]]
    assert expressions == [f"FILL(start_{a}, 0) + FILL(end_{a}, 0)" for a in ("faces", "celebrities", "persons")]


def test_in_flight_widget_shows_the_quota(synthesized: Synthesized) -> None:
    widget = widgets_by_title(synthesized)["Jobs in flight against the quota"]
    assert widget["metrics"] == [
        ["RekognitionVideoPipeline", "JobsInFlight", {"label": "in flight", "stat": "Maximum"}]
    ]
    assert widget["annotations"]["horizontal"] == [{"value": 20, "label": "quota 20", "yAxis": "left"}]


def test_queue_and_function_widgets_cover_every_queue_and_function(synthesized: Synthesized) -> None:
    widgets = widgets_by_title(synthesized)
    pipeline = synthesized.stack.pipeline
    age = metric_rows(widgets["Oldest message age (s)"])
    assert [row[1] for row in age] == ["ApproximateAgeOfOldestMessage"] * 2
    dead = [row[3] for row in metric_rows(widgets["Dead-letter queue depth"])]
    assert dead == [
        f"<{[synthesized.logical_id(queue), 'QueueName']}>"
        for queue in (pipeline.ingest.dead_letter_queue, pipeline.results.dead_letter_queue)
    ]
    for title, metric in (
        ("Lambda errors", "Errors"),
        ("Lambda throttles", "Throttles"),
        ("Lambda duration, p90 (ms)", "Duration"),
    ):
        rows = metric_rows(widgets[title])
        # starter, collector and reconciler
        assert [(row[0], row[1]) for row in rows] == [("AWS/Lambda", metric)] * 3, title


def test_failed_jobs_alarms_sum_starter_and_collector_failures_of_their_analysis(synthesized: Synthesized) -> None:
    for analysis in ("faces", "celebrities", "persons"):
        properties = alarm_by_id(synthesized, f"FailedJobs{analysis.title()}")
        queries = properties["Metrics"]
        (expression,) = [query for query in queries if "Expression" in query]
        assert expression["ReturnData"] is True
        stats = [query["MetricStat"] for query in queries if "MetricStat" in query]
        assert len(stats) == 2 and {stat["Metric"]["MetricName"] for stat in stats} == {"JobsFailed"}
        dimensions = [{d["Name"]: d["Value"] for d in stat["Metric"]["Dimensions"]} for stat in stats]
        assert {d["service"] for d in dimensions} == {"video-pipeline-starter", "video-pipeline-collector"}
        assert {d["analysis"] for d in dimensions} == {analysis}
        assert (properties["Threshold"], properties["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
        assert analysis in properties["AlarmDescription"]


ANALYSIS_WIDGETS = ("detections stored", "jobs failed", "upload to results (ms)")


@pytest.mark.parametrize("fixture", ["synthesized", "variant", "every_analysis"])
def test_each_enabled_analysis_and_no_other_has_its_widget_row_and_failed_jobs_alarm(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesized = request.getfixturevalue(fixture)
    enabled = synth.stack.pipeline.config.enabled_analyses
    titles = set(widgets_by_title(synth))
    registry_rows = {f"{a}: {what}" for a in REGISTRY for what in ANALYSIS_WIDGETS}
    assert titles & registry_rows == {f"{a}: {what}" for a in enabled for what in ANALYSIS_WIDGETS}
    failed = {a.node.id for a in synth.stack.pipeline.alarms.alarms if a.node.id.startswith("FailedJobs")}
    # One per analysis, and no all-analyses alarm beside them (alarms.py, `on_failed_jobs`, says why).
    assert failed == {"FailedJobs" + "".join(part.title() for part in a.split("_")) for a in enabled}


def test_an_analysis_row_graphs_what_it_stored_and_found_its_failures_and_latency(every_analysis: Synthesized) -> None:
    widgets = widgets_by_title(every_analysis)
    collector = ["service", "video-pipeline-collector"]
    for analysis in REGISTRY:
        stored = widgets[f"{analysis}: detections stored"]
        rows = metric_rows(stored)
        assert [row[:6] for row in rows] == [
            ["RekognitionVideoPipeline", name, "analysis", analysis, *collector]
            for name in (Metric.DETECTIONS_STORED, *FINDINGS.get(analysis, ()))
        ], analysis
        assert [row[-1].get("yAxis", "left") for row in rows] == ["left"] + ["right"] * len(FINDINGS.get(analysis, ()))
        failed = widgets[f"{analysis}: jobs failed"]["metrics"]
        assert [row[0]["expression"] for row in failed if "expression" in row[0]] == [
            f"FILL(start_{analysis}, 0) + FILL(end_{analysis}, 0)"
        ]
        latency = metric_rows(widgets[f"{analysis}: upload to results (ms)"])
        assert [row[:6] for row in latency] == [
            ["RekognitionVideoPipeline", "UploadToResultsLatency", "analysis", analysis, *collector]
        ] * 3
        assert [row[-1]["stat"] for row in latency] == ["p50", "p90", "Maximum"]
    assert set(FINDINGS["moderation"]) == {"ModerationFlags"} and set(FINDINGS["segments"]) == {"ShotsFound"}


def test_the_moderation_alarm_watches_the_flags_only_when_configured(
    synthesized: Synthesized, native_persons: Synthesized, every_analysis: Synthesized
) -> None:
    for without in (synthesized, native_persons):  # native_persons runs moderation, with no threshold set
        assert "ContentFlagged" not in {a.node.id for a in without.stack.pipeline.alarms.alarms}
    properties = alarm_by_id(every_analysis, "ContentFlagged")
    (query,) = properties["Metrics"]
    stat = query["MetricStat"]
    assert stat["Metric"]["MetricName"] == "ModerationFlags"
    assert {d["Name"]: d["Value"] for d in stat["Metric"]["Dimensions"]} == {
        "analysis": "moderation",
        "service": "video-pipeline-collector",
    }
    assert (stat["Stat"], stat["Period"]) == ("Sum", 300)
    assert (properties["Threshold"], properties["ComparisonOperator"]) == (3, "GreaterThanOrEqualToThreshold")
    assert properties["TreatMissingData"] == "notBreaching"


def test_no_alarm_reads_more_metrics_than_cloudwatch_allows(every_analysis: Synthesized) -> None:
    # PutMetricAlarm takes at most 10 MetricStat queries (a hard limit): beyond it the deploy fails.
    for name, body in every_analysis.of_type("AWS::CloudWatch::Alarm").items():
        stats = [query for query in body["Properties"].get("Metrics", []) if "MetricStat" in query]
        assert len(stats) <= 10, name


def test_in_flight_at_quota_alarm_waits_half_an_hour(synthesized: Synthesized) -> None:
    properties = alarm_by_id(synthesized, "JobsAtQuota")
    (query,) = properties["Metrics"]  # a labelled metric is rendered as a one-metric query
    stat = query["MetricStat"]
    assert stat["Metric"] == {"MetricName": "JobsInFlight", "Namespace": "RekognitionVideoPipeline"}
    assert (stat["Stat"], stat["Period"]) == ("Maximum", 300)
    assert (properties["Threshold"], properties["EvaluationPeriods"]) == (20, AT_QUOTA_PERIODS)
    assert properties["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert properties["TreatMissingData"] == "notBreaching"


def test_backlog_alarms_on_the_oldest_message_of_each_queue(synthesized: Synthesized) -> None:
    pipeline = synthesized.stack.pipeline
    for construct_id, queue, max_age in (
        ("IngestBacklog", pipeline.ingest.queue, INGEST_MAX_AGE),
        ("ResultsBacklog", pipeline.results.queue, RESULTS_MAX_AGE),
    ):
        properties = alarm_by_id(synthesized, construct_id)
        assert properties["MetricName"] == "ApproximateAgeOfOldestMessage"
        assert properties["Dimensions"] == [
            {"Name": "QueueName", "Value": {"Fn::GetAtt": [synthesized.logical_id(queue), "QueueName"]}}
        ]
        assert properties["Threshold"] == max_age.to_seconds()


def test_every_alarm_notifies_the_alarm_topic(synthesized: Synthesized) -> None:
    topic = {"Ref": synthesized.logical_id(synthesized.stack.pipeline.alarms.topic)}
    alarms = synthesized.of_type("AWS::CloudWatch::Alarm")
    names = {a.node.id for a in synthesized.stack.pipeline.alarms.alarms}
    assert {
        "IngestDeadLetters",
        "ResultsDeadLetters",
        "CollectorErrors",
        "ReconcilerErrors",
        "FailedJobsFaces",
        "FailedJobsCelebrities",
        "FailedJobsPersons",
        "JobsAtQuota",
    } <= names
    assert len(names) == len(alarms) == 12
    for body in alarms.values():
        assert body["Properties"]["AlarmActions"] == [topic] and body["Properties"]["OKActions"] == [topic]


def test_alarm_email_subscription_only_when_configured(synthesized: Synthesized, variant: Synthesized) -> None:
    synthesized.template.resource_count_is("AWS::SNS::Subscription", 1)  # the results queue only
    variant.template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com"}
    )


def test_read_api_requires_a_cognito_token_and_admits_only_the_dashboard_origin(synthesized: Synthesized) -> None:
    results = synthesized.stack.results_dashboard
    distribution = synthesized.logical_id(results.site.distribution)
    origin = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]}
    synthesized.template.has_resource_properties(
        "AWS::ApiGatewayV2::Api",
        {
            "ProtocolType": "HTTP",
            "CorsConfiguration": {
                "AllowOrigins": [origin],
                "AllowMethods": ["GET", "POST", "DELETE"],
                "AllowHeaders": ["authorization", "content-type"],
            },
        },
    )
    routes = synthesized.of_type("AWS::ApiGatewayV2::Route").values()
    assert sorted(route["Properties"]["RouteKey"] for route in routes) == [
        "DELETE /{proxy+}",
        "GET /{proxy+}",
        "POST /{proxy+}",
    ]
    assert {route["Properties"]["AuthorizationType"] for route in routes} == {"JWT"}
    (authorizer,) = synthesized.of_type("AWS::ApiGatewayV2::Authorizer").values()
    pool = synthesized.logical_id(results.users.user_pool)
    client = synthesized.logical_id(results.users.client)
    assert authorizer["Properties"]["AuthorizerType"] == "JWT"
    assert authorizer["Properties"]["JwtConfiguration"]["Audience"] == [{"Ref": client}]
    assert {"Ref": pool} in authorizer["Properties"]["JwtConfiguration"]["Issuer"]["Fn::Join"][1]
    (stage,) = synthesized.of_type("AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["AccessLogSettings"]["DestinationArn"] == {
        "Fn::GetAtt": [synthesized.logical_id(results.api.access_logs), "Arn"]
    }
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0


def test_read_api_function_reads_the_tables_and_writes_nothing_but_queued_uploads(synthesized: Synthesized) -> None:
    results = synthesized.stack.results_dashboard
    assert synthesized.resources[synthesized.logical_id(results.api.reader.function)]["Properties"]["Handler"] == (
        READ_API_HANDLER
    )
    role = {"Ref": synthesized.logical_id(results.api.reader.role)}
    policies = {n: p for n, p in synthesized.of_type("AWS::IAM::Policy").items() if role in p["Properties"]["Roles"]}
    dynamodb = [s for s in statements(policies) if any(str(a).startswith("dynamodb:") for a in _list(s["Action"]))]
    assert len(dynamodb) == 1 and sorted(dynamodb[0]["Action"]) == ["dynamodb:GetItem", "dynamodb:Query"]
    expected = len(JOBS_TABLE.indexes) + len(DETECTIONS_TABLE.indexes) + 2
    assert len(dynamodb[0]["Resource"]) == expected
    # The library routes (backfill, re-analysis) and the shot thumbnails' links: list and read the input bucket,
    # queue uploads; nothing else.
    others = sorted(
        action for s in statements(policies) for action in _list(s["Action"]) if not str(action).startswith("dynamodb:")
    )
    assert [action for action in others if not action.startswith(("logs:", "xray:"))] == [
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:ListBucket",
        "s3:ListBucketVersions",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:SendMessage",
    ]


def test_site_bucket_is_private_and_read_only_by_cloudfront(synthesized: Synthesized) -> None:
    site = synthesized.stack.results_dashboard.site
    bucket = synthesized.resources[synthesized.logical_id(site.bucket)]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    synthesized.template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": synthesized.logical_id(site.bucket)},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "s3:GetObject",
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudfront.amazonaws.com"},
                                "Condition": {"StringEquals": {"AWS:SourceArn": Match.any_value()}},
                            }
                        )
                    ]
                )
            },
        },
    )
    synthesized.template.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        {
            "OriginAccessControlConfig": Match.object_like(
                {"OriginAccessControlOriginType": "s3", "SigningBehavior": "always"}
            )
        },
    )
    synthesized.template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": Match.object_like(
                {
                    "DefaultRootObject": "index.html",
                    "DefaultCacheBehavior": Match.object_like({"ViewerProtocolPolicy": "redirect-to-https"}),
                }
            )
        },
    )


def test_users_are_created_by_administrators_and_sign_in_with_mfa(synthesized: Synthesized) -> None:
    users = synthesized.stack.results_dashboard.users
    pool = synthesized.resources[synthesized.logical_id(users.user_pool)]["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["MfaConfiguration"] == "ON"
    client = synthesized.resources[synthesized.logical_id(users.client)]["Properties"]
    assert client["AllowedOAuthFlows"] == ["code"] and client["GenerateSecret"] is False
    distribution = synthesized.logical_id(synthesized.stack.results_dashboard.site.distribution)
    assert client["CallbackURLs"] == [
        {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}, "/"]]}
    ]


def test_dashboard_config_names_the_api_and_the_sign_in(synthesized: Synthesized) -> None:
    (deployment,) = synthesized.of_type("Custom::CDKBucketDeployment").values()
    assert deployment["Properties"]["DistributionPaths"] == ["/*"]
    markers = json.dumps(deployment["Properties"]["SourceMarkers"])
    api = synthesized.logical_id(synthesized.stack.results_dashboard.api.api)
    assert api in markers and synthesized.logical_id(synthesized.stack.results_dashboard.users.client) in markers


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_api_routes_every_method_the_read_api_serves_and_names_the_operators_group(
    synthesized: Synthesized,
) -> None:
    """POST and DELETE reach the library routes (backfills, re-analyses, reference faces); the read API
    keeps them to the operators group, which the user pool has and the function is told."""
    from aws_cdk import aws_apigatewayv2 as apigwv2
    from video_pipeline.contract import Env
    from video_pipeline.handlers.read_api import app

    from infra.constructs.dashboard_users import OPERATORS_GROUP
    from infra.constructs.results_api import METHODS

    served = {route.method.upper() for route in app._static_routes + app._dynamic_routes}
    assert served <= {method.value for method in METHODS} | {"HEAD", "OPTIONS"}
    assert {"POST", "DELETE"} <= served
    assert apigwv2.HttpMethod.ANY not in METHODS
    (group,) = synthesized.of_type("AWS::Cognito::UserPoolGroup").values()
    assert group["Properties"]["GroupName"] == OPERATORS_GROUP
    assert group["Properties"]["UserPoolId"] == {
        "Ref": synthesized.logical_id(synthesized.stack.results_dashboard.users.user_pool)
    }
    reader = synthesized.logical_id(synthesized.stack.results_dashboard.api.reader.function)
    environment = synthesized.of_type("AWS::Lambda::Function")[reader]["Properties"]["Environment"]["Variables"]
    assert environment[Env.OPERATORS_GROUP] == OPERATORS_GROUP
