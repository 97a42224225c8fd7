"""The one Logger, Tracer and Metrics of the pipeline, configured by POWERTOOLS_* variables."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from video_pipeline.contract import Metric

NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", Metric.NAMESPACE)

logger = Logger()
# botocore is the only library the handlers do I/O with, so its calls are the only subsegments to add.
# The default, patch_all, also imports and patches every other supported library it finds installed
# (sqlite3 in the Lambda runtime, requests or httpx where present): ~30 ms here that traces nothing.
tracer = Tracer(patch_modules=("botocore",))
metrics = Metrics(namespace=NAMESPACE)


def count(name: str, value: int = 1, *, analysis: str | None = None) -> None:
    """A count metric, with an `analysis` dimension when it is about one analysis."""
    if value > 0:
        _emit(name, MetricUnit.Count, value, analysis)


def measure(name: str, value: float, *, analysis: str | None = None) -> None:
    """A quantity without a unit of its own (minutes, dollars), emitted even when it is zero."""
    _emit(name, MetricUnit.Count, max(value, 0.0), analysis)


def measure_ms(name: str, value: float, *, analysis: str | None = None) -> None:
    """A duration in milliseconds, with an `analysis` dimension when it is about one analysis."""
    _emit(name, MetricUnit.Milliseconds, max(value, 0.0), analysis)


def _emit(name: str, unit: MetricUnit, value: float, analysis: str | None) -> None:
    if analysis is None:
        metrics.add_metric(name=name, unit=unit, value=value)
        return
    with single_metric(
        name=name,
        unit=unit,
        value=value,
        namespace=NAMESPACE,
        default_dimensions=metrics.default_dimensions,
    ) as metric:
        metric.add_dimension(name=Metric.ANALYSIS_DIMENSION, value=analysis)


def drop_malformed(message_id: str, body: str, reason: str) -> None:
    """Log and count a message that retrying cannot fix; its body stays in the log for its sender."""
    logger.error("dropping malformed message", extra={"message_id": message_id, "reason": reason, "body": body[:2000]})
    count(Metric.MALFORMED_MESSAGES)


def gauge(name: str, value: int | None) -> None:
    """A level (jobs in flight), emitted even when it is zero, because zero is information."""
    if value is not None:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
