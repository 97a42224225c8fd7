"""Real analyzers: decode the stored video, sample frames, detect, answer in the service's units.

Timestamps are the sampled frames' presentation times in milliseconds, boxes are ratios of the
frame, confidences 0-100 and VideoMetadata comes from the container. `real_analyzers()` builds the
set `make local` uses.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from emulator.analyzers import AnalysisError, AnalysisRequest, Analyzer
from emulator.catalog import CELEBRITIES, FACES, LABELS, PERSONS, by_start
from emulator.errors import S3_UNREADABLE_MESSAGE, TOO_LARGE_MESSAGE, ServiceError, invalid_parameter
from emulator.results import Element, ElementSource, ScriptedSource
from emulator.vision.celebrities import FaceGallery
from emulator.vision.decode import MediaError, MediaInfo, MediaProblem, SampledFrame, probe, sample
from emulator.vision.detectors import FaceDetector, Found, PersonDetector, quality
from emulator.vision.tracking import IouTracker

# Rekognition Video reports stored-video detections a few times per second.
DEFAULT_SAMPLE_EVERY_MS = 200
MAX_DURATION_MS = 6 * 60 * 60 * 1000

_LOG = logging.getLogger("emulator.vision")
FrameExaminer = Callable[[SampledFrame], list[Element]]


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


class VideoAnalyzer(ABC):
    """Shared by every real analyzer: admission by probing, then frame sampling with progress."""

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

    def analyze(self, request: AnalysisRequest) -> ElementSource:
        examine = self.examiner(request)
        elements: list[Element] = []
        try:
            with self._open(request) as stream:
                info = self._probe(stream)
                stream.seek(0)
                for frame in sample(stream, self.sampling.every_ms):
                    elements.extend(examine(frame))
                    if info.duration_ms > 0:
                        request.report_progress(min(1.0, frame.timestamp_ms / info.duration_ms))
        except (ServiceError, MediaError) as error:
            # Admitted at Start but unreadable now (replaced, truncated): the job fails, as in the service.
            raise AnalysisError(error.message) from None
        request.report_progress(1.0)
        return ScriptedSource(elements, info.video_metadata(), by_start(request.start_operation).sort_keys)

    @abstractmethod
    def examiner(self, request: AnalysisRequest) -> FrameExaminer:
        """A function from one sampled frame to its result elements; may keep state across frames."""


def _face_detail(frame: SampledFrame, found: Found) -> dict[str, Any]:
    return {"BoundingBox": found.box, "Confidence": found.confidence, "Quality": quality(frame.image, found.box)}


class FaceAnalyzer(VideoAnalyzer):
    """Frontal faces. Attributes (age, emotions, pose) have no offline model and are left out."""

    note: str | None = "faces: OpenCV Haar cascade; box, confidence and quality only (no attributes)"

    def __init__(self, sampling: Sampling | None = None, detector: FaceDetector | None = None) -> None:
        super().__init__(sampling)
        self._detector = detector or FaceDetector()

    def examiner(self, request: AnalysisRequest) -> FrameExaminer:
        def examine(frame: SampledFrame) -> list[Element]:
            return [
                {"Timestamp": frame.timestamp_ms, "Face": _face_detail(frame, found)}
                for found in self._detector.detect(frame.image)
            ]

        return examine


class PersonAnalyzer(VideoAnalyzer):
    """Standing people, each given a stable index by an IoU tracker over the sampled frames."""

    note: str | None = "persons: OpenCV HOG people detector with an IoU tracker"

    def __init__(self, sampling: Sampling | None = None, detector: PersonDetector | None = None) -> None:
        super().__init__(sampling)
        self._detector = detector or PersonDetector()

    def examiner(self, request: AnalysisRequest) -> FrameExaminer:
        tracker = IouTracker()

        def examine(frame: SampledFrame) -> list[Element]:
            found = self._detector.detect(frame.image)
            indexes = tracker.update([person.box for person in found])
            return [
                {"Timestamp": frame.timestamp_ms, "Person": {"Index": index, "BoundingBox": person.box}}
                for index, person in zip(indexes, found, strict=True)
            ]

        return examine


class PersonLabelAnalyzer(VideoAnalyzer):
    """Label detection as the `labels` person engine asks for it: the `Person` label, one element per
    sampled frame with every person's box as an instance (no identity: the collector tracks them)."""

    note: str | None = "labels: OpenCV HOG people detector, Person label only (other labels have no offline model)"

    def __init__(self, sampling: Sampling | None = None, detector: PersonDetector | None = None) -> None:
        super().__init__(sampling)
        self._detector = detector or PersonDetector()

    def examiner(self, request: AnalysisRequest) -> FrameExaminer:
        def examine(frame: SampledFrame) -> list[Element]:
            found = self._detector.detect(frame.image)
            if not found:
                return []
            instances = [{"BoundingBox": person.box, "Confidence": person.confidence} for person in found]
            label = {
                "Name": "Person",
                "Confidence": max(person.confidence for person in found),
                "Instances": instances,
                "Parents": [],
                "Aliases": [{"Name": "Human"}],
                "Categories": [{"Name": "Person Description"}],
            }
            return [{"Timestamp": frame.timestamp_ms, "Label": label}]

        return examine


