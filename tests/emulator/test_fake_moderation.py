"""StartContentModeration / GetContentModeration: synthetic labels shaped like the service's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator import assert_conforms
from emulator.synthetic_moderation import DETECTIONS
from tests.emulator.conftest import BUCKET, KEY, get, get_all, start

pytestmark = pytest.mark.integration

API = "StartContentModeration"
TAXONOMY = {label.name: label for detection in DETECTIONS for label in detection}


def moderation(fake, client, detections=40, get_params=None, **start_params):
    fake.script(BUCKET, KEY, API, detections=detections)
    job_id = start(client, API, **start_params)
    fake.complete_jobs([job_id])
    return job_id, get_all(client, API, job_id, MaxResults=9, **(get_params or {}))[0]


def test_labels_carry_their_parent_and_level_and_parents_come_with_children(fake, video, rekognition):
    _, found = moderation(fake, rekognition)
    assert len(found) == 40
    by_instant: dict[int, set[str]] = {}
    for element in found:
        label = element["ModerationLabel"]
        assert set(label) == {"Confidence", "Name", "ParentName", "TaxonomyLevel"} and label["Confidence"] >= 50
        known = TAXONOMY[label["Name"]]
        assert (label["ParentName"], label["TaxonomyLevel"]) == (known.parent, known.level)
        by_instant.setdefault(element["Timestamp"], set()).add(label["Name"])
    for names in by_instant.values():
        assert {TAXONOMY[name].parent for name in names if TAXONOMY[name].parent} <= names


def test_the_developer_guides_chain_is_one_of_our_detections():
    example = json.loads(
        (Path(__file__).parents[1] / "data" / "aws_examples" / "detect_moderation_labels.json").read_text()
    )
    labels = example["response"]["ModerationLabels"]
    chain = [(label["Name"], label["ParentName"], label["TaxonomyLevel"]) for label in labels]
    assert chain in [[(label.name, label.parent, label.level) for label in detection] for detection in DETECTIONS]
    # The example's labels fit GetContentModeration's model too: the same ModerationLabel shape.
    assert_conforms(
        "GetContentModeration",
        {
            "ModerationLabels": [{"Timestamp": 0, "ModerationLabel": label} for label in labels],
            "ModerationModelVersion": "7.0",
        },
    )


def test_min_confidence_is_honored(fake, video, rekognition):
    _, found = moderation(fake, rekognition, MinConfidence=90)
    assert found and min(element["ModerationLabel"]["Confidence"] for element in found) >= 90


def test_sorting_by_name_and_segments(fake, video, rekognition):
    job_id, by_name = moderation(fake, rekognition, get_params={"SortBy": "NAME"})
    keys = [(element["ModerationLabel"]["Name"], -element["ModerationLabel"]["Confidence"]) for element in by_name]
    assert keys == sorted(keys)
    segments, _ = get_all(rekognition, API, job_id, AggregateBy="SEGMENTS")
    for element in segments:
        assert element["EndTimestampMillis"] - element["StartTimestampMillis"] == element["DurationMillis"] > 0
    page = get(rekognition, API, job_id, SortBy="NAME", AggregateBy="SEGMENTS")
    assert page["GetRequestMetadata"] == {"SortBy": "NAME", "AggregateBy": "SEGMENTS"}
    assert page["ModerationModelVersion"] == "7.0"


def test_validation_token_and_notification(fake, video, rekognition, unvalidated, channel):
    with pytest.raises(unvalidated.exceptions.ClientError, match="at 'minConfidence' failed to satisfy constraint"):
        start(unvalidated, API, MinConfidence=101)
    first = start(rekognition, API, ClientRequestToken="moderate-1", NotificationChannel=channel.notification_channel)
    assert (
        start(rekognition, API, ClientRequestToken="moderate-1", NotificationChannel=channel.notification_channel)
        == first
    )
    with pytest.raises(rekognition.exceptions.IdempotentParameterMismatchException):
        start(rekognition, API, ClientRequestToken="moderate-1", MinConfidence=70)
    fake.complete_jobs()
    (message,) = channel.messages()
    assert (message["JobId"], message["API"], message["Status"]) == (first, API, "SUCCEEDED")
