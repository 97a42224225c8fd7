"""The starter with general labels and label-based person tracking both enabled: one Start*, one slot,
one charge; the rider shares every outcome of the carrier's Start* (issue #18)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from video_pipeline.analyses import LABELS, PERSON_LABEL_MIN_CONFIDENCE, PERSONS_FROM_LABELS
from video_pipeline.logic.errors import RetryLaterError
from video_pipeline.logic.identity import holder_id
from video_pipeline.logic.shared_jobs import riding_job_id
from video_pipeline.logic.starting import StartOutcome, raise_if_deferred
from video_pipeline.models import JobStatus

from tests.unit.test_starting import SETTINGS, VIDEO, World

BOTH = (LABELS, PERSONS_FROM_LABELS)


def test_both_enabled_start_one_label_job_that_persons_rides_on() -> None:
    world = World(analyses=BOTH)
    report = world.handle()
    assert report.outcomes == {"labels": StartOutcome.STARTED, "persons": StartOutcome.STARTED}
    assert report.riding == {"persons"}
    ((operation, request),) = world.rekognition.starts
    assert operation == "StartLabelDetection" and request["MinConfidence"] == PERSON_LABEL_MIN_CONFIDENCE
    labels, persons = world.jobs.record(VIDEO, "labels"), world.jobs.record(VIDEO, "persons")
    assert labels.job_id is not None and persons.job_id == riding_job_id(labels.job_id, "persons")
    assert (labels.status, persons.status) == (JobStatus.IN_PROGRESS, JobStatus.IN_PROGRESS)
    assert labels.asked_options == LABELS.start_options(SETTINGS)
    assert persons.asked_options == PERSONS_FROM_LABELS.start_options(SETTINGS)
    assert (persons.engine, persons.tag) == ("labels", f"rvp:persons:{VIDEO}")
    assert world.slots.holders == {holder_id(VIDEO, "labels")}
    # A duplicate upload event starts and records nothing more.
    assert world.handle().outcomes == {"labels": StartOutcome.DUPLICATE, "persons": StartOutcome.DUPLICATE}
    assert len(world.rekognition.starts) == 1


def test_a_refused_label_job_fails_both_with_its_message_and_frees_the_slot() -> None:
    world = World(analyses=BOTH)
    world.rekognition.fail("StartLabelDetection", "InvalidS3ObjectException")
    report = world.handle()
    assert report.outcomes == {"labels": StartOutcome.FAILED, "persons": StartOutcome.FAILED}
    messages = {name: world.jobs.outcomes[(VIDEO, name)] for name in ("labels", "persons")}
    assert messages["labels"] == messages["persons"] and messages["labels"].error_code == "InvalidS3ObjectException"
    assert world.slots.holders == set()


@pytest.mark.parametrize(
    ("code", "outcome"),
    [("LimitExceededException", StartOutcome.WAITING), ("ThrottlingException", StartOutcome.DEFERRED)],
)
def test_a_label_job_that_waits_or_is_deferred_takes_its_rider_along(code: str, outcome: StartOutcome) -> None:
    world = World(analyses=BOTH)
    world.rekognition.fail("StartLabelDetection", code)
    report = world.handle()
    assert report.outcomes == {"labels": outcome, "persons": outcome}
    assert world.jobs.records.get((VIDEO, "persons")) is None  # nothing recorded until a job runs
    if outcome is StartOutcome.DEFERRED:
        with pytest.raises(RetryLaterError, match="labels, persons"):
            raise_if_deferred(report)


def test_a_full_quota_keeps_both_waiting_without_a_start() -> None:
    world = World(analyses=BOTH, quota=1)
    world.slots.acquire("other#faces")
    assert world.handle().outcomes == {"labels": StartOutcome.WAITING, "persons": StartOutcome.WAITING}
    assert world.rekognition.starts == []


def test_a_rider_kept_waiting_by_its_previous_job_joins_the_running_label_job_later() -> None:
    """The previous persons job (another token) still runs: labels starts now, persons joins its job
    once the old one has ended, with no second Start*."""
    world = World(analyses=BOTH)
    world.handle()
    old = world.jobs.record(VIDEO, "persons")
    world.jobs.seed(replace(old, token="older-run", job_id="old-job"))
    world.jobs.seed(replace(world.jobs.record(VIDEO, "labels"), status=JobStatus.STARTING, job_id=None))
    # A second run of the same upload: the label job is re-claimed, started (same token: same JobId).
    report = world.handle()
    assert report.outcomes["persons"] is StartOutcome.WAITING and report.replaces_running_job
    world.jobs.seed(replace(world.jobs.record(VIDEO, "persons"), status=JobStatus.SUCCEEDED))
    report = world.handle()
    assert report.outcomes == {"labels": StartOutcome.DUPLICATE, "persons": StartOutcome.STARTED}
    labels = world.jobs.record(VIDEO, "labels")
    assert labels.job_id is not None
    assert world.jobs.record(VIDEO, "persons").job_id == riding_job_id(labels.job_id, "persons")
    assert len({request["ClientRequestToken"] for _op, request in world.rekognition.starts}) == 1
