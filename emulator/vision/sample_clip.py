"""A generated H.264 clip with known ground truth: drawn faces and people at known frames and boxes.

`make local` analyses it when given no files, and the accuracy check compares the analyzers'
detections with the truth this module records while drawing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import av
import numpy as np

from emulator.vision.figures import Frame, PixelBox, draw_face, draw_person

FACE = "face"
PERSON = "person"
_WALL = (175, 185, 180)
_FLOOR = (120, 130, 125)


@dataclass(frozen=True, slots=True)
class Actor:
    """One face or person, visible from `start_s` to `end_s`, moving in a straight line."""

    kind: str
    identity: int
    start_s: float
    end_s: float
    start: tuple[int, int]  # face: centre; person: centre x and top y
    end: tuple[int, int]
    size: int  # face width or person height, pixels

    def visible(self, seconds: float) -> bool:
        return self.start_s <= seconds < self.end_s

    def position(self, seconds: float) -> tuple[int, int]:
        progress = (seconds - self.start_s) / (self.end_s - self.start_s)
        x = self.start[0] + (self.end[0] - self.start[0]) * progress
        y = self.start[1] + (self.end[1] - self.start[1]) * progress
        return round(x), round(y)


@dataclass(frozen=True, slots=True)
class ClipSpec:
    width: int = 640
    height: int = 360
    fps: int = 24
    seconds: float = 8.0
    actors: tuple[Actor, ...] = ()


# Faces first, then two people walking without crossing, so every truth box is unambiguous.
DEFAULT_CLIP = ClipSpec(
    actors=(
        Actor(FACE, 0, 0.0, 4.0, (150, 170), (300, 190), 96),
        Actor(FACE, 1, 1.0, 3.5, (500, 160), (470, 160), 80),
        Actor(PERSON, 0, 4.0, 8.0, (90, 60), (250, 60), 250),
        Actor(PERSON, 1, 4.5, 8.0, (560, 80), (420, 80), 220),
    )
)


@dataclass(frozen=True, slots=True)
class TruthBox:
    kind: str
    identity: int
    timestamp_ms: int
    box: dict[str, float]  # Rekognition's ratio form: Left, Top, Width, Height


@dataclass(slots=True)
class GroundTruth:
    width: int
    height: int
    fps: int
    duration_ms: int
    boxes: list[TruthBox] = field(default_factory=list)

    def at(self, kind: str, timestamp_ms: int) -> list[TruthBox]:
        """The truth at the frame shown at `timestamp_ms` (the latest frame starting at or before it)."""
        frame_ms = self.frame_timestamp(timestamp_ms)
        return [box for box in self.boxes if box.kind == kind and box.timestamp_ms == frame_ms]

    def frame_timestamp(self, timestamp_ms: int) -> int:
        return int(int(timestamp_ms * self.fps / 1000 + 1e-6) * 1000 / self.fps)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> GroundTruth:
        raw: dict[str, Any] = json.loads(text)
        boxes = [TruthBox(**box) for box in raw.pop("boxes")]
        return cls(**raw, boxes=boxes)


def _ratio_box(box: PixelBox, spec: ClipSpec) -> dict[str, float]:
    left, top = max(0.0, box.left), max(0.0, box.top)
    right, bottom = min(float(spec.width), box.left + box.width), min(float(spec.height), box.top + box.height)
    return {
        "Left": round(left / spec.width, 6),
        "Top": round(top / spec.height, 6),
        "Width": round((right - left) / spec.width, 6),
        "Height": round((bottom - top) / spec.height, 6),
    }


def _frames(spec: ClipSpec, truth: GroundTruth) -> Iterator[Frame]:
    for index in range(int(spec.seconds * spec.fps)):
        seconds = index / spec.fps
        frame: Frame = np.empty((spec.height, spec.width, 3), dtype=np.uint8)
        frame[:] = _WALL
        frame[int(spec.height * 0.8) :] = _FLOOR
        for actor in spec.actors:
            if not actor.visible(seconds):
                continue
            x, y = actor.position(seconds)
            if actor.kind == FACE:
                box = draw_face(frame, x, y, actor.size)
            else:
                box = draw_person(frame, x, y, actor.size, stride_phase=seconds * 6 + actor.identity)
            timestamp = int(index * 1000 / spec.fps)
            truth.boxes.append(TruthBox(actor.kind, actor.identity, timestamp, _ratio_box(box, spec)))
        yield frame


def render(
    path: Path, spec: ClipSpec = DEFAULT_CLIP, codec: str = "libx264", options: Mapping[str, str] | None = None
) -> GroundTruth:
    """Write the clip to `path` (MP4; H.264 unless another codec is asked for) and return its truth;
    `options` go to the encoder (a faster x264 preset for long benchmark clips)."""
    truth = GroundTruth(spec.width, spec.height, spec.fps, int(spec.seconds * 1000))
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = cast("av.VideoStream", container.add_stream(codec, rate=spec.fps))
        stream.width, stream.height = spec.width, spec.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, spec.fps)
        if options:
            stream.options = dict(options)
        for frame in _frames(spec, truth):
            picture = av.VideoFrame.from_ndarray(frame, format="bgr24")
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))
    return truth


def render_sample(directory: Path, name: str = "sample.mp4") -> tuple[Path, GroundTruth]:
    """The default clip and its truth (`<name>.truth.json` beside it)."""
    path = directory / name
    truth = render(path)
    path.with_suffix(".truth.json").write_text(truth.to_json())
    return path, truth


def actors_of(truth: GroundTruth, kind: str) -> Sequence[int]:
    return sorted({box.identity for box in truth.boxes if box.kind == kind})


def truncated(source: Path, path: Path, keep: float = 0.5) -> Path:
    """A copy of `source` with its index moved to the front, then cut to `keep` of its bytes: what an
    interrupted copy or download of a streaming-ready MP4 leaves, a file that opens but ends early."""
    with (
        av.open(str(source)) as original,
        av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as out,
    ):
        video = original.streams.video[0]
        stream = out.add_stream_from_template(video)
        for packet in original.demux(video):
            if packet.dts is None:
                continue  # the demuxer's final flush packet
            packet.stream = stream
            out.mux(packet)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path
