"""Every response the fake gives is one the real service could give, per botocore's output shapes."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from emulator import assert_conforms, output_problems
from emulator.gallery import CELEBRITIES
from emulator.model import output_shape
from tests.emulator.conftest import ALL_GET_METHODS, BUCKET, KEY, REQUIRED_START_PARAMS, create_collection, upload
from tests.images import png

pytestmark = pytest.mark.integration

START_VARIANTS = [
    ("StartFaceDetection", {"FaceAttributes": "DEFAULT"}),
    ("StartFaceDetection", {"FaceAttributes": "ALL"}),
    ("StartFaceDetection", {}),
    ("StartCelebrityRecognition", {}),
    ("StartPersonTracking", {}),
    ("StartLabelDetection", {}),
    ("StartLabelDetection", {"MinConfidence": 0.0, "Features": ["GENERAL_LABELS"]}),
    ("StartSegmentDetection", {"SegmentTypes": ["SHOT"]}),
    ("StartContentModeration", {}),
    ("StartContentModeration", {"MinConfidence": 80.0}),
    ("StartTextDetection", {}),
    ("StartFaceSearch", {"CollectionId": "known-faces"}),
    ("StartFaceSearch", {"CollectionId": "known-faces", "FaceMatchThreshold": 95.0}),
    (
        "StartTextDetection",
        {
            "Filters": {
                "WordFilter": {"MinConfidence": 85.0, "MinBoundingBoxHeight": 0.05},
                "RegionsOfInterest": [{"BoundingBox": {"Left": 0.0, "Top": 0.0, "Width": 1.0, "Height": 0.6}}],
            }
        },
    ),
    (
        "StartSegmentDetection",
        {"SegmentTypes": ["TECHNICAL_CUE", "SHOT"], "Filters": {"ShotFilter": {"MinSegmentConfidence": 60}}},
    ),
]
GET_VARIANTS = {
    "StartFaceDetection": [{}],
    "StartCelebrityRecognition": [{"SortBy": "ID"}, {"SortBy": "TIMESTAMP"}],
    "StartPersonTracking": [{"SortBy": "INDEX"}, {"SortBy": "TIMESTAMP"}],
    "StartLabelDetection": [
        {"SortBy": sort, "AggregateBy": aggregate}
        for sort in ("NAME", "TIMESTAMP")
        for aggregate in ("TIMESTAMPS", "SEGMENTS")
    ],
    "StartSegmentDetection": [{}],
    "StartTextDetection": [{}],
    "StartFaceSearch": [{"SortBy": "INDEX"}, {"SortBy": "TIMESTAMP"}],
    "StartContentModeration": [
        {"SortBy": sort, "AggregateBy": aggregate}
        for sort in ("NAME", "TIMESTAMP")
        for aggregate in ("TIMESTAMPS", "SEGMENTS")
    ],
}


def walk(value: Any, path: str = ""):
    """Every (path, structure) in a response, depth first."""
    if isinstance(value, dict):
        yield path, value
        for name, member in value.items():
            yield from walk(member, f"{path}.{name}")
    elif isinstance(value, list):
        for item in value:
            yield from walk(item, f"{path}[]")


def check_semantics(page: dict[str, Any]) -> None:
    """What the model cannot say but consumers rely on: ratios are ratios."""
    for path, node in walk(page):
        if path.endswith("BoundingBox"):
            assert all(0.0 <= node[side] <= 1.0 for side in ("Width", "Height", "Left", "Top")), path
            assert node["Left"] + node["Width"] <= 1.0 + 1e-6 and node["Top"] + node["Height"] <= 1.0 + 1e-6
        if path.endswith("Landmarks[]"):
            assert 0.0 <= node["X"] <= 1.0 and 0.0 <= node["Y"] <= 1.0, path


@pytest.mark.parametrize(("api", "start_params"), START_VARIANTS, ids=str)
def test_every_response_conforms_to_the_output_shapes(fake, video, api, start_params):
    """Driven through `handle`, exactly what goes on the wire, before botocore parses anything."""
    get_operation = ALL_GET_METHODS[api][1]
    create_collection(fake, {"ada": 10, "grace": 200, "alan": 120})
    fake.script(BUCKET, KEY, api, detections=25)
    started = fake.handle(api, {"Video": {"S3Object": {"Bucket": BUCKET, "Name": KEY}}, **start_params})
    assert_conforms(api, started)
    job_id = started["JobId"]
    assert_conforms(get_operation, fake.handle(get_operation, {"JobId": job_id}))  # in progress
    fake.complete_jobs()
    for get_params in GET_VARIANTS[api]:
        token, pages = None, 0
        while True:
            page = fake.handle(
                get_operation,
                {"JobId": job_id, "MaxResults": 10, **get_params, **({"NextToken": token} if token else {})},
            )
            assert_conforms(get_operation, page)
            check_semantics(page)
            pages += 1
            if not (token := page.get("NextToken")):
                break
        assert pages >= 2


@pytest.mark.parametrize("api", list(ALL_GET_METHODS))
def test_failed_responses_conform(fake, video, api):
    get_operation = ALL_GET_METHODS[api][1]
    create_collection(fake)
    fake.script(BUCKET, KEY, api, status="ERROR")
    start_params = {
        "Video": {"S3Object": {"Bucket": BUCKET, "Name": KEY}},
        "JobTag": "x",
        **REQUIRED_START_PARAMS.get(api, {}),
    }
    job_id = fake.handle(api, start_params)["JobId"]
    fake.complete_jobs()
    assert_conforms(get_operation, fake.handle(get_operation, {"JobId": job_id}))


def test_every_collection_response_conforms(fake, video):
    face_ids = create_collection(fake, {"ada": 10, "grace": 200})
    image = {"Bytes": base64.b64encode(png(200)).decode("ascii")}
    answers = {
        "CreateCollection": fake.handle("CreateCollection", {"CollectionId": "other"}),
        "DescribeCollection": fake.handle("DescribeCollection", {"CollectionId": "known-faces"}),
        "ListCollections": fake.handle("ListCollections", {"MaxResults": 1}),
        "IndexFaces": fake.handle(
            "IndexFaces", {"CollectionId": "other", "Image": image, "DetectionAttributes": ["ALL"]}
        ),
        "ListFaces": fake.handle("ListFaces", {"CollectionId": "known-faces", "MaxResults": 1}),
        "SearchFacesByImage": fake.handle("SearchFacesByImage", {"CollectionId": "known-faces", "Image": image}),
        "DeleteFaces": fake.handle("DeleteFaces", {"CollectionId": "known-faces", "FaceIds": [face_ids["ada"]]}),
        "DeleteCollection": fake.handle("DeleteCollection", {"CollectionId": "other"}),
    }
    for operation, answer in answers.items():
        assert_conforms(operation, answer)
        check_semantics(answer)


def test_face_attributes_choose_the_documented_members(fake, video):
    members = set(output_shape("GetFaceDetection").members["Faces"].member.members["Face"].members)
    # Always null for stored video (API reference), so never in the JSON.
    members -= {"FaceOccluded", "EyeDirection"}
    for attributes, expected in (
        ("DEFAULT", {"BoundingBox", "Confidence", "Pose", "Quality", "Landmarks"}),
        ("ALL", members),
    ):
        started = fake.handle(
            "StartFaceDetection", {"Video": {"S3Object": {"Bucket": BUCKET, "Name": KEY}}, "FaceAttributes": attributes}
        )
        fake.complete_jobs()
        faces = fake.handle("GetFaceDetection", {"JobId": started["JobId"]})["Faces"]
        assert faces and all(set(face["Face"]) == expected for face in faces), attributes


def test_the_same_celebrities_appear_in_several_videos(fake, video):
    seen: dict[str, set[str]] = {}
    for number in range(6):
        key = f"episode-{number}.mp4"
        upload(key)
        started = fake.handle("StartCelebrityRecognition", {"Video": {"S3Object": {"Bucket": BUCKET, "Name": key}}})
        job_id = started["JobId"]
        fake.complete_jobs()
        for element in fake.results(job_id):
            seen.setdefault(element["Celebrity"]["Id"], set()).add(key)
    assert set(seen) <= {celebrity.id for celebrity in CELEBRITIES}
    assert max(len(videos) for videos in seen.values()) >= 2


def test_the_checker_reports_each_kind_of_departure():
    assert output_problems("GetFaceDetection", {"JobStatus": "SUCCEEDED", "ResponseMetadata": {}}) == []
    problems = output_problems(
        "GetPersonTracking",
        {
            "JobStatus": "DONE",
            "Unmodeled": 1,
            "JobId": "has space",
            "JobTag": "bad tag",
            "VideoMetadata": {"DurationMillis": -1, "FrameRate": "fast"},
            "Persons": [{"Timestamp": 1.5, "Person": {"Index": True, "Face": {"Confidence": 101.0}}}],
        },
    )
    joined = "\n".join(problems)
    for fragment in (
        "at 'JobStatus'",
        "at 'Unmodeled'",
        "at 'JobId'",
        "at 'JobTag'",
        "at 'VideoMetadata.DurationMillis'",
        "at 'VideoMetadata.FrameRate'",
        "at 'Persons[0].Timestamp'",
        "at 'Persons[0].Person.Index'",
        "at 'Persons[0].Person.Face.Confidence'",
    ):
        assert fragment in joined
    assert len(problems) == 9
    with pytest.raises(AssertionError, match="does not conform"):
        assert_conforms("GetPersonTracking", {"Persons": "none"})
