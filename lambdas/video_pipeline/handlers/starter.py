"""Starter Lambda: S3 ObjectCreated notifications (through SQS) -> one Rekognition job per analysis."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from video_pipeline.dal import clients
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.dal.objects import ObjectReader
from video_pipeline.dal.rekognition import RekognitionGateway
from video_pipeline.handlers.observability import count, drop_malformed, logger, metrics, tracer
from video_pipeline.logic.admission import Verdict
from video_pipeline.logic.envelope import MalformedMessageError
from video_pipeline.logic.s3_events import uploads_in
from video_pipeline.logic.starting import JobStarter, NotificationChannel, UploadReport, raise_if_deferred
from video_pipeline.settings import StarterSettings

settings = StarterSettings.from_environment()
# Every failed record is reported in batchItemFailures, even when all fail, instead of an invocation error.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@cache
def job_starter() -> JobStarter:
    return JobStarter(
        jobs=JobsStore(clients.dynamodb_resource().Table(settings.jobs_table_name)),
        objects=ObjectReader(clients.s3()),
        rekognition=RekognitionGateway(clients.rekognition()),
        channel=NotificationChannel(topic_arn=settings.topic_arn, role_arn=settings.role_arn),
        analyses=settings.engines.primary,
        fallbacks=settings.engines.fallbacks,
        settings=settings.job_settings,
    )


def record_handler(record: SQSRecord) -> None:
    try:
        uploads = uploads_in(record.body)
    except MalformedMessageError as error:
        drop_malformed(record.message_id, record.body, str(error))
        return
    reports = [job_starter().handle(upload) for upload in uploads]
    for report in reports:
        _report(report)
    for report in reports:
        raise_if_deferred(report)


def _report(report: UploadReport) -> None:
    verdict = report.admission
    fields = {"bucket": report.bucket, "key": report.key, "video_id": report.video_id}
    reason = {"reason_code": verdict.reason_code, "reason": verdict.reason}
    count("UploadsReceived")
    if verdict.verdict is Verdict.IGNORE:
        logger.info("ignoring object", extra={**fields, **reason})
        count("UploadsIgnored")
        return
    if verdict.verdict is Verdict.REJECT:
        logger.warning(
            "rejecting video", extra={**fields, "reason_code": verdict.reason_code, "reason": verdict.reason}
        )
        count("UploadsRejected")
    else:
        count("UploadsAccepted")
    for analysis, outcome in report.outcomes.items():
        details = {"analysis": analysis, "outcome": outcome.value, "error": report.errors.get(analysis)}
        logger.info("job start", extra={**fields, **details})
        count(f"Jobs{outcome.value.title()}", analysis=analysis)
    for analysis, engine in report.fallbacks.items():
        logger.warning(
            "engine refused as unavailable; fell back", extra={**fields, "analysis": analysis, "engine": engine}
        )
        count("JobsFellBack", analysis=analysis)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
