"""Collections (Create/Describe/List/DeleteCollection, IndexFaces, ListFaces, DeleteFaces,
SearchFacesByImage) and StartFaceSearch / GetFaceSearch through boto3."""

from __future__ import annotations

import pytest

from emulator.clock import Clock
from emulator.face_collections import FaceCollections, FoundFace, SyntheticFaceFinder
from tests.emulator import conftest
from tests.emulator.conftest import BUCKET, COLLECTION_ID, create_collection, get, get_all, start
from tests.images import png

pytestmark = pytest.mark.integration

API = "StartFaceSearch"


def test_a_collection_is_created_once_described_listed_and_deleted(fake, rekognition):
    created = rekognition.create_collection(CollectionId=COLLECTION_ID)
    assert created["StatusCode"] == 200 and created["FaceModelVersion"] == "7.0"
    assert created["CollectionArn"] == f"aws:rekognition:us-east-1:123456789012:collection/{COLLECTION_ID}"
    with pytest.raises(rekognition.exceptions.ResourceAlreadyExistsException):
        rekognition.create_collection(CollectionId=COLLECTION_ID)
    described = rekognition.describe_collection(CollectionId=COLLECTION_ID)
    assert (described["FaceCount"], described["CollectionARN"]) == (0, created["CollectionArn"])
    for number in range(4):
        rekognition.create_collection(CollectionId=f"more-{number}")
    first = rekognition.list_collections(MaxResults=3)
    second = rekognition.list_collections(MaxResults=3, NextToken=first["NextToken"])
    assert first["CollectionIds"] + second["CollectionIds"] == sorted([COLLECTION_ID, *(f"more-{n}" for n in range(4))])
    assert "NextToken" not in second and second["FaceModelVersions"] == ["7.0", "7.0"]
    assert rekognition.delete_collection(CollectionId=COLLECTION_ID)["StatusCode"] == 200
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException, match="does not exist"):
        rekognition.describe_collection(CollectionId=COLLECTION_ID)


def test_faces_are_indexed_from_s3_or_bytes_listed_and_deleted(fake, s3, rekognition):
    rekognition.create_collection(CollectionId=COLLECTION_ID)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="people/ada.png", Body=png(10))
    from_s3 = rekognition.index_faces(
        CollectionId=COLLECTION_ID,
        Image={"S3Object": {"Bucket": BUCKET, "Name": "people/ada.png"}},
        ExternalImageId="ada",
        DetectionAttributes=["ALL"],
    )
    (record,) = from_s3["FaceRecords"]
    assert record["Face"]["ExternalImageId"] == "ada" and record["FaceDetail"]["AgeRange"]
    assert from_s3["UnindexedFaces"] == [] and from_s3["FaceModelVersion"] == "7.0"
    from_bytes = rekognition.index_faces(CollectionId=COLLECTION_ID, Image={"Bytes": png(200)}, ExternalImageId="grace")
    assert set(from_bytes["FaceRecords"][0]["FaceDetail"]) == {
        "BoundingBox",
        "Confidence",
        "Pose",
        "Quality",
        "Landmarks",
    }
    listed = rekognition.list_faces(CollectionId=COLLECTION_ID, MaxResults=1)
    rest = rekognition.list_faces(CollectionId=COLLECTION_ID, NextToken=listed["NextToken"])
    faces = listed["Faces"] + rest["Faces"]
    assert [face["ExternalImageId"] for face in faces] == ["ada", "grace"]
    assert all(face["IndexFacesModelVersion"] == "7.0" for face in faces)
    ada = faces[0]["FaceId"]
    only = rekognition.list_faces(CollectionId=COLLECTION_ID, FaceIds=[ada])["Faces"]
    assert [face["FaceId"] for face in only] == [ada]
    deleted = rekognition.delete_faces(
        CollectionId=COLLECTION_ID, FaceIds=[ada, "00000000-0000-4000-8000-000000000000"]
    )
    assert deleted["DeletedFaces"] == [ada]
    assert rekognition.describe_collection(CollectionId=COLLECTION_ID)["FaceCount"] == 1


def test_images_that_cannot_be_read_are_refused(fake, s3, rekognition):
    rekognition.create_collection(CollectionId=COLLECTION_ID)
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.index_faces(CollectionId=COLLECTION_ID, Image={"Bytes": b"GIF89a not a photo"})
    s3.create_bucket(Bucket=BUCKET)
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        rekognition.index_faces(CollectionId=COLLECTION_ID, Image={"S3Object": {"Bucket": BUCKET, "Name": "none.png"}})
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.index_faces(CollectionId="missing", Image={"Bytes": png(10)})


