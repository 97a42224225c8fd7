"""`python -m benchmarks.performance --quick` keeps working: every section printed, in its shape.

The figures themselves are documented, never asserted: timing depends on the machine. What is
asserted is what follows from the code: request counts against their floors and the rows present.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from video_pipeline.analyses import REGISTRY

from tests.e2e.conftest import ROOT

NUMBER = r"[\d,]+(?:\.\d+)?"


@pytest.fixture(scope="module")
def quick_run() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.performance", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_quick_run_succeeds(quick_run):
    assert quick_run.returncode == 0, quick_run.stderr
    assert "Traceback" not in quick_run.stderr


def _table(out: str, title: str) -> list[str]:
    """The rows of one analysis per line under the heading that starts with `title`."""
    lines = out.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(title))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        if re.match(rf"^({'|'.join(REGISTRY)})\s+1,000\s", line):
            rows.append(line)
    return rows


def test_collector_rows_cover_every_analysis_with_writes_near_the_batch_floor(quick_run):
    rows = _table(quick_run.stdout, "Collector ingest")
    assert [row.split()[0] for row in rows] == list(REGISTRY), quick_run.stdout
    for line in rows:
        columns = line.split()
        assert len(columns) == 21, line
        batch_writes, floor = float(columns[14]), float(columns[15])
        # 25 items per BatchWriteItem: packed items are written as each Get* page of 1,000 results
        # closes them, so at most one partial batch per page (<= 1 per 1,000 detections) and one for
        # the items the stream's end closes, above the floor.
        assert floor <= batch_writes <= floor + 2.0, line
        assert float(columns[20]) > 0  # a traced peak was measured


def test_the_whole_collector_is_compared_with_what_a_user_would_write(quick_run):
    rows = _table(quick_run.stdout, "Collector, whole handler")
    assert [row.split()[0] for row in rows] == list(REGISTRY), quick_run.stdout
    for line in rows:
        columns = line.split()
        assert len(columns) == 12, line
        requests, requests_put_item = float(columns[8].replace(",", "")), float(columns[10].replace(",", ""))
        # One request per detection for put_item; the pipeline batches, so far fewer.
        assert requests_put_item == 1000 and requests < requests_put_item / 10, line


def test_starter_requests_are_counted_against_their_floor(quick_run):
    out = quick_run.stdout
    for operation in ("StartFaceDetection", "StartCelebrityRecognition", "StartLabelDetection"):
        assert re.search(rf"rekognition\.{operation}\s+1\.0 per upload", out), out
    assert re.search(rf"all AWS requests\s+{NUMBER} per upload \(floor 7\)", out), out
    assert re.search(rf"handler time less AWS calls: -?{NUMBER} ms per upload", out), out


def test_cold_start_and_package_sizes_are_reported_for_every_handler(quick_run):
    for handler in ("starter", "collector", "read_api"):
        assert re.search(rf"^\s+{handler}\s+{NUMBER} ms", quick_run.stdout, re.MULTILINE), quick_run.stdout
    assert re.search(rf"code asset \(lambdas/\)\s+{NUMBER} KiB", quick_run.stdout)


def test_cold_invocations_are_reported_traced_for_every_handler(quick_run):
    for handler in ("starter", "collector", "read_api"):
        row = re.search(
            rf"^\s+{handler}\s+({NUMBER}) ms\s+({NUMBER}) ms\s+({NUMBER}) ms\s+({NUMBER}) ms"
            rf"\s+(\d+)\s+handler (\d+), AWS (\d+)",
            quick_run.stdout,
            re.MULTILINE,
        )
        assert row, quick_run.stdout
        requests, handler_segments, aws_segments = (int(row.group(index)) for index in (5, 6, 7))
        # The CPU time of the cold process: start-up, import and invocation took some.
        assert float(row.group(4).replace(",", "")) > 0
        # The Tracer is on as deployed: the handler's subsegment, and one per AWS request.
        assert requests >= 1
        assert handler_segments == 1
        assert aws_segments == requests


def test_local_latency_and_costs_are_printed(quick_run):
    out = quick_run.stdout
    assert re.search(rf"pipeline's own overhead\s+-?{NUMBER} s", out), out
    for video in ("1 min", "1 h", "6 h"):
        assert re.search(rf"^\s*{video} all\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}%", out, re.MULTILINE), out
