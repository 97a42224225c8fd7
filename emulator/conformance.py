"""Checks that a response is something the real service could have sent, per botocore's model.

Every key must be a modeled member, every value of the modeled type and within the modeled
constraints (enums, patterns, lengths, ranges), and every required member present. Reusable by any
test that wants to hold a fake, a recording or a hand-written fixture to the API contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from emulator.model import output_shape
from emulator.shapes import Violation, violations

# botocore adds this to every parsed response; it is not part of the wire payload.
_CLIENT_ADDED = frozenset({"ResponseMetadata"})
# Members the service is documented to send that botocore's model lacks (SDKs drop them while
# parsing): the developer guide's GetCelebrityRecognition response shows VideoMetadata.FileExtension.
SERVICE_EXTRAS = frozenset({("VideoMetadata", "FileExtension")})


def _documented_extra(violation: Violation) -> bool:
    names = tuple(step for step in violation.steps if isinstance(step, str))
    return violation.constraint == "unknown" and names[-2:] in SERVICE_EXTRAS


def output_problems(operation: str, response: Mapping[str, Any]) -> list[str]:
    """Every way `response` departs from the output shape of `operation` (empty when it conforms)."""
    payload = {key: value for key, value in response.items() if key not in _CLIENT_ADDED}
    found = violations(payload, output_shape(operation))
    return [violation.describe() for violation in found if not _documented_extra(violation)]


def raise_listed(heading: str, problems: Sequence[str], shown: int = 20) -> None:
    """Fail with `heading` and the first `shown` problems, if there are any."""
    if problems:
        listed = "\n  ".join(problems[:shown])
        more = f"\n  ... and {len(problems) - shown} more" if len(problems) > shown else ""
        raise AssertionError(f"{heading}:\n  {listed}{more}")


def assert_conforms(operation: str, response: Mapping[str, Any]) -> None:
    raise_listed(f"{operation} response does not conform to the model", output_problems(operation, response))
