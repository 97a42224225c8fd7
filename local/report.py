"""The local run's HTML report: everything it shows is read back from DynamoDB through PipelineRepository.

One self-contained file (inline CSS and script, frames as data URIs) that opens from disk with no
network: per video its jobs, and per analysis the detection count and a section of its own
(`report_sections.py`): timelines, annotated frames, person tracks, labels, moderation flags, text
lines, the shot list and technical cues. Each video is decoded once for all its frames.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from video_pipeline.dal.repository import Detection, JobSummary, PipelineRepository, VideoSummary

from local.report_frames import Image, annotated, detection_boxes, render_frames, thumbnail
from local.report_html import escape, plural
from local.report_sections import STATED_NOTES, TRACKED, AnalysisView, frame_timestamps, section_html, still_timestamps

__all__ = ["AnalysisView", "ReportSummary", "collect", "plural", "render", "write_report"]


@dataclass(frozen=True, slots=True)
class ReportSummary:
    path: Path
    videos: int
    detections: int
    frames: int


def _all(pages: Iterator[list[Detection]]) -> list[Detection]:
    return [detection for page in pages for detection in page]


def _detection_pages(repository: PipelineRepository, video_id: str, analysis: str) -> Iterator[list[Detection]]:
    cursor: str | None = None
    while True:
        page = repository.detections(video_id, analysis, limit=1000, cursor=cursor)
        yield page.items
        if not (cursor := page.cursor):
            return


def _track_pages(repository: PipelineRepository, video_id: str, index: int) -> Iterator[list[Detection]]:
    cursor: str | None = None
    while True:
        page = repository.person_track(video_id, index, limit=1000, cursor=cursor)
        yield page.items
        if not (cursor := page.cursor):
            return


def collect(repository: PipelineRepository, video: VideoSummary, source: Path | None) -> list[AnalysisView]:
    views = []
    for name, job in sorted(video.jobs.items()):
        detections = _all(_detection_pages(repository, video.video_id, name)) if job.job_id else []
        view = AnalysisView(name, job, detections)
        if name == TRACKED:
            indexes = sorted({int(d.data["Person"]["Index"]) for d in detections if "Person" in d.data})
            view.tracks = {index: _all(_track_pages(repository, video.video_id, index)) for index in indexes}
        views.append(view)
    if source is not None:
        _add_frames(views, source)
    return views


def _annotate(view: AnalysisView, timestamp: int) -> Callable[[Image], None]:
    """Draws the view's boxes at `timestamp` on the frame shown then, and keeps the result."""
    boxes = [box for detection in view.boxed()[timestamp] for box in detection_boxes(view.name, detection.data)[0]]

    def consume(image: Image) -> None:
        if uri := annotated(image, boxes):
            view.frames[timestamp] = uri

    return consume


def _still(view: AnalysisView, timestamp: int) -> Callable[[Image], None]:
    """Keeps a thumbnail of the frame shown at `timestamp` (a shot's still)."""

    def consume(image: Image) -> None:
        if uri := thumbnail(image):
            view.stills[timestamp] = uri

    return consume


def _add_frames(views: Sequence[AnalysisView], source: Path) -> None:
    """Every section's annotated frames and stills, from one decoding pass over the video."""
    wanted: dict[int, list[Callable[[Image], None]]] = defaultdict(list)
    for view in views:
        for timestamp in frame_timestamps(view):
            wanted[timestamp].append(_annotate(view, timestamp))
        for timestamp in still_timestamps(view):
            wanted[timestamp].append(_still(view, timestamp))
    if wanted:
        render_frames(source, wanted)


