from __future__ import annotations

import json

import boto3
import pytest
from video_pipeline.logic.identity import TAG_PATTERN, TOKEN_PATTERN
from video_pipeline.models import JobStatus

from in_process.harness import sample_video_bytes
from tests.integration.events import failed_ids, invoke, s3_event_body

START_OPERATIONS = {"StartFaceDetection", "StartCelebrityRecognition", "StartLabelDetection", "StartPersonTracking"}
# Person tracking runs on label detection unless configured otherwise.
DEFAULT_START_OPERATIONS = START_OPERATIONS - {"StartPersonTracking"}
# LimitExceededException is not among them: it means the account's quota is full, and waiting for
# it is not failing (test_quota_held_by_other_workloads_is_waited_for_without_counting_a_failure).
RETRYABLE = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "InternalServerError",
]
PERMANENT = [
    "InvalidParameterException",
    "InvalidS3ObjectException",
    "VideoTooLargeException",
    "AccessDeniedException",
    "IdempotentParameterMismatchException",
]


def start_calls(harness):
    return [(name, params) for name, params in harness.fake.calls if name in START_OPERATIONS]


def put(harness, key, body=None):
    return boto3.client("s3").put_object(Bucket=harness.resources.bucket, Key=key, Body=body or sample_video_bytes())


def test_an_upload_starts_one_job_per_analysis_with_every_parameter(harness):
    harness.upload("incoming/My Holiday+2026 été.mp4")
    stats = harness.run_starter()
    assert stats.failed == 0  # S3's setup test event and the upload

    calls = dict(start_calls(harness))
    assert set(calls) == DEFAULT_START_OPERATIONS
    for params in calls.values():
        assert params["Video"]["S3Object"] == {"Bucket": "local-videos", "Name": "incoming/My Holiday+2026 été.mp4"}
        assert params["NotificationChannel"] == {
            "SNSTopicArn": harness.resources.topic_arn,
            "RoleArn": harness.resources.role_arn,
        }
        assert TOKEN_PATTERN.fullmatch(params["ClientRequestToken"])
        assert TAG_PATTERN.fullmatch(params["JobTag"])
    assert calls["StartFaceDetection"]["FaceAttributes"] == "ALL"
    assert len({params["ClientRequestToken"] for params in calls.values()}) == 3

    (video,) = harness.repository.recent_videos().items
    assert video.key == "incoming/My Holiday+2026 été.mp4"
    assert {name: job.status for name, job in video.jobs.items()} == dict.fromkeys(
        ("faces", "celebrities", "persons"), JobStatus.IN_PROGRESS
    )
    fake_ids = {job.job_id for job in harness.fake.jobs.values()} if isinstance(harness.fake.jobs, dict) else None
    recorded_ids = {job.job_id for job in video.jobs.values()}
    assert all(recorded_ids) and (fake_ids is None or recorded_ids == fake_ids)


def test_duplicate_events_never_start_a_second_job(harness):
    etag = put(harness, "a.mp4")["ETag"].strip('"')
    body = s3_event_body(harness.resources.bucket, "a.mp4", etag=etag)
    harness.run_starter()  # the real notification
    response, _ = invoke(harness.starter.handler, body, body)  # and two duplicates of it
    assert failed_ids(response) == []
    started = start_calls(harness)
    # Duplicates are recognised from the jobs table before Rekognition is called again.
    assert len(started) == 3
    assert harness.fake.in_progress_count == 3


def test_a_new_version_of_the_same_key_is_a_new_video(harness):
    bucket = harness.resources.bucket
    first = put(harness, "clip.mov")
    second = put(harness, "clip.mov", sample_video_bytes(8192))
    harness.run_starter()  # moto's events carry no version id; drain them first
    before = len(start_calls(harness))
    response, _ = invoke(
        harness.starter.handler,
        s3_event_body(bucket, "clip.mov", version=first["VersionId"]),
        s3_event_body(bucket, "clip.mov", version=second["VersionId"]),
    )
    assert failed_ids(response) == []
    versioned = start_calls(harness)[before:]
    assert len(versioned) == 6
    assert {params["Video"]["S3Object"].get("Version") for _, params in versioned} == {
        first["VersionId"],
        second["VersionId"],
    }


