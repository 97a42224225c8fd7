"""A daily budget of video minutes: how much Rekognition may analyse per UTC day, in total or per analysis.

Rekognition bills stored-video analysis by the minute of video, once per analysis. The budget counts
those minutes: each job is charged its video's minutes once, when it is about to start. A job the
budget cannot afford today waits in the uploads queue exactly as a job waits for a quota slot (never
failed, never dead-lettered), and starts when the next UTC day begins or the budget is raised.

A job longer than a whole limit could never fit under it; it starts alone, as the first job of a day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from video_pipeline.analyses import Analysis, by_name

# The key of the limit that counts every analysis together.
TOTAL = "total"
# A video whose duration cannot be read is charged as if it were encoded at this low bit rate (1 Mbit/s):
# a cautious guess that rather over-charges. Rekognition refuses videos over 6 hours.
_GUESSED_BYTES_PER_MINUTE = 1_000_000 // 8 * 60
_LONGEST_VIDEO_MINUTES = 6 * 60


class BudgetSpecError(ValueError):
    """A budget setting that cannot be read; the message says what to write instead."""


@dataclass(frozen=True, slots=True)
class DailyBudget:
    """Limits in minutes per UTC day: `TOTAL` for every analysis together, or an analysis' name."""

    limits: Mapping[str, float] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.limits)

    def limits_for(self, analysis: str) -> dict[str, float]:
        """The limits a job of `analysis` is counted against (total and its own, where set)."""
        return {name: limit for name, limit in self.limits.items() if name in (TOTAL, analysis)}


def parse_budget(text: str) -> DailyBudget:
    """`600` (600 minutes a day in total), or `faces=300,persons=200,total=600`; empty means no budget."""
    text = text.strip()
    if not text:
        return DailyBudget()
    limits: dict[str, float] = {}
    for part in (piece.strip() for piece in text.split(",")):
        name, _, value = part.rpartition("=")
        name = name.strip() or TOTAL
        if name != TOTAL:
            try:
                by_name(name)
            except ValueError as error:
                raise BudgetSpecError(f"daily budget {text!r}: {error}") from None
        try:
            minutes = float(value)
        except ValueError:
            raise BudgetSpecError(
                f"daily budget {text!r}: {value.strip()!r} is not a number of minutes "
                "(write e.g. 600, or faces=300,total=600)"
            ) from None
        if not math.isfinite(minutes) or minutes <= 0:
            raise BudgetSpecError(f"daily budget {text!r}: {name} must be a positive number of minutes")
        if name in limits:
            raise BudgetSpecError(f"daily budget {text!r}: {name} is given twice")
        limits[name] = minutes
    return DailyBudget(limits)


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
    """What Rekognition charges to analyse `minutes` of video with each of `analyses`."""
    return sum(minutes * analysis.usd_per_minute for analysis in analyses)
