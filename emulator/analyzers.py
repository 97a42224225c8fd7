"""Pluggable analyzers: what produces a job's results, one per Start operation.

The synthetic analyzer (the default) invents plausible detections from a seed; real analyzers
(`emulator.vision.analyzers`) decode the stored video and look at it. Both answer the same request
and return an `ElementSource` the Get operations page through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from emulator.errors import S3_UNREADABLE_MESSAGE
from emulator.face_collections import IndexedFace
from emulator.media import UNSUPPORTED_FORMAT_MESSAGE
from emulator.mp4 import ContainerError, read_container
from emulator.results import ElementSource
from emulator.synthetic import Synthesis
from emulator.video import VideoProfile

ProgressReport = Callable[[float], None]
_LOG = logging.getLogger("emulator")


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
    # The faces of the collection a face search job searches, as it holds them when the job runs.
    collection: tuple[IndexedFace, ...] = ()


class Analyzer(Protocol):
    # A caveat a user should hear about this analyzer's results, or None.
    note: str | None

    def admit(self, request: AnalysisRequest) -> None:
        """Raise ServiceError for a video the service refuses at Start.

        The service refuses at Start only an object it cannot read and one over its size or duration
        limits. A ServiceError with any other code (a codec or container it cannot analyse) does not
        refuse the call: the job starts and then FAILS with "Unsupported codec/format.", as in AWS.
        """

    def analyze(self, request: AnalysisRequest) -> ElementSource:
        """The job's results; raise AnalysisError when the service would fail the job."""


class SyntheticAnalyzer:
    """Seeded, deterministic detections shaped exactly like the service's, without reading the video."""

    note: str | None = None

    def __init__(self, synthesize: Callable[[Synthesis], ElementSource], note: str | None = None) -> None:
        """`note` says why a run with real analyzers still gets synthetic results for this operation."""
        self._synthesize = synthesize
        self.note = note

    def admit(self, request: AnalysisRequest) -> None:
        return None

    def analyze(self, request: AnalysisRequest) -> ElementSource:
        profile = profile_of(request)
        source = self._synthesize(
            Synthesis(request.seed, profile, request.detections, request.params, request.collection)
        )
        request.report_progress(1.0)
        return source


AnalyzerMap = Mapping[str, Analyzer]


def profile_of(request: AnalysisRequest) -> VideoProfile:
    """The video's profile from the stored file's own header; AnalysisError when the service could not
    analyse it (the job then fails with the service's message, as a real job would)."""
    stream = request.open_video()
    if stream is None:
        raise AnalysisError(S3_UNREADABLE_MESSAGE)
    try:
        with stream:
            return VideoProfile(read_container(stream))
    except ContainerError as error:
        _LOG.info("s3://%s/%s cannot be analysed: %s", request.bucket, request.key, error)
        raise AnalysisError(UNSUPPORTED_FORMAT_MESSAGE) from None
