"""Exports of a video's shots and technical cues: CSV, and CMX 3600 edit decision lists for editing tools.

Pure functions of GetSegmentDetection's `Segments` elements (as stored) and the video's frame rate.

Timecodes are computed here from frame numbers, so every export uses one clock: HH:MM:SS:FF, or
HH:MM:SS;FF in drop-frame timecode at the NTSC rates (29.97 and 59.94 fps), where frame numbers 0-1
(0-3 at 59.94) are skipped at the start of every minute except every tenth, as Rekognition's own
`StartTimecodeSMPTE` counts them.

An EDL places each segment at its own time in the record timeline, which starts at 01:00:00:00 (the
editing convention), so importing the shot list rebuilds the video cut at every shot boundary. CMX
3600 numbers events 001-999: a longer list is split into parts of at most 999 events, each a complete
EDL whose title says "part N of M" (see `edl_part_count`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

SHOT: Final = "SHOT"
TECHNICAL_CUE: Final = "TECHNICAL_CUE"
SegmentType = Literal["SHOT", "TECHNICAL_CUE"]
SEGMENT_TYPES: tuple[SegmentType, ...] = (SHOT, TECHNICAL_CUE)

# CMX 3600 event numbers have three digits.
EDL_EVENT_LIMIT: Final = 999
# Where the record timeline starts: editing tools put a program's first frame at one hour.
RECORD_START_HOURS: Final = 1
# The reel of every event: "AX", an auxiliary source, which tools relink by the clip name comment.
EDL_REEL: Final = "AX"
# A CMX 3600 title line holds at most 70 characters after "TITLE: ".
_TITLE_LIMIT = 70
# Frame numbers dropped at the start of each minute, by nominal rate, at the NTSC rates that drop frames.
_DROPPED_PER_MINUTE = {30: 2, 60: 4}
_NTSC = 1000 / 1001

CSV_COLUMNS: tuple[str, ...] = (
    "type",
    "name",
    "start_timecode",
    "end_timecode",
    "duration_timecode",
    "start_frame",
    "end_frame",
    "duration_frames",
    "start_ms",
    "end_ms",
    "duration_ms",
    "confidence",
)


class ExportError(ValueError):
    """The segments or the frame rate cannot be exported (said in words a caller can act on)."""


@dataclass(frozen=True, slots=True)
class Timebase:
    """A video's frame rate as timecode counts it: the nominal frames per second, and drop frame or not."""

    fps: float

    def __post_init__(self) -> None:
        if not (self.fps > 0 and self.fps < 1000):
            raise ExportError(f"a frame rate must be between 0 and 1000 frames per second, not {self.fps}")

    @property
    def drop_frame(self) -> bool:
        """Whether this is an NTSC rate (29.97, 59.94 fps), counted in drop-frame timecode."""
        nominal = round(self.fps / _NTSC)
        return nominal in _DROPPED_PER_MINUTE and abs(self.fps - nominal * _NTSC) < 0.01

    @property
    def nominal(self) -> int:
        """The frames counted per timecode second: 30 at 29.97 fps, 25 at 25 fps."""
        return max(1, round(self.fps / _NTSC) if self.drop_frame else round(self.fps))

    def frame_at(self, millis: float) -> int:
        """The frame shown at `millis` (frames counted from 0)."""
        return max(0, int(millis * self.fps / 1000 + 1e-6))

    def timecode(self, frame: int) -> str:
        """The SMPTE timecode of frame number `frame`, counted from 00:00:00:00."""
        if frame < 0:
            raise ExportError(f"frame numbers start at 0, not {frame}")
        separator = ":"
        if self.drop_frame:
            separator = ";"
            frame = _with_skipped_numbers(frame, self.nominal)
        seconds, frames = divmod(frame, self.nominal)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{frames:02d}"

    def frames_in(self, hours: int) -> int:
        """How many frames `hours` of timecode count (the record timeline's one-hour offset)."""
        if self.drop_frame:
            dropped = _DROPPED_PER_MINUTE[self.nominal]
            return hours * 6 * (self.nominal * 600 - 9 * dropped)
        return hours * 3600 * self.nominal


