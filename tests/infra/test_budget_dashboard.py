"""The daily budget in the stack: the starter's setting, today's use against it, its alarms, the cost per upload."""

from __future__ import annotations

import pytest
from video_pipeline.contract import Env

from tests.infra.synth import Synthesized
from tests.infra.test_dashboards import alarm_by_id, metric_rows, widgets_by_title

pytestmark = pytest.mark.infra

BUDGET_WIDGET = "Video minutes today against the daily budget"


def starter_environment(synth: Synthesized) -> dict[str, str]:
    function = synth.resources[synth.logical_id(synth.stack.pipeline.starter.function)]
    variables: dict[str, str] = function["Properties"]["Environment"]["Variables"]
    return variables


def test_the_starter_gets_the_budget_of_the_context(synthesized: Synthesized, variant: Synthesized) -> None:
    assert starter_environment(synthesized)[Env.DAILY_BUDGET_MINUTES] == ""
    assert starter_environment(variant)[Env.DAILY_BUDGET_MINUTES] == "faces=300,total=600"


def test_todays_minutes_are_shown_per_limit_against_the_budget_lines(variant: Synthesized) -> None:
    widget = widgets_by_title(variant)[BUDGET_WIDGET]
    rows = metric_rows(widget)
    assert [row[1] for row in rows] == ["BudgetMinutesUsed"] * 2
    assert [row[-1]["label"] for row in rows] == ["total", "faces"]
    assert {row[-1]["stat"] for row in rows} == {"Maximum"}
    lines = {(line["value"], line["label"]) for line in widget["annotations"]["horizontal"]}
    assert lines == {
        (240, "faces 80% of 300 min"),
        (300, "faces 100% of 300 min"),
        (480, "total 80% of 600 min"),
        (600, "total 100% of 600 min"),
    }


def test_without_a_budget_the_minutes_are_shown_with_no_line_and_no_alarm(synthesized: Synthesized) -> None:
    widget = widgets_by_title(synthesized)[BUDGET_WIDGET]
    assert len(metric_rows(widget)) == 4  # total and the three analyses
    assert "annotations" not in widget or not widget["annotations"].get("horizontal")
    assert not [alarm for alarm in synthesized.stack.pipeline.alarms.alarms if alarm.node.id.startswith("Budget")]


@pytest.mark.parametrize(
    ("alarm_id", "analysis", "threshold"),
    [("BudgetTotal80", "total", 480), ("BudgetTotal100", "total", 600), ("BudgetFaces80", "faces", 240)],
)
def test_alarms_fire_at_80_and_100_percent_of_each_limit(
    variant: Synthesized, alarm_id: str, analysis: str, threshold: float
) -> None:
    properties = alarm_by_id(variant, alarm_id)
    (query,) = properties["Metrics"]
    metric = query["MetricStat"]["Metric"]
    assert metric["MetricName"] == "BudgetMinutesUsed"
    assert {"Name": "analysis", "Value": analysis} in metric["Dimensions"]
    assert {"Name": "service", "Value": "video-pipeline-starter"} in metric["Dimensions"]
    assert (properties["Threshold"], properties["ComparisonOperator"]) == (threshold, "GreaterThanOrEqualToThreshold")
    assert len([alarm for alarm in variant.stack.pipeline.alarms.alarms if alarm.node.id.startswith("Budget")]) == 4


def test_the_cost_per_upload_divides_the_estimated_charges_by_the_accepted_uploads(synthesized: Synthesized) -> None:
    widget = widgets_by_title(synthesized)["Estimated Rekognition cost per upload (USD)"]
    (expression,) = [row[-1] for row in widget["metrics"] if "expression" in row[-1]]
    assert expression["expression"].endswith("/ uploads")
    names = {row[1] for row in metric_rows(widget)}
    assert names == {"EstimatedCostUSD", "UploadsAccepted"}


def test_the_operator_role_may_queue_uploads_and_read_what_the_tools_read_only(synthesized: Synthesized) -> None:
    pipeline = synthesized.stack.pipeline
    role = synthesized.logical_id(pipeline.operator.role)
    policies = [
        body
        for body in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": role} in body["Properties"]["Roles"]
    ]
    actions = sorted(
        action
        for policy in policies
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    )
    assert actions == [
        "dynamodb:GetItem",
        "dynamodb:Query",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:ListBucket",
        "s3:ListBucketVersions",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:SendMessage",
    ]
    # The uploads queue's policy lets this role send, besides the bucket and the starter.
    queue_policies = synthesized.of_type("AWS::SQS::QueuePolicy").values()
    denials = [
        statement
        for policy in queue_policies
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Sid") == "SendOnlyByPipelineSources"
        and statement["Resource"] == {"Fn::GetAtt": [synthesized.logical_id(pipeline.ingest.queue), "Arn"]}
    ]
    (denial,) = denials
    allowed = denial["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    assert {"Fn::GetAtt": [role, "Arn"]} in allowed
