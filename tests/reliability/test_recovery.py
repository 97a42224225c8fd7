"""Each recovery path on its own, through the real handlers against moto and the Rekognition fake."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import boto3
from video_pipeline.contract import Env
from video_pipeline.dal.budget_ledger import budget_pk
from video_pipeline.logic.clock import format_instant
from video_pipeline.models import JobStatus
from video_pipeline.schema import LEDGER_KEY, META_SK, archive_job_prefix

from in_process.functions import pipeline_functions
from in_process.lambda_runtime import FakeLambdaContext, QueuePoller
from tests.integration.events import failed_ids, invoke, s3_event_body
from tests.stored import expected_detections

ANALYSES = ("faces", "celebrities", "persons")


def started(harness, key="v.mp4", detections=30):
    harness.fake.script(harness.resources.bucket, key, detections=detections)
    harness.upload(key)
    harness.run_starter()
    (video,) = [v for v in harness.repository.recent_videos().items if v.key == key]
    return video


def stored_data(harness, video_id, analysis):
    items, cursor = [], None
    while True:
        page = harness.repository.detections(video_id, analysis, cursor=cursor)
        items.extend(detection.data for detection in page.items)
        if not (cursor := page.cursor):
            return items


def holders(harness):
    table = boto3.resource("dynamodb").Table(harness.resources.jobs_table)
    return set((table.get_item(Key=LEDGER_KEY).get("Item") or {}).get("holders", set()))


def one_page_per_invocation(harness) -> QueuePoller:
    """The collector's queue polled one message at a time with too little time left for a second page:
    every invocation stores one page, checkpoints and hands over (below the hand-over margin)."""
    return QueuePoller(
        harness.resources.results_queue_url,
        harness.collector.handler,
        region="us-east-1",
        batch_size=1,
        remaining_ms=30_000,
    )


def test_a_collector_out_of_time_checkpoints_and_resumes_to_the_same_results(harness):
    video = started(harness, detections=2500)  # three pages per job; the tracker's state crosses them
    harness.complete_jobs()
    short = one_page_per_invocation(harness)
    short.drain()
    assert short.stats.invocations >= 3 * 3  # every page of every job in its own invocation
    for name, job in harness.repository.video(video.video_id).jobs.items():
        assert job.status is JobStatus.SUCCEEDED, name
        # Page numbers go on across invocations: every page archived once, none overwritten.
        pages = sorted(key.rsplit("/", 1)[1] for key in archived_keys(harness) if f"/{job.job_id}/" in key)
        assert pages == [f"page-{number:05d}.json.gz" for number in range(3)], name
        expected = expected_detections(harness.fake, job)
        assert stored_data(harness, video.video_id, name) == expected
        assert job.detection_count == len(expected)
    assert holders(harness) == set()


def test_a_checkpoint_older_than_the_token_lifetime_restarts_from_the_first_page(harness):
    video = started(harness, detections=2500)
    harness.complete_jobs()
    one_page_per_invocation(harness).poll_once()
    table = boto3.resource("dynamodb").Table(harness.resources.jobs_table)
    stale = format_instant(datetime.now(UTC) - timedelta(hours=25))
    items = table.scan()["Items"]
    (checkpointed,) = [item for item in items if "checkpoint" in item]
    table.update_item(
        Key={"pk": checkpointed["pk"], "sk": checkpointed["sk"]},
        UpdateExpression="SET #c.saved_at = :stale, #c.next_token = :dead",
        ExpressionAttributeNames={"#c": "checkpoint"},
        ExpressionAttributeValues={":stale": stale, ":dead": "expired-token"},
    )
    harness.run_collector()
    for name, job in harness.repository.video(video.video_id).jobs.items():
        assert job.status is JobStatus.SUCCEEDED
        assert job.detection_count == len(expected_detections(harness.fake, job)), name
    gets = [params for op, params in harness.fake.calls if op.startswith("Get")]
    assert not any(params.get("NextToken") == "expired-token" for params in gets)


def test_expired_results_mark_the_job_expired_and_free_its_slot(harness):
    video = started(harness)
    harness.fake.inject_fault("GetFaceDetection", "ResourceNotFoundException", times=5)
    harness.complete_jobs()
    harness.run_collector()
    jobs = harness.repository.video(video.video_id).jobs
    assert jobs["faces"].status is JobStatus.EXPIRED
    assert "upload the video again" in (jobs["faces"].status_message or "")
    assert {jobs[name].status for name in ("celebrities", "persons")} == {JobStatus.SUCCEEDED}
    assert harness.collector_stats.failed == 0  # marked, not sent to the dead-letter queue
    assert holders(harness) == set()


def reconciler_of(harness, **variables):
    """The reconciler as the stack deploys it next to this harness, with `variables` overriding settings."""
    return pipeline_functions({**harness.resources.environment(), **variables}).reconciler.handler


def test_the_reconciler_finishes_jobs_whose_notification_was_lost(harness):
    reconciler = reconciler_of(harness, **{Env.RECONCILE_AFTER_MINUTES: "0"})
    video = started(harness)
    harness.fake.drop_notifications(count=3)
    harness.complete_jobs()
    assert harness.run_collector().delivered == 0  # nothing arrived
    summary = reconciler({}, FakeLambdaContext())
    assert len(summary["requeued"]) == 3 and summary["in_flight"] == 3
    harness.run_collector()
    jobs = harness.repository.video(video.video_id).jobs
    assert {job.status for job in jobs.values()} == {JobStatus.SUCCEEDED}
    assert reconciler({}, FakeLambdaContext())["in_flight"] == 0


def test_the_reconciler_repairs_a_drifted_slot_ledger(harness):
    video = started(harness)
    table = boto3.resource("dynamodb").Table(harness.resources.jobs_table)
    forgotten = f"{video.video_id}#faces"
    table.update_item(
        Key=LEDGER_KEY, UpdateExpression="DELETE holders :j", ExpressionAttributeValues={":j": {forgotten}}
    )
    table.update_item(
        Key=LEDGER_KEY, UpdateExpression="ADD holders :g", ExpressionAttributeValues={":g": {"gone#faces"}}
    )
    summary = reconciler_of(harness)({}, FakeLambdaContext())
    assert summary["stale_holders"] == ["gone#faces"] and summary["missing_holders"] == [forgotten]
    assert holders(harness) == {f"{video.video_id}#{name}" for name in ANALYSES}


def test_raw_pages_are_archived_and_rebuild_the_same_detections(harness):
    from video_pipeline.dal.archive import ResultsArchive
    from video_pipeline.dal.detections_store import DetectionsStore
    from video_pipeline.dal.jobs_store import JobsStore
    from video_pipeline.logic.rebuilding import rebuild_video

    video = started(harness, detections=1500)
    harness.complete_jobs()
    harness.run_collector()
    jobs = harness.repository.video(video.video_id).jobs
    before = {name: stored_data(harness, video.video_id, name) for name in ANALYSES}
    s3 = boto3.client("s3")
    archive_bucket = harness.resources.archive_bucket
    for name, job in jobs.items():
        keys = [
            o["Key"]
            for o in s3.list_objects_v2(
                Bucket=archive_bucket, Prefix=archive_job_prefix(video.video_id, name, job.job_id)
            )["Contents"]
        ]
        assert keys == sorted(keys) and len(keys) == 2  # 1,500 raw elements: two pages
        page = json.loads(gzip.decompress(s3.get_object(Bucket=archive_bucket, Key=keys[0])["Body"].read()))
        assert page["JobStatus"] == "SUCCEEDED" and "ResponseMetadata" not in page
    detections = boto3.resource("dynamodb").Table(harness.resources.detections_table)
    with detections.batch_writer() as batch:
        for item in detections.scan(ProjectionExpression="pk, sk")["Items"]:
            batch.delete_item(Key=item)
    calls_before = len(harness.fake.calls)
    report = rebuild_video(
        video.video_id,
        jobs=JobsStore(boto3.resource("dynamodb").Table(harness.resources.jobs_table)),
        archive=ResultsArchive(boto3.client("s3"), archive_bucket),
        detections=DetectionsStore(boto3.client("dynamodb"), harness.resources.detections_table),
    )
    assert report.detections == {name: job.detection_count for name, job in jobs.items()}
    assert {name: stored_data(harness, video.video_id, name) for name in ANALYSES} == before
    assert len(harness.fake.calls) == calls_before  # Rekognition was not asked again


_SEQUENCE = iter(range(0x10, 0x10_0000))


def next_sequencer():
    """S3's per-key event order, as a hex string that grows with every event of the test."""
    return f"{next(_SEQUENCE):012X}"


