"""Every error Rekognition's model lists for the operations the pipeline calls, and what it means.

Transient errors are retried and the message handed back; permanent ones fail the job (Start*) or
end the collection (Get*); a full quota makes the upload wait. A code that moved from one group to
another would fail a video for a passing hiccup, or retry a hopeless one until the dead-letter queue.
"""

from __future__ import annotations

import botocore.session
import pytest
from video_pipeline.analyses import EVERY_ENGINE
from video_pipeline.logic.errors import RekognitionCallError

TRANSIENT, PERMANENT, QUOTA_FULL = "transient", "permanent", "quota full"

START_ERRORS = {
    "AccessDeniedException": PERMANENT,
    "IdempotentParameterMismatchException": PERMANENT,
    "InternalServerError": TRANSIENT,
    "InvalidParameterException": PERMANENT,
    "InvalidS3ObjectException": PERMANENT,
    "LimitExceededException": QUOTA_FULL,
    "ProvisionedThroughputExceededException": TRANSIENT,
    "ThrottlingException": TRANSIENT,
    "VideoTooLargeException": PERMANENT,
}
# StartFaceSearch also names a collection, which may not exist.
START_ERRORS_OF = {"StartFaceSearch": {**START_ERRORS, "ResourceNotFoundException": PERMANENT}}
GET_ERRORS = {
    "AccessDeniedException": PERMANENT,
    "InternalServerError": TRANSIENT,
    "InvalidPaginationTokenException": PERMANENT,
    "InvalidParameterException": PERMANENT,
    "ProvisionedThroughputExceededException": TRANSIENT,
    "ResourceNotFoundException": PERMANENT,
    "ThrottlingException": TRANSIENT,
}


def _operations() -> list[tuple[str, dict[str, str]]]:
    starts = {analysis.start_operation for analysis in EVERY_ENGINE}
    gets = {analysis.get_operation for analysis in EVERY_ENGINE}
    return [(name, START_ERRORS_OF.get(name, START_ERRORS)) for name in sorted(starts)] + [
        (name, GET_ERRORS) for name in sorted(gets)
    ]


def classify(code: str) -> str:
    error = RekognitionCallError("Op", code, "message")
    if error.quota_full:
        assert error.retryable  # within the call it is retried like any transient error
        return QUOTA_FULL
    return TRANSIENT if error.retryable else PERMANENT


@pytest.mark.parametrize(("operation", "expected"), _operations())
def test_every_modeled_error_has_its_meaning(operation: str, expected: dict[str, str]) -> None:
    model = botocore.session.get_session().get_service_model("rekognition").operation_model(operation)
    modeled = {shape.name for shape in model.error_shapes}
    assert modeled == set(expected), f"{operation}: the model's errors changed; classify the new ones"
    assert {code: classify(code) for code in modeled} == {code: expected[code] for code in modeled}


@pytest.mark.parametrize("code", ["ServiceUnavailable", "RequestTimeout", "ConnectionError", "SomethingNew"])
def test_errors_outside_the_model_are_retried_rather_than_failing_a_video(code: str) -> None:
    assert classify(code) == TRANSIENT


def test_a_request_refused_at_the_front_door_is_not_retried() -> None:
    """Rekognition answers ValidationException (outside its model) for a constraint a request breaks."""
    assert classify("ValidationException") == PERMANENT
