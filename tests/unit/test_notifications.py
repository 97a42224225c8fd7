from __future__ import annotations

import json

import pytest
from video_pipeline.analyses import by_notification_api
from video_pipeline.logic.envelope import MalformedMessageError
from video_pipeline.logic.notifications import parse_notice

NOTICE = {
    "JobId": "a" * 64,
    "Status": "SUCCEEDED",
    "API": "StartFaceDetection",
    "JobTag": "rvp:faces:abc",
    "Timestamp": 1502230160926,
    "Video": {"S3ObjectName": "dir/video.mp4", "S3Bucket": "bucket"},
}


def test_raw_and_sns_enveloped_bodies_parse_the_same():
    raw = parse_notice(json.dumps(NOTICE))
    enveloped = parse_notice(json.dumps({"Type": "Notification", "Message": json.dumps(NOTICE), "MessageId": "x"}))
    assert raw == enveloped
    assert raw.job_id == "a" * 64 and raw.status == "SUCCEEDED" and raw.job_tag == "rvp:faces:abc"
    assert raw.video is not None and raw.video.object_name == "dir/video.mp4"


def test_job_tag_and_video_are_optional_and_extra_fields_ignored():
    notice = {key: value for key, value in NOTICE.items() if key not in ("JobTag", "Video")}
    parsed = parse_notice(json.dumps({**notice, "Message": "", "Surprise": 1}))
    assert parsed.job_tag is None and parsed.video is None and parsed.message == ""


@pytest.mark.parametrize(
    "change",
    [{"Status": "DONE"}, {"JobId": ""}, {"JobId": "bad id!"}, {"API": ""}, {"JobId": None}],
)
def test_invalid_notifications_are_malformed(change):
    with pytest.raises(MalformedMessageError):
        parse_notice(json.dumps({**NOTICE, **change}))


@pytest.mark.parametrize("body", ["", "{", "42", json.dumps({"Type": "Notification", "Message": "not json"})])
def test_unparseable_bodies_are_malformed(body):
    with pytest.raises(MalformedMessageError):
        parse_notice(body)


@pytest.mark.parametrize(
    ("api", "name"),
    [
        ("StartFaceDetection", "faces"),
        ("FACE_DETECTION", "faces"),
        ("StartCelebrityRecognition", "celebrities"),
        ("PERSON_TRACKING", "persons"),
    ],
)
def test_both_api_spellings_map_to_the_analysis(api, name):
    analysis = by_notification_api(api)
    assert analysis is not None and analysis.name == name


def test_unknown_api_maps_to_nothing():
    assert by_notification_api("StartStreamProcessor") is None
    assert by_notification_api("TEXT_DETECTION") is by_notification_api("StartTextDetection") is not None
