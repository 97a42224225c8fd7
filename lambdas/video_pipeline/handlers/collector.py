"""Collector Lambda: Rekognition completion notifications (SNS -> SQS) -> results in DynamoDB."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

# First, before anything imports pydantic: Powertools' batch utility would otherwise define its
# parser models (~35 ms) for type hints only. tests/unit/test_cold_path.py checks it does not.
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from video_pipeline.contract import Metric
from video_pipeline.dal import clients
from video_pipeline.dal.archive import ResultsArchive
from video_pipeline.dal.detections_store import DetectionsStore
from video_pipeline.dal.job_slots import JobSlots
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.dal.queues import MessageQueue
from video_pipeline.dal.rekognition import RekognitionGateway
from video_pipeline.handlers import finish_loading
from video_pipeline.handlers.observability import count, drop_malformed, gauge, logger, measure_ms, metrics, tracer
from video_pipeline.logic.clock import milliseconds_since
from video_pipeline.logic.collecting import CollectOutcome, CollectReport, ResultCollector
from video_pipeline.logic.envelope import MalformedMessageError
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.notifications import parse_notice
from video_pipeline.logic.pacing import redelivery_seconds
from video_pipeline.settings import CollectorSettings

settings = CollectorSettings.from_environment()
# Every failed record is reported in batchItemFailures, even when all fail, instead of an invocation error.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

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


@cache
def job_slots() -> JobSlots:
    return JobSlots(clients.dynamodb_resource().Table(settings.jobs_table_name), settings.job_quota)


@cache
def results_queue() -> MessageQueue:
    return MessageQueue(clients.sqs(), settings.results_queue_url)


@cache
def result_collector() -> ResultCollector:
    return ResultCollector(
        jobs=JobsStore(clients.dynamodb_resource().Table(settings.jobs_table_name)),
        detections=DetectionsStore(
            clients.dynamodb(),
            settings.detections_table_name,
            retention=timedelta(days=settings.result_retention_days) if settings.result_retention_days else None,
        ),
        rekognition=RekognitionGateway(clients.rekognition()),
        slots=job_slots(),
        archive=ResultsArchive(clients.s3(), settings.archive_bucket_name),
    )


def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> None:
    try:
        notice = parse_notice(record.body)
    except MalformedMessageError as error:
        drop_malformed(record.message_id, record.body, str(error))
        return
    logger.append_keys(job_id=notice.job_id)
    try:
        report = result_collector().handle(
            notice, time_left=lambda: lambda_context.get_remaining_time_in_millis() / 1000
        )
    except RetryLaterError:
        # Throttled Get*, a job not yet recorded: back off briefly and growingly, not the queue's 90 minutes.
        receive_count = int(record.attributes.approximate_receive_count or 1)
        results_queue().hide(record.receipt_handle, redelivery_seconds(receive_count))
        raise
    if report.outcome is CollectOutcome.CONTINUED:
        # The checkpoint is saved; the same notice, queued again, resumes from it in a fresh invocation.
        results_queue().send_later(record.body, delay_seconds=0)
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
    if report.outcome is CollectOutcome.SUCCEEDED and report.uploaded_at:
        measure_ms(Metric.UPLOAD_TO_RESULTS_LATENCY, milliseconds_since(report.uploaded_at), analysis=report.analysis)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    gauge(Metric.JOBS_IN_FLIGHT, job_slots().last_in_flight)
    return response


# Last: see video_pipeline/handlers/__init__.py.
finish_loading()
