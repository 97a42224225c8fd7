"""The Rekognition Video state machine: operation name + request parameters -> response or error.

Nothing here knows about HTTP; `intercept` puts it behind real boto3 clients in-process and
`endpoint` behind a socket. What a job finds comes from its Start operation's analyzer (synthetic by
default, real ones in `emulator.vision`). Jobs finish when a test says so (`complete_jobs`), or on
their own in a worker pool (`workers=N`). Slow I/O (S3 reads, SNS publishes, analysis) happens
outside the lock, so concurrent workers contend only for bookkeeping.
"""

from __future__ import annotations

import copy
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from types import TracebackType
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.model import ListShape, StructureShape

from emulator import intercept
from emulator.analyzers import AnalysisError, AnalysisRequest, Analyzer, SyntheticAnalyzer, profile_of
from emulator.catalog import APIS, BY_GET, BY_START, VideoApi, by_start
from emulator.clients import ClientFactory, Clients
from emulator.clock import Clock
from emulator.draw import seed_of
from emulator.errors import (
    NOT_IMPLEMENTED_CODE,
    NOT_IMPLEMENTED_STATUS,
    S3_UNREADABLE_MESSAGE,
    TOO_LARGE_MESSAGE,
    ServiceError,
)
from emulator.face_collections import FaceCollections, IndexedFace
from emulator.faults import Faults
from emulator.jobs import Call, Job, JobProgress, JobStatus, LostNotification, Script
from emulator.media import PREFIX_LENGTH, UNSUPPORTED_FORMAT_MESSAGE, is_supported_container
from emulator.model import is_modeled_operation, output_shape
from emulator.notifications import DropPolicy, completion_message
from emulator.pagination import PaginationTokens
from emulator.results import ResultSet, ScriptedSource
from emulator.shapes import violations
from emulator.storage import S3VideoStore, VideoStore
from emulator.validation import validate_request, validate_video

MAX_VIDEO_BYTES = 10 * 1024**3
MAX_IMAGE_BYTES = 15 * 1024**2
MAX_PAGE_SIZE = 1000
DEFAULT_JOB_LIMIT = 20
DEFAULT_DETECTIONS = 12

# People Pathing ended on 2025-10-31; an account without it is refused as for any capability it may not
# use. The exact wording of the real refusal is not documented; the code is the modeled one.
PEOPLE_PATHING_OPERATIONS = frozenset({"StartPersonTracking", "GetPersonTracking"})
PEOPLE_PATHING_REFUSAL = "Amazon Rekognition People Pathing is no longer available: support ended on October 31, 2025."
_SCRIPTED_MESSAGES = {
    JobStatus.FAILED: "The video could not be analyzed.",
    JobStatus.ERROR: "An internal error occurred while analyzing the video.",
}

_Outcome = tuple[JobStatus, str | None, ResultSet | None]
_LOG = logging.getLogger("emulator")


