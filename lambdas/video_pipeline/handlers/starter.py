"""Starter Lambda: S3 notifications (through SQS) -> one Rekognition job per analysis, within the quota.

ObjectRemoved notifications arrive on the same queue: deleting a video erases its results.
"""

from __future__ import annotations

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
from video_pipeline.dal.objects import ObjectReader
from video_pipeline.dal.queues import WAITS_ATTRIBUTE, MessageQueue
from video_pipeline.dal.rekognition import RekognitionGateway
from video_pipeline.handlers import finish_loading
from video_pipeline.handlers.observability import count, drop_malformed, gauge, logger, metrics, tracer
from video_pipeline.logic.admission import Verdict
from video_pipeline.logic.envelope import MalformedMessageError
from video_pipeline.logic.erasing import VideoEraser
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.pacing import redelivery_seconds, slot_wait_seconds
from video_pipeline.logic.s3_events import S3EventRecord, buckets_of, parse_s3_event, removals_of, uploads_of
from video_pipeline.logic.starting import (
    JobStarter,
    NotificationChannel,
    StartOutcome,
    UploadReport,
    is_waiting,
    raise_if_deferred,
)
from video_pipeline.settings import StarterSettings

settings = StarterSettings.from_environment()
_METRIC_BY_START_OUTCOME = {
    StartOutcome.STARTED: Metric.JOBS_STARTED,
    StartOutcome.DUPLICATE: Metric.JOBS_DUPLICATE,
    StartOutcome.FAILED: Metric.JOBS_FAILED,
    StartOutcome.DEFERRED: Metric.JOBS_DEFERRED,
    StartOutcome.WAITING: Metric.JOBS_WAITING,
}
# Every failed record is reported in batchItemFailures, even when all fail, instead of an invocation error.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@cache
def job_slots() -> JobSlots:
    return JobSlots(clients.dynamodb_resource().Table(settings.jobs_table_name), settings.job_quota)


@cache
def uploads_queue() -> MessageQueue:
    return MessageQueue(clients.sqs(), settings.uploads_queue_url)


@cache
def job_starter() -> JobStarter:
    return JobStarter(
        jobs=JobsStore(clients.dynamodb_resource().Table(settings.jobs_table_name)),
        slots=job_slots(),
        objects=ObjectReader(clients.s3()),
        rekognition=RekognitionGateway(clients.rekognition()),
        channel=NotificationChannel(topic_arn=settings.topic_arn, role_arn=settings.role_arn),
        analyses=settings.engines.primary,
        fallbacks=settings.engines.fallbacks,
        settings=settings.job_settings,
        video_suffixes=settings.video_suffixes,
    )


@cache
def video_eraser() -> VideoEraser:
    return VideoEraser(
        jobs=JobsStore(clients.dynamodb_resource().Table(settings.jobs_table_name)),
        detections=DetectionsStore(clients.dynamodb(), settings.detections_table_name),
        archive=ResultsArchive(clients.s3(), settings.archive_bucket_name),
        slots=job_slots(),
        objects=ObjectReader(clients.s3()),
    )


def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> None:
    try:
        events = parse_s3_event(record.body)
    except MalformedMessageError as error:
        drop_malformed(record.message_id, record.body, str(error))
        return
    foreign = buckets_of(events) - set(settings.input_buckets)
    if foreign:
        # Only the deployed input bucket notifies this queue; anything else was sent by someone else.
        drop_malformed(record.message_id, record.body, f"event for a bucket this pipeline does not serve: {foreign}")
        return
    try:
        _handle_events(record, events, lambda_context)
    except RetryLaterError:
        # Back off briefly and growingly, as for throttling, instead of the queue's long visibility timeout.
        receive_count = int(record.attributes.approximate_receive_count or 1)
        uploads_queue().hide(record.receipt_handle, redelivery_seconds(receive_count))
        raise


def _handle_events(record: SQSRecord, events: list[S3EventRecord], lambda_context: LambdaContext) -> None:
    for removed in removals_of(events):
        erased = video_eraser().erase(removed, lambda: lambda_context.get_remaining_time_in_millis() / 1000)
        if erased.refused:
            logger.warning(
                "not erasing: S3 contradicts the removal event", extra={"key": removed.key, "reason": erased.refused}
            )
            count(Metric.ERASURES_REFUSED)
        logger.info(
            "erased the results of a deleted video",
            extra={"videos": erased.videos, "key": removed.key, "pending_jobs": erased.pending_jobs},
        )
        count(Metric.VIDEOS_ERASED, len(erased.videos))
    waited = _waits_so_far(record) > 0
    reports = [job_starter().handle(upload, waited=waited) for upload in uploads_of(events)]
    for report in reports:
        _report(report)
    for report in reports:
        raise_if_deferred(report)
    if any(is_waiting(report) for report in reports):
        _wait_for_slot(record)


def _waits_so_far(record: SQSRecord) -> int:
    """How many times this upload has already waited for a quota slot (0 for a fresh S3 event)."""
    waited = record.raw_event.get("messageAttributes", {}).get(WAITS_ATTRIBUTE, {}).get("stringValue")
    return int(waited or 0)


def _wait_for_slot(record: SQSRecord) -> None:
    """Put the upload back with a delay; this receive succeeds, so waiting never counts as failing."""
    waits = _waits_so_far(record) + 1
    # The message being handled is in flight, not counted in the backlog: it waits too.
    delay = slot_wait_seconds(waits, uploads_queue().backlog() + 1)
    uploads_queue().send_later(record.body, delay_seconds=delay, waits=waits)
    logger.info("waiting for a free job slot", extra={"waits": waits, "retry_in_seconds": delay})
    count(Metric.UPLOADS_WAITING)


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
