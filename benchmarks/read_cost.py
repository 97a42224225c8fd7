"""What reading costs, packed layout against the one-item-per-detection layout it replaced.

    .venv/bin/python -m benchmarks.read_cost [--minutes 5]

Two videos with faces (every attribute, thirty landmarks), celebrities and persons at 100 detections
per second each, numbers spelled as the service spells them, stored on moto twice: as the collector
writes them today (packed windows and appearances) and as versions before the packed layout did (one
item per detection, every celebrity and person detection copied into `by-entity`), the latter read
with the requests that version made (92c1d5e: one Query per page, `Limit` = the page size). Access
patterns 3-5 of docs/data-model.md are read through each, page by page (1,000 detections a page):
the first page, and the whole list. Printed per pattern and layout: DynamoDB requests, the read units
DynamoDB bills for them (eventually consistent: half a unit per 4 KB a response reads, rounded up per
request) and the bytes read.

Then the write side of answering an identity's detections from the index in one Query, as the
per-detection layout did: each window item split per identity into items the `by-entity` index holds
(so written twice, the table's item and the index's copy), which persons do (`EntityRule.carried`)
and celebrities do not. Printed: write units per detection with windows whole and split, for both.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import math
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.conditions import Key
from moto import mock_aws
from video_pipeline.analyses import CELEBRITIES, FACES, PERSONS
from video_pipeline.dal.detections_store import DetectionsStore
from video_pipeline.dal.repository import PipelineRepository
from video_pipeline.logic.detections import DetectionPacker, JobContext, ResultTally
from video_pipeline.schema import (
    ENTITY_INDEX,
    job_entity,
    legacy_detection_sk,
)

from benchmarks.aws_calls import item_size, wire_item
from benchmarks.packing import service_spelling, stream
from in_process.environment import provision
from tests.read_answers import VIDEOS, job_id, job_items, legacy_items

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

ANALYSES = (FACES, CELEBRITIES, PERSONS)
PAGE = 1_000
PERSON_INDEX = 1
WINDOW = (60_000, 119_999)  # pattern 3's time window: the second minute
PATTERNS = ("3 faces, 60 s", "4 a celebrity", "5 a person's track")
READ_UNIT_BYTES = 4_096
WRITE_UNIT_BYTES = 1_024


@dataclass
class Reads:
    """What a sequence of reads cost: requests by operation and target, billed read units, bytes."""

    requests: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    bytes_read: int = 0

    def row(self) -> str:
        requests = ", ".join(f"{count} {name}" for name, count in sorted(self.requests.items()))
        return f"{sum(self.requests.values()):>8}{self.read_units:>10.1f}{self.bytes_read / 1024:>10.0f}  {requests}"


@contextmanager
def metered(tables: dict[str, Table]) -> Iterator[Reads]:
    """Every DynamoDB response inside the block, sized as DynamoDB bills it."""
    reads = Reads()
    names = {table.name: role for role, table in tables.items()}
    client = next(iter(tables.values())).meta.client

    def count(params: dict[str, Any], model: Any, **_: Any) -> None:
        target = params.get("IndexName") or names.get(params.get("TableName", ""), "?")
        reads.requests[f"{model.name} {target}"] += 1

    def size(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        items = parsed.get("Items") or ([parsed["Item"]] if parsed.get("Item") else [])
        read = sum(item_size(wire_item(item)) for item in items)
        reads.bytes_read += read
        reads.read_units += max(1, math.ceil(read / READ_UNIT_BYTES)) * 0.5

    events = client.meta.events
    events.register("provide-client-params.dynamodb", count, unique_id="read-cost-count")
    # First, so the items are still typed attribute values, before boto3's resource layer turns them
    # into Python values.
    events.register_first("after-call.dynamodb", size, unique_id="read-cost-size")
    try:
        yield reads
    finally:
        events.unregister("provide-client-params.dynamodb", unique_id="read-cost-count")
        events.unregister("after-call.dynamodb", unique_id="read-cost-size")


def dense_streams(minutes: int) -> dict[str, list[dict[str, Any]]]:
    """Each analysis' result stream of one video: 100 detections per second, the service's spelling."""
    count = minutes * 60 * 100
    return {analysis.name: [service_spelling(e) for e in stream(analysis, count)] for analysis in ANALYSES}


def store(streams: dict[str, list[dict[str, Any]]], *, packed: bool, prefix: str) -> PipelineRepository:
    """Both videos' jobs and detections in one layout; a repository over the tables."""
    resources = provision(prefix=prefix)
    dynamodb = boto3.resource("dynamodb", region_name=resources.region)
    jobs, detections = dynamodb.Table(resources.jobs_table), dynamodb.Table(resources.detections_table)
    writer = DetectionsStore(boto3.client("dynamodb", region_name=resources.region), resources.detections_table)
    for video_id, (uploaded_at, _seed) in VIDEOS.items():
        for item in job_items(video_id):
            jobs.put_item(Item=item)
        for analysis in ANALYSES:
            elements = streams[analysis.name]
            if packed:
                context = JobContext(job_id(video_id, analysis.name), video_id, analysis, uploaded_at)
                packer = DetectionPacker(context)
                writer.write([*packer.pack(elements, ResultTally()), *packer.finish()])
            else:
                with detections.batch_writer() as legacy:
                    for item in legacy_items(analysis, video_id, elements):
                        legacy.put_item(Item=item)
    return PipelineRepository(jobs, detections)


