"""The read side answers exactly as it did before results were packed by time window and appearance.

`tests/data/read_answers.json` was captured from the per-detection layout (one item per detection,
by-entity index per detection) before the packed layout replaced it; the same data stored today
must give the same pages: the same detections, in the same order, split into the same pages, with a
cursor exactly where there was one.
"""

from __future__ import annotations

import json

import pytest
from moto import mock_aws

from tests.read_answers import GOLDEN, answers, stored_repository


@pytest.fixture(scope="module")
def found() -> dict:
    with mock_aws():
        return answers(stored_repository())


def test_every_answer_of_the_per_detection_layout_is_given_unchanged(found):
    expected = json.loads(GOLDEN.read_text())
    assert sorted(found) == sorted(expected)
    changed = [key for key in expected if found[key] != expected[key]]
    assert not changed, f"{len(changed)} answers changed, first {changed[0]}: {found[changed[0]]}"
