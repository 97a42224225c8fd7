"""Collector Lambda: Rekognition completion notifications (SNS -> SQS) -> results in DynamoDB."""

from __future__ import annotations

# First, before anything imports pydantic (see video_pipeline/batch.py).
from video_pipeline.batch import bind_queue_function, hand_back_later  # isort: skip

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from video_pipeline.composition import Clients
from video_pipeline.composition.collector import CollectorApp, build_collector
from video_pipeline.contract import Metric
from video_pipeline.handlers import Handler, LazyFunction, finish_loading
from video_pipeline.handlers.observability import count, drop_malformed, logger, measure_ms
from video_pipeline.logic.clock import milliseconds_since
from video_pipeline.logic.collecting import CollectOutcome, CollectReport
from video_pipeline.logic.envelope import MalformedMessageError
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.notifications import parse_notice
from video_pipeline.settings import CollectorSettings

_METRIC_BY_OUTCOME = {
    CollectOutcome.SUCCEEDED: Metric.JOBS_SUCCEEDED,
    CollectOutcome.FAILED: Metric.JOBS_FAILED,
    CollectOutcome.EXPIRED: Metric.JOBS_EXPIRED,
    CollectOutcome.CONTINUED: Metric.COLLECTIONS_CONTINUED,
    CollectOutcome.DUPLICATE: Metric.NOTIFICATIONS_DUPLICATE,
    CollectOutcome.UNKNOWN_JOB: Metric.NOTIFICATIONS_UNKNOWN_JOB,
    CollectOutcome.PREMATURE: Metric.NOTIFICATIONS_PREMATURE,
    CollectOutcome.ERASED: Metric.JOBS_ERASED,
}


def bind(app: CollectorApp) -> Handler:
    """The collector's handler on explicit collaborators (Lambda builds them from its environment)."""
    return bind_queue_function(app, handle_record)


def handle_record(app: CollectorApp, record: SQSRecord, lambda_context: LambdaContext) -> None:
    try:
        notice = parse_notice(record.body)
    except MalformedMessageError as error:
        drop_malformed(record.message_id, record.body, str(error))
        return
    logger.append_keys(job_id=notice.job_id)
    try:
        report = app.collector.handle(notice, time_left=lambda: lambda_context.get_remaining_time_in_millis() / 1000)
    except RetryLaterError:
        # Throttled Get*, a job not yet recorded: back off briefly and growingly, not the queue's 90 minutes.
        hand_back_later(app.results, record)
        raise
    for follow_up in report.follow_ups:
        # Each analysis riding on the job is collected in a delivery of its own.
        app.results.send_json(follow_up)
    if report.outcome is CollectOutcome.CONTINUED:
        # The checkpoint is saved; the same notice, queued again, resumes from it in a fresh invocation.
        app.results.send_later(record.body, delay_seconds=0)
    _report(report)


def _report(report: CollectReport) -> None:
    fields = {
        "analysis": report.analysis,
        "video_id": report.video_id,
        "outcome": report.outcome.value,
        "reason": report.reason,
    }
    if report.outcome is CollectOutcome.UNKNOWN_JOB:
        logger.warning("dropping notification for an unknown job", extra=fields)
    elif report.outcome is CollectOutcome.PREMATURE:
        logger.warning("dropping notification: Rekognition says the job is still running", extra=fields)
    else:
        logger.info("notification processed", extra={**fields, "detections": report.detections})
    count(_METRIC_BY_OUTCOME[report.outcome], analysis=report.analysis)
    if report.outcome is not CollectOutcome.CONTINUED:
        count(Metric.DETECTIONS_STORED, report.detections, analysis=report.analysis)
    for name, found in report.findings.items():
        count(name, found, analysis=report.analysis)
    if report.outcome is CollectOutcome.SUCCEEDED and report.uploaded_at:
        measure_ms(Metric.UPLOAD_TO_RESULTS_LATENCY, milliseconds_since(report.uploaded_at), analysis=report.analysis)


# The Lambda entry point.
handler = LazyFunction(lambda: build_collector(CollectorSettings.from_environment(), Clients.default()), bind)

# Last: see video_pipeline/handlers/__init__.py.
finish_loading()