def _legacy_pages(table: Table, query_of: Callable[[], dict[str, Any]]) -> Iterator[int]:
    """The per-detection layout's reads, as its repository made them: per page (one call), what
    `query_of` looks up (the job, for patterns 3 and 5), then one Query with `Limit` = the page size."""
    start: dict[str, Any] | None = None
    while True:
        paged = {**query_of(), "Limit": PAGE} | ({"ExclusiveStartKey": start} if start else {})
        response = table.query(**paged)
        yield len(response.get("Items", []))
        start = response.get("LastEvaluatedKey")
        if not start:
            return


def _legacy_job(repository: PipelineRepository, video_id: str, analysis: str) -> str:
    summary = repository.job(video_id, analysis)
    assert summary is not None and summary.job_id
    return summary.job_id


def legacy_patterns(repository: PipelineRepository, celebrity: str) -> dict[str, Callable[[], Iterator[int]]]:
    """Patterns 3-5 as the per-detection layout read them: each yields its pages' sizes."""
    table = repository._detections
    video = next(iter(VIDEOS))
    celebrities, persons = CELEBRITIES.entity, PERSONS.entity
    assert celebrities is not None and persons is not None

    def window() -> dict[str, Any]:
        job = _legacy_job(repository, video, FACES.name)
        low, high = legacy_detection_sk(WINDOW[0], 0), legacy_detection_sk(WINDOW[1], 99_999_999)
        return {"KeyConditionExpression": Key("pk").eq(job) & Key("sk").between(low, high)}

    def appearances() -> dict[str, Any]:
        condition = Key(ENTITY_INDEX.partition_key).eq(f"{celebrities.prefix}#{celebrity}")
        return {"IndexName": ENTITY_INDEX.name, "KeyConditionExpression": condition, "ScanIndexForward": False}

    def track() -> dict[str, Any]:
        job = _legacy_job(repository, video, PERSONS.name)
        condition = Key(ENTITY_INDEX.partition_key).eq(job_entity(persons.prefix, job, str(PERSON_INDEX)))
        return {"IndexName": ENTITY_INDEX.name, "KeyConditionExpression": condition}

    return {
        name: functools.partial(_legacy_pages, table, query_of)
        for name, query_of in zip(PATTERNS, (window, appearances, track), strict=True)
    }


