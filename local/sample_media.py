"""A real H.264 video for the dashboard's sample data, so its shot thumbnails have frames to show.

The other samples are headers only (`emulator.sample_video_bytes`): the synthetic analyzer reads no
frames. The every-analysis sample is the segment analyzer's generated edit (`emulator.vision.shot_clip`):
a dozen shots of their own colour, each captioned with its number and when it starts, so each
thumbnail shows which moment of the video it was taken from.
"""

from __future__ import annotations

import tempfile
from fractions import Fraction
from functools import cache
from pathlib import Path

from emulator.vision.shot_clip import EditSpec, render_edit

SHOTS = 12
SHOT_SECONDS = 5
FPS = 25


@cache
def scenes_video_bytes() -> bytes:
    """SHOTS shots of SHOT_SECONDS each, 320x180 H.264 in MP4 (small: it is encoded on every sample run)."""
    captions = tuple(f"Scene {number + 1}, 0:{number * SHOT_SECONDS:02d}" for number in range(SHOTS))
    spec = EditSpec(
        shots=(SHOT_SECONDS * FPS,) * SHOTS,
        black=(0,) * SHOTS,
        fps=Fraction(FPS),
        captions=captions,
    )
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "scenes.mp4"
        render_edit(path, spec)
        return path.read_bytes()
