"""The six dashboard access patterns, against data the pipeline itself wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from video_pipeline.models import JobStatus

from tests.stored import expected_detections


def run(harness, keys, detections=50):
    for key in keys:
        harness.fake.script(harness.resources.bucket, key, detections=detections)
        harness.upload(key)
        harness.run_starter()
    harness.complete_jobs()
    harness.run_collector()


def test_recent_videos_newest_first_paginated_with_statuses(harness):
    run(harness, [f"v{i}.mp4" for i in range(5)])
    first = harness.repository.recent_videos(limit=2)
    second = harness.repository.recent_videos(limit=2, cursor=first.cursor)
    third = harness.repository.recent_videos(limit=2, cursor=second.cursor)
    pages = [first, second, third]
    videos = [video for page in pages for video in page.items]
    assert [len(page.items) for page in pages] == [2, 2, 1] and third.cursor is None
    assert len({video.video_id for video in videos}) == 5
    uploaded = [video.uploaded_at for video in videos]
    assert uploaded == sorted(uploaded, reverse=True)
    assert all(set(video.jobs) == {"faces", "celebrities", "persons"} for video in videos)
    assert all(job.status is JobStatus.SUCCEEDED for video in videos for job in video.jobs.values())


def test_one_video_with_jobs_counts_and_metadata(harness):
    run(harness, ["one.mp4"], detections=12)
    (summary,) = harness.repository.recent_videos().items
    video = harness.repository.video(summary.video_id)
    assert video is not None and video.key == "one.mp4"
    assert {video.jobs[name].detection_count for name in ("faces", "celebrities")} == {12}
    assert all(job.detection_count == len(expected_detections(harness.fake, job)) for job in video.jobs.values())
    assert all(job.video_metadata and job.video_metadata["DurationMillis"] > 0 for job in video.jobs.values())
    assert harness.repository.video("0" * 32) is None


def test_detections_in_a_time_window_in_time_order(harness):
    run(harness, ["w.mp4"], detections=300)
    (video,) = harness.repository.recent_videos().items
    everything = harness.repository.detections(video.video_id, "faces", limit=1000).items
    timestamps = [d.timestamp_ms for d in everything]
    low, high = timestamps[len(timestamps) // 4], timestamps[len(timestamps) // 2]
    window = harness.repository.detections(video.video_id, "faces", start_ms=low, end_ms=high, limit=1000).items
    assert window and all(low <= d.timestamp_ms <= high for d in window)
    assert len(window) == sum(1 for t in timestamps if low <= t <= high)
    assert [d.timestamp_ms for d in window] == sorted(d.timestamp_ms for d in window)


def test_celebrity_appearances_across_videos(harness):
    run(harness, ["c1.mp4", "c2.mp4", "c3.mp4"], detections=40)
    celebrity_ids = {}
    for video in harness.repository.recent_videos().items:
        for d in harness.repository.detections(video.video_id, "celebrities").items:
            celebrity_ids.setdefault(d.data["Celebrity"]["Id"], set()).add(video.video_id)
    celebrity, videos = max(celebrity_ids.items(), key=lambda item: len(item[1]))
    assert len(videos) >= 2, "the fake's gallery should repeat celebrities across videos"
    appearances = harness.repository.celebrity_appearances(celebrity, limit=1000).items
    assert {a.video_id for a in appearances} == videos
    assert all(a.data["Celebrity"]["Id"] == celebrity for a in appearances)
    expected = sum(
        1
        for v in videos
        for d in harness.repository.detections(v, "celebrities").items
        if d.data["Celebrity"]["Id"] == celebrity
    )
    assert len(appearances) == expected


def test_person_track_within_a_video(harness):
    run(harness, ["p.mp4"], detections=200)
    (video,) = harness.repository.recent_videos().items
    persons = harness.repository.detections(video.video_id, "persons", limit=1000).items
    index = persons[0].data["Person"]["Index"]
    track = harness.repository.person_track(video.video_id, index, limit=1000).items
    assert track and all(d.data["Person"]["Index"] == index for d in track)
    assert len(track) == sum(1 for d in persons if d.data["Person"]["Index"] == index)
    assert [d.timestamp_ms for d in track] == sorted(d.timestamp_ms for d in track)


def test_jobs_in_a_status_older_than_an_age(harness):
    harness.upload("stuck.mp4")
    harness.run_starter()
    now = datetime.now(UTC)
    assert harness.repository.jobs_in_status(JobStatus.IN_PROGRESS, timedelta(minutes=5), now=now).items == []
    later = now + timedelta(hours=2)
    stuck = harness.repository.jobs_in_status(JobStatus.IN_PROGRESS, timedelta(hours=1), now=later).items
    assert {job.analysis for job in stuck} == {"faces", "celebrities", "persons"}
    assert harness.repository.jobs_in_status(JobStatus.SUCCEEDED, timedelta(0), now=later).items == []
