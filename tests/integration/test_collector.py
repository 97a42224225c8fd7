from __future__ import annotations

import json

import boto3
import pytest
from video_pipeline.models import JobStatus
from video_pipeline.schema import LEDGER_KEY, job_sk, video_pk

from tests.integration.events import failed_ids, invoke
from tests.stored import expected_detections


def notice(job_id, *, status="SUCCEEDED", api="StartFaceDetection", tag=None, bucket="local-videos", key="v.mp4"):
    body = {"JobId": job_id, "Status": status, "API": api, "Timestamp": 1700000000000}
    if tag:
        body["JobTag"] = tag
    body["Video"] = {"S3ObjectName": key, "S3Bucket": bucket}
    return json.dumps(body)


def started(harness, key="v.mp4", detections=None):
    if detections is not None:
        harness.fake.script(harness.resources.bucket, key, detections=detections)
    harness.upload(key)
    harness.run_starter()
    (video,) = [v for v in harness.repository.recent_videos().items if v.key == key]
    return video


def stored(harness, video, analysis):
    items, cursor = [], None
    while True:
        page = harness.repository.detections(video.video_id, analysis, cursor=cursor)
        items.extend(page.items)
        cursor = page.cursor
        if not cursor:
            return items


def test_succeeded_jobs_are_paged_to_the_end_and_stored_once(harness):
    video = started(harness, detections=2345)  # three Get* pages per analysis
    harness.complete_jobs()
    harness.run_collector()
    for name, job in harness.repository.video(video.video_id).jobs.items():
        assert job.status is JobStatus.SUCCEEDED, name
        expected = expected_detections(harness.fake, job)
        detections = stored(harness, video, name)
        assert len(harness.fake.results(job.job_id)) == 2345
        assert len(expected) == job.detection_count == len(detections) > 0
        assert [d.data for d in detections] == expected
        assert job.video_metadata and job.video_metadata["Codec"]
        assert job.completed_at
    gets = [params for op, params in harness.fake.calls if op == "GetFaceDetection"]
    assert [params.get("MaxResults") for params in gets] == [1000, 1000, 1000]


def test_redelivered_notifications_do_not_duplicate_anything(harness):
    video = started(harness, detections=30)
    harness.complete_jobs()
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=harness.resources.results_queue_url, MaxNumberOfMessages=10)["Messages"]
    bodies = [message["Body"] for message in messages]
    response, _ = invoke(harness.collector.handler, *bodies, *bodies, *bodies)
    assert failed_ids(response) == []
    job = harness.repository.video(video.video_id).jobs["faces"]
    assert job.detection_count == 30 and len(stored(harness, video, "faces")) == 30
    gets = [op for op, _ in harness.fake.calls if op == "GetFaceDetection"]
    assert len(gets) == 1  # later deliveries see the final state and stop before paging again


@pytest.mark.parametrize("status", ["FAILED", "ERROR"])
def test_failed_jobs_record_status_and_message(harness, status):
    harness.fake.script(
        harness.resources.bucket,
        "v.mp4",
        api="StartFaceDetection",
        status=status,
        status_message="Unsupported codec/format.",
    )
    video = started(harness)
    harness.complete_jobs()
    harness.run_collector()
    jobs = harness.repository.video(video.video_id).jobs
    # What is recorded is what Rekognition's Get* says, not what the notice says: VideoJobStatus
    # has no ERROR, so a job notified as ERROR is a FAILED job there.
    assert jobs["faces"].status is JobStatus.FAILED
    assert jobs["faces"].status_message == "Unsupported codec/format."
    assert stored(harness, video, "faces") == []
    assert jobs["persons"].status is JobStatus.SUCCEEDED
    # A failed job no longer runs: its quota slot is free again.
    ledger = boto3.resource("dynamodb").Table(harness.resources.jobs_table).get_item(Key=LEDGER_KEY)["Item"]
    assert f"{video.video_id}#faces" not in ledger.get("holders", set())


@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        json.dumps({"JobId": "x", "Status": "SUCCEEDED"}),
        json.dumps({"Type": "Notification", "Message": "{broken"}),
    ],
)
def test_malformed_notifications_are_dropped_and_write_nothing(harness, body):
    response, _ = invoke(harness.collector.handler, body)
    assert failed_ids(response) == []
    assert harness.repository.recent_videos().items == []


