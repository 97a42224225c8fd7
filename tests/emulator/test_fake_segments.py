"""StartSegmentDetection / GetSegmentDetection through boto3: types, filters, paging, tokens, notices."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

import pytest

from emulator import RekognitionVideoFake, sample_video_bytes
from emulator.vision.shot_clip import EditSpec, render_edit
from emulator.vision.shots import SegmentAnalyzer
from tests.emulator import conftest
from tests.emulator.conftest import BUCKET, KEY, SINGLE_ATTEMPT, get, get_all, start, upload

pytestmark = pytest.mark.integration

API = "StartSegmentDetection"
BOTH = ["SHOT", "TECHNICAL_CUE"]


def segments(fake, client, detections=30, **start_params):
    fake.script(BUCKET, KEY, API, detections=detections)
    job_id = start(client, API, **start_params)
    fake.complete_jobs([job_id])
    return job_id, get_all(client, API, job_id, MaxResults=7)[0]


def test_shots_tile_the_video_and_cues_follow_in_the_requested_order(fake, video, rekognition):
    job_id, found = segments(fake, rekognition, SegmentTypes=BOTH)
    shots = [segment for segment in found if segment["Type"] == "SHOT"]
    cues = [segment for segment in found if segment["Type"] == "TECHNICAL_CUE"]
    assert found == shots + cues and len(shots) == 30 and cues
    assert [shot["ShotSegment"]["Index"] for shot in shots] == list(range(30))
    assert shots[0]["StartFrameNumber"] == 0
    assert all(after["StartFrameNumber"] == before["EndFrameNumber"] + 1 for before, after in pairwise(shots))
    page = get(rekognition, API, job_id)
    assert page["SelectedSegmentTypes"] == [
        {"Type": "SHOT", "ModelVersion": "1.0"},
        {"Type": "TECHNICAL_CUE", "ModelVersion": "1.0"},
    ]
    assert isinstance(page["VideoMetadata"], list) and page["VideoMetadata"][0]["FrameRate"] == 30.0
    assert page["AudioMetadata"] == []


def test_only_the_requested_types_are_detected(fake, video, rekognition):
    _, found = segments(fake, rekognition, SegmentTypes=["TECHNICAL_CUE"])
    assert found and {segment["Type"] for segment in found} == {"TECHNICAL_CUE"}


def test_minimum_confidences_filter_each_type(fake, video, rekognition):
    filters = {"ShotFilter": {"MinSegmentConfidence": 90}, "TechnicalCueFilter": {"MinSegmentConfidence": 99}}
    _, found = segments(fake, rekognition, SegmentTypes=BOTH, Filters=filters)
    shots = [segment["ShotSegment"] for segment in found if segment["Type"] == "SHOT"]
    cues = [segment["TechnicalCueSegment"] for segment in found if segment["Type"] == "TECHNICAL_CUE"]
    assert shots and all(shot["Confidence"] >= 90 for shot in shots) and len(shots) < 30
    assert [shot["Index"] for shot in shots] == list(range(len(shots)))
    assert all(cue["Confidence"] >= 99 for cue in cues)


def test_ntsc_video_is_timed_in_drop_frame_timecode(fake, video, rekognition):
    upload("ntsc.mp4", sample_video_bytes(fps=Fraction(30000, 1001), seconds=120))
    job_id = start(rekognition, API, key="ntsc.mp4", SegmentTypes=["SHOT"])
    fake.complete_jobs()
    found, _ = get_all(rekognition, API, job_id)
    assert all(";" in segment["StartTimecodeSMPTE"] and ";" in segment["DurationSMPTE"] for segment in found)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "at 'segmentTypes' failed to satisfy constraint: Member must not be null"),
        (
            {"SegmentTypes": []},
            "at 'segmentTypes' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        ({"SegmentTypes": ["SCENE"]}, "Value 'SCENE' at 'segmentTypes.1.member' failed to satisfy constraint"),
        (
            {"SegmentTypes": ["SHOT"], "Filters": {"ShotFilter": {"MinSegmentConfidence": 40}}},
            "at 'filters.shotFilter.minSegmentConfidence' failed to satisfy constraint: "
            "Member must have value greater than or equal to 50",
        ),
        (
            {"SegmentTypes": ["SHOT"], "Filters": {"TechnicalCueFilter": {"BlackFrame": {"MaxPixelThreshold": 2}}}},
            "at 'filters.technicalCueFilter.blackFrame.maxPixelThreshold'",
        ),
    ],
    ids=["no-types", "empty-types", "unknown-type", "low-confidence", "threshold-above-one"],
)
def test_invalid_requests_are_validation_errors(fake, video, unvalidated, params, fragment):
    with pytest.raises(unvalidated.exceptions.ClientError) as raised:
        unvalidated.start_segment_detection(Video=conftest.video_param(), **params)
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException" and fragment in error["Message"]


def test_a_token_replays_the_job_and_rejects_other_parameters(fake, video, rekognition):
    first = start(rekognition, API, ClientRequestToken="segments-1")
    assert start(rekognition, API, ClientRequestToken="segments-1") == first
    with pytest.raises(rekognition.exceptions.IdempotentParameterMismatchException):
        start(rekognition, API, ClientRequestToken="segments-1", SegmentTypes=["SHOT"])


def test_the_notification_names_the_operation_and_the_tag(fake, video, rekognition, channel):
    job_id = start(rekognition, API, JobTag="shots", NotificationChannel=channel.notification_channel)
    fake.complete_jobs()
    (message,) = channel.messages()
    assert (message["JobId"], message["Status"], message["API"], message["JobTag"]) == (
        job_id,
        "SUCCEEDED",
        API,
        "shots",
    )


def test_the_real_analyzer_through_the_fake_reports_the_files_streams(aws, tmp_path):
    path = tmp_path / "edit.mp4"
    truth = render_edit(path, EditSpec(audio=True))
    conftest.client("s3").create_bucket(Bucket=BUCKET)
    upload("edit.mp4", path.read_bytes())
    with RekognitionVideoFake(analyzers={API: SegmentAnalyzer()}) as real, real.activate():
        client = conftest.client("rekognition", SINGLE_ATTEMPT)
        job_id = start(client, API, key="edit.mp4")
        real.complete_jobs()
        page = get(client, API, job_id)
    assert page["JobStatus"] == "SUCCEEDED"
    (audio,) = page["AudioMetadata"]  # the file's own sound track, read with PyAV
    assert (audio["Codec"], audio["SampleRate"], audio["NumberOfChannels"]) == ("aac", 44100, 2)
    assert abs(audio["DurationMillis"] - page["VideoMetadata"][0]["DurationMillis"]) < 100
    assert page["VideoMetadata"][0]["FrameRate"] == 25.0
    shots = [segment for segment in page["Segments"] if segment["Type"] == "SHOT"]
    assert [shot["StartFrameNumber"] for shot in shots[1:]] == list(truth.cuts)


def test_scripted_segments_are_returned_as_given_with_the_file_and_request_members(fake, video, rekognition):
    shot = {
        "Type": "SHOT",
        "StartTimestampMillis": 0,
        "EndTimestampMillis": 1000,
        "DurationMillis": 1000,
        "StartTimecodeSMPTE": "00:00:00:00",
        "EndTimecodeSMPTE": "00:00:01:00",
        "DurationSMPTE": "00:00:01:00",
        "ShotSegment": {"Index": 0, "Confidence": 99.0},
    }
    fake.script(BUCKET, KEY, API, elements=[shot])
    job_id = start(rekognition, API, SegmentTypes=["SHOT"])
    fake.complete_jobs()
    page = get(rekognition, API, job_id)
    assert page["Segments"] == [shot]
    assert page["SelectedSegmentTypes"] == [{"Type": "SHOT", "ModelVersion": "1.0"}]
    assert page["VideoMetadata"][0]["DurationMillis"] == 600_000
    with pytest.raises(ValueError, match="do not match the model"):
        fake.script(BUCKET, KEY, API, elements=[{**shot, "Type": "SCENE"}])
