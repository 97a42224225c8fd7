"""Configuration: context parsing, validation and the documented defaults."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
from aws_cdk import App, RemovalPolicy
from aws_cdk import aws_logs as logs
from video_pipeline.contract import notified_suffixes

from infra.config import (
    DEFAULT_STACK_NAME,
    PIPELINE_CONTEXT_KEYS,
    AppConfig,
    ConfigError,
    PipelineConfig,
    config_from_context,
)
from tests.infra.synth import cdk_context

pytestmark = pytest.mark.infra


def from_context(**context: Any) -> AppConfig:
    return config_from_context(App(context=context).node)


def test_every_config_field_has_a_context_key() -> None:
    assert {name for name, _ in PIPELINE_CONTEXT_KEYS.values()} == {field.name for field in fields(PipelineConfig)}


def test_cdk_json_states_the_code_defaults() -> None:
    # cdk.json documents the defaults; it must not silently change them.
    assert config_from_context(App(context=cdk_context()).node) == AppConfig()


def test_no_context_means_defaults() -> None:
    config = from_context()
    assert config.stack_name == DEFAULT_STACK_NAME
    assert config.pipeline.enabled_analyses == ("faces", "celebrities", "persons")
    assert config.pipeline.analysis_options == ""
    assert config.pipeline.deletion_protection is True
    assert config.pipeline.removal_policy == RemovalPolicy.RETAIN
    assert config.pipeline.log_retention == logs.RetentionDays.ONE_MONTH
    # People Pathing has ended: out of the box, person tracking must work on any account.
    assert config.pipeline.person_tracking_engine == "labels"
    assert config.pipeline.person_tracking_fallback is False


def test_command_line_strings_are_parsed() -> None:
    config = from_context(
        stackName="Videos-Dev",
        enabledAnalyses="faces, persons",
        faceAttributes="default",
        personTrackingEngine="Native",
        personTrackingFallback="true",
        inputPrefix="uploads/",
        videoSuffixes='[".mp4", ".mkv"]',
        logRetentionDays="90",
        logLevel="debug",
        deletionProtection="false",
        alarmEmail="ops@example.com",
        powertoolsLayerVersion="41",
        jobQuota="25",
    ).pipeline
    assert config == PipelineConfig(
        enabled_analyses=("faces", "persons"),
        face_attributes="DEFAULT",
        person_tracking_engine="native",
        person_tracking_fallback=True,
        input_prefix="uploads/",
        video_suffixes=(".mp4", ".mkv"),
        log_retention_days=90,
        log_level="DEBUG",
        deletion_protection=False,
        alarm_email="ops@example.com",
        powertools_layer_version=41,
        job_quota=25,
    )
    assert config.removal_policy == RemovalPolicy.DESTROY


def test_empty_alarm_email_means_none() -> None:
    assert from_context(alarmEmail="").pipeline.alarm_email is None


def test_the_moderation_alarm_is_opt_in_and_needs_moderation() -> None:
    assert from_context(moderationAlarmThreshold="").pipeline.moderation_alarm_threshold is None
    config = from_context(enabledAnalyses="faces,moderation", moderationAlarmThreshold="5").pipeline
    assert config.moderation_alarm_threshold == 5
    with pytest.raises(ConfigError, match="moderation_alarm_threshold: must be a positive number of flags, got 0"):
        PipelineConfig(enabled_analyses=("moderation",), moderation_alarm_threshold=0)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        (
            "enabledAnalyses",
            "faces,label",
            "unknown analysis 'label'; known analyses: faces, celebrities, persons, labels, moderation, text, segments",
        ),
        ("analysisOptions", '{"moderation": {"MinConfidence": 60}}', "options for moderation, which is not enabled"),
        ("analysisOptions", {"faces": {"FaceAttributes": "ALL"}}, "faces takes no options here"),
        ("analysisOptions", "[1]", "expected a JSON object"),
        ("enabledAnalyses", "", "at least one analysis must be enabled"),
        ("enabledAnalyses", "faces,faces", "duplicate names"),
        ("enabledAnalyses", 42, "expected a list of strings"),
        ("faceAttributes", "SOME", "'SOME' is not one of DEFAULT, ALL"),
        ("personTrackingEngine", "pathing", "'pathing' is not one of labels, native"),
        ("personTrackingFallback", "true", "falls back from the native engine only"),
        ("logLevel", "LOUD", "is not one of DEBUG"),
        ("logRetentionDays", 31, "31 is not a CloudWatch Logs retention"),
        ("logRetentionDays", "a month", "expected a whole number"),
        ("deletionProtection", "yes", "expected true or false"),
        ("alarmEmail", "ops-at-example.com", "not an e-mail address"),
        ("inputPrefix", "/videos/", "S3 keys do not start with '/'"),
        ("videoSuffixes", "mp4", "need one or more extensions like '.mp4'"),
        ("powertoolsLayerVersion", 0, "must be positive"),
        ("jobQuota", 0, "must be positive"),
        ("jobQuota", "many", "expected a whole number"),
        ("dailyBudgetMinutes", "lots", "'lots' is not a number of minutes"),
        ("dailyBudgetMinutes", "facez=10", "unknown analysis 'facez'"),
        ("stackName", "my stack", "not a CloudFormation stack name"),
        ("moderationAlarmThreshold", "5", "'moderation' is not among the enabled analyses"),
        ("moderationAlarmThreshold", "some", "expected a whole number"),
        ("moderationAlarmThreshold", -2, "must be a positive number of flags"),
    ],
)
def test_bad_context_names_the_key_and_the_problem(key: str, value: object, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        from_context(**{key: value})
    assert raised.value.setting == f"context {key!r}"
    assert expected in raised.value.problem


def test_the_construct_props_validate_too() -> None:
    with pytest.raises(ConfigError, match="enabled_analyses: unknown analysis 'label'"):
        PipelineConfig(enabled_analyses=("label",))
    with pytest.raises(ConfigError, match="analysis_options: moderation: StartContentModeration would refuse"):
        PipelineConfig(enabled_analyses=("moderation",), analysis_options='{"moderation": {"MinConfidence": 101}}')


def test_suffixes_are_registered_in_both_cases() -> None:
    assert notified_suffixes((".mp4", ".MOV", ".m4v")) == (".mp4", ".MP4", ".mov", ".MOV", ".m4v", ".M4V")