def test_forged_notifications_for_unknown_jobs_write_nothing(harness):
    video = started(harness)
    real = video.jobs["faces"]
    forged = [
        notice("f" * 64, tag=f"rvp:faces:{video.video_id}"),  # our tag, someone else's job id
        notice("f" * 64),  # no tag at all
        notice(real.job_id, api="StartTextDetection"),  # an API we never call
        notice(real.job_id, key="other.mp4"),  # the right job, the wrong video
    ]
    response, _ = invoke(harness.collector.handler, *forged)
    assert failed_ids(response) == []
    assert harness.repository.video(video.video_id).jobs["faces"].status is JobStatus.IN_PROGRESS
    assert stored(harness, video, "faces") == []
    assert not [op for op, _ in harness.fake.calls if op.startswith("Get")]


def test_a_job_whose_starter_stopped_before_recording_it_is_adopted_from_rekognitions_answer(harness):
    """A crash between Start* and its record (or the write not landed yet): the notice's job is taken on,
    once Rekognition's Get* names this video, instead of bouncing the notice into the dead-letter queue."""
    video = started(harness)
    real = harness.repository.video(video.video_id).jobs["faces"]
    other = started(harness, key="other.mp4")
    table = boto3.resource("dynamodb").Table(harness.resources.jobs_table)
    table.update_item(
        Key={"pk": video_pk(video.video_id), "sk": job_sk("faces")},
        UpdateExpression="SET #s = :s REMOVE job_id",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "STARTING"},
    )
    # Another video's job id under this video's tag: Rekognition's answer names the other video.
    foreign = notice(other.jobs["faces"].job_id, tag=f"rvp:faces:{video.video_id}")
    response, ids = invoke(harness.collector.handler, foreign)
    assert failed_ids(response) == ids
    assert harness.repository.video(video.video_id).jobs["faces"].job_id is None
    harness.complete_jobs()
    response, _ = invoke(harness.collector.handler, notice(real.job_id, tag=f"rvp:faces:{video.video_id}"))
    assert failed_ids(response) == []
    job = harness.repository.video(video.video_id).jobs["faces"]
    assert job.job_id == real.job_id and job.status is JobStatus.SUCCEEDED


def test_sns_enveloped_and_raw_deliveries_both_work(harness):
    video = started(harness, detections=5)
    harness.complete_jobs()
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=harness.resources.results_queue_url, MaxNumberOfMessages=10)["Messages"]
    enveloped = [json.loads(message["Body"]) for message in messages]
    assert all(body["Type"] == "Notification" for body in enveloped)
    raw = [body["Message"] for body in enveloped]
    response, _ = invoke(harness.collector.handler, *raw)
    assert failed_ids(response) == []
    assert {job.status for job in harness.repository.video(video.video_id).jobs.values()} == {JobStatus.SUCCEEDED}


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "InternalServerError", "ProvisionedThroughputExceededException"]
)
def test_transient_get_errors_are_retried(harness, sleeps, code):
    video = started(harness, detections=1500)
    harness.fake.inject_fault("GetFaceDetection", code, times=2)
    harness.complete_jobs()
    stats = harness.run_collector()
    assert stats.failed == 0 and len(sleeps) >= 2
    assert len(stored(harness, video, "faces")) == 1500


def test_an_expired_pagination_token_restarts_the_stream_without_duplicates(harness, monkeypatch):
    video = started(harness, detections=2500)
    harness.complete_jobs()
    fake = harness.fake
    calls = {"n": 0}
    from video_pipeline.dal.rekognition import RekognitionGateway

    real_get_page = RekognitionGateway.get_page

    def expiring_get_page(self, analysis, job_id, next_token, page_size):
        if analysis.name == "faces" and next_token and calls["n"] == 0:
            calls["n"] += 1
            fake.expire_pagination_tokens()
        return real_get_page(self, analysis, job_id, next_token, page_size)

    monkeypatch.setattr(RekognitionGateway, "get_page", expiring_get_page)
    stats = harness.run_collector()
    assert stats.failed == 0 and calls["n"] == 1
    detections = stored(harness, video, "faces")
    assert len(detections) == 2500 == harness.repository.video(video.video_id).jobs["faces"].detection_count
