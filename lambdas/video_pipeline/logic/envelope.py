"""Unwrap SQS message bodies that may or may not carry an SNS envelope."""

from __future__ import annotations

import json
from typing import Any


class MalformedMessageError(ValueError):
    """The message cannot be understood; retrying will not change that."""


def decode_body(body: str) -> dict[str, Any]:
    """Parse an SQS body into the payload object, removing an SNS envelope when there is one.

    SNS subscriptions without raw message delivery wrap the payload in a `Notification` whose
    `Message` is the payload as a JSON string.
    """
    payload = _load_object(body, "message body")
    if payload.get("Type") == "Notification" and isinstance(payload.get("Message"), str):
        payload = _load_object(payload["Message"], "SNS Message")
    return payload


def _load_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as error:
        raise MalformedMessageError(f"{what} is not JSON: {error}") from error
    except RecursionError as error:
        # Nesting deeper than the interpreter's stack: no retry will parse it.
        raise MalformedMessageError(f"{what} is nested too deeply to read") from error
    if not isinstance(value, dict):
        raise MalformedMessageError(f"{what} is JSON but not an object")
    return value
