"""The developer guide's GetContentModeration example: the emulator's body has its structure, and each
label comes as the example shows it, with its parent at the same instant and the same confidence."""

from __future__ import annotations

from itertools import groupby

import pytest

from emulator import assert_conforms
from emulator.resemblance import assert_resembles
from emulator.synthetic_moderation import DETECTIONS
from tests.emulator.conftest import BUCKET, KEY, aws_example, get_all, start, wire_page

pytestmark = pytest.mark.integration

API = "StartContentModeration"
EXAMPLE = aws_example("get_content_moderation")


def chain_breaks(elements: list[dict]) -> list[str]:
    """Where a label is not followed, at its instant, by its parent at its confidence."""
    breaks = []
    for timestamp, found in groupby(elements, key=lambda element: element["Timestamp"]):
        labels = [element["ModerationLabel"] for element in found]
        for position, label in enumerate(labels):
            later = {(other["Name"], other["Confidence"]) for other in labels[position + 1 :]}
            if label["ParentName"] and (label["ParentName"], label["Confidence"]) not in later:
                breaks.append(f"{timestamp}: {label['Name']} without {label['ParentName']} at {label['Confidence']}")
    return breaks


def test_the_synthetic_body_has_the_examples_structure(fake, video):
    fake.script(BUCKET, KEY, API, detections=40)
    page = wire_page(fake, API, {"MaxResults": 5})
    assert_conforms("GetContentModeration", page)
    assert_resembles(EXAMPLE["response"], page)


def test_labels_come_with_their_parent_at_the_same_instant_and_confidence_as_in_the_example(fake, video, rekognition):
    theirs = EXAMPLE["response"]["ModerationLabels"]
    # The example's page ends (NextToken) before its last instant's parent: its whole instants obey.
    last = theirs[-1]["Timestamp"]
    assert chain_breaks([element for element in theirs if element["Timestamp"] != last]) == []
    fake.script(BUCKET, KEY, API, detections=60)
    job_id = start(rekognition, API)
    fake.complete_jobs([job_id])
    ours, _ = get_all(rekognition, API, job_id)
    assert ours and chain_breaks(ours) == []


def test_the_examples_label_is_in_the_vocabulary_under_todays_taxonomy():
    """The example predates taxonomy v7, which renamed its label's case and gave it a level-1 parent of
    its own ("Swimwear or Underwear", where v6 had "Suggestive")."""
    (name,) = {element["ModerationLabel"]["Name"] for element in EXAMPLE["response"]["ModerationLabels"]} - {
        "Suggestive"
    }
    chains = {detection[0].name.casefold(): detection for detection in DETECTIONS}
    label, parent = chains[name.casefold()]
    assert (label.parent, label.level, parent.parent, parent.level) == ("Swimwear or Underwear", 2, "", 1)
