"""`make rebuild` migrates a deployment from the one-item-per-detection layout, and erasure covers the
packed items however large a job's results are."""

from __future__ import annotations

import dataclasses
import json

import boto3
import pytest
from moto import mock_aws
from video_pipeline.analyses import CELEBRITIES, FACES, PERSONS, SEGMENTS
from video_pipeline.cli import rebuild
from video_pipeline.dal.archive import ResultsArchive
from video_pipeline.dal.detections_store import DetectionsStore
from video_pipeline.dal.repository import PipelineRepository
from video_pipeline.logic.detections import DetectionPacker, JobContext, ResultTally
from video_pipeline.logic.rebuilding import rebuild_video
from video_pipeline.models import JobRecord, JobStatus

from emulator.draw import Draw
from emulator.features import face_detail, tracked_box
from in_process.environment import provision
from tests.read_answers import GOLDEN, VIDEOS, ArchivedPages, answers, job_id, job_items, legacy_items


@pytest.fixture
def deployment():
    with mock_aws():
        resources = provision(prefix="migrate")
        yield resources


def test_make_rebuild_moves_every_job_to_the_packed_layout_with_the_same_answers(deployment, capsys):
    dynamodb = boto3.resource("dynamodb")
    jobs, detections = dynamodb.Table(deployment.jobs_table), dynamodb.Table(deployment.detections_table)
    archive = ResultsArchive(boto3.client("s3"), deployment.archive_bucket)
    pages = ArchivedPages()
    for video_id in VIDEOS:
        for item in job_items(video_id):
            jobs.put_item(Item=item)
        for analysis in (FACES, CELEBRITIES, PERSONS):
            job = job_id(video_id, analysis.name)
            stream = []
            for number, page in enumerate(pages.pages(video_id, analysis.name, job, analysis.result_key)):
                archive.put_page(video_id, analysis.name, job, number, page)
                stream += page[analysis.result_key]
            with detections.batch_writer() as batch:
                for item in legacy_items(analysis, video_id, stream):
                    batch.put_item(Item=item)
    legacy = sum(job["detection_count"] for video_id in VIDEOS for job in job_items(video_id)[1:])

    status = rebuild.main(
        [
            *VIDEOS,
            "--jobs-table",
            deployment.jobs_table,
            "--detections-table",
            deployment.detections_table,
            "--archive-bucket",
            deployment.archive_bucket,
        ]
    )

    assert status == 0
    printed = capsys.readouterr().out
    for video_id in VIDEOS:
        for job in job_items(video_id)[1:]:
            assert f"{video_id} {job['analysis']}: {job['detection_count']} detections from" in printed
    left = detections.scan(ProjectionExpression="sk")["Items"]
    assert all(item["sk"][:2] in ("W#", "A#") for item in left)
    assert len(left) < legacy / 10
    expected = json.loads(GOLDEN.read_text())
    repository = PipelineRepository(jobs, detections)
    found = answers(repository, quick=True)
    assert found == {key: expected[key] for key in found}


def test_erasing_a_job_removes_more_than_a_megabyte_of_packed_detections(deployment):
    job = "job-big"
    context = JobContext(job, "v" * 32, FACES, "2026-01-01T00:00:00.000Z")
    packer, tally = DetectionPacker(context), ResultTally()
    faces = [
        {
            "Timestamp": 40 * n,
            "Face": face_detail(Draw(7, n), tracked_box(7, n % 3, n, (1.1, 1.5)), all_attributes=True),
        }
        for n in range(9_000)
    ]
    items = [*packer.pack(faces, tally), *packer.finish()]
    assert sum(len(item["z"]["B"]) for item in items) > 1_000_000
    store = DetectionsStore(boto3.client("dynamodb"), deployment.detections_table)
    store.write(items)
    store.write([{"pk": {"S": "other-job"}, "sk": {"S": "W#000000000000#00000000"}, "n": {"N": "1"}}])
    table = boto3.resource("dynamodb").Table(deployment.detections_table)

    assert store.delete_job(job, lambda: 900.0, 20.0) is True

    assert [item["pk"] for item in table.scan(ProjectionExpression="pk")["Items"]] == ["other-job"]


class _OneJob:
    def __init__(self, record: JobRecord, pages: list[dict]) -> None:
        self.record, self._pages = record, pages

    def jobs_of_video(self, video_id: str) -> list[JobRecord]:
        return [self.record]

    def pages(self, video_id: str, analysis: str, job_id: str, result_key: str):
        return iter(self._pages)


JOB, VIDEO, UPLOADED_AT = "job-segments", "s" * 32, "2026-01-01T00:00:00.000Z"
SEGMENT_STREAM = [
    {
        "Type": "SHOT",
        "StartTimestampMillis": 2_000 * index,
        "EndTimestampMillis": 2_000 * (index + 1),
        "DurationMillis": 2_000,
        "ShotSegment": {"Index": index, "Confidence": 99.5},
    }
    for index in range(30)
]


def stored_with_one_appearance_per_shot(deployment) -> tuple[DetectionsStore, list[str]]:
    """The segments job as stored before segments stopped indexing shots; its sort keys."""
    assert SEGMENTS.entity is not None
    earlier = dataclasses.replace(SEGMENTS, entity=dataclasses.replace(SEGMENTS.entity, indexed=True))
    packer = DetectionPacker(JobContext(JOB, VIDEO, earlier, UPLOADED_AT))
    store = DetectionsStore(boto3.client("dynamodb"), deployment.detections_table)
    store.write([*packer.pack(SEGMENT_STREAM, ResultTally()), *packer.finish()])
    keys = stored_keys(deployment)
    assert sum(key.startswith("A#") for key in keys) == 30
    return store, keys


def stored_keys(deployment) -> list[str]:
    table = boto3.resource("dynamodb").Table(deployment.detections_table)
    return sorted(item["sk"] for item in table.scan(ProjectionExpression="sk")["Items"])


def segments_job(detection_count: int) -> JobRecord:
    return JobRecord(
        video_id=VIDEO,
        analysis=SEGMENTS.name,
        status=JobStatus.SUCCEEDED,
        token="token",
        tag="tag",
        bucket="bucket",
        key="key",
        uploaded_at=UPLOADED_AT,
        job_id=JOB,
        detection_count=detection_count,
    )


def test_make_rebuild_removes_the_appearance_items_segments_no_longer_write(deployment):
    """Until segments stopped writing one appearance per shot, each shot was stored twice; a rebuild
    leaves the job holding only what the collector writes today, and its detections read the same."""
    store, before = stored_with_one_appearance_per_shot(deployment)
    source = _OneJob(segments_job(30), [{"Segments": SEGMENT_STREAM[:17]}, {"Segments": SEGMENT_STREAM[17:]}])

    report = rebuild_video(VIDEO, jobs=source, archive=source, detections=store)

    assert report.detections == {SEGMENTS.name: 30} and report.incomplete == {}
    assert stored_keys(deployment) == [key for key in before if key.startswith("W#")]


def test_a_rebuild_from_an_archive_missing_a_page_deletes_nothing_and_says_so(deployment):
    store, before = stored_with_one_appearance_per_shot(deployment)
    source = _OneJob(segments_job(30), [{"Segments": SEGMENT_STREAM[:17]}])  # the second page is gone

    report = rebuild_video(VIDEO, jobs=source, archive=source, detections=store)

    assert report.detections == {SEGMENTS.name: 17}
    assert "gave 17 detections where the job stored 30" in report.incomplete[SEGMENTS.name]
    assert set(before) <= set(stored_keys(deployment))  # what only the table still holds is kept
