"""Pluggable analyzers: what produces a job's results, one per Start operation.

The synthetic analyzer (the default) invents plausible detections from a seed; real analyzers
(`emulator.vision.analyzers`) decode the stored video and look at it. Both answer the same request
and return an `ElementSource` the Get operations page through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from emulator.results import ElementSource
from emulator.synthetic import Synthesis
from emulator.video import VideoProfile

ProgressReport = Callable[[float], None]


class AnalysisError(Exception):
    """The analysis ran and could not succeed: the job ends FAILED with this message."""


@dataclass(frozen=True, slots=True)
class AnalysisRequest:
    start_operation: str
    bucket: str
    key: str
    version: str | None
    params: Mapping[str, Any]
    seed: int
    detections: int  # how many synthetic detections to invent; real analyzers ignore it
    open_video: Callable[[], BinaryIO | None]
    report_progress: ProgressReport


class Analyzer(Protocol):
    # A caveat a user should hear about this analyzer's results, or None.
    note: str | None

    def admit(self, request: AnalysisRequest) -> None:
        """Raise ServiceError for a video the service refuses at Start (codec, limits, unreadable)."""

    def analyze(self, request: AnalysisRequest) -> ElementSource:
        """The job's results; raise AnalysisError when the service would fail the job."""


class SyntheticAnalyzer:
    """Seeded, deterministic detections shaped exactly like the service's, without reading the video."""

    note: str | None = None

    def __init__(self, synthesize: Callable[[Synthesis], ElementSource]) -> None:
        self._synthesize = synthesize

    def admit(self, request: AnalysisRequest) -> None:
        return None

    def analyze(self, request: AnalysisRequest) -> ElementSource:
        profile = VideoProfile.for_video(request.bucket, request.key, request.version)
        source = self._synthesize(Synthesis(request.seed, profile, request.detections, request.params))
        request.report_progress(1.0)
        return source


AnalyzerMap = Mapping[str, Analyzer]
