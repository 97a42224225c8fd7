"""The developer guide's GetFaceSearch example: the emulator's bodies have its structure, and a face
indexed as the example's ("image.PNG") is matched with the members the example shows."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from emulator import RekognitionVideoFake, assert_conforms
from emulator.resemblance import assert_resembles, structure_gaps
from emulator.vision.face_search import DetectedFaceFinder, FaceSearchAnalyzer
from tests.emulator.conftest import (
    BUCKET,
    COLLECTION_ID,
    KEY,
    aws_example,
    create_collection,
    face_description,
    serving_clip,
    wire_page,
)
from tests.emulator.test_real_face_search import portrait

pytestmark = pytest.mark.integration

API = "StartFaceSearch"
EXAMPLE = aws_example("get_face_search")


def test_the_synthetic_body_has_the_examples_structure(fake, video):
    create_collection(fake, {"ada": 10, "grace": 200})
    fake.script(BUCKET, KEY, API, detections=12)
    page = wire_page(fake, API, {"MaxResults": 2})
    assert_conforms("GetFaceSearch", page)
    assert_resembles(EXAMPLE["response"], page)


def test_a_face_indexed_as_the_examples_is_matched_as_the_example_shows(fake, video):
    theirs = EXAMPLE["response"]["Persons"][0]
    create_collection(fake, {theirs["FaceMatches"][0]["Face"]["ExternalImageId"]: 10})
    ours = wire_page(fake, API)["Persons"]
    assert ours
    for element in ours:
        (match,) = element["FaceMatches"]
        assert sorted(match["Face"]) == sorted(theirs["FaceMatches"][0]["Face"])
        assert match["Face"]["ExternalImageId"] == "image.PNG"
        assert sorted(element["Person"]) == sorted(theirs["Person"])
        assert face_description(element["Person"]["Face"]) == face_description(theirs["Person"]["Face"])


@pytest.fixture
def real(aws: None, clip) -> Iterator[RekognitionVideoFake]:
    with serving_clip(clip, {API: FaceSearchAnalyzer(finder=DetectedFaceFinder())}) as instance:
        yield instance


def test_the_real_analyzers_body_has_the_examples_structure(real, clip):
    encoded = portrait(clip)
    real.handle("CreateCollection", {"CollectionId": COLLECTION_ID})
    real.handle(
        "IndexFaces",
        {
            "CollectionId": COLLECTION_ID,
            "Image": {"Bytes": base64.b64encode(encoded).decode()},
            "ExternalImageId": "ada",
        },
    )
    page = wire_page(real, API, {"MaxResults": 5}, FaceMatchThreshold=60)
    if not page["Persons"]:
        pytest.fail("nobody found: the structure would say nothing")
    assert structure_gaps(EXAMPLE["response"], page) == []
