"""Starter Lambda: S3 notifications (through SQS) -> one Rekognition job per analysis, within the quota.

ObjectRemoved notifications arrive on the same queue: deleting a video erases its results.
"""

from __future__ import annotations

# First, before anything imports pydantic (see video_pipeline/batch.py).
from video_pipeline.batch import bind_queue_function, hand_back_later  # isort: skip

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from video_pipeline.analyses import by_name
from video_pipeline.composition import Clients
from video_pipeline.composition.starter import StarterApp, build_starter
from video_pipeline.contract import Metric
from video_pipeline.dal.queues import WAITS_ATTRIBUTE
from video_pipeline.handlers import Handler, LazyFunction, finish_loading
from video_pipeline.handlers.observability import count, drop_malformed, logger, measure
from video_pipeline.logic.admission import Verdict
from video_pipeline.logic.budget import budget_day, estimated_cost_usd
from video_pipeline.logic.clock import utc_now
from video_pipeline.logic.envelope import MalformedMessageError
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.pacing import redelivery_seconds, slot_wait_seconds
from video_pipeline.logic.s3_events import S3EventRecord, buckets_of, parse_s3_event, removals_of, uploads_of
from video_pipeline.logic.starting import StartOutcome, UploadReport, is_waiting, raise_if_deferred
from video_pipeline.settings import StarterSettings

_METRIC_BY_START_OUTCOME = {
    StartOutcome.STARTED: Metric.JOBS_STARTED,
    StartOutcome.DUPLICATE: Metric.JOBS_DUPLICATE,
    StartOutcome.FAILED: Metric.JOBS_FAILED,
    StartOutcome.DEFERRED: Metric.JOBS_DEFERRED,
    StartOutcome.WAITING: Metric.JOBS_WAITING,
}


def bind(app: StarterApp) -> Handler:
    """The starter's handler on explicit collaborators (Lambda builds them from its environment)."""
    return bind_queue_function(app, handle_record)


def handle_record(app: StarterApp, record: SQSRecord, lambda_context: LambdaContext) -> None:
    try:
        events = parse_s3_event(record.body)
    except MalformedMessageError as error:
        drop_malformed(record.message_id, record.body, str(error))
        return
    foreign = buckets_of(events) - set(app.settings.input_buckets)
    if foreign:
        # Only the deployed input bucket notifies this queue; anything else was sent by someone else.
        drop_malformed(record.message_id, record.body, f"event for a bucket this pipeline does not serve: {foreign}")
        return
    try:
        _handle_events(app, record, events, lambda_context)
    except RetryLaterError:
        hand_back_later(app.uploads, record)
        raise


def _handle_events(
    app: StarterApp, record: SQSRecord, events: list[S3EventRecord], lambda_context: LambdaContext
) -> None:
    for removed in removals_of(events):
        erased = app.eraser.erase(removed, lambda: lambda_context.get_remaining_time_in_millis() / 1000)
        if erased.refused:
            logger.warning(
                "not erasing: S3 contradicts the event", extra={"key": removed.key, "reason": erased.refused}
            )
            count(Metric.ERASURES_REFUSED)
        logger.info(
            "erased the results of a deleted video",
            extra={"videos": erased.videos, "key": removed.key, "pending_jobs": erased.pending_jobs},
        )
        count(Metric.VIDEOS_ERASED, len(erased.videos))
    waited = _waits_so_far(record) > 0
    reports = [app.starter.handle(upload, waited=waited) for upload in uploads_of(events)]
    for report in reports:
        _report(report)
    _report_budget(app, reports)
    for report in reports:
        raise_if_deferred(report)
    if any(is_waiting(report) for report in reports):
        # Quota held by other workloads, today's minutes spent, or a job running for minutes to hours: nothing
        # this pipeline does frees them soon, so the upload asks less and less often.
        held_elsewhere = any(
            report.quota_held_elsewhere or report.over_budget or report.replaces_running_job for report in reports
        )
        _wait_for_slot(app, record, held_elsewhere=held_elsewhere)


def _waits_so_far(record: SQSRecord) -> int:
    """How many times this upload has already waited for a quota slot (0 for a fresh S3 event)."""
    waited = record.raw_event.get("messageAttributes", {}).get(WAITS_ATTRIBUTE, {}).get("stringValue")
    return int(waited or 0)


def _wait_for_slot(app: StarterApp, record: SQSRecord, *, held_elsewhere: bool) -> None:
    """Put the upload back with a delay; this receive succeeds, so waiting never counts as failing."""
    waits = _waits_so_far(record) + 1
    # The message being handled is in flight, not counted in the backlog: it waits too.
    delay = slot_wait_seconds(waits, app.uploads.backlog() + 1)
    if held_elsewhere:
        # Nothing in this pipeline frees those slots: ask less and less often (up to every 15 minutes).
        delay = max(delay, redelivery_seconds(waits))
    app.uploads.send_later(record.body, delay_seconds=delay, waits=waits)
    logger.info("waiting for a free job slot", extra={"waits": waits, "retry_in_seconds": delay})
    count(Metric.UPLOADS_WAITING)


def _report_budget(app: StarterApp, reports: list[UploadReport]) -> None:
    """What the started jobs cost, and today's minutes against the budget (the dashboard's gauge)."""
    started = False
    for report in reports:
        if report.over_budget:
            logger.info("waiting for the daily budget", extra={"key": report.key, "minutes": report.minutes})
            count(Metric.UPLOADS_OVER_BUDGET)
        for name, outcome in report.outcomes.items():
            # An analysis riding on another's job is billed with that job, once.
            if outcome is StartOutcome.STARTED and report.minutes is not None and name not in report.riding:
                started = True
                cost = estimated_cost_usd(report.minutes, (by_name(name),))
                measure(Metric.VIDEO_MINUTES_STARTED, report.minutes, analysis=name)
                measure(Metric.ESTIMATED_COST_USD, cost, analysis=name)
    if started:
        for name, minutes in app.budget.used(budget_day(utc_now())).items():
            measure(Metric.BUDGET_MINUTES_USED, minutes, analysis=name)


def _report(report: UploadReport) -> None:
    verdict = report.admission
    fields = {"bucket": report.bucket, "key": report.key, "video_id": report.video_id}
    reason = {"reason_code": verdict.reason_code, "reason": verdict.reason}
    count(Metric.UPLOADS_RECEIVED)
    if verdict.verdict is Verdict.IGNORE:
        logger.info("ignoring object", extra={**fields, **reason})
        count(Metric.UPLOADS_IGNORED)
        return
    if verdict.verdict is Verdict.REJECT:
        logger.warning("rejecting video", extra={**fields, **reason})
        count(Metric.UPLOADS_REJECTED)
    else:
        count(Metric.UPLOADS_ACCEPTED)
    for analysis, outcome in report.outcomes.items():
        details = {"analysis": analysis, "outcome": outcome.value, "error": report.errors.get(analysis)}
        logger.info("job start", extra={**fields, **details})
        count(_METRIC_BY_START_OUTCOME[outcome], analysis=analysis)
    for analysis, engine in report.fallbacks.items():
        logger.warning(
            "engine refused as unavailable; fell back", extra={**fields, "analysis": analysis, "engine": engine}
        )
        count(Metric.JOBS_FELL_BACK, analysis=analysis)


# The Lambda entry point.
handler = LazyFunction(lambda: build_starter(StarterSettings.from_environment(), Clients.default()), bind)

# Last: see video_pipeline/handlers/__init__.py.
finish_loading()
