"""The landmarks Rekognition returns for a face: five with `FaceAttributes=DEFAULT`, thirty with `ALL`.

Evidence (docs/emulator.md, "Faces"): the developer guide's GetFaceDetection example (DEFAULT) gives
each face `DEFAULT_LANDMARKS`, in that order. A GetFaceDetection response with `FaceAttributes=ALL`,
captured from the service with boto3 (2021; a public repository's test data, cited there), gives each
face the thirty of `ALL_LANDMARKS`, in that order - every `LandmarkType` of the service model - with
`leftPupil` and `rightPupil` at `eyeLeft` and `eyeRight`. "Left" is the image's left, as in every
example: `eyeLeft` has the smaller X.

Where no face mesh places the other twenty-three, `FACE_TEMPLATE` does: a frontal face's proportions
in a frame the two eyes set, an estimate the emulator's documentation says is one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

DEFAULT_LANDMARKS: Final = ("eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight")
ALL_LANDMARKS: Final = (
    "eyeLeft",
    "eyeRight",
    "mouthLeft",
    "mouthRight",
    "nose",
    "leftEyeBrowLeft",
    "leftEyeBrowRight",
    "leftEyeBrowUp",
    "rightEyeBrowLeft",
    "rightEyeBrowRight",
    "rightEyeBrowUp",
    "leftEyeLeft",
    "leftEyeRight",
    "leftEyeUp",
    "leftEyeDown",
    "rightEyeLeft",
    "rightEyeRight",
    "rightEyeUp",
    "rightEyeDown",
    "noseLeft",
    "noseRight",
    "mouthUp",
    "mouthDown",
    "leftPupil",
    "rightPupil",
    "upperJawlineLeft",
    "midJawlineLeft",
    "chinBottom",
    "midJawlineRight",
    "upperJawlineRight",
)
# The pupils are where the eyes are (as in the captured response).
_AT_THE_EYES: Final = {"leftPupil": "eyeLeft", "rightPupil": "eyeRight"}

# (across, down): across along the line from eyeLeft to eyeRight, down at a right angle to it, both
# in units of the distance between the eyes, from the point midway between them. Where Face Mesh V2
# puts each point on the frontal face of the carphone clip (means over its sampled frames, rounded;
# tests/emulator/test_landmarks.py holds the mesh to them).
FACE_TEMPLATE: Final[Mapping[str, tuple[float, float]]] = {
    # A brow's three points run left to right as Left, Right, Up (as captured; emulator/vision/face_landmarker.py).
    "leftEyeBrowLeft": (-0.85, -0.25),
    "leftEyeBrowRight": (-0.65, -0.4),
    "leftEyeBrowUp": (-0.25, -0.35),
    "rightEyeBrowLeft": (0.25, -0.35),
    "rightEyeBrowRight": (0.65, -0.4),
    "rightEyeBrowUp": (0.85, -0.25),
    "leftEyeLeft": (-0.7, 0.0),
    "leftEyeRight": (-0.25, 0.0),
    "leftEyeUp": (-0.5, -0.1),
    "leftEyeDown": (-0.5, 0.08),
    "rightEyeLeft": (0.25, 0.0),
    "rightEyeRight": (0.7, 0.0),
    "rightEyeUp": (0.5, -0.1),
    "rightEyeDown": (0.5, 0.08),
    "noseLeft": (-0.25, 0.6),
    "noseRight": (0.25, 0.6),
    "mouthUp": (0.0, 0.85),
    "mouthDown": (0.0, 1.3),
    "upperJawlineLeft": (-1.0, 0.35),
    "midJawlineLeft": (-0.8, 1.3),
    "chinBottom": (0.0, 1.8),
    "midJawlineRight": (0.8, 1.3),
    "upperJawlineRight": (1.0, 0.35),
}

Point = tuple[float, float]


def _placed(eye_left: Point, eye_right: Point, across: float, down: float) -> Point:
    (ax, ay), (bx, by) = eye_left, eye_right
    dx, dy = bx - ax, by - ay
    mid_x, mid_y = (ax + bx) / 2, (ay + by) / 2
    # (dx, dy) is one eye distance along the eyes' line; (-dy, dx) the same length, at a right angle, down.
    return mid_x + across * dx - down * dy, mid_y + across * dy + down * dx


def every_landmark(
    five: Sequence[Mapping[str, Any]],
    width: float = 1.0,
    height: float = 1.0,
    measured: Mapping[str, Point] | None = None,
) -> list[dict[str, Any]]:
    """The thirty landmarks, as ratios, from the five (ratios of a `width` x `height` frame): those five
    as given, the pupils at the eyes, each other one where `measured` (in the frame's pixels) puts it,
    else where `FACE_TEMPLATE` does."""
    given = {str(mark["Type"]): (float(mark["X"]) * width, float(mark["Y"]) * height) for mark in five}
    eye_left, eye_right = given["eyeLeft"], given["eyeRight"]
    points = dict(measured or {})
    points.update(given)
    for name, source in _AT_THE_EYES.items():
        points[name] = given[source]
    for name, (across, down) in FACE_TEMPLATE.items():
        points.setdefault(name, _placed(eye_left, eye_right, across, down))
    return [
        {"Type": name, "X": round(points[name][0] / width, 6), "Y": round(points[name][1] / height, 6)}
        for name in ALL_LANDMARKS
    ]
