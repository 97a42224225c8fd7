"""SMPTE timecodes as GetSegmentDetection writes them: HH:MM:SS:FF, or HH:MM:SS;FF at drop-frame rates.

NTSC rates (30000/1001 and 60000/1001 frames per second) count frames with drop-frame timecode: frame
numbers 0 and 1 (0 to 3 at 59.94) are skipped at the start of every minute except every tenth, so that
the timecode keeps pace with the wall clock. Every other rate counts frames at its rounded rate.
"""

from __future__ import annotations

from dataclasses import dataclass

# Frame numbers dropped per minute, by nominal rate, for the NTSC rates that drop frames.
_DROPPED_PER_MINUTE = {30: 2, 60: 4}
_NTSC_FACTOR = 1001 / 1000


@dataclass(frozen=True, slots=True)
class FrameRate:
    fps: float

    def __post_init__(self) -> None:
        if not self.fps > 0:
            raise ValueError(f"a frame rate must be positive, not {self.fps}")

    @property
    def drop_frame(self) -> bool:
        """Whether this is an NTSC rate (29.97, 59.94) counted in drop-frame timecode."""
        nominal = self.fps * _NTSC_FACTOR
        return round(nominal) in _DROPPED_PER_MINUTE and abs(nominal - round(nominal)) < 0.01

    @property
    def nominal(self) -> int:
        """The frames counted per timecode second: 30 for 29.97."""
        return max(1, round(self.fps * _NTSC_FACTOR) if self.drop_frame else round(self.fps))

    def millis(self, frame: int) -> int:
        """When frame `frame` (from 0) starts, in milliseconds, rounded down as the service does."""
        return int(frame * 1000 // self.fps)

    def frame_at(self, millis: float) -> int:
        """The frame shown at `millis`."""
        return max(0, int(millis * self.fps / 1000 + 1e-6))

    def timecode(self, frame: int) -> str:
        """The SMPTE timecode of frame number `frame`, counted from 00:00:00:00."""
        if frame < 0:
            raise ValueError(f"frame numbers start at 0, not {frame}")
        nominal = self.nominal
        separator = ":"
        if self.drop_frame:
            separator = ";"
            frame = _with_dropped_numbers(frame, nominal)
        seconds, frames = divmod(frame, nominal)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{frames:02d}"


def _with_dropped_numbers(frame: int, nominal: int) -> int:
    """The frame count plus the frame numbers drop-frame timecode skipped before it."""
    dropped = _DROPPED_PER_MINUTE[nominal]
    per_minute = nominal * 60 - dropped
    per_ten_minutes = nominal * 600 - 9 * dropped
    tens, rest = divmod(frame, per_ten_minutes)
    skipped = 9 * dropped * tens
    if rest > dropped:
        skipped += dropped * ((rest - dropped) // per_minute)
    return frame + skipped