@pytest.mark.parametrize(
    ("key", "body", "code"),
    [("empty.mp4", b"", "EmptyObject"), ("fake.mp4", b"RIFF....AVI LIST" * 10, "UnsupportedContainer")],
)
def test_videos_that_cannot_succeed_are_failed_without_calling_rekognition(harness, key, body, code):
    boto3.client("s3").put_object(Bucket=harness.resources.bucket, Key=key, Body=body)
    harness.run_starter()
    assert start_calls(harness) == []
    (video,) = harness.repository.recent_videos().items
    assert {job.status for job in video.jobs.values()} == {JobStatus.FAILED}
    assert {job.error_code for job in video.jobs.values()} == {code}


def test_oversized_videos_are_rejected_from_the_event(harness):
    put(harness, "huge.mp4")
    harness.run_starter()
    calls_before = len(start_calls(harness))
    huge = s3_event_body(harness.resources.bucket, "huge.mp4", size=11 * 1024**3, etag="other")
    response, _ = invoke(harness.starter.handler, huge)
    assert failed_ids(response) == []
    assert len(start_calls(harness)) == calls_before
    failed = [v for v in harness.repository.recent_videos().items if v.size == len(sample_video_bytes())]
    assert failed  # the real upload
    codes = {job.error_code for video in harness.repository.recent_videos().items for job in video.jobs.values()}
    assert "VideoTooLarge" in codes


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "local-videos"}),
        "this is not json",
        json.dumps({"Records": [{"unexpected": True}]}),
    ],
)
def test_test_events_and_malformed_messages_are_dropped_without_writes(harness, body):
    response, _ = invoke(harness.starter.handler, body)
    assert failed_ids(response) == []
    assert start_calls(harness) == []
    assert harness.repository.recent_videos().items == []


def test_non_video_objects_are_ignored(harness):
    put(harness, "notes.txt", b"hello")
    response, _ = invoke(harness.starter.handler, s3_event_body(harness.resources.bucket, "notes.txt"))
    assert failed_ids(response) == []
    assert start_calls(harness) == [] and harness.repository.recent_videos().items == []


def test_an_object_deleted_before_the_event_is_ignored(harness):
    response, _ = invoke(harness.starter.handler, s3_event_body(harness.resources.bucket, "gone.mp4"))
    assert failed_ids(response) == []
    assert harness.repository.recent_videos().items == []


@pytest.mark.parametrize("code", RETRYABLE)
def test_transient_errors_are_retried_with_backoff(harness, sleeps, code):
    harness.fake.inject_fault("StartFaceDetection", code, times=2)
    harness.upload("v.mp4")
    stats = harness.run_starter()
    assert stats.failed == 0
    assert len(sleeps) == 2 and all(0 <= pause <= 4.0 for pause in sleeps)
    (video,) = harness.repository.recent_videos().items
    assert video.jobs["faces"].status is JobStatus.IN_PROGRESS


@pytest.mark.parametrize("code", RETRYABLE)
def test_persistent_transient_errors_hand_the_message_back_and_lose_nothing(harness, code):
    harness.fake.inject_fault("StartCelebrityRecognition", code, times=4)
    put(harness, "v.mp4")
    harness.run_starter()
    body = s3_event_body(harness.resources.bucket, "v.mp4", etag="other-etag")
    harness.fake.inject_fault("StartCelebrityRecognition", code, times=4)
    response, ids = invoke(harness.starter.handler, body, s3_event_body(harness.resources.bucket, "absent.mp4"))
    assert failed_ids(response) == [ids[0]]  # only the message that could not finish
    videos = {video.video_id: video for video in harness.repository.recent_videos().items}
    starting = [v for v in videos.values() if v.jobs["celebrities"].status is JobStatus.STARTING]
    assert starting and all(v.jobs["faces"].status is JobStatus.IN_PROGRESS for v in starting)
    # The queue delivers it again once the fault has passed: the job starts, nothing is duplicated.
    response, _ = invoke(harness.starter.handler, body)
    assert failed_ids(response) == []
    videos = harness.repository.recent_videos().items
    assert all(job.status is JobStatus.IN_PROGRESS for video in videos for job in video.jobs.values())
    assert harness.fake.in_progress_count == 6


