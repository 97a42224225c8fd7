"""StartTextDetection / GetTextDetection through boto3: filters, paging, validation, tokens, notices."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import BUCKET, KEY, get, get_all, start

pytestmark = pytest.mark.integration

API = "StartTextDetection"


def texts(fake, client, detections=30, **start_params):
    fake.script(BUCKET, KEY, API, detections=detections)
    job_id = start(client, API, **start_params)
    fake.complete_jobs([job_id])
    return job_id, get_all(client, API, job_id, MaxResults=8)[0]


def test_lines_come_first_at_each_instant_and_words_point_to_them(fake, video, rekognition):
    job_id, found = texts(fake, rekognition)
    instants: dict[int, list[dict]] = {}
    for element in found:
        instants.setdefault(element["Timestamp"], []).append(element["TextDetection"])
    assert len(instants) == 30 and list(instants) == sorted(instants)
    for detections in instants.values():
        lines = [detection for detection in detections if detection["Type"] == "LINE"]
        words = [detection for detection in detections if detection["Type"] == "WORD"]
        assert detections == lines + words
        assert [detection["Id"] for detection in detections] == list(range(len(detections)))
        for line in lines:
            children = [word["DetectedText"] for word in words if word["ParentId"] == line["Id"]]
            assert " ".join(children) == line["DetectedText"]
        for detection in detections:
            box, polygon = detection["Geometry"]["BoundingBox"], detection["Geometry"]["Polygon"]
            assert len(polygon) == 4 and box["Left"] == min(point["X"] for point in polygon)
    assert get(rekognition, API, job_id)["TextModelVersion"] == "3.0"


def test_the_word_filter_applies(fake, video, rekognition):
    _, found = texts(fake, rekognition, Filters={"WordFilter": {"MinConfidence": 95, "MinBoundingBoxHeight": 0.06}})
    words = [element["TextDetection"] for element in found if element["TextDetection"]["Type"] == "WORD"]
    assert words and all(word["Confidence"] >= 95 for word in words)
    assert all(word["Geometry"]["BoundingBox"]["Height"] >= 0.06 for word in words)


def test_regions_of_interest_restrict_where_text_is_read(fake, video, rekognition):
    top = {"BoundingBox": {"Left": 0.0, "Top": 0.0, "Width": 1.0, "Height": 0.3}}
    _, found = texts(fake, rekognition, Filters={"RegionsOfInterest": [top]})
    assert found
    for element in found:
        box = element["TextDetection"]["Geometry"]["BoundingBox"]
        if element["TextDetection"]["Type"] == "WORD":
            assert box["Top"] + box["Height"] / 2 <= 0.3


@pytest.mark.parametrize(
    ("filters", "fragment"),
    [
        ({"WordFilter": {"MinConfidence": 101}}, "at 'filters.wordFilter.minConfidence'"),
        ({"WordFilter": {"MinBoundingBoxWidth": 1.5}}, "at 'filters.wordFilter.minBoundingBoxWidth'"),
        (
            {"RegionsOfInterest": [{"BoundingBox": {"Left": 0, "Top": 0, "Width": 1, "Height": 1}}] * 11},
            "at 'filters.regionsOfInterest' failed to satisfy constraint: "
            "Member must have length less than or equal to 10",
        ),
    ],
    ids=["confidence", "width", "too-many-regions"],
)
def test_invalid_filters_are_validation_errors(fake, video, unvalidated, filters, fragment):
    with pytest.raises(unvalidated.exceptions.ClientError) as raised:
        start(unvalidated, API, Filters=filters)
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException" and fragment in error["Message"]


def test_a_token_replays_the_job_and_the_notification_names_the_operation(fake, video, rekognition, channel):
    first = start(
        rekognition, API, ClientRequestToken="text-1", JobTag="ocr", NotificationChannel=channel.notification_channel
    )
    again = start(
        rekognition, API, ClientRequestToken="text-1", JobTag="ocr", NotificationChannel=channel.notification_channel
    )
    assert again == first
    with pytest.raises(rekognition.exceptions.IdempotentParameterMismatchException):
        start(rekognition, API, ClientRequestToken="text-1", JobTag="other")
    fake.complete_jobs()
    (message,) = channel.messages()
    assert (message["JobId"], message["API"], message["JobTag"]) == (first, API, "ocr")