class CelebrityAnalyzer(VideoAnalyzer):
    """Known faces from a configured gallery; without one, a valid empty result."""

    def __init__(
        self, sampling: Sampling | None = None, gallery: FaceGallery | None = None, detector: FaceDetector | None = None
    ) -> None:
        super().__init__(sampling)
        self._gallery = gallery
        self._detector = detector or FaceDetector()
        if gallery is None:
            self.note = "celebrities: no offline model; empty results unless a gallery of known faces is configured"
        else:
            self.note = f"celebrities: matched against a gallery of {len(gallery.known)} known face(s)"

    def analyze(self, request: AnalysisRequest) -> ElementSource:
        if self._gallery is None:
            _LOG.warning("%s (s3://%s/%s)", self.note, request.bucket, request.key)
        return super().analyze(request)

    def examiner(self, request: AnalysisRequest) -> FrameExaminer:
        gallery = self._gallery

        def examine(frame: SampledFrame) -> list[Element]:
            if gallery is None:
                return []
            elements: list[Element] = []
            height, width = frame.image.shape[:2]
            for found in self._detector.detect(frame.image):
                box = found.box
                top, left = int(box["Top"] * height), int(box["Left"] * width)
                crop = frame.image[top : top + int(box["Height"] * height), left : left + int(box["Width"] * width)]
                match = gallery.match(crop)
                if match is None:
                    continue
                known, score = match
                celebrity = {
                    "Urls": [],
                    "Name": known.name,
                    "Id": known.id,
                    "Confidence": round(score * 100, 3),
                    "BoundingBox": box,
                    "Face": _face_detail(frame, found),
                }
                elements.append({"Timestamp": frame.timestamp_ms, "Celebrity": celebrity})
            return elements

        return examine


def real_analyzers(sampling: Sampling | None = None, gallery: Path | None = None) -> Mapping[str, Analyzer]:
    """Real analyzers for faces, people (tracked, or as Person labels) and celebrities, by Start operation."""
    faces = FaceDetector()
    known = FaceGallery.from_directory(gallery, faces) if gallery is not None else None
    return {
        FACES.start_operation: FaceAnalyzer(sampling, faces),
        PERSONS.start_operation: PersonAnalyzer(sampling),
        LABELS.start_operation: PersonLabelAnalyzer(sampling),
        CELEBRITIES.start_operation: CelebrityAnalyzer(sampling, known, faces),
    }


def analyze_file(
    analyzer: VideoAnalyzer, operation: str, path: Path, report_progress: Callable[[float], None] | None = None
) -> list[Element]:
    """Run one analyzer on a local file, outside any job (accuracy checks, benchmarks)."""
    request = AnalysisRequest(
        start_operation=operation,
        bucket="local",
        key=path.name,
        version=None,
        params={},
        seed=0,
        detections=0,
        open_video=lambda: path.open("rb"),
        report_progress=report_progress or (lambda _fraction: None),
    )
    source = analyzer.analyze(request)
    return [source.element(index, {}) for index in range(source.count)]
