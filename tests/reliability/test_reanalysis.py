"""Re-analysis: the new job replaces the old one as one switch, through duplicates and killed collectors."""

from __future__ import annotations

from dataclasses import replace

import boto3
import pytest
from video_pipeline.dal.archive import ResultsArchive
from video_pipeline.dal.detections_store import DetectionsStore
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.dal.queues import MessageQueue
from video_pipeline.logic.reanalysis import ReanalysisError, request_reanalysis
from video_pipeline.logic.s3_events import object_created_body
from video_pipeline.models import JobStatus
from video_pipeline.schema import archive_job_prefix, job_sk, video_pk

from in_process.lambda_runtime import QueuePoller
from tests.integration.events import failed_ids, invoke
from tests.reliability.test_recovery import started

DETECTIONS = 1200  # two Get* pages per job


def analysed(harness):
    video = started(harness, detections=DETECTIONS)
    harness.complete_jobs()
    harness.run_collector()
    return harness.repository.video(video.video_id)


def jobs_store(harness):
    return JobsStore(boto3.resource("dynamodb").Table(harness.resources.jobs_table))


def reanalyse(harness, video_id, analyses=("faces",), run="run-1", copies=1):
    uploads = MessageQueue(boto3.client("sqs"), harness.resources.starter_queue_url)
    for _ in range(copies):
        request_reanalysis([video_id], analyses, run, videos=jobs_store(harness), uploads=uploads)


def face_starts(harness):
    return [params for operation, params in harness.fake.calls if operation == "StartFaceDetection"]


def shown(harness, video_id, analysis="faces"):
    """What a reader sees of one analysis: the job, and the job ids of every detection it is given."""
    job = harness.repository.video(video_id).jobs[analysis]
    job_ids, cursor = [], None
    while True:
        page = harness.repository.detections(video_id, analysis, cursor=cursor)
        job_ids.extend(detection.job_id for detection in page.items)
        if not (cursor := page.cursor):
            return job, job_ids


def archived(harness, video_id, job_id, analysis="faces"):
    listing = boto3.client("s3").list_objects_v2(
        Bucket=harness.resources.archive_bucket, Prefix=archive_job_prefix(video_id, analysis, job_id)
    )
    return listing.get("KeyCount", 0)


def remembers_previous(harness, video_id, analysis="faces"):
    table = boto3.resource("dynamodb").Table(harness.resources.jobs_table)
    return "previous" in table.get_item(Key={"pk": video_pk(video_id), "sk": job_sk(analysis)})["Item"]


def collector_once(harness):
    """One collector invocation; a message it fails is delivered again by the next `run_collector`."""
    poller = QueuePoller(harness.resources.results_queue_url, harness.collector.handler, region="us-east-1")
    poller.poll_once()
    return poller.stats


def fail_once(monkeypatch, cls, method, *, at_call):
    """The `at_call`-th call of `cls.method` raises, as a function killed there would stop."""
    original = getattr(cls, method)
    calls = {"n": 0}

    def dying(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == at_call:
            raise RuntimeError("killed")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, dying)


def assert_replaced(harness, video, old_job_id):
    job, job_ids = shown(harness, video.video_id)
    assert job.status is JobStatus.SUCCEEDED and job.job_id != old_job_id
    assert job.detection_count == video.jobs["faces"].detection_count
    assert job_ids and set(job_ids) == {job.job_id}
    assert harness.stored_detections(old_job_id) == 0 and archived(harness, video.video_id, old_job_id) == 0
    assert archived(harness, video.video_id, job.job_id) == 2
    assert not remembers_previous(harness, video.video_id)
    # The analyses not named keep their jobs.
    after = harness.repository.video(video.video_id).jobs
    for name in ("celebrities", "persons"):
        assert after[name].job_id == video.jobs[name].job_id


def test_duplicate_requests_start_one_job_and_readers_switch_from_the_old_results_to_the_new(harness):
    video = analysed(harness)
    old = video.jobs["faces"].job_id
    starts = len(face_starts(harness))
    reanalyse(harness, video.video_id, copies=2)
    harness.run_starter()
    reanalyse(harness, video.video_id)  # delivered again later: still the same run
    harness.run_starter()
    assert len(face_starts(harness)) == starts + 1
    job, job_ids = shown(harness, video.video_id)
    # While the new job runs, readers see the old one, whole.
    assert job.job_id == old and job.status is JobStatus.SUCCEEDED and set(job_ids) == {old}
    assert len(job_ids) == video.jobs["faces"].detection_count
    harness.complete_jobs()
    harness.run_collector()
    assert_replaced(harness, video, old)


