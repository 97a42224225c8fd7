"""Re-run chosen analyses of chosen videos, for example after changing `FaceAttributes`.

A request goes through the uploads queue as the video's own upload event, extended with the run it
belongs to and the analyses it re-runs: the starter, the quota ledger and the daily budget treat it
as any upload. The run is part of each job's ClientRequestToken, so the jobs start anew even with
unchanged settings, and a duplicate delivery of the request starts nothing more.

Readers keep seeing each old job, whole, until its replacement has succeeded; then they see the new
one, whole (the switch is the new job's final-state write), and the old job's stored results and
archived pages are removed (`collecting.ResultCollector._retire_previous`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from video_pipeline.analyses import by_name
from video_pipeline.logic.s3_events import object_created_body
from video_pipeline.models import UploadedObject

_RUN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class ReanalysisError(ValueError):
    """A request naming unknown videos or analyses, or an unusable run name: nothing was sent."""


class StoredUploadsPort(Protocol):
    def stored_upload(self, video_id: str) -> UploadedObject | None: ...


class UploadsQueuePort(Protocol):
    def send_later(self, body: str, *, delay_seconds: int, waits: int | None = None) -> None: ...


def run_name(now: datetime) -> str:
    """A run named after when it was requested: requesting again later is a new run."""
    return now.strftime("run-%Y%m%dT%H%M%SZ")


def request_reanalysis(
    video_ids: Sequence[str],
    analyses: Sequence[str],
    run: str,
    *,
    videos: StoredUploadsPort,
    uploads: UploadsQueuePort,
) -> list[UploadedObject]:
    """Queue one re-analysis per video; checks every video and name first, so a bad one sends nothing."""
    if not _RUN.fullmatch(run):
        raise ReanalysisError(f"run name {run!r}: use 1-64 letters, digits, '.', '_' or '-'")
    if not analyses:
        raise ReanalysisError("name at least one analysis to re-run")
    try:
        names = tuple(dict.fromkeys(by_name(name).name for name in analyses))
    except ValueError as error:
        raise ReanalysisError(str(error)) from None
    found = {video_id: videos.stored_upload(video_id) for video_id in dict.fromkeys(video_ids)}
    unknown = [video_id for video_id, upload in found.items() if upload is None]
    if unknown:
        raise ReanalysisError(f"no such video (or it was deleted): {', '.join(unknown)}; nothing was re-run")
    requests = [replace(upload, rerun=run, analyses=names) for upload in found.values() if upload is not None]
    for request in requests:
        uploads.send_later(object_created_body(request), delay_seconds=0)
    return requests
