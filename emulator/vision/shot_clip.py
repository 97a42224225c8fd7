"""A generated clip with known shots and black frames, for the segment analyzer's tests and benchmark.

Each shot is a textured picture of its own hue drifting slowly (so frames within a shot differ a
little, as filmed ones do), and black frames can sit between shots. The truth is where every shot
starts and which frames are black.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from numpy.typing import NDArray

Frame = NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class EditSpec:
    """`shots` lengths in frames, with `black` black frames after the shot of the same position."""

    shots: Sequence[int] = (40, 25, 50, 30)
    black: Sequence[int] = (0, 12, 0, 0)
    width: int = 320
    height: int = 180
    fps: Fraction = Fraction(25)
    black_level: int = 0  # the RGB value of the "black" frames: above 0, a dark grey
    captions: Sequence[str] = ()  # text written across the shot of the same position, if any
    audio: bool = False  # a silent stereo AAC track at 44.1 kHz as long as the video


@dataclass(frozen=True, slots=True)
class EditTruth:
    cuts: tuple[int, ...]  # every frame where the picture changes abruptly: into a shot, into or out of black
    black_runs: tuple[tuple[int, int], ...]  # first and last frame of each black run
    frames: int


def _shot_picture(number: int, width: int, height: int) -> Frame:
    generator = np.random.default_rng(number)
    hue = (number * 47) % 180
    hsv = np.zeros((height, width, 3), dtype=np.uint8)
    hsv[..., 0] = hue
    hsv[..., 1] = 160 + generator.integers(0, 60, (height, width))
    hsv[..., 2] = 90 + generator.integers(0, 140, (height, width))
    picture: Frame = np.asarray(cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR), dtype=np.uint8)
    return np.asarray(cv2.GaussianBlur(picture, (9, 9), 0), dtype=np.uint8)


def _caption(picture: Frame, text: str) -> None:
    """White text with a dark outline on the picture's upper third, as a caption is drawn."""
    height = picture.shape[0]
    origin = (12, height // 3)
    cv2.putText(picture, text, origin, cv2.FONT_HERSHEY_SIMPLEX, height / 260, (0, 0, 0), 6, cv2.LINE_AA)
    cv2.putText(picture, text, origin, cv2.FONT_HERSHEY_SIMPLEX, height / 260, (255, 255, 255), 2, cv2.LINE_AA)


def _frames(spec: EditSpec) -> Iterator[Frame]:
    for number, (length, black) in enumerate(zip(spec.shots, spec.black, strict=True)):
        picture = _shot_picture(number, spec.width + 64, spec.height)
        if number < len(spec.captions) and spec.captions[number]:
            # Drawn on the part of the picture that stays in frame while it drifts.
            _caption(picture[:, 64:], spec.captions[number])
        for offset in range(length):
            yield np.ascontiguousarray(picture[:, offset % 64 : offset % 64 + spec.width])
        for _ in range(black):
            yield np.full((spec.height, spec.width, 3), spec.black_level, dtype=np.uint8)


def truth_of(spec: EditSpec) -> EditTruth:
    cuts, runs, frame = [], [], 0
    for length, black in zip(spec.shots, spec.black, strict=True):
        cuts.append(frame)
        frame += length
        if black:
            cuts.append(frame)
            runs.append((frame, frame + black - 1))
            frame += black
    return EditTruth(tuple(cuts[1:]), tuple(runs), frame)


def render_edit(path: Path, spec: EditSpec | None = None) -> EditTruth:
    """Write the clip to `path` as H.264 in MP4 and return where its shots and black frames are."""
    spec = spec or EditSpec()
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=spec.fps)
        stream.width, stream.height = spec.width, spec.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = 1 / spec.fps
        # Every stream is declared before the first packet: the header is written with it.
        audio = container.add_stream("aac", rate=_AUDIO_RATE, layout="stereo") if spec.audio else None
        for frame in _frames(spec):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="bgr24")))
        container.mux(stream.encode(None))
        if audio is not None:
            _silence(container, audio, truth_of(spec).frames / float(spec.fps))
    return truth_of(spec)


_AUDIO_RATE = 44100


def _silence(container: av.container.OutputContainer, audio: av.AudioStream, seconds: float) -> None:
    rate, block = _AUDIO_RATE, 1024
    for start in range(0, int(seconds * rate), block):
        frame = av.AudioFrame.from_ndarray(np.zeros((2, block), dtype=np.float32), format="fltp", layout="stereo")
        frame.sample_rate, frame.pts = rate, start
        container.mux(audio.encode(frame))
    container.mux(audio.encode(None))
