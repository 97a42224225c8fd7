"""The figures of a finished run, read once from the tables, the archive bucket and the fake.

The detections are counted straight from moto's in-memory table, as an observer outside the
pipeline (a job's detections: the counts `n` of its packed window items): a Query per job is
quadratic against moto (its Query scans the whole table), and even one Scan through the API spent
minutes of a 1,000-upload run serializing items nobody reads.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import boto3
from moto.dynamodb.models import dynamodb_backends
from video_pipeline.analyses import DEFAULT_ANALYSES
from video_pipeline.dal.repository import VideoSummary
from video_pipeline.schema import WINDOW_SK_PREFIX

from emulator import RekognitionVideoFake
from in_process.environment import ACCOUNT_ID
from in_process.harness import PipelineHarness
from simulation.scenario import Figures, Scenario, injected


@dataclass(slots=True)
class Expectations:
    """What the run did to the uploads, for the measurement to know what should remain."""

    keys: list[str] = field(default_factory=list)
    delete_running: set[str] = field(default_factory=set)
    delete_collecting: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    forged: set[str] = field(default_factory=set)
    forged_sent: set[str] = field(default_factory=set)
    forged_sent_kinds: list[int] = field(default_factory=list)
    forged_failures: int = 0
    forged_failures_sent: int = 0
    reuploaded: dict[str, str] = field(default_factory=dict)  # key -> the deleted first version


def measure(
    scenario: Scenario, harness: PipelineHarness, fake: RekognitionVideoFake, expect: Expectations, started: float
) -> Figures:
    figures = Figures(scenario.name, scenario.uploads, injected(scenario))
    resources = harness.resources
    jobs = [job for job in fake.jobs.values() if job.bucket == resources.bucket]
    stored, items = _stored_per_job(resources.region, resources.detections_table)
    archived = _archived_keys(resources.region, resources.archive_bucket)
    videos: dict[str, list[VideoSummary]] = {}
    for video in harness.all_videos():
        videos.setdefault(video.key, []).append(video)
    s3 = boto3.client("s3", region_name=resources.region)

    expected = [key for key in expect.keys if key not in expect.deleted] + list(expect.reuploaded)
    at_risk = expect.forged | set(expect.reuploaded)
    for key in expected:
        current = s3.head_object(Bucket=resources.bucket, Key=key)["VersionId"]
        candidates = [video for video in videos.get(key, []) if video.version_id in (current, None)]
        missing = _missing(candidates[0] if candidates else None, fake, stored)
        figures.lost += missing
        figures.succeeded += len(DEFAULT_ANALYSES) - missing
        if key in at_risk:
            figures.damaged += missing
        for video in candidates[:1]:
            for job in video.jobs.values():
                if job.job_id is not None:
                    figures.duplicated_detections += max(0, stored.get(job.job_id, 0) - job.detection_count)

    gone = {
        job.job_id
        for job in jobs
        if job.key in expect.deleted or (job.key in expect.reuploaded and job.version == expect.reuploaded[job.key])
    }
    figures.orphans = sum(items.get(job_id, 0) for job_id in gone) + sum(
        1 for key in archived if any(f"/{job_id}/" in key for job_id in gone)
    )
    per_object = Counter((job.key, job.version, job.api) for job in jobs)
    figures.jobs = len(jobs)
    figures.duplicated_jobs = sum(count - 1 for count in per_object.values())
    figures.limit_exceeded = sum(1 for _op, code in fake.errors if code == "LimitExceededException")
    figures.dead_letters = harness.dead_letters()
    figures.drain_seconds = max((job.completed_at or started for job in jobs), default=started) - started
    figures.ideal_seconds = len(expected) * len(DEFAULT_ANALYSES) * scenario.job_seconds / scenario.quota
    starts = sum(1 for call in fake.calls if call.operation.startswith("Start"))
    figures.notes.append(f"{starts} Start* calls")
    if expect.forged_failures_sent:
        figures.notes.append(f"{expect.forged_failures_sent} forged FAILED notices sent")
    return figures


def _missing(video: VideoSummary | None, fake: RekognitionVideoFake, stored: dict[str, int]) -> int:
    """Analyses of the video without all their results: not SUCCEEDED, or detections missing."""
    if video is None:
        return len(DEFAULT_ANALYSES)
    missing = 0
    for name in DEFAULT_ANALYSES:
        job = video.jobs.get(name)
        if (
            job is None
            or job.status.value != "SUCCEEDED"
            or job.job_id is None
            or stored.get(job.job_id, 0) < job.detection_count
            or (name != "persons" and job.detection_count != len(fake.results(job.job_id)))
        ):
            missing += 1
    return missing


def _stored_per_job(region: str, table: str) -> tuple[dict[str, int], dict[str, int]]:
    """Per job (the table's partition key): the detections its packed window items hold (`n` each),
    and all its items."""
    partitions = dynamodb_backends[ACCOUNT_ID][region].get_table(table).items
    detections: dict[str, int] = {}
    items: dict[str, int] = {}
    for partition, rows in partitions.items():
        if not rows:
            continue
        job = str(partition.value)
        items[job] = len(rows)
        windows = (row for sort, row in rows.items() if str(sort.value).startswith(WINDOW_SK_PREFIX))
        detections[job] = sum(int(row.attrs["n"].value) for row in windows)
    return detections, items


def _archived_keys(region: str, bucket: str) -> list[str]:
    paginator = boto3.client("s3", region_name=region).get_paginator("list_objects_v2")
    return [str(item["Key"]) for page in paginator.paginate(Bucket=bucket) for item in page.get("Contents", [])]