class RekognitionVideoFake:
    """An in-memory Amazon Rekognition Video for stored-video analysis jobs."""

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        concurrent_job_limit: int = DEFAULT_JOB_LIMIT,
        default_detections: int = DEFAULT_DETECTIONS,
        clock: Clock | None = None,
        client_factory: ClientFactory | None = None,
        video_store: VideoStore | None = None,
        analyzers: Mapping[str, Analyzer] | None = None,
        workers: int = 0,
        people_pathing: bool = True,
    ) -> None:
        """`analyzers` replace the synthetic one per Start operation; `workers` > 0 finishes jobs on their own.

        `people_pathing=False` is an account as AWS has them today: StartPersonTracking is refused.
        """
        if workers < 0:
            raise ValueError("workers must not be negative")
        unknown = sorted(set(analyzers or {}) - set(BY_START))
        if unknown:
            raise ValueError(f"no such Start operation: {', '.join(unknown)}")
        self.region = region
        self.people_pathing = people_pathing
        self.concurrent_job_limit = concurrent_job_limit
        self.default_detections = default_detections
        self.clock = clock or Clock()
        self._clients = Clients(region, client_factory)
        self._store: VideoStore = video_store or S3VideoStore(self._clients)
        self._lock = threading.RLock()
        self._jobs: dict[str, Job] = {}
        self._tokens_by_request: dict[tuple[str, str], str] = {}
        self._scripts: dict[tuple[str, str, str | None], Script] = {}
        self._sizes: dict[tuple[str, str, str | None], int] = {}
        self._calls: list[Call] = []
        self._errors: list[tuple[str, str]] = []
        self._lost: list[LostNotification] = []
        self._faults = Faults()
        self._drops = DropPolicy()
        self._pages = PaginationTokens(self.clock)
        self._in_progress = 0
        self._max_in_progress = 0
        self._analyzers: dict[str, Analyzer] = {api.start_operation: SyntheticAnalyzer(api.synthesize) for api in APIS}
        self._analyzers.update(analyzers or {})
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="rekognition-job") if workers else None
        self._unreported: list[str] = []
        # An analyzer for StartFaceSearch may bring its own face finder (`face_finder`): collections then find
        # faces with it, so that faces indexed from pictures and faces seen in videos are described alike.
        finder = getattr(self._analyzers.get("StartFaceSearch"), "face_finder", None)
        self._collections = FaceCollections(region, self.clock, self._read_image, finder)

    # -- lifetime (worker pool) ---------------------------------------------------------------

    @property
    def pooled(self) -> bool:
        """Whether jobs finish on their own, in the worker pool."""
        return self._pool is not None

    def close(self) -> None:
        """Stop the worker pool; jobs not yet started stay IN_PROGRESS."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> RekognitionVideoFake:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # -- routing real clients here ------------------------------------------------------------

    @contextmanager
    def activate(self) -> Iterator[RekognitionVideoFake]:
        """Answer every boto3 Rekognition request with this fake while the block runs."""
        with intercept.activated(self):
            yield self

    # -- the wire-level entry point -----------------------------------------------------------

    def handle(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Answer one request, or raise ServiceError exactly where the service would answer an error."""
        request = copy.deepcopy(dict(params))
        with self._lock:
            self._calls.append(Call(operation, request))
            fault = self._faults.take(operation)
        try:
            if fault is not None:
                raise fault
            return self._dispatch(operation, copy.deepcopy(request))
        except ServiceError as error:
            with self._lock:
                self._errors.append((operation, error.code))
            raise

    def _dispatch(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation in PEOPLE_PATHING_OPERATIONS and not self.people_pathing:
            raise ServiceError("AccessDeniedException", PEOPLE_PATHING_REFUSAL)
        if operation in BY_START:
            return self._start(BY_START[operation], params)
        if operation in BY_GET:
            return self._get(BY_GET[operation], params)
        if operation in self._collections.operations:
            validate_request(operation, params)
            return self._collections.handle(operation, params)
        if is_modeled_operation(operation):
            raise ServiceError(
                NOT_IMPLEMENTED_CODE,
                f"The Rekognition Video fake does not implement {operation}",
                NOT_IMPLEMENTED_STATUS,
            )
        raise ServiceError("UnknownOperationException", f"Unknown operation {operation}", 400)

    # -- Start* -------------------------------------------------------------------------------

    def _start(self, api: VideoApi, params: dict[str, Any]) -> dict[str, Any]:
        validate_request(api.start_operation, params)
        bucket, key, version = validate_video(params)
        if "CollectionId" in params:
            self._collections.faces(str(params["CollectionId"]))  # ResourceNotFoundException if there is none
        token = params.get("ClientRequestToken")
        with self._lock:
            replayed = self._replay(api, token, params)
        if replayed is not None:
            return {"JobId": replayed}
        size = self._object_size(bucket, key, version)
        if size is None:
            raise ServiceError("InvalidS3ObjectException", S3_UNREADABLE_MESSAGE)
        if size > MAX_VIDEO_BYTES:
            raise ServiceError("VideoTooLargeException", TOO_LARGE_MESSAGE)
        request = self._request(api.start_operation, params, bucket=bucket, key=key, version=version)
        unsupported = self._admit(api, request)
        with self._lock:
            # A concurrent Start with the same token may have created the job while S3 was read.
            replayed = self._replay(api, token, params)
            if replayed is not None:
                return {"JobId": replayed}
            if self._in_progress >= self.concurrent_job_limit:
                raise ServiceError(
                    "LimitExceededException",
                    f"The limit of {self.concurrent_job_limit} concurrent jobs has been reached",
                )
            job = self._new_job(api, params, bucket, key, version)
            job.unsupported = unsupported
        if self._pool is not None:
            self._pool.submit(self.complete_jobs, [job.job_id]).add_done_callback(_log_failure)
        return {"JobId": job.job_id}

    def _admit(self, api: VideoApi, request: AnalysisRequest) -> str | None:
        """Refuse what the service refuses at Start; return why a started job will fail, if it will.

        AWS documents that Start* accepts any object it can read within the size and duration limits;
        a file it then cannot analyse fails the job (FAILED, "Unsupported codec/format.", a FAILED
        notification). So an analyzer's other refusals become the job's failure, not the call's.
        """
        try:
            self._analyzers[api.start_operation].admit(request)
        except ServiceError as refusal:
            if refusal.code == "VideoTooLargeException" or refusal.message == S3_UNREADABLE_MESSAGE:
                raise
            _LOG.info("s3://%s/%s will fail its job: %s", request.bucket, request.key, refusal.message)
            return refusal.message
        return None

    def _replay(self, api: VideoApi, token: str | None, params: Mapping[str, Any]) -> str | None:
        if token is None:
            return None
        job_id = self._tokens_by_request.get((api.start_operation, token))
        if job_id is None:
            return None
        if self._jobs[job_id].params != params:
            raise ServiceError(
                "IdempotentParameterMismatchException",
                f"ClientRequestToken {token} was already used with different parameters",
            )
        return job_id

    def _object_size(self, bucket: str, key: str, version: str | None) -> int | None:
        with self._lock:
            override = self._sizes.get((bucket, key, version), self._sizes.get((bucket, key, None)))
        if override is not None:
            # The object must still exist; the override only stands in for bytes moto cannot hold.
            return override if self._store.size(bucket, key, version) is not None else None
        return self._store.size(bucket, key, version)

    def _new_job(self, api: VideoApi, params: dict[str, Any], bucket: str, key: str, version: str | None) -> Job:
        channel = params.get("NotificationChannel") or {}
        token = params.get("ClientRequestToken")
        job = Job(
            job_id=secrets.token_hex(32),
            api=api.start_operation,
            params=params,
            bucket=bucket,
            key=key,
            version=version,
            token=token,
            tag=params.get("JobTag"),
            topic_arn=channel.get("SNSTopicArn"),
            role_arn=channel.get("RoleArn"),
            created_at=self.clock.now(),
        )
        self._jobs[job.job_id] = job
        if token is not None:
            self._tokens_by_request[(api.start_operation, token)] = job.job_id
        self._in_progress += 1
        self._max_in_progress = max(self._max_in_progress, self._in_progress)
        return job

    # -- Get* ---------------------------------------------------------------------------------

    def _get(self, api: VideoApi, params: dict[str, Any]) -> dict[str, Any]:
        validate_request(api.get_operation, params)
        job_id = params["JobId"]
        # The model only bounds MaxResults below; the service quietly caps it at 1000.
        limit = min(int(params.get("MaxResults") or MAX_PAGE_SIZE), MAX_PAGE_SIZE)
        options = api.get_options(params)
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.api != api.start_operation:
                raise ServiceError("ResourceNotFoundException", f"The job {job_id} was not found")
            offset = 0
            # The model sets no minimum length, and the service takes an empty token as none: the
            # developer guide's own examples send NextToken="" on their first call.
            token = params.get("NextToken")
            if token:
                page_token = self._pages.redeem(token, job_id)
                offset, options = page_token.offset, dict(page_token.options)
            status, message, result_set = job.status, job.status_message, job.result_set

        response: dict[str, Any] = {"JobStatus": status.wire_value}
        if status is JobStatus.SUCCEEDED and result_set is not None:
            elements = result_set.page(offset, limit, api.sort_of(options), options)
            response["VideoMetadata"] = api.video_metadata(result_set.video_metadata())
            if offset + len(elements) < len(result_set):
                with self._lock:
                    response["NextToken"] = self._pages.issue(job_id, offset + len(elements), options)
            response[api.result_key] = elements
        else:
            if message is not None:
                response["StatusMessage"] = message
            response[api.result_key] = []
        response["JobId"] = job_id
        response["Video"] = job.video()
        if job.tag is not None:
            response["JobTag"] = job.tag
        if status is JobStatus.SUCCEEDED:
            response.update(api.extras(options, job.params))
            if result_set is not None:
                response.update(result_set.file_members())
        return response

    # -- driving jobs to completion -----------------------------------------------------------

    def complete_jobs(self, job_ids: Iterable[str] | None = None) -> list[str]:
        """Finish IN_PROGRESS jobs (all, or those given), publish their notifications, return their ids."""
        with self._lock:
            if job_ids is None:
                targets = [job for job in self._jobs.values() if job.status is JobStatus.IN_PROGRESS]
            else:
                wanted = list(job_ids)
                unknown = [job_id for job_id in wanted if job_id not in self._jobs]
                if unknown:
                    raise KeyError(f"unknown job ids: {', '.join(unknown)}")
                targets = [self._jobs[job_id] for job_id in wanted]
                targets = [job for job in targets if job.status is JobStatus.IN_PROGRESS]
        outcomes = {job.job_id: self._outcome(job) for job in targets}
        finished: list[tuple[Job, str, bool]] = []
        with self._lock:
            for job in targets:
                if job.status is not JobStatus.IN_PROGRESS:
                    continue  # finished by a concurrent call meanwhile
                job.status, job.status_message, job.result_set = outcomes[job.job_id]
                job.completed_at = self.clock.now()
                job.progress = 1.0
                self._in_progress -= 1
                if self._pool is not None:
                    self._unreported.append(job.job_id)
                if job.topic_arn is not None:
                    message = completion_message(job, int(job.completed_at * 1000))
                    finished.append((job, message, self._drops.should_drop()))
                else:
                    finished.append((job, "", False))
        for job, message, dropped in finished:
            self._notify(job, message, dropped)
        return [job.job_id for job, _, _ in finished]

    def _script_for(self, job: Job) -> Script | None:
        with self._lock:
            return self._scripts.get((job.bucket, job.key, job.api)) or self._scripts.get((job.bucket, job.key, None))

    def _unanalysable(self, job: Job) -> str | None:
        """The StatusMessage a job fails with before any analysis, or None if its video can be analysed."""
        if job.unsupported is not None:
            return UNSUPPORTED_FORMAT_MESSAGE
        prefix = self._store.prefix(job.bucket, job.key, job.version, PREFIX_LENGTH)
        if prefix is None:
            return S3_UNREADABLE_MESSAGE
        if not is_supported_container(prefix):
            return UNSUPPORTED_FORMAT_MESSAGE
        return None

    def _outcome(self, job: Job) -> _Outcome:
        script = self._script_for(job)
        if script is not None and script.status is not JobStatus.SUCCEEDED:
            return script.status, script.status_message or _SCRIPTED_MESSAGES[script.status], None
        unanalysable = self._unanalysable(job)
        if unanalysable is not None:
            return JobStatus.FAILED, unanalysable, None
        api = by_start(job.api)
        if script is not None and script.elements is not None:
            # Scripted detections, but the file's own VideoMetadata, as for any analysis.
            try:
                profile = profile_of(
                    self._request(job.api, job.params, bucket=job.bucket, key=job.key, version=job.version)
                )
            except AnalysisError as failure:
                return JobStatus.FAILED, str(failure), None
            return JobStatus.SUCCEEDED, None, ResultSet(ScriptedSource(script.elements, profile, api.sort_keys))
        count = self.default_detections
        if script is not None and script.detections is not None:
            count = script.detections
        return self._analyze(job, count)

    def _analyze(self, job: Job, detections: int) -> _Outcome:
        request = self._request(
            job.api,
            job.params,
            bucket=job.bucket,
            key=job.key,
            version=job.version,
            detections=detections,
            job_id=job.job_id,
        )
        try:
            source = self._analyzers[job.api].analyze(request)
        except AnalysisError as failure:
            return JobStatus.FAILED, str(failure), None
        except Exception:
            _LOG.exception("analysis of job %s crashed", job.job_id)
            return JobStatus.ERROR, _SCRIPTED_MESSAGES[JobStatus.ERROR], None
        return JobStatus.SUCCEEDED, None, ResultSet(source)

    def _request(
        self,
        operation: str,
        params: Mapping[str, Any],
        *,
        bucket: str,
        key: str,
        version: str | None,
        detections: int = 0,
        job_id: str | None = None,
    ) -> AnalysisRequest:
        def report(fraction: float) -> None:
            if job_id is not None:
                with self._lock:
                    self._jobs[job_id].progress = max(0.0, min(1.0, fraction))

        return AnalysisRequest(
            start_operation=operation,
            bucket=bucket,
            key=key,
            version=version,
            params=params,
            seed=seed_of(bucket, key, version, operation),
            detections=detections,
            open_video=lambda: self._store.open(bucket, key, version),
            report_progress=report,
            collection=self._collection_of(params),
        )

    def _collection_of(self, params: Mapping[str, Any]) -> tuple[IndexedFace, ...]:
        """The faces a face search job searches; none once its collection is deleted (nothing matches)."""
        collection_id = params.get("CollectionId")
        if collection_id is None:
            return ()
        try:
            return self._collections.faces(str(collection_id))
        except ServiceError:
            return ()

    def _read_image(self, bucket: str, key: str, version: str | None) -> bytes | None:
        """An image for IndexFaces or SearchFacesByImage, up to the service's 15 MB for S3 images."""
        stream = self._store.open(bucket, key, version)
        if stream is None:
            return None
        with stream:
            data = stream.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise ServiceError("ImageTooLargeException", "Image size is too large.")
        return data

    def _notify(self, job: Job, message: str, dropped: bool) -> None:
        if job.topic_arn is None:
            return
        if dropped:
            self._lose(job, message, "dropped deliberately")
            return
        missing_role = self._missing_role(job.role_arn)
        if missing_role is not None:
            # The service publishes as the channel's role; without one, nothing reaches the topic.
            self._lose(job, message, missing_role)
            return
        region = job.topic_arn.split(":")[3]
        try:
            self._clients.sns(region).publish(TopicArn=job.topic_arn, Message=message)
        except (ClientError, BotoCoreError) as error:
            # A topic that does not exist (or refuses the role) loses the message: the service does
            # not retry a failed publish either, and the job stays complete.
            self._lose(job, message, str(error))

    def _missing_role(self, role_arn: str | None) -> str | None:
        """Why the channel's role cannot publish, when IAM says it does not exist; None otherwise.

        Only a definite NoSuchEntity counts: an IAM the emulator cannot reach is no evidence either way.
        """
        if not role_arn:
            return None
        name = role_arn.rsplit("/", 1)[-1]
        try:
            self._clients.get("iam").get_role(RoleName=name)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NoSuchEntity":
                return f"the notification channel's role {role_arn} does not exist"
        except BotoCoreError:
            return None
        return None

    def _lose(self, job: Job, message: str, reason: str) -> None:
        _LOG.warning("job %s: completion notification to %s not delivered: %s", job.job_id, job.topic_arn, reason)
        with self._lock:
            self._lost.append(LostNotification(job.job_id, job.topic_arn or "", message, reason))

    # -- test controls ------------------------------------------------------------------------

    def script(
        self,
        bucket: str,
        key: str,
        api: str | None = None,
        *,
        detections: int | None = None,
        elements: Sequence[Mapping[str, Any]] | None = None,
        status: str = "SUCCEEDED",
        status_message: str | None = None,
    ) -> None:
        """Decide how jobs on s3://bucket/key end: for one Start API, or for every API when api is None.

        A script for a named API takes precedence over one for all APIs on the same object.
        """
        outcome = JobStatus(status)
        if outcome is JobStatus.IN_PROGRESS:
            raise ValueError("a scripted outcome must be SUCCEEDED, FAILED or ERROR")
        if detections is not None and elements is not None:
            raise ValueError("give detections or elements, not both")
        if detections is not None and detections < 0:
            raise ValueError("detections must not be negative")
        if elements is not None:
            if api is None:
                raise ValueError("elements are shaped for one API; name it")
            _check_elements(by_start(api), elements)
        elif api is not None:
            by_start(api)
        frozen = tuple(copy.deepcopy(dict(element)) for element in elements) if elements is not None else None
        with self._lock:
            self._scripts[(bucket, key, api)] = Script(outcome, status_message, detections, frozen)

    def set_object_size(self, bucket: str, key: str, size: int, version: str | None = None) -> None:
        """Make Start* see the object as `size` bytes (for sizes too big to store in moto)."""
        with self._lock:
            self._sizes[(bucket, key, version)] = size

    def inject_fault(self, operation: str, code: str, times: int = 1, message: str | None = None) -> None:
        """Make the next `times` calls of `operation` fail with the modeled error `code`.

        Clients retry ThrottlingException, ProvisionedThroughputExceededException and 5xx errors on
        their own; a fault injected fewer times than the client's attempts is absorbed by retries,
        exactly as it would be against the service.
        """
        with self._lock:
            self._faults.inject(operation, code, times, message)

    def drop_notifications(self, count: int | None = None, fraction: float | None = None) -> None:
        """Lose the next `count` completion notifications, or each one with probability `fraction`."""
        with self._lock:
            self._drops.configure(count, fraction)

    def expire_pagination_tokens(self) -> None:
        with self._lock:
            self._pages.expire_all()

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    # -- introspection ------------------------------------------------------------------------

    @property
    def jobs(self) -> dict[str, Job]:
        """Snapshots of every job, in creation order."""
        with self._lock:
            return {job_id: replace(job, params=copy.deepcopy(job.params)) for job_id, job in self._jobs.items()}

    def results(self, job_id: str, **get_params: str) -> list[dict[str, Any]]:
        """The whole ordered element list Get* pages through (Get-only params such as SortBy apply)."""
        with self._lock:
            job = self._jobs[job_id]
            result_set = job.result_set
        if result_set is None:
            return []
        api = by_start(job.api)
        options = api.get_options(get_params)
        return result_set.all(api.sort_of(options), options)

    @property
    def calls(self) -> list[Call]:
        """Every request received, in arrival order, as (operation, params)."""
        with self._lock:
            return [Call(call.operation, copy.deepcopy(call.params)) for call in self._calls]

    @property
    def errors(self) -> list[tuple[str, str]]:
        """(operation, error code) of every request answered with an error, in order."""
        with self._lock:
            return list(self._errors)

    @property
    def in_progress_count(self) -> int:
        with self._lock:
            return self._in_progress

    @property
    def max_in_progress(self) -> int:
        with self._lock:
            return self._max_in_progress

    @property
    def lost_notifications(self) -> list[LostNotification]:
        with self._lock:
            return list(self._lost)

    def progress(self) -> list[JobProgress]:
        """Every job's status and analysed fraction, in creation order."""
        with self._lock:
            return [JobProgress(job.job_id, job.api, job.key, job.status, job.progress) for job in self._jobs.values()]

    @property
    def notes(self) -> dict[str, str]:
        """Caveats of the configured analyzers a user should hear about, by Start operation."""
        return {operation: analyzer.note for operation, analyzer in self._analyzers.items() if analyzer.note}

    def wait_until_idle(
        self,
        timeout: float = 600.0,
        on_progress: Callable[[list[JobProgress]], None] | None = None,
        interval: float = 0.25,
    ) -> list[str]:
        """Pool mode: wait until no job is IN_PROGRESS; returns the jobs finished since the last call."""
        if self._pool is None:
            raise RuntimeError("jobs finish on their own only with workers; call complete_jobs()")
        deadline = time.monotonic() + timeout
        while True:
            if on_progress is not None:
                on_progress(self.progress())
            if self.in_progress_count == 0:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.in_progress_count} job(s) still in progress after {timeout} s")
            time.sleep(interval)
        with self._lock:
            finished, self._unreported = self._unreported, []
        return finished


def _log_failure(future: Future[list[str]]) -> None:
    error = future.exception() if not future.cancelled() else None
    if error is not None:
        _LOG.error("a job worker failed", exc_info=error)


def _check_elements(api: VideoApi, elements: Sequence[Mapping[str, Any]]) -> None:
    """Reject scripted elements the service could never return, before a test builds on them."""
    response = output_shape(api.get_operation)
    results = response.members.get(api.result_key) if isinstance(response, StructureShape) else None
    if not isinstance(results, ListShape):
        raise TypeError(f"{api.get_operation} has no list member {api.result_key} in the model")
    found = [violation.describe() for violation in violations(list(elements), results, api.result_key)]
    if found:
        raise ValueError("scripted elements do not match the model: " + "; ".join(found[:5]))
    json.dumps(list(elements))  # must survive the wire
