"""Face attributes for `FaceAttributes=ALL`: what trained face models and the face's own pixels can
tell, and nothing more.

Age range and gender come from trained networks (Cydral Technology's age predictor and gender
classifier from dlib-models, CC0-1.0: emulator/vision/age_gender.py). Where MediaPipe's Face Mesh V2
sees the face, its Blendshape V2 coefficients (emulator/vision/face_landmarker.py) decide the eyes
(eyeBlink), the mouth (jawOpen) and the smile (mouthSmile), each cut by a rule, with a confidence that
grows with the distance from the cut, up to 90; and the eight emotions, by rules on those coefficients
(emulator/vision/emotions.py). Where it does not, MediaPipe's older face mesh and eye contour models
(emulator/vision/face_mesh.py) measure the eyes, the mouth and the smile when they see the face, and the
emotions are "every one equally likely"; where neither does (too small or blurred), pixel rules answer.
Sunglasses, dark glasses and facial hair are always photometric estimates from the face's pixels,
capped at 75. docs/emulator.md lists which is which, and the packages checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from emulator.features import EMOTIONS
from emulator.landmarks import every_landmark
from emulator.vision.age_gender import AgeGender
from emulator.vision.detectors import Image
from emulator.vision.emotions import emotions
from emulator.vision.face_landmarker import Expression, FaceLandmarker
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
# Cuts on the blendshape coefficients (face_landmarker.Expression), each with the distance from the cut
# at which the confidence reaches its cap. On the carphone clip: eyeBlink 0.01-0.09 with open eyes, 0.72
# in his blink (as openness, 1 - eyeBlink: 0.91-0.99 against 0.28); jawOpen 0.00-0.03 at rest, 0.09-0.26
# talking, 0.51-0.72 gasping; mouthSmile 0.00-0.24 (he never smiles), 0.90 with the corners warped up,
# and 0.41 on the generated clip's drawn faces, whose mouth is a smiling arc.
_OPEN_EYES_BLENDSHAPES = (0.6, 0.2)
_OPEN_MOUTH_BLENDSHAPES = (0.15, 0.15)
_SMILE_BLENDSHAPES = (0.35, 0.15)


def _flag(value: bool, margin: float) -> dict[str, Any]:
    """A yes/no estimate whose confidence grows with how far the measure is from its cut, up to the cap."""
    confidence = min(MAX_ESTIMATE_CONFIDENCE, UNKNOWN_CONFIDENCE + 100.0 * abs(margin))
    return {"Value": value, "Confidence": round(confidence, 3)}


def _mesh_flag(measure: float, cut_and_scale: tuple[float, float]) -> dict[str, Any]:
    """True above the cut; the confidence grows linearly with the distance from it, up to the cap."""
    cut, scale = cut_and_scale
    confidence = UNKNOWN_CONFIDENCE + (MAX_MESH_CONFIDENCE - UNKNOWN_CONFIDENCE) * min(1.0, abs(measure - cut) / scale)
    return {"Value": measure > cut, "Confidence": round(confidence, 3)}


def _unknown_flag() -> dict[str, Any]:
    return {"Value": False, "Confidence": UNKNOWN_CONFIDENCE}


def _patch(grey: Image, centre: np.ndarray, half_width: float, half_height: float) -> Image:
    height, width = grey.shape[:2]
    left, right = int(max(0, centre[0] - half_width)), int(min(width, centre[0] + half_width + 1))
    top, bottom = int(max(0, centre[1] - half_height)), int(min(height, centre[1] + half_height + 1))
    return grey[top:bottom, left:right]


def _mean(patch: Image) -> float:
    return float(patch.mean()) if patch.size else 0.0


def expression_attributes(expression: Expression, *, sunglasses: bool) -> dict[str, Any]:
    """The members the blendshape coefficients decide. Behind dark glasses the lids are hidden: there the
    eyes stay the pixel rule's (closed)."""
    attributes: dict[str, Any] = {
        "Smile": _mesh_flag(expression.both("mouthSmile"), _SMILE_BLENDSHAPES),
        "MouthOpen": _mesh_flag(expression.both("jawOpen"), _OPEN_MOUTH_BLENDSHAPES),
        "Emotions": emotions(expression),
    }
    if not sunglasses:
        attributes["EyesOpen"] = _mesh_flag(1.0 - expression.both("eyeBlink"), _OPEN_EYES_BLENDSHAPES)
    return attributes


def mesh_attributes(measures: MeshMeasures, *, sunglasses: bool) -> dict[str, Any]:
    """The members the older mesh's measures decide, where Face Mesh V2 does not see the face. Behind
    dark glasses the lids are hidden: there the eyes stay the pixel rule's (closed)."""
    attributes = {
        "Smile": _mesh_flag(measures.corner_lift, _SMILE_MESH),
        "MouthOpen": _mesh_flag(measures.mouth_openness, _OPEN_MOUTH_MESH),
    }
    if not sunglasses:
        attributes["EyesOpen"] = _mesh_flag(measures.eye_openness, _OPEN_EYES_MESH)
    return attributes


def estimate_attributes(
    image: Image,
    landmarks: Sequence[Mapping[str, Any]],
    landmarker: FaceLandmarker,
    mesh: FaceMesh,
    age_gender: AgeGender | None = None,
) -> dict[str, Any]:
    """The ALL-only members of a FaceDetail for the face whose landmarks (ratios of `image`) are given:
    the age and gender networks' answer where given, the blendshapes where Face Mesh V2 sees the face,
    else the older mesh's measures where it sees it, the pixel rules for the rest."""
    attributes = pixel_estimates(image, landmarks)
    if age_gender is not None:
        attributes.update(age_gender.as_attributes())
    sunglasses = attributes["Sunglasses"]["Value"]
    expression = landmarker.expression(image, landmarks)
    height, width = image.shape[:2]
    # ALL's thirty landmarks: Face Mesh V2's points where it sees the face, else a frontal template's.
    measured = expression.service_landmarks() if expression is not None else None
    attributes["Landmarks"] = every_landmark(landmarks, width, height, measured)
    if expression is not None:
        attributes.update(expression_attributes(expression, sunglasses=sunglasses))
        return attributes
    measures = mesh.measure(image, landmarks)  # the older mesh runs only where V2 saw no face
    if measures is not None:
        attributes.update(mesh_attributes(measures, sunglasses=sunglasses))
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
