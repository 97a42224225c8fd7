"""The pipeline's own AWS cost per video next to Rekognition's, from measured counts and durations.

    .venv/bin/python -m benchmarks.cost_model --before BEFORE.json --after AFTER.json
    .venv/bin/python -m benchmarks.cost_model --rows ROWS.json [--stand-in face_search=celebrities]

(each file: the JSON lines `python -m benchmarks.collector_ingest --one ANALYSIS N` or `--json`
writes, one per analysis) prints the cost of a 1-hour video by density (10, 50, 100 and 200
detections/s per analysis) and by analysis: before and after (rows measured on two commits), or for
one set of rows. `--stand-in NAME=MEASURED` adds a row for an analysis this checkout cannot run,
from another's measurement (an element of the same kind), priced at NAME's own Rekognition price.
`benchmarks.performance` prints the per-video table from the figures it has just measured.

Prices: public on-demand list prices, us-east-1, x86, as published on the AWS pricing pages on
2025-06-01 (DynamoDB on-demand after its November 2024 reduction); free tiers ignored.
Assumptions (docs/performance.md discusses them): a dense scene, 10 detections stored per second
of video per analysis (two faces / celebrities / people at Rekognition's ~5 sampled instants a
second); AWS latencies per request as stated below, since this machine measures none of them.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

from video_pipeline.analyses import REGISTRY, STORED_VIDEO_USD_PER_MINUTE

PRICES_AS_OF = "2025-06-01"
LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_REQUEST = 0.20 / 1e6
DYNAMODB_WRITE_UNIT = 0.625 / 1e6
DYNAMODB_READ_UNIT = 0.125 / 1e6
DYNAMODB_GB_MONTH = 0.25
SQS_REQUEST = 0.40 / 1e6
SNS_PUBLISH = 0.50 / 1e6
S3_PUT = 0.005 / 1000
S3_GET = 0.0004 / 1000
S3_GB_MONTH = 0.023
CLOUDWATCH_LOGS_GB = 0.50  # ingestion
XRAY_TRACE = 5.00 / 1e6  # recorded

DETECTIONS_PER_SECOND = 10.0
PAGE = 1000
# Latencies assumed for the deployed function (same-region calls): a Get* page of 1,000 elements,
# one BatchWriteItem of 25 items, one PutObject of a compressed page.
GET_PAGE_SECONDS = 0.8
BATCH_WRITE_SECONDS = 0.012
PUT_OBJECT_SECONDS = 0.04
# Lambda at 1,024 MB has ~0.58 of a vCPU; CPU time measured here is scaled by this factor.
COLLECTOR_MEMORY_GB = 1.0
COLLECTOR_CPU_FACTOR = 1.7
STARTER_MEMORY_GB = 0.5
STARTER_CPU_FACTOR = 3.4
STARTER_REQUEST_SECONDS = 0.03
# Per invocation: Lambda's START/END/REPORT lines, the Powertools log lines and one EMF metrics
# document; every invocation traced (X-Ray samples fewer: an upper bound).
LOG_BYTES_PER_INVOCATION = 4096


@dataclass(frozen=True)
class Measured:
    """What the benchmarks measured for one analysis."""

    analysis: str
    cpu_seconds_per_1k: float  # handler time less AWS calls, plus the SDK's own work, per 1,000 stored
    write_units_per_detection: float
    batch_writes_per_1k: float
    item_bytes: float
    archive_bytes: float


@dataclass(frozen=True)
class VideoCost:
    minutes: float
    analysis: str
    lambda_cost: float
    dynamodb_cost: float
    messaging_cost: float
    s3_cost: float
    observability_cost: float
    storage_month: float
    rekognition: float

    @property
    def pipeline(self) -> float:
        return self.lambda_cost + self.dynamodb_cost + self.messaging_cost + self.s3_cost + self.observability_cost

    @property
    def ratio(self) -> float:
        return self.pipeline / self.rekognition


def video_cost(
    minutes: float,
    measured: Measured,
    starter_requests: float,
    starter_cpu_ms: float,
    analyses: int,
    *,
    detections_per_second: float = DETECTIONS_PER_SECOND,
) -> VideoCost:
    """One analysis of one video; the starter's per-upload share is split evenly over the analyses."""
    detections = minutes * 60 * detections_per_second
    pages = max(1, math.ceil(detections / PAGE))
    collector_seconds = (
        detections / 1000 * (measured.cpu_seconds_per_1k * COLLECTOR_CPU_FACTOR)
        + pages * (GET_PAGE_SECONDS + PUT_OBJECT_SECONDS)
        + detections / 1000 * measured.batch_writes_per_1k * BATCH_WRITE_SECONDS
    )
    starter_seconds = (
        starter_cpu_ms / 1000 * STARTER_CPU_FACTOR + starter_requests * STARTER_REQUEST_SECONDS
    ) / analyses
    invocations = max(1, math.ceil(collector_seconds / 840)) + 1 / analyses
    lambda_cost = (
        collector_seconds * COLLECTOR_MEMORY_GB + starter_seconds * STARTER_MEMORY_GB
    ) * LAMBDA_GB_SECOND + invocations * LAMBDA_REQUEST
    # Jobs table: the starter's writes per job, the collector's final update and slot release; one
    # unit each, plus one for each of the (at most two) indexes a job item is in.
    job_writes = (10 / analyses + 2) * 3
    dynamodb_cost = (
        detections * measured.write_units_per_detection + job_writes
    ) * DYNAMODB_WRITE_UNIT + 2 * DYNAMODB_READ_UNIT
    # SQS: upload message (send, receive, delete) shared; completion message (send, receive, delete) per job.
    messaging_cost = (3 / analyses + 3) * SQS_REQUEST + SNS_PUBLISH
    s3_cost = pages * S3_PUT + S3_GET / analyses
    observability_cost = invocations * (LOG_BYTES_PER_INVOCATION / 1e9 * CLOUDWATCH_LOGS_GB + XRAY_TRACE)
    storage_month = detections * (measured.item_bytes * DYNAMODB_GB_MONTH + measured.archive_bytes * S3_GB_MONTH) / 1e9
    return VideoCost(
        minutes,
        measured.analysis,
        lambda_cost,
        dynamodb_cost,
        messaging_cost,
        s3_cost,
        observability_cost,
        storage_month,
        minutes * rekognition_price(measured.analysis),
    )


