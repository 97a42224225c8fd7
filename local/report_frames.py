"""Annotated frames for the report: the video's own frames with the detections' boxes drawn on them."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import cv2

from emulator.vision.decode import MediaError, frames_at

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


def _label_scale(width: int) -> tuple[float, int]:
    """Font scale and stroke for captions that stay legible whatever the frame's size: about 1/50 of
    the frame's width tall, so a 4K frame's label is as readable as a 360p one's."""
    scale = max(0.4, width / 1400)
    return scale, max(1, round(scale * 2))


def _caption(canvas: Any, text: str, left: int, top: int, colour: tuple[int, int, int]) -> None:
    """The caption on a filled box of the box's colour, dark text: readable on any background."""
    height, width = canvas.shape[:2]
    scale, thickness = _label_scale(width)
    (text_width, text_height), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    pad = max(2, thickness * 2)
    box_height = text_height + baseline + 2 * pad
    # Above the box when there is room, inside its top edge when not; never off the frame's right edge.
    y = top - box_height if top - box_height >= 0 else min(top, height - box_height)
    x = max(0, min(left, width - text_width - 2 * pad))
    cv2.rectangle(canvas, (x, y), (x + text_width + 2 * pad, y + box_height), colour, -1)
    cv2.putText(
        canvas,
        text,
        (x + pad, y + pad + text_height),
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        (20, 20, 20),
        thickness,
        cv2.LINE_AA,
    )


def annotated_frames(
    video: Path, analysis: str, by_timestamp: Mapping[int, Sequence[Mapping[str, Any]]]
) -> dict[int, str]:
    """JPEG data URIs of the frames at the given timestamps, boxes drawn, at the video's full size (the
    report shows them small and full size on a click); {} if the video is unreadable."""
    try:
        frames = frames_at(str(video), set(by_timestamp))
    except MediaError:
        return {}
    uris: dict[int, str] = {}
    for timestamp, image in frames.items():
        canvas = image.copy()
        height, width = canvas.shape[:2]
        _scale, thickness = _label_scale(width)
        for number, data in enumerate(by_timestamp[timestamp]):
            box, caption = detection_boxes(analysis, data)
            if not box:
                continue
            colour = _COLOURS[number % len(_COLOURS)]
            left, top = int(box["Left"] * width), int(box["Top"] * height)
            right, bottom = left + int(box["Width"] * width), top + int(box["Height"] * height)
            cv2.rectangle(canvas, (left, top), (right, bottom), colour, thickness + 1)
            _caption(canvas, caption, left, top, colour)
        ok, encoded = cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, 80])
        if ok:
            uris[timestamp] = "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode()
    return uris
