"""Real analyzers: decode the stored video, sample frames, detect, answer in the service's units.

Timestamps are the sampled frames' presentation times in milliseconds, boxes are ratios of the
frame, confidences 0-100 and VideoMetadata comes from the container. `real_analyzers()` builds the
set `make local` uses.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from emulator.analyzers import AnalysisError, AnalysisRequest, Analyzer, SyntheticAnalyzer
from emulator.catalog import CELEBRITIES, FACE_SEARCH, FACES, LABELS, MODERATION, PERSONS, SEGMENTS, TEXT, by_start
from emulator.errors import ServiceError
from emulator.results import Element, ElementSource, ScriptedSource, SortKey
from emulator.synthetic import allowed_labels
from emulator.vision.admission import ProbingAnalyzer, Sampling
from emulator.vision.celebrities import FaceGallery
from emulator.vision.decode import MediaError
from emulator.vision.detectors import PersonDetector
from emulator.vision.examination import Examiner, FaceFinding, FrameFindings, Looks, fingerprint
from emulator.vision.face_search import DetectedFaceFinder, FaceSearchAnalyzer
from emulator.vision.faces import DlibFound, FaceDetector
from emulator.vision.shots import SegmentAnalyzer
from emulator.vision.text import TEXT_SAMPLE_EVERY_MS, TextAnalyzer

PERSON_LABEL = "Person"
DEFAULT_LABEL_CONFIDENCE = 50.0  # StartLabelDetection's default MinConfidence

# Sampling stays part of this module's interface: callers build real_analyzers(Sampling(...)) from here.
__all__ = [
    "MODERATION_NOTE",
    "CelebrityAnalyzer",
    "FaceAnalyzer",
    "PersonAnalyzer",
    "PersonLabelAnalyzer",
    "Sampling",
    "VideoAnalyzer",
    "analyze_file",
    "real_analyzers",
]


class VideoAnalyzer(ProbingAnalyzer, ABC):
    """Shared by the analyzers that read sampled frames: the shared examination of the video."""

    def __init__(self, sampling: Sampling | None = None, examiner: Examiner | None = None) -> None:
        super().__init__(sampling)
        self.examiner = examiner or Examiner(self.sampling.every_ms, self.looks)

    # What this analyzer needs the examination to look for, when it has an examiner of its own.
    looks = Looks()

    def analyze(self, request: AnalysisRequest) -> ElementSource:
        try:
            with self._open(request) as stream:
                self._probe(stream)
                identity = request.version or fingerprint(stream)
            key = (request.bucket, request.key, identity)
            examination = self.examiner.examine(key, lambda: self._open(request), request.report_progress)
        except (ServiceError, MediaError) as error:
            # Admitted at Start but unreadable now (replaced, truncated): the job fails, as in the service.
            raise AnalysisError(error.message) from None
        elements = [element for frame in examination.frames for element in self.elements(frame, request.params)]
        request.report_progress(1.0)
        return ScriptedSource(elements, examination.info.video_metadata(), by_start(request.start_operation).sort_keys)

    @abstractmethod
    def elements(self, frame: FrameFindings, params: Mapping[str, Any]) -> list[Element]:
        """This analysis's result elements for one examined frame, for a job started with `params`."""


def _face_detail(finding: FaceFinding, *, all_attributes: bool = False) -> dict[str, Any]:
    detail: dict[str, Any] = {"BoundingBox": finding.found.box, "Confidence": finding.found.confidence}
    if isinstance(finding.found, DlibFound):
        detail["Landmarks"] = finding.found.geometry.landmarks
        detail["Pose"] = finding.found.geometry.pose
    detail["Quality"] = finding.quality
    if all_attributes:
        detail.update(finding.attributes)
    return detail


