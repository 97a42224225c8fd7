"""The reconciler's decisions, against in-memory stand-ins for the jobs table, Rekognition and the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

from video_pipeline.analyses import Analysis
from video_pipeline.logic.errors import RekognitionCallError
from video_pipeline.logic.identity import parse_holder
from video_pipeline.logic.reconciling import Reconciler
from video_pipeline.logic.shared_jobs import riding_job_id
from video_pipeline.models import JobRecord, JobStatus

NOW = "2026-11-22T12:00:00.000Z"
LONG_AGO = "2026-11-22T10:00:00.000Z"
JUST_NOW = "2026-11-22T11:59:00.000Z"


def job(video: str, analysis: str, status: JobStatus, started: str, job_id: str | None = None) -> JobRecord:
    return JobRecord(
        video_id=video,
        analysis=analysis,
        status=status,
        token="t",
        tag=f"rvp:{analysis}:{video}",
        bucket="b",
        key=f"{video}.mp4",
        uploaded_at=started,
        job_id=job_id,
        started_at=started,
        updated_at=started,
        engine="labels" if analysis == "persons" else "native",
    )


class Jobs:
    def __init__(self, *records: JobRecord) -> None:
        self._records = list(records)
        self.touched: list[str] = []

    def jobs_in_status(self, status: JobStatus) -> Iterator[JobRecord]:
        return iter([record for record in self._records if record.status is status])

    def touch(self, record: JobRecord, now: str) -> bool:
        self.touched.append(record.job_id or "")
        return True

    def get(self, holder: str) -> JobRecord | None:
        video, analysis = parse_holder(holder)
        return next((r for r in self._records if (r.video_id, r.analysis) == (video, analysis)), None)


class Rekognition:
    def __init__(self, statuses: dict[str, str]) -> None:
        self._statuses = statuses
        self.asked: list[tuple[str, str]] = []

    def start(self, analysis: Analysis, request: dict[str, Any]) -> str:
        raise AssertionError("the reconciler never starts jobs")

    def get_page(self, analysis: Analysis, job_id: str, next_token: str | None, page_size: int) -> dict[str, Any]:
        self.asked.append((analysis.get_operation, job_id))
        status = self._statuses[job_id]
        if status == "GONE":
            raise RekognitionCallError(analysis.get_operation, "ResourceNotFoundException", "no such job")
        return {"JobStatus": status, "StatusMessage": "bad codec" if status == "FAILED" else ""}


class Ledger:
    """The ledger's repairs read the job's item in the same transaction, as `JobSlots` does."""

    def __init__(self, holders: set[str], jobs: Jobs | None = None) -> None:
        self.holders_now = set(holders)
        self._jobs = jobs or Jobs()

    def holders(self) -> frozenset[str]:
        return frozenset(self.holders_now)

    def release_if_settled(self, holder: str, *, starting_before: str) -> bool:
        record = self._jobs.get(holder)
        stale_start = record is not None and record.status is JobStatus.STARTING
        stale_start = stale_start and (record.updated_at or "") < starting_before  # type: ignore[union-attr]
        if record is None or record.status.is_final or stale_start:
            self.holders_now.discard(holder)
            return True
        return False

    def restore_if_running(self, holder: str) -> bool:
        record = self._jobs.get(holder)
        if record is not None and record.status is JobStatus.IN_PROGRESS:
            self.holders_now.add(holder)
            return True
        return False


class Notices:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_json(self, payload: dict[str, Any], *, delay_seconds: int = 0) -> None:
        self.sent.append(payload)


def test_finished_jobs_get_the_notification_rekognition_would_have_sent() -> None:
    jobs = Jobs(
        job("v1", "faces", JobStatus.IN_PROGRESS, LONG_AGO, "j-done"),
        job("v1", "persons", JobStatus.IN_PROGRESS, LONG_AGO, "j-failed"),
        job("v2", "faces", JobStatus.IN_PROGRESS, LONG_AGO, "j-running"),
        job("v3", "faces", JobStatus.IN_PROGRESS, JUST_NOW, "j-young"),
        job("v4", "celebrities", JobStatus.IN_PROGRESS, LONG_AGO, "j-gone"),
    )
    rekognition = Rekognition(
        {
            "j-done": "SUCCEEDED",
            "j-failed": "FAILED",
            "j-running": "IN_PROGRESS",
            "j-young": "SUCCEEDED",
            "j-gone": "GONE",
        }
    )
    notices = Notices()
    report = Reconciler(
        jobs=jobs,
        rekognition=rekognition,
        ledger=Ledger(set()),
        notices=notices,
        stale_after=timedelta(minutes=20),
        clock=lambda: NOW,
    ).run()
    assert sorted(report.requeued) == ["j-done", "j-failed", "j-gone"] and report.still_running == 1
    assert ("GetLabelDetection", "j-failed") in rekognition.asked  # the job's own engine is asked
    assert all(job_id != "j-young" for _op, job_id in rekognition.asked)  # young jobs cost no call
    by_id = {notice["JobId"]: notice for notice in notices.sent}
    assert by_id["j-failed"]["Status"] == "FAILED" and by_id["j-failed"]["Message"] == "bad codec"
    assert by_id["j-failed"]["API"] == "StartLabelDetection" and by_id["j-failed"]["JobTag"] == "rvp:persons:v1"
    assert by_id["j-done"]["Video"] == {"S3ObjectName": "v1.mp4", "S3Bucket": "b"}
    # Re-queued jobs are marked as seen to, so the next run leaves them to the collector.
    assert sorted(jobs.touched) == ["j-done", "j-failed", "j-gone"]


def test_staleness_counts_from_the_last_sign_of_life_not_the_start() -> None:
    """A job whose results are being collected (touched just now) is not handed to a second collector."""
    collecting = replace(job("v1", "faces", JobStatus.IN_PROGRESS, LONG_AGO, "j1"), updated_at=JUST_NOW)
    rekognition, notices = Rekognition({"j1": "SUCCEEDED"}), Notices()
    report = Reconciler(
        jobs=Jobs(collecting), rekognition=rekognition, ledger=Ledger(set()), notices=notices, clock=lambda: NOW
    ).run()
    assert report.requeued == [] and notices.sent == [] and rekognition.asked == []


def test_the_ledger_is_rederived_from_running_and_starting_jobs() -> None:
    jobs = Jobs(
        job("v1", "faces", JobStatus.IN_PROGRESS, JUST_NOW, "j1"),
        job("v2", "faces", JobStatus.STARTING, JUST_NOW),
        job("v3", "faces", JobStatus.STARTING, LONG_AGO),
        job("v4", "faces", JobStatus.SUCCEEDED, LONG_AGO, "j4"),
    )
    ledger = Ledger({"v2#faces", "v3#faces", "v4#faces", "v5#faces"}, jobs)
    report = Reconciler(
        jobs=jobs, rekognition=Rekognition({}), ledger=ledger, notices=Notices(), clock=lambda: NOW
    ).run()
    assert report.stale_holders == {"v3#faces", "v4#faces", "v5#faces"}  # abandoned start, finished, erased
    assert report.missing_holders == {"v1#faces"}  # running, forgotten by the ledger
    assert ledger.holders_now == {"v1#faces", "v2#faces"} and report.in_flight == 2


def test_unreachable_rekognition_is_reported_and_changes_nothing() -> None:
    class Throttled(Rekognition):
        def get_page(self, analysis: Analysis, job_id: str, next_token: str | None, page_size: int) -> dict[str, Any]:
            raise RekognitionCallError(analysis.get_operation, "AccessDeniedException", "denied")

    notices = Notices()
    report = Reconciler(
        jobs=Jobs(job("v1", "faces", JobStatus.IN_PROGRESS, LONG_AGO, "j1")),
        rekognition=Throttled({}),
        ledger=Ledger({"v1#faces"}),
        notices=notices,
        clock=lambda: NOW,
    ).run()
    assert report.unreachable == {"j1": "AccessDeniedException: denied"} and notices.sent == []


def test_a_rider_on_a_shared_label_job_is_asked_about_by_its_jobid_and_holds_no_slot() -> None:
    """Persons riding on the labels job (`logic/shared_jobs.py`): the lost notice is rebuilt with the
    Rekognition JobId and the rider's own tag, and the ledger never gains a slot for the rider."""
    carrier = job("v1", "labels", JobStatus.IN_PROGRESS, LONG_AGO, "j-shared")
    rider = job("v1", "persons", JobStatus.IN_PROGRESS, LONG_AGO, riding_job_id("j-shared", "persons"))
    jobs = Jobs(carrier, rider)
    rekognition = Rekognition({"j-shared": "SUCCEEDED"})
    notices = Notices()
    ledger = Ledger({"v1#labels"}, jobs)
    report = Reconciler(jobs=jobs, rekognition=rekognition, ledger=ledger, notices=notices, clock=lambda: NOW).run()
    assert {job_id for _op, job_id in rekognition.asked} == {"j-shared"}
    assert sorted((notice["JobId"], notice["JobTag"]) for notice in notices.sent) == [
        ("j-shared", "rvp:labels:v1"),
        ("j-shared", "rvp:persons:v1"),
    ]
    assert ledger.holders_now == {"v1#labels"} and report.missing_holders == set() and report.in_flight == 1
