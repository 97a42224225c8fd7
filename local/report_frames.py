"""Frames for the report: the video's own frames with the detections' boxes drawn on them, and small
stills (a shot's thumbnail), all from one decoding pass per video."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from emulator.vision.decode import MediaError, frames_shown

Image = NDArray[np.uint8]
# A box (Rekognition's ratios: Left, Top, Width, Height) and the caption drawn on it.
Box = tuple[Mapping[str, float], str]

_COLOURS = ((80, 200, 255), (120, 220, 80), (255, 160, 60), (200, 100, 255), (60, 60, 240))
THUMBNAIL_WIDTH = 192


def _confidence(value: object) -> str:
    return f"{float(value or 0):.0f}%"  # type: ignore[arg-type]


def _person(data: Mapping[str, Any]) -> tuple[list[Box], str]:
    person = data.get("Person") or {}
    caption = f"person {person.get('Index')}"
    return _boxed(person.get("BoundingBox"), caption), caption


def _celebrity(data: Mapping[str, Any]) -> tuple[list[Box], str]:
    celebrity = data.get("Celebrity") or {}
    caption = str(celebrity.get("Name") or "celebrity")
    return _boxed(celebrity.get("BoundingBox"), caption), caption


def _face(data: Mapping[str, Any]) -> tuple[list[Box], str]:
    face = data.get("Face") or {}
    caption = f"face {_confidence(face.get('Confidence'))}"
    return _boxed(face.get("BoundingBox"), caption), caption


def _label(data: Mapping[str, Any]) -> tuple[list[Box], str]:
    label = data.get("Label") or {}
    name = str(label.get("Name") or "label")
    instances = [instance for instance in label.get("Instances") or () if instance.get("BoundingBox")]
    boxes = [(instance["BoundingBox"], f"{name} {_confidence(instance.get('Confidence'))}") for instance in instances]
    return boxes, f"{name} {_confidence(label.get('Confidence'))}"


def _moderation(data: Mapping[str, Any]) -> tuple[list[Box], str]:
    flag = data.get("ModerationLabel") or {}
    return [], f"{flag.get('Name') or 'flag'} {_confidence(flag.get('Confidence'))}"


def _text(data: Mapping[str, Any]) -> tuple[list[Box], str]:
    text = data.get("TextDetection") or {}
    caption = str(text.get("DetectedText") or "")
    # Lines only: their words' boxes would cover the same letters again.
    box = (text.get("Geometry") or {}).get("BoundingBox") if text.get("Type") == "LINE" else None
    return _boxed(box, caption), caption


_DESCRIBED: Mapping[str, Callable[[Mapping[str, Any]], tuple[list[Box], str]]] = {
    "faces": _face,
    "persons": _person,
    "celebrities": _celebrity,
    "labels": _label,
    "moderation": _moderation,
    "text": _text,
}


def detection_boxes(analysis: str, data: Mapping[str, Any]) -> tuple[list[Box], str]:
    """The boxes one detection element carries (none for moderation and segments, several for a label's
    instances), and a short caption for the detection as a whole."""
    describe = _DESCRIBED.get(analysis)
    return describe(data) if describe else ([], analysis)


def _boxed(box: Mapping[str, float] | None, caption: str) -> list[Box]:
    return [(box, caption)] if box else []


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


def _data_uri(image: Image) -> str | None:
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode() if ok else None


def annotated(image: Image, boxes: Sequence[Box]) -> str | None:
    """A JPEG data URI of the frame with the boxes drawn, at the video's full size (the report shows it
    small, and full size on a click)."""
    canvas = image.copy()
    height, width = canvas.shape[:2]
    _scale, thickness = _label_scale(width)
    for number, (box, caption) in enumerate(boxes):
        colour = _COLOURS[number % len(_COLOURS)]
        left, top = int(box["Left"] * width), int(box["Top"] * height)
        right, bottom = left + int(box["Width"] * width), top + int(box["Height"] * height)
        cv2.rectangle(canvas, (left, top), (right, bottom), colour, thickness + 1)
        _caption(canvas, caption, left, top, colour)
    return _data_uri(canvas)


def thumbnail(image: Image, width: int = THUMBNAIL_WIDTH) -> str | None:
    """A small JPEG data URI of the frame, `width` pixels wide."""
    height = max(1, round(image.shape[0] * width / image.shape[1]))
    return _data_uri(np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8))


def render_frames(video: Path, wanted: Mapping[int, Sequence[Callable[[Image], None]]]) -> bool:
    """Decode the video once and hand the frame shown at each wanted timestamp to its consumers, which
    keep what they make of it (no frame is kept whole). False if the video cannot be read."""
    try:
        for timestamp, image in frames_shown(str(video), set(wanted)):
            for consume in wanted[timestamp]:
                consume(image)
    except MediaError:
        return False
    return True


def annotated_frames(
    video: Path, analysis: str, by_timestamp: Mapping[int, Sequence[Mapping[str, Any]]]
) -> dict[int, str]:
    """JPEG data URIs of one analysis' frames at the given timestamps, boxes drawn; {} if the video is unreadable."""
    uris: dict[int, str] = {}

    def keep(timestamp: int) -> Callable[[Image], None]:
        def consume(image: Image) -> None:
            boxes = [box for data in by_timestamp[timestamp] for box in detection_boxes(analysis, data)[0]]
            if uri := annotated(image, boxes):
                uris[timestamp] = uri

        return consume

    render_frames(video, {timestamp: [keep(timestamp)] for timestamp in by_timestamp})
    return uris
