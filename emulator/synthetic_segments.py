"""Synthetic shots and technical cues: a seeded edit of the video's real frame count and rate.

`detections` shots (at most one per frame) cut the video at jittered, evenly spread frames; a video
opens on black frames and, when longer than half a minute, ends on its credits. The Start call's
types and filters apply exactly as to the real analyzer's findings (emulator/segments.py).
"""

from __future__ import annotations

from typing import Any

from emulator.draw import Draw
from emulator.results import ScriptedSource
from emulator.segments import SEGMENT_ORDER, TECHNICAL_CUE, Span, segment_elements, shots_between
from emulator.synthetic import Synthesis
from emulator.timecode import FrameRate

_OPENING_BLACK_SECONDS = 0.5
_CREDITS_FROM_MS = 30_000  # videos shorter than this have no end credits
_CREDITS_SHARE = 0.08


def _cuts(draw: Draw, frames: int, shots: int) -> list[int]:
    """The first frame of every shot after the first, ascending and distinct."""
    if shots <= 1 or frames <= 1:
        return []
    shots = min(shots, frames)
    spacing = frames / shots
    jitter = spacing / 3 if spacing >= 3 else 0.0
    cuts = [round(number * spacing + draw.uniform(-jitter, jitter)) for number in range(1, shots)]
    return sorted({min(frames - 1, max(1, cut)) for cut in cuts})


def _cues(draw: Draw, rate: FrameRate, frames: int, duration_ms: int) -> list[Span]:
    cues = [Span(TECHNICAL_CUE, 0, min(frames - 1, rate.frame_at(_OPENING_BLACK_SECONDS * 1000)), 99.0, "BlackFrames")]
    if duration_ms >= _CREDITS_FROM_MS:
        first = rate.frame_at(duration_ms * (1 - _CREDITS_SHARE))
        cues.append(Span(TECHNICAL_CUE, min(first, frames - 1), frames - 1, draw.uniform(70.0, 98.0), "EndCredits"))
    return cues


class SegmentSource(ScriptedSource):
    def __init__(self, spec: Synthesis) -> None:
        profile = spec.profile
        rate = FrameRate(profile.fps)
        frames = profile.frames
        draw = Draw(spec.seed, 11)
        cuts = _cuts(draw, frames, spec.count)
        confidences = [draw.uniform(55.0, 100.0) for _ in cuts]
        spans: list[Span] = shots_between(cuts, frames, confidences) if spec.count else []
        if spec.count:
            spans += _cues(draw, rate, frames, profile.duration_ms)
        elements: list[dict[str, Any]] = segment_elements(spans, rate, spec.start_params)
        super().__init__(elements, profile, SEGMENT_ORDER)