def packed_patterns(repository: PipelineRepository, celebrity: str) -> dict[str, Callable[[], Iterator[int]]]:
    """Patterns 3-5 through today's repository: each yields its pages' sizes."""
    video = next(iter(VIDEOS))

    def walk(read: Callable[[str | None], Any]) -> Iterator[int]:
        cursor: str | None = None
        while True:
            page = read(cursor)
            yield len(page.items)
            cursor = page.cursor
            if cursor is None:
                return

    def window() -> Iterator[int]:
        yield from walk(
            lambda cursor: repository.detections(
                video, FACES.name, start_ms=WINDOW[0], end_ms=WINDOW[1], limit=PAGE, cursor=cursor
            )
        )

    def appearances() -> Iterator[int]:
        yield from walk(lambda cursor: repository.celebrity_appearances(celebrity, limit=PAGE, cursor=cursor))

    def track() -> Iterator[int]:
        yield from walk(lambda cursor: repository.person_track(video, PERSON_INDEX, limit=PAGE, cursor=cursor))

    return dict(zip(PATTERNS, (window, appearances, track), strict=True))


def read_figures(minutes: int) -> None:
    streams = dense_streams(minutes)
    celebrity = str(streams[CELEBRITIES.name][0]["Celebrity"]["Id"])
    print(f"Reads, {minutes} min per video, 2 videos, 100 detections/s per analysis (pages of {PAGE:,})")
    print(
        f"{'pattern':<20}{'layout':<15}{'list':<7}{'detections':>11}{'requests':>9}{'read units':>11}{'KB read':>10}"
        "  requests"
    )
    with mock_aws():
        layouts = {
            "per-detection": (store(streams, packed=False, prefix="legacy"), legacy_patterns),
            "packed": (store(streams, packed=True, prefix="packed"), packed_patterns),
        }
        results: dict[tuple[str, str], tuple[Reads, Reads, int, int]] = {}
        for layout, (repository, patterns) in layouts.items():
            tables = {"jobs": repository._jobs, "table": repository._detections}
            for name, pattern in patterns(repository, celebrity).items():
                with metered(tables) as first:
                    first_page = next(pattern())
                with metered(tables) as whole:
                    total = sum(pattern())
                results[(name, layout)] = (first, whole, first_page, total)
        for name in PATTERNS:
            for layout in layouts:
                first, whole, first_page, total = results[(name, layout)]
                print(f"{name:<20}{layout:<15}{'first':<7}{first_page:>11,}{first.row()}")
                print(f"{'':<20}{'':<15}{'whole':<7}{total:>11,}{whole.row()}")


def write_figures(minutes: int) -> None:
    """Write units per detection with each analysis' windows whole, and split per identity into items
    the index holds (`EntityRule.carried`, what persons do: pattern 5 in one index Query)."""
    streams = dense_streams(minutes)
    print()
    print(f"Writes, {minutes} min of one video at 100 detections/s (write units per detection)")
    print(f"{'analysis':<13}{'windows whole':>15}{'split per identity':>20}  stored")
    for analysis in (CELEBRITIES, PERSONS):
        rule = analysis.entity
        assert rule is not None
        units = {}
        for carried in (False, True):
            variant = dataclasses.replace(analysis, entity=dataclasses.replace(rule, carried=carried))
            context = JobContext(
                "job-id-of-a-realistic-length-0123456789", "v" * 32, variant, "2026-01-01T00:00:00.000Z"
            )
            packer = DetectionPacker(context)
            items = [*packer.pack(streams[analysis.name], ResultTally()), *packer.finish()]
            # An item with `entity` is written twice: the table's and the by-entity index's copy.
            units[carried] = sum(_write_units(item) * (2 if "entity" in item else 1) for item in items)
        count = len(streams[analysis.name])
        stored = "split" if rule.carried else "whole"
        print(f"{analysis.name:<13}{units[False] / count:>15.3f}{units[True] / count:>20.3f}  {stored}")


def _write_units(item: dict[str, Any]) -> int:
    return math.ceil(item_size(wire_item(item)) / WRITE_UNIT_BYTES)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=5, help="of results per video and analysis (default 5)")
    minutes = parser.parse_args().minutes
    read_figures(minutes)
    write_figures(minutes)


if __name__ == "__main__":
    main()
