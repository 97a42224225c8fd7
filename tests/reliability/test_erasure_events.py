"""Erasure trusts S3, not the event: late, reordered and forged removal events."""

from __future__ import annotations

import boto3
from video_pipeline.dal.detections_store import DetectionsStore

from tests.integration.events import failed_ids, invoke, s3_event_body
from tests.reliability.test_recovery import (
    delete_in_s3,
    detection_videos,
    discard_queued,
    erase,
    next_sequencer,
    uploaded_with_version,
)


def collected(harness):
    harness.complete_jobs()
    harness.run_collector()


def test_a_late_delete_marker_after_a_reupload_keeps_the_current_video(harness):
    """Upload, delete, upload again; the delete marker's event arrives after the second upload's."""
    old, _ = uploaded_with_version(harness, "v.mp4")
    marker = delete_in_s3(harness, "v.mp4")
    marker_sequencer = next_sequencer()  # S3 ordered the delete before the re-upload ...
    current, _ = uploaded_with_version(harness, "v.mp4")
    collected(harness)
    erase(harness, "v.mp4", version=marker, event="ObjectRemoved:DeleteMarkerCreated", sequencer=marker_sequencer)
    # ... so it erases what came before it, and never the video uploaded after it.
    assert harness.repository.video(old.video_id) is None
    assert harness.repository.video(current.video_id) is not None
    assert detection_videos(harness) == {current.video_id}


def test_a_forged_removal_of_an_object_that_still_exists_erases_nothing(harness):
    video, version = uploaded_with_version(harness, "v.mp4")
    collected(harness)
    erase(harness, "v.mp4", version=version)  # the version was never deleted
    erase(harness, "v.mp4", version="no-such-marker", event="ObjectRemoved:DeleteMarkerCreated")
    erase(harness, "v.mp4")  # as if from an unversioned bucket: the object is still there
    assert harness.repository.video(video.video_id) is not None
    assert detection_videos(harness) == {video.video_id}


def test_an_unversioned_delete_erases_the_video_once_the_object_is_gone(harness):
    video, _ = uploaded_with_version(harness, "v.mp4")
    collected(harness)
    s3 = boto3.client("s3")
    for entry in s3.list_object_versions(Bucket=harness.resources.bucket, Prefix="v.mp4").get("Versions", []):
        s3.delete_object(Bucket=harness.resources.bucket, Key="v.mp4", VersionId=entry["VersionId"])
    discard_queued(harness.resources.starter_queue_url)
    erase(harness, "v.mp4")
    assert harness.repository.video(video.video_id) is None and detection_videos(harness) == set()


def test_lifecycle_expiry_of_a_noncurrent_version_erases_its_results(harness):
    """Noncurrent versions expire by the lifecycle rule, which sends LifecycleExpiration, not ObjectRemoved."""
    old, old_version = uploaded_with_version(harness, "v.mp4")
    current, _ = uploaded_with_version(harness, "v.mp4")
    collected(harness)
    delete_in_s3(harness, "v.mp4", old_version)  # what the lifecycle rule does after 30 days
    erase(harness, "v.mp4", version=old_version, event="LifecycleExpiration:Delete")
    assert harness.repository.video(old.video_id) is None
    assert detection_videos(harness) == {current.video_id}


def test_erasure_deletes_more_than_a_query_page_of_detections(harness):
    """DynamoDB returns at most 1 MB per Query: a busy job's detections span several pages."""
    # Packed and compressed, faces with every attribute take ~220 bytes each: 6,000 are over 1 MB.
    video, version = uploaded_with_version(harness, "busy.mp4", detections=6000)
    collected(harness)
    job_id = harness.repository.video(video.video_id).jobs["faces"].job_id
    first = (
        boto3.resource("dynamodb")
        .Table(harness.resources.detections_table)
        .query(KeyConditionExpression="pk = :j", ExpressionAttributeValues={":j": job_id})
    )
    size = sum(len(bytes(item["z"])) for item in first["Items"])
    assert harness.stored_detections(job_id) == 6000 and size > 900_000 and "LastEvaluatedKey" in first
    delete_in_s3(harness, "busy.mp4", version)
    erase(harness, "busy.mp4", version=version)
    assert detection_videos(harness) == set()


def test_a_timed_out_erasure_continues_in_the_next_delivery(harness, monkeypatch):
    video, version = uploaded_with_version(harness, "v.mp4", detections=1200)
    collected(harness)
    delete_in_s3(harness, "v.mp4", version)
    body = s3_event_body(harness.resources.bucket, "v.mp4", version=version, event_name="ObjectRemoved:Delete")
    delete_job = DetectionsStore.delete_job
    # The first delivery runs out of time after its first Query page; the message comes back.
    monkeypatch.setattr(DetectionsStore, "delete_job", lambda self, job_id, time_left, reserve: False)
    response, ids = invoke(harness.starter.handler, body)
    assert failed_ids(response) == ids
    assert harness.repository.video(video.video_id) is None  # already out of every listing
    monkeypatch.setattr(DetectionsStore, "delete_job", delete_job)
    response, _ = invoke(harness.starter.handler, body)
    assert failed_ids(response) == [] and detection_videos(harness) == set()


def test_an_upload_event_of_a_deleted_video_delivered_late_starts_nothing(harness):
    """The upload's event arrives after the video was deleted and erased: no job, no results."""
    video, version = uploaded_with_version(harness, "v.mp4")
    collected(harness)
    marker = delete_in_s3(harness, "v.mp4")  # the version stays readable, hidden by the marker
    erase(harness, "v.mp4", version=marker, event="ObjectRemoved:DeleteMarkerCreated")
    starts = len([call for call in harness.fake.calls if call.operation.startswith("Start")])
    body = s3_event_body(harness.resources.bucket, "v.mp4", version=version, sequencer=next_sequencer())
    response, _ = invoke(harness.starter.handler, body)
    assert failed_ids(response) == []
    assert len([call for call in harness.fake.calls if call.operation.startswith("Start")]) == starts
    assert harness.repository.video(video.video_id) is None and detection_videos(harness) == set()
