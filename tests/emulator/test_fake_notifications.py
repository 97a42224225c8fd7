"""Completion notifications, as a subscriber of the job's SNS topic receives them."""

from __future__ import annotations

import json
import logging

import pytest

from tests.emulator.conftest import BUCKET, KEY, ROLE_ARN, start

pytestmark = pytest.mark.integration


def test_the_message_has_the_services_exact_format(fake, video, rekognition, channel):
    job_id = start(rekognition, JobTag="rvp:faces:v1", NotificationChannel=channel.notification_channel)
    fake.advance(90)
    assert fake.complete_jobs() == [job_id]
    (message,) = channel.messages()
    completed_ms = int(fake.jobs[job_id].completed_at * 1000)
    assert message == {
        "JobId": job_id,
        "Status": "SUCCEEDED",
        "API": "StartFaceDetection",
        "JobTag": "rvp:faces:v1",
        "Timestamp": completed_ms,
        "Video": {"S3ObjectName": KEY, "S3Bucket": BUCKET},
    }
    assert list(message) == ["JobId", "Status", "API", "JobTag", "Timestamp", "Video"]
    assert completed_ms - fake.jobs[job_id].created_at * 1000 >= 90_000  # the fake's clock, not the wall's


def test_a_job_started_without_a_tag_sends_no_job_tag_at_all(fake, video, rekognition, channel):
    start(rekognition, "StartPersonTracking", NotificationChannel=channel.notification_channel)
    fake.complete_jobs()
    (message,) = channel.messages()
    assert "JobTag" not in message and message["API"] == "StartPersonTracking"


@pytest.mark.parametrize("status", ["FAILED", "ERROR"])
def test_failed_and_errored_jobs_say_so(fake, video, rekognition, channel, status):
    fake.script(BUCKET, KEY, "StartCelebrityRecognition", status=status)
    start(rekognition, "StartCelebrityRecognition", NotificationChannel=channel.notification_channel)
    fake.complete_jobs()
    assert [message["Status"] for message in channel.messages()] == [status]


def test_a_missing_topic_loses_the_message_but_the_job_completes(fake, video, rekognition, channel, caplog):
    topic = "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionGone"
    job_id = start(rekognition, NotificationChannel={"SNSTopicArn": topic, "RoleArn": ROLE_ARN})
    with caplog.at_level(logging.WARNING, logger="emulator"):
        assert fake.complete_jobs() == [job_id]
    assert rekognition.get_face_detection(JobId=job_id)["JobStatus"] == "SUCCEEDED"
    (lost,) = fake.lost_notifications
    assert (lost.job_id, lost.topic_arn) == (job_id, topic)
    assert json.loads(lost.message)["JobId"] == job_id and "NotFound" in lost.reason
    assert job_id in caplog.text and "not delivered" in caplog.text
    assert channel.messages() == []


def test_a_role_that_does_not_exist_means_no_notification(fake, video, rekognition, channel, caplog):
    """The service publishes as the channel's role; a role IAM does not know delivers nothing."""
    gone = "arn:aws:iam::123456789012:role/no-such-role"
    job_id = start(rekognition, NotificationChannel={"SNSTopicArn": channel.topic_arn, "RoleArn": gone})
    with caplog.at_level(logging.WARNING, logger="emulator"):
        assert fake.complete_jobs() == [job_id]
    assert channel.messages() == []
    (lost,) = fake.lost_notifications
    assert lost.job_id == job_id and gone in lost.reason and "does not exist" in lost.reason
    assert gone in caplog.text


def test_notifications_can_be_dropped_by_count(fake, video, rekognition, channel):
    fake.drop_notifications(count=1)
    first = start(rekognition, NotificationChannel=channel.notification_channel)
    second = start(rekognition, NotificationChannel=channel.notification_channel)
    fake.complete_jobs([first])
    fake.complete_jobs([second])
    assert [message["JobId"] for message in channel.messages()] == [second]
    assert [(lost.job_id, lost.reason) for lost in fake.lost_notifications] == [(first, "dropped deliberately")]


def test_notifications_can_be_dropped_by_fraction(fake, video, rekognition, channel):
    fake.drop_notifications(fraction=0.5)
    jobs = [start(rekognition, NotificationChannel=channel.notification_channel) for _ in range(20)]
    fake.complete_jobs()
    delivered = {message["JobId"] for message in channel.messages()}
    lost = {notification.job_id for notification in fake.lost_notifications}
    assert delivered | lost == set(jobs) and not delivered & lost
    assert 0 < len(lost) < 20


def test_jobs_without_a_channel_publish_nothing(fake, video, rekognition, channel):
    start(rekognition)
    assert len(fake.complete_jobs()) == 1
    assert channel.messages() == [] and fake.lost_notifications == []


def test_complete_jobs_finishes_only_what_it_is_given_once(fake, video, rekognition):
    first, second = start(rekognition), start(rekognition, "StartPersonTracking")
    assert fake.complete_jobs([second]) == [second]
    assert fake.in_progress_count == 1 and fake.jobs[first].status.value == "IN_PROGRESS"
    assert fake.complete_jobs([second]) == []
    assert fake.complete_jobs() == [first] and fake.complete_jobs() == []
    with pytest.raises(KeyError):
        fake.complete_jobs(["0" * 64])


def test_drop_settings_are_checked(fake):
    for bad in ({}, {"count": 1, "fraction": 0.5}, {"count": -1}, {"fraction": 1.5}):
        with pytest.raises(ValueError):
            fake.drop_notifications(**bad)