def uploaded_with_version(harness, key, detections=40):
    """An upload recorded with its version id, as S3 reports it on a versioned bucket (moto omits it)."""
    harness.fake.script(harness.resources.bucket, key, detections=detections)
    known = {video.video_id for video in harness.repository.recent_videos().items}
    version = harness.upload(key)["VersionId"]
    discard_queued(harness.resources.starter_queue_url)  # moto's own event, without the version
    body = s3_event_body(harness.resources.bucket, key, version=version, sequencer=next_sequencer())
    response, _ = invoke(harness.starter.handler, body)
    assert failed_ids(response) == []
    (video,) = [v for v in harness.repository.recent_videos().items if v.video_id not in known]
    return video, version


def discard_queued(queue_url):
    sqs = boto3.client("sqs")
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def erase(harness, key, *, version=None, event="ObjectRemoved:Delete", sequencer=None):
    body = s3_event_body(
        harness.resources.bucket, key, version=version, event_name=event, sequencer=sequencer or next_sequencer()
    )
    response, _ = invoke(harness.starter.handler, body)
    assert failed_ids(response) == []


def delete_in_s3(harness, key, version=None):
    """Delete as a user would; returns the version id S3 reports (the delete marker's, without `version`)."""
    arguments = {"Bucket": harness.resources.bucket, "Key": key, **({"VersionId": version} if version else {})}
    response = boto3.client("s3").delete_object(**arguments)
    discard_queued(harness.resources.starter_queue_url)  # moto's own event, without version or sequencer
    return response.get("VersionId")


