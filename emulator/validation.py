"""Request validation: the model's constraints plus the few rules the service adds on top of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.errors import invalid_parameter
from emulator.model import input_shape
from emulator.shapes import violations


def validate_request(operation: str, params: Mapping[str, Any]) -> None:
    """Raise InvalidParameterException listing every modeled constraint `params` breaks.

    botocore validates some of these client-side, but not patterns, maximums or enums, and not at
    all for clients built with `parameter_validation=False`; the service checks them all.
    """
    found = [violation.describe() for violation in violations(params, input_shape(operation))]
    if found:
        noun = "error" if len(found) == 1 else "errors"
        raise invalid_parameter(f"{len(found)} validation {noun} detected: {'; '.join(found)}")


def validate_video(params: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """Return (bucket, name, version) of a Start request's video.

    The model leaves S3Object and its members optional, so the generic walk cannot catch their
    absence; the service rejects a stored-video request without a bucket and an object name.
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
