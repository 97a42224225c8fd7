"""The collector's promises (`ResultCollector.handle`), against in-memory stand-ins of its ports."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from video_pipeline.analyses import CELEBRITIES, FACES, PERSONS_FROM_LABELS, Analysis
from video_pipeline.logic.collecting import (
    EXPIRED_MESSAGE,
    HANDOVER_SECONDS,
    TOKEN_LIFETIME,
    CollectOutcome,
    CollectReport,
    ResultCollector,
)
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.identity import holder_id, job_tag
from video_pipeline.logic.notifications import CompletionNotice
from video_pipeline.logic.packed_codec import unpack_elements
from video_pipeline.logic.retry import Backoff
from video_pipeline.models import JobRecord, JobStatus
from video_pipeline.schema import WINDOW_MS, WINDOW_SK_PREFIX, position_key, window_sk_parts

from tests.unit.fakes import (
    Clock,
    InMemoryArchive,
    InMemoryDetections,
    InMemoryJobs,
    InMemorySlots,
    ScriptedRekognition,
)

VIDEO = "0123456789abcdef0123456789abcdef"
JOB_ID = "job-faces-1"
HOLDER = holder_id(VIDEO, "faces")
BACKOFF = Backoff(attempts=3)


def elements(count: int, spacing: int = 40) -> list[dict[str, Any]]:
    return [{"Timestamp": spacing * n, "Face": {"Confidence": 99.0, "Id": n}} for n in range(count)]


@dataclass
class World:
    """One running faces job, recorded and holding its slot; Rekognition serves pages of two elements."""

    analysis: Analysis = FACES
    jobs: InMemoryJobs = field(default_factory=InMemoryJobs)
    detections: InMemoryDetections = field(default_factory=InMemoryDetections)
    archive: InMemoryArchive = field(default_factory=InMemoryArchive)
    rekognition: ScriptedRekognition = field(default_factory=lambda: ScriptedRekognition(max_page=2))
    slots: InMemorySlots = field(default_factory=lambda: InMemorySlots(20, [HOLDER, "other#faces"]))
    clock: Clock = field(default_factory=Clock)
    pauses: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.jobs.seed(
            JobRecord(
                video_id=VIDEO,
                analysis=self.analysis.name,
                status=JobStatus.IN_PROGRESS,
                token="faces-token",
                tag=job_tag(self.analysis, VIDEO),
                bucket="videos",
                key="clips/match.mp4",
                uploaded_at="2026-12-01T11:00:00.000Z",
                job_id=JOB_ID,
                started_at="2026-12-01T11:00:01.000Z",
                updated_at="2026-12-01T11:00:01.000Z",
                engine=self.analysis.engine,
            )
        )
        self.rekognition.add_job(JOB_ID, self.analysis)
        self.collector = ResultCollector(
            jobs=self.jobs,
            detections=self.detections,
            rekognition=self.rekognition,
            slots=self.slots,
            archive=self.archive,
            backoff=BACKOFF,
            sleep=self.pauses.append,
            clock=self.clock,
        )

    def collect(self, status: str = "SUCCEEDED", time_left: Any = lambda: math.inf, **notice: Any) -> CollectReport:
        body = {
            "JobId": JOB_ID,
            "Status": status,
            "API": self.analysis.start_operation,
            "JobTag": job_tag(self.analysis, VIDEO),
            "Timestamp": 1_764_590_400_000,
            "Video": {"S3ObjectName": "clips/match.mp4", "S3Bucket": "videos"},
            **notice,
        }
        return self.collector.handle(CompletionNotice.model_validate(body), time_left)

    @property
    def record(self) -> JobRecord:
        return self.jobs.record(VIDEO, self.analysis.name)

    def stored(self) -> list[tuple[str, str]]:
        """The job's stored detections in stream order: (timestamp#position, element JSON)."""
        windows = [item for item in self.detections.of_job(JOB_ID) if item["sk"]["S"].startswith(WINDOW_SK_PREFIX)]
        found = []
        for item in windows:
            first = window_sk_parts(item["sk"]["S"])[1]
            for offset, element in enumerate(unpack_elements(item["z"]["B"])):
                found.append(
                    (
                        position_key(element["Timestamp"], first + offset),
                        json.dumps(element, separators=(",", ":"), ensure_ascii=False),
                    )
                )
        return sorted(found, key=lambda detection: detection[0][13:])

    def state_changes(self) -> list[str]:
        return [method for method, _key in self.jobs.writes if method != "touch"]


