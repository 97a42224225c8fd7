"""The developer guide's GetFaceDetection and GetCelebrityRecognition examples: the emulator's bodies
have their structure, and their faces are described with the example's members and landmarks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import RekognitionVideoFake, assert_conforms
from emulator.features import DEFAULT_FACE_KEYS
from emulator.resemblance import assert_resembles, structure_gaps
from emulator.vision.analyzers import CelebrityAnalyzer, FaceAnalyzer, Sampling
from emulator.vision.celebrities import FaceGallery
from tests.emulator.conftest import (
    BUCKET,
    KEY,
    aws_example,
    face_description,
    serving_clip,
    wire_page,
)
from tests.emulator.test_real_face_search import portrait

pytestmark = pytest.mark.integration

FACES = aws_example("get_face_detection")
CELEBRITIES = aws_example("get_celebrity_recognition")


@pytest.mark.parametrize(
    ("api", "example"), [("StartFaceDetection", FACES), ("StartCelebrityRecognition", CELEBRITIES)]
)
def test_synthetic_bodies_have_the_examples_structure(fake, video, api, example):
    fake.script(BUCKET, KEY, api, detections=12)
    page = wire_page(fake, api, {"MaxResults": 3})
    assert_conforms(example["operation"], page)
    assert_resembles(example["response"], page)


def test_faces_are_described_as_in_both_examples(fake, video):
    """FaceAttributes=DEFAULT: the examples' faces (and the celebrity's face) have exactly these members."""
    theirs = [element["Face"] for element in FACES["response"]["Faces"]]
    theirs.append(CELEBRITIES["response"]["Celebrities"][0]["Celebrity"]["Face"])
    assert {repr(face_description(face)) for face in theirs} == {repr(face_description(theirs[0]))}
    assert set(theirs[0]) == DEFAULT_FACE_KEYS
    for api, result_key in (("StartFaceDetection", "Faces"), ("StartCelebrityRecognition", "Celebrities")):
        fake.script(BUCKET, KEY, api, detections=12)
        for element in wire_page(fake, api)[result_key]:
            face = element["Face"] if result_key == "Faces" else element["Celebrity"]["Face"]
            assert face_description(face) == face_description(theirs[0])


@pytest.fixture
def real(aws: None, clip) -> Iterator[RekognitionVideoFake]:
    with serving_clip(clip, {"StartFaceDetection": FaceAnalyzer(Sampling(every_ms=400))}) as instance:
        yield instance


def test_the_real_face_analyzers_body_has_the_examples_structure(real):
    page = wire_page(real, "StartFaceDetection", {"MaxResults": 5})
    if not page["Faces"]:
        pytest.fail("no face found: the structure would say nothing")
    assert structure_gaps(FACES["response"], page) == []


def test_the_real_celebrity_analyzers_body_has_the_examples_structure(aws, clip, tmp_path: Path):
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    (gallery / "Ada Example.png").write_bytes(portrait(clip))
    analyzer = CelebrityAnalyzer(Sampling(every_ms=400), FaceGallery.from_directory(gallery))
    with serving_clip(clip, {"StartCelebrityRecognition": analyzer}) as fake:
        page = wire_page(fake, "StartCelebrityRecognition", {"MaxResults": 5})
    if not page["Celebrities"]:
        pytest.fail("nobody recognized: the structure would say nothing")
    assert structure_gaps(CELEBRITIES["response"], page) == []
