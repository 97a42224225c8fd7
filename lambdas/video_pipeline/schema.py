"""DynamoDB table layout shared by the runtime, the repository and the CDK stack.

Kept free of third-party imports so the infrastructure code can import it too: the table keys, the
index names and every key format (jobs table, detections table, results archive) exist in exactly
one place (docs/data-model.md describes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from video_pipeline.contract import ARCHIVE_ROOT


@dataclass(frozen=True, slots=True)
class IndexSpec:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True, slots=True)
class TableSpec:
    partition_key: str
    sort_key: str
    indexes: tuple[IndexSpec, ...]


PARTITION_KEY = "pk"
SORT_KEY = "sk"

# Jobs table: one META item per video and one JOB item per (video, analysis).
RECENT_INDEX = IndexSpec(name="recent", partition_key="recent_pk", sort_key="recent_sk")
STATUS_INDEX = IndexSpec(name="by-status", partition_key="status", sort_key="started_at")
JOB_ID_INDEX = IndexSpec(name="by-job-id", partition_key="job_id", sort_key="sk")
# Sparse: only META items carry `object_ref` ("bucket/key"), so a deleted object finds its videos.
OBJECT_INDEX = IndexSpec(name="by-object", partition_key="object_ref", sort_key="uploaded_at")

JOBS_TABLE = TableSpec(
    partition_key=PARTITION_KEY,
    sort_key=SORT_KEY,
    indexes=(RECENT_INDEX, STATUS_INDEX, JOB_ID_INDEX, OBJECT_INDEX),
)

# Detections table: a job's detections packed by time window, and one item per appearance of an
# entity (a contiguous run of one celebrity or one tracked person), all partitioned by the job.
ENTITY_INDEX = IndexSpec(name="by-entity", partition_key="entity", sort_key="entity_sort")

# Epoch seconds after which DynamoDB may delete a detection, when a retention period is configured.
EXPIRY_ATTRIBUTE = "expires_at"

DETECTIONS_TABLE = TableSpec(
    partition_key=PARTITION_KEY,
    sort_key=SORT_KEY,
    indexes=(ENTITY_INDEX,),
)

# Every video shares one partition of the `recent` index. Writes to it are bounded by the
# Rekognition job quota (a handful of item writes per video), far below a partition's 1,000 WCU/s.
RECENT_PARTITION = "VIDEOS"


# --- Key formats: jobs table -------------------------------------------------------------------

META_SK: Final = "META"
JOB_SK_PREFIX: Final = "JOB#"
# The slot ledger of the concurrent-job quota (docs/reliability.md).
LEDGER_KEY: Final = {PARTITION_KEY: "QUOTA", SORT_KEY: "JOBS_IN_FLIGHT"}


def video_pk(video_id: str) -> str:
    return f"VIDEO#{video_id}"


def job_sk(analysis: str) -> str:
    return f"{JOB_SK_PREFIX}{analysis}"


def recent_sk(uploaded_at: str, video_id: str, sk: str) -> str:
    return f"{uploaded_at}#{video_id}#{sk}"


def object_ref(bucket: str, key: str) -> str:
    return f"{bucket}/{key}"


# --- Key formats: detections table ---------------------------------------------------------------

# Detections are packed per time window of this width; a window holds one item or more (PACK_*).
WINDOW_MS: Final = 10_000
# A packed item closes at this many detections or this many bytes of element text (before
# compression), whichever comes first, so no item approaches DynamoDB's 400 KB.
PACK_MAX_DETECTIONS: Final = 1_000
PACK_MAX_TEXT_BYTES: Final = 64 * 1024
# An element longer than this is stored truncated to its timestamp, flagged `truncated`.
MAX_ELEMENT_BYTES: Final = 350_000
# A detection more than this long after the previous one of its entity starts a new appearance.
APPEARANCE_GAP_MS: Final = 2_000

WINDOW_SK_PREFIX: Final = "W#"
APPEARANCE_SK_PREFIX: Final = "A#"
MAX_TIMESTAMP_MS: Final = 10**12 - 1
_LAST_ORDINAL: Final = 99_999_999


def position_key(timestamp: int, ordinal: int) -> str:
    """A detection's place in its job: timestamp (12 digits), then position in the result stream (8)."""
    return f"{timestamp:012d}#{ordinal:08d}"


def window_of(timestamp: int) -> int:
    return timestamp - timestamp % WINDOW_MS


def window_sk(window_start: int, first_ordinal: int) -> str:
    """A packed item: its window's start and the stream position of its first detection."""
    return f"{WINDOW_SK_PREFIX}{position_key(window_start, first_ordinal)}"


def window_sk_parts(sk: str) -> tuple[int, int]:
    """(window start, first stream position) of a packed item's sort key."""
    window, first = sk[len(WINDOW_SK_PREFIX) :].split("#")
    return int(window), int(first)


def windows_between(start_ms: int, end_ms: int) -> tuple[str, str]:
    """The sort-key range of the packed items whose windows overlap [start_ms, end_ms]."""
    return window_sk(window_of(start_ms), 0), window_sk(end_ms, _LAST_ORDINAL)


def appearance_sk(first_timestamp: int, first_ordinal: int) -> str:
    return f"{APPEARANCE_SK_PREFIX}{position_key(first_timestamp, first_ordinal)}"


def legacy_detection_sk(timestamp: int, ordinal: int) -> str:
    """The one-item-per-detection layout's sort key, which `make rebuild` migrates away from."""
    return position_key(timestamp, ordinal)


def account_entity(prefix: str, identity: str) -> str:
    """by-entity partition of an identity that holds across videos (a celebrity)."""
    return f"{prefix}#{identity}"


def job_entity(prefix: str, job_id: str, identity: str) -> str:
    """by-entity partition of an identity that holds within one job (a person index)."""
    return f"{prefix}#{job_id}#{identity}"


def account_entity_sort(uploaded_at: str, video_id: str, position: str) -> str:
    return f"{uploaded_at}#{video_id}#{position}"


# An identity's detections (packed items of an analysis whose rule is `carried`) are indexed under
# their own partition beside its appearances', so one by-entity Query returns either, never a mix.
DETECTIONS_ENTITY_PREFIX: Final = "DETECTIONS#"


def detections_entity(entity: str) -> str:
    """by-entity partition of the packed items holding an identity's detections (its appearances: `entity`)."""
    return f"{DETECTIONS_ENTITY_PREFIX}{entity}"


# --- Key formats: results archive (S3) -----------------------------------------------------------


def archive_video_prefix(video_id: str) -> str:
    return f"{ARCHIVE_ROOT}/{video_id}/"


def archive_job_prefix(video_id: str, analysis: str, job_id: str) -> str:
    return f"{archive_video_prefix(video_id)}{analysis}/{job_id}/"


def archive_page_key(video_id: str, analysis: str, job_id: str, number: int) -> str:
    return f"{archive_job_prefix(video_id, analysis, job_id)}page-{number:05d}.json.gz"
