"""Real segment detection: shot cuts and black frames measured on every decoded frame.

Shots: a cut is a frame whose colour histogram (luma and both chroma planes) differs from the previous
frame's by more than `CUT_DISTANCE` (half the L1 distance of the normalised histograms, 0 to 1); the
farther above the threshold, the more confident. Gradual transitions (fades, dissolves) are not cuts,
as in the service, whose shots are separated by hard cuts.

Black frames: a frame is black when at least `MinCoveragePercentage` of its pixels have a luma at most
`MaxPixelThreshold` of the way from black to white, in the file's own range (16-235 limited, 0-255
full), as StartSegmentDetection's BlackFrame filter defines it; consecutive black frames are one
BlackFrames cue. Other cue types (ColorBars, EndCredits, Slate, StudioLogo, ...) have no offline model
and are never reported.

Frames are read at `ANALYSIS_WIDTH` pixels wide: enough for histograms and coverage, and a fraction of
the cost of full frames (the decoding itself cannot be skipped: H.264 needs every frame).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from emulator.analyzers import AnalysisError, AnalysisRequest, ProgressReport
from emulator.errors import ServiceError
from emulator.results import ElementSource, ScriptedSource
from emulator.segments import (
    SEGMENT_ORDER,
    SHOT,
    TECHNICAL_CUE,
    BlackFrameSettings,
    Span,
    black_frame_settings,
    requested_types,
    segment_elements,
    shots_between,
)
from emulator.timecode import FrameRate
from emulator.vision.admission import ProbingAnalyzer
from emulator.vision.decode import MediaError, MediaInfo, Source, audio_metadata, planar_frames

ANALYSIS_WIDTH = 160
CUT_DISTANCE = 0.3
_LUMA_BINS = 32
_CHROMA_BINS = 16


@dataclass(slots=True)
class _Measurements:
    """Per-frame facts gathered in the one pass over the video."""

    cuts: list[int] = field(default_factory=list)
    cut_confidences: list[float] = field(default_factory=list)
    black_coverage: list[float | None] = field(default_factory=list)  # coverage % of black frames, else None
    frames: int = 0


def _histogram(planes: NDArray[np.uint8], height: int) -> NDArray[np.float64]:
    """Luma and chroma histograms, each normalised to sum to 1, side by side."""
    luma, chroma = planes[:height], planes[height:]
    quarter = chroma.shape[0] // 2
    parts = [
        np.bincount(luma.ravel() >> 3, minlength=_LUMA_BINS),
        np.bincount(chroma[:quarter].ravel() >> 4, minlength=_CHROMA_BINS),
        np.bincount(chroma[quarter:].ravel() >> 4, minlength=_CHROMA_BINS),
    ]
    return np.concatenate([part / max(1, part.sum()) for part in parts])


def _cut_confidence(distance: float) -> float:
    return 50.0 + 50.0 * min(1.0, (distance - CUT_DISTANCE) / (1.0 - CUT_DISTANCE))


def _black_confidence(coverage: float, settings: BlackFrameSettings) -> float:
    """100 for a frame black to the last pixel, 50 for one just inside the coverage required."""
    spare = 100.0 - settings.min_coverage_percentage
    if spare <= 0:
        return 100.0
    return 50.0 + 50.0 * min(1.0, (coverage - settings.min_coverage_percentage) / spare)


def measure(
    source: Source, info: MediaInfo, settings: BlackFrameSettings, report: ProgressReport | None = None
) -> tuple[_Measurements, FrameRate]:
    """One pass over every frame: where the cuts are, and which frames are black."""
    found = _Measurements()
    darkest = settings.max_black_luminance(info.full_range)
    previous: NDArray[np.float64] | None = None
    for timestamp_ms, planes in planar_frames(source, ANALYSIS_WIDTH):
        height = planes.shape[0] * 2 // 3
        histogram = _histogram(planes, height)
        if previous is not None:
            # Half the L1 distance of each histogram (0 to 1), averaged over the three.
            distance = float(np.abs(histogram - previous).sum()) / 6
            if distance > CUT_DISTANCE:
                found.cuts.append(found.frames)
                found.cut_confidences.append(_cut_confidence(distance))
        previous = histogram
        coverage = 100.0 * float(np.count_nonzero(planes[:height] <= darkest)) / planes[:height].size
        found.black_coverage.append(coverage if coverage >= settings.min_coverage_percentage else None)
        found.frames += 1
        if report is not None and info.duration_ms:
            report(min(0.99, timestamp_ms / info.duration_ms))
    return found, FrameRate(info.frame_rate if info.frame_rate > 0 else 30.0)


def black_runs(found: _Measurements, settings: BlackFrameSettings) -> list[Span]:
    """Each run of consecutive black frames, as one BlackFrames cue of the run's mean confidence."""
    runs: list[Span] = []
    start: int | None = None
    for frame, coverage in enumerate([*found.black_coverage, None]):
        if coverage is not None and start is None:
            start = frame
        elif coverage is None and start is not None:
            scores = [
                _black_confidence(value, settings) for value in found.black_coverage[start:frame] if value is not None
            ]
            runs.append(Span(TECHNICAL_CUE, start, frame - 1, sum(scores) / max(1, len(scores)), "BlackFrames"))
            start = None
    return runs


class SegmentResults(ScriptedSource):
    """Segments found in the file, with the file's audio streams (AudioMetadata)."""

    def __init__(self, elements: list[dict[str, Any]], video: Mapping[str, Any], audio: list[dict[str, Any]]) -> None:
        super().__init__(elements, video, SEGMENT_ORDER)
        self._audio = audio

    def file_members(self) -> dict[str, Any]:
        return {"AudioMetadata": [dict(stream) for stream in self._audio]}


class SegmentAnalyzer(ProbingAnalyzer):
    """StartSegmentDetection on the decoded frames: shots at hard cuts, BlackFrames cues."""

    note: str | None = (
        "segments: shots cut where frame histograms jump, BlackFrames cues from luma coverage with the "
        "BlackFrame filter's thresholds; other technical cues (credits, colour bars, slates) have no offline model"
    )

    def analyze(self, request: AnalysisRequest) -> ElementSource:
        settings = black_frame_settings(request.params)
        try:
            with self._open(request) as stream:
                info = self._probe(stream)
                stream.seek(0)
                audio = audio_metadata(stream)
                stream.seek(0)
                found, rate = measure(stream, info, settings, request.report_progress)
        except (ServiceError, MediaError) as error:
            # Admitted at Start but unreadable now (replaced, truncated): the job fails, as in the service.
            raise AnalysisError(error.message) from None
        spans: list[Span] = []
        wanted = requested_types(request.params)
        if SHOT in wanted:
            spans += shots_between(found.cuts, found.frames, found.cut_confidences)
        if TECHNICAL_CUE in wanted:
            spans += black_runs(found, settings)
        request.report_progress(1.0)
        return SegmentResults(segment_elements(spans, rate, request.params), info.video_metadata(), audio)
