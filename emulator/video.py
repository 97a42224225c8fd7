"""Per-video properties, read from the file, and the sampling timeline detections are placed on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.mp4 import ContainerFacts

# Rekognition Video reports detections roughly five times per second at most.
_MAX_SAMPLES_PER_SECOND = 5


@dataclass(frozen=True, slots=True)
class VideoProfile:
    """What the analyzed file is: its container facts, the service's VideoMetadata."""

    facts: ContainerFacts

    @property
    def fps(self) -> float:
        return self.facts.frame_rate if self.facts.frame_rate > 0 else 30.0

    @property
    def duration_ms(self) -> int:
        return self.facts.duration_ms

    @property
    def frames(self) -> int:
        return max(1, int(self.duration_ms * self.fps / 1000))

    def metadata(self) -> dict[str, Any]:
        return self.facts.video_metadata()


@dataclass(frozen=True, slots=True)
class Timeline:
    """`samples` frame-aligned instants spread over the video, all before its end.

    Samples are spaced evenly, no closer than the service's rate allows while they fit; more samples
    than that crowd closer, down to one per frame. `fitting` caps a count at one sample per frame.
    """

    profile: VideoProfile
    samples: int

    @staticmethod
    def fitting(profile: VideoProfile, samples: int) -> int:
        return min(samples, profile.frames)

    @property
    def frames_between_samples(self) -> int:
        return max(1, self.profile.frames // max(self.samples, 1))

    @property
    def sample_spacing_floor(self) -> int:
        """The spacing the service's sampling rate asks for, in frames."""
        return max(1, round(self.profile.fps / _MAX_SAMPLES_PER_SECOND))

    def timestamp(self, sample: int) -> int:
        return int(sample * self.frames_between_samples * 1000 / self.profile.fps)

    @property
    def duration_ms(self) -> int:
        return self.profile.duration_ms
