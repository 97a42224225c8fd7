"""Request validation: the model's constraints plus the few rules the service adds on top of them.

Constraint violations are caught at the service's front door, before the operation runs, and come
back as the front door words them (see docs/emulator.md, "Errors"): code `ValidationException` in
the `com.amazon.coral.validate` namespace, a lowercase `message` key, member paths in lowerCamelCase
with list positions counted from 1 (`settings.generalLabels.labelInclusionFilters.1.member`), and
`null` unquoted. Semantic rules the operation itself applies keep the operation's own
InvalidParameterException.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.errors import ServiceError, invalid_parameter
from emulator.model import input_shape
from emulator.shapes import Key, Violation, violations

VALIDATION_CODE = "ValidationException"
VALIDATION_TYPE = "com.amazon.coral.validate#ValidationException"


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def wire_path(violation: Violation) -> str:
    """The member path as the service's front door prints it."""
    parts: list[str] = []
    for step in violation.steps:
        if isinstance(step, int):
            parts.append(f"{step + 1}.member")
        elif isinstance(step, Key):
            parts.append(f"{step.name}.member")
        else:
            parts.append(_camel(step))
    return ".".join(parts)


def describe(violation: Violation) -> str:
    shown = "null" if violation.value is None else f"'{violation.value}'"
    return f"Value {shown} at '{wire_path(violation)}' failed to satisfy constraint: {violation.detail}"


def validation_error(found: list[Violation]) -> ServiceError:
    noun = "error" if len(found) == 1 else "errors"
    message = f"{len(found)} validation {noun} detected: {'; '.join(describe(violation) for violation in found)}"
    return ServiceError(VALIDATION_CODE, message, 400)


def validate_request(operation: str, params: Mapping[str, Any]) -> None:
    """Raise ValidationException listing every modeled constraint `params` breaks.

    botocore validates some of these client-side, but not patterns, maximums or enums, and not at
    all for clients built with `parameter_validation=False`; the service checks them all. Members
    the model lacks are ignored, as the service's JSON deserializer ignores them.
    """
    found = list(violations(params, input_shape(operation), unknown=False))
    if found:
        raise validation_error(found)


def validate_video(params: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """Return (bucket, name, version) of a Start request's video.

    The model leaves S3Object and its members optional, so the generic walk cannot catch their
    absence; the operation itself rejects a stored-video request without a bucket and an object name.
    """
    s3_object = (params.get("Video") or {}).get("S3Object")
    if not s3_object:
        raise invalid_parameter("Video.S3Object is required: stored-video analysis reads from Amazon S3")
    bucket = s3_object.get("Bucket")
    name = s3_object.get("Name")
    if not bucket or not name:
        missing = "Video.S3Object.Bucket" if not bucket else "Video.S3Object.Name"
        raise invalid_parameter(f"{missing} is required")
    version = s3_object.get("Version")
    return str(bucket), str(name), str(version) if version else None
