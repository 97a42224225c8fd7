"""Repair what lost messages leave behind: jobs nobody told us had finished, and the slot ledger.

Rekognition's notification can go missing (a deleted subscription, a misconfigured topic policy, an
SNS outage). A job that stays IN_PROGRESS in the jobs table for longer than expected is checked with
one small Get* call; if Rekognition says it finished, a notification is synthesised from the job record
and put on the results queue, so the collector processes it exactly as it would the real one
(expired results included: the collector marks them EXPIRED).

The ledger of quota slots is then repaired against the jobs table: holders whose job no longer runs
are dropped, running jobs the ledger forgot are added back. The by-status index only nominates
candidates (it is eventually consistent, and jobs move while the reconciler reads); each repair is a
transaction that checks the job's own item at that moment, so a job that moved on is never misjudged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from video_pipeline.analyses import of_job
from video_pipeline.logic.clock import format_instant, utc_now
from video_pipeline.logic.errors import RekognitionCallError
from video_pipeline.logic.identity import holder_id
from video_pipeline.logic.ports import RekognitionPort
from video_pipeline.logic.retry import DEFAULT_BACKOFF, Backoff, call_with_retries
from video_pipeline.logic.shared_jobs import is_riding, rekognition_job_id
from video_pipeline.models import JobRecord, JobStatus

# Longer than most jobs take to finish and notify, so a healthy pipeline rarely needs a Get* here.
DEFAULT_STALE_AFTER = timedelta(minutes=20)
# A job can sit in STARTING, holding a slot, for the length of one starter invocation at most.
STARTING_GRACE = timedelta(minutes=15)
_FINISHED = frozenset({"SUCCEEDED", "FAILED", "ERROR"})


class JobListingPort(Protocol):
    def jobs_in_status(self, status: JobStatus) -> Iterator[JobRecord]: ...
    def touch(self, record: JobRecord, now: str) -> bool: ...


class LedgerPort(Protocol):
    def holders(self) -> frozenset[str]: ...
    def release_if_settled(self, holder: str, *, starting_before: str) -> bool: ...
    def restore_if_running(self, holder: str) -> bool: ...


class NoticeSinkPort(Protocol):
    def send_json(self, payload: dict[str, Any], *, delay_seconds: int = 0) -> None: ...


@dataclass(slots=True)
class ReconcileReport:
    checked: int = 0
    requeued: list[str] = field(default_factory=list)
    still_running: int = 0
    unreachable: dict[str, str] = field(default_factory=dict)
    stale_holders: set[str] = field(default_factory=set)
    missing_holders: set[str] = field(default_factory=set)
    in_flight: int = 0


def synthesized_notice(record: JobRecord, status: str, message: str, timestamp_ms: int) -> dict[str, Any]:
    """The notification Rekognition would have sent for this job."""
    assert record.job_id is not None
    notice: dict[str, Any] = {
        "JobId": rekognition_job_id(record.job_id),
        "Status": status,
        "API": of_job(record.analysis, record.engine).start_operation,
        "JobTag": record.tag,
        "Timestamp": timestamp_ms,
        "Video": {"S3ObjectName": record.key, "S3Bucket": record.bucket},
    }
    if message:
        notice["Message"] = message
    return notice


class Reconciler:
    def __init__(
        self,
        *,
        jobs: JobListingPort,
        rekognition: RekognitionPort,
        ledger: LedgerPort,
        notices: NoticeSinkPort,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        backoff: Backoff = DEFAULT_BACKOFF,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self._jobs = jobs
        self._rekognition = rekognition
        self._ledger = ledger
        self._notices = notices
        self._stale_after = stale_after
        self._backoff = backoff
        self._sleep = sleep
        self._clock = clock

    def run(self) -> ReconcileReport:
        report = ReconcileReport()
        now = _instant(self._clock())
        holders = self._ledger.holders()
        running = list(self._jobs.jobs_in_status(JobStatus.IN_PROGRESS))
        for record in running:
            # Staleness counts from the job's last sign of life (started, collection begun, checkpoint,
            # re-queued), so a job whose results are being collected is not handed to a second collector.
            if record.job_id and now - _instant(_last_touch(record)) >= self._stale_after:
                self._check(record, report)
        # A rider holds no slot: the one slot of a shared job is its carrier's.
        live = {holder_id(r.video_id, r.analysis) for r in running if not is_riding(r.job_id)}
        starting_before = format_instant(now - STARTING_GRACE)
        report.stale_holders = {
            holder
            for holder in holders - live
            if self._ledger.release_if_settled(holder, starting_before=starting_before)
        }
        report.missing_holders = {holder for holder in live - holders if self._ledger.restore_if_running(holder)}
        report.in_flight = len((holders - report.stale_holders) | report.missing_holders)
        return report

    def _check(self, record: JobRecord, report: ReconcileReport) -> None:
        assert record.job_id is not None
        report.checked += 1
        analysis = of_job(record.analysis, record.engine)
        job_id = record.job_id
        try:
            page = call_with_retries(
                lambda: self._rekognition.get_page(analysis, rekognition_job_id(job_id), None, 1),
                is_transient=lambda error: isinstance(error, RekognitionCallError) and error.retryable,
                backoff=self._backoff,
                sleep=self._sleep,
            )
        except RekognitionCallError as error:
            if error.code != "ResourceNotFoundException":
                report.unreachable[job_id] = f"{error.code}: {error.message}"
                return
            # Results gone: the collector's Get* sees the same and records the job as EXPIRED.
            page = {"JobStatus": "SUCCEEDED"}
        status = str(page.get("JobStatus", ""))
        if status not in _FINISHED:
            report.still_running += 1
            return
        now = self._clock()
        notice = synthesized_notice(record, status, str(page.get("StatusMessage", "")), _epoch_ms(now))
        self._notices.send_json(notice)
        # Seen to: the next run leaves it to the collector instead of queueing it again.
        self._jobs.touch(record, now)
        report.requeued.append(job_id)


def _last_touch(record: JobRecord) -> str:
    return record.updated_at or record.started_at or record.uploaded_at


def _epoch_ms(instant: str) -> int:
    return int(_instant(instant).timestamp() * 1000)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
