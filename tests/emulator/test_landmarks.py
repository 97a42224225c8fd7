"""The landmarks of a face as the service gives them: five with FaceAttributes=DEFAULT, thirty with ALL
(emulator/landmarks.py has the evidence), from the synthetic fake and from the real analyzer."""

from __future__ import annotations

import math

import pytest

from emulator.draw import Draw
from emulator.features import face_detail, tracked_box
from emulator.landmarks import ALL_LANDMARKS, DEFAULT_LANDMARKS, FACE_TEMPLATE, every_landmark
from emulator.vision.analyzers import FaceAnalyzer, Sampling, analyze_file
from emulator.vision.real_clips import real_clips

FIVE = [
    {"Type": "eyeLeft", "X": 0.4, "Y": 0.4},
    {"Type": "eyeRight", "X": 0.6, "Y": 0.4},
    {"Type": "nose", "X": 0.5, "Y": 0.5},
    {"Type": "mouthLeft", "X": 0.43, "Y": 0.6},
    {"Type": "mouthRight", "X": 0.57, "Y": 0.6},
]


def by_type(landmarks):
    return {mark["Type"]: (mark["X"], mark["Y"]) for mark in landmarks}


def in_eye_frame(landmarks, width=1.0, height=1.0):
    """Each landmark as (across, down) in eye distances from midway between the eyes."""
    points = {name: (x * width, y * height) for name, (x, y) in by_type(landmarks).items()}
    (ax, ay), (bx, by) = points["eyeLeft"], points["eyeRight"]
    dx, dy = bx - ax, by - ay
    squared = dx * dx + dy * dy
    mid_x, mid_y = (ax + bx) / 2, (ay + by) / 2
    return {
        name: (((x - mid_x) * dx + (y - mid_y) * dy) / squared, ((y - mid_y) * dx - (x - mid_x) * dy) / squared)
        for name, (x, y) in points.items()
    }


@pytest.mark.unit
def test_thirty_in_the_services_order_with_the_five_kept_and_the_pupils_at_the_eyes():
    thirty = every_landmark(FIVE)
    assert [mark["Type"] for mark in thirty] == list(ALL_LANDMARKS)
    assert len(set(ALL_LANDMARKS)) == 30 and set(DEFAULT_LANDMARKS) <= set(ALL_LANDMARKS)
    placed = by_type(thirty)
    assert {name: placed[name] for name in DEFAULT_LANDMARKS} == by_type(FIVE)
    assert placed["leftPupil"] == placed["eyeLeft"] and placed["rightPupil"] == placed["eyeRight"]


@pytest.mark.unit
def test_the_template_turns_and_scales_with_the_eyes_in_the_frames_pixels():
    """A face rolled 30 degrees in a 16:9 frame: every placed point keeps its place relative to the eyes."""
    width, height, span, roll = 1280.0, 720.0, 100.0, math.radians(30)
    centre = (640.0, 300.0)
    half = (span / 2 * math.cos(roll), span / 2 * math.sin(roll))
    eyes = [(centre[0] - half[0], centre[1] - half[1]), (centre[0] + half[0], centre[1] + half[1])]
    five = [
        {"Type": name, "X": x / width, "Y": y / height}
        for name, (x, y) in zip(("eyeLeft", "eyeRight"), eyes, strict=True)
    ] + [mark for mark in FIVE if mark["Type"] not in ("eyeLeft", "eyeRight")]
    frame = in_eye_frame(every_landmark(five, width, height), width, height)
    for name, (across, down) in FACE_TEMPLATE.items():
        assert frame[name] == pytest.approx((across, down), abs=1e-3), name
    brows_run_left_to_right(frame)
    # Down is down the face: the chin is below the eyes' midpoint, offset toward the rolled side.
    chin = by_type(every_landmark(five, width, height))["chinBottom"]
    assert chin[1] * height > centre[1] + span and chin[0] * width < centre[0]


@pytest.mark.unit
def test_the_synthetic_fake_gives_thirty_with_all_and_the_same_five_with_default():
    box = tracked_box(3, 0, 5, (1.1, 1.5))
    every = face_detail(Draw(3, 2, 5), box, all_attributes=True)
    default = face_detail(Draw(3, 2, 5), box, all_attributes=False)
    assert [mark["Type"] for mark in every["Landmarks"]] == list(ALL_LANDMARKS)
    assert [mark["Type"] for mark in default["Landmarks"]] == list(DEFAULT_LANDMARKS)
    assert {name: by_type(every["Landmarks"])[name] for name in DEFAULT_LANDMARKS} == by_type(default["Landmarks"])
    assert all(0.0 <= mark["X"] <= 1.0 and 0.0 <= mark["Y"] <= 1.0 for mark in every["Landmarks"])


@pytest.mark.integration
def test_the_real_analyzer_places_the_thirty_with_face_mesh_where_the_template_says_a_face_has_them():
    clip = next(clip for clip in real_clips() if clip.name.startswith("carphone"))
    analyzer = FaceAnalyzer(Sampling(every_ms=1000))
    every = analyze_file(analyzer, "StartFaceDetection", clip.path, params={"FaceAttributes": "ALL"})
    default = analyze_file(analyzer, "StartFaceDetection", clip.path)
    assert every and len(every) == len(default)
    for with_all, plain in zip(every, default, strict=True):
        landmarks = with_all["Face"]["Landmarks"]
        assert [mark["Type"] for mark in landmarks] == list(ALL_LANDMARKS)
        assert {name: by_type(landmarks)[name] for name in DEFAULT_LANDMARKS} == by_type(plain["Face"]["Landmarks"])
        # Measured by the mesh, not the template copied: each point near, almost none exactly on, its
        # template place (a frontal face: within a quarter of the eyes' distance; what an open mouth
        # moves - he gasps - within half of it).
        frame = in_eye_frame(landmarks, 176, 144)
        for name, expected in FACE_TEMPLATE.items():
            moves = name.startswith("mouth") or "Jawline" in name or name == "chinBottom"
            assert frame[name] == pytest.approx(expected, abs=0.5 if moves else 0.25), (with_all["Timestamp"], name)
        assert sum(frame[name] != pytest.approx(expected, abs=1e-3) for name, expected in FACE_TEMPLATE.items()) > 20
        brows_run_left_to_right(frame)


def brows_run_left_to_right(frame):
    """Each brow's points, as in the captured response: Left, Right, Up from the image's left to right."""
    for brow in ("leftEyeBrow", "rightEyeBrow"):
        assert frame[f"{brow}Left"][0] < frame[f"{brow}Right"][0] < frame[f"{brow}Up"][0], brow
