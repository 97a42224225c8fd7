"""Accuracy check: the real analyzers against a generated clip whose faces and people are known."""

from __future__ import annotations

from emulator.vision.accuracy import score
from emulator.vision.analyzers import FaceAnalyzer, PersonAnalyzer, Sampling, analyze_file
from emulator.vision.sample_clip import FACE, PERSON

EVERY_MS = 200


def test_faces_are_found_where_they_were_drawn(clip):
    path, truth = clip
    result = score(
        FACE, truth, analyze_file(FaceAnalyzer(Sampling(every_ms=EVERY_MS)), "StartFaceDetection", path), EVERY_MS
    )
    assert result.truths > 20
    assert result.recall >= 0.85, result
    assert result.precision >= 0.95, result
    assert result.mean_iou >= 0.6, result


def test_people_are_found_and_tracked_where_they_walk(clip):
    path, truth = clip
    result = score(
        PERSON, truth, analyze_file(PersonAnalyzer(Sampling(every_ms=EVERY_MS)), "StartPersonTracking", path), EVERY_MS
    )
    assert result.truths > 20
    assert result.recall >= 0.85, result
    assert result.precision >= 0.95, result
    assert result.mean_iou >= 0.6, result
    assert result.identity_switches == 0, result
