"""A label job shared by general labels and label-based person tracking (issue #18) keeps every
promise of docs/reliability.md: concurrent duplicate deliveries, hand-overs between invocations, lost
notices and deletion while the job runs."""

from __future__ import annotations

import json
import threading

import boto3
from video_pipeline.contract import Env
from video_pipeline.dal.archive import ResultsArchive
from video_pipeline.dal.detections_store import DetectionsStore
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.logic.collecting import CollectOutcome
from video_pipeline.logic.notifications import parse_notice
from video_pipeline.logic.rebuilding import rebuild_video
from video_pipeline.logic.shared_jobs import is_riding, kept_as_asked, riding_job_id
from video_pipeline.models import JobStatus

from in_process.lambda_runtime import FakeLambdaContext
from tests.integration.test_shared_label_job import KEY, PERSONS_ASKED, enable, label_starts, shared_video, tracked
from tests.reliability.test_races import PAUSE_LIMIT_SECONDS, assert_nothing_left, in_thread
from tests.reliability.test_reanalysis import reanalyse
from tests.reliability.test_recovery import (
    delete_in_s3,
    erase,
    holders,
    one_page_per_invocation,
    reconciler_of,
    stored_data,
    uploaded_with_version,
)

LABELS_ASKED = {"MinConfidence": 50.0, "Features": ["GENERAL_LABELS"]}


def queued_bodies(harness):
    sqs, url = boto3.client("sqs"), harness.resources.results_queue_url
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [message["Body"] for message in messages]


def assert_both_stored_once(harness, video, starts=1):
    jobs = harness.repository.video(video.video_id).jobs
    labels, persons = jobs["labels"], jobs["persons"]
    assert (labels.status, persons.status) == (JobStatus.SUCCEEDED, JobStatus.SUCCEEDED)
    shared = harness.fake.results(labels.job_id)
    expected_labels = labels_as_asked(shared)
    assert stored_data(harness, video.video_id, "labels") == expected_labels
    assert stored_data(harness, video.video_id, "persons") == tracked(shared, PERSONS_ASKED)
    assert labels.detection_count == len(expected_labels) and persons.detection_count > 0
    assert len(label_starts(harness)) == starts and holders(harness) == set()


def labels_as_asked(shared):
    kept = (kept_as_asked(element, LABELS_ASKED) for element in shared)
    return [dict(element) for element in kept if element is not None]


def test_concurrent_deliveries_of_the_shared_jobs_notice_and_of_its_riders_store_each_once(harness, monkeypatch):
    """Two deliveries of the carrier's notice, both past every page when either writes its final
    state; then the two rider notices they queued, the same way."""
    video = shared_video(harness, detections=300)
    harness.complete_jobs()
    (carrier_notice,) = queued_bodies(harness)
    both_ready = threading.Barrier(2, timeout=PAUSE_LIMIT_SECONDS)
    complete = JobsStore.complete

    def complete_together(self, *args, **kwargs):
        both_ready.wait()
        return complete(self, *args, **kwargs)

    monkeypatch.setattr(JobsStore, "complete", complete_together)

    # The collector's own entry point: the Lambda handler's batch processor is not shared by threads.
    collect = harness.collector.app.collector.handle

    def both_deliveries(notice):
        with in_thread(lambda: collect(notice)) as first, in_thread(lambda: collect(notice)) as second:
            pass
        reports = sorted((first["result"], second["result"]), key=lambda report: report.outcome)
        assert [report.outcome for report in reports] == [CollectOutcome.DUPLICATE, CollectOutcome.SUCCEEDED]
        return reports

    carrier_reports = both_deliveries(parse_notice(carrier_notice))
    # Each settled delivery asks for the rider's collection: the duplicate one changes nothing more.
    rider_notices = [follow_up for report in carrier_reports for follow_up in report.follow_ups]
    assert len(rider_notices) == 2 and rider_notices[0] == rider_notices[1]
    assert rider_notices[0]["JobTag"] == f"rvp:persons:{video.video_id}"
    both_deliveries(parse_notice(json.dumps(rider_notices[0])))
    monkeypatch.setattr(JobsStore, "complete", complete)
    assert_both_stored_once(harness, video)