def detection_videos(harness):
    items = boto3.resource("dynamodb").Table(harness.resources.detections_table).scan()["Items"]
    return {item["video_id"] for item in items}


def archived_keys(harness):
    return [
        o["Key"]
        for o in boto3.client("s3").list_objects_v2(Bucket=harness.resources.archive_bucket).get("Contents", [])
    ]


def test_deleting_a_version_deletes_that_videos_detections_archive_and_records(harness):
    first, first_version = uploaded_with_version(harness, "v.mp4")
    second, _ = uploaded_with_version(harness, "v.mp4")  # a new version of the same key: another video
    keep, _ = uploaded_with_version(harness, "keep.mp4")
    harness.complete_jobs()
    harness.run_collector()
    assert detection_videos(harness) == {first.video_id, second.video_id, keep.video_id}
    delete_in_s3(harness, "v.mp4", first_version)
    erase(harness, "v.mp4", version=first_version)
    assert harness.repository.video(first.video_id) is None
    assert detection_videos(harness) == {second.video_id, keep.video_id}
    assert archived_keys(harness) and not any(first.video_id in key for key in archived_keys(harness))


def test_a_delete_marker_erases_every_version_of_the_key(harness):
    first, _ = uploaded_with_version(harness, "v.mp4")
    second, _ = uploaded_with_version(harness, "v.mp4")
    keep, _ = uploaded_with_version(harness, "keep.mp4")
    harness.complete_jobs()
    harness.run_collector()
    marker = delete_in_s3(harness, "v.mp4")
    erase(harness, "v.mp4", version=marker, event="ObjectRemoved:DeleteMarkerCreated")
    assert harness.repository.video(first.video_id) is None and harness.repository.video(second.video_id) is None
    assert detection_videos(harness) == {keep.video_id}
    assert {key.split("/")[1] for key in archived_keys(harness)} == {keep.video_id}


def test_deleting_a_running_video_keeps_its_slots_until_its_jobs_end_and_drops_their_results(harness):
    """Rekognition still runs the jobs of a deleted video: their slots are freed only when they end."""
    video, version = uploaded_with_version(harness, "v.mp4")
    running = {f"{video.video_id}#{name}" for name in ANALYSES}
    assert holders(harness) == running
    delete_in_s3(harness, "v.mp4", version)
    erase(harness, "v.mp4", version=version)
    assert holders(harness) == running  # freeing them would let more jobs start than the quota
    assert harness.repository.video(video.video_id) is None  # gone from every listing at once
    harness.complete_jobs()
    harness.run_collector()
    assert holders(harness) == set()
    assert detection_videos(harness) == set() and archived_keys(harness) == []
    items = boto3.resource("dynamodb").Table(harness.resources.jobs_table).scan()["Items"]
    # No job record is left; the video's own record stays only as its tombstone (no face data). The
    # daily budget's ledger names jobs by token only, and minutes spent stay spent.
    kept = [item for item in items if item["pk"] != LEDGER_KEY["pk"] and not item["pk"].startswith(budget_pk(""))]
    assert [(item["sk"], "erased_at" in item) for item in kept] == [(META_SK, True)]
