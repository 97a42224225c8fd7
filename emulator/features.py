"""Building blocks of synthetic detections: boxes that move smoothly, and face details.

All ratios stay within 0..1 and all confidences within the model's Percent range, because consumers
are entitled to rely on that.
"""

from __future__ import annotations

import math
from typing import Any

from emulator.draw import Draw
from emulator.landmarks import every_landmark

# What FaceAttributes=DEFAULT returns; ALL returns every FaceDetail member.
DEFAULT_FACE_KEYS = frozenset({"BoundingBox", "Confidence", "Pose", "Quality", "Landmarks"})

# The emotion types the service reports (its enum also has UNKNOWN, which it does not report for a face).
EMOTIONS = ("HAPPY", "SAD", "ANGRY", "CONFUSED", "DISGUSTED", "SURPRISED", "CALM", "FEAR")
# Where DEFAULT's five landmarks sit in a synthetic face's box, in DEFAULT's order (ALL places the
# other twenty-five from them: emulator/landmarks.py).
_LANDMARKS = (
    ("eyeLeft", 0.3, 0.38),
    ("eyeRight", 0.7, 0.38),
    ("nose", 0.5, 0.58),
    ("mouthLeft", 0.35, 0.78),
    ("mouthRight", 0.65, 0.78),
)


def _ratio(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 6)


def _percent(draw: Draw, low: float = 50.0) -> float:
    return round(draw.uniform(low, 100.0), 4)


def tracked_box(seed: int, track: int, sample: int, aspect: tuple[float, float]) -> dict[str, float]:
    """The box of one tracked entity at one sample: fixed size, drifting position.

    Derived from (seed, track) plus a sine of the sample, so consecutive samples of a track overlap
    the way a real track does, without any state carried between samples.
    """
    draw = Draw(seed, 0xB0C5, track)
    width = draw.uniform(0.06, 0.22)
    height = min(0.9, width * draw.uniform(*aspect))
    left0 = draw.uniform(0.0, 1.0 - width)
    top0 = draw.uniform(0.0, 1.0 - height)
    phase = draw.uniform(0.0, 2 * math.pi)
    drift = 0.04 * math.sin(sample / 12 + phase)
    return {
        "Width": _ratio(width),
        "Height": _ratio(height),
        "Left": _ratio(min(1.0 - width, max(0.0, left0 + drift))),
        "Top": _ratio(min(1.0 - height, max(0.0, top0 + drift / 2))),
    }


def face_box_within(box: dict[str, float]) -> dict[str, float]:
    """A face in the upper middle of a person's box."""
    width = box["Width"] * 0.45
    height = box["Height"] * 0.22
    return {
        "Width": _ratio(width),
        "Height": _ratio(height),
        "Left": _ratio(box["Left"] + (box["Width"] - width) / 2),
        "Top": _ratio(box["Top"] + box["Height"] * 0.04),
    }


def _flag(draw: Draw, probability: float) -> dict[str, Any]:
    return {"Value": draw.chance(probability), "Confidence": _percent(draw, 70.0)}


def _emotions(draw: Draw) -> list[dict[str, Any]]:
    weights = [draw.unit() ** 3 for _ in EMOTIONS]
    total = sum(weights) or 1.0
    scored = sorted(zip(EMOTIONS, weights, strict=True), key=lambda pair: -pair[1])
    return [{"Type": name, "Confidence": round(100 * weight / total, 4)} for name, weight in scored]


def _landmarks(draw: Draw, box: dict[str, float]) -> list[dict[str, Any]]:
    return [
        {
            "Type": name,
            "X": _ratio(box["Left"] + box["Width"] * (x + draw.uniform(-0.03, 0.03))),
            "Y": _ratio(box["Top"] + box["Height"] * (y + draw.uniform(-0.03, 0.03))),
        }
        for name, x, y in _LANDMARKS
    ]


def face_detail(
    draw: Draw, box: dict[str, float], *, all_attributes: bool, five_landmarks: bool = False
) -> dict[str, Any]:
    """A FaceDetail; the DEFAULT variant is the ALL variant's projection, so both agree (DEFAULT's five
    landmarks are five of ALL's thirty). `five_landmarks`: five with ALL too, as this fake answered
    before it followed the captured ALL response (tests/read_answers.py's golden data has them)."""
    low_age = draw.integer(16, 64)
    face: dict[str, Any] = {
        "BoundingBox": box,
        "AgeRange": {"Low": low_age, "High": low_age + draw.integer(4, 12)},
        "Smile": _flag(draw, 0.4),
        "Eyeglasses": _flag(draw, 0.25),
        "Sunglasses": _flag(draw, 0.08),
        "Gender": {"Value": draw.choice(("Male", "Female")), "Confidence": _percent(draw, 80.0)},
        "Beard": _flag(draw, 0.2),
        "Mustache": _flag(draw, 0.1),
        "EyesOpen": _flag(draw, 0.85),
        "MouthOpen": _flag(draw, 0.3),
        "Emotions": _emotions(draw),
        "Landmarks": _landmarks(draw, box),
        "Pose": {
            "Roll": round(draw.uniform(-30, 30), 4),
            "Yaw": round(draw.uniform(-60, 60), 4),
            "Pitch": round(draw.uniform(-30, 30), 4),
        },
        "Quality": {"Brightness": round(draw.uniform(25, 90), 4), "Sharpness": round(draw.uniform(20, 95), 4)},
        "Confidence": _percent(draw, 90.0),
        # FaceOccluded and EyeDirection: always null for stored-video face detection (API reference),
        # so never invented. The service's JSON writer leaves null members out, which SDKs read as null.
    }
    if all_attributes:
        if not five_landmarks:
            face["Landmarks"] = [
                {**mark, "X": _ratio(mark["X"]), "Y": _ratio(mark["Y"])} for mark in every_landmark(face["Landmarks"])
            ]
        return face
    return {key: value for key, value in face.items() if key in DEFAULT_FACE_KEYS}
