"""Re-derive a video's detections from its archived Get* pages, without calling Rekognition.

The pages go through exactly what the collector runs on them (the engine's result stream, then the
packing with deterministic keys), so a rebuild rewrites the same items: lost or damaged items
come back, nothing is duplicated. It is also the migration from the one-item-per-detection layout:
once a job's packed items are written, every other item of the job is deleted: the old layout's, and
those the layout no longer writes (a segment's appearance), so the job holds exactly what the
collector writes today (docs/data-model.md).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
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
    def delete_stale(self, job_id: str, kept: Collection[str]) -> None: ...


class VideoJobsPort(Protocol):
    def jobs_of_video(self, video_id: str) -> list[JobRecord]: ...


@dataclass(slots=True)
class RebuildReport:
    video_id: str
    detections: dict[str, int] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    # Rebuilt from an archive that gave fewer or more detections than the job stored: the job's other
    # items were kept, not deleted, so nothing the archive cannot give back is lost.
    incomplete: dict[str, str] = field(default_factory=dict)


def rebuild_video(
    video_id: str, *, jobs: VideoJobsPort, archive: ArchiveReaderPort, detections: RebuiltDetectionsPort
) -> RebuildReport:
    report = RebuildReport(video_id)
    for record in jobs.jobs_of_video(video_id):
        if record.status is not JobStatus.SUCCEEDED or record.job_id is None:
            report.skipped[record.analysis] = f"job is {record.status.value}, nothing archived to rebuild from"
            continue
        stored, pages = _rebuild_job(record, record.job_id, archive=archive, detections=detections)
        if pages == 0:
            report.skipped[record.analysis] = "no archived pages"
            continue
        report.detections[record.analysis] = stored
        report.pages[record.analysis] = pages
        if record.detection_count is not None and stored != record.detection_count:
            report.incomplete[record.analysis] = (
                f"the archive gave {stored} detections where the job stored {record.detection_count}: "
                "its other items were kept"
            )
    return report


def _rebuild_job(
    record: JobRecord, job_id: str, *, archive: ArchiveReaderPort, detections: RebuiltDetectionsPort
) -> tuple[int, int]:
    """Write the job's items from its archived pages, then delete every other item of the job, unless
    the archive gave another number of detections than the job stored (a page missing: deleting would
    lose what only the table still holds); the detections stored and the pages read (0: nothing
    archived, nothing deleted)."""
    analysis = of_job(record.analysis, record.engine)
    context = JobContext(job_id, record.video_id, analysis, record.uploaded_at)
    # A shared label job's pages are filtered back to this analysis' own options, as when collected.
    stream = result_stream(analysis, asked=record.asked_options)
    packer, tally, pages, written = DetectionPacker(context), ResultTally(), 0, set[str]()

    def write(items: Sequence[dict[str, Any]]) -> None:
        detections.write(items)
        written.update(item["sk"]["S"] for item in items)

    for page in archive.pages(record.video_id, record.analysis, job_id, analysis.result_key):
        write(packer.pack(stream.feed(page.get(analysis.result_key, [])), tally))
        pages += 1
    write([*packer.pack(stream.finish(), tally), *packer.finish()])
    complete = record.detection_count is None or tally.detections == record.detection_count
    if pages and complete:
        detections.delete_stale(job_id, written)
    return tally.detections, pages
