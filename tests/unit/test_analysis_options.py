"""A deployment's options per analysis: checked against Rekognition's model, sent with every Start*,
part of each job's identity; enabling an analysis is one setting."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError
from video_pipeline.analyses import (
    DEFAULT_ANALYSES,
    LABELS,
    MODERATION,
    REGISTRY,
    SEGMENTS,
    TEXT,
    JobSettings,
    by_notification_api,
    element_timestamp,
)
from video_pipeline.analysis_options import parse_analysis_options
from video_pipeline.contract import Env
from video_pipeline.logic.identity import client_request_token
from video_pipeline.models import UploadedObject
from video_pipeline.settings import StarterSettings

UPLOAD = UploadedObject(
    bucket="videos", key="a.mp4", size=1, etag="e", version_id="v", event_time="2026-12-01T00:00:00.000Z"
)
ENVIRONMENT = {
    Env.JOBS_TABLE: "jobs",
    Env.INPUT_BUCKETS: "videos",
    Env.UPLOADS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/uploads",
    Env.DETECTIONS_TABLE: "detections",
    Env.ARCHIVE_BUCKET: "archive",
    Env.TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:AmazonRekognition-topic",
    Env.ROLE_ARN: "arn:aws:iam::123456789012:role/publish",
}


def test_the_default_stays_faces_celebrities_and_persons_and_every_other_analysis_is_one_setting_away() -> None:
    assert DEFAULT_ANALYSES == ("faces", "celebrities", "persons")
    settings = StarterSettings.from_environment({**ENVIRONMENT, Env.ENABLED_ANALYSES: "faces,moderation,segments"})
    assert [analysis.start_operation for analysis in settings.engines.primary] == [
        "StartFaceDetection",
        "StartContentModeration",
        "StartSegmentDetection",
    ]


@pytest.mark.parametrize(
    ("analysis", "options", "member", "sent"),
    [
        (MODERATION, {"MinConfidence": 75}, "MinConfidence", 75),
        (LABELS, {"Settings": {"GeneralLabels": {"LabelExclusionFilters": ["Tree"]}}}, "Features", ["GENERAL_LABELS"]),
        (TEXT, {"Filters": {"WordFilter": {"MinConfidence": 80}}}, "Filters", {"WordFilter": {"MinConfidence": 80}}),
        (SEGMENTS, {"SegmentTypes": ["SHOT"]}, "SegmentTypes", ["SHOT"]),
    ],
)
def test_options_go_into_the_start_request_over_the_defaults_and_into_the_token(
    analysis: Any, options: dict[str, Any], member: str, sent: Any
) -> None:
    configured = JobSettings(options=parse_analysis_options(json.dumps({analysis.name: options})))
    request = analysis.start_options(configured)
    assert request[member] == sent and all(request[key] == value for key, value in options.items())
    assert client_request_token(analysis, UPLOAD, configured) != client_request_token(analysis, UPLOAD, JobSettings())


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"moderation": {"MinConfidence": 200}}', "MinConfidence 200 is above its maximum 100"),
        ('{"segments": {"SegmentTypes": ["SHOTS"]}}', "SegmentTypes[0] 'SHOTS' is not one of"),
        ('{"segments": {"SegmentTypes": []}}', "valid min length: 1"),
        ('{"moderation": {"MinConfidance": 60}}', 'Unknown parameter in input: "MinConfidance"'),
        ('{"text": {"JobTag": "mine"}}', "JobTag is set by the pipeline"),
        ('{"faces": {"FaceAttributes": "ALL"}}', "faces takes no options here"),
        ('{"shots": {}}', "unknown analysis 'shots'"),
        ('["moderation"]', "must be a JSON object"),
        ("{moderation", "not JSON"),
    ],
)
def test_options_the_service_would_refuse_are_refused_naming_the_constraint(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_analysis_options(text)
    assert problem in str(raised.value)


def test_a_bad_option_fails_the_cold_start_not_a_job() -> None:
    environment = {
        **ENVIRONMENT,
        Env.ENABLED_ANALYSES: "moderation",
        Env.ANALYSIS_OPTIONS: '{"moderation": {"MinConfidence": -1}}',
    }
    with pytest.raises(ValidationError, match="MinConfidence"):
        StarterSettings.from_environment(environment)


def test_options_for_an_analysis_that_is_not_enabled_are_refused() -> None:
    environment = {**ENVIRONMENT, Env.ANALYSIS_OPTIONS: '{"moderation": {"MinConfidence": 60}}'}
    with pytest.raises(ValidationError, match="options for moderation, which is not enabled"):
        StarterSettings.from_environment(environment)
    enabled = StarterSettings.from_environment({**environment, Env.ENABLED_ANALYSES: "faces,moderation"})
    assert MODERATION.start_options(enabled.job_settings) == {"MinConfidence": 60}


def test_every_analysis_reads_its_own_results_and_shares_no_notification_by_accident() -> None:
    results = {(analysis.get_operation, analysis.result_key) for analysis in REGISTRY.values()}
    assert ("GetSegmentDetection", "Segments") in results and ("GetTextDetection", "TextDetections") in results
    # General labels and label-based person tracking share an operation: the jobs table tells them apart.
    assert by_notification_api("LABEL_DETECTION") is not None


def test_a_segment_happens_at_its_start_and_other_elements_at_their_timestamp() -> None:
    assert element_timestamp({"StartTimestampMillis": 4_004, "EndTimestampMillis": 9_009, "Type": "SHOT"}) == 4_004
    assert element_timestamp({"Timestamp": 120, "TextDetection": {}}) == 120
