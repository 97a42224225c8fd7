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
from video_pipeline.logic.identity import client_request_token, holder_id, job_tag, riding_token, video_id
from video_pipeline.logic.ports import BudgetPort, JobsPort, ObjectReaderPort, RekognitionPort, SlotsPort
from video_pipeline.logic.retry import DEFAULT_BACKOFF, Backoff, call_with_retries
from video_pipeline.logic.shared_jobs import PlannedStart, planned_starts, riding_job_id
from video_pipeline.models import Claim, JobRecord, JobStatus, UploadedObject, Video

# What a rider records when the label job it shares was refused before it was recorded on it.
SHARED_JOB_FAILED = "the label job this analysis shares could not start; see the labels job's message"


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
    # Analyses recorded on another analysis' job (one Start*, one slot, one bill): `logic/shared_jobs.py`.
    riding: set[str] = field(default_factory=set)


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
        for planned in planned_starts(wanted, self._settings):
            self._start_one(video, planned, report)
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

    def _start_one(self, video: Video, planned: PlannedStart, report: UploadReport) -> None:
        analysis, riders = planned.analysis, planned.riders
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
            asked_options=planned.asked,
        )
        now = self._clock()
        claim = self._jobs.claim(record, video, now)
        if claim is Claim.BUSY:
            # A job of this analysis with other parameters still runs: its replacement starts after it.
            self._outcome(report, (analysis, *riders), StartOutcome.WAITING)
            report.replaces_running_job = True
            return
        if claim is Claim.DUPLICATE:
            report.outcomes[analysis.name] = StartOutcome.DUPLICATE
            self._follow_recorded(video, riders, record, report)
            return
        if report.admission.verdict is Verdict.REJECT:
            failure = (report.admission.reason_code, report.admission.reason)
            self._jobs.mark_failed(record, *failure, now)
            report.outcomes[analysis.name] = StartOutcome.FAILED
            self._ride(video, riders, record, report, failure=failure)
            return
        holder = self._slot_and_budget(planned, record, report)
        if holder is None:
            self._outcome(report, (analysis, *riders), StartOutcome.WAITING)
            return
        try:
            job_id, engine = self._launch(analysis, upload, record.token, record.tag)
        except RekognitionCallError as error:
            self._refused(video, planned, record, error, report)
            # No job runs: the slot goes to the next upload (a retry takes a slot again).
            self._slots.release(holder)
            return
        if engine is not analysis:
            report.fallbacks[analysis.name] = engine.engine
        # Riders first: once the carrier's record names the job, a notice of its end finds them recorded.
        self._ride(video, riders, record, report, job_id=job_id)
        self._jobs.mark_started(replace(record, engine=engine.engine), job_id, self._clock())
        report.outcomes[analysis.name] = StartOutcome.STARTED

    def _slot_and_budget(self, planned: PlannedStart, record: JobRecord, report: UploadReport) -> str | None:
        """Take the job's quota slot and charge its minutes; the slot's holder, or None (the job waits).

        One slot and one charge per Start*: riders on a shared job take neither."""
        holder = holder_id(record.video_id, record.analysis)
        # Once the quota is found full, the upload's other analyses wait without asking again.
        if report.quota_full or not self._slots.acquire(holder):
            report.quota_full = True
            return None
        # Charged only with a slot in hand, so a job waiting for a slot spends no budget meanwhile.
        if not self._affordable(planned.analysis, record.token, report.minutes):
            self._slots.release(holder)
            report.over_budget = True
            return None
        return holder

    def _refused(
        self, video: Video, planned: PlannedStart, record: JobRecord, error: RekognitionCallError, report: UploadReport
    ) -> None:
        """Rekognition refused the Start*: wait (a full quota), retry later (transient), or fail for good."""
        analysis, riders = planned.analysis, planned.riders
        for name in (analysis.name, *(rider.name for rider in riders)):
            report.errors[name] = f"{error.code}: {error.message}"
        if error.quota_full:
            # Other workloads hold the account's quota: this is waiting, not failing, and must never
            # march the upload into the dead-letter queue however long it lasts.
            self._outcome(report, (analysis, *riders), StartOutcome.WAITING)
            report.quota_held_elsewhere = report.quota_full = True
        elif error.retryable:
            self._outcome(report, (analysis, *riders), StartOutcome.DEFERRED)
        else:
            failure = (error.code, failure_message(analysis, error))
            self._jobs.mark_failed(record, *failure, self._clock())
            report.outcomes[analysis.name] = StartOutcome.FAILED
            self._ride(video, riders, record, report, failure=failure)

    @staticmethod
    def _outcome(report: UploadReport, analyses: tuple[Analysis, ...], outcome: StartOutcome) -> None:
        """A carrier's outcome is its riders' too while no job has been started for them."""
        for analysis in analyses:
            report.outcomes[analysis.name] = outcome

    def _follow_recorded(
        self, video: Video, riders: tuple[Analysis, ...], carrier: JobRecord, report: UploadReport
    ) -> None:
        """The carrier's job was started (or refused) before: riders not yet recorded on it join it now.

        A starter that stopped between the carrier's Start* and its riders' records leaves them STARTING;
        the upload's retry finds the carrier a duplicate and records them here."""
        if not riders:
            return
        recorded = self._jobs.get_job(carrier.video_id, carrier.analysis)
        if recorded is None or recorded.token != carrier.token:
            return
        if recorded.job_id is not None:
            self._ride(video, riders, carrier, report, job_id=recorded.job_id)
        elif recorded.status is JobStatus.FAILED:
            self._ride(video, riders, carrier, report, failure=("SharedJobFailed", SHARED_JOB_FAILED))

    def _ride(
        self,
        video: Video,
        riders: tuple[Analysis, ...],
        carrier: JobRecord,
        report: UploadReport,
        *,
        job_id: str | None = None,
        failure: tuple[str, str] | None = None,
    ) -> None:
        """Record each rider on the carrier's job (no slot, no charge, no Start*), or failed as it failed."""
        for rider in riders:
            record = replace(
                carrier,
                analysis=rider.name,
                token=riding_token(rider, carrier.token),
                tag=job_tag(rider, carrier.video_id),
                engine=rider.engine,
                asked_options=rider.start_options(self._settings),
            )
            claim = self._jobs.claim(record, video, self._clock())
            if claim is Claim.BUSY:
                report.outcomes[rider.name] = StartOutcome.WAITING
                report.replaces_running_job = True
            elif claim is Claim.DUPLICATE:
                report.outcomes[rider.name] = StartOutcome.DUPLICATE
            elif failure is not None:
                self._jobs.mark_failed(record, *failure, self._clock())
                report.outcomes[rider.name] = StartOutcome.FAILED
            elif job_id is not None:
                self._jobs.mark_started(record, riding_job_id(job_id, rider.name), self._clock())
                report.outcomes[rider.name] = StartOutcome.STARTED
                report.riding.add(rider.name)

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
