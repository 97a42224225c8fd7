"""Reconciler Lambda (scheduled): finish jobs whose notification never came, repair the slot ledger."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from video_pipeline.composition import Clients
from video_pipeline.composition.reconciler import ReconcilerApp, build_reconciler
from video_pipeline.contract import Metric
from video_pipeline.handlers import Handler, LazyFunction, finish_loading
from video_pipeline.handlers.observability import count, gauge, logger, metrics, tracer
from video_pipeline.settings import ReconcilerSettings


def bind(app: ReconcilerApp) -> Handler:
    """The reconciler's handler on explicit collaborators (Lambda builds them from its environment)."""

    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return reconcile(app)

    return handler


def reconcile(app: ReconcilerApp) -> dict[str, Any]:
    report = app.reconciler.run()
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


# The Lambda entry point.
handler = LazyFunction(lambda: build_reconciler(ReconcilerSettings.from_environment(), Clients.default()), bind)

# Last: see video_pipeline/handlers/__init__.py.
finish_loading()
