"""The names the runtime, the stack, the local run and the dashboards share, each declared once.

Kept free of third-party imports (like `schema`), so the infrastructure and the tools import it
without the runtime's dependencies. Renaming one here renames it everywhere, and a search for a
metric finds its emitter and every reader.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from video_pipeline.analyses import MODERATION, SEGMENTS, by_name


class Env:
    """Environment variables the stack sets on the functions and the settings models read."""

    JOBS_TABLE: Final = "JOBS_TABLE_NAME"
    DETECTIONS_TABLE: Final = "DETECTIONS_TABLE_NAME"
    ARCHIVE_BUCKET: Final = "ARCHIVE_BUCKET_NAME"
    INPUT_BUCKETS: Final = "INPUT_BUCKETS"
    VIDEO_SUFFIXES: Final = "VIDEO_SUFFIXES"
    UPLOADS_QUEUE_URL: Final = "UPLOADS_QUEUE_URL"
    RESULTS_QUEUE_URL: Final = "RESULTS_QUEUE_URL"
    JOB_QUOTA: Final = "JOB_QUOTA"
    TOPIC_ARN: Final = "REKOGNITION_TOPIC_ARN"
    ROLE_ARN: Final = "REKOGNITION_ROLE_ARN"
    ENABLED_ANALYSES: Final = "ENABLED_ANALYSES"
    FACE_ATTRIBUTES: Final = "FACE_ATTRIBUTES"
    # JSON: analysis name -> its Start* options, e.g. {"moderation": {"MinConfidence": 60}} (analyses.py).
    ANALYSIS_OPTIONS: Final = "ANALYSIS_OPTIONS"
    # The Rekognition collection face search searches and reference faces are indexed into (the stack's).
    FACE_COLLECTION_ID: Final = "FACE_COLLECTION_ID"
    # Where in the input bucket the reference pictures are (IndexFaces reads them with the caller's rights).
    REFERENCE_FACES_PREFIX: Final = "REFERENCE_FACES_PREFIX"
    # The Cognito group whose members may call the read API's changing routes (logic/operators.py).
    OPERATORS_GROUP: Final = "OPERATORS_GROUP"
    PERSON_TRACKING_ENGINE: Final = "PERSON_TRACKING_ENGINE"
    PERSON_TRACKING_FALLBACK: Final = "PERSON_TRACKING_FALLBACK"
    RESULT_RETENTION_DAYS: Final = "RESULT_RETENTION_DAYS"
    RECONCILE_AFTER_MINUTES: Final = "RECONCILE_AFTER_MINUTES"
    # Minutes of video Rekognition may analyse per UTC day: `600`, or `faces=300,total=600` (logic/budget.py).
    DAILY_BUDGET_MINUTES: Final = "DAILY_BUDGET_MINUTES"


class Metric:
    """CloudWatch metrics the handlers emit (EMF) and the operations dashboard and alarms read."""

    NAMESPACE: Final = "RekognitionVideoPipeline"
    # Starter
    UPLOADS_RECEIVED: Final = "UploadsReceived"
    UPLOADS_ACCEPTED: Final = "UploadsAccepted"
    UPLOADS_REJECTED: Final = "UploadsRejected"
    UPLOADS_IGNORED: Final = "UploadsIgnored"
    UPLOADS_WAITING: Final = "UploadsWaiting"
    JOBS_STARTED: Final = "JobsStarted"
    JOBS_DUPLICATE: Final = "JobsDuplicate"
    JOBS_DEFERRED: Final = "JobsDeferred"
    JOBS_WAITING: Final = "JobsWaiting"
    JOBS_FELL_BACK: Final = "JobsFellBack"
    # Minutes of video of the jobs started, and what Rekognition charges for them (the registry's prices).
    VIDEO_MINUTES_STARTED: Final = "VideoMinutesStarted"
    ESTIMATED_COST_USD: Final = "EstimatedCostUSD"
    # Today's minutes charged to the daily budget after each start, by analysis and in total (a gauge).
    BUDGET_MINUTES_USED: Final = "BudgetMinutesUsed"
    UPLOADS_OVER_BUDGET: Final = "UploadsOverBudget"
    VIDEOS_ERASED: Final = "VideosErased"
    ERASURES_REFUSED: Final = "ErasuresRefused"
    # Starter (a Start* refused for good) and collector (a job Rekognition failed), by service dimension
    JOBS_FAILED: Final = "JobsFailed"
    # Collector
    JOBS_SUCCEEDED: Final = "JobsSucceeded"
    JOBS_EXPIRED: Final = "JobsExpired"
    JOBS_ERASED: Final = "JobsErased"
    COLLECTIONS_CONTINUED: Final = "CollectionsContinued"
    NOTIFICATIONS_DUPLICATE: Final = "NotificationsDuplicate"
    NOTIFICATIONS_UNKNOWN_JOB: Final = "NotificationsUnknownJob"
    NOTIFICATIONS_PREMATURE: Final = "NotificationsPremature"
    DETECTIONS_STORED: Final = "DetectionsStored"
    # Per job that stored all its results, by analysis (FINDINGS below says which analysis has which):
    # moderation labels stored, each a flag at or above the job's MinConfidence (the moderation alarm's);
    MODERATION_FLAGS: Final = "ModerationFlags"
    # and the shots a segment-detection job found (its technical cues are not shots).
    SHOTS_FOUND: Final = "ShotsFound"
    UPLOAD_TO_RESULTS_LATENCY: Final = "UploadToResultsLatency"
    # Reconciler
    JOBS_RECONCILED: Final = "JobsReconciled"
    SLOT_LEDGER_REPAIRS: Final = "SlotLedgerRepairs"
    # Every function
    JOBS_IN_FLIGHT: Final = "JobsInFlight"
    MALFORMED_MESSAGES: Final = "MalformedMessages"
    # The dimension of the metrics that are about one analysis.
    ANALYSIS_DIMENSION: Final = "analysis"


# What an analysis' jobs found, beside DetectionsStored: analysis -> its metrics (counted in
# logic/findings.py, graphed per analysis on the operations dashboard).
FINDINGS: Mapping[str, tuple[str, ...]] = {
    MODERATION.name: (Metric.MODERATION_FLAGS,),
    SEGMENTS.name: (Metric.SHOTS_FOUND,),
}


# The object names the input bucket notifies about; the starter admits the same set (the stack's
# `videoSuffixes` reaches both). Rekognition Video reads H.264 in MP4 or MOV containers.
DEFAULT_VIDEO_SUFFIXES: tuple[str, ...] = (".mp4", ".mov", ".m4v")


def notified_suffixes(suffixes: tuple[str, ...]) -> tuple[str, ...]:
    """S3 suffix filters are case-sensitive: each suffix in lower and upper case (`.mp4`, `.MP4`), in a
    stable order; mixed case such as `.Mp4` is not matched."""
    variants = (variant for suffix in suffixes for variant in (suffix.lower(), suffix.upper()))
    return tuple(dict.fromkeys(variants))


# Where reference pictures for face search go in the input bucket unless configured otherwise.
DEFAULT_REFERENCE_FACES_PREFIX = "reference-faces/"


# Receives before a message is parked in its queue's dead-letter queue.
# Waiting for a free quota slot is not a failure: the starter re-queues such uploads with a delay,
# which starts a fresh receive count (logic/pacing.py). Receives count only transient failures
# (throttling, internal errors), each backed off up to 15 minutes, so 15 receives give an upload
# hours of retries before it is parked in the dead-letter queue.
STARTER_MAX_RECEIVE_COUNT = 15
# Collector failures are DynamoDB throttling or bugs, not waiting: a few tries, backed off.
COLLECTOR_MAX_RECEIVE_COUNT = 5


# The results archive: `results/<video_id>/<analysis>/<job_id>/page-00000.json.gz` (its key formats: schema.py).
ARCHIVE_ROOT = "results"


# The daily budget setting (context `dailyBudgetMinutes`, env DAILY_BUDGET_MINUTES): read by the stack
# at synth and by the starter at cold start, so both refuse the same bad values.
# The key of the limit that counts every analysis together.
TOTAL = "total"


class BudgetSpecError(ValueError):
    """A budget setting that cannot be read; the message says what to write instead."""


@dataclass(frozen=True, slots=True)
class DailyBudget:
    """Limits in minutes per UTC day: `TOTAL` for every analysis together, or an analysis' name."""

    limits: Mapping[str, float] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.limits)

    def limits_for(self, analysis: str) -> dict[str, float]:
        """The limits a job of `analysis` is counted against (total and its own, where set)."""
        return {name: limit for name, limit in self.limits.items() if name in (TOTAL, analysis)}


def parse_budget(text: str) -> DailyBudget:
    """`600` (600 minutes a day in total), or `faces=300,persons=200,total=600`; empty means no budget."""
    text = text.strip()
    if not text:
        return DailyBudget()
    limits: dict[str, float] = {}
    for part in (piece.strip() for piece in text.split(",")):
        name, _, value = part.rpartition("=")
        name = name.strip() or TOTAL
        if name != TOTAL:
            try:
                by_name(name)
            except ValueError as error:
                raise BudgetSpecError(f"daily budget {text!r}: {error}") from None
        try:
            minutes = float(value)
        except ValueError:
            raise BudgetSpecError(
                f"daily budget {text!r}: {value.strip()!r} is not a number of minutes "
                "(write e.g. 600, or faces=300,total=600)"
            ) from None
        if not math.isfinite(minutes) or minutes <= 0:
            raise BudgetSpecError(f"daily budget {text!r}: {name} must be a positive number of minutes")
        if name in limits:
            raise BudgetSpecError(f"daily budget {text!r}: {name} is given twice")
        limits[name] = minutes
    return DailyBudget(limits)