def test_pages_are_stored_in_order_and_the_final_state_is_written_once_with_its_counts() -> None:
    world = World()
    world.rekognition.finish(JOB_ID, elements=elements(5))

    report = world.collect()

    assert (report.outcome, report.detections) == (CollectOutcome.SUCCEEDED, 5)
    assert report.uploaded_at == "2026-12-01T11:00:00.000Z"
    assert [token for _op, _job, token in world.rekognition.gets] == [None, f"{JOB_ID}:2", f"{JOB_ID}:4"]
    stored = world.stored()
    assert [sort_key for sort_key, _data in stored] == [f"{40 * n:012d}#{n:08d}" for n in range(5)]
    assert [f'"Id":{n}}}' in data for n, (_key, data) in enumerate(stored)] == [True] * 5
    assert sorted(world.archive.pages) == [(VIDEO, "faces", JOB_ID, n) for n in range(3)]
    assert world.state_changes() == ["complete"]
    outcome = world.jobs.outcomes[(VIDEO, "faces")]
    assert (outcome.status, outcome.detection_count) == (JobStatus.SUCCEEDED, 5)
    assert outcome.video_metadata == {"Codec": "h264", "DurationMillis": 10_000}
    assert world.record.status is JobStatus.SUCCEEDED
    assert world.slots.holders == {"other#faces"}


def test_entities_are_counted_across_pages() -> None:
    world = World(analysis=CELEBRITIES)
    world.slots.holders.add(holder_id(VIDEO, "celebrities"))
    people = [{"Timestamp": n, "Celebrity": {"Id": f"c{n % 2}", "Name": f"Person {n % 2}"}} for n in range(5)]
    world.rekognition.finish(JOB_ID, elements=people)

    world.collect()

    outcome = world.jobs.outcomes[(VIDEO, "celebrities")]
    assert (outcome.detection_count, outcome.entity_count) == (5, 2)
    assert holder_id(VIDEO, "celebrities") not in world.slots.holders


def test_a_failed_notice_for_a_job_rekognition_says_succeeded_collects_its_results() -> None:
    world = World()
    world.rekognition.finish(JOB_ID, elements=elements(3))

    report = world.collect(status="FAILED", Message="forged")

    assert report.outcome is CollectOutcome.SUCCEEDED
    assert world.record.status is JobStatus.SUCCEEDED
    assert len(world.stored()) == 3


def test_a_succeeded_notice_for_a_job_rekognition_says_failed_records_rekognitions_failure() -> None:
    world = World()
    world.rekognition.finish(JOB_ID, status="FAILED", message="Unsupported codec")

    report = world.collect(status="SUCCEEDED", Message="all good")

    assert (report.outcome, report.reason) == (CollectOutcome.FAILED, "Unsupported codec")
    assert world.jobs.outcomes[(VIDEO, "faces")].message == "Unsupported codec"
    assert world.record.status is JobStatus.FAILED
    assert world.stored() == []
    assert HOLDER not in world.slots.holders


def test_a_notice_for_a_job_still_in_progress_is_premature_and_changes_nothing() -> None:
    world = World()  # Rekognition still runs the job

    report = world.collect()

    assert report.outcome is CollectOutcome.PREMATURE
    assert world.record.status is JobStatus.IN_PROGRESS
    assert world.state_changes() == []
    assert world.stored() == [] and world.archive.pages == {}
    assert HOLDER in world.slots.holders


