"""Turn a completion notification into the job's stored results and final state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from video_pipeline.analyses import Analysis, by_notification_api
from video_pipeline.logic.clock import utc_now
from video_pipeline.logic.detections import JobContext, ResultTally, detection_items
from video_pipeline.logic.errors import RekognitionCallError, RetryLaterError
from video_pipeline.logic.identity import parse_job_tag
from video_pipeline.logic.notifications import CompletionNotice
from video_pipeline.logic.ports import DetectionsPort, JobsPort, RekognitionPort
from video_pipeline.logic.result_streams import result_stream
from video_pipeline.logic.retry import DEFAULT_BACKOFF, Backoff, call_with_retries
from video_pipeline.models import JobRecord, JobStatus

PAGE_SIZE = 1000


class CollectOutcome(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    DUPLICATE = "DUPLICATE"
    UNKNOWN_JOB = "UNKNOWN_JOB"


@dataclass(frozen=True, slots=True)
class CollectReport:
    outcome: CollectOutcome
    job_id: str
    analysis: str | None = None
    video_id: str | None = None
    detections: int = 0
    reason: str = ""
    uploaded_at: str | None = None  # set when results were stored, for the upload-to-results latency


class _PaginationExpiredError(Exception):
    pass


def _is_transient(error: Exception) -> bool:
    return isinstance(error, RekognitionCallError) and error.retryable


class ResultCollector:
    def __init__(
        self,
        *,
        jobs: JobsPort,
        detections: DetectionsPort,
        rekognition: RekognitionPort,
        backoff: Backoff = DEFAULT_BACKOFF,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self._jobs = jobs
        self._detections = detections
        self._rekognition = rekognition
        self._backoff = backoff
        self._sleep = sleep
        self._clock = clock

    def handle(self, notice: CompletionNotice) -> CollectReport:
        analysis = by_notification_api(notice.api)
        if analysis is None:
            return CollectReport(CollectOutcome.UNKNOWN_JOB, notice.job_id, reason=f"unknown API {notice.api!r}")
        record = self._locate(notice, analysis)
        if record is None:
            return CollectReport(CollectOutcome.UNKNOWN_JOB, notice.job_id, analysis.name, reason="no such job")
        if notice.video and (notice.video.bucket, notice.video.object_name) != (record.bucket, record.key):
            return CollectReport(
                CollectOutcome.UNKNOWN_JOB,
                notice.job_id,
                analysis.name,
                record.video_id,
                reason="video mismatch",
            )
        if record.status.is_final:
            return CollectReport(CollectOutcome.DUPLICATE, notice.job_id, analysis.name, record.video_id)
        if notice.status == "SUCCEEDED":
            return self._collect(record, analysis)
        return self._record_failure(record, analysis, JobStatus(notice.status), notice.message or "")

    def _locate(self, notice: CompletionNotice, analysis: Analysis) -> JobRecord | None:
        """Find the job by its tag (one consistent read), falling back to the JobId index."""
        tagged = parse_job_tag(notice.job_tag)
        if tagged and tagged[0] == analysis.name:
            record = self._jobs.get_job(tagged[1], analysis.name)
            if record and record.job_id == notice.job_id:
                return record
            if record and record.job_id is None and record.status is JobStatus.STARTING:
                # Rekognition answered the starter but its write has not landed yet.
                raise RetryLaterError(f"job {notice.job_id} is not recorded yet")
        record = self._jobs.find_by_job_id(notice.job_id)
        if record and record.analysis == analysis.name:
            return record
        return None

    def _collect(self, record: JobRecord, analysis: Analysis) -> CollectReport:
        assert record.job_id is not None
        try:
            tally, metadata, failure = self._stream(record, analysis)
        except _PaginationExpiredError:
            # A pagination token expired mid-stream: start over; the writes are idempotent.
            tally, metadata, failure = self._stream(record, analysis)
        if failure is not None:
            return self._record_failure(record, analysis, failure[0], failure[1])
        finished = self._jobs.complete(
            record,
            JobStatus.SUCCEEDED,
            self._clock(),
            detection_count=tally.detections,
            entity_count=len(tally.entities),
            video_metadata=metadata,
        )
        outcome = CollectOutcome.SUCCEEDED if finished else CollectOutcome.DUPLICATE
        return CollectReport(
            outcome, record.job_id, analysis.name, record.video_id, tally.detections, uploaded_at=record.uploaded_at
        )

    def _stream(
        self, record: JobRecord, analysis: Analysis
    ) -> tuple[ResultTally, dict[str, Any] | None, tuple[JobStatus, str] | None]:
        assert record.job_id is not None
        context = JobContext(record.job_id, record.video_id, analysis, record.uploaded_at)
        tally = ResultTally()
        metadata: dict[str, Any] | None = None
        stream = result_stream(analysis)
        for page in self._pages(analysis, record.job_id):
            status = page.get("JobStatus")
            if status == "IN_PROGRESS":
                raise RetryLaterError(f"job {record.job_id} is still in progress")
            if status in ("FAILED", "ERROR"):
                return tally, metadata, (JobStatus(status), str(page.get("StatusMessage", "")))
            metadata = metadata or page.get("VideoMetadata")
            self._detections.write(detection_items(context, stream.feed(page.get(analysis.result_key, [])), tally))
        self._detections.write(detection_items(context, stream.finish(), tally))
        return tally, metadata, None

    def _pages(self, analysis: Analysis, job_id: str) -> Iterator[dict[str, Any]]:
        next_token: str | None = None
        while True:
            page = self._get_page(analysis, job_id, next_token, PAGE_SIZE)
            yield page
            next_token = page.get("NextToken")
            if not next_token:
                return

    def _get_page(self, analysis: Analysis, job_id: str, next_token: str | None, size: int) -> dict[str, Any]:
        try:
            return call_with_retries(
                lambda: self._rekognition.get_page(analysis, job_id, next_token, size),
                is_transient=_is_transient,
                backoff=self._backoff,
                sleep=self._sleep,
            )
        except RekognitionCallError as error:
            if error.code == "InvalidPaginationTokenException" and next_token:
                raise _PaginationExpiredError from error
            if error.retryable:
                raise RetryLaterError(str(error)) from error
            raise

    def _record_failure(self, record: JobRecord, analysis: Analysis, status: JobStatus, message: str) -> CollectReport:
        assert record.job_id is not None
        if not message:
            page = self._get_page(analysis, record.job_id, None, 1)
            message = str(page.get("StatusMessage", ""))
        finished = self._jobs.complete(record, status, self._clock(), status_message=message)
        outcome = CollectOutcome.FAILED if finished else CollectOutcome.DUPLICATE
        return CollectReport(outcome, record.job_id, analysis.name, record.video_id, reason=message)
