"""The developer guide's GetLabelDetection examples: the emulator's bodies have their structure, and the
labels, the request and the Person label they show are reproduced."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator import RekognitionVideoFake, assert_conforms, sample_video_bytes
from emulator.resemblance import assert_resembles
from emulator.vision.analyzers import PersonLabelAnalyzer, Sampling
from tests.emulator import conftest
from tests.emulator.conftest import BUCKET, KEY, aws_example, serving_clip, upload, wire_page

pytestmark = pytest.mark.integration

API = "StartLabelDetection"
EXAMPLE = aws_example("get_label_detection")
SEGMENTS_EXAMPLE = aws_example("get_label_detection_segments")
BY_SEGMENTS = {"AggregateBy": "SEGMENTS"}
# The Person label has no parents (the page's own Person sample: "Parents": []); the real analyzer finds
# no other label, so it never shows a parent's members.
NO_PARENTS = {"$.Labels[].Label.Parents[]"}


def _labels(page: dict) -> dict[str, dict]:
    return {element["Label"]["Name"]: element["Label"] for element in page["Labels"]}


@pytest.mark.parametrize(("example", "get_params"), [(EXAMPLE, {}), (SEGMENTS_EXAMPLE, BY_SEGMENTS)])
def test_synthetic_bodies_have_the_examples_structure(fake, video, example, get_params):
    fake.script(BUCKET, KEY, API, detections=40)
    page = wire_page(fake, API, get_params)
    assert_conforms("GetLabelDetection", page)
    assert_resembles(example["response"], page)


def test_the_examples_labels_are_the_vocabularys(fake, video):
    """Car, Cup and Bicycle, which the synthetic vocabulary has, come with the example's categories and
    aliases; their parents start with the example's (the API reference: all ancestors, so a car's
    Vehicle and Transportation, where the example shows Vehicle only)."""
    theirs = _labels(EXAMPLE["response"])
    fake.script(BUCKET, KEY, API, detections=60)
    ours = _labels(
        wire_page(fake, API, Settings={"GeneralLabels": {"LabelInclusionFilters": ["Car", "Cup", "Bicycle"]}})
    )
    assert set(ours) == {"Car", "Cup", "Bicycle"}
    for name, label in ours.items():
        assert (label["Categories"], label["Aliases"]) == (theirs[name]["Categories"], theirs[name]["Aliases"])
        assert label["Parents"][: len(theirs[name]["Parents"])] == theirs[name]["Parents"]


def test_the_examples_request_is_served_as_published(aws):
    """The page's StartLabelDetection request, unchanged: its bucket and key exist here, its topic does not
    (the notice is lost, as the service would lose it). Of the vocabulary, only Dog passes its filters."""
    request = EXAMPLE["start_request"]
    s3_object = request["Video"]["S3Object"]
    conftest.client("s3").create_bucket(Bucket=s3_object["Bucket"])
    upload(s3_object["Name"], sample_video_bytes(), bucket=s3_object["Bucket"])
    with RekognitionVideoFake() as fake, fake.activate():
        job_id = fake.handle(API, request)["JobId"]
        assert fake.handle(API, request)["JobId"] == job_id  # its ClientRequestToken, replayed
        fake.complete_jobs([job_id])
        page = fake.handle("GetLabelDetection", {"JobId": job_id})
    assert page["JobStatus"] == "SUCCEEDED" and page["JobTag"] == request["JobTag"]
    assert page["Labels"] and {label["Name"] for label in _labels(page).values()} == {"Dog"}
    confidences = [element["Label"]["Confidence"] for element in page["Labels"]] + [
        instance["Confidence"] for element in page["Labels"] for instance in element["Label"]["Instances"]
    ]
    assert min(confidences) >= request["MinConfidence"]
    assert [lost.job_id for lost in fake.lost_notifications] == [job_id]


def test_the_synthetic_person_label_is_the_pages_person_sample(fake, video):
    theirs = EXAMPLE["person_element"]
    fake.script(BUCKET, KEY, API, detections=30)
    elements = wire_page(fake, API, Settings={"GeneralLabels": {"LabelInclusionFilters": ["Person"]}})["Labels"]
    assert elements
    for element in elements:
        assert _without_measures(element) == _without_measures(theirs)


def _without_measures(element: dict) -> dict:
    """A label element's identity: its name and taxonomy, not where or how sure."""
    label = element["Label"]
    return {name: label[name] for name in ("Name", "Parents", "Aliases", "Categories")}


@pytest.fixture
def real(aws: None, clip) -> Iterator[RekognitionVideoFake]:
    with serving_clip(clip, {API: PersonLabelAnalyzer(Sampling(every_ms=400))}) as instance:
        yield instance


def test_the_real_analyzers_bodies_have_the_examples_structure_and_its_person_label(real):
    page = wire_page(real, API)
    assert_resembles(EXAMPLE["response"], page, unseen=NO_PARENTS)
    assert_resembles(EXAMPLE["person_element"], page["Labels"][0])
    assert {repr(_without_measures(element)) for element in page["Labels"]} == {
        repr(_without_measures(EXAMPLE["person_element"]))
    }
    segments = real.handle("GetLabelDetection", {"JobId": page["JobId"], **BY_SEGMENTS})
    assert_resembles(SEGMENTS_EXAMPLE["response"], segments, unseen=NO_PARENTS)