def rekognition_price(analysis: str) -> float:
    """Rekognition's charge per minute of video for `analysis`: the registry's (analyses.py), else the
    stored-video list price that every analysis has, face search included."""
    entry = REGISTRY.get(analysis)
    return entry.usd_per_minute if entry is not None else STORED_VIDEO_USD_PER_MINUTE


def break_even_rate(measured: list[Measured], starter_requests: float, starter_cpu_ms: float) -> float:
    """Detections per second per analysis at which a 1-hour video's pipeline cost reaches 1% of Rekognition's.

    The cost is affine in the detection rate, so two evaluations give the line.
    """

    def ratio(rate: float) -> float:
        costs = [
            video_cost(60, entry, starter_requests, starter_cpu_ms, len(measured), detections_per_second=rate)
            for entry in measured
        ]
        return sum(cost.pipeline for cost in costs) / sum(cost.rekognition for cost in costs)

    low, high = ratio(1.0), ratio(101.0)
    return 1.0 + (0.01 - low) * 100.0 / (high - low)


def print_costs(measured: list[Measured], starter_requests: float, starter_cpu_ms: float) -> None:
    print(f"Cost model (USD, us-east-1 on-demand prices of {PRICES_AS_OF}; {DETECTIONS_PER_SECOND:g} detections/s)")
    print(
        f"{'video':>7} {'analysis':<12}{'Lambda':>10}{'DynamoDB':>10}{'SQS+SNS':>10}{'S3':>10}{'logs+X-Ray':>11}"
        f"{'pipeline':>10}{'Rekognition':>12}{'ratio':>8}{'storage/mo':>11}"
    )
    for minutes, label in ((1, "1 min"), (60, "1 h"), (360, "6 h")):
        costs = [video_cost(minutes, entry, starter_requests, starter_cpu_ms, len(measured)) for entry in measured]
        for cost in costs:
            print(
                f"{label:>7} {cost.analysis:<12}{cost.lambda_cost:>10.5f}{cost.dynamodb_cost:>10.5f}"
                f"{cost.messaging_cost:>10.6f}{cost.s3_cost:>10.5f}{cost.observability_cost:>11.6f}"
                f"{cost.pipeline:>10.4f}{cost.rekognition:>12.2f}{cost.ratio:>8.2%}{cost.storage_month:>11.5f}"
            )
        pipeline = sum(cost.pipeline for cost in costs)
        rekognition = sum(cost.rekognition for cost in costs)
        print(f"{label:>7} {'all':<12}{'':>51}{pipeline:>10.4f}{rekognition:>12.2f}{pipeline / rekognition:>8.2%}")
    rate = break_even_rate(measured, starter_requests, starter_cpu_ms)
    print(f"1 h, all analyses: the pipeline reaches 1% of Rekognition's cost at {rate:.1f} detections/s per analysis")


