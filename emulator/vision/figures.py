"""Drawn faces and people that OpenCV's bundled detectors recognize, with their exact extents.

The proportions were tuned by experiment against the frontal-face Haar cascade and the HOG people
detector: a light oval with dark eyes, brows and mouth reads as a frontal face; a figure with a
head, a torso wider than its legs and arms down its sides reads as a standing pedestrian.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

Frame = NDArray[np.uint8]

SKIN = (150, 180, 220)
HAIR = (30, 40, 60)
SHIRT = (60, 60, 160)
TROUSERS = (70, 50, 40)


@dataclass(frozen=True, slots=True)
class PixelBox:
    left: float
    top: float
    width: float
    height: float


def draw_face(frame: Frame, center_x: int, center_y: int, width: int) -> PixelBox:
    """Draw a frontal face `width` pixels wide; returns its square box (the way detectors frame faces)."""
    height = int(width * 1.3)
    cv2.ellipse(frame, (center_x, center_y), (width // 2, height // 2), 0, 0, 360, SKIN, -1)
    cv2.ellipse(
        frame, (center_x, center_y - height // 2 + width // 8), (width // 2 + 2, width // 4), 0, 180, 360, HAIR, -1
    )
    eye_y = center_y - height // 10
    eye_dx = width // 5
    stroke = max(2, width // 30)
    for side in (-1, 1):
        eye_x = center_x + side * eye_dx
        cv2.ellipse(frame, (eye_x, eye_y), (width // 9, width // 16), 0, 0, 360, (255, 255, 255), -1)
        cv2.circle(frame, (eye_x, eye_y), width // 18, (40, 30, 20), -1)
        cv2.line(
            frame, (eye_x - width // 8, eye_y - width // 8), (eye_x + width // 8, eye_y - width // 8), HAIR, stroke
        )
    cv2.line(
        frame,
        (center_x, eye_y + width // 12),
        (center_x - width // 20, center_y + height // 10),
        (110, 140, 190),
        stroke,
    )
    cv2.ellipse(frame, (center_x, center_y + height // 4), (width // 6, width // 16), 0, 0, 180, (60, 60, 150), stroke)
    return PixelBox(center_x - height / 2, center_y - height / 2, height, height)


def draw_person(frame: Frame, center_x: int, top: int, height: int, stride_phase: float = 0.0) -> PixelBox:
    """Draw a standing person `height` pixels tall; returns the box from head to feet, arm to arm."""
    unit = height / 8.0  # about one head height
    hip_y = int(top + unit * 4.2)
    foot_y = top + height
    swing = int(unit * 0.35 * math.sin(stride_phase))
    leg = max(2, int(unit * 0.5))
    for side in (-1, 1):
        foot_x = center_x + side * (int(unit * 0.45) + swing)
        cv2.line(frame, (center_x + side * int(unit * 0.3), hip_y), (foot_x, foot_y - int(unit * 0.1)), TROUSERS, leg)
        shoe = (foot_x + side * int(unit * 0.15), foot_y - int(unit * 0.1))
        cv2.ellipse(frame, shoe, (int(unit * 0.35), int(unit * 0.15)), 0, 0, 360, (20, 20, 20), -1)
    shoulders, waist = int(unit * 0.9), int(unit * 0.7)
    torso = np.array(
        [
            [center_x - shoulders, int(top + unit * 1.3)],
            [center_x + shoulders, int(top + unit * 1.3)],
            [center_x + waist, hip_y + int(unit * 0.2)],
            [center_x - waist, hip_y + int(unit * 0.2)],
        ],
        dtype=np.int32,
    )
    cv2.fillPoly(frame, [torso], SHIRT)
    for side in (-1, 1):
        hand = (center_x + side * int(unit * 1.0) - side * swing // 2, int(top + unit * 4.0))
        cv2.line(
            frame, (center_x + side * int(unit * 0.85), int(top + unit * 1.5)), hand, SHIRT, max(2, int(unit * 0.35))
        )
        cv2.circle(frame, hand, max(1, int(unit * 0.2)), SKIN, -1)
    cv2.line(frame, (center_x, int(top + unit)), (center_x, int(top + unit * 1.4)), SKIN, max(2, int(unit * 0.35)))
    head = (center_x, int(top + unit * 0.55))
    radius = int(unit * 0.5)
    cv2.circle(frame, head, radius, SKIN, -1)
    cv2.ellipse(frame, (head[0], head[1] - radius // 3), (radius, int(radius * 0.75)), 0, 180, 360, HAIR, -1)
    half_width = unit * 1.25
    return PixelBox(center_x - half_width, float(top), 2 * half_width, float(height))