def _with_skipped_numbers(frame: int, nominal: int) -> int:
    """The frame count plus the frame numbers drop-frame timecode skipped before it."""
    dropped = _DROPPED_PER_MINUTE[nominal]
    per_minute = nominal * 60 - dropped
    per_ten_minutes = nominal * 600 - 9 * dropped
    tens, rest = divmod(frame, per_ten_minutes)
    skipped = 9 * dropped * tens
    if rest > dropped:
        skipped += dropped * ((rest - dropped) // per_minute)
    return frame + skipped


@dataclass(frozen=True, slots=True)
class Segment:
    """One shot or technical cue, its frames counted from 0, both ends included (as Rekognition counts)."""

    type: SegmentType
    name: str  # "Shot 3" or the cue's type ("BlackFrames", "EndCredits", ...)
    first_frame: int
    last_frame: int
    start_ms: int
    end_ms: int
    confidence: float

    @property
    def frames(self) -> int:
        return self.last_frame - self.first_frame + 1


def segment_of(element: Mapping[str, Any], timebase: Timebase) -> Segment:
    """A stored `Segments` element as a `Segment`; frames from the element, or from its times when absent."""
    kind = element.get("Type")
    if kind not in SEGMENT_TYPES:
        raise ExportError(f"not a shot or technical cue: segment type {kind!r}")
    if kind == SHOT:
        detail = element.get("ShotSegment") or {}
        name = f"Shot {detail.get('Index', '?')}"
    else:
        detail = element.get("TechnicalCueSegment") or {}
        name = str(detail.get("Type") or "TechnicalCue")
    start_ms, end_ms = int(element.get("StartTimestampMillis", 0)), int(element.get("EndTimestampMillis", 0))
    first = element.get("StartFrameNumber")
    last = element.get("EndFrameNumber")
    first_frame = timebase.frame_at(start_ms) if first is None else int(first)
    last_frame = max(first_frame, timebase.frame_at(end_ms) if last is None else int(last))
    return Segment(
        type=kind,
        name=name,
        first_frame=first_frame,
        last_frame=last_frame,
        start_ms=start_ms,
        end_ms=end_ms,
        confidence=round(float(detail.get("Confidence") or 0.0), 3),
    )


def segments_of(
    elements: Iterable[Mapping[str, Any]], timebase: Timebase, types: Sequence[SegmentType] = SEGMENT_TYPES
) -> list[Segment]:
    """The elements of the chosen types, in time order (shots before cues at the same frame)."""
    chosen = [segment_of(element, timebase) for element in elements if element.get("Type") in types]
    return sorted(chosen, key=lambda segment: (segment.first_frame, SEGMENT_TYPES.index(segment.type)))


def segments_csv(segments: Iterable[Segment], timebase: Timebase) -> str:
    """One row per segment: timecodes, frame numbers and milliseconds; the end timecode is the last frame's."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for segment in segments:
        writer.writerow(
            (
                segment.type,
                segment.name,
                timebase.timecode(segment.first_frame),
                timebase.timecode(segment.last_frame),
                timebase.timecode(segment.frames),
                segment.first_frame,
                segment.last_frame,
                segment.frames,
                segment.start_ms,
                segment.end_ms,
                segment.end_ms - segment.start_ms,
                f"{segment.confidence:.3f}",
            )
        )
    return out.getvalue()


def edl_part_count(segments: Sequence[Segment]) -> int:
    """How many EDLs the segments need at 999 events each (at least one, empty or not)."""
    return max(1, -(-len(segments) // EDL_EVENT_LIMIT))


def segments_edl(segments: Sequence[Segment], timebase: Timebase, *, title: str, clip: str, part: int = 1) -> str:
    """Part `part` (from 1) of the CMX 3600 EDL of `segments`: a cut event per segment, at most 999 per part.

    Source in/out are the segment's first frame and the frame after its last (EDL out points are
    exclusive); the record side is the same span one hour later. A `* FROM CLIP NAME:` comment names
    the video after each event, and `* COMMENT:` says what the segment is."""
    parts = edl_part_count(segments)
    if not 1 <= part <= parts:
        plural = "s" if parts > 1 else ""
        raise ExportError(f"part {part} does not exist: this EDL has {parts} part{plural} (1-{parts})")
    chosen = segments[(part - 1) * EDL_EVENT_LIMIT : part * EDL_EVENT_LIMIT]
    heading = _ascii(title) + (f" (part {part} of {parts})" if parts > 1 else "")
    lines = [
        f"TITLE: {heading[:_TITLE_LIMIT]}",
        f"FCM: {'DROP FRAME' if timebase.drop_frame else 'NON-DROP FRAME'}",
        "",
    ]
    offset = timebase.frames_in(RECORD_START_HOURS)
    clip_name = _ascii(clip)
    for number, segment in enumerate(chosen, start=1):
        source_in, source_out = segment.first_frame, segment.last_frame + 1
        times = (source_in, source_out, source_in + offset, source_out + offset)
        timecodes = " ".join(timebase.timecode(frame) for frame in times)
        lines += [
            f"{number:03d}  {EDL_REEL:<8} V     C        {timecodes}",
            f"* FROM CLIP NAME: {clip_name}",
            f"* COMMENT: {segment.type} {segment.name} ({segment.confidence:.1f}%)",
            "",
        ]
    return "\r\n".join(lines)


def _ascii(text: str) -> str:
    """CMX 3600 lists are 7-bit text: anything else, and control characters, become '_'."""
    return re.sub(r"[^\x20-\x7e]", "_", text).strip() or "untitled"
