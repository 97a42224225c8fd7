"""The starter's promises (`JobStarter.handle`), against in-memory stand-ins of its ports."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest
from video_pipeline.analyses import CELEBRITIES, FACES, PERSONS, PERSONS_FROM_LABELS, Analysis, JobSettings
from video_pipeline.logic.admission import MAX_VIDEO_BYTES
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.identity import client_request_token, holder_id, job_tag, video_id
from video_pipeline.logic.retry import Backoff
from video_pipeline.logic.starting import (
    JobStarter,
    NotificationChannel,
    StartOutcome,
    UploadReport,
    is_waiting,
    raise_if_deferred,
)
from video_pipeline.models import JobStatus, UploadedObject

from tests.unit.fakes import Clock, InMemoryJobs, InMemoryObjects, InMemorySlots, ScriptedRekognition

CHANNEL = NotificationChannel("arn:aws:sns:us-east-1:123456789012:AmazonRekognition-t", "arn:aws:iam::1:role/r")
SETTINGS = JobSettings()
UPLOAD = UploadedObject(
    bucket="videos",
    key="clips/match.mp4",
    size=4096,
    etag="etag-1",
    version_id="v-1",
    event_time="2026-12-01T11:59:00.000Z",
)
VIDEO = video_id(UPLOAD)
BACKOFF = Backoff(attempts=3)


@dataclass
class World:
    analyses: tuple[Analysis, ...] = (FACES, CELEBRITIES)
    quota: int = 20
    fallbacks: dict[str, Analysis] = field(default_factory=dict)
    jobs: InMemoryJobs = field(default_factory=InMemoryJobs)
    objects: InMemoryObjects = field(default_factory=InMemoryObjects)
    rekognition: ScriptedRekognition = field(default_factory=ScriptedRekognition)
    pauses: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.slots = InMemorySlots(self.quota)
        self.objects.put(UPLOAD.bucket, UPLOAD.key, UPLOAD.version_id, UPLOAD.size or 0)
        self.starter = JobStarter(
            jobs=self.jobs,
            slots=self.slots,
            objects=self.objects,
            rekognition=self.rekognition,
            channel=CHANNEL,
            analyses=self.analyses,
            settings=SETTINGS,
            fallbacks=self.fallbacks,
            backoff=BACKOFF,
            sleep=self.pauses.append,
            clock=Clock(),
        )

    def handle(self, upload: UploadedObject = UPLOAD, *, waited: bool = False) -> UploadReport:
        return self.starter.handle(upload, waited=waited)

    def status(self, analysis: str) -> JobStatus:
        return self.jobs.record(VIDEO, analysis).status

    def start_operations(self) -> list[str]:
        return [operation for operation, _request in self.rekognition.starts]


def token(analysis: Analysis) -> str:
    return client_request_token(analysis, UPLOAD, SETTINGS, (CHANNEL.topic_arn, CHANNEL.role_arn))


def test_each_enabled_analysis_starts_one_job_with_its_token_tag_version_and_channel() -> None:
    world = World()
    report = world.handle()

    assert report.outcomes == {"faces": StartOutcome.STARTED, "celebrities": StartOutcome.STARTED}
    assert world.start_operations() == ["StartFaceDetection", "StartCelebrityRecognition"]
    for (_operation, request), analysis in zip(world.rekognition.starts, world.analyses, strict=True):
        assert request["ClientRequestToken"] == token(analysis)
        assert request["JobTag"] == job_tag(analysis, VIDEO)
        assert request["Video"] == {"S3Object": {"Bucket": "videos", "Name": "clips/match.mp4", "Version": "v-1"}}
        assert request["NotificationChannel"] == {"SNSTopicArn": CHANNEL.topic_arn, "RoleArn": CHANNEL.role_arn}
    assert world.rekognition.starts[0][1]["FaceAttributes"] == "ALL"
    # Each job is recorded as running under the JobId Rekognition returned, and holds a slot.
    job_ids = set()
    for analysis in world.analyses:
        record = world.jobs.record(VIDEO, analysis.name)
        assert record.status is JobStatus.IN_PROGRESS
        assert record.job_id in world.rekognition.jobs
        job_ids.add(record.job_id)
    assert len(job_ids) == 2
    assert world.slots.holders == {holder_id(VIDEO, "faces"), holder_id(VIDEO, "celebrities")}
    assert VIDEO in world.jobs.videos


def test_a_duplicate_upload_event_starts_nothing_new() -> None:
    world = World()
    world.handle()
    before = dict(world.jobs.records)

    again = world.handle()

    assert again.outcomes == {"faces": StartOutcome.DUPLICATE, "celebrities": StartOutcome.DUPLICATE}
    assert len(world.rekognition.starts) == 2
    assert world.jobs.records == before
    assert len(world.slots.holders) == 2


def test_a_retry_after_a_crash_before_the_job_was_recorded_gets_the_same_job() -> None:
    world = World(analyses=(FACES,))
    world.handle()
    first = world.jobs.record(VIDEO, "faces").job_id
    # The invocation died after Start* but before its write: the record is still STARTING.
    world.jobs.seed(replace(world.jobs.record(VIDEO, "faces"), status=JobStatus.STARTING, job_id=None))

    report = world.handle()

    assert report.outcomes == {"faces": StartOutcome.STARTED}
    assert world.jobs.record(VIDEO, "faces").job_id == first
    assert len(world.rekognition.jobs) == 1
    assert world.slots.holders == {holder_id(VIDEO, "faces")}


def test_a_full_quota_makes_the_upload_wait_without_starting_or_holding_a_slot() -> None:
    world = World(quota=1)
    world.slots.holders.add("another-video#faces")

    report = world.handle()

    assert report.outcomes == {"faces": StartOutcome.WAITING, "celebrities": StartOutcome.WAITING}
    assert is_waiting(report)
    raise_if_deferred(report)  # waiting is not a failure: the message never heads for the dead-letter queue
    assert world.rekognition.starts == []
    assert world.slots.holders == {"another-video#faces"}
    assert world.status("faces") is JobStatus.STARTING


def test_a_waiting_upload_keeps_waiting_on_one_read_and_starts_once_a_slot_frees() -> None:
    world = World(quota=1)
    world.slots.holders.add("another-video#faces")
    world.handle()
    reads = world.objects.reads

    still = world.handle(waited=True)

    assert still.outcomes == {"faces": StartOutcome.WAITING, "celebrities": StartOutcome.WAITING}
    assert world.objects.reads == reads
    world.slots.release("another-video#faces")
    freed = world.handle(waited=True)
    # One slot: the first analysis takes it, the second keeps waiting without asking Rekognition.
    assert freed.outcomes == {"faces": StartOutcome.STARTED, "celebrities": StartOutcome.WAITING}
    assert world.start_operations() == ["StartFaceDetection"]
    assert world.slots.holders == {holder_id(VIDEO, "faces")}


@pytest.mark.parametrize("code", ["InvalidS3ObjectException", "VideoTooLargeException", "InvalidParameterException"])
def test_a_permanent_start_error_fails_that_job_and_frees_its_slot(code: str) -> None:
    world = World()
    world.rekognition.fail("StartFaceDetection", code)

    report = world.handle()

    assert report.outcomes == {"faces": StartOutcome.FAILED, "celebrities": StartOutcome.STARTED}
    assert world.start_operations().count("StartFaceDetection") == 1  # never retried
    assert world.status("faces") is JobStatus.FAILED
    assert world.jobs.outcomes[(VIDEO, "faces")].error_code == code
    assert world.slots.holders == {holder_id(VIDEO, "celebrities")}
    raise_if_deferred(report)  # a failed job is final: the message is done


def test_a_transient_start_error_is_retried_then_deferred_with_its_slot_freed() -> None:
    world = World()
    world.rekognition.fail("StartFaceDetection", "ThrottlingException")

    report = world.handle()

    assert report.outcomes == {"faces": StartOutcome.DEFERRED, "celebrities": StartOutcome.STARTED}
    assert world.start_operations().count("StartFaceDetection") == BACKOFF.attempts
    assert len(world.pauses) == BACKOFF.attempts - 1
    assert world.status("faces") is JobStatus.STARTING
    assert world.slots.holders == {holder_id(VIDEO, "celebrities")}
    with pytest.raises(RetryLaterError, match="faces"):
        raise_if_deferred(report)

    world.rekognition.heal("StartFaceDetection")
    retried = world.handle()
    assert retried.outcomes == {"faces": StartOutcome.STARTED, "celebrities": StartOutcome.DUPLICATE}
    assert world.status("faces") is JobStatus.IN_PROGRESS


def test_a_transient_error_that_clears_within_the_retries_starts_the_job() -> None:
    world = World(analyses=(FACES,))
    world.rekognition.fail("StartFaceDetection", "InternalServerError", times=BACKOFF.attempts - 1)

    report = world.handle()

    assert report.outcomes == {"faces": StartOutcome.STARTED}
    assert world.status("faces") is JobStatus.IN_PROGRESS


def test_limit_exceeded_means_waiting_not_failing_and_frees_the_slot() -> None:
    world = World(analyses=(FACES,))
    world.rekognition.fail("StartFaceDetection", "LimitExceededException")

    report = world.handle()

    assert report.outcomes == {"faces": StartOutcome.WAITING}
    assert is_waiting(report)
    raise_if_deferred(report)
    assert world.status("faces") is JobStatus.STARTING
    assert world.slots.holders == set()


@pytest.mark.parametrize(
    ("event_size", "head_size", "header", "code"),
    [
        (0, 0, b"", "EmptyObject"),
        (None, MAX_VIDEO_BYTES + 1, b"\x00\x00\x00\x18ftypmp42", "VideoTooLarge"),
        (4096, 4096, b"<!DOCTYPE html>", "UnsupportedContainer"),
    ],
    ids=["empty", "oversize", "not-mp4"],
)
def test_a_rejected_upload_is_recorded_failed_without_calling_rekognition(
    event_size: int | None, head_size: int, header: bytes, code: str
) -> None:
    world = World()
    upload = replace(UPLOAD, size=event_size)
    world.objects.put(UPLOAD.bucket, UPLOAD.key, UPLOAD.version_id, head_size, header)

    report = world.handle(upload)

    assert report.admission.reason_code == code
    assert report.outcomes == {"faces": StartOutcome.FAILED, "celebrities": StartOutcome.FAILED}
    assert world.rekognition.starts == []
    assert world.slots.holders == set()
    for analysis in world.analyses:
        assert world.status(analysis.name) is JobStatus.FAILED
        assert world.jobs.outcomes[(VIDEO, analysis.name)].error_code == code


def test_an_object_that_is_gone_records_nothing() -> None:
    world = World()
    world.objects.objects.clear()

    report = world.handle()

    assert report.admission.reason_code == "ObjectGone"
    assert world.jobs.records == {}
    assert world.rekognition.starts == []


def test_a_refused_engine_falls_back_to_the_configured_one() -> None:
    world = World(analyses=(PERSONS,), fallbacks={"persons": PERSONS_FROM_LABELS})
    world.rekognition.fail("StartPersonTracking", "AccessDeniedException")

    report = world.handle()

    assert report.outcomes == {"persons": StartOutcome.STARTED}
    assert report.fallbacks == {"persons": "labels"}
    assert world.start_operations() == ["StartPersonTracking", "StartLabelDetection"]
    fallback_request = world.rekognition.starts[1][1]
    assert fallback_request["ClientRequestToken"] == token(PERSONS_FROM_LABELS) != token(PERSONS)
    assert fallback_request["JobTag"] == job_tag(PERSONS, VIDEO)
    record = world.jobs.record(VIDEO, "persons")
    assert (record.status, record.engine) == (JobStatus.IN_PROGRESS, "labels")
    assert world.rekognition.jobs[record.job_id or ""].analysis is PERSONS_FROM_LABELS
    assert world.slots.holders == {holder_id(VIDEO, "persons")}


def test_a_refused_engine_without_a_fallback_fails_with_a_message_naming_the_other_engine() -> None:
    world = World(analyses=(PERSONS,))
    world.rekognition.fail("StartPersonTracking", "AccessDeniedException")

    report = world.handle()

    assert report.outcomes == {"persons": StartOutcome.FAILED}
    failed = world.jobs.outcomes[(VIDEO, "persons")]
    assert failed.error_code == "AccessDeniedException"
    assert "'labels' engine" in failed.message
    assert world.start_operations() == ["StartPersonTracking"]
    assert world.slots.holders == set()


def test_the_fallback_is_not_taken_for_other_errors() -> None:
    world = World(analyses=(PERSONS,), fallbacks={"persons": PERSONS_FROM_LABELS})
    world.rekognition.fail("StartPersonTracking", "InvalidS3ObjectException")

    report = world.handle()

    assert report.outcomes == {"persons": StartOutcome.FAILED}
    assert world.start_operations() == ["StartPersonTracking"]
