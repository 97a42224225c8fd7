"""Typed pipeline configuration, validated on construction and parsed from CDK context.

`PipelineConfig` is the props object of the `RekognitionVideoPipeline` construct, so another CDK
app gets the same validation as `cdk synth -c key=value` does here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Node
from video_pipeline.analyses import (
    DEFAULT_ANALYSES,
    DEFAULT_PERSON_ENGINE,
    FACE_ATTRIBUTE_CHOICES,
    MODERATION,
    NATIVE_ENGINE,
    PERSON_ENGINES,
    EngineSelection,
    PersonEngine,
    by_name,
    select_engines,
)
from video_pipeline.analysis_options import check_options_enabled, parse_analysis_options
from video_pipeline.contract import (
    DEFAULT_REFERENCE_FACES_PREFIX,
    DEFAULT_VIDEO_SUFFIXES,
    BudgetSpecError,
    DailyBudget,
    parse_budget,
)

FaceAttributes = Literal["DEFAULT", "ALL"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

DEFAULT_STACK_NAME = "RekognitionVideoPipeline"
# S3 suffix filters are case-sensitive; upper-case variants are added by the bucket construct.

_SUFFIX = re.compile(r"^\.[A-Za-z0-9]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A week: Rekognition keeps results for days, and a job running longer than that is not a job.
MAX_RECONCILE_AFTER_MINUTES = 7 * 24 * 60
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
# Biometric-adjacent results do not stay for ever by default: a year, then DynamoDB's TTL and the
# archive's lifecycle rule remove them (configurable; 0 keeps them until their video is deleted).
DEFAULT_RESULT_RETENTION_DAYS = 365

# The retention periods CloudWatch Logs accepts. "Never expire" is deliberately not offered:
# unbounded log storage is a cost nobody chose.
RETENTION_DAYS: Mapping[int, logs.RetentionDays] = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS,
    2922: logs.RetentionDays.EIGHT_YEARS,
    3288: logs.RetentionDays.NINE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the setting and what it accepts."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem


@dataclass(frozen=True, kw_only=True)
class PipelineConfig:
    """What varies between deployments of the pipeline; every field has a production default."""

    enabled_analyses: tuple[str, ...] = DEFAULT_ANALYSES
    face_attributes: FaceAttributes = "ALL"
    person_tracking_engine: PersonEngine = DEFAULT_PERSON_ENGINE
    # Only with the native engine: start label detection instead when People Pathing is refused.
    person_tracking_fallback: bool = False
    input_prefix: str = ""
    video_suffixes: tuple[str, ...] = DEFAULT_VIDEO_SUFFIXES
    log_retention_days: int = 30
    log_level: LogLevel = "INFO"
    deletion_protection: bool = True
    alarm_email: str | None = None
    # None (the default): the layer of the pinned Powertools release, read at deploy time from its
    # public SSM parameter. A number: that version of the public layer, for a region without the
    # parameter (docs/deploy.md).
    powertools_layer_version: int | None = None
    # Rekognition Video's concurrent-job quota of the account (20 by default): the starter admits a
    # Start* only while fewer jobs are in flight, and the in-flight alarm uses it as its threshold.
    job_quota: int = 20
    # Jobs IN_PROGRESS this long without a notification are checked by the reconciler.
    reconcile_after_minutes: int = 20
    # Detections and archived pages (face data, raw pages) expire this many days after they are stored,
    # even if their video is never deleted; 0 keeps them until the video is deleted.
    result_retention_days: int = DEFAULT_RESULT_RETENTION_DAYS
    # Minutes of video Rekognition may analyse per UTC day, in total (`600`) or per analysis
    # (`faces=300,total=600`); empty: no limit. Uploads beyond it wait; alarms at 80% and 100%.
    daily_budget_minutes: str = ""
    # Each enabled analysis' own Start* options as JSON, e.g. {"moderation": {"MinConfidence": 60}};
    # checked against Rekognition's model at synth (analyses.parse_analysis_options).
    analysis_options: str = ""
    # Where face search's reference pictures go in the input bucket (face_search only; docs/deploy.md).
    reference_faces_prefix: str = DEFAULT_REFERENCE_FACES_PREFIX
    # Opt-in: an alarm when at least this many moderation flags (labels stored by content-moderation
    # jobs) are stored within five minutes; needs moderation enabled. None: no such alarm.
    moderation_alarm_threshold: int | None = None

    def __post_init__(self) -> None:
        _check_analyses(self.enabled_analyses)
        _require_choice("face_attributes", self.face_attributes, FACE_ATTRIBUTE_CHOICES)
        _require_choice("person_tracking_engine", self.person_tracking_engine, PERSON_ENGINES)
        if self.person_tracking_fallback and self.person_tracking_engine != NATIVE_ENGINE:
            raise ConfigError(
                "person_tracking_fallback",
                f"falls back from the native engine only; the {self.person_tracking_engine!r} engine needs none",
            )
        _require_choice("log_level", self.log_level, get_args(LogLevel))
        _check_prefixes(self.input_prefix, self.reference_faces_prefix)
        if not self.video_suffixes or not all(_SUFFIX.match(suffix) for suffix in self.video_suffixes):
            raise ConfigError(
                "video_suffixes", f"need one or more extensions like '.mp4', got {list(self.video_suffixes)}"
            )
        if self.log_retention_days not in RETENTION_DAYS:
            raise ConfigError(
                "log_retention_days",
                f"{self.log_retention_days} is not a CloudWatch Logs retention; use one of {list(RETENTION_DAYS)}",
            )
        if self.alarm_email is not None and not _EMAIL.match(self.alarm_email):
            raise ConfigError("alarm_email", f"not an e-mail address: {self.alarm_email!r}")
        if self.powertools_layer_version is not None and self.powertools_layer_version < 1:
            raise ConfigError("powertools_layer_version", f"must be positive, got {self.powertools_layer_version}")
        if self.job_quota < 1:
            raise ConfigError("job_quota", f"must be positive, got {self.job_quota}")
        if not 1 <= self.reconcile_after_minutes <= MAX_RECONCILE_AFTER_MINUTES:
            raise ConfigError(
                "reconcile_after_minutes",
                f"must be 1 to {MAX_RECONCILE_AFTER_MINUTES}, got {self.reconcile_after_minutes}",
            )
        _check_budget(self.daily_budget_minutes)
        _check_options(self.analysis_options, self.enabled_analyses)
        _check_moderation_alarm(self.moderation_alarm_threshold, self.enabled_analyses)
        if self.result_retention_days < 0:
            raise ConfigError(
                "result_retention_days", f"must be 0 (keep) or a number of days, got {self.result_retention_days}"
            )

    @property
    def daily_budget(self) -> DailyBudget:
        return parse_budget(self.daily_budget_minutes)

    @property
    def engines(self) -> EngineSelection:
        """The Rekognition operations behind the enabled analyses: the IAM grants follow from them."""
        return select_engines(
            self.enabled_analyses, self.person_tracking_engine, fallback=self.person_tracking_fallback
        )

    @property
    def log_retention(self) -> logs.RetentionDays:
        return RETENTION_DAYS[self.log_retention_days]

    @property
    def removal_policy(self) -> RemovalPolicy:
        """What happens to tables and log groups when the stack is deleted."""
        return RemovalPolicy.RETAIN if self.deletion_protection else RemovalPolicy.DESTROY


@dataclass(frozen=True, kw_only=True)
class AppConfig:
    stack_name: str = DEFAULT_STACK_NAME
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)

    def __post_init__(self) -> None:
        if not _STACK_NAME.match(self.stack_name):
            raise ConfigError("stack_name", f"not a CloudFormation stack name: {self.stack_name!r}")


def _check_analyses(names: tuple[str, ...]) -> None:
    if not names:
        raise ConfigError("enabled_analyses", "at least one analysis must be enabled")
    if len(set(names)) != len(names):
        raise ConfigError("enabled_analyses", f"duplicate names in {list(names)}")
    for name in names:
        try:
            by_name(name)
        except ValueError as error:
            raise ConfigError("enabled_analyses", str(error)) from None


def _check_prefixes(input_prefix: str, reference_faces_prefix: str) -> None:
    if input_prefix.startswith("/"):
        raise ConfigError("input_prefix", f"S3 keys do not start with '/': {input_prefix!r}")
    if not reference_faces_prefix.endswith("/") or reference_faces_prefix.startswith("/"):
        raise ConfigError(
            "reference_faces_prefix",
            f"a folder of the input bucket like 'reference-faces/', got {reference_faces_prefix!r}",
        )


def _check_options(text: str, enabled: tuple[str, ...]) -> None:
    try:
        check_options_enabled(parse_analysis_options(text), enabled)
    except ValueError as error:
        raise ConfigError("analysis_options", str(error)) from None


def _check_moderation_alarm(threshold: int | None, enabled: tuple[str, ...]) -> None:
    if threshold is None:
        return
    if threshold < 1:
        raise ConfigError("moderation_alarm_threshold", f"must be a positive number of flags, got {threshold}")
    if MODERATION.name not in enabled:
        raise ConfigError(
            "moderation_alarm_threshold",
            f"watches moderation flags, but {MODERATION.name!r} is not among the enabled analyses {list(enabled)}",
        )


def _check_budget(text: str) -> None:
    try:
        parse_budget(text)
    except BudgetSpecError as error:
        raise ConfigError("daily_budget_minutes", str(error)) from None


def _require_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(name, f"{value!r} is not one of {', '.join(choices)}")


# Context values arrive as JSON values from cdk.json and as strings from `cdk synth -c key=value`;
# each parser accepts both spellings and raises ValueError with the problem.
def _as_str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value.strip()


def _as_upper(value: object) -> str:
    return _as_str(value).upper()


def _as_lower(value: object) -> str:
    return _as_str(value).lower()


def _as_optional_str(value: object) -> str | None:
    return _as_str(value) or None


def _as_list(value: object) -> tuple[str, ...]:
    items = value
    if isinstance(value, str):
        text = value.strip()
        items = json.loads(text) if text.startswith("[") else text.split(",")
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise ValueError(f"expected a list of strings or a comma-separated string, got {value!r}")
    return tuple(item.strip() for item in items if item.strip())


def _as_json_object(value: object) -> str:
    """An object from cdk.json, or its JSON text from `-c key='{...}'`: kept as canonical JSON text."""
    parsed = json.loads(value) if isinstance(value, str) and value.strip() else value
    if parsed is None or parsed == "":
        return ""
    if not isinstance(parsed, dict):
        raise ValueError(f"expected a JSON object, got {value!r}")
    return json.dumps(parsed, sort_keys=True, separators=(",", ":")) if parsed else ""


def _as_int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(f"expected a whole number, got {value!r}")


def _as_optional_int(value: object) -> int | None:
    """A whole number, or nothing: an empty string (cdk.json's way of leaving it unset) or null."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _as_int(value)


def _as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ValueError(f"expected true or false, got {value!r}")


# Context key -> (PipelineConfig field, parser). The keys are the documented interface (docs/deploy.md).
PIPELINE_CONTEXT_KEYS: Mapping[str, tuple[str, Callable[[object], object]]] = {
    "enabledAnalyses": ("enabled_analyses", _as_list),
    "faceAttributes": ("face_attributes", _as_upper),
    "personTrackingEngine": ("person_tracking_engine", _as_lower),
    "personTrackingFallback": ("person_tracking_fallback", _as_bool),
    "inputPrefix": ("input_prefix", _as_str),
    "videoSuffixes": ("video_suffixes", _as_list),
    "logRetentionDays": ("log_retention_days", _as_int),
    "logLevel": ("log_level", _as_upper),
    "deletionProtection": ("deletion_protection", _as_bool),
    "alarmEmail": ("alarm_email", _as_optional_str),
    "powertoolsLayerVersion": ("powertools_layer_version", _as_int),
    "jobQuota": ("job_quota", _as_int),
    "reconcileAfterMinutes": ("reconcile_after_minutes", _as_int),
    "resultRetentionDays": ("result_retention_days", _as_int),
    "dailyBudgetMinutes": ("daily_budget_minutes", _as_str),
    "analysisOptions": ("analysis_options", _as_json_object),
    "referenceFacesPrefix": ("reference_faces_prefix", _as_str),
    "moderationAlarmThreshold": ("moderation_alarm_threshold", _as_optional_int),
}
STACK_NAME_CONTEXT_KEY = "stackName"


def config_from_context(node: Node) -> AppConfig:
    """Read the app configuration from CDK context; absent keys keep their defaults.

    Errors name the context key, so `cdk synth -c enabledAnalyses=facez` says what to fix.
    """
    key_of = {name: key for key, (name, _) in PIPELINE_CONTEXT_KEYS.items()}
    values: dict[str, Any] = {}
    for key, (name, parse) in PIPELINE_CONTEXT_KEYS.items():
        raw = node.try_get_context(key)
        if raw is not None:
            try:
                values[name] = parse(raw)
            except ValueError as error:  # json.JSONDecodeError is a ValueError too
                raise ConfigError(f"context {key!r}", str(error)) from None
    try:
        pipeline = PipelineConfig(**values)
    except ConfigError as error:
        raise ConfigError(f"context {key_of[error.setting]!r}", error.problem) from None
    raw_stack_name = node.try_get_context(STACK_NAME_CONTEXT_KEY)
    setting = f"context {STACK_NAME_CONTEXT_KEY!r}"
    try:
        stack_name = DEFAULT_STACK_NAME if raw_stack_name is None else _as_str(raw_stack_name)
        return AppConfig(stack_name=stack_name, pipeline=pipeline)
    except ConfigError as error:
        raise ConfigError(setting, error.problem) from None
    except ValueError as error:
        raise ConfigError(setting, str(error)) from None
