"""Choosing the person tracking engine, and what a refused engine tells the operator."""

from __future__ import annotations

import pytest
from video_pipeline.analyses import (
    FACES,
    PERSONS,
    PERSONS_FROM_LABELS,
    JobSettings,
    by_notification_api,
    select_engines,
)
from video_pipeline.contract import Env
from video_pipeline.logic.errors import RekognitionCallError
from video_pipeline.logic.starting import failure_message
from video_pipeline.settings import StarterSettings

REFUSED = RekognitionCallError("StartPersonTracking", "AccessDeniedException", "People Pathing is no longer available")


def test_labels_is_the_default_engine():
    settings = StarterSettings.from_environment({"JOBS_TABLE_NAME": "jobs", **_channel()})
    assert settings.engines.primary[-1] is PERSONS_FROM_LABELS
    assert settings.engines.fallbacks == {}


def test_engines_resolve_by_name_and_fall_back_only_from_native():
    native = select_engines(("faces", "persons"), "native", fallback=True)
    assert native.primary == (FACES, PERSONS)
    assert native.fallbacks == {"persons": PERSONS_FROM_LABELS}
    assert native.every_analysis == (FACES, PERSONS, PERSONS_FROM_LABELS)
    assert select_engines(("persons",), "labels", fallback=True).fallbacks == {}
    assert select_engines(("faces",), "native", fallback=True).fallbacks == {}


def test_an_unknown_engine_is_refused_clearly():
    with pytest.raises(ValueError, match="unknown person tracking engine 'pathing'; known engines: labels, native"):
        select_engines(("persons",), "pathing")
    with pytest.raises(ValueError, match="PERSON_TRACKING_ENGINE"):
        StarterSettings.from_environment({"JOBS_TABLE_NAME": "jobs", "PERSON_TRACKING_ENGINE": "pathing", **_channel()})


def test_label_detection_notifications_belong_to_person_tracking():
    assert by_notification_api("StartLabelDetection") is PERSONS_FROM_LABELS
    assert by_notification_api("LABEL_DETECTION") is PERSONS_FROM_LABELS
    assert by_notification_api("StartPersonTracking") is PERSONS


def test_label_detection_asks_for_people_only():
    options = PERSONS_FROM_LABELS.start_options(JobSettings())
    assert options["Settings"] == {"GeneralLabels": {"LabelInclusionFilters": ["Person"]}}
    assert options["Features"] == ["GENERAL_LABELS"]
    assert 0 < options["MinConfidence"] < 50  # below the service default, so partly hidden people arrive
    assert PERSONS_FROM_LABELS.get_parameters == {"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"}


def test_a_refused_native_engine_names_the_labels_engine():
    message = failure_message(PERSONS, REFUSED)
    assert "StartPersonTracking is not available" in message
    assert "'labels' engine" in message and "personTrackingEngine" in message and "personTrackingFallback" in message
    assert "2025-10-31" in message and "People Pathing is no longer available" in message


def test_other_refusals_keep_the_service_message():
    denied = RekognitionCallError("StartFaceDetection", "AccessDeniedException", "not authorized")
    assert failure_message(FACES, denied) == "not authorized"
    invalid = RekognitionCallError("StartPersonTracking", "InvalidParameterException", "bad video")
    assert failure_message(PERSONS, invalid) == "bad video"


def _channel() -> dict[str, str]:
    return {
        Env.TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:AmazonRekognition-x",
        Env.ROLE_ARN: "arn:aws:iam::123456789012:role/x",
        Env.UPLOADS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/uploads",
        Env.DETECTIONS_TABLE: "detections",
        Env.ARCHIVE_BUCKET: "archive",
        Env.INPUT_BUCKETS: "videos",
    }
