"""Shots and technical cues as GetSegmentDetection reports them, from spans of frames.

The synthetic source and the real analyzer (`emulator.vision.shots`) both describe what they found as
`Span`s of frame numbers; this module applies the Start call's `SegmentTypes` and `Filters`, orders the
segments as the service does (by the requested types' order, then by time), numbers the shots, and
writes each one with its times in milliseconds, SMPTE timecodes and frame numbers.

Times follow the developer guide's example (24 fps, shot 1 from 00:00:29:02 to 00:03:45:01): a
segment's end is its last frame's start, so DurationMillis and DurationSMPTE are end minus start, while
DurationFrames counts the frames, both ends included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.results import ElementKey
from emulator.timecode import FrameRate

SHOT = "SHOT"
TECHNICAL_CUE = "TECHNICAL_CUE"
SEGMENT_MODEL_VERSION = "1.0"  # what the developer guide's example reports for both types
# Without a filter, the service returns segments with 50% confidence or more (StartShotDetectionFilter).
DEFAULT_MIN_SEGMENT_CONFIDENCE = 50.0
# BlackFrame's documented defaults: a pixel is black up to 20% of the luminance range, and a frame is
# black when 99% of its pixels are.
DEFAULT_MAX_PIXEL_THRESHOLD = 0.2
DEFAULT_MIN_COVERAGE_PERCENTAGE = 99.0

_FILTER_BY_TYPE = {SHOT: "ShotFilter", TECHNICAL_CUE: "TechnicalCueFilter"}


def _as_given(_element: Mapping[str, Any]) -> tuple[()]:
    return ()


# GetSegmentDetection has no SortBy: segments keep the order they were found in (segment_elements'
# order, or a script's), which the result set's position tie-breaker preserves.
SEGMENT_ORDER: Mapping[str, ElementKey] = {"TIMESTAMP": _as_given}


@dataclass(frozen=True, slots=True)
class Span:
    """Frames `first` to `last` (both included) found to be one segment."""

    kind: str  # SHOT or TECHNICAL_CUE
    first: int
    last: int
    confidence: float
    cue: str | None = None  # the TechnicalCueType of a technical cue (BlackFrames, EndCredits, ...)

    def __post_init__(self) -> None:
        if not 0 <= self.first <= self.last:
            raise ValueError(f"a span runs from its first frame to its last, not {self.first}..{self.last}")


@dataclass(frozen=True, slots=True)
class BlackFrameSettings:
    """When a frame counts as black (StartSegmentDetection's Filters.TechnicalCueFilter.BlackFrame)."""

    max_pixel_threshold: float = DEFAULT_MAX_PIXEL_THRESHOLD
    min_coverage_percentage: float = DEFAULT_MIN_COVERAGE_PERCENTAGE

    def max_black_luminance(self, full_range: bool) -> float:
        """The brightest 8-bit luminance still black: 0..255 in full range, 16..235 in limited range."""
        low, high = (0.0, 255.0) if full_range else (16.0, 235.0)
        return low + self.max_pixel_threshold * (high - low)


def requested_types(params: Mapping[str, Any]) -> list[str]:
    """The segment types Start asked for, in its order, each once."""
    return list(dict.fromkeys(str(kind) for kind in params.get("SegmentTypes") or ()))


def black_frame_settings(params: Mapping[str, Any]) -> BlackFrameSettings:
    cue_filter = ((params.get("Filters") or {}).get("TechnicalCueFilter")) or {}
    black = cue_filter.get("BlackFrame") or {}
    return BlackFrameSettings(
        float(black.get("MaxPixelThreshold", DEFAULT_MAX_PIXEL_THRESHOLD)),
        float(black.get("MinCoveragePercentage", DEFAULT_MIN_COVERAGE_PERCENTAGE)),
    )


def _min_confidence(params: Mapping[str, Any], kind: str) -> float:
    type_filter = ((params.get("Filters") or {}).get(_FILTER_BY_TYPE[kind])) or {}
    return float(type_filter.get("MinSegmentConfidence", DEFAULT_MIN_SEGMENT_CONFIDENCE))


def selected_segment_types(params: Mapping[str, Any]) -> list[dict[str, str]]:
    """GetSegmentDetection's SelectedSegmentTypes: what Start asked for, with the models' versions."""
    return [{"Type": kind, "ModelVersion": SEGMENT_MODEL_VERSION} for kind in requested_types(params)]


def segment_elements(spans: Iterable[Span], rate: FrameRate, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Segments list for a job started with `params`: filtered, ordered, shots numbered from 0."""
    kept = [span for span in spans if span.confidence >= _min_confidence(params, span.kind)]
    elements: list[dict[str, Any]] = []
    for kind in requested_types(params):
        of_kind = sorted((span for span in kept if span.kind == kind), key=lambda span: (span.first, span.last))
        for index, span in enumerate(of_kind):
            elements.append(_element(span, rate, index))
    return elements


def _element(span: Span, rate: FrameRate, shot_index: int) -> dict[str, Any]:
    start_ms, end_ms = rate.millis(span.first), rate.millis(span.last)
    element: dict[str, Any] = {
        "Type": span.kind,
        "StartTimestampMillis": start_ms,
        "EndTimestampMillis": end_ms,
        "DurationMillis": end_ms - start_ms,
        "StartTimecodeSMPTE": rate.timecode(span.first),
        "EndTimecodeSMPTE": rate.timecode(span.last),
        "DurationSMPTE": rate.timecode(span.last - span.first),
    }
    confidence = round(min(100.0, max(50.0, span.confidence)), 4)
    if span.kind == SHOT:
        element["ShotSegment"] = {"Index": shot_index, "Confidence": confidence}
    else:
        element["TechnicalCueSegment"] = {"Type": span.cue or "BlackFrames", "Confidence": confidence}
    element.update(StartFrameNumber=span.first, EndFrameNumber=span.last, DurationFrames=span.last - span.first + 1)
    return element


def shots_between(cuts: Sequence[int], frames: int, confidences: Sequence[float]) -> list[Span]:
    """Shots from the first frame of each new shot (`cuts`, ascending, each > 0) to the video's end.

    A shot's confidence is its weakest boundary's: `confidences[i]` belongs to `cuts[i]`.
    """
    if frames <= 0:
        return []
    starts = [0, *cuts]
    ends = [cut - 1 for cut in cuts] + [frames - 1]
    boundary = [100.0, *confidences, 100.0]
    return [
        Span(SHOT, first, last, min(boundary[number], boundary[number + 1]))
        for number, (first, last) in enumerate(zip(starts, ends, strict=True))
    ]
