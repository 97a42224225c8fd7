"""`python -m video_pipeline.cli.faces` against moto and the Rekognition fake: index, list, remove, and
one clear line with exit status 2 for bad input."""

from __future__ import annotations

import boto3
import pytest
from video_pipeline.cli import faces

from tests.images import png

pytestmark = pytest.mark.integration

COLLECTION = "local-faces"


@pytest.fixture
def pictures(harness):
    boto3.client("rekognition").create_collection(CollectionId=COLLECTION)
    s3 = boto3.client("s3")
    s3.put_object(Bucket=harness.resources.bucket, Key="reference-faces/ada.png", Body=png(10))
    s3.put_object(Bucket=harness.resources.bucket, Key="reference-faces/grace hopper.png", Body=png(200))
    s3.put_object(Bucket=harness.resources.bucket, Key="reference-faces/readme.txt", Body=b"not a picture")
    return harness.resources.bucket


def run(*arguments: str) -> int:
    return faces.main(["--collection", COLLECTION, *arguments])


def test_index_twice_list_and_remove(pictures, capsys):
    assert run("index", "--bucket", pictures) == 0
    first = capsys.readouterr().out
    assert "indexed\treference-faces/ada.png\tada" in first
    assert "not_an_image\treference-faces/readme.txt" in first
    assert run("index", "--bucket", pictures) == 0
    assert "indexed 0, already indexed 2" in capsys.readouterr().out
    assert run("list") == 0
    listed = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == ["ada", "grace_hopper"]
    assert run("remove", "ada") == 0
    assert capsys.readouterr().out.startswith("removed ada: ")
    assert run("list") == 0
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == ["grace_hopper"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("remove", "nobody"), "no reference face named 'nobody'"),
        (("index", "--bucket", "{bucket}", "--prefix", "empty/"), "no objects under s3://"),
    ],
)
def test_bad_input_gets_one_line_and_exit_status_2(pictures, capsys, arguments, message):
    assert run(*(argument.format(bucket=pictures) for argument in arguments)) == 2
    error = capsys.readouterr().err
    assert message in error and error.strip().count("\n") == 0


def test_a_missing_collection_is_a_clear_error_not_a_traceback(harness, capsys):
    assert faces.main(["--collection", "no-such-collection", "list"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: face collection no-such-collection: ResourceNotFoundException")


def test_a_command_without_its_arguments_is_refused_by_argparse(capsys):
    with pytest.raises(SystemExit) as exited:
        faces.main(["index"])
    assert exited.value.code == 2
    assert "required: --bucket" in capsys.readouterr().err
