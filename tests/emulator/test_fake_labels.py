"""StartLabelDetection / GetLabelDetection: the catalog's fourth entry and its settings."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import BUCKET, KEY, get_all, start

pytestmark = pytest.mark.integration

API = "StartLabelDetection"


def labels(fake, client, detections=40, get_params=None, **start_params):
    fake.script(BUCKET, KEY, API, detections=detections)
    job_id = start(client, API, **start_params)
    fake.complete_jobs([job_id])
    return get_all(client, API, job_id, **(get_params or {}))[0]


def settings(**filters):
    return {"GeneralLabels": filters}


def test_labels_carry_every_label_member_and_default_to_fifty_percent(fake, video, rekognition):
    elements = labels(fake, rekognition)
    assert len(elements) == 40
    for element in elements:
        assert set(element) == {"Timestamp", "Label"}
        assert set(element["Label"]) == {"Name", "Confidence", "Instances", "Parents", "Aliases", "Categories"}
        assert element["Label"]["Confidence"] >= 50
        assert all(instance["Confidence"] >= 50 for instance in element["Label"]["Instances"])
    assert any(element["Label"]["Instances"] for element in elements)


def test_min_confidence_is_honored(fake, video, rekognition):
    elements = labels(fake, rekognition, MinConfidence=90)
    assert elements and min(element["Label"]["Confidence"] for element in elements) >= 90


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        ({"LabelInclusionFilters": ["Car", "dog"]}, {"Car", "Dog"}),
        (
            {"LabelExclusionFilters": ["Person", "Car", "Dog", "Tree", "Building", "Road", "Sky"]},
            {"Bicycle", "Chair", "Cup"},
        ),
        ({"LabelCategoryInclusionFilters": ["Nature and Outdoors"]}, {"Tree", "Sky"}),
    ],
)
def test_label_filters_restrict_the_names(fake, video, rekognition, filters, allowed):
    elements = labels(fake, rekognition, Settings=settings(**filters))
    names = {element["Label"]["Name"] for element in elements}
    assert names and names <= allowed


def test_an_inclusion_filter_matching_nothing_detects_nothing(fake, video, rekognition):
    assert labels(fake, rekognition, Settings=settings(LabelInclusionFilters=["Unicorn"])) == []


def test_sorting_by_name_groups_labels_highest_confidence_first(fake, video, rekognition):
    elements = labels(fake, rekognition, get_params={"SortBy": "NAME", "MaxResults": 7})
    keys = [(element["Label"]["Name"], -element["Label"]["Confidence"]) for element in elements]
    assert keys == sorted(keys)


def test_segments_report_spans_instead_of_boxes(fake, video, rekognition):
    elements = labels(fake, rekognition, get_params={"AggregateBy": "SEGMENTS"})
    for element in elements:
        assert element["EndTimestampMillis"] - element["StartTimestampMillis"] == element["DurationMillis"] > 0
        assert element["Label"]["Instances"] == []


def test_responses_echo_the_request_metadata_and_model_version(fake, video, rekognition):
    job_id = start(rekognition, API)
    fake.complete_jobs()
    page = rekognition.get_label_detection(JobId=job_id, SortBy="NAME")
    assert page["GetRequestMetadata"] == {"SortBy": "NAME", "AggregateBy": "TIMESTAMPS"}
    assert page["LabelModelVersion"]


def test_person_instances_are_people_walking_through_the_video(fake, video, rekognition):
    elements = labels(
        fake, rekognition, detections=300, MinConfidence=40, Settings=settings(LabelInclusionFilters=["Person"])
    )
    assert {element["Label"]["Name"] for element in elements} == {"Person"}
    boxes = [instance for element in elements for instance in element["Label"]["Instances"]]
    assert boxes and all(instance["Confidence"] >= 40 for instance in boxes)
    # People stand upright: taller than wide in frame units, whatever the frame.
    assert all(instance["BoundingBox"]["Height"] > instance["BoundingBox"]["Width"] for instance in boxes)
    counts = {len(element["Label"]["Instances"]) for element in elements}
    assert max(counts) >= 3 and min(counts) < max(counts)  # crowds come and go
    # Partly hidden people are reported with low confidence, which the tracker's second stage needs.
    assert any(instance["Confidence"] < 70 for instance in boxes)


def test_person_instances_respect_the_requested_minimum_confidence(fake, video, rekognition):
    elements = labels(
        fake, rekognition, detections=300, MinConfidence=80, Settings=settings(LabelInclusionFilters=["Person"])
    )
    boxes = [instance for element in elements for instance in element["Label"]["Instances"]]
    assert boxes and min(instance["Confidence"] for instance in boxes) >= 80


def test_an_account_without_people_pathing_is_refused_and_label_detection_still_works(fake, video, rekognition):
    fake.people_pathing = False
    with pytest.raises(rekognition.exceptions.AccessDeniedException, match="People Pathing is no longer available"):
        start(rekognition, "StartPersonTracking")
    assert start(rekognition, API)
    assert fake.errors == [("StartPersonTracking", "AccessDeniedException")]
