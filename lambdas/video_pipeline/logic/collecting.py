"""Turn a completion notification into the job's stored results and final state.

Results are streamed page by page: each raw page is archived, mapped and written before the next
one is fetched, so memory stays flat. When the invocation runs low on time, the position (the
NextToken and the running totals) is saved on the job and the work continues in a fresh invocation;
a position older than Rekognition's 24-hour token lifetime, or a token it refuses, restarts the
stream from the top, which is safe because every write is idempotent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from video_pipeline.analyses import Analysis, by_notification_api, of_job
from video_pipeline.logic.clock import utc_now
from video_pipeline.logic.detections import DetectionPacker, JobContext, ResultTally
from video_pipeline.logic.erasing import RESERVE_SECONDS
from video_pipeline.logic.errors import RekognitionCallError, RetryLaterError
from video_pipeline.logic.findings import job_findings
from video_pipeline.logic.identity import holder_id, parse_job_tag
from video_pipeline.logic.notifications import CompletionNotice
from video_pipeline.logic.ports import ArchivePort, DetectionsPort, JobsPort, RekognitionPort, SlotsPort
from video_pipeline.logic.reconciling import synthesized_notice
from video_pipeline.logic.result_streams import result_stream
from video_pipeline.logic.retry import DEFAULT_BACKOFF, Backoff, call_with_retries
from video_pipeline.logic.shared_jobs import RIDERS_OF, is_riding, rekognition_job_id, riding_job_id
from video_pipeline.models import Checkpoint, JobRecord, JobStatus

PAGE_SIZE = 1000
# Time a page needs at worst (Get* of 1,000 elements, archive, 40 BatchWriteItems with retries),
# with a margin: below this much remaining time the collector hands over instead of fetching.
HANDOVER_SECONDS = 60.0
# Rekognition's pagination tokens live 24 hours; a checkpoint older than this is not trusted.
TOKEN_LIFETIME = timedelta(hours=23)
EXPIRED_MESSAGE = "Rekognition no longer holds this job's results; upload the video again to re-analyse it."


def unlimited_time() -> float:
    return math.inf


class CollectOutcome(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    DUPLICATE = "DUPLICATE"
    UNKNOWN_JOB = "UNKNOWN_JOB"
    # Saved a checkpoint; the caller must schedule a continuation (the same notice again).
    CONTINUED = "CONTINUED"
    EXPIRED = "EXPIRED"
    # Rekognition says the job still runs: the notice is early or forged, and changes nothing.
    PREMATURE = "PREMATURE"
    # The video was deleted: whatever the job wrote is removed, and its slot freed once it has ended.
    ERASED = "ERASED"


@dataclass(frozen=True, slots=True)
class CollectReport:
    outcome: CollectOutcome
    job_id: str
    analysis: str | None = None
    video_id: str | None = None
    detections: int = 0
    reason: str = ""
    uploaded_at: str | None = None  # set when results were stored, for the upload-to-results latency
    # Notices for the analyses riding on this job (`logic/shared_jobs.py`): the caller queues them, so
    # each is collected in its own delivery, with its own checkpoint and final-state write.
    follow_ups: tuple[dict[str, Any], ...] = ()
    # What the job found, once all its results are stored (logic/findings.py): metric name -> count.
    findings: Mapping[str, int] = field(default_factory=dict)


class _PaginationExpiredError(Exception):
    pass


class _ResultsGoneError(Exception):
    pass


class _ErasedError(Exception):
    """The job's video was deleted while its results were being written."""


@dataclass(frozen=True, slots=True)
class _StreamEnd:
    """Why a result stream stopped: it ended, Rekognition reported a failure, or time ran short."""

    tally: ResultTally
    metadata: dict[str, Any] | None
    failure: tuple[JobStatus, str] | None = None
    handed_over: bool = False
    still_running: bool = False
    single_sightings: int = 0


