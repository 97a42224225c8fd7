"""The guarantees of docs/reliability.md under Lambda's real concurrency.

An SQS event source runs several batches at once, so two handlers can interleave at any AWS call.
Each test here runs two invocations in threads and forces the interleaving that once broke a
promise, by pausing one of them at the AWS call where the other must slip in.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from video_pipeline.dal.budget_ledger import budget_pk
from video_pipeline.dal.detections_store import DetectionsStore
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.dal.rekognition import RekognitionGateway
from video_pipeline.logic.collecting import CollectOutcome
from video_pipeline.logic.notifications import parse_notice
from video_pipeline.models import JobStatus
from video_pipeline.schema import LEDGER_KEY, META_SK

from in_process.lambda_runtime import FakeLambdaContext
from tests.integration.events import failed_ids, invoke
from tests.reliability.test_recovery import (
    ANALYSES,
    archived_keys,
    delete_in_s3,
    detection_videos,
    erase,
    holders,
    reconciler_of,
    started,
    uploaded_with_version,
)

PAUSE_LIMIT_SECONDS = 30


class Pause:
    """Stops one thread at a chosen call until the test lets it go on."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.resume = threading.Event()

    def wait_here(self) -> None:
        self.reached.set()
        assert self.resume.wait(PAUSE_LIMIT_SECONDS), "the test never let the paused invocation go on"


@contextmanager
def in_thread(work: Callable[[], Any]) -> Iterator[dict[str, Any]]:
    """Run `work` in a thread; on leaving, wait for it and re-raise what it raised."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as error:  # handed to the test thread below
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield outcome
    finally:
        # Longer than any pause or barrier: a thread that gave up waiting reports why, below.
        thread.join(2 * PAUSE_LIMIT_SECONDS)
        assert not thread.is_alive(), "the invocation in the thread never finished"
    if "error" in outcome:
        raise outcome["error"]


def take_notice(harness, operation: str) -> str:
    """Take one job's completion notice off the results queue; the others stay for the collector."""
    sqs, url = boto3.client("sqs"), harness.resources.results_queue_url
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    (taken,) = [message for message in messages if operation in message["Body"]]
    for message in messages:
        if message is taken:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        else:
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    return str(taken["Body"])


BUDGET_PREFIX = budget_pk("")


def job_items(harness) -> list[dict[str, Any]]:
    """What the jobs table holds of videos, but a deleted video's tombstone (its META item, marked).

    The daily budget's ledger is not about a video: minutes spent stay spent (it names jobs by token only)."""
    items = boto3.resource("dynamodb").Table(harness.resources.jobs_table).scan()["Items"]
    return [
        item
        for item in items
        if item["pk"] != LEDGER_KEY["pk"]
        and not item["pk"].startswith(BUDGET_PREFIX)
        and not (item["sk"] == META_SK and "erased_at" in item)
    ]


def test_the_reconciler_never_drops_the_slot_of_a_job_that_starts_while_it_reads(harness, monkeypatch):
    """A job moving STARTING -> IN_PROGRESS between the reconciler's reads keeps the slot Rekognition uses."""
    reconciler = reconciler_of(harness)
    harness.fake.script(harness.resources.bucket, "v.mp4")
    harness.upload("v.mp4")
    in_start, after_read = Pause(), Pause()
    start, list_jobs = RekognitionGateway.start, JobsStore.jobs_in_status

    def slow_start(self, analysis, request):
        if analysis.name == "faces":
            in_start.wait_here()  # the slot is taken, the record says STARTING
        return start(self, analysis, request)

    def listing_then_the_start_lands(self, status):
        records = list(list_jobs(self, status))
        if status is JobStatus.IN_PROGRESS and not after_read.reached.is_set():
            after_read.reached.set()
            in_start.resume.set()  # the starter records IN_PROGRESS now, between the reconciler's reads
            assert after_read.resume.wait(PAUSE_LIMIT_SECONDS)
        return iter(records)

    monkeypatch.setattr(RekognitionGateway, "start", slow_start)
    monkeypatch.setattr(JobsStore, "jobs_in_status", listing_then_the_start_lands)
    with in_thread(harness.run_starter):
        assert in_start.reached.wait(PAUSE_LIMIT_SECONDS)
        with in_thread(lambda: reconciler({}, FakeLambdaContext())) as reconciled:
            assert after_read.reached.wait(PAUSE_LIMIT_SECONDS)
            # Let the starter finish recording the job before the reconciler judges the ledger.
            for _ in range(200):
                (video,) = harness.repository.recent_videos().items
                if video.jobs["faces"].status is JobStatus.IN_PROGRESS:
                    break
                threading.Event().wait(0.05)
            after_read.resume.set()
    (video,) = harness.repository.recent_videos().items
    assert reconciled["result"]["stale_holders"] == []
    assert holders(harness) == {f"{video.video_id}#{name}" for name in ANALYSES}