def test_an_erased_jobs_data_is_kept_and_its_slot_held_while_rekognition_still_runs_it() -> None:
    world = World()
    world.jobs.mark_erased(VIDEO, ["faces"], world.clock())

    report = world.collect()

    assert report.outcome is CollectOutcome.PREMATURE
    assert HOLDER in world.slots.holders
    assert (VIDEO, "faces") in world.jobs.records


def test_a_video_erased_between_reading_its_job_and_collecting_keeps_the_slot_of_a_running_job() -> None:
    """The tombstone lands after the collector read the job as kept: Rekognition is still asked first."""
    world = World()
    touch = world.jobs.touch

    def erased_meanwhile(record: JobRecord, now: str) -> bool:
        world.jobs.mark_erased(VIDEO, ["faces"], now)
        return touch(record, now)

    world.jobs.touch = erased_meanwhile  # type: ignore[method-assign]

    report = world.collect(status="FAILED")  # early or forged: Rekognition still runs the job

    assert report.outcome is CollectOutcome.PREMATURE
    assert HOLDER in world.slots.holders and (VIDEO, "faces") in world.jobs.records


def test_an_erased_job_that_ended_has_its_data_erased_and_its_slot_freed() -> None:
    world = World()
    # One window per element: the first page closes (stores) its first item before a handover.
    world.rekognition.finish(JOB_ID, elements=elements(5, spacing=WINDOW_MS))
    world.collect(time_left=lambda: 0.0)
    assert world.stored() and world.archive.pages
    world.jobs.mark_erased(VIDEO, ["faces"], world.clock())

    report = world.collect()

    assert report.outcome is CollectOutcome.ERASED
    assert world.stored() == [] and world.archive.pages == {}
    assert (VIDEO, "faces") not in world.jobs.records
    assert world.slots.holders == {"other#faces"}
    # Only the job's status was asked for: no results were fetched for a deleted video.
    assert world.rekognition.gets[-1] == ("GetFaceDetection", JOB_ID, None)


def test_a_video_erased_while_its_results_are_written_leaves_nothing_behind() -> None:
    world = World()
    world.rekognition.finish(JOB_ID, elements=elements(5))
    world.detections.after_write = lambda: world.jobs.mark_erased(VIDEO, ["faces"], "now")

    report = world.collect()

    assert report.outcome is CollectOutcome.ERASED
    assert world.stored() == [] and world.archive.pages == {}
    assert (VIDEO, "faces") not in world.jobs.records
    # It stops at the first write that finds the tombstone: no further page is fetched.
    assert [token for _op, _job, token in world.rekognition.gets] == [None]
    assert "complete" not in world.state_changes()
    assert HOLDER not in world.slots.holders


def test_an_erasure_too_long_for_the_invocation_continues_in_the_next_delivery() -> None:
    world = World()
    world.rekognition.finish(JOB_ID)
    world.jobs.mark_erased(VIDEO, ["faces"], world.clock())

    with pytest.raises(RetryLaterError):
        world.collect(time_left=lambda: 1.0)

    assert HOLDER in world.slots.holders
    assert (VIDEO, "faces") in world.jobs.records


def test_a_handover_saves_a_checkpoint_and_the_next_call_resumes_to_the_same_items() -> None:
    single = World()
    single.rekognition.finish(JOB_ID, elements=elements(7, spacing=WINDOW_MS))
    single.collect()

    world = World()
    world.rekognition.finish(JOB_ID, elements=elements(7, spacing=WINDOW_MS))
    first = world.collect(time_left=lambda: HANDOVER_SECONDS - 1)

    assert (first.outcome, first.detections) == (CollectOutcome.CONTINUED, 2)
    checkpoint = world.record.checkpoint
    assert checkpoint is not None
    assert (checkpoint.next_token, checkpoint.detections, checkpoint.pages) == (f"{JOB_ID}:2", 2, 1)
    assert world.record.status is JobStatus.IN_PROGRESS
    assert HOLDER in world.slots.holders
    # The first element's window is closed and stored; the second's is still open, held in the checkpoint.
    assert len(world.stored()) == 1
    assert checkpoint.packing_state and len(checkpoint.packing_state["open"]["texts"]) == 1

    world.clock.advance(timedelta(seconds=30))
    second = world.collect(time_left=lambda: HANDOVER_SECONDS + 1)

    assert (second.outcome, second.detections) == (CollectOutcome.SUCCEEDED, 7)
    resumed = [token for _op, _job, token in world.rekognition.gets[1:]]
    assert resumed == [f"{JOB_ID}:2", f"{JOB_ID}:4", f"{JOB_ID}:6"]
    assert world.stored() == single.stored()
    assert sorted(world.archive.pages) == sorted(single.archive.pages)
    assert world.jobs.outcomes == single.jobs.outcomes
    assert world.record.checkpoint is None
    assert HOLDER not in world.slots.holders


