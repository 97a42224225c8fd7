"""The JavaScript SDK v3 (npm, unchanged) against the emulator: every served operation, its paginators,
the developer guide's JavaScript results loop (first call with NextToken ''), and its errors."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conformance.conftest import APIS, BUCKET, KEY, MORE_APIS, ROOT, Cloud, run

pytestmark = pytest.mark.integration

SCRIPT = ROOT / "tests" / "conformance" / "clients" / "rekognition_sdk_v3.mjs"
SDK = ROOT / "node_modules" / "@aws-sdk" / "client-rekognition"


@pytest.fixture(scope="module")
def report(cloud: Cloud) -> dict:
    node = shutil.which("node")
    if node is None or not SDK.is_dir():
        pytest.fail("the JavaScript SDK is a dev dependency: install it with `npm ci` (make install does)")
    environment = {
        **cloud.environment,
        "REKOGNITION_URL": cloud.rekognition_url,
        "BUCKET": BUCKET,
        "KEY": KEY,
        "TOPIC_ARN": cloud.topic_arn,
        "ROLE_ARN": cloud.role_arn,
    }
    done = run([node, str(SCRIPT)], environment, timeout=300)
    assert done.returncode == 0, done.stderr
    found: dict = json.loads(done.stdout)
    return found


# Face search needs a collection first: the AWS CLI covers it (test_aws_cli_collections.py).
JS_APIS = [*APIS, *MORE_APIS]


@pytest.mark.parametrize("start_operation", JS_APIS)
def test_paginators_read_every_element_the_emulator_holds(cloud: Cloud, report: dict, start_operation: str):
    job = report["jobs"][start_operation]
    assert job["status"] == "SUCCEEDED"
    elements = [element for page in job["pages"] for element in page["elements"]]
    assert elements == cloud.fake.results(job["jobId"])
    assert len(job["pages"]) >= 2 and all(page["count"] <= 4 for page in job["pages"])
    metadata = job["pages"][0]["metadata"]
    # GetSegmentDetection lists the video streams; the others describe the one.
    assert (metadata[0] if isinstance(metadata, list) else metadata)["FrameHeight"] == 360


def test_the_developer_guides_results_loop_runs(cloud: Cloud, report: dict):
    job_id = report["jobs"]["StartLabelDetection"]["jobId"]
    assert report["developerGuideLabels"] == cloud.fake.results(job_id, SortBy="TIMESTAMP")


def test_notifications_arrive_for_every_job(cloud: Cloud, report: dict):
    job_ids = [job["jobId"] for job in report["jobs"].values()]
    delivered = {(message["JobId"], message["Status"], message["JobTag"]) for message in cloud.messages(job_ids)}
    assert delivered == {(job["jobId"], "SUCCEEDED", "js") for job in report["jobs"].values()}


def test_errors_carry_the_services_names_and_messages(report: dict):
    errors = report["errors"]
    assert errors["validation"]["name"] == "ValidationException" and errors["validation"]["status"] == 400
    assert errors["validation"]["message"].startswith(
        "1 validation error detected: Value 'has space' at 'clientRequestToken' failed to satisfy constraint"
    )
    assert errors["missingObject"]["name"] == "InvalidS3ObjectException"
    assert errors["unknownJob"]["name"] == "ResourceNotFoundException"
