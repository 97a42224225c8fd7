"""What the service does with the video itself: bad media fails the job, not the call; VideoMetadata is the file's.

AWS: Start* accepts any object it can read within the size and duration limits (InvalidS3ObjectException
and VideoTooLargeException are its only media refusals); a file it then cannot decode ends the job
FAILED with StatusMessage "Unsupported codec/format." and a FAILED notification. See docs/emulator.md.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from emulator import RekognitionVideoFake, sample_video_bytes
from emulator.analyzers import AnalysisRequest, SyntheticAnalyzer
from emulator.catalog import by_start
from emulator.errors import TOO_LARGE_MESSAGE, ServiceError, invalid_parameter
from emulator.mp4 import video_header
from tests.emulator import conftest
from tests.emulator.conftest import GET_METHODS, SINGLE_ATTEMPT, get, start, upload

pytestmark = pytest.mark.integration

MP4V = sample_video_bytes()[:24] + video_header(320, 240, 25, 2, codec=b"mp4v")
NO_VIDEO_TRACK = sample_video_bytes()[:24] + (8).to_bytes(4, "big") + b"moov"


@pytest.mark.parametrize(
    "body",
    [MP4V, NO_VIDEO_TRACK, sample_video_bytes()[:24], b"RIFF\x00\x00\x00\x00AVI LIST" * 4],
    ids=["mpeg4-codec", "no-video-track", "no-header", "avi"],
)
def test_a_readable_object_that_is_no_h264_video_fails_its_job(fake, video, rekognition, channel, body):
    upload("bad.mp4", body)
    job_id = start(rekognition, "StartLabelDetection", key="bad.mp4", NotificationChannel=channel.notification_channel)
    assert fake.complete_jobs() == [job_id]
    page = get(rekognition, "StartLabelDetection", job_id)
    assert (page["JobStatus"], page["StatusMessage"], page["Labels"]) == ("FAILED", "Unsupported codec/format.", [])
    assert "VideoMetadata" not in page
    (message,) = channel.messages()
    assert (message["JobId"], message["Status"]) == (job_id, "FAILED")


class _Refusing(SyntheticAnalyzer):
    """An analyzer whose admission refuses like a real one that probed the file."""

    def __init__(self, refusal: ServiceError) -> None:
        super().__init__(by_start("StartFaceDetection").synthesize)
        self.refusal = refusal

    def admit(self, request: AnalysisRequest) -> None:
        raise self.refusal


def test_an_analyzers_codec_refusal_becomes_the_jobs_failure(aws, video, channel):
    refusing = _Refusing(invalid_parameter("Unsupported codec/format: codec mpeg4 is not supported"))
    fake = RekognitionVideoFake(analyzers={"StartFaceDetection": refusing})
    client = conftest.client("rekognition", SINGLE_ATTEMPT)
    with fake.activate():
        job_id = start(client, NotificationChannel=channel.notification_channel)
        fake.complete_jobs()
        page = client.get_face_detection(JobId=job_id)
    assert (page["JobStatus"], page["StatusMessage"]) == ("FAILED", "Unsupported codec/format.")
    assert [message["Status"] for message in channel.messages()] == ["FAILED"]


def test_the_size_and_duration_limits_still_refuse_the_call(aws, video):
    refusing = _Refusing(ServiceError("VideoTooLargeException", TOO_LARGE_MESSAGE))
    fake = RekognitionVideoFake(analyzers={"StartFaceDetection": refusing})
    client = conftest.client("rekognition", SINGLE_ATTEMPT)
    with fake.activate(), pytest.raises(client.exceptions.VideoTooLargeException):
        start(client)
    assert fake.jobs == {}


@pytest.mark.parametrize("api", list(GET_METHODS))
def test_every_analysis_reports_the_files_own_metadata(fake, video, rekognition, api):
    upload("clip.mp4", sample_video_bytes(width=640, height=360, fps=Fraction(30000, 1001), seconds=8))
    job_id = start(rekognition, api, key="clip.mp4")
    fake.complete_jobs()
    page = get(rekognition, api, job_id)
    assert page["VideoMetadata"] == {
        "Codec": "h264",
        "DurationMillis": 8008,
        "Format": "QuickTime / MOV",
        "FrameRate": 29.970029830932617,
        "FrameHeight": 360,
        "FrameWidth": 640,
        "ColorRange": "LIMITED",
    }
    result_key = GET_METHODS[api][2]
    assert page[result_key] and all(element["Timestamp"] < 8008 for element in page[result_key])


def test_the_wire_carries_the_file_extension_botocore_drops(fake, video):
    upload("clip.mov", sample_video_bytes(quicktime=True, seconds=3))
    job_id = fake.handle(
        "StartPersonTracking", {"Video": {"S3Object": {"Bucket": conftest.BUCKET, "Name": "clip.mov"}}}
    )
    fake.complete_jobs()
    page = fake.handle("GetPersonTracking", {"JobId": job_id["JobId"]})
    assert page["VideoMetadata"]["FileExtension"] == "mov" and page["VideoMetadata"]["DurationMillis"] == 3000