DENSITIES = (10.0, 50.0, 100.0, 200.0)
# The starter's figures (benchmarks/starter_requests.py, docs/performance.md): requests and own CPU per upload.
STARTER_REQUESTS = 14.0
STARTER_CPU_MS = 2.5


def measured_from(row: dict[str, object]) -> Measured:
    """Cost inputs from one `collector_ingest --one` row: the whole handler's CPU, writes and bytes."""
    stored = float(row["stored_items"])  # type: ignore[arg-type]
    seconds = sum(float(row[name]) for name in ("handler_own_seconds", "reading_seconds", "sdk_seconds"))  # type: ignore[arg-type]
    return Measured(
        analysis=str(row["analysis"]),
        cpu_seconds_per_1k=seconds * 1000 / stored,
        write_units_per_detection=float(row["write_units"]) / stored,  # type: ignore[arg-type]
        batch_writes_per_1k=float(row["batch_write_requests"]) * 1000 / stored,  # type: ignore[arg-type]
        item_bytes=float(row["item_bytes"]),  # type: ignore[arg-type]
        archive_bytes=float(row["archive_bytes"]),  # type: ignore[arg-type]
    )


def print_by_density(before: list[Measured], after: list[Measured]) -> None:
    """A 1-hour video, every analysis, at each density: the pipeline's cost and its share of Rekognition's."""
    print(f"Cost of a 1-hour video by density and analysis (USD, us-east-1 on-demand prices of {PRICES_AS_OF})")
    print(
        f"{'det/s':>6} {'analysis':<12}{'WRU/det':>9}{'->':>3}{'':<6}{'pipeline':>10}{'->':>3}{'':<8}"
        f"{'ratio':>8}{'->':>3}{'':<7}{'Rekognition':>12}"
    )
    for rate in DENSITIES:
        totals = {"before": 0.0, "after": 0.0, "rekognition": 0.0}
        for old, new in zip(before, after, strict=True):
            was = video_cost(60, old, STARTER_REQUESTS, STARTER_CPU_MS, len(before), detections_per_second=rate)
            now = video_cost(60, new, STARTER_REQUESTS, STARTER_CPU_MS, len(after), detections_per_second=rate)
            totals["before"] += was.pipeline
            totals["after"] += now.pipeline
            totals["rekognition"] += now.rekognition
            print(
                f"{rate:>6.0f} {new.analysis:<12}{old.write_units_per_detection:>9.3f}{'->':>3} "
                f"{new.write_units_per_detection:<5.3f}{was.pipeline:>10.4f}{'->':>3} {now.pipeline:<7.4f}"
                f"{was.ratio:>8.2%}{'->':>3} {now.ratio:<6.2%}{now.rekognition:>12.2f}"
            )
        print(
            f"{rate:>6.0f} {'all':<12}{'':>18}{totals['before']:>10.4f}{'->':>3} {totals['after']:<7.4f}"
            f"{totals['before'] / totals['rekognition']:>8.2%}{'->':>3} {totals['after'] / totals['rekognition']:<6.2%}"
            f"{totals['rekognition']:>12.2f}"
        )
    for label, entries in (("before", before), ("after", after)):
        rate = break_even_rate(entries, STARTER_REQUESTS, STARTER_CPU_MS)
        print(f"{label}: 1 h, all analyses, the pipeline reaches 1% of Rekognition's cost at {rate:.1f} detections/s")


