"""Bundled detectors, answering in Rekognition's units: ratio boxes and 0-100 confidences.

Faces: dlib's HOG detector (emulator/vision/faces.py); people: OpenCV's HOG people detector.

opencv-python-headless 4.x is pinned on purpose: 5.0 moved the Haar cascade classifier and the HOG
people detector out of the main modules, and they are the only detectors whose models ship inside
the wheel.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

Image = NDArray[np.uint8]

_FACE_CASCADE = "haarcascade_frontalface_default.xml"
# The HOG detector's 64x128 window (INRIA pedestrians) frames a person with margins: the body takes
# about the middle half of its width and 3/4 of its height, starting 1/8 from the top.
_PERSON_IN_WINDOW = (0.25, 0.125, 0.5, 0.75)
_MIN_PERSON_SCORE = 0.3


@dataclass(frozen=True, slots=True)
class Found:
    box: dict[str, float]  # Left, Top, Width, Height as ratios of the frame
    confidence: float  # 0-100


def _logistic_percent(score: float, gain: float) -> float:
    """Map a detector's unbounded score onto 50-100: 0 is a coin toss, large is near certain."""
    return round(100.0 / (1.0 + math.exp(-gain * max(0.0, score))), 3)


def ratio_box(left: float, top: float, width: float, height: float, frame: Image) -> dict[str, float]:
    frame_height, frame_width = frame.shape[:2]
    right = min(float(frame_width), left + width)
    bottom = min(float(frame_height), top + height)
    left, top = max(0.0, left), max(0.0, top)
    return {
        "Width": round((right - left) / frame_width, 6),
        "Height": round((bottom - top) / frame_height, 6),
        "Left": round(left / frame_width, 6),
        "Top": round(top / frame_height, 6),
    }


def gray(frame: Image) -> Image:
    return np.asarray(cv2.equalizeHist(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)), dtype=np.uint8)


class HaarFaceDetector:
    """Frontal faces with OpenCV's Haar cascade (the earlier detector, kept for comparison in benchmarks)."""

    def __init__(self, min_size_ratio: float = 0.05) -> None:
        self._min_size_ratio = min_size_ratio
        self._local = threading.local()  # CascadeClassifier is not safe to share between threads

    def _cascade(self) -> Any:
        cascade = getattr(self._local, "cascade", None)
        if cascade is None:
            cascade = cv2.CascadeClassifier(cv2.data.haarcascades + _FACE_CASCADE)  # type: ignore[attr-defined]
            if cascade.empty():
                raise RuntimeError(f"OpenCV's {_FACE_CASCADE} could not be loaded")
            self._local.cascade = cascade
        return cascade

    def pixel_boxes(self, frame: Image) -> list[tuple[tuple[int, int, int, int], float]]:
        side = max(24, int(min(frame.shape[:2]) * self._min_size_ratio))
        boxes, _levels, weights = self._cascade().detectMultiScale3(
            gray(frame), scaleFactor=1.1, minNeighbors=5, minSize=(side, side), outputRejectLevels=True
        )
        return [(tuple(int(v) for v in box), float(weight)) for box, weight in zip(boxes, weights, strict=True)]  # type: ignore[misc]

    def detect(self, frame: Image) -> list[Found]:
        return [
            Found(ratio_box(x, y, w, h, frame), _logistic_percent(weight, 0.5))
            for (x, y, w, h), weight in self.pixel_boxes(frame)
        ]


class PersonDetector:
    """Standing people with the HOG + linear SVM detector OpenCV ships."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _hog(self) -> Any:
        hog = getattr(self._local, "hog", None)
        if hog is None:
            hog = cv2.HOGDescriptor()
            hog.setSVMDetector(np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), dtype=np.float32))
            self._local.hog = hog
        return hog

    def detect(self, frame: Image) -> list[Found]:
        boxes, weights = self._hog().detectMultiScale(frame, winStride=(8, 8), padding=(8, 8), scale=1.05)
        found: list[Found] = []
        kept = _non_max_suppression(boxes, weights)
        dx, dy, dw, dh = _PERSON_IN_WINDOW
        for index in kept:
            x, y, w, h = (float(v) for v in boxes[index])
            box = ratio_box(x + dx * w, y + dy * h, dw * w, dh * h, frame)
            found.append(Found(box, _logistic_percent(float(np.ravel(weights)[index]), 3.0)))
        return found


def _non_max_suppression(boxes: Any, weights: Any) -> list[int]:
    if len(boxes) == 0:
        return []
    scores = [float(w) for w in np.ravel(weights)]
    rects = [[int(v) for v in box] for box in boxes]
    kept = cv2.dnn.NMSBoxes(rects, scores, _MIN_PERSON_SCORE, 0.3)
    return sorted((int(i) for i in np.ravel(kept)), key=lambda i: rects[i][0])


def quality(frame: Image, box: dict[str, float]) -> dict[str, float]:
    """Brightness (mean luminance) and sharpness (Laplacian variance), both scaled to 0-100."""
    height, width = frame.shape[:2]
    left, top = int(box["Left"] * width), int(box["Top"] * height)
    crop = frame[top : top + max(1, int(box["Height"] * height)), left : left + max(1, int(box["Width"] * width))]
    luminance = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    brightness = float(luminance.mean()) / 255 * 100
    sharpness = min(100.0, float(cv2.Laplacian(luminance, cv2.CV_64F).var()) / 10)
    return {"Brightness": round(brightness, 3), "Sharpness": round(sharpness, 3)}
