"""Real face search: IndexFaces with dlib's detector, StartFaceSearch matching the clip's drawn faces."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
import pytest

from emulator import RekognitionVideoFake
from emulator.vision.decode import frames_at
from emulator.vision.face_search import DetectedFaceFinder, FaceSearchAnalyzer
from emulator.vision.sample_clip import FACE
from tests.emulator import conftest
from tests.emulator.conftest import BUCKET, COLLECTION_ID, SINGLE_ATTEMPT, get_all, upload

pytestmark = pytest.mark.integration

API = "StartFaceSearch"


@pytest.fixture
def real(aws: None) -> Iterator[RekognitionVideoFake]:
    conftest.client("s3").create_bucket(Bucket=BUCKET)
    analyzer = FaceSearchAnalyzer(finder=DetectedFaceFinder())
    with RekognitionVideoFake(analyzers={API: analyzer}) as instance, instance.activate():
        yield instance


def portrait(clip) -> bytes:
    """The clip's first drawn face with a margin of half its size, as a user would photograph it."""
    path, truth = clip
    frame = frames_at(str(path), {0})[0]
    box = truth.at(FACE, 0)[0].box
    side, middle = int(box["Height"] * truth.height), int((box["Top"] + box["Height"] / 2) * truth.height)
    centre = int((box["Left"] + box["Width"] / 2) * truth.width)
    crop = frame[max(0, middle - side) : middle + side, max(0, centre - side) : centre + side]
    return bytes(cv2.imencode(".png", crop)[1].tobytes())


def test_the_collections_use_the_analyzers_face_finder(real):
    client = conftest.client("rekognition", SINGLE_ATTEMPT)
    client.create_collection(CollectionId=COLLECTION_ID)
    noise = np.random.default_rng(7).integers(0, 255, (120, 120, 3), dtype=np.uint8)
    blurred = cv2.GaussianBlur(noise, (9, 9), 0)
    no_face = bytes(cv2.imencode(".png", blurred)[1].tobytes())
    # The synthetic finder sees a face in any picture; dlib's sees none in noise.
    assert client.index_faces(CollectionId=COLLECTION_ID, Image={"Bytes": no_face})["FaceRecords"] == []
    with pytest.raises(client.exceptions.InvalidParameterException, match="no faces in the image"):
        client.search_faces_by_image(CollectionId=COLLECTION_ID, Image={"Bytes": no_face})


def test_face_search_finds_the_indexed_face_where_faces_are(real, clip):
    path, truth = clip
    client = conftest.client("rekognition", SINGLE_ATTEMPT)
    client.create_collection(CollectionId=COLLECTION_ID)
    indexed = client.index_faces(CollectionId=COLLECTION_ID, Image={"Bytes": portrait(clip)}, ExternalImageId="ada")
    (record,) = indexed["FaceRecords"]
    found = client.search_faces_by_image(CollectionId=COLLECTION_ID, Image={"Bytes": portrait(clip)})
    assert found["FaceMatches"][0]["Similarity"] > 99  # the same picture
    upload("clip.mp4", path.read_bytes())
    job_id = conftest.start(client, API, key="clip.mp4", FaceMatchThreshold=60)
    real.complete_jobs()
    persons, _ = get_all(client, API, job_id)
    assert len(persons) >= 10
    assert persons[0]["Timestamp"] == 0 and persons[0]["FaceMatches"][0]["Similarity"] > 90
    assert all(truth.at(FACE, person["Timestamp"]) for person in persons)  # never where no face is
    assert {person["Person"]["Index"] for person in persons} == {0}
    assert {m["Face"]["FaceId"] for person in persons for m in person["FaceMatches"]} == {record["Face"]["FaceId"]}
    assert all(match["Similarity"] >= 60 for person in persons for match in person["FaceMatches"])
