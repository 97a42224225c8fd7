"""In-memory stand-ins of the logic's ports, for the unit tier.

Each keeps the promises of the DAL class it replaces that the use cases depend on: the jobs table's
conditional writes (`JobsStore`), the quota ledger's bounded, idempotent set (`JobSlots`), and
Rekognition's idempotent Start* and paged Get* (`RekognitionGateway` over the service).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from video_pipeline.analyses import Analysis
from video_pipeline.logic.clock import format_instant
from video_pipeline.logic.errors import RekognitionCallError
from video_pipeline.models import Checkpoint, Claim, JobRecord, JobStatus, Video

JobKey = tuple[str, str]


class Clock:
    """A clock that moves only when told to."""

    def __init__(self, start: str = "2026-12-01T12:00:00.000Z") -> None:
        self.instant = datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(UTC)

    def __call__(self) -> str:
        return format_instant(self.instant)

    def advance(self, delta: timedelta) -> None:
        self.instant += delta


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a final or failed job's item says beyond its `JobRecord`."""

    status: JobStatus
    error_code: str = ""
    message: str = ""
    detection_count: int = 0
    entity_count: int = 0
    video_metadata: dict[str, Any] | None = None


class InMemoryJobs:
    """The jobs table (`JobsStore`): META per video, one record per job, every state change conditional."""

    def __init__(self) -> None:
        # Videos whose META item is a tombstone: out of every listing, kept to block late uploads.
        self.erased_videos: set[str] = set()
        self.videos: dict[str, tuple[Video, tuple[str, ...]]] = {}
        self.durations: dict[str, int] = {}
        self.records: dict[JobKey, JobRecord] = {}
        self.outcomes: dict[JobKey, Outcome] = {}
        # Successful conditional writes, by method name: what actually changed the table.
        self.writes: list[tuple[str, JobKey]] = []

    def seed(self, record: JobRecord) -> JobRecord:
        self.records[(record.video_id, record.analysis)] = record
        return record

    def record(self, video_id: str, analysis: str) -> JobRecord:
        return self.records[(video_id, analysis)]

    # JobsPort
    def put_video(self, video: Video, analyses: tuple[str, ...]) -> bool:
        self.videos.setdefault(video.video_id, (video, analyses))
        return video.video_id not in self.erased_videos

    def recorded_duration(self, video_id: str) -> int | None:
        return self.durations.get(video_id)

    def record_duration(self, video_id: str, duration_ms: int, *, estimated: bool) -> None:
        # `if_not_exists`: the first reading stays.
        if video_id in self.videos:
            self.durations.setdefault(video_id, duration_ms)

    def claim(self, record: JobRecord, video: Video, now: str) -> Claim:
        key = (record.video_id, record.analysis)
        existing = self.records.get(key)
        previous = None
        if existing is not None:
            if existing.erased or (existing.token == record.token and existing.status is not JobStatus.STARTING):
                return Claim.DUPLICATE
            if existing.token != record.token and existing.status is JobStatus.IN_PROGRESS:
                return Claim.BUSY
            succeeded = existing.status is JobStatus.SUCCEEDED and existing.job_id
            previous = existing.job_id if succeeded else existing.previous_job_id
        # A put replaces the whole item, as DynamoDB's does, keeping the job readers still see.
        self.records[key] = replace(record, started_at=now, updated_at=now, previous_job_id=previous)
        self.outcomes.pop(key, None)
        self.writes.append(("claim", key))
        return Claim.CLAIMED

    def forget_previous(self, video_id: str, analysis: str, job_id: str) -> None:
        key = (video_id, analysis)
        current = self.records.get(key)
        if current is not None and current.previous_job_id == job_id:
            self.records[key] = replace(current, previous_job_id=None)
            self.writes.append(("forget_previous", key))

    def mark_started(self, record: JobRecord, job_id: str, now: str) -> None:
        key = self._if_starting(record)
        if key is not None:
            current = self.records[key]
            self.records[key] = replace(
                current, status=JobStatus.IN_PROGRESS, job_id=job_id, engine=record.engine, updated_at=now
            )
            self.writes.append(("mark_started", key))

    def mark_failed(self, record: JobRecord, error_code: str, message: str, now: str) -> None:
        key = self._if_starting(record)
        if key is not None:
            self.records[key] = replace(self.records[key], status=JobStatus.FAILED, updated_at=now)
            self.outcomes[key] = Outcome(JobStatus.FAILED, error_code, message[:2000])
            self.writes.append(("mark_failed", key))

    def get_job(self, video_id: str, analysis: str) -> JobRecord | None:
        return self.records.get((video_id, analysis))

    def find_by_job_id(self, job_id: str) -> JobRecord | None:
        return next((record for record in self.records.values() if record.job_id == job_id), None)

    def save_checkpoint(self, record: JobRecord, checkpoint: Checkpoint) -> bool:
        key = self._if_collectable(record)
        if key is None:
            return False
        self.records[key] = replace(self.records[key], checkpoint=checkpoint, updated_at=checkpoint.saved_at)
        self.writes.append(("save_checkpoint", key))
        return True

    def touch(self, record: JobRecord, now: str) -> bool:
        key = self._if_collectable(record)
        if key is None:
            return False
        self.records[key] = replace(self.records[key], updated_at=now)
        self.writes.append(("touch", key))
        return True

    def complete(
        self,
        record: JobRecord,
        status: JobStatus,
        now: str,
        *,
        status_message: str = "",
        detection_count: int = 0,
        entity_count: int = 0,
        single_sighting_count: int = 0,
        video_metadata: dict[str, Any] | None = None,
    ) -> bool:
        key = self._if_collectable(record)
        if key is None:
            return False
        self.records[key] = replace(self.records[key], status=status, checkpoint=None, updated_at=now)
        self.outcomes[key] = Outcome(
            status, "", status_message[:2000], detection_count, entity_count, video_metadata or None
        )
        self.writes.append(("complete", key))
        return True

    def is_erased(self, video_id: str, analysis: str) -> bool:
        record = self.records.get((video_id, analysis))
        return record is None or record.erased

    def delete_job(self, video_id: str, analysis: str) -> None:
        self.records.pop((video_id, analysis), None)
        self.outcomes.pop((video_id, analysis), None)

    # The eraser's side (VideoRecordsPort)
    def videos_of_object(self, bucket: str, key: str) -> list[StoredVideo]:
        return [
            StoredVideo(video.video_id, video.upload.version_id, video.upload.revision, video.upload.sequencer)
            for video, _analyses in self.videos.values()
            if (video.upload.bucket, video.upload.key) == (bucket, key)
        ]

    def jobs_of_video(self, video_id: str) -> list[JobRecord]:
        return [record for (video, _), record in self.records.items() if video == video_id]

    def mark_erased(self, video_id: str, analyses: list[str], now: str) -> None:
        self.erased_videos.add(video_id)
        for analysis in analyses:
            key = (video_id, analysis)
            if key in self.records:
                self.records[key] = replace(self.records[key], erased=True)

    def adopt(self, record: JobRecord, job_id: str, now: str) -> bool:
        key = self._if_starting(record)
        if key is None or self.records[key].job_id is not None:
            return False
        self.records[key] = replace(self.records[key], status=JobStatus.IN_PROGRESS, job_id=job_id, updated_at=now)
        self.writes.append(("adopt", key))
        return True

    def _if_starting(self, record: JobRecord) -> JobKey | None:
        key = (record.video_id, record.analysis)
        current = self.records.get(key)
        if current is None or current.token != record.token or current.status is not JobStatus.STARTING:
            return None
        return key

    def _if_collectable(self, record: JobRecord) -> JobKey | None:
        """`job_id = :job_id AND status = IN_PROGRESS AND attribute_not_exists(erased_at)`."""
        key = (record.video_id, record.analysis)
        current = self.records.get(key)
        if (
            current is None
            or current.job_id != record.job_id
            or current.status is not JobStatus.IN_PROGRESS
            or current.erased
        ):
            return None
        return key


