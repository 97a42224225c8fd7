"""Rekognition's eight emotions from MediaPipe's blendshape coefficients, by rules on facial actions.

This is not an emotion classifier: no model here was trained on faces labelled with emotions (the
registry's emotion models were rejected for their data's licences: docs/emulator.md). The blendshape
model (emulator/vision/face_landmarker.py) measures facial actions, each coefficient in [0, 1]; the
rules below weigh the actions that the Facial Action Coding System's emotion prototypes (Ekman and
Friesen's EMFACS) pair with each emotion. In FACS terms: mouthSmile is AU12 (lip corner puller),
cheekSquint AU6 (cheek raiser), browInnerUp AU1, browOuterUp AU2, browDown AU4, eyeWide AU5, eyeSquint
AU7 (lid tightener), noseSneer AU9, mouthUpperUp AU10, mouthFrown AU15, mouthStretch AU20, mouthPress
AU24, jawOpen AU26/27. A coefficient the model gives per side counts as the two sides' mean.

Each emotion's evidence is in [0, 1]; CALM's is what the strongest other leaves (1 minus it), so an
emotion leads exactly when its evidence passes 0.5 and beats the others'. The confidences share 100 in
proportion to the evidences. They were checked on the carphone clip and on warped frames of it
(tests/emulator/test_face_models.py), nothing more.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from emulator.features import EMOTIONS
from emulator.vision.face_landmarker import Expression


def either(first: float, second: float) -> float:
    """Evidence that either of two independent signs is shown (a probabilistic or)."""
    return 1.0 - (1.0 - first) * (1.0 - second)


def both(first: float, second: float) -> float:
    """Evidence that two signs are shown together: their geometric mean, zero when either is absent."""
    return math.sqrt(max(0.0, first) * max(0.0, second))


def happy(face: Expression) -> float:
    """AU12, the pull every smile has; AU6, the cheeks raised in a felt smile, adds half its coefficient."""
    return min(1.0, face.both("mouthSmile") + face.both("cheekSquint") / 2)


def surprised(face: Expression) -> float:
    """AU1+2 (brows raised) with AU5 (eyes wide), or AU26/27 (jaw dropped): surprise shows in either area
    or both (Ekman and Friesen's two-area surprise expressions)."""
    brows_and_eyes = (face.both("browInnerUp") + face.both("browOuterUp") + face.both("eyeWide")) / 3
    return either(brows_and_eyes, face.both("jawOpen"))


def fear(face: Expression) -> float:
    """AU1 (inner brows raised), AU5 (eyes wide) and AU20 (lips stretched sideways): the stretched lips
    tell fear from surprise, whose brows and eyes it shares."""
    return (face.both("browInnerUp") + face.both("eyeWide") + face.both("mouthStretch")) / 3


def sad(face: Expression) -> float:
    """AU1 (inner brows raised) together with AU15 (lip corners pulled down)."""
    return both(face.both("browInnerUp"), face.both("mouthFrown"))


def angry(face: Expression) -> float:
    """AU4 (brows lowered and drawn together); AU7 (lids tightened) or AU24 (lips pressed) adds half."""
    return either(face.both("browDown"), max(face.both("eyeSquint"), face.both("mouthPress")) / 2)


def disgusted(face: Expression) -> float:
    """AU9 (nose wrinkled) together with AU10 (upper lip raised); AU10 alone is common at rest."""
    return both(face.both("noseSneer"), face.both("mouthUpperUp"))


def confused(face: Expression) -> float:
    """One brow raised or lowered and not the other: the puzzled look, FACS's unilateral AU2 or AU4."""
    return max(face.asymmetry("browOuterUp"), face.asymmetry("browDown"))


RULES: dict[str, Callable[[Expression], float]] = {
    "HAPPY": happy,
    "SAD": sad,
    "ANGRY": angry,
    "CONFUSED": confused,
    "DISGUSTED": disgusted,
    "SURPRISED": surprised,
    "FEAR": fear,
}


def evidences(face: Expression) -> dict[str, float]:
    """Each emotion's evidence in [0, 1], CALM's the absence of the strongest other."""
    weighed = {name: min(1.0, max(0.0, rule(face))) for name, rule in RULES.items()}
    weighed["CALM"] = 1.0 - max(weighed.values())
    return weighed


def emotions(face: Expression) -> list[dict[str, Any]]:
    """The eight emotions, their confidences summing to 100, the most confident first: the order of a
    captured stored-video response (docs/emulator.md, "Thirty landmarks"); ties in `EMOTIONS`' order."""
    weighed = evidences(face)
    total = sum(weighed.values())  # at least 1: the strongest other and CALM sum to 1
    ranked = sorted(EMOTIONS, key=lambda name: -weighed[name])
    return [{"Type": name, "Confidence": round(100.0 * weighed[name] / total, 3)} for name in ranked]