class FaceAnalyzer(VideoAnalyzer):
    """Frontal faces; with `FaceAttributes=ALL`, the attributes MediaPipe's face models and the pixels
    can tell, and a stated unknown for the rest (emulator/vision/attributes.py)."""

    note: str | None = (
        "faces: dlib HOG and CenterFace detectors; box, confidence, landmarks and pose (estimated from 5 points), "
        "quality; "
        "with FaceAttributes=ALL, the service's thirty landmarks (MediaPipe's face mesh, else a frontal template), "
        "age range and gender from CC0 networks, eyes open, mouth open, smile and the "
        "emotions from MediaPipe's face mesh and blendshape models (emotions by rules on its coefficients), "
        "glasses and facial hair estimated from pixels"
    )
    looks = Looks(faces=True, persons=False)

    def __init__(
        self, sampling: Sampling | None = None, detector: FaceDetector | None = None, examiner: Examiner | None = None
    ) -> None:
        sampling = sampling or Sampling()
        super().__init__(sampling, examiner or Examiner(sampling.every_ms, self.looks, faces=detector))

    def elements(self, frame: FrameFindings, params: Mapping[str, Any]) -> list[Element]:
        all_attributes = params.get("FaceAttributes", "DEFAULT") == "ALL"
        return [
            {"Timestamp": frame.timestamp_ms, "Face": _face_detail(face, all_attributes=all_attributes)}
            for face in frame.faces
        ]


class _SeesPersons(VideoAnalyzer):
    """An analyzer that looks for people only (the examiner then runs no face detector)."""

    looks = Looks(faces=False, persons=True)

    def __init__(
        self, sampling: Sampling | None = None, detector: PersonDetector | None = None, examiner: Examiner | None = None
    ) -> None:
        sampling = sampling or Sampling()
        super().__init__(sampling, examiner or Examiner(sampling.every_ms, self.looks, persons=detector))


class PersonAnalyzer(_SeesPersons):
    """People, each given a stable index by an IoU tracker; only tracks that persist and move count."""

    note: str | None = "persons: OpenCV HOG and BlazePose person detectors, kept when a track persists and moves"

    def elements(self, frame: FrameFindings, params: Mapping[str, Any]) -> list[Element]:
        return [
            {"Timestamp": frame.timestamp_ms, "Person": {"Index": person.index, "BoundingBox": person.found.box}}
            for person in frame.persons
        ]


class PersonLabelAnalyzer(_SeesPersons):
    """Label detection as the `labels` person engine asks for it: the `Person` label, one element per
    sampled frame with every person's box as an instance (no identity: the collector tracks them)."""

    note: str | None = (
        "labels: OpenCV HOG and BlazePose person detectors, Person label only, kept when it persists and moves "
        "(other labels have no offline model)"
    )

    def analyze(self, request: AnalysisRequest) -> ElementSource:
        return LabelSpans(super().analyze(request), self.sampling.every_ms)

    def elements(self, frame: FrameFindings, params: Mapping[str, Any]) -> list[Element]:
        # The Start call's label filters and minimum confidence (50 by default) apply as in the service.
        if PERSON_LABEL not in {label.name for label in allowed_labels(params)}:
            return []
        minimum = float(params.get("MinConfidence", DEFAULT_LABEL_CONFIDENCE))
        found = [person.found for person in frame.persons if person.found.confidence >= minimum]
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


class LabelSpans(ElementSource):
    """Label elements that, asked for `AggregateBy=SEGMENTS`, report each sampled instant as a span to
    the next sample (Start/End/DurationMillis) without instances, as the synthetic labels do."""

    natural_sort = None

    def __init__(self, found: ElementSource, every_ms: int) -> None:
        self._found = found
        self._every_ms = every_ms
        self._end_ms = int(found.video_metadata().get("DurationMillis") or 0)

    @property
    def count(self) -> int:
        return self._found.count

    def element(self, index: int, options: Mapping[str, str]) -> Element:
        element = self._found.element(index, options)
        if options.get("AggregateBy") == "SEGMENTS":
            start = int(element["Timestamp"])
            end = max(start + 1, min(start + self._every_ms, self._end_ms or start + self._every_ms))
            element["Label"]["Instances"] = []
            element.update(StartTimestampMillis=start, EndTimestampMillis=end, DurationMillis=end - start)
        return element

    def sort_key(self, index: int, sort_by: str) -> SortKey:
        return self._found.sort_key(index, sort_by)

    def video_metadata(self) -> dict[str, Any]:
        return self._found.video_metadata()


