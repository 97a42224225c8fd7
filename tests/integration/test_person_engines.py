"""Person tracking on either engine: label detection plus the tracker, or People Pathing while it lasts."""

from __future__ import annotations

from video_pipeline.analyses import PERSON_LABEL_MIN_CONFIDENCE
from video_pipeline.logic.reading import job_view
from video_pipeline.models import JobStatus

from local.report import collect, render
from tests.integration.test_collector import stored
from tests.stored import expected_detections


def persons_job(harness, key="walk.mp4"):
    (video,) = [v for v in harness.repository.recent_videos().items if v.key == key]
    return video, video.jobs["persons"]


def start_calls(harness, operation):
    return [params for name, params in harness.fake.calls if name == operation]


def test_the_labels_engine_asks_for_people_and_stores_tracks_shaped_like_people_pathing(harness):
    harness.fake.script(harness.resources.bucket, "walk.mp4", api="StartLabelDetection", detections=600)
    harness.upload("walk.mp4")
    harness.run_until_idle()

    (request,) = start_calls(harness, "StartLabelDetection")
    assert request["Settings"] == {"GeneralLabels": {"LabelInclusionFilters": ["Person"]}}
    assert request["MinConfidence"] == PERSON_LABEL_MIN_CONFIDENCE
    assert start_calls(harness, "StartPersonTracking") == []
    gets = start_calls(harness, "GetLabelDetection")
    assert gets and all(get["AggregateBy"] == "TIMESTAMPS" and get["SortBy"] == "TIMESTAMP" for get in gets)

    video, job = persons_job(harness)
    assert (job.status, job.engine) == (JobStatus.SUCCEEDED, "labels")
    detections = stored(harness, video, "persons")
    assert [d.data for d in detections] == expected_detections(harness.fake, job)
    indexes = {d.data["Person"]["Index"] for d in detections}
    assert len(indexes) == job.entity_count >= 2 and indexes == set(range(len(indexes)))
    for detection in detections:
        # GetPersonTracking's fields, and the pipeline's own mark on a person seen at one instant only.
        assert set(detection.data) - {"SingleSighting"} == {"Timestamp", "Person"}
        assert detection.data.get("SingleSighting", True) is True
        assert detection.label == str(detection.data["Person"]["Index"])
    # The repository's person track works unchanged.
    track = harness.repository.person_track(video.video_id, 0, limit=1000).items
    assert track and {d.data["Person"]["Index"] for d in track} == {0}


def test_the_native_engine_calls_people_pathing_where_the_account_still_has_it(harness, person_engine):
    person_engine("native")
    harness.fake.script(harness.resources.bucket, "walk.mp4", detections=50)
    harness.upload("walk.mp4")
    harness.run_until_idle()
    video, job = persons_job(harness)
    assert (job.status, job.engine) == (JobStatus.SUCCEEDED, "native")
    assert start_calls(harness, "StartLabelDetection") == []
    assert [d.data for d in stored(harness, video, "persons")] == harness.fake.results(job.job_id)


def test_a_refused_native_engine_fails_the_job_naming_the_labels_engine(harness, person_engine):
    person_engine("native")
    harness.fake.people_pathing = False
    harness.upload("walk.mp4")
    stats = harness.run_starter()
    assert stats.failed == 0
    video, job = persons_job(harness)
    assert (job.status, job.error_code, job.engine) == (JobStatus.FAILED, "AccessDeniedException", "native")
    assert "'labels' engine" in (job.status_message or "") and "personTrackingEngine" in (job.status_message or "")
    assert video.jobs["faces"].status is JobStatus.IN_PROGRESS
    assert start_calls(harness, "StartLabelDetection") == []


def test_a_refused_native_engine_falls_back_to_labels_when_configured(harness, person_engine):
    person_engine("native", fallback=True)
    harness.fake.people_pathing = False
    harness.fake.script(harness.resources.bucket, "walk.mp4", api="StartLabelDetection", detections=400)
    harness.upload("walk.mp4")
    harness.run_until_idle()
    # A re-delivered upload starts nothing again: the job is claimed and the fallback idempotent.
    harness.upload("walk.mp4")
    harness.run_until_idle()
    video, job = persons_job(harness)
    assert (job.status, job.engine) == (JobStatus.SUCCEEDED, "labels")
    assert len(start_calls(harness, "StartLabelDetection")) == 1
    assert len(start_calls(harness, "StartPersonTracking")) == 1
    assert job.detection_count == len(stored(harness, video, "persons")) > 0


def _label_instant(timestamp: int, lefts: list[float]) -> dict:
    """One GetLabelDetection element: the Person label with one boxed instance per left edge."""
    instances = [
        {"BoundingBox": {"Width": 0.1, "Height": 0.4, "Left": left, "Top": 0.3}, "Confidence": 99.0} for left in lefts
    ]
    return {"Timestamp": timestamp, "Label": {"Name": "Person", "Confidence": 99.0, "Instances": instances}}


def test_persons_seen_at_one_instant_are_stored_marked_and_counted_on_the_job(harness):
    """AWS's person-tracking example (two persons at one instant) given to the collector as label
    results, plus one person walking for a second: all three stored, the two counted on the job."""
    walking = [_label_instant(t, [0.1 + t / 100_000]) for t in range(1_000, 2_001, 200)]
    elements = [_label_instant(0, [0.2, 0.7]), *walking]
    harness.fake.script(harness.resources.bucket, "walk.mp4", api="StartLabelDetection", elements=elements)
    harness.upload("walk.mp4")
    harness.run_until_idle()

    video, job = persons_job(harness)
    assert job.status is JobStatus.SUCCEEDED
    detections = stored(harness, video, "persons")
    marked = {d.data["Person"]["Index"] for d in detections if d.data.get("SingleSighting")}
    unmarked = {d.data["Person"]["Index"] for d in detections if not d.data.get("SingleSighting")}
    assert len(marked) == 2 and len(unmarked) == 1
    assert (job.entity_count, job.single_sighting_count) == (3, 2)
    # The read API's view of the job carries the count, and the local run's report says it.
    assert job_view(job).model_dump()["single_sighting_count"] == 2
    page = render([(video, collect(harness.repository, video, None))], {})
    assert '<span class="seen-once">(2 seen once)</span>' in page
