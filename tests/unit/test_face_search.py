"""Face search: its registry entry, the deployment's collection in each Start*, and the reference faces'
indexing, listing and removal against an in-memory collection."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import botocore.session
import pytest
from botocore.stub import Stubber
from pydantic import ValidationError
from video_pipeline.analyses import FACE_SEARCH, EntityScope, by_notification_api
from video_pipeline.analysis_options import parse_analysis_options
from video_pipeline.contract import Env
from video_pipeline.dal.face_collection import FaceCollection, FaceCollectionError
from video_pipeline.logic.backfill import ListedObject
from video_pipeline.logic.identity import client_request_token
from video_pipeline.logic.reference_faces import (
    IndexResult,
    Outcome,
    ReferenceFace,
    ReferenceFaceError,
    ReferenceFaces,
    UnknownReferenceFaceError,
    external_image_id,
    problems,
)
from video_pipeline.settings import StarterSettings

from tests.unit.test_analysis_options import ENVIRONMENT, UPLOAD


def match(external: str | None, similarity: float, face_id: str = "f-1") -> dict[str, object]:
    face: dict[str, object] = {"FaceId": face_id, "BoundingBox": {"Width": 0.1, "Height": 0.1}}
    if external is not None:
        face["ExternalImageId"] = external
    return {"Similarity": similarity, "Face": face}


def test_a_match_is_its_best_references_name_else_its_face_id_and_holds_across_videos() -> None:
    rule = FACE_SEARCH.entity
    assert rule is not None and rule.scope is EntityScope.ACCOUNT
    element = {
        "Timestamp": 10,
        "Person": {"Index": 0, "Face": {"BoundingBox": {"Width": 0.2, "Height": 0.3}}},
        "FaceMatches": [match("grace", 91.0), match("ada", 99.5)],
    }
    assert rule.identity(element) == "ada"
    assert rule.view(element) == ({"Width": 0.2, "Height": 0.3}, 99.5)
    assert rule.identity({"FaceMatches": [match(None, 90.0, face_id="0f0e")]}) == "0f0e"
    assert rule.identity({"Person": {"Index": 3}, "FaceMatches": []}) is None
    assert by_notification_api("FACE_SEARCH") is FACE_SEARCH
    assert (FACE_SEARCH.start_operation, FACE_SEARCH.get_operation, FACE_SEARCH.result_key) == (
        "StartFaceSearch",
        "GetFaceSearch",
        "Persons",
    )


def test_the_collection_is_the_deployments_and_goes_into_every_start_and_its_token() -> None:
    environment = {
        **ENVIRONMENT,
        Env.ENABLED_ANALYSES: "faces,face_search",
        Env.ANALYSIS_OPTIONS: '{"face_search": {"FaceMatchThreshold": 95}}',
        Env.FACE_COLLECTION_ID: "team-faces",
    }
    settings = StarterSettings.from_environment(environment)
    request = FACE_SEARCH.start_options(settings.job_settings)
    assert request == {"FaceMatchThreshold": 95, "CollectionId": "team-faces"}
    other = StarterSettings.from_environment({**environment, Env.FACE_COLLECTION_ID: "other-faces"})
    assert client_request_token(FACE_SEARCH, UPLOAD, settings.job_settings) != client_request_token(
        FACE_SEARCH, UPLOAD, other.job_settings
    )
    defaults = StarterSettings.from_environment({**environment, Env.ANALYSIS_OPTIONS: ""})
    assert FACE_SEARCH.start_options(defaults.job_settings) == {
        "FaceMatchThreshold": 80.0,
        "CollectionId": "team-faces",
    }


def test_face_search_without_a_collection_fails_the_cold_start() -> None:
    with pytest.raises(ValidationError, match="face_search is enabled but FACE_COLLECTION_ID names no collection"):
        StarterSettings.from_environment({**ENVIRONMENT, Env.ENABLED_ANALYSES: "face_search"})
    with pytest.raises(ValidationError, match="FACE_COLLECTION_ID"):
        StarterSettings.from_environment(
            {**ENVIRONMENT, Env.ENABLED_ANALYSES: "face_search", Env.FACE_COLLECTION_ID: "no spaces"}
        )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"face_search": {"CollectionId": "mine"}}', "CollectionId is the deployment's"),
        ('{"face_search": {"FaceMatchThreshold": 101}}', "FaceMatchThreshold 101 is above its maximum 100"),
        ('{"face_search": {"MinConfidence": 50}}', 'Unknown parameter in input: "MinConfidence"'),
    ],
)
def test_face_search_options_are_checked_against_the_model(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_analysis_options(text)


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("reference-faces/ada.jpg", "ada"),
        ("reference-faces/team/Ada Lovelace.JPEG", "Ada_Lovelace"),
        ("reference-faces/grace.hopper-1906.png", "grace.hopper-1906"),
        ("reference-faces/josé (2).png", "jos_2_"),
    ],
)
def test_a_pictures_name_becomes_an_external_image_id_the_api_accepts(key: str, name: str) -> None:
    assert external_image_id(key) == name


def test_a_picture_without_a_usable_name_is_refused_clearly() -> None:
    with pytest.raises(ReferenceFaceError, match="no usable name"):
        external_image_id("reference-faces/日本.jpg")


@dataclass
class MemoryCollection:
    """IndexFaces as the service does it: a new face every call, even for a picture indexed before."""

    faceless: set[str] = field(default_factory=set)
    stored: list[ReferenceFace] = field(default_factory=list)
    index_calls: int = 0

    def faces(self) -> Iterator[ReferenceFace]:
        return iter(list(self.stored))

    def index(self, bucket: str, key: str, external_image_id: str) -> IndexResult:
        self.index_calls += 1
        if key in self.faceless:
            return IndexResult(None, ("LOW_SHARPNESS", "SMALL_BOUNDING_BOX"))
        face = ReferenceFace(f"face-{len(self.stored)}", external_image_id)
        self.stored.append(face)
        return IndexResult(face)

    def delete(self, face_ids: Sequence[str]) -> list[str]:
        self.stored = [face for face in self.stored if face.face_id not in face_ids]
        return list(face_ids)


@dataclass
class MemoryPictures:
    keys: list[str]

    def listing(self, bucket: str, prefix: str = "", after: str | None = None) -> Iterator[tuple[ListedObject, str]]:
        for key in sorted(self.keys):
            if key.startswith(prefix) and (after is None or key > after):
                yield ListedObject(bucket, key, 1, "etag", None, "2026-12-01T00:00:00.000Z"), key


ROOT = "reference-faces/"


def reference_faces(collection: MemoryCollection, *keys: str) -> ReferenceFaces:
    return ReferenceFaces(collection=collection, pictures=MemoryPictures(list(keys)), bucket="videos", root=ROOT)


def test_indexing_a_prefix_twice_adds_no_duplicate_face() -> None:
    collection = MemoryCollection()
    faces = reference_faces(collection, f"{ROOT}ada.jpg", f"{ROOT}grace.png")
    first = faces.index(ROOT)
    assert [picture.outcome for picture in first.pictures] == [Outcome.INDEXED, Outcome.INDEXED]
    again = faces.index(ROOT)
    assert [picture.outcome for picture in again.pictures] == [Outcome.ALREADY_INDEXED] * 2
    assert sorted(face.name for face in faces.faces()) == ["ada", "grace"]
    assert collection.index_calls == 2


def test_pictures_without_an_indexed_face_are_reported_with_the_services_reasons() -> None:
    collection = MemoryCollection(faceless={f"{ROOT}blurred.jpg"})
    report = reference_faces(collection, f"{ROOT}blurred.jpg", f"{ROOT}notes.txt", f"{ROOT}ada.jpg").index(ROOT)
    assert [(picture.key, picture.outcome) for picture in report.pictures] == [
        (f"{ROOT}ada.jpg", Outcome.INDEXED),
        (f"{ROOT}blurred.jpg", Outcome.NO_FACE),
        (f"{ROOT}notes.txt", Outcome.NOT_AN_IMAGE),
    ]
    assert problems(report.pictures) == [f"{ROOT}blurred.jpg: LOW_SHARPNESS, SMALL_BOUNDING_BOX"]


def test_indexing_goes_in_bounded_steps_that_resume_from_the_cursor() -> None:
    keys = [f"{ROOT}person-{number}.jpg" for number in range(5)]
    faces = reference_faces(MemoryCollection(), *keys)
    first = faces.index(ROOT, limit=2)
    assert [picture.key for picture in first.pictures] == keys[:2] and first.cursor == keys[1]
    second = faces.index(ROOT, cursor=first.cursor, limit=2)
    third = faces.index(ROOT, cursor=second.cursor, limit=2)
    assert [picture.key for picture in second.pictures + third.pictures] == keys[2:] and third.cursor is None


@pytest.mark.parametrize(
    ("prefix", "options", "problem"),
    [
        ("videos/", {}, "outside the reference pictures' 'reference-faces/'"),
        (ROOT, {"limit": 0}, "limit must be from 1 to 200"),
        (f"{ROOT}team/", {"cursor": f"{ROOT}other/a.jpg"}, "does not belong to prefix"),
    ],
)
def test_bad_indexing_requests_are_refused_with_the_reason(prefix: str, options: dict, problem: str) -> None:
    with pytest.raises(ReferenceFaceError, match=problem):
        reference_faces(MemoryCollection()).index(prefix, **options)


def test_a_face_is_removed_by_its_name_or_its_face_id_and_an_unknown_one_is_refused() -> None:
    collection = MemoryCollection()
    faces = reference_faces(collection, f"{ROOT}ada.jpg", f"{ROOT}grace.jpg", f"{ROOT}alan.jpg")
    faces.index(ROOT)
    ada, alan, grace = sorted(faces.faces(), key=lambda face: face.name)
    assert faces.remove("ada") == [ada.face_id]
    assert faces.remove(grace.face_id) == [grace.face_id]
    assert [face.name for face in faces.faces()] == [alan.name]
    with pytest.raises(UnknownReferenceFaceError, match="no reference face named 'ada'"):
        faces.remove("ada")


def test_the_collection_reports_the_services_reasons_when_it_indexes_no_face() -> None:
    client = botocore.session.get_session().create_client("rekognition", region_name="us-east-1")
    with Stubber(client) as stub:
        unindexed = [{"Reasons": ["LOW_SHARPNESS"]}, {"Reasons": ["LOW_SHARPNESS", "EXTREME_POSE"]}]
        expected = {
            "CollectionId": "faces",
            "Image": {"S3Object": {"Bucket": "videos", "Name": "reference-faces/ada.jpg"}},
            "ExternalImageId": "ada",
            "MaxFaces": 1,
            "QualityFilter": "AUTO",
            "DetectionAttributes": ["DEFAULT"],
        }
        stub.add_response("index_faces", {"FaceRecords": [], "UnindexedFaces": unindexed}, expected)
        stub.add_client_error("index_faces", "InvalidImageFormatException", "Request has invalid image format")
        stub.add_client_error("index_faces", "ResourceNotFoundException", "The collection id: faces does not exist")
        collection = FaceCollection(client, "faces")
        assert collection.index("videos", "reference-faces/ada.jpg", "ada") == IndexResult(
            None, ("LOW_SHARPNESS", "EXTREME_POSE")
        )
        refused = collection.index("videos", "reference-faces/ada.jpg", "ada")
        assert refused == IndexResult(None, ("InvalidImageFormatException: Request has invalid image format",))
        with pytest.raises(FaceCollectionError, match="face collection faces: ResourceNotFoundException"):
            collection.index("videos", "reference-faces/ada.jpg", "ada")
