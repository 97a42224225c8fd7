"""The deployed event sources, stated once for the simulation.

Importing `infra.pipeline` costs seconds (the CDK and its Node process), so the values are copied
here; `tests/reliability/test_simulation_deployed.py` checks they still match the stack's.
"""

from __future__ import annotations

from dataclasses import dataclass

from video_pipeline.contract import COLLECTOR_MAX_RECEIVE_COUNT, STARTER_MAX_RECEIVE_COUNT

# infra/constructs/ingest_queue.py: visibility timeout = this many times the consumer's timeout.
VISIBILITY_TIMEOUT_FACTOR = 6


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    timeout: float  # seconds
    batch_size: int = 1
    max_concurrency: int = 1
    max_receive_count: int = 0

    @property
    def visibility_timeout(self) -> int:
        return int(self.timeout * VISIBILITY_TIMEOUT_FACTOR)


STARTER = Function("starter", 120.0, batch_size=10, max_concurrency=2, max_receive_count=STARTER_MAX_RECEIVE_COUNT)
COLLECTOR = Function("collector", 900.0, batch_size=1, max_concurrency=5, max_receive_count=COLLECTOR_MAX_RECEIVE_COUNT)
RECONCILER = Function("reconciler", 300.0)
RECONCILE_EVERY_SECONDS = 600.0
# infra/config.py's default `reconcileAfterMinutes`.
RECONCILE_AFTER_MINUTES = 20