@dataclass(frozen=True, slots=True)
class StoredVideo:
    video_id: str
    version_id: str | None
    revision: str
    sequencer: str | None = None


class InMemorySlots:
    """The quota ledger (`JobSlots`): a set of holders that `acquire` never grows past the quota."""

    def __init__(self, quota: int, holders: Sequence[str] = ()) -> None:
        self.quota = quota
        self.holders: set[str] = set(holders)
        self.released: list[str] = []

    def acquire(self, holder: str) -> bool:
        if holder in self.holders:
            return True
        if len(self.holders) >= self.quota:
            return False
        self.holders.add(holder)
        return True

    def release(self, holder: str) -> None:
        self.released.append(holder)
        self.holders.discard(holder)

    def is_full(self) -> bool:
        return len(self.holders) >= self.quota


@dataclass(frozen=True, slots=True)
class ObjectHead:
    header: bytes
    size: int


MP4_HEADER = b"\x00\x00\x00\x18ftypmp42"


class InMemoryObjects:
    """The input bucket as far as the starter reads it: the first bytes and the size of a version."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str, str | None], ObjectHead] = {}
        self.reads = 0

    def put(self, bucket: str, key: str, version_id: str | None, size: int, header: bytes = MP4_HEADER) -> None:
        """An object of `size` bytes that begins with `header` (the rest reads as zeros)."""
        self.objects[(bucket, key, version_id)] = ObjectHead(header, size)

    def read_head(self, bucket: str, key: str, version_id: str | None, length: int) -> ObjectHead | None:
        self.reads += 1
        head = self.objects.get((bucket, key, version_id))
        return None if head is None else ObjectHead(head.header[:length], head.size)

    def read_range(self, bucket: str, key: str, version_id: str | None, offset: int, length: int) -> bytes:
        self.reads += 1
        head = self.objects.get((bucket, key, version_id))
        if head is None or offset >= head.size:
            return b""
        content = head.header[offset : offset + length]
        return content + bytes(min(length, head.size - offset) - len(content))


class InMemoryBudget:
    """The daily budget's ledger (`BudgetLedger`): each job counted once a day, sums kept within the limits."""

    def __init__(self) -> None:
        self.used: dict[str, dict[str, float]] = {}
        self.charged: set[tuple[str, str]] = set()

    def charge(self, day: str, token: str, analysis: str, minutes: float, limits: Mapping[str, float]) -> bool:
        if (day, token) in self.charged:
            return True
        sums = self.used.setdefault(day, {})
        for name, limit in limits.items():
            spent = sums.get(name, 0.0)
            if spent and spent + minutes > limit:
                return False
        self.charged.add((day, token))
        for name in ("total", analysis):
            sums[name] = sums.get(name, 0.0) + minutes
        return True


