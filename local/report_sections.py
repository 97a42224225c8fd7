"""One section of the report per analysis that ran: what its results are, shown the way they are read.

Faces and celebrities are sightings on a timeline; persons are tracks; labels a timeline per label;
moderation flags a table (said to be synthetic when they are); text the lines read and the frames
they were read on; segments the shot list and technical cues with timecodes, frame numbers and a
still per shot. An analysis this module does not know gets its counts only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from video_pipeline.dal.repository import Detection, JobSummary
from video_pipeline.models import JobStatus

from local.report_frames import detection_boxes
from local.report_html import Mark, escape, figures, noun, plural, seconds, table, timeline_row

FRAMES_PER_ANALYSIS = 3
# Stills beyond this many shots would make the page heavy; the shot list itself stays complete.
STILLS_PER_VIDEO = 100
# Rows of a table of single detections (moderation flags, text lines); the count says how many in all.
ROWS_PER_TABLE = 200
TRACKED = "persons"
SEGMENTS = "segments"
# What one boxed detection of each analysis is called in a frame's caption ("1 face", "2 lines").
_SINGULAR = {"faces": "face", "persons": "person", "celebrities": "celebrity", "labels": "label", "text": "line"}


@dataclass(slots=True)
class AnalysisView:
    name: str
    job: JobSummary
    detections: list[Detection]
    tracks: dict[int, list[Detection]] = field(default_factory=dict)
    frames: dict[int, str] = field(default_factory=dict)  # annotated frames by timestamp
    stills: dict[int, str] = field(default_factory=dict)  # shot thumbnails by timestamp

    @property
    def duration_ms(self) -> int:
        metadata = self.job.video_metadata or {}
        last = max((detection.timestamp_ms for detection in self.detections), default=0)
        return max(int(metadata.get("DurationMillis") or 0), last + 1, 1)

    def boxed(self) -> dict[int, list[Detection]]:
        """The detections that carry a box to draw, by timestamp."""
        found: dict[int, list[Detection]] = defaultdict(list)
        for detection in self.detections:
            if detection_boxes(self.name, detection.data)[0]:
                found[detection.timestamp_ms].append(detection)
        return found


def _spread(timestamps: Sequence[int], count: int) -> list[int]:
    """Up to `count` timestamps spread evenly over the sorted list (first, middle, last...)."""
    if len(timestamps) <= count:
        return list(timestamps)
    step = (len(timestamps) - 1) / (count - 1)
    return [timestamps[round(number * step)] for number in range(count)]


def frame_timestamps(view: AnalysisView) -> list[int]:
    """Where to show this analysis' boxes: a few instants spread over those that have any."""
    return _spread(sorted(view.boxed()), FRAMES_PER_ANALYSIS)


def _shots(view: AnalysisView) -> list[dict[str, Any]]:
    return [d.data for d in view.detections if d.data.get("Type") == "SHOT"]


def _cues(view: AnalysisView) -> list[dict[str, Any]]:
    return [d.data for d in view.detections if d.data.get("Type") == "TECHNICAL_CUE"]


def still_timestamp(shot: Mapping[str, Any]) -> int:
    """The instant a shot's still shows: its middle, away from the cut's blend frames."""
    start = int(shot.get("StartTimestampMillis") or 0)
    return start + int(shot.get("DurationMillis") or 0) // 2


def still_timestamps(view: AnalysisView) -> list[int]:
    if view.name != SEGMENTS:
        return []
    return sorted({still_timestamp(shot) for shot in _shots(view)[:STILLS_PER_VIDEO]})


def section_html(view: AnalysisView, note: str = "") -> str:
    """The analysis' section; `note` is the emulator's caveat for it, if it has one."""
    job = view.job
    parts = [
        f'<div class="analysis" id="{escape(view.name)}" data-analysis="{escape(view.name)}">',
        f"<h3>{escape(view.name)}</h3>",
        f'<p><span class="count" data-count="{len(view.detections)}">{len(view.detections)}</span> '
        f"{noun(len(view.detections), 'detection')}"
        f' · status <span class="status-{escape(job.status.value)}">{escape(job.status.value)}</span></p>',
    ]
    if job.status is not JobStatus.SUCCEEDED:
        parts.append(f'<p class="note">{escape(job.status_message or job.error_code or "no results")}</p>')
    elif not view.detections:
        parts.append(f'<p class="note">No detections. {escape(note)}</p>')
    elif note and view.name in STATED_NOTES:
        parts.append(f'<p class="note stated">{escape(note)}</p>')
    if view.detections:
        parts.extend(_BODIES.get(view.name, _counts_only)(view))
    parts.append("</div>")
    return "".join(parts)


