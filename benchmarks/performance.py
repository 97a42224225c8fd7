"""Every performance figure of docs/performance.md, in one run.

    .venv/bin/python -m benchmarks.performance [--quick]

Collector ingest (benchmarks/collector_ingest.py), starter requests (starter_requests.py), cold
start (cold_start.py), the local run's end-to-end overhead (local_latency.py) and the cost model
(cost_model.py) computed from what the others measured. --quick runs every part at small sizes and
once, so CI keeps the script working; its figures are not the documented ones.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from benchmarks.collector_ingest import (
    ANALYSES,
    QUICK_SIZES,
    SIZES,
    IngestFigures,
    _quiet_environment,
    ingest_figures,
)
from benchmarks.cost_model import Measured, print_costs
from benchmarks.local_latency import run_in_fresh_process
from benchmarks.starter_requests import measure_starter, print_starter


def measured_for_costs(figures: list[IngestFigures]) -> list[Measured]:
    """Per analysis, the figures of its largest result stream."""
    largest = {row.analysis: row for row in sorted(figures, key=lambda row: row.detections)}
    return [
        Measured(
            analysis=row.analysis,
            # The page reading runs inside the Get* call, so the handler's own time leaves it out.
            cpu_seconds_per_1k=(row.handler_own_seconds + row.reading_seconds + row.sdk_seconds)
            * 1000
            / row.stored_items,
            write_units_per_detection=row.write_units / row.stored_items,
            batch_writes_per_1k=row.batch_write_requests * 1000 / row.stored_items,
            item_bytes=row.item_bytes,
            archive_bytes=row.archive_bytes,
        )
        for row in largest.values()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Every performance figure of docs/performance.md.")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each: keeps the script working")
    parser.add_argument("--sizes", type=int, nargs="+", help="collector result sizes (default 1k 10k 100k 500k)")
    parser.add_argument("--analyses", nargs="+", choices=ANALYSES, default=list(ANALYSES))
    arguments = parser.parse_args()
    quick = arguments.quick
    _quiet_environment()
    sizes = tuple(arguments.sizes or (QUICK_SIZES[:1] if quick else SIZES))
    ingest = ingest_figures(sizes, tuple(arguments.analyses))
    print()
    starter = print_starter([measure_starter(3 if quick else 20) for _ in range(1 if quick else 3)])
    print()
    sys.stdout.flush()
    # Its own interpreter: its moto server must not meet the moto state of the parts above.
    subprocess.run([sys.executable, "-m", "benchmarks.cold_start", *(["--quick"] if quick else [])], check=True)
    print()
    run_in_fresh_process(1 if quick else 3)
    print()
    print_costs(measured_for_costs(ingest), starter.requests_per_upload, starter.own_ms_per_upload)


if __name__ == "__main__":
    main()
