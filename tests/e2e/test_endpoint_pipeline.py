"""The pipeline against real endpoints: moto's server for AWS and the emulator's HTTP endpoint for
Rekognition, reached by the unchanged handlers and by this test through plain boto3 clients."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from video_pipeline.logic.result_streams import PersonsFromLabels
from video_pipeline.models import JobStatus

from emulator.intercept import ROUTER
from in_process.cloud import LocalCloud, local_cloud
from in_process.environment import provision
from in_process.functions import pipeline_functions
from in_process.harness import PipelineHarness
from tests.e2e.test_pipeline import all_detections

KEYS = ["a.mp4", "b/with space.mov"]
GETS = {
    "faces": ("get_face_detection", "Faces", {}),
    "celebrities": ("get_celebrity_recognition", "Celebrities", {}),
    # The default person engine: Person labels, tracked by the collector into person elements.
    "persons": ("get_label_detection", "Labels", {"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"}),
}


@pytest.fixture
def cloud() -> Iterator[LocalCloud]:
    with local_cloud(workers=2) as running:
        yield running


def _all_results(rekognition, analysis: str, job_id: str) -> list[dict]:
    method, key, options = GETS[analysis]
    elements, token = [], None
    while True:
        page = getattr(rekognition, method)(
            JobId=job_id, MaxResults=100, **options, **({"NextToken": token} if token else {})
        )
        elements.extend(page[key])
        if not (token := page.get("NextToken")):
            break
    if analysis != "persons":
        return elements
    stream = PersonsFromLabels()
    tracked = [dict(element) for element in (*stream.feed(elements), *stream.finish())]
    return sorted(tracked, key=lambda element: element["Timestamp"])


def test_uploads_flow_through_the_endpoints_to_dynamodb(cloud):
    resources = provision(cloud.region, prefix="local")
    functions = pipeline_functions(resources.environment())
    harness = PipelineHarness(
        resources=resources, fake=cloud.fake, starter=functions.starter, collector=functions.collector
    )
    s3 = boto3.client("s3")
    rekognition = boto3.client("rekognition")
    assert rekognition.meta.endpoint_url == cloud.rekognition_url
    assert s3.meta.endpoint_url == cloud.aws_url
    for index, key in enumerate(KEYS):
        cloud.fake.script(resources.bucket, key, detections=150 * (index + 1))
        harness.upload(key)

    harness.run_until_idle()

    assert ROUTER.active is None  # every Rekognition call crossed the socket
    assert sorted(call.operation for call in cloud.fake.calls if call.operation.startswith("Start")) == sorted(
        ["StartFaceDetection", "StartCelebrityRecognition", "StartLabelDetection"] * len(KEYS)
    )
    videos = {video.key: video for video in harness.repository.recent_videos(limit=10).items}
    assert set(videos) == set(KEYS)
    for key, video in videos.items():
        assert set(video.jobs) == set(GETS)
        for analysis, job in video.jobs.items():
            assert job.status is JobStatus.SUCCEEDED, (key, analysis)
            stored = [detection.data for detection in all_detections(harness.repository, video.video_id, analysis)]
            assert stored == _all_results(rekognition, analysis, job.job_id)
            assert len(stored) == job.detection_count
            if analysis != "persons":  # person elements are what the tracker derives from the labels
                assert job.detection_count == 150 * (KEYS.index(key) + 1)
    assert harness.starter_stats.failed == 0 and harness.collector_stats.failed == 0
