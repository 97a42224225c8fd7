"""Every stored-video analysis at once through the real wiring (S3 notification -> SQS -> starter,
Rekognition fake -> SNS -> SQS -> collector), with every message delivered three times: each analysis
ends with exactly what Rekognition returned, once; labels and persons share one label job."""

from __future__ import annotations

import json

import boto3
from video_pipeline.analyses import REGISTRY
from video_pipeline.composition import Clients
from video_pipeline.contract import Env
from video_pipeline.logic.shared_jobs import is_riding
from video_pipeline.models import JobStatus

from in_process.functions import starter_function
from tests.e2e.test_pipeline import all_detections, duplicate_queue
from tests.images import png
from tests.integration.test_shared_label_job import PERSONS_ASKED, tracked
from tests.reliability.test_shared_label_job import labels_as_asked

EVERY_ANALYSIS = tuple(REGISTRY)
COLLECTION = "local-faces"
# Videos whose synthetic labels include Person (the fake draws three to five labels a video), so that
# persons has tracks to store; 7 jobs each stay within the quota of 20.
KEYS = ["k2.mp4", "with space/and+plus.mov"]


def test_every_analysis_ends_complete_exactly_once_despite_duplicates(harness):
    rekognition = boto3.client("rekognition")
    rekognition.create_collection(CollectionId=COLLECTION)
    rekognition.index_faces(CollectionId=COLLECTION, Image={"Bytes": png(10)}, ExternalImageId="Ada_Lovelace")
    environment = {**harness.resources.environment(EVERY_ANALYSIS), Env.FACE_COLLECTION_ID: COLLECTION}
    harness.redeploy_starter(starter_function(environment, Clients.new()))
    for key in KEYS:
        harness.fake.script(harness.resources.bucket, key, detections=300)
        harness.upload(key)

    # S3's setup test event is in the queue too.
    assert duplicate_queue(harness.resources.starter_queue_url, copies=2) == len(KEYS) + 1
    harness.run_starter()
    jobs_per_video = len(EVERY_ANALYSIS) - 1  # labels and persons: one label job
    assert harness.fake.in_progress_count == jobs_per_video * len(KEYS)  # duplicates started nothing

    assert len(harness.complete_jobs()) == jobs_per_video * len(KEYS)
    assert duplicate_queue(harness.resources.results_queue_url, copies=2) == jobs_per_video * len(KEYS)
    harness.run_collector()

    videos = {video.key: video for video in harness.repository.recent_videos(limit=50).items}
    assert set(videos) == set(KEYS)
    for key, video in videos.items():
        assert set(video.jobs) == set(EVERY_ANALYSIS)
        for analysis, job in video.jobs.items():
            assert job.status is JobStatus.SUCCEEDED, (key, analysis, job.status_message)
            stored = [d.data for d in all_detections(harness.repository, video.video_id, analysis)]
            if analysis == "persons":
                assert is_riding(job.job_id)
                expected = tracked(harness.fake.results(video.jobs["labels"].job_id), PERSONS_ASKED)
            elif analysis == "labels":
                expected = labels_as_asked(harness.fake.results(job.job_id))
            else:
                expected = harness.fake.results(job.job_id)
            if analysis == "segments":
                # GetSegmentDetection sorts by segment type, then time; the table keeps time order.
                assert sorted(stored, key=json.dumps) == sorted(expected, key=json.dumps), key
                starts = [segment["StartTimestampMillis"] for segment in stored]
                assert starts == sorted(starts), key
            else:
                assert stored == expected, (key, analysis)
            assert job.detection_count == len(expected) > 0, (key, analysis)
    assert harness.starter_stats.failed == 0 and harness.collector_stats.failed == 0
