"""Start one Rekognition Video job per enabled analysis for each accepted upload."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from video_pipeline.analyses import Analysis, JobSettings, alternatives
from video_pipeline.contract import DEFAULT_VIDEO_SUFFIXES, DailyBudget
from video_pipeline.logic import admission, media_duration
from video_pipeline.logic.admission import Admission, Verdict
from video_pipeline.logic.budget import budget_day, guessed_duration_ms, video_minutes
from video_pipeline.logic.clock import utc_now
from video_pipeline.logic.errors import RekognitionCallError, RetryLaterError
from video_pipeline.logic.identity import client_request_token, holder_id, job_tag, video_id
from video_pipeline.logic.ports import BudgetPort, JobsPort, ObjectReaderPort, RekognitionPort, SlotsPort
from video_pipeline.logic.retry import DEFAULT_BACKOFF, Backoff, call_with_retries
from video_pipeline.models import Claim, JobRecord, JobStatus, UploadedObject, Video


class StartOutcome(StrEnum):
    STARTED = "STARTED"
    DUPLICATE = "DUPLICATE"
    FAILED = "FAILED"
    DEFERRED = "DEFERRED"
    # Every slot of the concurrent-job quota is taken, or today's budget of video minutes is spent:
    # the upload waits in the queue.
    WAITING = "WAITING"


@dataclass(frozen=True, slots=True)
class NotificationChannel:
    topic_arn: str
    role_arn: str


@dataclass(slots=True)
class UploadReport:
    bucket: str
    key: str
    admission: Admission
    video_id: str | None = None
    outcomes: dict[str, StartOutcome] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # The engine each started analysis runs on, where it differs from the configured one (a fallback).
    fallbacks: dict[str, str] = field(default_factory=dict)
    # Rekognition itself answered that the account's quota is full: other workloads hold it.
    quota_held_elsewhere: bool = False
    # The quota of concurrent jobs was found full (by the ledger, or by Rekognition itself).
    quota_full: bool = False
    # Some analysis waits because today's budget of video minutes cannot afford it.
    over_budget: bool = False
    # Some analysis waits for a job of other parameters (the one a re-analysis replaces) to end.
    replaces_running_job: bool = False
    # The video's minutes, as charged against the daily budget (None where no budget is kept).
    minutes: float | None = None


def start_request(
    analysis: Analysis,
    upload: UploadedObject,
    *,
    token: str,
    tag: str,
    channel: NotificationChannel,
    settings: JobSettings,
) -> dict[str, Any]:
    s3_object = {"Bucket": upload.bucket, "Name": upload.key}
    if upload.version_id:
        s3_object["Version"] = upload.version_id
    return {
        "Video": {"S3Object": s3_object},
        "ClientRequestToken": token,
        "JobTag": tag,
        "NotificationChannel": {"SNSTopicArn": channel.topic_arn, "RoleArn": channel.role_arn},
        **analysis.start_options(settings),
    }


def _is_transient(error: Exception) -> bool:
    # A full quota is not retried in the call: the upload waits in the queue, holding no slot.
    return isinstance(error, RekognitionCallError) and error.retryable and not error.quota_full


def failure_message(analysis: Analysis, error: RekognitionCallError) -> str:
    """What a refused job records; a refused engine names the engines that still work."""
    others = alternatives(analysis) if error.unavailable else ()
    if not others:
        return error.message
    names = " or ".join(repr(other.engine) for other in others)
    note = f" ({analysis.retirement_note})" if analysis.retirement_note else ""
    return (
        f"{analysis.start_operation} is not available to this account{note}. Use the {names} engine for "
        f"{analysis.name} (CDK context personTrackingEngine), or allow the automatic fallback "
        f"(personTrackingFallback=true). Rekognition said: {error.message}"
    )


class JobStarter:
    def __init__(
        self,
        *,
        jobs: JobsPort,
        slots: SlotsPort,
        objects: ObjectReaderPort,
        rekognition: RekognitionPort,
        channel: NotificationChannel,
        analyses: tuple[Analysis, ...],
        settings: JobSettings,
        fallbacks: Mapping[str, Analysis] | None = None,
        budget: BudgetPort | None = None,
        limits: DailyBudget | None = None,
        video_suffixes: tuple[str, ...] = DEFAULT_VIDEO_SUFFIXES,
        backoff: Backoff = DEFAULT_BACKOFF,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self._jobs = jobs
        self._slots = slots
        self._objects = objects
        self._rekognition = rekognition
        self._channel = channel
        self._analyses = analyses
        self._settings = settings
        self._fallbacks = dict(fallbacks or {})
        # The ledger counts every job's minutes (the operations dashboard shows them); `limits` may be empty.
        self._budget = budget
        self._limits = limits or DailyBudget()
        self._video_suffixes = video_suffixes
        self._backoff = backoff
        self._sleep = sleep
        self._clock = clock

    def handle(self, upload: UploadedObject, *, waited: bool = False) -> UploadReport:
        """Start every enabled analysis of one upload.

        Each analysis is attempted even if another one is deferred; if any is deferred, the
        report says so and the caller hands the message back to the queue. Duplicates are
        harmless: claimed jobs are skipped and Start* is idempotent on its token.

        `waited`: the upload was recorded before and waits for a quota slot; while the quota is
        full it keeps waiting after a single read, instead of re-checking and re-claiming everything.
        """
        verdict = admission.by_name_and_size(upload.key, upload.size, self._video_suffixes)
        report = UploadReport(bucket=upload.bucket, key=upload.key, admission=verdict)
        if verdict.verdict is Verdict.IGNORE:
            return report
        # A re-analysis re-runs only the analyses it names.
        wanted = tuple(item for item in self._analyses if item.name in (upload.analyses or (item.name,)))
        if waited and self._slots.is_full():
            report.outcomes = dict.fromkeys((analysis.name for analysis in wanted), StartOutcome.WAITING)
            return report
        head = self._objects.read_head(upload.bucket, upload.key, upload.version_id, admission.HEADER_BYTES)
        if head is None:
            report.admission = Admission(Verdict.IGNORE, "ObjectGone", "the object or version no longer exists")
            return report
        if verdict.verdict is Verdict.ACCEPT:
            report.admission = admission.by_content(head.header, head.size)
        video = Video(video_id=video_id(upload), upload=upload, size=head.size)
        report.video_id = video.video_id
        if not self._jobs.put_video(video, tuple(analysis.name for analysis in self._analyses)):
            report.admission = Admission(Verdict.IGNORE, "VideoDeleted", "the video was deleted and its results erased")
            return report
        if self._budget is not None and report.admission.verdict is Verdict.ACCEPT:
            report.minutes = video_minutes(self._duration_ms(video))
        for analysis in wanted:
            self._start_one(video, analysis, report)
        return report

    def _duration_ms(self, video: Video) -> int:
        """The video's duration, read from the object the first time only and kept on the video's record."""
        recorded = self._jobs.recorded_duration(video.video_id)
        if recorded is not None:
            return recorded
        upload = video.upload

        def read(offset: int, length: int) -> bytes:
            return self._objects.read_range(upload.bucket, upload.key, upload.version_id, offset, length)

        duration = media_duration.duration_ms(read, video.size)
        estimated = duration is None
        if duration is None:
            duration = guessed_duration_ms(video.size)
        self._jobs.record_duration(video.video_id, duration, estimated=estimated)
        return duration

    def _affordable(self, analysis: Analysis, token: str, minutes: float | None) -> bool:
        """Charge the job's minutes to today's budget (once per job); False when a limit has no room left."""
        if self._budget is None or minutes is None:
            return True
        limits = self._limits.limits_for(analysis.name)
        return self._budget.charge(budget_day(self._clock()), token, analysis.name, minutes, limits)

    def _token(self, analysis: Analysis, upload: UploadedObject) -> str:
        channel = (self._channel.topic_arn, self._channel.role_arn)
        return client_request_token(analysis, upload, self._settings, channel)

    def _start_one(self, video: Video, analysis: Analysis, report: UploadReport) -> None:
        upload = video.upload
        record = JobRecord(
            video_id=video.video_id,
            analysis=analysis.name,
            status=JobStatus.STARTING,
            token=self._token(analysis, upload),
            tag=job_tag(analysis, video.video_id),
            bucket=upload.bucket,
            key=upload.key,
            uploaded_at=upload.event_time,
            engine=analysis.engine,
        )
        now = self._clock()
        claim = self._jobs.claim(record, video, now)
        if claim is Claim.BUSY:
            # A job of this analysis with other parameters still runs: its replacement starts after it.
            report.outcomes[analysis.name] = StartOutcome.WAITING
            report.replaces_running_job = True
            return
        if claim is Claim.DUPLICATE:
            report.outcomes[analysis.name] = StartOutcome.DUPLICATE
            return
        if report.admission.verdict is Verdict.REJECT:
            self._jobs.mark_failed(record, report.admission.reason_code, report.admission.reason, now)
            report.outcomes[analysis.name] = StartOutcome.FAILED
            return
        holder = holder_id(record.video_id, record.analysis)
        # Once the quota is found full, the upload's other analyses wait without asking again.
        if report.quota_full or not self._slots.acquire(holder):
            report.outcomes[analysis.name] = StartOutcome.WAITING
            report.quota_full = True
            return
        # Charged only with a slot in hand, so a job waiting for a slot spends no budget meanwhile.
        if not self._affordable(analysis, record.token, report.minutes):
            self._slots.release(holder)
            report.outcomes[analysis.name] = StartOutcome.WAITING
            report.over_budget = True
            return
        try:
            job_id, engine = self._launch(analysis, upload, record.token, record.tag)
        except RekognitionCallError as error:
            report.errors[analysis.name] = f"{error.code}: {error.message}"
            if error.quota_full:
                # Other workloads hold the account's quota: this is waiting, not failing, and must never
                # march the upload into the dead-letter queue however long it lasts.
                report.outcomes[analysis.name] = StartOutcome.WAITING
                report.quota_held_elsewhere = report.quota_full = True
            elif error.retryable:
                report.outcomes[analysis.name] = StartOutcome.DEFERRED
            else:
                self._jobs.mark_failed(record, error.code, failure_message(analysis, error), self._clock())
                report.outcomes[analysis.name] = StartOutcome.FAILED
            # No job runs: the slot goes to the next upload (a retry takes a slot again).
            self._slots.release(holder)
            return
        if engine is not analysis:
            report.fallbacks[analysis.name] = engine.engine
        self._jobs.mark_started(replace(record, engine=engine.engine), job_id, self._clock())
        report.outcomes[analysis.name] = StartOutcome.STARTED

    def _launch(self, analysis: Analysis, upload: UploadedObject, token: str, tag: str) -> tuple[str, Analysis]:
        """Start the job on its engine, or on the configured fallback engine if the service refuses that one."""
        try:
            return self._call_start(analysis, upload, token, tag), analysis
        except RekognitionCallError as error:
            fallback = self._fallbacks.get(analysis.name)
            if fallback is None or not error.unavailable:
                raise
        # Its own token: a token stands for one set of Start parameters.
        return self._call_start(fallback, upload, self._token(fallback, upload), tag), fallback

    def _call_start(self, analysis: Analysis, upload: UploadedObject, token: str, tag: str) -> str:
        request = start_request(analysis, upload, token=token, tag=tag, channel=self._channel, settings=self._settings)
        return call_with_retries(
            lambda: self._rekognition.start(analysis, request),
            is_transient=_is_transient,
            backoff=self._backoff,
            sleep=self._sleep,
        )


def raise_if_deferred(report: UploadReport) -> None:
    """Hand the message back to the queue when any analysis failed to start for a transient reason."""
    deferred = [name for name, outcome in report.outcomes.items() if outcome is StartOutcome.DEFERRED]
    if deferred:
        details = "; ".join(f"{name}: {report.errors[name]}" for name in deferred)
        raise RetryLaterError(f"could not start {', '.join(deferred)} for s3://{report.bucket}/{report.key}: {details}")


def is_waiting(report: UploadReport) -> bool:
    """True when some analysis of the upload waits for a free slot of the job quota."""
    return StartOutcome.WAITING in report.outcomes.values()
