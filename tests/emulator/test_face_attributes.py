"""The photometric face-attribute estimates (the fallback where the mesh sees no face): they answer
what the pixels show, on drawn faces."""

from __future__ import annotations

import cv2
import numpy as np

from emulator.vision.attributes import UNKNOWN_CONFIDENCE, pixel_estimates

SIZE = 200
SKIN = (150, 175, 210)  # BGR
EYES = {"eyeLeft": (70, 80), "eyeRight": (130, 80)}
NOSE = (100, 110)
MOUTH = {"mouthLeft": (80, 140), "mouthRight": (120, 140)}


def _landmarks() -> list[dict[str, float]]:
    named = {**EYES, "nose": NOSE, **MOUTH}
    return [{"Type": name, "X": x / SIZE, "Y": y / SIZE} for name, (x, y) in named.items()]


def _face(*, sunglasses: bool = False, eyes_open: bool = True, mouth_open: bool = False, beard: bool = False):
    image = np.full((SIZE, SIZE, 3), 40, dtype=np.uint8)
    cv2.ellipse(image, (100, 110), (70, 95), 0, 0, 360, SKIN, -1)
    for x, y in EYES.values():
        if sunglasses:
            cv2.rectangle(image, (x - 22, y - 12), (x + 22, y + 12), (15, 15, 15), -1)
        elif eyes_open:
            cv2.ellipse(image, (x, y), (14, 7), 0, 0, 360, (245, 245, 245), -1)
            cv2.circle(image, (x, y), 5, (30, 20, 10), -1)
        else:
            cv2.line(image, (x - 14, y), (x + 14, y), (110, 130, 160), 1)
    if beard:
        cv2.ellipse(image, (100, 175), (55, 25), 0, 0, 360, (30, 35, 45), -1)
    if mouth_open:
        cv2.ellipse(image, (100, 140), (18, 10), 0, 0, 360, (20, 10, 40), -1)
    else:
        cv2.line(image, (82, 140), (118, 140), (90, 90, 160), 2)
    return image


def test_open_eyes_closed_eyes_and_dark_glasses_are_told_apart():
    open_eyes = pixel_estimates(_face(), _landmarks())
    closed = pixel_estimates(_face(eyes_open=False), _landmarks())
    glasses = pixel_estimates(_face(sunglasses=True), _landmarks())
    assert open_eyes["EyesOpen"]["Value"] and not open_eyes["Sunglasses"]["Value"]
    assert not closed["EyesOpen"]["Value"]
    assert glasses["Sunglasses"]["Value"] and glasses["Eyeglasses"]["Value"]


def test_an_open_mouth_and_a_beard_are_seen():
    plain = pixel_estimates(_face(), _landmarks())
    talking = pixel_estimates(_face(mouth_open=True, beard=True), _landmarks())
    assert not plain["MouthOpen"]["Value"] and not plain["Beard"]["Value"]
    assert talking["MouthOpen"]["Value"] and talking["Beard"]["Value"]


def test_estimates_never_claim_more_than_their_cap_and_unknowns_say_so():
    attributes = pixel_estimates(_face(sunglasses=True, mouth_open=True, beard=True), _landmarks())
    for member in ("Sunglasses", "Eyeglasses", "Beard", "Mustache", "EyesOpen", "MouthOpen"):
        assert UNKNOWN_CONFIDENCE <= attributes[member]["Confidence"] <= 75  # rules on pixels, not a model
    assert attributes["Smile"]["Confidence"] == UNKNOWN_CONFIDENCE
    assert attributes["Gender"]["Confidence"] == UNKNOWN_CONFIDENCE
    assert len({emotion["Confidence"] for emotion in attributes["Emotions"]}) == 1
