"""Re-derive a video's detections from its archived Get* pages, without calling Rekognition.

The pages go through exactly what the collector runs on them (the engine's result stream, then the
packing with deterministic keys), so a rebuild rewrites the same items: lost or damaged items
come back, nothing is duplicated. It is also the migration from the one-item-per-detection layout:
once a job's packed items are written, its items of the old layout are deleted (docs/data-model.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from video_pipeline.analyses import of_job
from video_pipeline.logic.detections import DetectionPacker, JobContext, ResultTally
from video_pipeline.logic.result_streams import result_stream
from video_pipeline.models import JobRecord, JobStatus


class ArchiveReaderPort(Protocol):
    def pages(self, video_id: str, analysis: str, job_id: str, result_key: str) -> Iterator[dict[str, Any]]: ...


class RebuiltDetectionsPort(Protocol):
    def write(self, items: Sequence[dict[str, Any]]) -> None: ...
    def delete_legacy(self, job_id: str) -> None: ...


class VideoJobsPort(Protocol):
    def jobs_of_video(self, video_id: str) -> list[JobRecord]: ...


@dataclass(slots=True)
class RebuildReport:
    video_id: str
    detections: dict[str, int] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def rebuild_video(
    video_id: str, *, jobs: VideoJobsPort, archive: ArchiveReaderPort, detections: RebuiltDetectionsPort
) -> RebuildReport:
    report = RebuildReport(video_id)
    for record in jobs.jobs_of_video(video_id):
        if record.status is not JobStatus.SUCCEEDED or record.job_id is None:
            report.skipped[record.analysis] = f"job is {record.status.value}, nothing archived to rebuild from"
            continue
        analysis = of_job(record.analysis, record.engine)
        context = JobContext(record.job_id, video_id, analysis, record.uploaded_at)
        # A shared label job's pages are filtered back to this analysis' own options, as when collected.
        stream = result_stream(analysis, asked=record.asked_options)
        packer, tally, pages = DetectionPacker(context), ResultTally(), 0
        for page in archive.pages(video_id, record.analysis, record.job_id, analysis.result_key):
            detections.write(packer.pack(stream.feed(page.get(analysis.result_key, [])), tally))
            pages += 1
        detections.write([*packer.pack(stream.finish(), tally), *packer.finish()])
        if pages == 0:
            report.skipped[record.analysis] = "no archived pages"
            continue
        detections.delete_legacy(record.job_id)
        report.detections[record.analysis] = tally.detections
        report.pages[record.analysis] = pages
    return report
