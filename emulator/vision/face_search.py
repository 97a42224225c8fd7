"""Real face search: faces found by dlib's HOG detector and compared by the celebrity gallery's descriptor.

There is no offline face-recognition model under a permissive licence among the registry packages
(the celebrity gallery says the same), so a face is compared by the gradient-orientation descriptor of
`emulator.vision.celebrities.face_template`: its cosine similarity, times 100, is the `Similarity`. It
tells apart the clearly different and matches the same face seen again at a similar pose and scale; it
is no identity model, and `FaceMatchThreshold` values tuned on Rekognition do not carry over (the
celebrity gallery matches at 60).

`DetectedFaceFinder` serves IndexFaces and SearchFacesByImage; `FaceSearchAnalyzer` carries the same
finder as `face_finder`, which the emulator's collections then use, so that faces indexed from
pictures and faces seen in videos are described alike.
"""

from __future__ import annotations

import threading
from typing import Any

import cv2
import numpy as np

from emulator.analyzers import AnalysisError, AnalysisRequest
from emulator.catalog import FACE_SEARCH
from emulator.errors import ServiceError
from emulator.face_collections import DEFAULT_FACE_MATCH_THRESHOLD, FoundFace, IndexedFace, similar_faces
from emulator.results import ElementSource, ScriptedSource
from emulator.vision.admission import ProbingAnalyzer, Sampling
from emulator.vision.celebrities import face_template
from emulator.vision.decode import MediaError, sample
from emulator.vision.detectors import Found, Image, quality
from emulator.vision.examination import FACE_WIDTH
from emulator.vision.faces import DlibFound, FaceDetector


def _crop(image: Image, box: dict[str, float]) -> Image:
    height, width = image.shape[:2]
    top, left = int(box["Top"] * height), int(box["Left"] * width)
    return image[top : top + max(1, int(box["Height"] * height)), left : left + max(1, int(box["Width"] * width))]


def _person_box(face: dict[str, float]) -> dict[str, float]:
    """A standing person around a face: about 2.5 faces wide and 7 faces tall, within the frame."""
    width = min(1.0, face["Width"] * 2.5)
    height = min(1.0, face["Height"] * 7)
    left = min(1.0 - width, max(0.0, face["Left"] + face["Width"] / 2 - width / 2))
    top = min(1.0 - height, max(0.0, face["Top"] - face["Height"] * 0.2))
    return {"Width": round(width, 6), "Height": round(height, 6), "Left": round(left, 6), "Top": round(top, 6)}


def _measured(image: Image, face: Found) -> dict[str, Any]:
    """The members of a face the service reports beside its box (GetFaceSearch's Person.Face)."""
    measured: dict[str, Any] = {}
    if isinstance(face, DlibFound):
        measured["Landmarks"] = face.geometry.landmarks
        measured["Pose"] = face.geometry.pose
    measured["Quality"] = quality(image, face.box)
    return measured


class DetectedFaceFinder:
    """Faces in pictures by dlib's HOG detector, described by the gallery's gradient descriptor."""

    note: str | None = (
        "face search: dlib HOG faces compared by a gradient descriptor (cosine x 100), not an identity model"
    )

    def __init__(self, detector: FaceDetector | None = None) -> None:
        self._detector = detector or FaceDetector()
        self._lock = threading.Lock()  # dlib's detector is not shared across threads

    def faces_in(self, image: Image) -> list[FoundFace]:
        with self._lock:
            found = self._detector.detect(image)
        found.sort(key=lambda face: -face.box["Width"] * face.box["Height"])
        return [
            FoundFace(
                face.box,
                round(face.confidence, 4),
                face_template(_crop(image, face.box)).tobytes(),
                _measured(image, face),
            )
            for face in found
            if _crop(image, face.box).size
        ]

    def find(self, image: bytes) -> list[FoundFace]:
        decoded = cv2.imdecode(np.frombuffer(image, dtype=np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            raise ServiceError("InvalidImageFormatException", "Request has invalid image format")
        return self.faces_in(np.asarray(decoded, dtype=np.uint8))

    def similarity(self, one: bytes, other: bytes) -> float:
        if len(one) != len(other):
            return 0.0
        cosine = float(np.dot(np.frombuffer(one, dtype=np.float32), np.frombuffer(other, dtype=np.float32)))
        return round(min(100.0, max(0.0, cosine * 100)), 4)


class FaceSearchAnalyzer(ProbingAnalyzer):
    """StartFaceSearch on sampled frames: every face matching the collection's, persons indexed by who
    they match (the best match's ExternalImageId, or FaceId), in order of first appearance."""

    def __init__(self, sampling: Sampling | None = None, finder: DetectedFaceFinder | None = None) -> None:
        super().__init__(sampling)
        self.face_finder = finder or DetectedFaceFinder()
        self.note = self.face_finder.note

    def analyze(self, request: AnalysisRequest) -> ElementSource:
        threshold = float(request.params.get("FaceMatchThreshold", DEFAULT_FACE_MATCH_THRESHOLD))
        indexes: dict[str, int] = {}
        elements: list[dict[str, Any]] = []
        try:
            with self._open(request) as stream:
                info = self._probe(stream)
                stream.seek(0)
                for frame in sample(stream, self.sampling.every_ms, FACE_WIDTH):
                    for face in self.face_finder.faces_in(frame.image):
                        element = self._match(face, request.collection, threshold, indexes)
                        if element is not None:
                            elements.append({"Timestamp": frame.timestamp_ms, **element})
                    if info.duration_ms:
                        request.report_progress(min(0.99, frame.timestamp_ms / info.duration_ms))
        except (ServiceError, MediaError) as error:
            raise AnalysisError(error.message) from None
        request.report_progress(1.0)
        return ScriptedSource(elements, info.video_metadata(), FACE_SEARCH.sort_keys)

    def _match(
        self, face: FoundFace, collection: tuple[IndexedFace, ...], threshold: float, indexes: dict[str, int]
    ) -> dict[str, Any] | None:
        matches = similar_faces(self.face_finder, face.signature, collection, threshold)
        if not matches:
            return None  # the service returns only persons whose face matched
        best = matches[0][0]
        index = indexes.setdefault(best.external_image_id or best.face_id, len(indexes))
        person = {
            "Index": index,
            "BoundingBox": _person_box(face.box),
            "Face": {"BoundingBox": face.box, "Confidence": face.confidence, **face.measured},
        }
        return {
            "Person": person,
            "FaceMatches": [{"Similarity": similarity, "Face": indexed.face()} for indexed, similarity in matches],
        }
