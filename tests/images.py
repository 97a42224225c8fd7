"""Small pictures for the face-collection tests (IndexFaces, SearchFacesByImage)."""

from __future__ import annotations

import cv2
import numpy as np


def png(level: int, size: int = 64) -> bytes:
    """A PNG of one grey level: different levels are different pictures, so different people to the emulator."""
    encoded = cv2.imencode(".png", np.full((size, size, 3), level, dtype=np.uint8))[1]
    return bytes(encoded.tobytes())
