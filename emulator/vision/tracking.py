"""A greedy IoU tracker: gives each person a stable index across sampled frames."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Box = Mapping[str, float]


def iou(first: Box, second: Box) -> float:
    left = max(first["Left"], second["Left"])
    top = max(first["Top"], second["Top"])
    right = min(first["Left"] + first["Width"], second["Left"] + second["Width"])
    bottom = min(first["Top"] + first["Height"], second["Top"] + second["Height"])
    overlap = max(0.0, right - left) * max(0.0, bottom - top)
    union = first["Width"] * first["Height"] + second["Width"] * second["Height"] - overlap
    return overlap / union if union > 0 else 0.0


@dataclass(slots=True)
class _Track:
    index: int
    box: Box
    missed: int = 0


class IouTracker:
    """Matches each frame's boxes to live tracks, highest overlap first; unmatched boxes open new tracks.

    A track survives `max_missed` frames without a match, so a detector blinking for a frame or two
    does not split one person into two indexes.
    """

    def __init__(self, min_iou: float = 0.3, max_missed: int = 3) -> None:
        self._min_iou = min_iou
        self._max_missed = max_missed
        self._tracks: list[_Track] = []
        self._next_index = 0

    def update(self, boxes: Sequence[Box]) -> list[int]:
        """The track index of each box, in the order given."""
        pairs = sorted(
            (
                (iou(track.box, box), track_number, box_number)
                for track_number, track in enumerate(self._tracks)
                for box_number, box in enumerate(boxes)
            ),
            reverse=True,
        )
        assigned: dict[int, int] = {}
        used_tracks: set[int] = set()
        for overlap, track_number, box_number in pairs:
            if overlap < self._min_iou:
                break
            if track_number in used_tracks or box_number in assigned:
                continue
            used_tracks.add(track_number)
            assigned[box_number] = track_number
        for track_number, track in enumerate(self._tracks):
            track.missed = 0 if track_number in used_tracks else track.missed + 1
        indexes: list[int] = []
        for box_number, box in enumerate(boxes):
            if box_number in assigned:
                track = self._tracks[assigned[box_number]]
                track.box = box
            else:
                track = _Track(self._next_index, box)
                self._next_index += 1
                self._tracks.append(track)
            indexes.append(track.index)
        self._tracks = [track for track in self._tracks if track.missed <= self._max_missed]
        return indexes
