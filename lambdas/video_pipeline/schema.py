"""DynamoDB table layout shared by the runtime, the repository and the CDK stack.

Kept free of third-party imports so the infrastructure code can import it too: the table keys and
index names exist in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass


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

# Detections table: one item per detection, partitioned by the job that produced it.
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
