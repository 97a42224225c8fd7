"""Annotated frames for the report: the video's own frames with the detections' boxes drawn on them."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import cv2

from emulator.vision.decode import MediaError, frames_at

_MAX_WIDTH = 480
_COLOURS = ((80, 200, 255), (120, 220, 80), (255, 160, 60), (200, 100, 255), (60, 60, 240))


def detection_boxes(analysis: str, data: Mapping[str, Any]) -> tuple[dict[str, float] | None, str]:
    """The box a detection element carries and a short caption for it."""
    if analysis == "persons":
        person = data.get("Person") or {}
        return person.get("BoundingBox"), f"person {person.get('Index')}"
    if analysis == "celebrities":
        celebrity = data.get("Celebrity") or {}
        return celebrity.get("BoundingBox"), str(celebrity.get("Name") or "celebrity")
    face = data.get("Face") or {}
    return face.get("BoundingBox"), f"face {float(face.get('Confidence') or 0):.0f}%"


def annotated_frames(
    video: Path, analysis: str, by_timestamp: Mapping[int, Sequence[Mapping[str, Any]]]
) -> dict[int, str]:
    """JPEG data URIs of the frames at the given timestamps, boxes drawn; {} if the video is unreadable."""
    try:
        frames = frames_at(str(video), set(by_timestamp))
    except MediaError:
        return {}
    uris: dict[int, str] = {}
    for timestamp, image in frames.items():
        canvas = image.copy()
        height, width = canvas.shape[:2]
        for number, data in enumerate(by_timestamp[timestamp]):
            box, caption = detection_boxes(analysis, data)
            if not box:
                continue
            colour = _COLOURS[number % len(_COLOURS)]
            left, top = int(box["Left"] * width), int(box["Top"] * height)
            right, bottom = left + int(box["Width"] * width), top + int(box["Height"] * height)
            cv2.rectangle(canvas, (left, top), (right, bottom), colour, 2)
            cv2.putText(canvas, caption, (left, max(12, top - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.45, colour, 1)
        shown: Any = canvas
        if width > _MAX_WIDTH:
            shown = cv2.resize(canvas, (_MAX_WIDTH, int(height * _MAX_WIDTH / width)), interpolation=cv2.INTER_AREA)
        ok, encoded = cv2.imencode(".jpg", shown, [cv2.IMWRITE_JPEG_QUALITY, 80])
        if ok:
            uris[timestamp] = "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode()
    return uris
