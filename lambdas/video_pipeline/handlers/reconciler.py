"""Reconciler Lambda (scheduled): finish jobs whose notification never came, repair the slot ledger."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from video_pipeline.contract import Metric
from video_pipeline.dal import clients
from video_pipeline.dal.job_slots import JobSlots
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.dal.queues import MessageQueue
from video_pipeline.dal.rekognition import RekognitionGateway
from video_pipeline.handlers import finish_loading
from video_pipeline.handlers.observability import count, gauge, logger, metrics, tracer
from video_pipeline.logic.reconciling import Reconciler
from video_pipeline.settings import ReconcilerSettings

settings = ReconcilerSettings.from_environment()


@cache
def reconciler() -> Reconciler:
    return Reconciler(
        jobs=JobsStore(clients.dynamodb_resource().Table(settings.jobs_table_name)),
        rekognition=RekognitionGateway(clients.rekognition()),
        ledger=JobSlots(clients.dynamodb_resource().Table(settings.jobs_table_name), settings.job_quota),
        notices=MessageQueue(clients.sqs(), settings.results_queue_url),
        stale_after=timedelta(minutes=settings.stale_after_minutes),
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = reconciler().run()
    summary = {
        "checked": report.checked,
        "requeued": report.requeued,
        "still_running": report.still_running,
        "unreachable": report.unreachable,
        "stale_holders": sorted(report.stale_holders),
        "missing_holders": sorted(report.missing_holders),
        "in_flight": report.in_flight,
    }
    if report.requeued or report.stale_holders or report.missing_holders or report.unreachable:
        logger.warning("reconciled lost work", extra=summary)
    else:
        logger.info("nothing to reconcile", extra=summary)
    count(Metric.JOBS_RECONCILED, len(report.requeued))
    count(Metric.SLOT_LEDGER_REPAIRS, len(report.stale_holders) + len(report.missing_holders))
    gauge(Metric.JOBS_IN_FLIGHT, report.in_flight)
    return summary


# Last: see video_pipeline/handlers/__init__.py.
finish_loading()
