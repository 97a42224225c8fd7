"""The emotion rules on blendshape coefficients (emulator/vision/emotions.py), each held to the facial
actions FACS pairs with its emotion, on coefficients set by hand (no model runs here)."""

from __future__ import annotations

import numpy as np
import pytest

from emulator.features import EMOTIONS
from emulator.vision.emotions import emotions, evidences
from emulator.vision.face_landmarker import BLENDSHAPE_LANDMARKS, BLENDSHAPE_NAMES, MESH_POINTS, Expression


def _face(**actions: float) -> Expression:
    """A face showing these actions (both sides for a per-side name without Left/Right), nothing else."""
    coefficients = dict.fromkeys(BLENDSHAPE_NAMES, 0.0)
    for name, value in actions.items():
        sides = [side for side in (f"{name}Left", f"{name}Right") if side in coefficients]
        for key in sides or [name]:
            assert key in coefficients, key
            coefficients[key] = value
    return Expression(np.zeros((MESH_POINTS, 2)), coefficients)


def _leading(face: Expression) -> str:
    return str(max(emotions(face), key=lambda emotion: emotion["Confidence"])["Type"])


PROTOTYPES = {
    "HAPPY": {"mouthSmile": 0.8, "cheekSquint": 0.4},  # AU6+12
    "SURPRISED": {"browInnerUp": 0.8, "browOuterUp": 0.8, "eyeWide": 0.6, "jawOpen": 0.6},  # AU1+2+5+26
    "FEAR": {"browInnerUp": 0.8, "eyeWide": 0.8, "mouthStretch": 0.8},  # AU1+5+20
    "SAD": {"browInnerUp": 0.7, "mouthFrown": 0.7},  # AU1+15
    "ANGRY": {"browDown": 0.7, "eyeSquint": 0.5, "mouthPress": 0.5},  # AU4+7+24
    "DISGUSTED": {"noseSneer": 0.7, "mouthUpperUp": 0.7},  # AU9+10
    "CONFUSED": {"browOuterUpLeft": 0.8},  # one brow raised, the other not
    "CALM": {},
}


@pytest.mark.parametrize("emotion", PROTOTYPES)
def test_each_emotions_facial_actions_make_it_lead(emotion):
    assert _leading(_face(**PROTOTYPES[emotion])) == emotion


def test_all_eight_most_confident_first_as_the_service_orders_them_summing_to_100():
    for actions in PROTOTYPES.values():
        answer = emotions(_face(**actions))
        assert sorted(emotion["Type"] for emotion in answer) == sorted(EMOTIONS)
        confidences = [emotion["Confidence"] for emotion in answer]
        assert confidences == sorted(confidences, reverse=True)
        assert sum(confidences) == pytest.approx(100, abs=0.01)
    at_rest = emotions(_face())
    assert at_rest[0] == {"Type": "CALM", "Confidence": 100.0}
    # Ties keep the enum's order.
    assert [emotion["Type"] for emotion in at_rest[1:]] == [name for name in EMOTIONS if name != "CALM"]


def test_an_emotion_leads_exactly_when_its_evidence_passes_one_half():
    for smile in (0.45, 0.49):
        assert _leading(_face(mouthSmile=smile)) == "CALM"
    for smile in (0.51, 0.55):
        assert _leading(_face(mouthSmile=smile)) == "HAPPY"
    assert evidences(_face(mouthSmile=0.3))["CALM"] == pytest.approx(0.7)


def test_one_action_is_not_an_emotion_its_prototype_needs_two_for():
    # A raised upper lip alone is common at rest (the carphone clip: up to 0.48); disgust needs the nose too.
    assert _leading(_face(mouthUpperUp=0.9)) == "CALM"
    # Raised inner brows alone are neither sad nor afraid; lip corners pulled down alone are not sad.
    assert _leading(_face(browInnerUp=0.9)) == "CALM"
    assert _leading(_face(mouthFrown=0.9)) == "CALM"
    # Surprise shows in either area: the dropped jaw alone, or the raised brows and wide eyes alone.
    assert _leading(_face(jawOpen=0.7)) == "SURPRISED"
    assert _leading(_face(browInnerUp=0.8, browOuterUp=0.8, eyeWide=0.8)) == "SURPRISED"
    # Stretched lips under raised brows and wide eyes turn surprise into fear.
    assert _leading(_face(browInnerUp=0.8, eyeWide=0.8, mouthStretch=0.9)) == "FEAR"


def test_the_blendshape_model_reads_146_points_and_answers_52_names():
    assert len(BLENDSHAPE_LANDMARKS) == 146 == len(set(BLENDSHAPE_LANDMARKS))
    assert list(BLENDSHAPE_LANDMARKS) == sorted(BLENDSHAPE_LANDMARKS)
    assert max(BLENDSHAPE_LANDMARKS) == MESH_POINTS - 1  # the last iris point
    assert len(BLENDSHAPE_NAMES) == 52 == len(set(BLENDSHAPE_NAMES))
    assert BLENDSHAPE_NAMES[9:11] == ("eyeBlinkLeft", "eyeBlinkRight")
    assert BLENDSHAPE_NAMES[25] == "jawOpen"