def test_search_faces_by_image_finds_the_same_person_above_the_threshold(fake, rekognition):
    ids = create_collection(fake, {"ada": 10, "grace": 200})
    found = rekognition.search_faces_by_image(CollectionId=COLLECTION_ID, Image={"Bytes": png(200)})
    assert [match["Face"]["FaceId"] for match in found["FaceMatches"]] == [ids["grace"]]
    assert found["FaceMatches"][0]["Similarity"] >= 80 and found["SearchedFaceConfidence"] > 90
    stranger = rekognition.search_faces_by_image(CollectionId=COLLECTION_ID, Image={"Bytes": png(77)})
    assert stranger["FaceMatches"] == []


def test_face_search_finds_the_collections_people_with_their_matches(fake, video, rekognition):
    ids = create_collection(fake, {"ada": 10, "grace": 200, "alan": 120})
    fake.script(BUCKET, conftest.KEY, API, detections=30)
    job_id = start(rekognition, API, FaceMatchThreshold=90)
    fake.complete_jobs()
    persons, _ = get_all(rekognition, API, job_id, MaxResults=7)
    assert len(persons) == 30
    by_index: dict[int, set[str]] = {}
    for element in persons:
        assert element["Person"]["Face"]["BoundingBox"] and element["FaceMatches"]
        assert all(match["Similarity"] >= 90 for match in element["FaceMatches"])
        by_index.setdefault(element["Person"]["Index"], set()).update(
            m["Face"]["FaceId"] for m in element["FaceMatches"]
        )
    # Each person index is one of the collection's people throughout the video.
    assert all(len(face_ids) == 1 for face_ids in by_index.values())
    assert {face_id for face_ids in by_index.values() for face_id in face_ids} <= set(ids.values())
    by_person, _ = get_all(rekognition, API, job_id, SortBy="INDEX")
    keys = [(element["Person"]["Index"], element["Timestamp"]) for element in by_person]
    assert keys == sorted(keys)


def test_face_search_needs_an_existing_collection_and_an_empty_one_finds_nobody(fake, video, rekognition):
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException, match="known-faces does not exist"):
        start(rekognition, API)
    create_collection(fake)
    job_id = start(rekognition, API)
    fake.complete_jobs()
    page = get(rekognition, API, job_id)
    assert page["JobStatus"] == "SUCCEEDED" and page["Persons"] == []


def test_face_search_tokens_notifications_and_validation(fake, video, rekognition, unvalidated, channel):
    create_collection(fake, {"ada": 10})
    first = start(rekognition, API, ClientRequestToken="search-1", NotificationChannel=channel.notification_channel)
    again = start(rekognition, API, ClientRequestToken="search-1", NotificationChannel=channel.notification_channel)
    assert again == first
    with pytest.raises(rekognition.exceptions.IdempotentParameterMismatchException):
        start(rekognition, API, ClientRequestToken="search-1", FaceMatchThreshold=99)
    fake.complete_jobs()
    (message,) = channel.messages()
    assert (message["JobId"], message["API"], message["Status"]) == (first, API, "SUCCEEDED")
    with pytest.raises(unvalidated.exceptions.ClientError, match="at 'collectionId' failed to satisfy constraint"):
        start(unvalidated, API, CollectionId="no spaces allowed")
    with pytest.raises(unvalidated.exceptions.ClientError, match="at 'externalImageId' failed to satisfy constraint"):
        unvalidated.index_faces(CollectionId=COLLECTION_ID, Image={"Bytes": png(10)}, ExternalImageId="a b")


def test_max_faces_indexes_the_largest_and_reports_the_rest():
    class ThreeFaces(SyntheticFaceFinder):
        def find(self, image: bytes) -> list[FoundFace]:
            boxes = [{"Width": width, "Height": width, "Left": 0.0, "Top": 0.0} for width in (0.5, 0.3, 0.1)]
            return [FoundFace(box, 99.5, bytes([number]) * 8) for number, box in enumerate(boxes)]

    collections = FaceCollections("us-east-1", Clock(), lambda *_: None, ThreeFaces())
    collections.handle("CreateCollection", {"CollectionId": "c"})
    indexed = collections.handle("IndexFaces", {"CollectionId": "c", "Image": {"Bytes": "iVBORw0KGgo="}, "MaxFaces": 2})
    assert [record["Face"]["BoundingBox"]["Width"] for record in indexed["FaceRecords"]] == [0.5, 0.3]
    assert [face["Reasons"] for face in indexed["UnindexedFaces"]] == [["EXCEEDS_MAX_FACES"]]
