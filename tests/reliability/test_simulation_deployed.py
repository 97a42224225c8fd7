"""The simulation's event sources are the stack's (`simulation/deployed.py` copies them)."""

from __future__ import annotations

from infra import pipeline
from infra.config import PipelineConfig
from infra.constructs import ingest_queue
from simulation import deployed


def test_the_simulated_event_sources_are_the_deployed_ones() -> None:
    assert deployed.STARTER.timeout == pipeline.STARTER_TIMEOUT.to_seconds()
    assert deployed.STARTER.batch_size == pipeline.STARTER_BATCH_SIZE
    assert deployed.STARTER.max_concurrency == pipeline.STARTER_MAX_CONCURRENCY
    assert deployed.STARTER.max_receive_count == pipeline.STARTER_MAX_RECEIVE_COUNT
    assert deployed.COLLECTOR.timeout == pipeline.COLLECTOR_TIMEOUT.to_seconds()
    assert deployed.COLLECTOR.batch_size == pipeline.COLLECTOR_BATCH_SIZE
    assert deployed.COLLECTOR.max_concurrency == pipeline.COLLECTOR_MAX_CONCURRENCY
    assert deployed.COLLECTOR.max_receive_count == pipeline.COLLECTOR_MAX_RECEIVE_COUNT
    assert deployed.RECONCILER.timeout == pipeline.RECONCILER_TIMEOUT.to_seconds()
    assert pipeline.RECONCILER_SCHEDULE.to_seconds() == deployed.RECONCILE_EVERY_SECONDS
    assert deployed.VISIBILITY_TIMEOUT_FACTOR == ingest_queue.VISIBILITY_TIMEOUT_FACTOR
    assert PipelineConfig().reconcile_after_minutes == deployed.RECONCILE_AFTER_MINUTES
