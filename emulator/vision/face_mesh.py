"""MediaPipe's face mesh and eye contour models fitted to a face dlib found, and what their points tell:
how open the eyes and the mouth are, and whether the mouth's corners are drawn up.

The mesh model (`face_landmark.tflite`) places 468 points on a 192x192 crop of one face and says, with
a logit, whether the crop holds a face at all. Its eyelid points barely follow a closing eye, so the
eyes are measured as MediaPipe refines them: the eye contour model (`iris_landmark.tflite`) places 71
points on a 64x64 crop of each eye, cut around the mesh's eye corners. Both are Apache-2.0 (see
`attribute_models`) and run on OpenCV's DNN module. The crops are cut the way MediaPipe cuts them:
square, level, with its margins; the face's is placed from dlib's eye and nose points.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from emulator.vision.attribute_models import (
    DEFAULT_DIRECTORY,
    EYE_CONTOUR,
    FACE_MESH,
    ModelFile,
    model_path,
    verified_bytes,
)
from emulator.vision.detectors import Image

FACE_SIDE = 192
MESH_POINTS = 468
EYE_SIDE = 64
EYE_POINTS = 71
# The face crop's side in eye spans (between the eyes' centres): MediaPipe's crops hold the face with a
# margin (its detector's box, about 2.4 eye spans wide, grown by half), so the mesh sees what it was trained on.
_FACE_CROP_EYE_SPANS = 3.6
# The eye crop's side in eye widths (corner to corner), as MediaPipe's iris pipeline cuts it.
_EYE_CROP_EYE_WIDTHS = 2.3
# Below this logit the mesh model itself says the crop is more likely not a face (MediaPipe drops such meshes).
_FACE_LOGIT = 0.0

# Point numbers in MediaPipe's canonical face mesh. "Image left" is the subject's right.
_EYE_CORNERS = ((33, 133), (263, 362))  # (outer, inner): the image-left eye, then the image-right eye
_MOUTH_CORNERS = (61, 291)
_INNER_UPPER_LIP, _INNER_LOWER_LIP = 13, 14
# In the eye contour model's points: the corners, then the upper and the lower lid's middle.
_CONTOUR_CORNERS, _CONTOUR_LIDS = (0, 8), (12, 4)


@dataclass(frozen=True, slots=True)
class MeshMeasures:
    """Ratios of the models' points, so the face's size and the crops' scales drop out."""

    eye_openness: float  # the lids' gap over the eye's width, mean of both eyes (open 0.35-0.45, shut below 0.15)
    mouth_openness: float  # the inner lips' gap over the mouth's width (closed below 0.1)
    corner_lift: float  # how far the mouth's corners sit above the upper lip's middle, over the mouth's width


def _distance(points: np.ndarray, first: int, second: int) -> float:
    return float(np.linalg.norm(points[first, :2] - points[second, :2]))


def _level_square(centre: np.ndarray, towards_right: np.ndarray, side: float, output_side: int) -> np.ndarray:
    """The affine map onto an `output_side` square of `side` pixels around `centre`, `towards_right` made level."""
    angle = math.degrees(math.atan2(float(towards_right[1]), float(towards_right[0])))
    rotation = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, output_side / side)
    transform = np.asarray(rotation, dtype=np.float64)
    transform[:, 2] += output_side / 2 - centre
    return transform


def face_transform(
    landmarks: Sequence[Mapping[str, Any]], width: int, height: int, output_side: int = FACE_SIDE
) -> np.ndarray | None:
    """From the frame to a face mesh model's square input of `output_side` pixels: centred between the
    eyes and the nose, the eyes level (MediaPipe's face mesh models, V1 and V2, take the same framing)."""
    points = {mark["Type"]: np.array([mark["X"] * width, mark["Y"] * height]) for mark in landmarks}
    left_eye, right_eye, nose = points["eyeLeft"], points["eyeRight"], points["nose"]
    span = float(np.linalg.norm(right_eye - left_eye))
    if span < 1.0:
        return None
    centre = ((left_eye + right_eye) / 2 + nose) / 2
    return _level_square(centre, right_eye - left_eye, _FACE_CROP_EYE_SPANS * span, output_side)


