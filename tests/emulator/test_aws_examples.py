"""AWS's published response examples (tests/data/aws_examples): each names its source and fits the model."""

from __future__ import annotations

import pytest

from emulator import assert_conforms
from emulator.resemblance import structure_gaps
from tests.emulator.conftest import AWS_EXAMPLES, aws_example

pytestmark = pytest.mark.unit

NAMES = sorted(path.stem for path in AWS_EXAMPLES.glob("*.json"))


def test_the_examples_asked_for_by_issue_18_are_kept():
    wanted = {"get_label_detection", "get_label_detection_segments", "get_content_moderation", "get_face_search"}
    assert wanted <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_example_names_its_source_and_conforms_to_botocores_model(name):
    example = aws_example(name)
    assert "Amazon Rekognition Developer Guide" in example["source"]
    assert_conforms(example["operation"], example["response"])


def test_a_structure_gap_is_a_member_missing_a_type_changed_or_items_never_seen():
    example = {"Labels": [{"Label": {"Name": "Car", "Parents": [{"Name": "Vehicle"}]}, "Timestamp": 1000}]}
    assert (
        structure_gaps(
            example,
            {"Labels": [{"Label": {"Name": "Cup", "Parents": [{"Name": "Tableware"}]}, "Timestamp": 0, "Extra": 1}]},
        )
        == []
    )
    assert structure_gaps(example, {"Labels": [{"Label": {"Name": "Cup", "Parents": []}, "Timestamp": "0"}]}) == [
        "$.Labels[].Label.Parents[]: the example has it, ours never does",
        "$.Labels[].Timestamp: the example has a number, ours only string",
    ]
    assert (
        structure_gaps(
            example,
            {"Labels": [{"Label": {"Name": "Cup", "Parents": []}, "Timestamp": 0}]},
            unseen={"$.Labels[].Label.Parents[]"},
        )
        == []
    )


def test_a_member_on_every_object_of_the_example_must_be_on_every_one_of_ours():
    example = {"Persons": [{"Person": {}, "FaceMatches": []}, {"Person": {}}]}
    assert structure_gaps(example, {"Persons": [{"Person": {}}, {"Person": {}, "FaceMatches": []}]}) == []
    assert structure_gaps(example, {"Persons": [{"Person": {}}, {"FaceMatches": []}]}) == [
        "$.Persons[].Person: on every object of the example, missing on 1 of our 2"
    ]
