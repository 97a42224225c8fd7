"""The AWS CLI (from PyPI, unchanged) against the emulator's endpoint, for every operation it serves.

The invocations are the CLI reference's own examples (`aws rekognition start-label-detection --video
"S3Object={Bucket=...,Name=...}"`, `get-label-detection --job-id ...`) with the example's values filled in.
"""

from __future__ import annotations

import pytest

from tests.conformance.conftest import (
    APIS,
    BUCKET,
    KEY,
    MORE_APIS,
    START_ARGUMENTS,
    Cloud,
    aws_cli,
    cli_json,
    wait_idle,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("start_operation", [*APIS, *MORE_APIS])
def test_every_operation_starts_notifies_and_pages(cloud: Cloud, start_operation: str):
    stem, result_key = {**APIS, **MORE_APIS}[start_operation]
    channel = f"SNSTopicArn={cloud.topic_arn},RoleArn={cloud.role_arn}"
    started = cli_json(
        aws_cli(
            cloud,
            "rekognition",
            f"start-{stem}",
            "--video",
            f"S3Object={{Bucket={BUCKET},Name={KEY}}}",
            "--notification-channel",
            channel,
            "--job-tag",
            "cli",
            *START_ARGUMENTS.get(start_operation, []),
        )
    )
    job_id = started["JobId"]
    wait_idle(cloud.fake)
    messages = cloud.messages([job_id])
    assert [(m["JobId"], m["Status"], m["JobTag"]) for m in messages] == [(job_id, "SUCCEEDED", "cli")]
    # A first call with an empty token, as the developer guide's examples make, then the service's own tokens.
    pages, token = [], ""
    while True:
        page = cli_json(
            aws_cli(
                cloud, "rekognition", f"get-{stem}", "--job-id", job_id, "--max-results", "5", "--next-token", token
            )
        )
        pages.append(page)
        token = page.get("NextToken", "")
        if not token:
            break
    elements = [element for page in pages for element in page[result_key]]
    assert len(pages) >= 2 and elements == cloud.fake.results(job_id)
    first = pages[0]
    assert (first["JobStatus"], first["JobId"], first["JobTag"]) == ("SUCCEEDED", job_id, "cli")
    # GetSegmentDetection lists the video streams; the others describe the one.
    metadata = first["VideoMetadata"][0] if isinstance(first["VideoMetadata"], list) else first["VideoMetadata"]
    assert metadata["FrameWidth"] == 640 and metadata["DurationMillis"] == 8000
    assert first["Video"] == {"S3Object": {"Bucket": BUCKET, "Name": KEY}}


def test_errors_read_as_the_services(cloud: Cloud):
    invalid = aws_cli(
        cloud,
        "rekognition",
        "start-face-detection",
        "--video",
        f"S3Object={{Bucket={BUCKET},Name={KEY}}}",
        "--client-request-token",
        "has space",
    )
    assert invalid.returncode != 0
    assert (
        "An error occurred (ValidationException) when calling the StartFaceDetection operation: "
        "1 validation error detected: Value 'has space' at 'clientRequestToken' failed to satisfy constraint"
    ) in invalid.stderr
    missing = aws_cli(
        cloud, "rekognition", "start-label-detection", "--video", f"S3Object={{Bucket={BUCKET},Name=missing.mp4}}"
    )
    assert missing.returncode != 0 and "(InvalidS3ObjectException)" in missing.stderr
    unknown = aws_cli(cloud, "rekognition", "get-person-tracking", "--job-id", "f" * 64)
    assert unknown.returncode != 0 and "(ResourceNotFoundException)" in unknown.stderr