def mouth_measures(mesh: np.ndarray) -> tuple[float, float]:
    """The mouth's openness and its corners' lift, from mesh points in a frame where the eyes are level."""
    left, right = _MOUTH_CORNERS
    width = _distance(mesh, left, right) or 1.0
    corners_y = (mesh[left, 1] + mesh[right, 1]) / 2
    lift = float(mesh[_INNER_UPPER_LIP, 1] - corners_y) / width  # image y grows downwards
    return _distance(mesh, _INNER_UPPER_LIP, _INNER_LOWER_LIP) / width, lift


def lid_gap(contour: np.ndarray) -> float:
    """The lids' gap over the eye's width, from the eye contour model's points."""
    return _distance(contour, *_CONTOUR_LIDS) / (_distance(contour, *_CONTOUR_CORNERS) or 1.0)


class FaceMesh:
    """The two models, loaded once per thread (an OpenCV network keeps per-call state)."""

    def __init__(self, directory: Path = DEFAULT_DIRECTORY) -> None:
        for model in (FACE_MESH, EYE_CONTOUR):
            model_path(model, directory)  # fails here, naming the install command, when a model is missing
        self._directory = directory
        self._local = threading.local()

    def _network(self, model: ModelFile) -> Any:
        networks: dict[str, Any] = self._local.__dict__.setdefault("networks", {})
        if model.name not in networks:
            data = np.frombuffer(verified_bytes(model, self._directory), dtype=np.uint8)
            networks[model.name] = cv2.dnn.readNetFromTFLite(data)
        return networks[model.name]

    def _run(self, model: ModelFile, crop: Image) -> dict[int, np.ndarray]:
        """The model's outputs on an RGB-in-0..1 input (as MediaPipe feeds both), keyed by their sizes."""
        network = self._network(model)
        network.setInput(cv2.dnn.blobFromImage(crop, 1 / 255.0, swapRB=True))
        return {output.size: output for output in network.forward(network.getUnconnectedOutLayersNames())}

    def face(self, image: Image, landmarks: Sequence[Mapping[str, Any]]) -> tuple[Image, np.ndarray] | None:
        """The face's crop and its mesh in the crop's pixels, or None when the model sees no face there."""
        height, width = image.shape[:2]
        transform = face_transform(landmarks, width, height)
        if transform is None:
            return None
        crop: Image = np.asarray(cv2.warpAffine(image, transform, (FACE_SIDE, FACE_SIDE)), dtype=np.uint8)
        outputs = self._run(FACE_MESH, crop)
        if float(outputs[1].ravel()[0]) < _FACE_LOGIT:  # the face flag is the one-number output
            return None
        return crop, np.asarray(outputs[3 * MESH_POINTS], dtype=np.float64).reshape(MESH_POINTS, 3)

    def eye_contour(self, face: Image, mesh: np.ndarray, eye: int) -> np.ndarray:
        """Eye `eye`'s (0: image left, 1: image right) contour points, in its level eye crop's pixels. The
        model knows image-left eyes; the other is mirrored, as MediaPipe does."""
        outer, inner = (mesh[index, :2] for index in _EYE_CORNERS[eye])
        towards_right = inner - outer if eye == 0 else outer - inner
        side = _EYE_CROP_EYE_WIDTHS * float(np.linalg.norm(inner - outer))
        transform = _level_square((outer + inner) / 2, towards_right, side, EYE_SIDE)
        crop: Image = np.asarray(cv2.warpAffine(face, transform, (EYE_SIDE, EYE_SIDE)), dtype=np.uint8)
        if eye == 1:
            crop = np.ascontiguousarray(crop[:, ::-1])
        return np.asarray(self._run(EYE_CONTOUR, crop)[3 * EYE_POINTS], dtype=np.float64).reshape(EYE_POINTS, 3)

    def measure(self, image: Image, landmarks: Sequence[Mapping[str, Any]]) -> MeshMeasures | None:
        """The face's measures, or None when the mesh model does not see a face where dlib did."""
        fitted = self.face(image, landmarks)
        if fitted is None:
            return None
        crop, mesh = fitted
        mouth_openness, corner_lift = mouth_measures(mesh)
        eyes = [lid_gap(self.eye_contour(crop, mesh, eye)) for eye in (0, 1)]
        return MeshMeasures(float(np.mean(eyes)), mouth_openness, corner_lift)
