"""Admission shared by every real analyzer: the video is probed before its job starts.

The service refuses at Start an object it cannot read and one longer than its limit; a container or
codec it cannot analyse starts a job that then fails (emulator/analyzers.py, `Analyzer.admit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from emulator.analyzers import AnalysisRequest
from emulator.errors import S3_UNREADABLE_MESSAGE, TOO_LARGE_MESSAGE, ServiceError, invalid_parameter
from emulator.vision.decode import MediaError, MediaInfo, MediaProblem, probe

# Rekognition Video reports stored-video detections a few times per second.
DEFAULT_SAMPLE_EVERY_MS = 200
MAX_DURATION_MS = 6 * 60 * 60 * 1000


def media_rejection(error: MediaError) -> ServiceError:
    """The Start error the service answers a video it cannot read, or will not analyse, with."""
    if error.problem is MediaProblem.UNSUPPORTED:
        return invalid_parameter(f"Unsupported codec/format: {error.message}")
    return ServiceError("InvalidS3ObjectException", f"Unable to process the video: {error.message}")


@dataclass(frozen=True, slots=True)
class Sampling:
    """How often frames are analysed, and the longest video accepted."""

    every_ms: int = DEFAULT_SAMPLE_EVERY_MS
    max_duration_ms: int = MAX_DURATION_MS

    def __post_init__(self) -> None:
        if self.every_ms <= 0:
            raise ValueError("frames must be sampled at a positive interval")


class ProbingAnalyzer:
    """Admission by probing the stored video: readable, H.264 in MP4 or MOV, within the duration limit."""

    note: str | None = None

    def __init__(self, sampling: Sampling | None = None) -> None:
        self.sampling = sampling or Sampling()

    def _open(self, request: AnalysisRequest) -> BinaryIO:
        stream = request.open_video()
        if stream is None:
            raise ServiceError("InvalidS3ObjectException", S3_UNREADABLE_MESSAGE)
        return stream

    def _probe(self, stream: BinaryIO) -> MediaInfo:
        try:
            info = probe(stream)
        except MediaError as error:
            raise media_rejection(error) from None
        if info.duration_ms > self.sampling.max_duration_ms:
            raise ServiceError("VideoTooLargeException", TOO_LARGE_MESSAGE)
        return info

    def admit(self, request: AnalysisRequest) -> None:
        with self._open(request) as stream:
            self._probe(stream)