def test_quota_held_by_other_workloads_is_waited_for_without_counting_a_failure(harness):
    """LimitExceededException for hours must never march an upload into the dead-letter queue."""
    harness.fake.inject_fault("StartCelebrityRecognition", "LimitExceededException", times=1000)
    body = s3_event_body(harness.resources.bucket, "v.mp4")
    put(harness, "v.mp4")
    for attempt in range(1, 4):
        response, _ = invoke(harness.starter.handler, body)
        assert failed_ids(response) == []  # the receive succeeds: nothing counts toward maxReceiveCount
        assert delayed(harness.resources.starter_queue_url) == attempt  # sent back to wait, with a delay
    (video,) = harness.repository.recent_videos().items
    # A full quota makes the upload's later analyses wait too, without asking again; no slot while waiting.
    assert video.jobs["celebrities"].status is JobStatus.STARTING and video.jobs["persons"].status is JobStatus.STARTING
    assert holders(harness) == {f"{video.video_id}#faces"}


def delayed(queue_url):
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessagesDelayed"])


def holders(harness):
    from video_pipeline.schema import LEDGER_KEY

    table = boto3.resource("dynamodb").Table(harness.resources.jobs_table)
    return set((table.get_item(Key=LEDGER_KEY).get("Item") or {}).get("holders", set()))


def test_events_for_another_bucket_are_dropped(harness):
    other = "someone-elses-bucket"
    boto3.client("s3").create_bucket(Bucket=other)
    boto3.client("s3").put_object(Bucket=other, Key="v.mp4", Body=sample_video_bytes())
    response, _ = invoke(harness.starter.handler, s3_event_body(other, "v.mp4"))
    assert failed_ids(response) == []
    assert harness.repository.recent_videos().items == [] and start_calls(harness) == []


def test_an_event_for_a_deleted_bucket_is_ignored_not_retried(harness):
    s3 = boto3.client("s3")
    for version in s3.list_object_versions(Bucket=harness.resources.bucket).get("Versions", []):
        s3.delete_object(Bucket=harness.resources.bucket, Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=harness.resources.bucket)
    response, _ = invoke(harness.starter.handler, s3_event_body(harness.resources.bucket, "v.mp4"))
    assert failed_ids(response) == [] and start_calls(harness) == []


def test_json_nested_too_deeply_is_dropped_not_retried(harness):
    response, _ = invoke(harness.starter.handler, "[" * 100_000 + "]" * 100_000)
    assert failed_ids(response) == []
    response, _ = invoke(harness.collector.handler, '{"a":' * 100_000 + "1" + "}" * 100_000)
    assert failed_ids(response) == []


@pytest.mark.parametrize("code", PERMANENT)
def test_permanent_errors_fail_the_job_with_its_reason_and_not_the_batch(harness, code):
    harness.fake.inject_fault("StartLabelDetection", code, times=1, message=f"simulated {code}")
    harness.upload("v.mp4")
    stats = harness.run_starter()
    assert stats.failed == 0
    (video,) = harness.repository.recent_videos().items
    persons = video.jobs["persons"]
    assert persons.status is JobStatus.FAILED
    assert persons.error_code == code and f"simulated {code}" in (persons.status_message or "")
    assert video.jobs["faces"].status is JobStatus.IN_PROGRESS
    assert video.jobs["celebrities"].status is JobStatus.IN_PROGRESS
    # No job runs for the failed start, so it holds no slot.
    assert holders(harness) == {f"{video.video_id}#faces", f"{video.video_id}#celebrities"}


def test_enabled_analyses_and_face_attributes_are_configurable(harness):
    from in_process.functions import pipeline_functions

    env = harness.resources.environment(analyses=("faces",), face_attributes="DEFAULT")
    harness.redeploy_starter(pipeline_functions(env).starter)
    harness.upload("only-faces.mp4")
    harness.run_starter()
    ((operation, params),) = start_calls(harness)
    assert operation == "StartFaceDetection" and params["FaceAttributes"] == "DEFAULT"