def _frames(view: AnalysisView) -> list[str]:
    boxed = view.boxed()
    singular = _SINGULAR.get(view.name, "detection")
    captions = {ts: f"{seconds(ts)} · {plural(len(boxed.get(ts, ())), singular)}" for ts in view.frames}
    return [figures(view.frames, captions)]


def _sightings(view: AnalysisView) -> list[str]:
    """Faces and celebrities: every sighting on one timeline, then a few frames."""
    row = timeline_row(view.name, _marks(view, view.detections), view.duration_ms)
    return [_timeline_title(view), row, *_frames(view)]


def _marks(view: AnalysisView, detections: Sequence[Detection]) -> list[Mark]:
    return [Mark(d.timestamp_ms, detection_boxes(view.name, d.data)[1]) for d in detections]


def _timeline_title(view: AnalysisView) -> str:
    return f"<p>Timeline (0 to {seconds(view.duration_ms)})</p>"


def _tracks(view: AnalysisView) -> list[str]:
    """Persons: a timeline row and a table row per track."""
    if not view.tracks:
        return _sightings(view)
    tracks = view.tracks
    rows = [timeline_row(f"person {index}", _marks(view, track), view.duration_ms) for index, track in tracks.items()]
    summary = []
    for index, track in tracks.items():
        times = [detection.timestamp_ms for detection in track]
        summary.append((str(index), seconds(min(times)), seconds(max(times)), str(len(track))))
    listing = table("tracks", ("person", "first seen", "last seen", "samples"), summary)
    return [_timeline_title(view), *rows, listing, *_frames(view)]


def _by_name(view: AnalysisView, name_of: Callable[[Mapping[str, Any]], str]) -> dict[str, list[Detection]]:
    grouped: dict[str, list[Detection]] = defaultdict(list)
    for detection in view.detections:
        grouped[name_of(detection.data)].append(detection)
    return dict(sorted(grouped.items(), key=lambda item: (-len(item[1]), item[0])))


def _label_name(data: Mapping[str, Any]) -> str:
    return str((data.get("Label") or {}).get("Name") or "?")


def _labels(view: AnalysisView) -> list[str]:
    """Labels: how often each was seen, and a timeline per label."""
    grouped = _by_name(view, _label_name)
    rows = []
    for name, found in grouped.items():
        times = [detection.timestamp_ms for detection in found]
        best = max(float((d.data.get("Label") or {}).get("Confidence") or 0) for d in found)
        instances = sum(len((d.data.get("Label") or {}).get("Instances") or ()) for d in found)
        rows.append(
            (escape(name), str(len(found)), str(instances), seconds(min(times)), seconds(max(times)), f"{best:.1f}%")
        )
    counts = table("labels", ("label", "instants", "boxes", "first seen", "last seen", "top confidence"), rows)
    timelines = [timeline_row(name, _marks(view, found), view.duration_ms) for name, found in grouped.items()]
    return [counts, _timeline_title(view), *timelines, *_frames(view)]


