"""Face attributes for `FaceAttributes=ALL`: what trained face models and the face's own pixels can
tell, and nothing more.

Age range and gender come from trained networks (Cydral Technology's age predictor and gender
classifier from dlib-models, CC0-1.0: emulator/vision/age_gender.py). Where MediaPipe's face mesh model
(emulator/vision/face_mesh.py) sees a face, its points and those of MediaPipe's eye contour model
measure how open the eyes and the mouth are and whether the mouth's corners are drawn up (Smile): rules
on trained models' landmarks, cut on one real clip, with a confidence that grows with the distance from
the cut, up to 90. The same measures give three of the eight emotions (HAPPY from the lifted corners,
SURPRISED from a wide-open mouth under open eyes, CALM from neither); the other five (SAD, ANGRY,
CONFUSED, DISGUSTED, FEAR) need brow and lip movements no rule here measures, so they keep a small
constant share and never lead. Where the mesh does not see the face (too small or blurred for it),
eyes, mouth and smile fall back to pixel rules and the emotions to "every one equally likely".
Sunglasses, dark glasses and facial hair are always photometric estimates from the face's pixels,
capped at 75. docs/emulator.md lists which is which, and the packages checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from emulator.features import EMOTIONS
from emulator.vision.age_gender import AgeGender
from emulator.vision.detectors import Image
from emulator.vision.face_mesh import FaceMesh, MeshMeasures

# Estimates never claim more than this: they are rules on pixel statistics, not trained models.
MAX_ESTIMATE_CONFIDENCE = 75.0
UNKNOWN_CONFIDENCE = 50.0
UNKNOWN_AGE_RANGE = {"Low": 18, "High": 70}
# Measures on the mesh's points claim more than pixel rules, but not certainty: the cuts below are
# rules fitted on one clip (carphone), not a classifier trained on labelled faces.
MAX_MESH_CONFIDENCE = 90.0

# Ratios of a patch's mean luminance to the cheeks' beyond which the estimate says yes.
_DARK_GLASSES = 0.45  # eyes this much darker than the cheeks: dark lenses
_OPEN_EYE_CONTRAST = 0.16  # spread of luminance across the eye line (iris and sclera) over the cheeks' mean
_OPEN_MOUTH = 0.55  # the darkest part of the mouth this much darker than the cheeks: an open mouth
_FACIAL_HAIR = 0.7  # chin (beard) or upper lip (moustache) this much darker than the cheeks

# Cuts on the models' measures (face_mesh.MeshMeasures), each with the distance from the cut at which
# the confidence reaches its cap. On the carphone clip: open eyes measure 0.35-0.45, and 0.04-0.15 once
# the eyes are painted shut; lips at rest or barely apart 0.03-0.1, talking 0.1-0.2, a wide-open mouth
# 0.3-0.55; the mouth's corners sit 0.02-0.26 mouth widths below the upper lip's middle (he never
# smiles), and 0.02 above it once a warp lifts them into a smile.
_OPEN_EYES_MESH = (0.25, 0.1)
_OPEN_MOUTH_MESH = (0.15, 0.15)
_SMILE_MESH = (0.0, 0.05)
# A surprised face: the mouth wide open (the carphone clip's wide-open mouth measures 0.3-0.55) under
# open eyes. Each measure's strength rises from 0 a scale below its cut to 1 a scale above it, so it is
# 0.5 at the cut: an emotion leads CALM exactly when its measures are past their cuts (HAPPY with Smile).
_SURPRISE_MOUTH = (0.3, 0.15)
_SURPRISE_EYES = (0.25, 0.1)
# What the five emotions no rule measures keep, each, of the confidences (which sum to 100).
NOT_MEASURED_EMOTION_CONFIDENCE = 2.0
MEASURED_EMOTIONS = ("HAPPY", "SURPRISED", "CALM")


def _flag(value: bool, margin: float) -> dict[str, Any]:
    """A yes/no estimate whose confidence grows with how far the measure is from its cut, up to the cap."""
    confidence = min(MAX_ESTIMATE_CONFIDENCE, UNKNOWN_CONFIDENCE + 100.0 * abs(margin))
    return {"Value": value, "Confidence": round(confidence, 3)}


def _mesh_flag(measure: float, cut_and_scale: tuple[float, float]) -> dict[str, Any]:
    """True above the cut; the confidence grows linearly with the distance from it, up to the cap."""
    cut, scale = cut_and_scale
    confidence = UNKNOWN_CONFIDENCE + (MAX_MESH_CONFIDENCE - UNKNOWN_CONFIDENCE) * min(1.0, abs(measure - cut) / scale)
    return {"Value": measure > cut, "Confidence": round(confidence, 3)}


def _strength(measure: float, cut_and_scale: tuple[float, float]) -> float:
    cut, scale = cut_and_scale
    return min(1.0, max(0.0, 0.5 + (measure - cut) / (2 * scale)))


def mesh_emotions(measures: MeshMeasures) -> list[dict[str, Any]]:
    """The eight emotions, HAPPY, SURPRISED and CALM weighed by the mesh's measures, the rest a constant."""
    happy = _strength(measures.corner_lift, _SMILE_MESH)
    surprised = min(
        _strength(measures.mouth_openness, _SURPRISE_MOUTH), _strength(measures.eye_openness, _SURPRISE_EYES)
    )
    weights = {"HAPPY": happy, "SURPRISED": surprised, "CALM": 1.0 - max(happy, surprised)}
    measured_share = 100.0 - NOT_MEASURED_EMOTION_CONFIDENCE * (len(EMOTIONS) - len(MEASURED_EMOTIONS))
    total = sum(weights.values()) or 1.0
    return [
        {
            "Type": name,
            "Confidence": round(
                measured_share * weights[name] / total if name in weights else NOT_MEASURED_EMOTION_CONFIDENCE, 3
            ),
        }
        for name in EMOTIONS
    ]