class CelebrityAnalyzer(VideoAnalyzer):
    """Known faces from a configured gallery; without one, a valid empty result."""

    looks = Looks(faces=True, persons=False)

    def __init__(
        self,
        sampling: Sampling | None = None,
        gallery: FaceGallery | None = None,
        detector: FaceDetector | None = None,
        examiner: Examiner | None = None,
    ) -> None:
        sampling = sampling or Sampling()
        own = examiner or Examiner(sampling.every_ms, self.looks, faces=detector, gallery=gallery)
        super().__init__(sampling, own)
        self._gallery = gallery
        # Said once, in the run's notes: not once per video (the local run prints the notes at the end).
        if gallery is None:
            self.note = "celebrities: no offline model; empty results unless a gallery of known faces is configured"
        else:
            self.note = f"celebrities: matched against a gallery of {len(gallery.known)} known face(s)"

    def elements(self, frame: FrameFindings, params: Mapping[str, Any]) -> list[Element]:
        elements: list[Element] = []
        for face in frame.faces:
            if self._gallery is None or face.celebrity is None:
                continue
            known, score = face.celebrity
            celebrity = {
                "Urls": [],
                "Name": known.name,
                "Id": known.id,
                "Confidence": round(score * 100, 3),
                "BoundingBox": face.found.box,
                "Face": _face_detail(face),
                # The service reports the celebrity's published gender; a gallery picture publishes none.
                "KnownGender": {"Type": "Unlisted"},
            }
            elements.append({"Timestamp": frame.timestamp_ms, "Celebrity": celebrity})
        return elements


MODERATION_NOTE = (
    "moderation: synthetic labels from a mild part of the taxonomy (no offline moderation model with a "
    "permissive licence); they say nothing about the video's content"
)


def real_analyzers(sampling: Sampling | None = None, gallery: Path | None = None) -> Mapping[str, Analyzer]:
    """Real analyzers for faces, people (tracked, or as Person labels) and celebrities, by Start operation,
    sharing one examination per video: each video is decoded and looked at once for all of them, its
    frames examined by a process per core."""
    sampling = sampling or Sampling()
    faces = FaceDetector()
    known = FaceGallery.from_directory(gallery, faces) if gallery is not None else None
    shared = Examiner(sampling.every_ms, Looks(faces=True, persons=True), gallery=known, processes=True)
    return {
        FACES.start_operation: FaceAnalyzer(sampling, examiner=shared),
        PERSONS.start_operation: PersonAnalyzer(sampling, examiner=shared),
        LABELS.start_operation: PersonLabelAnalyzer(sampling, examiner=shared),
        CELEBRITIES.start_operation: CelebrityAnalyzer(sampling, known, examiner=shared),
        # Shots and black frames need every frame, not the shared samples: a pass of its own, at low resolution.
        SEGMENTS.start_operation: SegmentAnalyzer(sampling),
        MODERATION.start_operation: SyntheticAnalyzer(MODERATION.synthesize, MODERATION_NOTE),
        FACE_SEARCH.start_operation: FaceSearchAnalyzer(sampling, DetectedFaceFinder(faces)),
        # OCR costs about a second a frame: text, which stays on screen, is read at most once a second.
        TEXT.start_operation: TextAnalyzer(
            Sampling(max(sampling.every_ms, TEXT_SAMPLE_EVERY_MS), sampling.max_duration_ms)
        ),
    }


def analyze_file(
    analyzer: Analyzer,
    operation: str,
    path: Path,
    report_progress: Callable[[float], None] | None = None,
    params: Mapping[str, Any] | None = None,
) -> list[Element]:
    """Run one analyzer on a local file, outside any job (accuracy checks, benchmarks), as Start with `params`."""
    request = AnalysisRequest(
        start_operation=operation,
        bucket="local",
        key=path.name,
        version=None,
        params=params or {},
        seed=0,
        detections=0,
        open_video=lambda: path.open("rb"),
        report_progress=report_progress or (lambda _fraction: None),
    )
    source = analyzer.analyze(request)
    return [source.element(index, {}) for index in range(source.count)]
