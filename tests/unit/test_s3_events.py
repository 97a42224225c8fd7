from __future__ import annotations

import json

import pytest
from video_pipeline.logic.envelope import MalformedMessageError
from video_pipeline.logic.s3_events import uploads_in


def s3_record(key: str, *, event: str = "ObjectCreated:Put", size: int | None = 100, version: str | None = "v1"):
    obj: dict = {"key": key, "eTag": "0123abcd", "sequencer": "00"}
    if size is not None:
        obj["size"] = size
    if version is not None:
        obj["versionId"] = version
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2026-11-22T10:00:00.000Z",
        "eventName": event,
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": "videos-bucket"}, "object": obj},
    }


def test_url_encoded_keys_are_decoded():
    body = json.dumps(
        {"Records": [s3_record("my+holiday+video%2B1.mp4"), s3_record("caf%C3%A9/%E6%97%A5%E6%9C%AC.mov")]}
    )
    uploads = uploads_in(body)
    assert [upload.key for upload in uploads] == ["my holiday video+1.mp4", "café/日本.mov"]
    assert uploads[0].version_id == "v1"
    assert uploads[0].size == 100
    assert uploads[0].bucket == "videos-bucket"


def test_several_records_and_non_create_events():
    body = json.dumps(
        {"Records": [s3_record("a.mp4"), s3_record("b.mp4", event="ObjectRemoved:Delete"), s3_record("c.mp4")]}
    )
    assert [upload.key for upload in uploads_in(body)] == ["a.mp4", "c.mp4"]


def test_s3_test_event_yields_nothing():
    body = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "t", "Bucket": "b", "RequestId": "r"})
    assert uploads_in(body) == []


def test_sns_enveloped_event_is_unwrapped():
    inner = json.dumps({"Records": [s3_record("x.mp4")]})
    body = json.dumps({"Type": "Notification", "MessageId": "m", "Message": inner})
    assert [upload.key for upload in uploads_in(body)] == ["x.mp4"]


def test_unversioned_bucket_and_null_version_use_the_etag():
    for version in (None, "null"):
        (upload,) = uploads_in(json.dumps({"Records": [s3_record("x.mp4", version=version)]}))
        assert upload.version_id is None
        assert upload.revision == "etag:0123abcd"


@pytest.mark.parametrize(
    "body",
    ["not json", "[]", json.dumps({"Records": [{"eventName": "ObjectCreated:Put"}]}), json.dumps({"foo": 1})],
)
def test_malformed_bodies_raise_a_clear_error(body):
    with pytest.raises(MalformedMessageError):
        uploads_in(body)
