"""The eraser's promises (`VideoEraser.erase`), against in-memory stand-ins of its ports."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest
from video_pipeline.analyses import FACES
from video_pipeline.logic.collecting import CollectOutcome, ResultCollector
from video_pipeline.logic.erasing import RESERVE_SECONDS, EraseReport, VideoEraser
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.identity import holder_id, job_tag, video_id
from video_pipeline.logic.notifications import CompletionNotice
from video_pipeline.models import JobRecord, JobStatus, RemovedObject, UploadedObject, Video

from tests.unit.fakes import (
    Clock,
    InMemoryArchive,
    InMemoryBucketState,
    InMemoryDetections,
    InMemoryJobs,
    InMemorySlots,
    ScriptedRekognition,
)

BUCKET, KEY = "videos", "clips/match.mp4"
FIRST = UploadedObject(BUCKET, KEY, 4096, "etag-1", "v-1", "2026-12-01T10:00:00.000Z", sequencer="0A")
SECOND = UploadedObject(BUCKET, KEY, 4096, "etag-2", "v-2", "2026-12-01T11:00:00.000Z", sequencer="0B")


@dataclass
class World:
    jobs: InMemoryJobs = field(default_factory=InMemoryJobs)
    detections: InMemoryDetections = field(default_factory=InMemoryDetections)
    archive: InMemoryArchive = field(default_factory=InMemoryArchive)
    slots: InMemorySlots = field(default_factory=lambda: InMemorySlots(20))
    bucket: InMemoryBucketState = field(default_factory=InMemoryBucketState)
    clock: Clock = field(default_factory=Clock)

    def __post_init__(self) -> None:
        self.eraser = VideoEraser(
            jobs=self.jobs,
            detections=self.detections,
            archive=self.archive,
            slots=self.slots,
            objects=self.bucket,
            clock=self.clock,
        )

    def stored(self, upload: UploadedObject, status: JobStatus = JobStatus.SUCCEEDED) -> str:
        """A video whose faces job ran (or still runs) and wrote a detection and an archived page."""
        video = video_id(upload)
        job = f"job-{video[:8]}"
        self.jobs.put_video(Video(video, upload, 4096), ("faces",))
        self.jobs.seed(
            JobRecord(video, "faces", status, "t", job_tag(FACES, video), BUCKET, KEY, upload.event_time, job_id=job)
        )
        self.detections.write([{"pk": {"S": job}, "sk": {"S": "000000000000#00000000"}}])
        self.archive.put_page(video, "faces", job, 0, {"Faces": []})
        self.slots.holders.add(holder_id(video, "faces"))
        self.bucket.versions[(BUCKET, KEY, upload.version_id or "")] = "object"
        self.bucket.current[(BUCKET, KEY)] = upload.revision
        return video

    def erase(self, removed: RemovedObject, time_left: float = math.inf) -> EraseReport:
        return self.eraser.erase(removed, lambda: time_left)

    def left_of(self, video: str) -> dict[str, object]:
        job = f"job-{video[:8]}"
        return {
            # Listed: present and not a tombstone.
            "video": video in self.jobs.videos and video not in self.jobs.erased_videos,
            "job": (video, "faces") in self.jobs.records,
            "detections": bool(self.detections.of_job(job)),
            "archive": any(key[0] == video for key in self.archive.pages),
            "slot": holder_id(video, "faces") in self.slots.holders,
        }


GONE = dict.fromkeys(("video", "job", "detections", "archive", "slot"), False)
KEPT = dict.fromkeys(("video", "job", "detections", "archive", "slot"), True)


def test_a_version_deleted_for_good_erases_that_video_and_only_it() -> None:
    world = World()
    first, second = world.stored(FIRST), world.stored(SECOND)
    world.bucket.versions[(BUCKET, KEY, "v-1")] = "gone"

    report = world.erase(RemovedObject(BUCKET, KEY, "v-1", delete_marker=False, sequencer="0C"))

    assert report.videos == [first] and report.refused == ""
    assert report.archived_pages == 1
    assert world.left_of(first) == GONE
    assert world.left_of(second) == KEPT


def test_a_version_s3_still_holds_is_not_erased() -> None:
    world = World()
    first = world.stored(FIRST)

    report = world.erase(RemovedObject(BUCKET, KEY, "v-1", delete_marker=False, sequencer="0C"))

    assert report.videos == [] and "still exists" in report.refused
    assert world.left_of(first) == KEPT
    assert not world.jobs.record(first, "faces").erased


def test_a_delete_marker_erases_every_earlier_video_but_not_a_later_upload() -> None:
    world = World()
    first, second = world.stored(FIRST), world.stored(SECOND)
    later = UploadedObject(BUCKET, KEY, 4096, "etag-3", "v-3", "2026-12-01T12:00:00.000Z", sequencer="0D")
    third = world.stored(later)  # uploaded after the marker, and the key's current revision
    world.bucket.versions[(BUCKET, KEY, "marker")] = "delete-marker"

    report = world.erase(RemovedObject(BUCKET, KEY, "marker", delete_marker=True, sequencer="0C"))

    assert sorted(report.videos) == sorted([first, second])
    assert world.left_of(first) == world.left_of(second) == GONE
    assert world.left_of(third) == KEPT


def test_a_delete_marker_s3_does_not_confirm_erases_nothing() -> None:
    world = World()
    first = world.stored(FIRST)

    report = world.erase(RemovedObject(BUCKET, KEY, "marker", delete_marker=True, sequencer="0C"))

    assert report.videos == [] and "no delete marker" in report.refused
    assert world.left_of(first) == KEPT


def test_a_removal_event_for_an_object_that_still_exists_erases_nothing() -> None:
    world = World()
    first = world.stored(FIRST)  # still the key's current revision

    report = world.erase(RemovedObject(BUCKET, KEY, None, delete_marker=False, sequencer="0C"))

    assert report.videos == [] and report.refused == "the object still exists"
    assert world.left_of(first) == KEPT


def test_a_running_job_keeps_its_tombstoned_record_and_slot_until_the_collector_hears_it_ended() -> None:
    world = World()
    first = world.stored(FIRST, status=JobStatus.IN_PROGRESS)
    world.bucket.versions[(BUCKET, KEY, "v-1")] = "gone"

    report = world.erase(RemovedObject(BUCKET, KEY, "v-1", delete_marker=False, sequencer="0C"))

    job = f"job-{first[:8]}"
    assert report.pending_jobs == [job]
    assert world.left_of(first) == {"video": False, "job": True, "detections": False, "archive": False, "slot": True}
    assert world.jobs.record(first, "faces").erased

    # Rekognition ends the job and the collector, told so, removes what it wrote and frees the slot.
    rekognition = ScriptedRekognition()
    rekognition.add_job(job, FACES, status="SUCCEEDED", elements=[{"Timestamp": 0, "Face": {}}])
    collector = ResultCollector(
        jobs=world.jobs, detections=world.detections, rekognition=rekognition, slots=world.slots, archive=world.archive
    )
    notice = CompletionNotice.model_validate(
        {"JobId": job, "Status": "SUCCEEDED", "API": "StartFaceDetection", "JobTag": job_tag(FACES, first)}
    )
    assert collector.handle(notice).outcome is CollectOutcome.ERASED
    assert world.left_of(first) == GONE


def test_an_erasure_that_runs_out_of_time_is_resumed_by_the_next_delivery() -> None:
    world = World()
    first = world.stored(FIRST)
    world.bucket.versions[(BUCKET, KEY, "v-1")] = "gone"
    removed = RemovedObject(BUCKET, KEY, "v-1", delete_marker=False, sequencer="0C")

    with pytest.raises(RetryLaterError):
        world.erase(removed, time_left=RESERVE_SECONDS - 1)
    # The tombstone went first: from now on no collector can finish the job, only erase it.
    assert world.jobs.record(first, "faces").erased

    report = world.erase(removed)

    assert report.videos == [first]
    assert world.left_of(first) == GONE


def test_a_late_delete_marker_event_spares_a_video_uploaded_after_that_marker() -> None:
    world = World()
    first = world.stored(FIRST)
    later = UploadedObject(BUCKET, KEY, 4096, "etag-3", "v-3", "2026-12-01T12:00:00.000Z", sequencer="0D")
    third = world.stored(later)
    # Since then a second delete marker hides the key: nothing is current, only the order protects `third`.
    del world.bucket.current[(BUCKET, KEY)]
    world.bucket.versions[(BUCKET, KEY, "marker")] = "delete-marker"

    report = world.erase(RemovedObject(BUCKET, KEY, "marker", delete_marker=True, sequencer="0C"))

    assert report.videos == [first]
    assert world.left_of(third) == KEPT
