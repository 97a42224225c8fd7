"""`python -m emulator`: the stand-alone server a user runs to test their own Rekognition code."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from in_process.cloud import client_at
from tests.conformance.conftest import BUCKET, CREDENTIALS, KEY, REGION, ROOT, Cloud

pytestmark = pytest.mark.integration


def _serve(cloud: Cloud, *options: str) -> Iterator[str]:
    command = [sys.executable, "-m", "emulator", "--port", "0", "--aws-endpoint", cloud.aws_url, *options]
    server = subprocess.Popen(
        command, cwd=ROOT, env=cloud.environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("Rekognition Video emulator listening on http://127.0.0.1:"), line
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0  # a clean stop on SIGTERM


def _client(url: str):
    return client_at(url, "rekognition", REGION, CREDENTIALS)


def test_the_server_reads_videos_from_the_given_endpoint_and_finishes_jobs(cloud: Cloud):
    for url in _serve(cloud, "--workers", "1", "--people-pathing"):
        client = _client(url)
        job_id = client.start_person_tracking(Video={"S3Object": {"Bucket": BUCKET, "Name": KEY}})["JobId"]
        status = "IN_PROGRESS"
        for _ in range(600):  # bounded: the worker finishes a synthetic job at once
            page = client.get_person_tracking(JobId=job_id, MaxResults=5)
            status = page["JobStatus"]
            if status != "IN_PROGRESS":
                break
        assert status == "SUCCEEDED" and page["VideoMetadata"]["FrameWidth"] == 640
        with pytest.raises(client.exceptions.InvalidS3ObjectException):
            client.start_face_detection(Video={"S3Object": {"Bucket": BUCKET, "Name": "missing.mp4"}})


def test_people_pathing_is_off_by_default_as_in_aws(cloud: Cloud):
    for url in _serve(cloud):
        client = _client(url)
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.start_person_tracking(Video={"S3Object": {"Bucket": BUCKET, "Name": KEY}})


def test_bad_options_get_a_clear_error():
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "--workers", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0 and "--workers must be positive" in done.stderr
