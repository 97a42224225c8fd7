"""Deterministic identifiers: video ids, ClientRequestTokens and JobTags.

Rekognition replays a job for a repeated ClientRequestToken, so a token derived only from what
makes the job unique turns duplicate S3 events into the same JobId. Keys may hold any character;
none of these values carries the raw key.
"""

from __future__ import annotations

import hashlib
import json
import re

from video_pipeline.analyses import Analysis, JobSettings
from video_pipeline.models import UploadedObject

TOKEN_PATTERN = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
TAG_PATTERN = re.compile(r"^[a-zA-Z0-9_.\-:+=/]{1,1024}$")
_TAG_PREFIX = "rvp"
_TOKEN_MAX = 64
_TOKEN_NAME_MAX = 14


def _digest(*parts: object) -> str:
    canonical = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def video_id(upload: UploadedObject) -> str:
    """128-bit id of one revision of one object: a new version of the same key is a new video."""
    return _digest("video", upload.bucket, upload.key, upload.revision)[:32]


def client_request_token(
    analysis: Analysis, upload: UploadedObject, settings: JobSettings, channel: tuple[str, str] = ("", "")
) -> str:
    """Token for the Start* call: changes whenever the object revision or the job's options change.

    The notification channel is part of it: after a redeploy with a new topic, replaying an old
    event must start a job that reports to the new topic, not collide with the old one
    (IdempotentParameterMismatchException). So is a re-analysis run (`UploadedObject.rerun`).
    """
    options = analysis.start_options(settings)
    parts: tuple[object, ...] = ("token", analysis.name, upload.bucket, upload.key, upload.revision, options, channel)
    # A re-analysis run is a new job of the same video; an upload's own jobs keep the tokens they always had.
    digest = _digest(*parts, upload.rerun) if upload.rerun else _digest(*parts)
    prefix = analysis.name[:_TOKEN_NAME_MAX]
    return f"{prefix}-{digest[: _TOKEN_MAX - len(prefix) - 1]}"


def riding_token(analysis: Analysis, carrier_token: str) -> str:
    """The token of an analysis riding on another's job (`logic/shared_jobs.py`): it changes with the
    carrier's, which covers the merged options, the object revision and the re-analysis run."""
    prefix = analysis.name[:_TOKEN_NAME_MAX]
    return f"{prefix}-{_digest('riding', analysis.name, carrier_token)[: _TOKEN_MAX - len(prefix) - 1]}"


def job_tag(analysis: Analysis, video: str) -> str:
    return f"{_TAG_PREFIX}:{analysis.name}:{video}"


def parse_job_tag(tag: str | None) -> tuple[str, str] | None:
    """Return (analysis name, video id) from a tag this pipeline made, else None."""
    if not tag:
        return None
    parts = tag.split(":")
    if len(parts) != 3 or parts[0] != _TAG_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def holder_id(video: str, analysis: str) -> str:
    """How a job is named in the ledger of concurrent-job slots."""
    return f"{video}#{analysis}"


def parse_holder(holder: str) -> tuple[str, str]:
    """(video id, analysis) of a ledger holder; video ids are hex, so the last `#` separates them."""
    video, _, analysis = holder.rpartition("#")
    return video, analysis
