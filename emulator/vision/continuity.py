"""Faces that are really there: a face is kept when the detector finds it again on a neighbouring
sampled frame.

The face detector's threshold sits low so that small, blurred and turned faces are found; what it
then also finds (a bicycle wheel, a headlight's glare) comes and goes from one sampled frame to the
next, while a real face stays for a few hundred milliseconds at least. A face counts as found again
when a face of about its size lies within a few of its widths on the frame before or after: people
move, and a face crossing the frame travels more than its width between samples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

# A neighbour's height is within this factor of the face's...
MAX_SIZE_RATIO = 1.6
# ...and its centre within this many face widths (a walker crossing a street scene moves about two).
MAX_TRAVEL_IN_WIDTHS = 2.5


class HasBox(Protocol):
    @property
    def box(self) -> Mapping[str, float]: ...


Face = TypeVar("Face", bound=HasBox)


def _centre(box: Mapping[str, float]) -> tuple[float, float]:
    return box["Left"] + box["Width"] / 2, box["Top"] + box["Height"] / 2


def _near(face: Mapping[str, float], other: Mapping[str, float]) -> bool:
    small, large = sorted((face["Height"], other["Height"]))
    if small <= 0 or large / small > MAX_SIZE_RATIO:
        return False
    (x, y), (ox, oy) = _centre(face), _centre(other)
    reach = MAX_TRAVEL_IN_WIDTHS * max(face["Width"], other["Width"])
    return abs(x - ox) <= reach and abs(y - oy) <= reach


def steady_faces(frames: Sequence[Sequence[Face]]) -> list[list[Face]]:
    """Per sampled frame, the faces found again on the frame before or after. A video with a single
    sampled frame has no neighbour to ask: its faces are all kept."""
    if len(frames) < 2:
        return [list(faces) for faces in frames]
    kept: list[list[Face]] = []
    for number, faces in enumerate(frames):
        neighbours = [
            other.box for near in (number - 1, number + 1) if 0 <= near < len(frames) for other in frames[near]
        ]
        kept.append([face for face in faces if any(_near(face.box, other) for other in neighbours)])
    return kept