# Outcomes after which the job's riders are told too: the carrier's own work on the notice is done.
_SETTLED = frozenset(
    {
        CollectOutcome.SUCCEEDED,
        CollectOutcome.FAILED,
        CollectOutcome.EXPIRED,
        CollectOutcome.DUPLICATE,
        CollectOutcome.ERASED,
    }
)


def _is_transient(error: Exception) -> bool:
    return isinstance(error, RekognitionCallError) and error.retryable


class ResultCollector:
    def __init__(
        self,
        *,
        jobs: JobsPort,
        detections: DetectionsPort,
        rekognition: RekognitionPort,
        slots: SlotsPort,
        archive: ArchivePort | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self._jobs = jobs
        self._detections = detections
        self._rekognition = rekognition
        self._slots = slots
        self._archive = archive
        self._backoff = backoff
        self._sleep = sleep
        self._clock = clock

    def handle(self, notice: CompletionNotice, time_left: Callable[[], float] = unlimited_time) -> CollectReport:
        """Process one notice; `time_left` says how many seconds the invocation has left.

        The notice only says which job to look at: its `Status` and `Message` are never trusted,
        because anyone able to send to the queue could forge them. What happened is read from
        Rekognition's own Get* answer.
        """
        located = self._match(notice)
        if isinstance(located, CollectReport):
            return located
        record, analysis = located
        report = self._handle_job(record, analysis, notice, time_left)
        if report.outcome in _SETTLED and not is_riding(record.job_id):
            report = replace(report, follow_ups=self._rider_notices(record, notice))
        return report

    def _handle_job(
        self, record: JobRecord, analysis: Analysis, notice: CompletionNotice, time_left: Callable[[], float]
    ) -> CollectReport:
        try:
            if record.erased:
                return self._erase(record, analysis, time_left)
            if record.status.is_final:
                # Give the slot back again: harmless if it was, and it repairs a release that was lost.
                self._release_slot(record)
                # And finish retiring a replaced job, if the delivery that replaced it stopped part-way.
                self._retire_previous(record, analysis, time_left)
                return CollectReport(CollectOutcome.DUPLICATE, notice.job_id, analysis.name, record.video_id)
            if record.job_id is None:
                record = self._adopt(record, analysis, notice.job_id)
            try:
                return self._collect(record, analysis, time_left)
            except _ResultsGoneError:
                return self._finish(
                    record, analysis, JobStatus.EXPIRED, CollectOutcome.EXPIRED, message=EXPIRED_MESSAGE
                )
        except _ErasedError:
            return self._erase(record, analysis, time_left, ended=True)

    def _erase(
        self, record: JobRecord, analysis: Analysis, time_left: Callable[[], float], *, ended: bool = False
    ) -> CollectReport:
        """Remove what a deleted video's job wrote; free its slot only once Rekognition has ended the job."""
        report = CollectReport(CollectOutcome.ERASED, record.job_id or "", analysis.name, record.video_id)
        if record.job_id is None:
            # Never started (or not yet recorded): nothing was written; the reconciler retires it.
            return report
        if not ended and not record.status.is_final and self._job_status(analysis, record.job_id) == "IN_PROGRESS":
            return CollectReport(CollectOutcome.PREMATURE, record.job_id, analysis.name, record.video_id)
        if not self._detections.delete_job(record.job_id, time_left, RESERVE_SECONDS):
            raise RetryLaterError(f"erasing job {record.job_id} continues in the next delivery")
        if self._archive is not None:
            self._archive.delete_job(record.video_id, analysis.name, record.job_id)
        self._jobs.delete_job(record.video_id, record.analysis)
        self._release_slot(record)
        return report

    def _release_slot(self, record: JobRecord) -> None:
        """Give the job's quota slot back; a rider holds none (its carrier's job holds the one slot)."""
        if not is_riding(record.job_id):
            self._slots.release(holder_id(record.video_id, record.analysis))

    def _rider_notices(self, carrier: JobRecord, notice: CompletionNotice) -> tuple[dict[str, Any], ...]:
        """The notice of the carrier's job, once for each analysis recorded as riding on it."""
        riders = (self._jobs.get_job(carrier.video_id, rider.name) for rider in RIDERS_OF.get(carrier.analysis, ()))
        return tuple(
            synthesized_notice(rider, notice.status, notice.message or "", notice.timestamp or 0)
            for rider in riders
            if rider is not None and rider.job_id == riding_job_id(notice.job_id, rider.analysis)
        )

    def _adopt(self, record: JobRecord, analysis: Analysis, job_id: str) -> JobRecord:
        """A job Rekognition started but whose starter stopped before recording it (a crash between the
        two, or the write not landed yet): take it on, if Rekognition's own answer names this video."""
        page = self._get_page(analysis, job_id, None, 1)
        s3_object = (page.get("Video") or {}).get("S3Object") or {}
        if page.get("JobTag") != record.tag or (s3_object.get("Bucket"), s3_object.get("Name")) != (
            record.bucket,
            record.key,
        ):
            raise RetryLaterError(f"job {job_id} is not recorded yet")
        if not self._jobs.adopt(record, job_id, self._clock()):
            raise RetryLaterError(f"job {job_id} changed while it was being recorded")
        return replace(record, job_id=job_id, status=JobStatus.IN_PROGRESS)

    def _job_status(self, analysis: Analysis, job_id: str) -> str:
        try:
            return str(self._get_page(analysis, job_id, None, 1).get("JobStatus", ""))
        except _ResultsGoneError:
            return "SUCCEEDED"

    def _match(self, notice: CompletionNotice) -> tuple[JobRecord, Analysis] | CollectReport:
        """The job a notice is about, or the report that drops it (unknown API, job or video).

        The job is found through the jobs table (by its tag, else by its JobId) and its analysis is the
        one the job was started for, never inferred from the notice's API name: two analyses can share
        a Rekognition operation (general labels and label-based person tracking both run
        StartLabelDetection). The notice's API must still be the recorded job's own.
        """
        if by_notification_api(notice.api) is None:
            return CollectReport(CollectOutcome.UNKNOWN_JOB, notice.job_id, reason=f"unknown API {notice.api!r}")
        record = self._locate(notice)
        if record is None:
            return CollectReport(CollectOutcome.UNKNOWN_JOB, notice.job_id, reason="no such job")
        try:
            analysis = of_job(record.analysis, record.engine)
        except ValueError:
            return CollectReport(
                CollectOutcome.UNKNOWN_JOB, notice.job_id, record.analysis, record.video_id, reason="unknown analysis"
            )
        if notice.api not in (analysis.start_operation, analysis.notification_api):
            return CollectReport(
                CollectOutcome.UNKNOWN_JOB,
                notice.job_id,
                analysis.name,
                record.video_id,
                reason=f"API {notice.api!r} is not the job's {analysis.start_operation}",
            )
        if notice.video and (notice.video.bucket, notice.video.object_name) != (record.bucket, record.key):
            return CollectReport(
                CollectOutcome.UNKNOWN_JOB, notice.job_id, analysis.name, record.video_id, reason="video mismatch"
            )
        return record, analysis

    def _locate(self, notice: CompletionNotice) -> JobRecord | None:
        """Find the job by its tag (one consistent read), falling back to the JobId index."""
        tagged = parse_job_tag(notice.job_tag)
        if tagged:
            analysis_name, video_id = tagged
            record = self._jobs.get_job(video_id, analysis_name)
            # A rider's record names the job as `<JobId>.<analysis>`: its notices carry the JobId.
            if record and record.job_id and rekognition_job_id(record.job_id) == notice.job_id:
                return record
            if record and record.job_id is None and record.status is JobStatus.STARTING:
                return record
        return self._jobs.find_by_job_id(notice.job_id)

    def _collect(self, record: JobRecord, analysis: Analysis, time_left: Callable[[], float]) -> CollectReport:
        assert record.job_id is not None
        # Collection is under way: the reconciler measures a job's staleness from here, not from its start.
        if not self._jobs.touch(record, self._clock()):
            if self._jobs.is_erased(record.video_id, record.analysis):
                # Deleted before any page was read: Rekognition is asked whether the job has ended.
                return self._erase(record, analysis, time_left)
            raise RetryLaterError(f"job {record.job_id} changed before its results were collected")
        resume = self._usable_checkpoint(record)
        try:
            end = self._stream(record, analysis, resume, time_left)
        except _PaginationExpiredError:
            end = self._stream(record, analysis, None, time_left)
        if end.still_running:
            return CollectReport(CollectOutcome.PREMATURE, record.job_id, analysis.name, record.video_id)
        if end.handed_over:
            return CollectReport(
                CollectOutcome.CONTINUED, record.job_id, analysis.name, record.video_id, end.tally.detections
            )
        if end.failure is not None:
            return self._record_failure(record, analysis, end.failure[0], end.failure[1])
        report = self._finish(
            record,
            analysis,
            JobStatus.SUCCEEDED,
            CollectOutcome.SUCCEEDED,
            tally=end.tally,
            metadata=end.metadata,
            single_sightings=end.single_sightings,
        )
        self._retire_previous(replace(record, status=JobStatus.SUCCEEDED), analysis, time_left)
        return report

    def _retire_previous(self, record: JobRecord, analysis: Analysis, time_left: Callable[[], float]) -> None:
        """Remove the results of the job a re-analysis replaced, once the new job's are complete.

        Readers switched to the new job with its final state (one write), so removing the old results
        now takes nothing from them. A delivery stopped part-way leaves the record naming the old job:
        the next delivery of the notice finishes the removal.
        """
        previous = record.previous_job_id
        if previous is None or record.status is not JobStatus.SUCCEEDED:
            return
        if not self._detections.delete_job(previous, time_left, RESERVE_SECONDS):
            raise RetryLaterError(f"removing the replaced job {previous} continues in the next delivery")
        if self._archive is not None:
            self._archive.delete_job(record.video_id, analysis.name, previous)
        self._jobs.forget_previous(record.video_id, record.analysis, previous)

    def _usable_checkpoint(self, record: JobRecord) -> Checkpoint | None:
        checkpoint = record.checkpoint
        if checkpoint is None:
            return None
        try:
            age = _parse_instant(self._clock()) - _parse_instant(checkpoint.saved_at)
        except ValueError:
            return None
        return checkpoint if age < TOKEN_LIFETIME else None

    def _stream(
        self,
        record: JobRecord,
        analysis: Analysis,
        resume: Checkpoint | None,
        time_left: Callable[[], float],
    ) -> _StreamEnd:
        assert record.job_id is not None
        context = JobContext(record.job_id, record.video_id, analysis, record.uploaded_at)
        tally = ResultTally()
        metadata: dict[str, Any] | None = None
        number, next_token = 0, None
        if resume is not None:
            tally = ResultTally(resume.detections, set(resume.entities))
            metadata, number, next_token = resume.video_metadata, resume.pages, resume.next_token
        stream = result_stream(analysis, resume.stream_state if resume else None, record.asked_options)
        packer = DetectionPacker(context, resume.packing_state if resume else None)
        while True:
            page = self._get_page(analysis, record.job_id, next_token, PAGE_SIZE)
            status = page.get("JobStatus")
            if status == "IN_PROGRESS":
                return _StreamEnd(tally, metadata, still_running=True)
            if status in ("FAILED", "ERROR"):
                return _StreamEnd(tally, metadata, (JobStatus(status), str(page.get("StatusMessage", ""))))
            metadata = metadata or _video_metadata(page)
            if self._archive is not None:
                self._archive.put_page(record.video_id, analysis.name, record.job_id, number, page)
            self._store(record, packer.pack(stream.feed(page.get(analysis.result_key, [])), tally))
            number += 1
            next_token = page.get("NextToken")
            # Let this page go before the next one is fetched, or two pages are held at once.
            del page
            if not next_token:
                self._store(record, [*packer.pack(stream.finish(), tally), *packer.finish()])
                return _StreamEnd(tally, metadata, single_sightings=stream.single_sightings())
            if time_left() < HANDOVER_SECONDS:
                checkpoint = Checkpoint(
                    next_token=next_token,
                    detections=tally.detections,
                    pages=number,
                    entities=tuple(sorted(tally.entities)),
                    saved_at=self._clock(),
                    video_metadata=metadata,
                    stream_state=stream.state(),
                    packing_state=packer.state(),
                )
                if not self._jobs.save_checkpoint(record, checkpoint):
                    raise self._why_changed(record)
                return _StreamEnd(tally, metadata, handed_over=True)

    def _store(self, record: JobRecord, items: Sequence[dict[str, Any]]) -> None:
        self._detections.write(items)
        # After every write: a deletion that began since must find nothing of ours left behind.
        if self._jobs.is_erased(record.video_id, record.analysis):
            raise _ErasedError

    def _why_changed(self, record: JobRecord) -> Exception:
        """A conditional write on a running job failed: its video was deleted, or another delivery finished it."""
        if self._jobs.is_erased(record.video_id, record.analysis):
            return _ErasedError()
        return RetryLaterError(f"job {record.job_id} changed while its results were being collected")

    def _get_page(self, analysis: Analysis, job_id: str, next_token: str | None, size: int) -> dict[str, Any]:
        try:
            return call_with_retries(
                lambda: self._rekognition.get_page(analysis, rekognition_job_id(job_id), next_token, size),
                is_transient=_is_transient,
                backoff=self._backoff,
                sleep=self._sleep,
            )
        except RekognitionCallError as error:
            if error.code == "InvalidPaginationTokenException" and next_token:
                raise _PaginationExpiredError from error
            if error.code == "ResourceNotFoundException":
                raise _ResultsGoneError from error
            if error.retryable:
                raise RetryLaterError(str(error)) from error
            raise

    def _record_failure(self, record: JobRecord, analysis: Analysis, status: JobStatus, message: str) -> CollectReport:
        return self._finish(record, analysis, status, CollectOutcome.FAILED, message=message)

    def _finish(
        self,
        record: JobRecord,
        analysis: Analysis,
        status: JobStatus,
        outcome: CollectOutcome,
        *,
        message: str = "",
        tally: ResultTally | None = None,
        metadata: dict[str, Any] | None = None,
        single_sightings: int = 0,
    ) -> CollectReport:
        """Write the final state once, then give the job's quota slot back."""
        assert record.job_id is not None
        tally = tally or ResultTally()
        finished = self._jobs.complete(
            record,
            status,
            self._clock(),
            status_message=message,
            detection_count=tally.detections,
            entity_count=len(tally.entities),
            single_sighting_count=single_sightings,
            video_metadata=metadata,
        )
        if not finished and self._jobs.is_erased(record.video_id, record.analysis):
            raise _ErasedError
        self._release_slot(record)
        stored = finished and status is JobStatus.SUCCEEDED
        return CollectReport(
            outcome if finished else CollectOutcome.DUPLICATE,
            record.job_id,
            analysis.name,
            record.video_id,
            tally.detections,
            reason=message,
            uploaded_at=record.uploaded_at if stored else None,
            # Only the delivery that completed the job reports them, so a duplicate counts nothing twice.
            findings=job_findings(analysis.name, tally) if stored else {},
        )


def _video_metadata(page: Mapping[str, Any]) -> dict[str, Any] | None:
    """The page's VideoMetadata: an object, except GetSegmentDetection's list (one per video stream;
    Rekognition analyses the first), of which the first is kept, so every job records the same shape."""
    found = page.get("VideoMetadata")
    if isinstance(found, list):
        found = found[0] if found else None
    return dict(found) if isinstance(found, Mapping) else None


def _parse_instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
