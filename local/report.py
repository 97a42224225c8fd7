"""The local run's HTML report: everything it shows is read back from DynamoDB through PipelineRepository.

One self-contained file (inline CSS and script, frames as data URIs) that opens from disk with no
network: per video its jobs, and per analysis the detection count, a timeline, a few annotated
frames and, for people, each track.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from video_pipeline.dal.repository import Detection, JobSummary, PipelineRepository, VideoSummary
from video_pipeline.models import JobStatus

from local.report_frames import annotated_frames, detection_boxes

FRAMES_PER_ANALYSIS = 3
_TRACKED = "persons"


@dataclass(slots=True)
class AnalysisView:
    name: str
    job: JobSummary
    detections: list[Detection]
    tracks: dict[int, list[Detection]] = field(default_factory=dict)
    frames: dict[int, str] = field(default_factory=dict)

    @property
    def duration_ms(self) -> int:
        metadata = self.job.video_metadata or {}
        last = max((detection.timestamp_ms for detection in self.detections), default=0)
        return max(int(metadata.get("DurationMillis") or 0), last + 1, 1)


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


def _spread(timestamps: Sequence[int], count: int) -> list[int]:
    """Up to `count` timestamps spread evenly over the sorted list (first, middle, last...)."""
    if len(timestamps) <= count:
        return list(timestamps)
    step = (len(timestamps) - 1) / (count - 1)
    return [timestamps[round(number * step)] for number in range(count)]


def collect(repository: PipelineRepository, video: VideoSummary, source: Path | None) -> list[AnalysisView]:
    views = []
    for name, job in sorted(video.jobs.items()):
        detections = _all(_detection_pages(repository, video.video_id, name)) if job.job_id else []
        view = AnalysisView(name, job, detections)
        if name == _TRACKED:
            indexes = sorted({int(d.data["Person"]["Index"]) for d in detections if "Person" in d.data})
            view.tracks = {index: _all(_track_pages(repository, video.video_id, index)) for index in indexes}
        if source is not None and detections:
            by_timestamp: dict[int, list[dict[str, object]]] = defaultdict(list)
            for detection in detections:
                by_timestamp[detection.timestamp_ms].append(detection.data)
            chosen = _spread(sorted(by_timestamp), FRAMES_PER_ANALYSIS)
            view.frames = annotated_frames(source, name, {ts: by_timestamp[ts] for ts in chosen})
        views.append(view)
    return views


_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#232f3e;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
main{padding:12px 28px 40px;max-width:1100px}
section.video{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;padding:16px 20px;margin:18px 0}
table{border-collapse:collapse;margin:8px 0}td,th{padding:4px 10px;border-bottom:1px solid #e3e6ea;text-align:left}
.status-SUCCEEDED{color:#1a7f37;font-weight:600}.status-FAILED,.status-ERROR{color:#c62828;font-weight:600}
.analysis{border-top:1px solid #e3e6ea;margin-top:14px;padding-top:8px}
.count{font-size:20px;font-weight:700}.note{color:#5f6b7a;font-style:italic}
.row{display:flex;align-items:center;gap:8px;margin:2px 0}.row span{width:90px;font-size:12px;color:#5f6b7a}
.row svg{flex:1;height:18px;background:#eef1f4;border-radius:3px}
.mark{fill:#ff9900}.mark:hover{fill:#c45500}
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


def plural(count: int, noun: str) -> str:
    """'1 video', '3 videos', '1 person', '2 people': the counted noun in its right form."""
    irregular = {"person": "people", "celebrity": "celebrities"}
    if count == 1:
        return f"{count} {noun}"
    return f"{count:,} {irregular.get(noun, noun + 's')}"


# What one detection of each analysis is called, for counts ("1 face", "2 people").
_SINGULAR = {"faces": "face", "persons": "person", "celebrities": "celebrity"}


def _noun(count: int, noun: str) -> str:
    return plural(count, noun).split(" ", 1)[1]


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _seconds(milliseconds: int) -> str:
    return f"{milliseconds / 1000:.2f} s"


def _timeline_row(label: str, detections: Sequence[Detection], view: AnalysisView) -> str:
    marks = []
    for detection in detections:
        x = 1000 * detection.timestamp_ms / view.duration_ms
        _box, caption = detection_boxes(view.name, detection.data)
        text = f"{_seconds(detection.timestamp_ms)}: {caption}"
        marks.append(
            f'<rect class="mark" x="{x:.1f}" y="2" width="4" height="14" data-label="{_e(text)}">'
            f"<title>{_e(text)}</title></rect>"
        )
    return (
        f'<div class="row"><span>{_e(label)}</span>'
        f'<svg viewBox="0 0 1004 18" preserveAspectRatio="none" role="img" aria-label="{_e(label)} timeline">'
        f"{''.join(marks)}</svg></div>"
    )


def _analysis_html(view: AnalysisView, notes: Mapping[str, str]) -> str:
    job = view.job
    parts = [
        f'<div class="analysis" id="{_e(view.name)}" data-analysis="{_e(view.name)}">',
        f"<h3>{_e(view.name)}</h3>",
    ]
    parts.append(
        f'<p><span class="count" data-count="{len(view.detections)}">{len(view.detections)}</span> '
        f"{_noun(len(view.detections), 'detection')}"
        f' · status <span class="status-{_e(job.status.value)}">{_e(job.status.value)}</span></p>'
    )
    if job.status is not JobStatus.SUCCEEDED:
        parts.append(f'<p class="note">{_e(job.status_message or job.error_code or "no results")}</p>')
    elif not view.detections:
        parts.append(f'<p class="note">No detections. {_e(notes.get(view.name, ""))}</p>')
    if view.detections:
        parts.append(f"<p>Timeline (0 to {_seconds(view.duration_ms)})</p>")
        if view.tracks:
            parts.extend(_timeline_row(f"person {index}", track, view) for index, track in view.tracks.items())
        else:
            parts.append(_timeline_row(view.name, view.detections, view))
    if view.tracks:
        parts.append(
            '<table class="tracks"><tr><th>person</th><th>first seen</th><th>last seen</th><th>samples</th></tr>'
        )
        for index, track in view.tracks.items():
            times = [detection.timestamp_ms for detection in track]
            parts.append(
                f"<tr><td>{index}</td><td>{_seconds(min(times))}</td><td>{_seconds(max(times))}</td>"
                f"<td>{len(track)}</td></tr>"
            )
        parts.append("</table>")
    if view.frames:
        parts.append('<p class="frames-hint">Click a frame to see it at full size.</p><div class="frames">')
        counts: dict[int, int] = defaultdict(int)
        for detection in view.detections:
            counts[detection.timestamp_ms] += 1
        for timestamp, uri in sorted(view.frames.items()):
            caption = f"{_seconds(timestamp)} · {plural(counts[timestamp], _SINGULAR.get(view.name, view.name))}"
            parts.append(
                f'<figure><img src="{uri}" alt="{_e(caption)}"><figcaption>{_e(caption)}</figcaption></figure>'
            )
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def _seen_once(job: JobSummary) -> str:
    """Person indexes seen at one instant only: counted among the entities, and said so."""
    count = job.single_sighting_count
    return f' <span class="seen-once">({count} seen once)</span>' if count else ""


def _video_html(video: VideoSummary, views: Sequence[AnalysisView], notes: Mapping[str, str]) -> str:
    metadata = next((view.job.video_metadata for view in views if view.job.video_metadata), None) or {}
    facts = ", ".join(
        f"{name} {metadata[key]}"
        for key, name in (("Codec", "codec"), ("FrameWidth", "width"), ("FrameHeight", "height"), ("FrameRate", "fps"))
        if key in metadata
    )
    rows = "".join(
        f'<tr><td>{_e(view.name)}</td><td class="status-{_e(view.job.status.value)}">{_e(view.job.status.value)}</td>'
        f"<td>{view.job.detection_count}</td><td>{view.job.entity_count}{_seen_once(view.job)}</td></tr>"
        for view in views
    )
    return (
        f'<section class="video" data-video="{_e(video.key)}"><h2>{_e(video.key)}</h2>'
        f"<p>video {_e(video.video_id)} · {video.size:,} bytes · {_e(facts or 'no metadata')}</p>"
        f"<table><tr><th>analysis</th><th>status</th><th>detections</th><th>entities</th></tr>{rows}</table>"
        f"{''.join(_analysis_html(view, notes) for view in views)}</section>"
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
    frames = sum(len(view.frames) for _, views in collected for view in views)
    return ReportSummary(path, len(videos), detections, frames)