def print_densities(rows: list[Measured]) -> None:
    """A 1-hour video with every analysis of `rows`, at each density: one layout, per analysis and in total."""
    print(f"Cost of a 1-hour video by density and analysis (USD, us-east-1 on-demand prices of {PRICES_AS_OF})")
    print(
        f"{'det/s':>6} {'analysis':<13}{'WRU/det':>8}{'CPU ms/1k':>10}{'DynamoDB':>10}{'Lambda':>9}{'pipeline':>10}"
        f"{'Rekognition':>12}{'ratio':>8}"
    )
    for rate in DENSITIES:
        costs = [
            video_cost(60, row, STARTER_REQUESTS, STARTER_CPU_MS, len(rows), detections_per_second=rate) for row in rows
        ]
        for row, cost in zip(rows, costs, strict=True):
            print(
                f"{rate:>6.0f} {row.analysis:<13}{row.write_units_per_detection:>8.3f}"
                f"{row.cpu_seconds_per_1k * 1000:>10.0f}"
                f"{cost.dynamodb_cost:>10.4f}{cost.lambda_cost:>9.4f}{cost.pipeline:>10.4f}{cost.rekognition:>12.2f}"
                f"{cost.ratio:>8.2%}"
            )
        pipeline, rekognition = sum(c.pipeline for c in costs), sum(c.rekognition for c in costs)
        print(f"{rate:>6.0f} {'all':<13}{'':>47}{pipeline:>10.4f}{rekognition:>12.2f}{pipeline / rekognition:>8.2%}")
    rate = break_even_rate(rows, STARTER_REQUESTS, STARTER_CPU_MS)
    print(f"1 h, these analyses together: the pipeline reaches 1% of Rekognition's cost at {rate:.1f} detections/s")


def with_stand_ins(rows: list[Measured], stand_ins: list[str]) -> list[Measured]:
    """`rows`, plus a row named NAME copied from the MEASURED row for each `NAME=MEASURED`."""
    by_name = {row.analysis: row for row in rows}
    added = []
    for spec in stand_ins:
        name, _, measured = spec.partition("=")
        if not name or measured not in by_name:
            raise SystemExit(f"--stand-in {spec!r}: write NAME=MEASURED, MEASURED one of {sorted(by_name)}")
        if name in by_name:
            raise SystemExit(f"--stand-in {spec!r}: {name} was measured; its own row is used")
        added.append(replace(by_name[measured], analysis=name))
    return [*rows, *added]


def _rows(path: Path) -> list[Measured]:
    lines = [line for line in path.read_text().splitlines() if line.strip().startswith("{")]
    return [measured_from(json.loads(line)) for line in lines]


def main() -> None:
    parser = argparse.ArgumentParser(description="Cost by density and analysis: before and after, or one set of rows")
    parser.add_argument("--before", type=Path)
    parser.add_argument("--after", type=Path)
    parser.add_argument("--rows", type=Path, help="one set of `collector_ingest` rows (JSON lines), one per analysis")
    parser.add_argument("--stand-in", action="append", default=[], metavar="NAME=MEASURED", help="with --rows")
    options = parser.parse_args()
    if options.rows is not None and options.before is None and options.after is None:
        print_densities(with_stand_ins(_rows(options.rows), options.stand_in))
    elif options.rows is None and options.before is not None and options.after is not None and not options.stand_in:
        print_by_density(_rows(options.before), _rows(options.after))
    else:
        parser.error("give --before and --after, or --rows (with any --stand-in)")


if __name__ == "__main__":
    main()
