"""Start*: idempotency, the concurrent-job limit, and the S3 checks the service makes."""

from __future__ import annotations

import re

import pytest

from emulator import JobStatus, RekognitionVideoFake
from tests.emulator import conftest
from tests.emulator.conftest import BUCKET, KEY, SINGLE_ATTEMPT, start, upload, video_param

pytestmark = pytest.mark.integration

MODEL_JOB_ID = re.compile(r"^[a-zA-Z0-9-_]+$")


def test_a_job_id_looks_like_the_services(fake, video, rekognition):
    job_id = start(rekognition)
    assert re.fullmatch(r"[0-9a-f]{64}", job_id) and MODEL_JOB_ID.match(job_id)


def test_the_job_record_keeps_what_the_start_call_said(fake, video, rekognition, channel):
    params = {"ClientRequestToken": "tok-1", "JobTag": "tag:1", "NotificationChannel": channel.notification_channel}
    job_id = start(rekognition, FaceAttributes="ALL", **params)
    job = fake.jobs[job_id]
    assert (job.api, job.status, job.token, job.tag, job.topic_arn) == (
        "StartFaceDetection",
        JobStatus.IN_PROGRESS,
        "tok-1",
        "tag:1",
        channel.topic_arn,
    )
    assert job.params == {"Video": video_param(), "FaceAttributes": "ALL", **params}
    assert (job.bucket, job.key, job.version) == (BUCKET, KEY, None)
    assert job.created_at == pytest.approx(fake.clock.now(), abs=5) and job.completed_at is None


def test_the_same_token_and_parameters_return_the_same_job(fake, video, rekognition):
    first = start(rekognition, ClientRequestToken="same-token", JobTag="t")
    again = start(rekognition, ClientRequestToken="same-token", JobTag="t")
    assert first == again and len(fake.jobs) == 1 and fake.in_progress_count == 1
    fake.complete_jobs()
    assert start(rekognition, ClientRequestToken="same-token", JobTag="t") == first  # also after it ended


def test_the_same_token_with_other_parameters_is_a_mismatch(fake, video, rekognition):
    start(rekognition, ClientRequestToken="same-token", FaceAttributes="DEFAULT")
    with pytest.raises(rekognition.exceptions.IdempotentParameterMismatchException):
        start(rekognition, ClientRequestToken="same-token", FaceAttributes="ALL")
    assert len(fake.jobs) == 1


def test_tokens_are_scoped_to_their_operation(fake, video, rekognition):
    faces = start(rekognition, ClientRequestToken="shared")
    persons = start(rekognition, "StartPersonTracking", ClientRequestToken="shared")
    assert faces != persons and len(fake.jobs) == 2


def test_starts_without_a_token_always_start_new_jobs(fake, video, rekognition):
    assert start(rekognition) != start(rekognition)


def test_the_concurrent_job_limit_rejects_new_jobs_but_not_replays(aws, video):
    limited = RekognitionVideoFake(concurrent_job_limit=2)
    client = conftest.client("rekognition", SINGLE_ATTEMPT)
    with limited.activate():
        first = start(client, ClientRequestToken="one")
        start(client, "StartPersonTracking")
        with pytest.raises(client.exceptions.LimitExceededException):
            start(client, "StartCelebrityRecognition")
        assert start(client, ClientRequestToken="one") == first
        assert limited.in_progress_count == 2 and len(limited.jobs) == 2
        limited.complete_jobs([first])
        start(client, "StartCelebrityRecognition")
    assert limited.max_in_progress == 2 and limited.in_progress_count == 2


def test_a_missing_object_is_an_invalid_s3_object(fake, video, rekognition):
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException, match="Unable to get object metadata"):
        start(rekognition, key="absent.mp4")
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        rekognition.start_person_tracking(Video=video_param(bucket="no-such-bucket"))
    assert fake.jobs == {}


def test_object_versions_are_checked_and_echoed(fake, s3, rekognition):
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"\x00\x00\x00\x08ftyp")["VersionId"]
    job_id = rekognition.start_face_detection(Video=video_param(version=version))["JobId"]
    assert fake.jobs[job_id].version == version
    assert rekognition.get_face_detection(JobId=job_id)["Video"] == video_param(version=version)
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        rekognition.start_face_detection(Video=video_param(version="not-a-version"))


def test_videos_over_ten_gibibytes_are_too_large(fake, video, rekognition):
    fake.set_object_size(BUCKET, KEY, 10 * 1024**3)
    start(rekognition)  # exactly the limit is allowed
    fake.set_object_size(BUCKET, KEY, 10 * 1024**3 + 1)
    with pytest.raises(rekognition.exceptions.VideoTooLargeException, match="10GB"):
        start(rekognition, "StartPersonTracking")
    assert len(fake.jobs) == 1


def test_a_size_override_does_not_resurrect_a_missing_object(fake, video, rekognition):
    fake.set_object_size(BUCKET, "ghost.mp4", 1024)
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        start(rekognition, key="ghost.mp4")


def test_calls_and_errors_are_recorded_in_order(fake, video, rekognition):
    job_id = start(rekognition, JobTag="a")
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        start(rekognition, key="absent.mp4")
    rekognition.get_face_detection(JobId=job_id, MaxResults=5)
    assert [(operation, params.get("JobTag") or params.get("MaxResults")) for operation, params in fake.calls] == [
        ("StartFaceDetection", "a"),
        ("StartFaceDetection", None),
        ("GetFaceDetection", 5),
    ]
    assert fake.errors == [("StartFaceDetection", "InvalidS3ObjectException")]


def test_unicode_and_spaces_in_keys_are_plain_names(fake, s3, rekognition):
    s3.create_bucket(Bucket=BUCKET)
    key = "ünïcödé/日本語 ファイル+1.mov"
    upload(key)
    job_id = start(rekognition, key=key)
    fake.complete_jobs()
    assert rekognition.get_face_detection(JobId=job_id)["Video"]["S3Object"]["Name"] == key
