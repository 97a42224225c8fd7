"""Faces kept only when found again on a neighbouring sampled frame; small videos scanned upsampled."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.vision.continuity import steady_faces
from emulator.vision.faces import upsampling


@dataclass(frozen=True)
class Seen:
    box: dict[str, float]


def _face(left: float, top: float = 0.2, width: float = 0.05, height: float = 0.12) -> Seen:
    return Seen({"Left": left, "Top": top, "Width": width, "Height": height})


def test_a_face_found_on_one_sampled_frame_only_is_dropped():
    wheel = _face(0.1, 0.7)
    frames = [[], [wheel], []]
    assert steady_faces(frames) == [[], [], []]


def test_a_face_that_moves_two_widths_between_samples_is_kept_on_both():
    walker_then, walker_now = _face(0.40), _face(0.50)
    assert steady_faces([[walker_then], [walker_now]]) == [[walker_then], [walker_now]]


def test_a_neighbour_of_another_size_or_far_away_does_not_count():
    face = _face(0.40)
    far = _face(0.80)
    twice_as_big = _face(0.40, width=0.1, height=0.24)
    assert steady_faces([[face], [far]]) == [[], []]
    assert steady_faces([[face], [twice_as_big]]) == [[], []]


def test_a_video_of_one_sampled_frame_keeps_its_faces():
    face = _face(0.4)
    assert steady_faces([[face]]) == [[face]]


def test_small_videos_are_upsampled_within_a_pixel_budget_and_large_ones_never():
    assert upsampling(144, 176) == 2  # carphone: doubled twice
    assert upsampling(272, 640) == 2  # a street scene whose faces are 27 pixels wide
    assert upsampling(360, 640) == 1  # twice would scan 2560x1440: over the budget
    assert upsampling(540, 960) == 0  # HD, downscaled for faces: scanned as it is
