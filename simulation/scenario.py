"""What a fault-injection run injects, and the figures it measures."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulation.calls import Kill
from simulation.deployed import RECONCILE_AFTER_MINUTES


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    uploads: int
    quota: int = 20
    job_seconds: float = 120.0
    detections: int = 30
    copies: int = 1  # deliveries of every S3 event and every notification
    lost_notifications: float = 0.0
    faults: tuple[tuple[str, str, int], ...] = ()  # (Rekognition operation, error code, times)
    dynamodb_throttling: float = 0.0  # share of DynamoDB write attempts answered with throttling
    partial_writes: float = 0.0  # share of BatchWriteItem requests answered with half in UnprocessedItems
    collector_seconds: float | None = None  # the collector's timeout (None: the deployed 900 s)
    poison: bool = False
    kills: tuple[Kill, ...] = ()
    delete_while_running: int = 0  # videos deleted while their jobs run
    delete_while_collecting: int = 0  # videos deleted while the collector writes their results
    reuploads: int = 0  # keys uploaded, deleted and uploaded again; the delete marker's event arrives late
    forged_removals: int = 0  # forged ObjectRemoved events for videos that still exist
    forged_failures: int = 0  # forged FAILED notifications for running jobs
    other_workload: tuple[int, float] = (0, 0.0)  # job slots another workload holds from the start, for hours
    daily_budget: str = ""  # DAILY_BUDGET_MINUTES from the start (the sample video is 10 minutes a job)
    budget_raised: tuple[str, float] = ("", 0.0)  # the budget a redeploy sets, after this many hours
    observer_headroom: int = 10  # the fake's job limit is the quota plus this: drift shows, it is not refused
    reconcile_after_minutes: int = RECONCILE_AFTER_MINUTES
    seed: int = 7
    max_virtual_hours: float = 48.0


@dataclass(slots=True)
class Figures:
    scenario: str
    uploads: int
    injected: str
    jobs: int = 0
    succeeded: int = 0
    lost: int = 0
    duplicated_jobs: int = 0
    duplicated_detections: int = 0
    max_in_flight: int = 0  # pipeline jobs running at once, counted outside the pipeline
    limit_exceeded: int = 0  # every LimitExceededException answered, injected and other workloads' included
    pipeline_limit_exceeded: int = 0  # ... of those, the ones neither injected nor caused by another workload
    dead_letters: int = 0
    orphans: int = 0  # detection items and archived pages of deleted videos left once everything settled
    damaged: int = 0  # analyses of videos hit by late or forged removal events that lost their results
    drain_seconds: float = 0.0
    ideal_seconds: float = 0.0
    poison_writes: int = 0
    reconciled: int = 0
    invocations: int = 0
    killed: int = 0
    interleaved: int = 0  # resumes of an invocation while another was part-way through its handler
    over_budget_minutes: float = 0.0  # video minutes started beyond a UTC day's budget, before it was raised
    started_before_raise: int = 0  # jobs started while the first budget held
    max_concurrent: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def drain_ratio(self) -> float:
        return self.drain_seconds / self.ideal_seconds if self.ideal_seconds else 0.0


def injected(scenario: Scenario) -> str:
    parts = [*_delivery_faults(scenario), *_run_faults(scenario)]
    return "; ".join(parts) or "none"


def _delivery_faults(scenario: Scenario) -> list[str]:
    parts = []
    if scenario.copies > 1:
        parts.append(f"every message x{scenario.copies}")
    if scenario.lost_notifications:
        parts.append(f"{scenario.lost_notifications:.0%} notifications lost")
    parts.extend(f"{code} x{times} on {operation}" for operation, code, times in scenario.faults)
    if scenario.dynamodb_throttling:
        parts.append(f"{scenario.dynamodb_throttling:.0%} DynamoDB writes throttled")
    if scenario.partial_writes:
        parts.append(f"{scenario.partial_writes:.0%} BatchWriteItem half unprocessed")
    if scenario.collector_seconds:
        parts.append(f"collector time limit {scenario.collector_seconds:.0f} s")
    if scenario.poison:
        parts.append("malformed, forged and non-video input")
    return parts


def _run_faults(scenario: Scenario) -> list[str]:
    parts = [kill.describe() for kill in scenario.kills]
    counted = (
        (scenario.delete_while_running, "videos deleted while their jobs run"),
        (scenario.delete_while_collecting, "deleted while collected"),
        (scenario.reuploads, "keys deleted and re-uploaded, DeleteMarkerCreated late"),
        (scenario.forged_removals, "forged ObjectRemoved"),
        (scenario.forged_failures, "forged FAILED notices"),
    )
    parts.extend(f"{count} {what}" for count, what in counted if count)
    slots, hours = scenario.other_workload
    if slots:
        parts.append(f"another workload holds {slots} slots for {hours:g} h")
    if scenario.daily_budget:
        raised, after = scenario.budget_raised
        parts.append(f"daily budget {scenario.daily_budget} min" + (f", {raised} after {after:g} h" if raised else ""))
    return parts
