"""The read side answers exactly as it did before results were packed by time window and appearance.

`tests/data/read_answers.json` was captured from the per-detection layout (one item per detection,
by-entity index per detection) before the packed layout replaced it; the same data stored today
must give the same pages: the same detections, in the same order, split into the same pages, with a
cursor exactly where there was one.
"""

from __future__ import annotations

import dataclasses
import json

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from moto import mock_aws
from video_pipeline.analyses import PERSONS
from video_pipeline.logic import packed_codec
from video_pipeline.logic.detections import DetectionPacker, JobContext, ResultTally

from benchmarks.packing import service_spelling
from tests.read_answers import GOLDEN, VIDEOS, answers, elements, job_id, stored_repository


@pytest.fixture(scope="module")
def found() -> dict:
    with mock_aws():
        return answers(stored_repository())


def test_every_answer_of_the_per_detection_layout_is_given_unchanged(found):
    expected = json.loads(GOLDEN.read_text())
    assert sorted(found) == sorted(expected)
    changed = [key for key in expected if found[key] != expected[key]]
    assert not changed, f"{len(changed)} answers changed, first {changed[0]}: {found[changed[0]]}"


def test_tracks_stored_before_their_detections_were_indexed_give_the_same_answers():
    """A persons job collected before `EntityRule.carried` has windows and appearances only (no
    per-identity items): until `make rebuild`, its tracks are read from its windows, unchanged."""
    uncarried = dataclasses.replace(PERSONS, entity=dataclasses.replace(PERSONS.entity, carried=False))
    with mock_aws():
        repository = stored_repository()
        table = boto3.client("dynamodb")
        for video_id, (uploaded_at, seed) in VIDEOS.items():
            job = job_id(video_id, PERSONS.name)
            keys = repository._detections.query(KeyConditionExpression=Key("pk").eq(job), ProjectionExpression="pk, sk")
            assert "LastEvaluatedKey" not in keys
            for key in keys["Items"]:
                repository._detections.delete_item(Key=key)
            packer = DetectionPacker(JobContext(job, video_id, uncarried, uploaded_at))
            items = [*packer.pack(elements(PERSONS, seed), ResultTally()), *packer.finish()]
            assert not any(str(item.get("entity", {}).get("S", "")).startswith("DETECTIONS#") for item in items)
            for item in items:
                table.put_item(TableName=repository._detections.name, Item=item)
        found = answers(repository)
    expected = json.loads(GOLDEN.read_text())
    changed = [key for key in expected if found[key] != expected[key]]
    assert not changed, f"{len(changed)} answers changed, first {changed[0]}: {found[changed[0]]}"


def test_items_in_float32_columns_give_the_answers_their_text_gives(monkeypatch):
    # The fixture's numbers are the fake's 6-digit decimals, stored as text; spelled as the service
    # spells them they are stored as float32 columns, and must read exactly as the same data as text.
    columns = []
    monkeypatch.setattr(packed_codec, "_float32_payload", _counted(packed_codec._float32_payload, columns))
    with mock_aws():
        from_columns = answers(stored_repository(service_spelling), quick=True)
    assert len(columns) > 20
    monkeypatch.setattr(packed_codec, "_mostly_float32", lambda _text: False)
    with mock_aws():
        from_text = answers(stored_repository(service_spelling), quick=True)
    assert from_columns == from_text


def _counted(function, calls):
    def counted(*args):
        calls.append(1)
        return function(*args)

    return counted
