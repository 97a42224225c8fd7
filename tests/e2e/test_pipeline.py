"""Uploads go in through S3; results come out of DynamoDB; every hop between is the real wiring
(S3 notification -> SQS -> starter, Rekognition fake -> SNS -> SQS -> collector), with duplicates
injected at both queues."""

from __future__ import annotations

import boto3
from video_pipeline.models import JobStatus

from tests.stored import expected_detections

KEYS = ["plain.mp4", "with space/and+plus.mov", "ünïcödé/日本語 ファイル.m4v", "deep/a/b/c/clip.MP4"]


def duplicate_queue(queue_url: str, copies: int) -> int:
    """Re-send every waiting message `copies` more times (SQS and SNS deliver at least once)."""
    sqs = boto3.client("sqs")
    received = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=300).get(
        "Messages", []
    ):
        received.extend(messages)
    for message in received:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    bodies = [message["Body"] for message in received]
    for body in bodies:
        for _ in range(copies):
            sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    return len(bodies)


def all_detections(repository, video_id, analysis):
    items, cursor = [], None
    while True:
        page = repository.detections(video_id, analysis, limit=500, cursor=cursor)
        items.extend(page.items)
        if not (cursor := page.cursor):
            return items


def test_uploaded_videos_end_as_complete_results_exactly_once(harness):
    for index, key in enumerate(KEYS):
        harness.fake.script(harness.resources.bucket, key, detections=400 * (index + 1))
        harness.upload(key)
    harness.upload("notes.txt", b"not a video")  # filtered by the bucket notification

    # S3's setup test event is in the queue too.
    assert duplicate_queue(harness.resources.starter_queue_url, copies=2) == len(KEYS) + 1
    harness.run_starter()
    assert harness.fake.in_progress_count == 3 * len(KEYS)  # duplicates started nothing

    assert len(harness.complete_jobs()) == 3 * len(KEYS)
    assert duplicate_queue(harness.resources.results_queue_url, copies=2) == 3 * len(KEYS)
    harness.run_collector()

    videos = {video.key: video for video in harness.repository.recent_videos(limit=50).items}
    assert set(videos) == set(KEYS)
    for key, video in videos.items():
        for analysis, job in video.jobs.items():
            assert job.status is JobStatus.SUCCEEDED, (key, analysis)
            expected = expected_detections(harness.fake, job)
            stored = all_detections(harness.repository, video.video_id, analysis)
            assert [d.data for d in stored] == expected, (key, analysis)
            assert job.detection_count == len(expected) > 0
            assert len(harness.fake.results(job.job_id)) == 400 * (KEYS.index(key) + 1)
            keys = [(d.timestamp_ms, d.job_id) for d in stored]
            assert keys == sorted(keys)
    assert harness.starter_stats.failed == 0 and harness.collector_stats.failed == 0
