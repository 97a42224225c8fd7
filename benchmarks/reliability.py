"""Fault-injection figures: every scenario of docs/reliability.md through the real handlers.

    .venv/bin/python -m benchmarks.reliability [--quick]

moto for S3/SQS/SNS/DynamoDB and the Rekognition fake, in virtual time (hours of queueing take
minutes), the handlers invoked concurrently as deployed. One row per scenario: jobs lost, duplicated
jobs and detections, the most pipeline jobs in flight at once against the quota (counted outside the
pipeline), LimitExceededException answers (all / the pipeline's own), messages in dead-letter queues,
detections and pages of deleted videos left (orphans), analyses a late or forged removal erased
(damaged), and the drain time against the ideal (total job time / quota).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from moto import mock_aws

from simulation import Figures, Simulation
from simulation.scenarios import CI, FIGURES, scenarios

HEADER = (
    f"{'scenario':26} {'uploads':>7} {'jobs':>5} {'lost':>4} {'dup jobs':>8} {'dup det':>7} "
    f"{'max in flight':>13} {'LimitExc':>9} {'DLQ':>3} {'orphans':>7} {'damaged':>7} {'drain ratio':>11}"
)


def row(figures: Figures, quota: int) -> str:
    return (
        f"{figures.scenario:26} {figures.uploads:>7} {figures.jobs:>5} {figures.lost:>4} "
        f"{figures.duplicated_jobs:>8} {figures.duplicated_detections:>7} "
        f"{f'{figures.max_in_flight}/{quota}':>13} "
        f"{f'{figures.limit_exceeded}/{figures.pipeline_limit_exceeded}':>9} {figures.dead_letters:>3} "
        f"{figures.orphans:>7} {figures.damaged:>7} {figures.drain_ratio:>11.3f}"
    )


def _progress(began: float) -> Callable[[str], None]:
    def report(line: str) -> None:
        print(f"  {line} ({time.perf_counter() - began:.0f} s)", file=sys.stderr, flush=True)

    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help=f"CI's sizes ({CI}) instead of {FIGURES}")
    parser.add_argument("--uploads", type=int, help="burst size (the other scenarios use a tenth of it)")
    parser.add_argument("--only", action="append", help="run only the named scenario (repeatable)")
    options = parser.parse_args()
    size = dict(CI if options.quick else FIGURES)
    if options.uploads:
        size["uploads"] = options.uploads
    print(HEADER)
    for scenario in scenarios(**size):
        if options.only and scenario.name not in options.only:
            continue
        began = time.perf_counter()
        with mock_aws():
            figures = Simulation(scenario, progress=_progress(began)).run()
        print(row(figures, scenario.quota), flush=True)
        details = [
            f"injected: {figures.injected}",
            *figures.notes,
            f"{figures.reconciled} jobs finished by the reconciler",
            f"{figures.invocations} invocations ({figures.killed} killed)",
            f"{figures.interleaved} interleaved resumes",
        ]
        if scenario.poison:
            details.append(f"{figures.poison_writes} items written for poison input")
        print(f"{'':26} {'; '.join(details)}; {time.perf_counter() - began:.0f} s to simulate", flush=True)


if __name__ == "__main__":
    main()