@dataclass(slots=True)
class ScriptedJob:
    analysis: Analysis
    status: str = "IN_PROGRESS"
    status_message: str = ""
    elements: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=lambda: {"Codec": "h264", "DurationMillis": 10_000})


class ScriptedRekognition:
    """Rekognition Video as the gateway presents it, with scripted jobs and injected errors.

    Start* is idempotent on ClientRequestToken (same token, same request: same JobId; same token,
    other request: IdempotentParameterMismatchException). Get* serves a job's elements in pages of at
    most `max_page` with NextToken, JobStatus and StatusMessage; an unknown job is ResourceNotFound.
    """

    def __init__(self, max_page: int = 1000) -> None:
        self.max_page = max_page
        self.jobs: dict[str, ScriptedJob] = {}
        self.starts: list[tuple[str, dict[str, Any]]] = []  # (operation, request) of every Start* call
        self.gets: list[tuple[str, str, str | None]] = []  # (operation, job id, NextToken) of every Get*
        self._by_token: dict[str, tuple[str, str, dict[str, Any]]] = {}
        self._errors: dict[str, list[tuple[str, int | None]]] = {}

    def fail(self, operation: str, code: str, times: int | None = None) -> None:
        """Make the next `times` calls of `operation` (every call, when None) raise `code`."""
        self._errors.setdefault(operation, []).append((code, times))

    def heal(self, operation: str) -> None:
        self._errors.pop(operation, None)

    def finish(
        self, job_id: str, status: str = "SUCCEEDED", elements: Sequence[dict[str, Any]] = (), message: str = ""
    ) -> None:
        job = self.jobs[job_id]
        job.status, job.status_message, job.elements = status, message, list(elements)

    def add_job(self, job_id: str, analysis: Analysis, status: str = "IN_PROGRESS", **script: Any) -> ScriptedJob:
        self.jobs[job_id] = ScriptedJob(analysis, status, **script)
        return self.jobs[job_id]

    def forget(self, job_id: str) -> None:
        """Rekognition keeps results for a limited time; afterwards the job is unknown."""
        del self.jobs[job_id]

    # RekognitionPort
    def start(self, analysis: Analysis, request: dict[str, Any]) -> str:
        operation = analysis.start_operation
        self.starts.append((operation, request))
        self._raise_injected(operation)
        token = request["ClientRequestToken"]
        if token in self._by_token:
            job_id, first_operation, first_request = self._by_token[token]
            if (first_operation, first_request) != (operation, request):
                raise RekognitionCallError(operation, "IdempotentParameterMismatchException", "token reused")
            return job_id
        job_id = f"job-{len(self._by_token) + 1:04d}"
        self._by_token[token] = (job_id, operation, request)
        self.jobs[job_id] = ScriptedJob(analysis)
        return job_id

    def get_page(self, analysis: Analysis, job_id: str, next_token: str | None, page_size: int) -> dict[str, Any]:
        operation = analysis.get_operation
        self.gets.append((operation, job_id, next_token))
        self._raise_injected(operation)
        job = self.jobs.get(job_id)
        if job is None or job.analysis.get_operation != operation:
            raise RekognitionCallError(operation, "ResourceNotFoundException", f"no job {job_id}")
        page: dict[str, Any] = {"JobStatus": job.status}
        if job.status != "SUCCEEDED":
            if job.status_message:
                page["StatusMessage"] = job.status_message
            return page
        offset = 0
        if next_token is not None:
            prefix, _, position = next_token.partition(":")
            if prefix != job_id or not position.isdigit():
                raise RekognitionCallError(operation, "InvalidPaginationTokenException", "bad token")
            offset = int(position)
        end = offset + min(page_size, self.max_page)
        page[analysis.result_key] = [dict(element) for element in job.elements[offset:end]]
        page["VideoMetadata"] = dict(job.metadata)
        if end < len(job.elements):
            page["NextToken"] = f"{job_id}:{end}"
        return page

    def _raise_injected(self, operation: str) -> None:
        queue = self._errors.get(operation)
        if not queue:
            return
        code, times = queue[0]
        if times is not None:
            if times <= 1:
                queue.pop(0)
            else:
                queue[0] = (code, times - 1)
        raise RekognitionCallError(operation, code, f"injected {code}")