def test_two_completions_racing_write_the_final_state_once(harness, monkeypatch):
    """Two deliveries of one notice collect at once: one final state, counted once, detections once."""
    video = started(harness, detections=30)
    harness.complete_jobs()
    body = take_notice(harness, "StartFaceDetection")
    both_ready = threading.Barrier(2, timeout=PAUSE_LIMIT_SECONDS)
    complete = JobsStore.complete

    def complete_together(self, *args, **kwargs):
        both_ready.wait()  # both deliveries have read the job as IN_PROGRESS and stored every page
        return complete(self, *args, **kwargs)

    monkeypatch.setattr(JobsStore, "complete", complete_together)
    collect = harness.collector.app.collector.handle
    notice = parse_notice(body)
    with in_thread(lambda: collect(notice)) as first, in_thread(lambda: collect(notice)) as second:
        pass
    outcomes = sorted([first["result"].outcome, second["result"].outcome])
    assert outcomes == [CollectOutcome.DUPLICATE, CollectOutcome.SUCCEEDED]
    job = harness.repository.video(video.video_id).jobs["faces"]
    assert job.status is JobStatus.SUCCEEDED and job.detection_count == 30


def collect_with_erasure_at(harness, monkeypatch, cls, method: str, *, at_call: int) -> dict[str, Any]:
    """Collect the faces job of a two-page video in a thread, and delete the video when that thread
    reaches its `at_call`-th call of `cls.method`; returns the video, its job id and the response."""
    video, version = uploaded_with_version(harness, "v.mp4", detections=1500)  # two pages of faces
    harness.complete_jobs()
    job_id = harness.repository.video(video.video_id).jobs["faces"].job_id
    body = take_notice(harness, "StartFaceDetection")
    paused, calls, collector_thread = Pause(), {"count": 0}, {}
    original = getattr(cls, method)

    def pause_then_call(self, *args, **kwargs):
        if threading.get_ident() == collector_thread.get("id"):
            calls["count"] += 1
            if calls["count"] == at_call:
                paused.wait_here()
        return original(self, *args, **kwargs)

    def collect():
        collector_thread["id"] = threading.get_ident()
        return invoke(harness.collector.handler, body)[0]

    monkeypatch.setattr(cls, method, pause_then_call)
    with in_thread(collect) as collected:
        assert paused.reached.wait(PAUSE_LIMIT_SECONDS)
        delete_in_s3(harness, "v.mp4", version)
        erase(harness, "v.mp4", version=version)
        gets_at_erasure = len([call for call in harness.fake.calls if call[1].get("JobId") == job_id])
        paused.resume.set()
    assert failed_ids(collected["result"]) == []
    # The other two jobs end too; their notices find the tombstones and erase what they wrote.
    harness.run_collector()
    return {"job_id": job_id, "gets_at_erasure": gets_at_erasure}


def assert_nothing_left(harness) -> None:
    assert detection_videos(harness) == set()
    assert archived_keys(harness) == []
    assert job_items(harness) == [] and holders(harness) == set()