def _unknown_flag() -> dict[str, Any]:
    return {"Value": False, "Confidence": UNKNOWN_CONFIDENCE}


def _patch(grey: Image, centre: np.ndarray, half_width: float, half_height: float) -> Image:
    height, width = grey.shape[:2]
    left, right = int(max(0, centre[0] - half_width)), int(min(width, centre[0] + half_width + 1))
    top, bottom = int(max(0, centre[1] - half_height)), int(min(height, centre[1] + half_height + 1))
    return grey[top:bottom, left:right]


def _mean(patch: Image) -> float:
    return float(patch.mean()) if patch.size else 0.0


def mesh_attributes(measures: MeshMeasures, *, sunglasses: bool) -> dict[str, Any]:
    """The members the models' measures decide. Behind dark glasses the lids are hidden: there the eyes
    stay the pixel rule's (closed)."""
    attributes = {
        "Smile": _mesh_flag(measures.corner_lift, _SMILE_MESH),
        "MouthOpen": _mesh_flag(measures.mouth_openness, _OPEN_MOUTH_MESH),
        "Emotions": mesh_emotions(measures),
    }
    if not sunglasses:
        attributes["EyesOpen"] = _mesh_flag(measures.eye_openness, _OPEN_EYES_MESH)
    return attributes


def estimate_attributes(
    image: Image, landmarks: Sequence[Mapping[str, Any]], mesh: FaceMesh, age_gender: AgeGender | None = None
) -> dict[str, Any]:
    """The ALL-only members of a FaceDetail for the face whose landmarks (ratios of `image`) are given:
    the age and gender networks' answer where given, the mesh's measures where its model sees the face,
    the pixel rules for the rest."""
    attributes = pixel_estimates(image, landmarks)
    if age_gender is not None:
        attributes.update(age_gender.as_attributes())
    measures = mesh.measure(image, landmarks)
    if measures is not None:
        attributes.update(mesh_attributes(measures, sunglasses=attributes["Sunglasses"]["Value"]))
    return attributes


def pixel_estimates(image: Image, landmarks: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every ALL-only member from pixel rules on the face's own pixels, unknown where they cannot tell."""
    height, width = image.shape[:2]
    points = {mark["Type"]: np.array([mark["X"] * width, mark["Y"] * height]) for mark in landmarks}
    grey = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    left_eye, right_eye, nose = points["eyeLeft"], points["eyeRight"], points["nose"]
    mouth = (points["mouthLeft"] + points["mouthRight"]) / 2
    span = float(np.linalg.norm(right_eye - left_eye)) or 1.0
    down = np.array([0.0, span])
    cheeks = [_patch(grey, eye + 0.55 * down, 0.15 * span, 0.12 * span) for eye in (left_eye, right_eye)]
    skin = max(1.0, float(np.mean([_mean(cheek) for cheek in cheeks])))
    eyes = [_patch(grey, eye, 0.25 * span, 0.1 * span) for eye in (left_eye, right_eye)]
    eye_level = float(np.mean([_mean(eye) for eye in eyes])) / skin
    eye_contrast = float(np.mean([float(eye.std()) if eye.size else 0.0 for eye in eyes])) / skin
    mouth_patch = _patch(grey, mouth, 0.35 * span, 0.12 * span)
    mouth_dark = (float(np.percentile(mouth_patch, 10)) if mouth_patch.size else skin) / skin
    chin = _mean(_patch(grey, mouth + 0.45 * down, 0.3 * span, 0.12 * span)) / skin
    upper_lip = _mean(_patch(grey, (nose + mouth) / 2, 0.3 * span, 0.06 * span)) / skin
    sunglasses = eye_level < _DARK_GLASSES
    return {
        "AgeRange": dict(UNKNOWN_AGE_RANGE),
        "Smile": _unknown_flag(),
        "Eyeglasses": _flag(True, eye_level - _DARK_GLASSES) if sunglasses else _unknown_flag(),
        "Sunglasses": _flag(sunglasses, eye_level - _DARK_GLASSES),
        "Gender": {"Value": "Female", "Confidence": UNKNOWN_CONFIDENCE},
        "Beard": _flag(chin < _FACIAL_HAIR, chin - _FACIAL_HAIR),
        "Mustache": _flag(upper_lip < _FACIAL_HAIR, upper_lip - _FACIAL_HAIR),
        "EyesOpen": _flag(eye_contrast >= _OPEN_EYE_CONTRAST and not sunglasses, eye_contrast - _OPEN_EYE_CONTRAST),
        "MouthOpen": _flag(mouth_dark < _OPEN_MOUTH, mouth_dark - _OPEN_MOUTH),
        "Emotions": [{"Type": name, "Confidence": round(100.0 / len(EMOTIONS), 3)} for name in EMOTIONS],
    }