_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#232f3e;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
main{padding:12px 28px 40px;max-width:1100px}
section.video{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;padding:16px 20px;margin:18px 0}
table{border-collapse:collapse;margin:8px 0}td,th{padding:4px 10px;border-bottom:1px solid #e3e6ea;text-align:left}
.status-SUCCEEDED{color:#1a7f37;font-weight:600}.status-FAILED,.status-ERROR{color:#c62828;font-weight:600}
.analysis{border-top:1px solid #e3e6ea;margin-top:14px;padding-top:8px}
.count{font-size:20px;font-weight:700}.note{color:#5f6b7a;font-style:italic}
.row{display:flex;align-items:center;gap:8px;margin:2px 0}
.row span{flex:0 0 130px;font-size:12px;color:#5f6b7a;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.row svg{flex:1;height:18px;background:#eef1f4;border-radius:3px}
.mark{fill:#ff9900}.mark:hover{fill:#c45500}.mark.shot-0{fill:#2f6db5}.mark.shot-1{fill:#7aa7dd}
.mark.cue{fill:#1d2330}.mark.shot-0:hover,.mark.shot-1:hover,.mark.cue:hover{fill:#c45500}
.stated{background:#fff4e0;border-left:4px solid #ff9900;padding:6px 10px;font-style:normal;color:#5c3b00}
.timecode{font-family:ui-monospace,monospace}.text-line{font-weight:600}
img.still{display:block;width:160px;border-radius:3px}.job-note{display:block;font-size:12px;color:#5f6b7a;max-width:420px}
.frames{display:flex;flex-wrap:wrap;gap:12px}figure{margin:6px 0}
figure img{display:block;max-width:320px;border-radius:4px;cursor:zoom-in}
figure.full{flex-basis:100%}figure.full img{max-width:none;cursor:zoom-out}
.frames-hint{font-size:12px;color:#5f6b7a}
figcaption{font-size:12px;color:#5f6b7a}#hover{position:fixed;bottom:10px;right:14px;background:#232f3e;color:#fff;
padding:4px 10px;border-radius:4px;font-size:13px;visibility:hidden}
"""

_SCRIPT = """
document.querySelectorAll('.mark').forEach(function (mark) {
  mark.addEventListener('mouseenter', function () {
    var hover = document.getElementById('hover');
    hover.textContent = mark.getAttribute('data-label');
    hover.style.visibility = 'visible';
  });
});
document.querySelectorAll('figure img').forEach(function (image) {
  // A click shows the frame at the video's own size (HD frames are shrunk to thumbnails).
  image.addEventListener('click', function () { image.parentNode.classList.toggle('full'); });
});
document.body.setAttribute('data-marks', String(document.querySelectorAll('.mark').length));
"""


def _seen_once(job: JobSummary) -> str:
    """Person indexes seen at one instant only: counted among the entities, and said so."""
    count = job.single_sighting_count
    return f' <span class="seen-once">({count} seen once)</span>' if count else ""


def _job_note(job: JobSummary, note: str) -> str:
    """Why the job failed, or, for results that are not what the service would find, the caveat."""
    if job.status_message or job.error_code:
        return escape(job.status_message or job.error_code)
    return f'<a href="#{escape(job.analysis)}">{escape(note)}</a>' if note and job.analysis in STATED_NOTES else ""


def _summary_row(view: AnalysisView, note: str | None) -> str:
    """The analysis' row in the video's summary table; `note` None when the table has no note column."""
    job = view.job
    cells = [
        f'<a href="#{escape(view.name)}">{escape(view.name)}</a>',
        f'<span class="status-{escape(job.status.value)}">{escape(job.status.value)}</span>',
        str(job.detection_count),
        f"{job.entity_count}{_seen_once(job)}",
    ]
    if note is not None:
        cells.append(f'<span class="job-note">{note}</span>')
    return f'<tr data-row="{escape(view.name)}">' + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _video_html(video: VideoSummary, views: Sequence[AnalysisView], notes: Mapping[str, str]) -> str:
    metadata = next((view.job.video_metadata for view in views if view.job.video_metadata), None) or {}
    facts = ", ".join(
        f"{name} {metadata[key]}"
        for key, name in (("Codec", "codec"), ("FrameWidth", "width"), ("FrameHeight", "height"), ("FrameRate", "fps"))
        if key in metadata
    )
    job_notes = {view.name: _job_note(view.job, notes.get(view.name, "")) for view in views}
    # The note column only when a row has something to say in it.
    noted = any(job_notes.values())
    rows = "".join(_summary_row(view, job_notes[view.name] if noted else None) for view in views)
    sections = "".join(section_html(view, notes.get(view.name, "")) for view in views)
    return (
        f'<section class="video" data-video="{escape(video.key)}"><h2>{escape(video.key)}</h2>'
        f"<p>video {escape(video.video_id)} · {video.size:,} bytes · {escape(facts or 'no metadata')}</p>"
        '<table class="summary"><tr><th>analysis</th><th>status</th><th>detections</th><th>entities</th>'
        f"{'<th>note</th>' if noted else ''}</tr>{rows}</table>{sections}</section>"
    )


def render(videos: Sequence[tuple[VideoSummary, list[AnalysisView]]], notes: Mapping[str, str]) -> str:
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    body = "".join(_video_html(video, views, notes) for video, views in videos)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Rekognition Video pipeline: local run</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<header><h1>Rekognition Video pipeline: local run</h1>"
        f"<p>{plural(len(videos), 'video')} · generated {generated}</p>"
        f'</header><main>{body}</main><div id="hover"></div><script>{_SCRIPT}</script></body></html>'
    )


def write_report(
    path: Path, repository: PipelineRepository, sources: Mapping[str, Path], notes: Mapping[str, str]
) -> ReportSummary:
    """Write the report for every video in the tables; `sources` maps S3 keys to local files for frames."""
    videos = repository.recent_videos(limit=100).items
    collected = [(video, collect(repository, video, sources.get(video.key))) for video in videos]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(collected, notes), encoding="utf-8")
    detections = sum(len(view.detections) for _, views in collected for view in views)
    frames = sum(len(view.frames) + len(view.stills) for _, views in collected for view in views)
    return ReportSummary(path, len(videos), detections, frames)