class InMemoryDetections:
    """The detections table: items keyed (pk, sk), puts idempotent; deletion stops when time runs short."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.batches = 0
        # Runs after every stored batch: lets a test act "while results are being written".
        self.after_write: Callable[[], object] | None = None

    def write(self, items: Sequence[dict[str, Any]]) -> None:
        for item in items:
            self.items[(item["pk"]["S"], item["sk"]["S"])] = item
        self.batches += 1
        if self.after_write is not None:
            self.after_write()

    def delete_job(self, job_id: str, time_left: Callable[[], float], reserve_seconds: float) -> bool:
        if time_left() < reserve_seconds:
            return False
        for key in [key for key in self.items if key[0] == job_id]:
            del self.items[key]
        return True

    def of_job(self, job_id: str) -> list[dict[str, Any]]:
        """A job's items in key order, as a query returns them."""
        return [self.items[key] for key in sorted(key for key in self.items if key[0] == job_id)]


class InMemoryArchive:
    """The results archive: one page object per (video, analysis, job, number)."""

    def __init__(self) -> None:
        self.pages: dict[tuple[str, str, str, int], dict[str, Any]] = {}

    def put_page(self, video_id: str, analysis: str, job_id: str, number: int, page: dict[str, Any]) -> None:
        self.pages[(video_id, analysis, job_id, number)] = dict(page)

    def delete_job(self, video_id: str, analysis: str, job_id: str) -> int:
        doomed = [key for key in self.pages if key[:3] == (video_id, analysis, job_id)]
        for key in doomed:
            del self.pages[key]
        return len(doomed)

    def delete_video(self, video_id: str) -> int:
        doomed = [key for key in self.pages if key[0] == video_id]
        for key in doomed:
            del self.pages[key]
        return len(doomed)


class InMemoryBucketState:
    """What S3 says about a key now (`ObjectReader.current_revision`, `version_state`)."""

    def __init__(self) -> None:
        self.current: dict[tuple[str, str], str] = {}
        self.versions: dict[tuple[str, str, str], str] = {}

    def current_revision(self, bucket: str, key: str) -> str | None:
        return self.current.get((bucket, key))

    def version_state(self, bucket: str, key: str, version_id: str) -> str:
        return self.versions.get((bucket, key, version_id), "gone")