def _flag(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return data.get("ModerationLabel") or {}


def _moderation(view: AnalysisView) -> list[str]:
    """Moderation flags: a timeline per category, and every flag with its parent and confidence."""
    grouped = _by_name(view, lambda data: str(_flag(data).get("Name") or "?"))
    timelines = [timeline_row(name, _marks(view, found), view.duration_ms) for name, found in grouped.items()]
    rows = [
        (
            seconds(detection.timestamp_ms),
            escape(_flag(detection.data).get("Name") or ""),
            escape(_flag(detection.data).get("ParentName") or "-"),
            escape(_flag(detection.data).get("TaxonomyLevel") or "-"),
            f"{float(_flag(detection.data).get('Confidence') or 0):.1f}%",
        )
        for detection in view.detections[:ROWS_PER_TABLE]
    ]
    flags = table("flags", ("time", "flag", "parent", "level", "confidence"), rows)
    return [_timeline_title(view), *timelines, flags, _more(view.detections)]


def _more(detections: Sequence[Detection]) -> str:
    hidden = len(detections) - ROWS_PER_TABLE
    return f'<p class="note">and {hidden:,} more</p>' if hidden > 0 else ""


def _text(view: AnalysisView) -> list[str]:
    """Text: each line read, with when, then the frames with the lines' boxes."""
    lines = [d for d in view.detections if (d.data.get("TextDetection") or {}).get("Type") == "LINE"]
    rows = [
        (
            seconds(line.timestamp_ms),
            f'<span class="text-line">{escape(line.data["TextDetection"].get("DetectedText") or "")}</span>',
            f"{float(line.data['TextDetection'].get('Confidence') or 0):.1f}%",
        )
        for line in lines[:ROWS_PER_TABLE]
    ]
    words = len(view.detections) - len(lines)
    listing = table("lines", ("time", "line", "confidence"), rows)
    read = f"<p>{plural(len(lines), 'line')} and {plural(words, 'word')} read</p>"
    return [read, listing, _more(lines), *_frames(view)]


def _segment_cells(segment: Mapping[str, Any]) -> tuple[str, ...]:
    """Start and end timecodes, frame numbers and the duration, as Rekognition gives them."""
    return (
        f'<span class="timecode">{escape(segment.get("StartTimecodeSMPTE") or "-")}</span>',
        f'<span class="timecode">{escape(segment.get("EndTimecodeSMPTE") or "-")}</span>',
        f"{segment.get('StartFrameNumber', '-')} to {segment.get('EndFrameNumber', '-')}",
        f"{escape(segment.get('DurationSMPTE') or '-')} ({seconds(int(segment.get('DurationMillis') or 0))}, "
        f"{segment.get('DurationFrames', '-')} frames)",
    )


def _segments(view: AnalysisView) -> list[str]:
    """Shots and technical cues: spans on a timeline, the shot list with stills, the cues."""
    shots, cues = _shots(view), _cues(view)

    def span(segment: Mapping[str, Any], text: str, kind: str) -> Mark:
        start = int(segment.get("StartTimestampMillis") or 0)
        return Mark(start, text, max(1, int(segment.get("DurationMillis") or 0)), kind)

    shot_marks = [
        span(shot, f"shot {(shot.get('ShotSegment') or {}).get('Index')}", f"shot-{number % 2}")
        for number, shot in enumerate(shots)
    ]
    cue_marks = [span(cue, str((cue.get("TechnicalCueSegment") or {}).get("Type")), "cue") for cue in cues]
    parts = [_timeline_title(view), timeline_row("shots", shot_marks, view.duration_ms)]
    if cues:
        parts.append(timeline_row("cues", cue_marks, view.duration_ms))
    shot_rows = []
    for shot in shots:
        index = (shot.get("ShotSegment") or {}).get("Index")
        still = view.stills.get(still_timestamp(shot))
        image = f'<img class="still" src="{still}" alt="shot {escape(index)}">' if still else ""
        confidence = f"{float((shot.get('ShotSegment') or {}).get('Confidence') or 0):.1f}%"
        shot_rows.append((escape(index), image, *_segment_cells(shot), confidence))
    headers = ("start", "end", "frames", "duration")
    parts.append(f"<p>{plural(len(shots), 'shot')}</p>")
    parts.append(table("shots", ("shot", "still", *headers, "confidence"), shot_rows))
    if cues:
        cue_rows = [
            (
                escape((cue.get("TechnicalCueSegment") or {}).get("Type") or "?"),
                *_segment_cells(cue),
                f"{float((cue.get('TechnicalCueSegment') or {}).get('Confidence') or 0):.1f}%",
            )
            for cue in cues
        ]
        parts.append(f"<p>{plural(len(cues), 'technical cue')}</p>")
        parts.append(table("cues", ("cue", *headers, "confidence"), cue_rows))
    return parts


def _counts_only(_view: AnalysisView) -> list[str]:
    return []


_BODIES: Mapping[str, Callable[[AnalysisView], list[str]]] = {
    "faces": _sightings,
    "celebrities": _sightings,
    TRACKED: _tracks,
    "labels": _labels,
    "moderation": _moderation,
    "text": _text,
    SEGMENTS: _segments,
}
# Analyses whose caveat changes how every result must be read: said above the results, not only when empty.
STATED_NOTES = frozenset({"moderation"})
