"""The daily budget against DynamoDB (moto): the ledger's promises, and the starter's waiting through SQS."""

from __future__ import annotations

import boto3
import pytest
from video_pipeline.contract import Env
from video_pipeline.dal.budget_ledger import BudgetLedger
from video_pipeline.logic.budget import budget_day
from video_pipeline.logic.clock import utc_now
from video_pipeline.models import JobStatus

from in_process.functions import pipeline_functions
from tests.integration.events import failed_ids, invoke, s3_event_body

DAY = "2026-12-01"


@pytest.fixture
def ledger(harness):
    return BudgetLedger(boto3.resource("dynamodb").Table(harness.resources.jobs_table))


@pytest.mark.parametrize("limits", [{"total": 100.0}, {}], ids=["with a limit", "counted only"])
def test_a_job_is_charged_once_however_often_it_is_charged(ledger, limits):
    for _ in range(3):
        assert ledger.charge(DAY, "faces-token", "faces", 10.0, limits)
    assert ledger.charge(DAY, "persons-token", "persons", 5.0, limits)
    assert ledger.used(DAY) == {"total": 15.0, "faces": 10.0, "persons": 5.0}


def test_a_charge_beyond_a_limit_is_refused_and_changes_nothing(ledger):
    assert ledger.charge(DAY, "a", "faces", 8.0, {"total": 20.0, "faces": 10.0})
    assert not ledger.charge(DAY, "b", "faces", 8.0, {"total": 20.0, "faces": 10.0})  # faces: 16 > 10
    assert ledger.charge(DAY, "c", "persons", 8.0, {"total": 20.0})  # total: 16 <= 20
    assert not ledger.charge(DAY, "d", "persons", 8.0, {"total": 20.0})  # total: 24 > 20
    assert ledger.used(DAY) == {"total": 16.0, "faces": 8.0, "persons": 8.0}
    # A refused job is not counted: when charged again with room (a raised budget), it is.
    assert ledger.charge(DAY, "b", "faces", 8.0, {"total": 40.0, "faces": 20.0})


def test_a_job_longer_than_the_limit_is_charged_only_on_a_fresh_day(ledger):
    assert ledger.charge(DAY, "long", "faces", 90.0, {"total": 60.0})
    assert not ledger.charge(DAY, "short", "faces", 1.0, {"total": 60.0})
    assert ledger.charge("2026-12-02", "short", "faces", 1.0, {"total": 60.0})


def delayed(queue_url):
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessagesDelayed"])


def with_budget(harness, minutes: str):
    """Redeploy the starter with this daily budget, as `cdk deploy -c dailyBudgetMinutes=...` would."""
    environment = {**harness.resources.environment(), Env.DAILY_BUDGET_MINUTES: minutes}
    harness.redeploy_starter(pipeline_functions(environment).starter)


def test_an_upload_over_the_budget_waits_in_the_queue_and_starts_when_the_budget_is_raised(harness, ledger):
    # The sample's movie header says 10 minutes: 30 minutes for its three analyses.
    with_budget(harness, "30")
    for key in ("first.mp4", "second.mp4"):
        harness.upload(key)
    bodies = [s3_event_body(harness.resources.bucket, key, etag=f"e-{key}") for key in ("first.mp4", "second.mp4")]
    response, _ = invoke(harness.starter.handler, *bodies)
    assert failed_ids(response) == []  # waiting is not failing: nothing counts toward the dead-letter queue
    assert delayed(harness.resources.starter_queue_url) == 1  # the second upload, sent back with a delay
    statuses = {
        video.key: {job.status for job in video.jobs.values()} for video in harness.repository.recent_videos().items
    }
    assert statuses == {"first.mp4": {JobStatus.IN_PROGRESS}, "second.mp4": {JobStatus.STARTING}}
    assert ledger.used(budget_day(utc_now()))["total"] == 30.0

    with_budget(harness, "60")
    response, _ = invoke(harness.starter.handler, bodies[1])
    assert failed_ids(response) == []
    (second,) = [video for video in harness.repository.recent_videos().items if video.key == "second.mp4"]
    assert {job.status for job in second.jobs.values()} == {JobStatus.IN_PROGRESS}
    assert ledger.used(budget_day(utc_now()))["total"] == 60.0


def test_a_malformed_budget_stops_the_starter_at_cold_start_with_a_clear_message(harness):
    with pytest.raises(ValueError, match="'ten' is not a number of minutes"):
        with_budget(harness, "ten")