def test_a_collector_killed_mid_way_leaves_readers_on_the_old_results_and_the_next_delivery_switches(
    harness, monkeypatch
):
    video = analysed(harness)
    old = video.jobs["faces"].job_id
    reanalyse(harness, video.video_id)
    harness.run_starter()
    harness.complete_jobs()
    fail_once(monkeypatch, DetectionsStore, "write", at_call=2)  # the first page of the new job written
    assert collector_once(harness).failed == 1
    job, job_ids = shown(harness, video.video_id)
    assert job.job_id == old and set(job_ids) == {old} and len(job_ids) == video.jobs["faces"].detection_count
    harness.run_collector()  # the redelivery
    assert_replaced(harness, video, old)


def test_a_collector_killed_between_the_switch_and_the_clean_up_finishes_it_on_the_next_delivery(harness, monkeypatch):
    video = analysed(harness)
    old = video.jobs["faces"].job_id
    reanalyse(harness, video.video_id)
    harness.run_starter()
    harness.complete_jobs()
    fail_once(monkeypatch, ResultsArchive, "delete_job", at_call=1)
    assert collector_once(harness).failed == 1
    job, job_ids = shown(harness, video.video_id)
    assert job.job_id != old and set(job_ids) == {job.job_id}  # switched: the new results, whole
    assert remembers_previous(harness, video.video_id) and archived(harness, video.video_id, old) == 2
    harness.run_collector()  # the redelivery
    assert_replaced(harness, video, old)


def test_a_re_analysis_waits_while_the_job_it_replaces_still_runs(harness):
    video = started(harness)
    running = jobs_store(harness).get_job(video.video_id, "faces")
    starts = len(face_starts(harness))
    upload = jobs_store(harness).stored_upload(video.video_id)
    body = object_created_body(replace(upload, rerun="run-1", analyses=("faces",)))
    response, _ = invoke(harness.starter.handler, body)
    assert failed_ids(response) == [] and len(face_starts(harness)) == starts  # waits, not failed, not started
    assert jobs_store(harness).get_job(video.video_id, "faces").job_id == running.job_id
    harness.complete_jobs()
    harness.run_collector()
    invoke(harness.starter.handler, body)
    assert len(face_starts(harness)) == starts + 1


def test_a_request_naming_an_unknown_video_or_analysis_sends_nothing(harness):
    video = started(harness)
    sqs = boto3.client("sqs")
    before = sqs.get_queue_attributes(
        QueueUrl=harness.resources.starter_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    with pytest.raises(ReanalysisError, match=r"no such video .*: 0{32}; nothing was re-run"):
        request_reanalysis(
            [video.video_id, "0" * 32],
            ["faces"],
            "run-1",
            videos=jobs_store(harness),
            uploads=MessageQueue(sqs, harness.resources.starter_queue_url),
        )
    with pytest.raises(ReanalysisError, match="unknown analysis 'facez'"):
        request_reanalysis(
            [video.video_id], ["facez"], "run-1", videos=jobs_store(harness), uploads=MessageQueue(sqs, "unused")
        )
    after = sqs.get_queue_attributes(
        QueueUrl=harness.resources.starter_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert after == before


def test_a_failed_re_analysis_keeps_the_old_results_shown_and_stored_until_one_succeeds(harness):
    video = analysed(harness)
    old = video.jobs["faces"].job_id
    bucket = harness.resources.bucket
    harness.fake.script(bucket, "v.mp4", api="StartFaceDetection", status="FAILED", status_message="Bad luck.")
    reanalyse(harness, video.video_id, run="run-1")
    harness.run_until_idle()
    job, job_ids = shown(harness, video.video_id)
    assert job.job_id == old and job.status is JobStatus.SUCCEEDED and set(job_ids) == {old}
    assert jobs_store(harness).get_job(video.video_id, "faces").status is JobStatus.FAILED
    assert harness.stored_detections(old) == video.jobs["faces"].detection_count
    harness.fake.script(bucket, "v.mp4", api="StartFaceDetection", status="SUCCEEDED", detections=DETECTIONS)
    reanalyse(harness, video.video_id, run="run-2")
    harness.run_until_idle()
    assert_replaced(harness, video, old)
