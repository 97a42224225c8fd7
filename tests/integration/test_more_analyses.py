"""The analyses beyond the default three, each enabled by one setting: started with the deployment's
options, collected through the same path (routed by the jobs table), stored in the packed layout,
read back exactly as Rekognition returned them, and never duplicated by re-delivered notices."""

from __future__ import annotations

import json

import boto3
from video_pipeline.contract import Env
from video_pipeline.models import JobStatus

from in_process.functions import pipeline_functions
from tests.integration.events import failed_ids, invoke
from tests.integration.test_collector import stored

MORE = ("labels", "moderation", "text", "segments")
OPTIONS = {"moderation": {"MinConfidence": 70}, "segments": {"SegmentTypes": ["SHOT"]}}


def enable(harness, analyses=MORE, options=OPTIONS):
    variables = {Env.ENABLED_ANALYSES: ",".join(analyses), Env.ANALYSIS_OPTIONS: json.dumps(options)}
    harness.redeploy_starter(pipeline_functions({**harness.resources.environment(), **variables}).starter)


def test_each_further_analysis_is_one_setting_started_with_its_options_and_stored_as_returned(harness):
    enable(harness)
    harness.fake.script(harness.resources.bucket, "show.mp4", detections=1234)  # two Get* pages each
    harness.upload("show.mp4")
    harness.run_until_idle()

    starts = {operation: params for operation, params in harness.fake.calls if operation.startswith("Start")}
    assert set(starts) == {
        "StartLabelDetection",
        "StartContentModeration",
        "StartTextDetection",
        "StartSegmentDetection",
    }
    assert starts["StartContentModeration"]["MinConfidence"] == 70
    assert starts["StartSegmentDetection"]["SegmentTypes"] == ["SHOT"]
    assert starts["StartLabelDetection"]["Features"] == ["GENERAL_LABELS"]
    (video,) = harness.repository.recent_videos().items
    assert set(video.jobs) == set(MORE)
    for name, job in video.jobs.items():
        assert job.status is JobStatus.SUCCEEDED, (name, job.status_message)
        returned = harness.fake.results(job.job_id)
        detections = stored(harness, video, name)
        assert len(returned) == job.detection_count == len(detections) > 0, name
        assert [detection.data for detection in detections] == returned, name
        # Every job records one VideoMetadata object (segments' list gives its first stream's).
        assert isinstance(job.video_metadata, dict) and job.video_metadata["Codec"], name


def moderation_and_segments_notices(harness) -> list[str]:
    """A video analysed for moderation and segments; its two completion notices, taken off the queue."""
    enable(harness, ("moderation", "segments"), {})
    harness.fake.script(harness.resources.bucket, "v.mp4", detections=40)
    harness.upload("v.mp4")
    harness.run_starter()
    harness.complete_jobs()
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=harness.resources.results_queue_url, MaxNumberOfMessages=10)["Messages"]
    return [message["Body"] for message in messages]


def test_redelivered_notices_of_further_analyses_duplicate_nothing(harness):
    bodies = moderation_and_segments_notices(harness)
    response, _ = invoke(harness.collector.handler, *bodies, *bodies, *reversed(bodies))
    assert failed_ids(response) == []
    (video,) = harness.repository.recent_videos().items
    for name in ("moderation", "segments"):
        job = video.jobs[name]
        assert job.status is JobStatus.SUCCEEDED
        assert job.detection_count == len(stored(harness, video, name)) == len(harness.fake.results(job.job_id))


def test_a_label_is_found_across_videos_by_its_appearances(harness):
    enable(harness, ("labels",), {})
    for key in ("a.mp4", "b.mp4"):
        harness.fake.script(harness.resources.bucket, key, detections=60)
        harness.upload(key)
    harness.run_until_idle()
    videos = harness.repository.recent_videos().items
    names: dict[str, set[str]] = {}
    for video in videos:
        for detection in stored(harness, video, "labels"):
            names.setdefault(detection.data["Label"]["Name"], set()).add(video.video_id)
    name, seen_in = max(names.items(), key=lambda item: len(item[1]))
    found = harness.repository.appearances("labels", name, limit=1000).items
    assert {detection.video_id for detection in found} == seen_in
    assert all(detection.data["Label"]["Name"] == name for detection in found)
    assert len(found) == sum(
        1 for video in videos for d in stored(harness, video, "labels") if d.data["Label"]["Name"] == name
    )