def test_a_video_deleted_between_two_pages_stops_its_collection_and_leaves_nothing(harness, monkeypatch):
    """Deleted after the first page was written: nothing stays, and no further page is fetched or paid."""
    run = collect_with_erasure_at(harness, monkeypatch, DetectionsStore, "write", at_call=1)
    assert_nothing_left(harness)
    gets = [call for call in harness.fake.calls if call[1].get("JobId") == run["job_id"]]
    # Only the Get* that tells the erasing collector the job has ended may follow; no second page.
    assert not any(call[1].get("NextToken") for call in gets[run["gets_at_erasure"] :])


def test_a_video_deleted_just_before_its_final_state_is_written_leaves_nothing(harness, monkeypatch):
    """Every page written and checked, then the deletion, then the final state: erasure still wins."""
    collect_with_erasure_at(harness, monkeypatch, JobsStore, "complete", at_call=1)
    assert_nothing_left(harness)


def test_deleting_running_videos_never_lets_more_jobs_start_than_the_quota(harness):
    """Erasing 6 running videos (18 jobs) must not free their slots: 6 more uploads start only 2 jobs."""
    quota = 20
    first = [uploaded_with_version(harness, f"first-{n}.mp4") for n in range(6)]
    for n, (_video, version) in enumerate(first):
        delete_in_s3(harness, f"first-{n}.mp4", version)
        erase(harness, f"first-{n}.mp4", version=version)
    for n in range(6):
        harness.fake.script(harness.resources.bucket, f"second-{n}.mp4")
        harness.upload(f"second-{n}.mp4")
    harness.run_starter()
    assert harness.fake.in_progress_count == quota and len(holders(harness)) == quota
    assert [code for _op, code in harness.fake.errors if code == "LimitExceededException"] == []
    # Once the erased jobs end, their slots go to the waiting uploads.
    harness.complete_jobs()
    harness.run_collector()
    assert len(holders(harness)) <= quota


def test_a_forged_failed_notice_does_not_fail_a_running_job(harness):
    video = started(harness, detections=30)
    job = harness.repository.video(video.video_id).jobs["faces"]
    forged = json.dumps(
        {
            "JobId": job.job_id,
            "Status": "FAILED",
            "API": "StartFaceDetection",
            "JobTag": f"rvp:faces:{video.video_id}",
            "Message": "forged",
            "Timestamp": 1,
            "Video": {"S3ObjectName": "v.mp4", "S3Bucket": harness.resources.bucket},
        }
    )
    response, _ = invoke(harness.collector.handler, forged)
    assert failed_ids(response) == []
    assert harness.repository.video(video.video_id).jobs["faces"].status is JobStatus.IN_PROGRESS
    assert f"{video.video_id}#faces" in holders(harness)  # the slot stays with the running job
    harness.complete_jobs()
    harness.run_collector()
    job = harness.repository.video(video.video_id).jobs["faces"]
    assert job.status is JobStatus.SUCCEEDED and job.detection_count == 30 and job.status_message != "forged"
    # And a forged FAILED after the job succeeded changes nothing either: Rekognition is asked, not the notice.
    response, _ = invoke(harness.collector.handler, forged)
    assert harness.repository.video(video.video_id).jobs["faces"].status is JobStatus.SUCCEEDED


def test_a_collector_that_must_retry_backs_off_briefly_not_for_the_queue_timeout(harness, monkeypatch):
    from video_pipeline.dal.queues import MessageQueue

    started(harness)
    harness.complete_jobs()
    harness.fake.inject_fault("GetFaceDetection", "ThrottlingException", times=1000)
    hidden: list[int] = []
    monkeypatch.setattr(MessageQueue, "hide", lambda self, receipt, seconds: hidden.append(seconds))
    body = take_notice(harness, "StartFaceDetection")
    response, ids = invoke(harness.collector.handler, body)
    assert failed_ids(response) == ids
    # The collector queue's visibility timeout is 5,400 s; a first retry comes back within a minute.
    assert hidden and max(hidden) <= 60