def walking_person(instants: int) -> list[dict[str, Any]]:
    """GetLabelDetection elements: one person moving right, one Person label per instant."""
    return [
        {
            "Timestamp": 200 * n,
            "Label": {
                "Name": "Person",
                "Confidence": 95.0,
                "Instances": [
                    {
                        "BoundingBox": {"Left": 0.1 + 0.01 * n, "Top": 0.2, "Width": 0.1, "Height": 0.3},
                        "Confidence": 95.0,
                    }
                ],
            },
        }
        for n in range(instants)
    ]


def test_the_labels_engine_tracks_people_across_a_handover_as_in_one_pass() -> None:
    single = World(analysis=PERSONS_FROM_LABELS)
    single.rekognition.finish(JOB_ID, elements=walking_person(5))
    single.collect()

    world = World(analysis=PERSONS_FROM_LABELS)
    world.slots.holders.add(holder_id(VIDEO, "persons"))
    world.rekognition.finish(JOB_ID, elements=walking_person(5))
    assert world.collect(time_left=lambda: 0.0).outcome is CollectOutcome.CONTINUED
    checkpoint = world.record.checkpoint
    assert checkpoint is not None and checkpoint.stream_state is not None
    report = world.collect()

    # Every instant is stored, the last one too (held back until the stream ends), as one track.
    assert (report.outcome, report.detections) == (CollectOutcome.SUCCEEDED, 5)
    assert world.stored() == single.stored()
    assert [json.loads(data)["Person"]["Index"] for _key, data in world.stored()] == [0] * 5
    outcome = world.jobs.outcomes[(VIDEO, "persons")]
    assert (outcome.detection_count, outcome.entity_count) == (5, 1)
    assert holder_id(VIDEO, "persons") not in world.slots.holders


def test_a_checkpoint_older_than_the_token_lifetime_restarts_from_the_top() -> None:
    world = World()
    world.rekognition.finish(JOB_ID, elements=elements(5))
    world.collect(time_left=lambda: 0.0)
    world.clock.advance(TOKEN_LIFETIME + timedelta(minutes=1))

    report = world.collect()

    assert (report.outcome, report.detections) == (CollectOutcome.SUCCEEDED, 5)
    assert world.rekognition.gets[1][2] is None
    assert len(world.stored()) == 5


def test_a_refused_pagination_token_restarts_from_the_top() -> None:
    world = World()
    world.rekognition.finish(JOB_ID, elements=elements(5))
    world.collect(time_left=lambda: 0.0)
    checkpoint = world.record.checkpoint
    assert checkpoint is not None
    world.jobs.seed(replace(world.record, checkpoint=replace(checkpoint, next_token="stale")))

    report = world.collect()

    assert (report.outcome, report.detections) == (CollectOutcome.SUCCEEDED, 5)
    assert len(world.stored()) == 5


def test_results_rekognition_no_longer_holds_expire_the_job() -> None:
    world = World()
    world.rekognition.forget(JOB_ID)

    report = world.collect()

    assert report.outcome is CollectOutcome.EXPIRED
    assert world.record.status is JobStatus.EXPIRED
    assert world.jobs.outcomes[(VIDEO, "faces")].message == EXPIRED_MESSAGE
    assert HOLDER not in world.slots.holders