def test_each_analysis_of_the_shared_job_hands_over_between_invocations_with_its_own_checkpoint(harness):
    video = shared_video(harness, detections=2500)  # three pages; the tracker's state crosses them
    harness.complete_jobs()
    short = one_page_per_invocation(harness)
    short.drain()
    assert short.stats.invocations >= 2 * 3
    assert_both_stored_once(harness, video)


def test_the_reconciler_finishes_both_analyses_when_the_shared_jobs_notice_is_lost(harness):
    reconciler = reconciler_of(harness, **{Env.RECONCILE_AFTER_MINUTES: "0"})
    video = shared_video(harness, detections=300)
    harness.fake.drop_notifications(count=1)
    harness.complete_jobs()
    assert harness.run_collector().delivered == 0
    summary = reconciler({}, FakeLambdaContext())
    assert summary["in_flight"] == 1  # the shared job's one slot
    harness.run_collector()
    assert_both_stored_once(harness, video)
    assert reconciler({}, FakeLambdaContext())["in_flight"] == 0


def test_deleting_the_video_while_its_shared_job_runs_leaves_nothing_and_frees_the_one_slot(harness):
    enable(harness)
    video, version = uploaded_with_version(harness, KEY, detections=300)
    jobs = harness.repository.video(video.video_id).jobs
    assert {jobs["labels"].status, jobs["persons"].status} == {JobStatus.IN_PROGRESS}
    delete_in_s3(harness, KEY, version)
    erase(harness, KEY, version=version)
    assert holders(harness) == {f"{video.video_id}#labels"}  # Rekognition still runs the job
    harness.complete_jobs()
    harness.run_collector()
    assert_nothing_left(harness)


def test_a_reanalysis_of_both_reruns_one_shared_job_and_of_one_runs_its_own(harness):
    """Re-running both analyses starts one new shared job and retires both old results; re-running
    persons alone gives it a job of its own and leaves labels' results (and partition) untouched."""
    video = shared_video(harness, detections=300)
    harness.run_until_idle()
    first = harness.repository.video(video.video_id).jobs
    reanalyse(harness, video.video_id, ("labels", "persons"), run="run-both")
    harness.run_until_idle()
    both = harness.repository.video(video.video_id).jobs
    assert len(label_starts(harness)) == 2 and both["labels"].job_id != first["labels"].job_id
    assert both["persons"].job_id == riding_job_id(both["labels"].job_id, "persons")
    assert_both_stored_once(harness, video, starts=2)
    for name in ("labels", "persons"):
        assert harness.stored_detections(first[name].job_id) == 0, name  # the replaced results are gone
    reanalyse(harness, video.video_id, ("persons",), run="run-persons")
    harness.run_until_idle()
    alone = harness.repository.video(video.video_id).jobs
    last = label_starts(harness)[-1]
    assert len(label_starts(harness)) == 3 and last["Settings"]["GeneralLabels"]["LabelInclusionFilters"] == ["Person"]
    assert alone["labels"].job_id == both["labels"].job_id and not is_riding(alone["persons"].job_id)
    assert harness.stored_detections(both["labels"].job_id) == both["labels"].detection_count
    assert harness.stored_detections(both["persons"].job_id) == 0 and holders(harness) == set()


def test_a_rebuild_from_the_archive_filters_each_analysis_as_its_collection_did(harness):
    video = shared_video(harness, detections=300)
    harness.run_until_idle()
    jobs = harness.repository.video(video.video_id).jobs
    before = {name: stored_data(harness, video.video_id, name) for name in ("labels", "persons")}
    detections = boto3.resource("dynamodb").Table(harness.resources.detections_table)
    with detections.batch_writer() as batch:
        for item in detections.scan(ProjectionExpression="pk, sk")["Items"]:
            batch.delete_item(Key=item)
    report = rebuild_video(
        video.video_id,
        jobs=JobsStore(boto3.resource("dynamodb").Table(harness.resources.jobs_table)),
        archive=ResultsArchive(boto3.client("s3"), harness.resources.archive_bucket),
        detections=DetectionsStore(boto3.client("dynamodb"), harness.resources.detections_table),
    )
    assert report.detections == {name: job.detection_count for name, job in jobs.items()}
    assert {name: stored_data(harness, video.video_id, name) for name in ("labels", "persons")} == before
