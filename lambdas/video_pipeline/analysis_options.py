"""A deployment's Start* options per analysis (`ANALYSIS_OPTIONS`, the stack's `analysisOptions`).

A JSON object, analysis name -> options, e.g. `{"moderation": {"MinConfidence": 60}}`. Each analysis'
options, laid over its registry defaults, must make a Start* request that Rekognition's model accepts
(member names, types, lengths, ranges, enums, patterns), so a wrong option fails `cdk synth` or the
cold start with the service's own constraint, never a job. The stack and the Lambda runtime both have
botocore, whose model this reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from botocore.model import Shape
from botocore.session import get_session
from botocore.validate import ParamValidator

from video_pipeline.analyses import (
    FACE_SEARCH_COLLECTION_MEMBER,
    LABELS,
    PERSONS_FROM_LABELS,
    REGISTRY,
    Analysis,
    JobSettings,
    by_name,
)
from video_pipeline.logic.shared_jobs import merged_label_options

# Members of a Start* request the pipeline sets itself for every job.
PIPELINE_OWNED_MEMBERS: frozenset[str] = frozenset({"Video", "ClientRequestToken", "NotificationChannel", "JobTag"})
# Members the deployment sets, not its options: face search searches the collection the stack creates.
DEPLOYMENT_OWNED_MEMBERS: frozenset[str] = frozenset({FACE_SEARCH_COLLECTION_MEMBER})
# Stand-ins for what the pipeline and the deployment fill in, so the options are checked in a whole request.
_STAND_INS: Mapping[str, Any] = {
    "Video": {"S3Object": {"Bucket": "bucket", "Name": "video.mp4"}},
    FACE_SEARCH_COLLECTION_MEMBER: "collection",
}
_NUMBERS = ("integer", "long", "float", "double")


def parse_analysis_options(text: str) -> dict[str, dict[str, Any]]:
    """The options by analysis name; ValueError naming the analysis and the constraint otherwise."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"analysis options are not JSON ({error})") from None
    if not isinstance(value, dict):
        raise ValueError('analysis options must be a JSON object such as {"moderation": {"MinConfidence": 60}}')
    return {name: _checked(by_name(name), options) for name, options in value.items()}


def check_options_enabled(options: Mapping[str, Any], enabled: tuple[str, ...]) -> None:
    """Options for an analysis that is not enabled are a mistake (a typo, or one setting forgotten)."""
    idle = sorted(set(options) - set(enabled))
    if idle:
        raise ValueError(f"options for {', '.join(idle)}, which is not enabled (enabled: {', '.join(enabled)})")


def _checked(analysis: Analysis, options: object) -> dict[str, Any]:
    name = analysis.name
    if not analysis.configurable:
        configurable = ", ".join(entry.name for entry in REGISTRY.values() if entry.configurable)
        raise ValueError(f"{name} takes no options here; analyses that do: {configurable}")
    if not isinstance(options, dict):
        raise ValueError(f"{name}: options must be a JSON object of {analysis.start_operation} members")
    owned = sorted(PIPELINE_OWNED_MEMBERS & options.keys())
    if owned:
        verb = "is" if len(owned) == 1 else "are"
        raise ValueError(f"{name}: {', '.join(owned)} {verb} set by the pipeline for every job")
    deployed = sorted(DEPLOYMENT_OWNED_MEMBERS & options.keys())
    if deployed:
        raise ValueError(f"{name}: {', '.join(deployed)} is the deployment's (the stack's face collection)")
    settings = JobSettings(options={name: options})
    problems = _refusals(analysis, analysis.start_options(settings))
    if problems:
        raise ValueError(f"{name}: {analysis.start_operation} would refuse these options: {problems}")
    if name == LABELS.name:
        # With person tracking on the labels engine, one job runs the merged options (logic/shared_jobs.py).
        merged = merged_label_options(LABELS.start_options(settings), PERSONS_FROM_LABELS.start_options(settings))
        problems = _refusals(analysis, merged)
        if problems:
            raise ValueError(
                f"{name}: merged with person tracking's into one label job, {analysis.start_operation} would "
                f"refuse these options: {problems}"
            )
    return options


def _refusals(analysis: Analysis, options: dict[str, Any]) -> str:
    """What Rekognition's model says against a Start* request with `options` ("" when nothing)."""
    shape = get_session().get_service_model("rekognition").operation_model(analysis.start_operation).input_shape
    assert shape is not None
    members = shape.members
    stand_ins = {member: value for member, value in _STAND_INS.items() if member in members}
    report = ParamValidator().validate({**options, **stand_ins}, shape)
    return report.generate_report() if report.has_errors() else "; ".join(_beyond_botocore(options, shape))


def _beyond_botocore(value: Any, shape: Shape, path: str = "") -> list[str]:
    """The model's constraints botocore's client leaves to the service: maxima, enums and patterns."""
    if shape.type_name == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        return [
            problem
            for member, item in value.items()
            if member in members
            for problem in _beyond_botocore(item, members[member], f"{path}.{member}".lstrip("."))
        ]
    if shape.type_name == "list" and isinstance(value, list):
        member = shape.member  # type: ignore[attr-defined]
        limit = shape.metadata.get("max")
        too_long = [f"{path} has {len(value)} items, above its maximum {limit}"] if limit and len(value) > limit else []
        return too_long + [
            problem
            for index, item in enumerate(value)
            for problem in _beyond_botocore(item, member, f"{path}[{index}]")
        ]
    return _scalar_problems(value, shape, path)


def _scalar_problems(value: Any, shape: Shape, path: str) -> list[str]:
    limit = shape.metadata.get("max")
    if shape.type_name in _NUMBERS and limit is not None and value > limit:
        return [f"{path} {value} is above its maximum {limit}"]
    if shape.type_name != "string" or not isinstance(value, str):
        return []
    pattern = shape.metadata.get("pattern")
    choices: list[str] = shape.metadata.get("enum") or []
    if choices and value not in choices:
        return [f"{path} {value!r} is not one of {', '.join(choices)}"]
    if limit is not None and len(value) > limit:
        return [f"{path} is longer than {limit} characters"]
    if pattern and not re.fullmatch(pattern, value):
        return [f"{path} {value!r} does not match {pattern}"]
    return []
