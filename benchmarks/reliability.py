"""Fault-injection figures: every scenario of docs/reliability.md through the real handlers.

    .venv/bin/python -m benchmarks.reliability [--quick]

moto for S3/SQS/SNS/DynamoDB and the Rekognition fake, in virtual time (hours of queueing take
minutes). One row per scenario: what was injected, jobs lost, duplicated jobs and detections, the
largest number of jobs Rekognition ran at once against the quota, LimitExceededException answers,
messages in dead-letter queues, and the drain time against the ideal (total job time / quota).
"""

from __future__ import annotations

import argparse
import time

from moto import mock_aws

from local.scenarios import CI, FIGURES, scenarios
from local.simulation import Figures, Simulation

HEADER = (
    f"{'scenario':24} {'uploads':>7} {'jobs':>5} {'lost':>4} {'dup jobs':>8} {'dup det':>7} "
    f"{'max in flight':>13} {'LimitExc':>8} {'DLQ':>3} {'drain ratio':>11}  injected"
)


def row(figures: Figures, quota: int) -> str:
    return (
        f"{figures.scenario:24} {figures.uploads:>7} {figures.jobs:>5} {figures.lost:>4} "
        f"{figures.duplicated_jobs:>8} {figures.duplicated_detections:>7} "
        f"{f'{figures.max_in_flight}/{quota}':>13} {figures.limit_exceeded:>8} {figures.dead_letters:>3} "
        f"{figures.drain_ratio:>11.3f}  {figures.injected}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help=f"CI's sizes ({CI}) instead of {FIGURES}")
    parser.add_argument("--uploads", type=int, help="burst size (the other scenarios use a tenth of it)")
    options = parser.parse_args()
    size = dict(CI if options.quick else FIGURES)
    if options.uploads:
        size["uploads"] = options.uploads
    print(HEADER)
    for scenario in scenarios(**size):
        began = time.perf_counter()
        with mock_aws():
            figures = Simulation(scenario).run()
        print(row(figures, scenario.quota), flush=True)
        details = [*figures.notes, f"{figures.reconciled} jobs finished by the reconciler"]
        if scenario.poison:
            details.append(f"{figures.poison_writes} items written for poison input")
        print(f"{'':24} {'; '.join(details)}; {time.perf_counter() - began:.0f} s to simulate", flush=True)


if __name__ == "__main__":
    main()
