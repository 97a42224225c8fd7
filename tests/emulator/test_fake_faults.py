"""Injected faults reach clients as the modeled exception classes, with the modeled status codes."""

from __future__ import annotations

import time

import pytest
from botocore.config import Config

from emulator.model import operation_errors
from tests.emulator import conftest
from tests.emulator.conftest import start

pytestmark = pytest.mark.integration

RETRYING = Config(retries={"mode": "standard", "total_max_attempts": 3})
SERVER_ERRORS = {"ThrottlingException", "InternalServerError"}
OPERATIONS = {
    "StartFaceDetection": lambda client: start(client, "StartFaceDetection"),
    "StartCelebrityRecognition": lambda client: start(client, "StartCelebrityRecognition"),
    "StartPersonTracking": lambda client: start(client, "StartPersonTracking"),
    "StartLabelDetection": lambda client: start(client, "StartLabelDetection"),
    "GetFaceDetection": lambda client: client.get_face_detection(JobId="f" * 64),
    "GetCelebrityRecognition": lambda client: client.get_celebrity_recognition(JobId="f" * 64),
    "GetPersonTracking": lambda client: client.get_person_tracking(JobId="f" * 64),
    "GetLabelDetection": lambda client: client.get_label_detection(JobId="f" * 64),
}
CASES = [(operation, code) for operation in OPERATIONS for code in sorted(operation_errors(operation))]


@pytest.mark.parametrize(("operation", "code"), CASES, ids=[f"{op}-{code}" for op, code in CASES])
def test_every_modeled_error_can_be_injected(fake, video, rekognition, operation, code):
    fake.inject_fault(operation, code)
    with pytest.raises(getattr(rekognition.exceptions, code)) as raised:
        OPERATIONS[operation](rekognition)
    response = raised.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == (500 if code in SERVER_ERRORS else 400)
    assert response["Error"]["Message"]
    assert fake.errors == [(operation, code)]


def test_a_fault_lasts_for_the_given_number_of_calls(fake, video, rekognition):
    fake.inject_fault("StartPersonTracking", "AccessDeniedException", times=2, message="nope")
    for _ in range(2):
        with pytest.raises(rekognition.exceptions.AccessDeniedException, match="nope"):
            start(rekognition, "StartPersonTracking")
    start(rekognition, "StartPersonTracking")
    assert len(fake.jobs) == 1 and fake.jobs  # faults start nothing


def test_faults_come_before_validation_and_other_operations_are_unaffected(fake, video, unvalidated):
    fake.inject_fault("StartFaceDetection", "ProvisionedThroughputExceededException")
    with pytest.raises(unvalidated.exceptions.ProvisionedThroughputExceededException):
        unvalidated.start_face_detection()  # invalid too, but throttled first
    start(unvalidated, "StartCelebrityRecognition")


def test_a_retrying_client_absorbs_transient_faults(fake, video, monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)
    client = conftest.client("rekognition", RETRYING)
    fake.inject_fault("StartFaceDetection", "ThrottlingException")
    fake.inject_fault("StartFaceDetection", "InternalServerError")
    assert start(client) in fake.jobs
    assert [operation for operation, _ in fake.calls] == ["StartFaceDetection"] * 3


def test_only_errors_the_operation_can_raise_are_accepted(fake):
    with pytest.raises(ValueError, match="cannot raise"):
        fake.inject_fault("GetFaceDetection", "VideoTooLargeException")
    with pytest.raises(ValueError, match="not a Rekognition operation"):
        fake.inject_fault("StartTelepathy", "ThrottlingException")
    with pytest.raises(ValueError, match="at least 1"):
        fake.inject_fault("GetFaceDetection", "ThrottlingException", times=0)
