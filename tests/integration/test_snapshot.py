"""local.snapshot: both tables out to JSON and back, item for item, numbers exact."""

from __future__ import annotations

import json
import zlib
from decimal import Decimal

import boto3
import pytest
from moto import mock_aws
from video_pipeline.schema import META_SK, WINDOW_MS, job_sk, video_pk, window_sk

from in_process.environment import provision
from local import snapshot


def _scan(table) -> list[dict]:
    return sorted(table.scan()["Items"], key=lambda item: (item["pk"], item["sk"]))


def test_a_saved_snapshot_reloads_into_identical_tables(tmp_path):
    with mock_aws():
        source, copy = provision(prefix="source"), provision(prefix="copy")
        dynamodb = boto3.resource("dynamodb")
        jobs, detections = dynamodb.Table(source.jobs_table), dynamodb.Table(source.detections_table)
        jobs.put_item(Item={"pk": video_pk("1"), "sk": META_SK, "size": 12345, "analyses": ["faces"]})
        jobs.put_item(
            Item={"pk": video_pk("1"), "sk": job_sk("faces"), "video_metadata": {"FrameRate": Decimal("29.97")}}
        )
        for number in range(30):
            packed = zlib.compress(f'[{{"Timestamp":{number}}}]'.encode())
            detections.put_item(Item={"pk": "job", "sk": window_sk(number * WINDOW_MS, number), "n": 1, "z": packed})

        path = tmp_path / "tables.json"
        saved = snapshot.save(path, jobs, detections)
        copied_jobs, copied_detections = dynamodb.Table(copy.jobs_table), dynamodb.Table(copy.detections_table)
        loaded = snapshot.load(path, copied_jobs, copied_detections)

        assert saved == loaded == snapshot.SnapshotCounts(jobs=2, detections=30)
        assert _scan(copied_jobs) == _scan(jobs)
        assert _scan(copied_detections) == _scan(detections)
        assert json.loads(path.read_text())["tables"]["jobs"]["name"] == "source-jobs"


def test_a_file_that_is_not_a_snapshot_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"format": "something else"}')
    with mock_aws():
        resources = provision(prefix="refuse")
        dynamodb = boto3.resource("dynamodb")
        with pytest.raises(ValueError, match="is not a"):
            snapshot.load(path, dynamodb.Table(resources.jobs_table), dynamodb.Table(resources.detections_table))
