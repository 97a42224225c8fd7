"""Per-video properties and the sampling timeline detections are placed on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.draw import Draw, seed_of

_FRAME_RATES = (24.0, 25.0, 29.97, 30.0)
_RESOLUTIONS = ((1920, 1080), (1280, 720), (3840, 2160))
# Rekognition Video reports detections roughly five times per second at most.
_MAX_SAMPLES_PER_SECOND = 5


@dataclass(frozen=True, slots=True)
class VideoProfile:
    fps: float
    width: int
    height: int
    base_duration_ms: int

    @classmethod
    def for_video(cls, bucket: str, key: str, version: str | None) -> VideoProfile:
        # Seeded by the object alone, so every analysis of one video reports the same metadata.
        draw = Draw(seed_of(bucket, key, version), 0x71DE0)
        width, height = draw.choice(_RESOLUTIONS)
        return cls(
            fps=draw.choice(_FRAME_RATES),
            width=width,
            height=height,
            base_duration_ms=draw.integer(20_000, 180_000),
        )

    @property
    def frame_ms(self) -> int:
        return int(1000 / self.fps) + 1

    def metadata(self, duration_ms: int) -> dict[str, Any]:
        return {
            "Codec": "h264",
            "DurationMillis": duration_ms,
            "Format": "QuickTime / MOV",
            "FrameRate": self.fps,
            "FrameHeight": self.height,
            "FrameWidth": self.width,
            "ColorRange": "LIMITED",
        }


@dataclass(frozen=True, slots=True)
class Timeline:
    """`samples` frame-aligned instants spread over the video, stretching it if they do not fit."""

    profile: VideoProfile
    samples: int

    @property
    def frames_between_samples(self) -> int:
        minimum = max(1, round(self.profile.fps / _MAX_SAMPLES_PER_SECOND))
        base_frames = int(self.profile.base_duration_ms * self.profile.fps / 1000)
        return max(minimum, base_frames // max(self.samples, 1))

    def timestamp(self, sample: int) -> int:
        return int(sample * self.frames_between_samples * 1000 / self.profile.fps)

    @property
    def duration_ms(self) -> int:
        if self.samples == 0:
            return self.profile.base_duration_ms
        return max(self.profile.base_duration_ms, self.timestamp(self.samples - 1) + self.profile.frame_ms)
