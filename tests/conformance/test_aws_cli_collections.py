"""The AWS CLI (from PyPI, unchanged) managing a face collection on the emulator and searching a video
for its faces: create-collection, index-faces, list-faces, search-faces-by-image, start-face-search,
get-face-search, delete-faces, describe-collection, list-collections, delete-collection."""

from __future__ import annotations

import pytest

from tests.conformance.conftest import BUCKET, KEY, Cloud, aws_cli, cli_json, wait_idle
from tests.images import png

pytestmark = pytest.mark.integration

COLLECTION = "cli-people"


def test_a_collection_is_managed_and_searched_with_the_cli(cloud: Cloud, tmp_path):
    def cli(*arguments: str) -> dict:
        return cli_json(aws_cli(cloud, "rekognition", *arguments))

    picture = tmp_path / "ada.png"
    picture.write_bytes(png(10))
    created = cli("create-collection", "--collection-id", COLLECTION)
    assert created["StatusCode"] == 200
    indexed = cli(
        "index-faces",
        "--collection-id",
        COLLECTION,
        "--image-bytes",
        f"fileb://{picture}",
        "--external-image-id",
        "ada",
    )
    face_id = indexed["FaceRecords"][0]["Face"]["FaceId"]
    assert [face["FaceId"] for face in cli("list-faces", "--collection-id", COLLECTION)["Faces"]] == [face_id]
    found = cli("search-faces-by-image", "--collection-id", COLLECTION, "--image-bytes", f"fileb://{picture}")
    assert [match["Face"]["ExternalImageId"] for match in found["FaceMatches"]] == ["ada"]
    assert COLLECTION in cli("list-collections")["CollectionIds"]

    started = cli(
        "start-face-search",
        "--video",
        f"S3Object={{Bucket={BUCKET},Name={KEY}}}",
        "--collection-id",
        COLLECTION,
        "--notification-channel",
        f"SNSTopicArn={cloud.topic_arn},RoleArn={cloud.role_arn}",
        "--job-tag",
        "cli",
    )
    job_id = started["JobId"]
    wait_idle(cloud.fake)
    assert [(m["JobId"], m["Status"], m["API"]) for m in cloud.messages([job_id])] == [
        (job_id, "SUCCEEDED", "StartFaceSearch")
    ]
    pages, token = [], ""
    while True:
        page = cli(
            "get-face-search", "--job-id", job_id, "--max-results", "5", "--next-token", token, "--sort-by", "INDEX"
        )
        pages.append(page)
        token = page.get("NextToken", "")
        if not token:
            break
    persons = [person for page in pages for person in page["Persons"]]
    assert len(pages) >= 2 and persons == cloud.fake.results(job_id, SortBy="INDEX")
    assert {match["Face"]["FaceId"] for person in persons for match in person["FaceMatches"]} == {face_id}

    assert cli("delete-faces", "--collection-id", COLLECTION, "--face-ids", face_id)["DeletedFaces"] == [face_id]
    assert cli("describe-collection", "--collection-id", COLLECTION)["FaceCount"] == 0
    assert cli("delete-collection", "--collection-id", COLLECTION)["StatusCode"] == 200
    missing = aws_cli(cloud, "rekognition", "describe-collection", "--collection-id", COLLECTION)
    assert missing.returncode != 0 and "(ResourceNotFoundException)" in missing.stderr
