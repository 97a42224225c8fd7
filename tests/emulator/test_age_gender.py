"""Age range and gender from the trained networks (Cydral Technology's, dlib-models, CC0-1.0) on real
faces: the carphone clip's man, an adult, in every sampled frame; bikes' three men."""

from __future__ import annotations

import numpy as np
import pytest

from emulator.vision import models
from emulator.vision.age_gender import AgeGenderEstimator, age_range
from emulator.vision.decode import sample
from emulator.vision.examination import Examiner
from emulator.vision.models import ModelMissingError
from emulator.vision.real_clips import real_clips


@pytest.fixture(scope="module")
def estimator() -> AgeGenderEstimator:
    return AgeGenderEstimator()


def _estimates(estimator: AgeGenderEstimator, name: str) -> list:
    [clip] = [clip for clip in real_clips() if clip.name == name]
    assert clip.faces is not None
    frames = {frame.timestamp_ms: frame.image for frame in sample(str(clip.path), clip.every_ms)}
    return [estimator.estimate(frames[timestamp], box) for timestamp, boxes in clip.faces.items() for box in boxes]


def test_the_man_in_the_car_is_an_adult_man_in_every_frame(estimator):
    estimates = _estimates(estimator, "carphone_pristine.mp4")
    assert len(estimates) == 20
    for estimate in estimates:
        assert estimate is not None
        assert estimate.gender == "Male" and estimate.gender_confidence > 90
        assert 18 <= estimate.age_low <= estimate.age_high <= 60


def test_the_men_in_the_street_are_mostly_men_though_small(estimator):
    estimates = [estimate for estimate in _estimates(estimator, "bikes.mp4") if estimate is not None]
    men = sum(estimate.gender == "Male" for estimate in estimates)
    assert men >= 0.8 * len(estimates) and len(estimates) == 11


def test_the_range_is_the_middle_of_the_belief_and_holds_the_expected_age():
    peaked = np.zeros(81)
    peaked[30] = 1.0
    assert age_range(peaked) == (30, 30)
    spread = np.zeros(81)
    spread[20:41] = 1.0 / 21
    low, high = age_range(spread)
    assert 23 <= low <= 25 and 35 <= high <= 37
    skewed = np.zeros(81)
    skewed[[20, 70]] = (0.85, 0.15)  # both percentiles fall on 20, the expected age (27.5) above them
    low, high = age_range(skewed)
    assert (low, high) == (20, 28)  # widened from (20, 20) to hold 27.5


def test_a_face_box_with_no_pixels_has_no_estimate(estimator):
    frame = np.zeros((144, 176, 3), dtype=np.uint8)
    assert estimator.estimate(frame, {"Left": 0.5, "Top": 0.5, "Width": 0.0, "Height": 0.0}) is None


def test_missing_networks_fail_the_analyzer_when_built_naming_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv(models.MODELS_DIRECTORY_VARIABLE, str(tmp_path))
    with pytest.raises(ModelMissingError, match=r"age-v1\.onnx.*python -m emulator\.vision\.models"):
        AgeGenderEstimator()
    with pytest.raises(ModelMissingError):
        Examiner(200)