def test_a_transient_get_error_hands_the_notice_back_without_changing_the_job() -> None:
    world = World()
    world.rekognition.finish(JOB_ID, elements=elements(3))
    world.rekognition.fail("GetFaceDetection", "ThrottlingException")

    with pytest.raises(RetryLaterError):
        world.collect()

    assert len(world.rekognition.gets) == BACKOFF.attempts
    assert len(world.pauses) == BACKOFF.attempts - 1
    assert world.record.status is JobStatus.IN_PROGRESS
    assert HOLDER in world.slots.holders


def test_a_duplicate_notice_for_a_finished_job_re_releases_the_slot_and_does_nothing_else() -> None:
    world = World()
    world.rekognition.finish(JOB_ID, elements=elements(3))
    world.collect()
    world.slots.holders.add(HOLDER)  # a release that was lost
    gets, writes, stored = len(world.rekognition.gets), list(world.jobs.writes), world.stored()

    report = world.collect()

    assert report.outcome is CollectOutcome.DUPLICATE
    assert HOLDER not in world.slots.holders
    assert len(world.rekognition.gets) == gets
    assert world.jobs.writes == writes
    assert world.stored() == stored


def test_a_delivery_that_loses_the_race_to_finish_the_job_reports_a_duplicate() -> None:
    world = World()
    world.rekognition.finish(JOB_ID, elements=elements(3))
    running = world.record
    # Another delivery of the notice finishes the job while this one is still writing pages.
    world.detections.after_write = lambda: world.jobs.complete(running, JobStatus.SUCCEEDED, "t", detection_count=3)

    report = world.collect()

    assert report.outcome is CollectOutcome.DUPLICATE
    assert [method for method in world.state_changes() if method == "complete"] == ["complete"]
    assert HOLDER not in world.slots.holders


@pytest.mark.parametrize(
    ("notice", "reason"),
    [
        ({"JobId": "job-nobody-knows", "JobTag": None}, "no such job"),
        ({"Video": {"S3ObjectName": "other.mp4", "S3Bucket": "videos"}}, "video mismatch"),
        ({"API": "StartStreamProcessor"}, "unknown API 'StartStreamProcessor'"),
    ],
    ids=["unknown-job", "other-video", "unknown-api"],
)
def test_a_notice_about_no_job_of_ours_changes_nothing(notice: dict[str, Any], reason: str) -> None:
    world = World()
    world.rekognition.finish(JOB_ID, elements=elements(3))

    report = world.collect(**notice)

    assert (report.outcome, report.reason) == (CollectOutcome.UNKNOWN_JOB, reason)
    assert world.jobs.writes == [] and world.rekognition.gets == []
    assert HOLDER in world.slots.holders


@pytest.mark.parametrize("tag", ["tagged", "untagged"])
def test_the_job_not_the_notices_api_decides_how_results_are_read(tag: str) -> None:
    """A label-based person job's notice claiming StartPersonTracking (both are person tracking) is
    not read with GetPersonTracking: the jobs table says which operation the job runs, and a notice
    whose API is not the job's own changes nothing. With the job's own API, found by tag or by JobId,
    it is collected with the job's Get*."""
    world = World(analysis=PERSONS_FROM_LABELS)
    world.rekognition.finish(JOB_ID, elements=walking_person(3))
    job_tag_value = None if tag == "untagged" else job_tag(PERSONS_FROM_LABELS, VIDEO)

    forged = world.collect(API="StartPersonTracking", JobTag=job_tag_value)

    assert (forged.outcome, forged.reason) == (
        CollectOutcome.UNKNOWN_JOB,
        "API 'StartPersonTracking' is not the job's StartLabelDetection",
    )
    assert world.jobs.writes == [] and world.rekognition.gets == []

    report = world.collect(API="LABEL_DETECTION", JobTag=job_tag_value)

    assert report.outcome is CollectOutcome.SUCCEEDED and report.analysis == "persons"
    assert {operation for operation, *_ in world.rekognition.gets} == {"GetLabelDetection"}
