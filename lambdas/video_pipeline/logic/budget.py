"""A daily budget of video minutes: how much Rekognition may analyse per UTC day, in total or per analysis.

Rekognition bills stored-video analysis by the minute of video, once per analysis. The budget counts
those minutes: each job is charged its video's minutes once, when it is about to start. A job the
budget cannot afford today waits in the uploads queue exactly as a job waits for a quota slot (never
failed, never dead-lettered), and starts when the next UTC day begins or the budget is raised.

A job longer than a whole limit could never fit under it; it starts alone, as the first job of a day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from video_pipeline.analyses import Analysis
from video_pipeline.logic.shared_jobs import billed

# A video whose duration cannot be read is charged as if it were encoded at this low bit rate (1 Mbit/s):
# a cautious guess that rather over-charges. Rekognition refuses videos over 6 hours.
_GUESSED_BYTES_PER_MINUTE = 1_000_000 // 8 * 60
_LONGEST_VIDEO_MINUTES = 6 * 60


def budget_day(instant: str) -> str:
    """The UTC day (YYYY-MM-DD) a stored timestamp falls on: budgets start over at midnight UTC."""
    return instant[:10]


def video_minutes(duration_ms: int) -> float:
    """Minutes of video, to the hundredth, rounded up (Rekognition bills whole seconds at least)."""
    return math.ceil(max(0, duration_ms) / 600) / 100


def guessed_duration_ms(size: int) -> int:
    """The duration charged for a video whose duration cannot be read, from its size."""
    minutes = min(_LONGEST_VIDEO_MINUTES, max(1, math.ceil(size / _GUESSED_BYTES_PER_MINUTE)))
    return minutes * 60_000


def estimated_cost_usd(minutes: float, analyses: Iterable[Analysis]) -> float:
    """What Rekognition charges to analyse `minutes` of video with each of `analyses` (one label job
    serves labels and label-based person tracking together: `logic/shared_jobs.py`)."""
    return sum(minutes * analysis.usd_per_minute for analysis in billed(tuple(analyses)))
