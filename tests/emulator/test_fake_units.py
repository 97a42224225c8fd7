"""The fake's building blocks, without AWS."""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

import pytest
from botocore.model import StructureShape

from emulator.catalog import APIS, SORT_PARAMETER
from emulator.clock import Clock
from emulator.draw import Draw, seed_of
from emulator.media import is_supported_container, sample_video_bytes
from emulator.model import error_http_status, input_shape, output_shape
from emulator.mp4 import ContainerError, read_container
from emulator.notifications import DropPolicy
from emulator.results import ResultSet, ScriptedSource
from emulator.shapes import violations
from emulator.video import Timeline, VideoProfile

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("api", APIS, ids=lambda api: api.start_operation)
def test_catalog_entries_agree_with_the_model(api):
    get_input = input_shape(api.get_operation)
    get_output = output_shape(api.get_operation)
    assert isinstance(get_input, StructureShape) and isinstance(get_output, StructureShape)
    assert api.result_key in get_output.members
    assert set(api.get_defaults) <= set(get_input.members)
    for name, default in api.get_defaults.items():
        assert default in get_input.members[name].enum
    if SORT_PARAMETER in get_input.members:
        assert set(api.sort_keys) == set(get_input.members[SORT_PARAMETER].enum)


def test_error_statuses_follow_the_models_fault_flag():
    assert error_http_status("ThrottlingException") == 500
    assert error_http_status("InternalServerError") == 500
    assert error_http_status("InvalidParameterException") == 400
    assert error_http_status("LimitExceededException") == 400


def test_draws_are_pure_functions_of_their_address():
    assert [Draw(7, 1, 2).bits() for _ in range(3)] == [Draw(7, 1, 2).bits()] * 3
    assert Draw(7, 1, 2).bits() != Draw(7, 2, 1).bits()
    assert seed_of("b", "k", None) == seed_of("b", "k", "") != seed_of("b", "k", "v1")
    draw = Draw(1)
    assert all(3 <= draw.integer(3, 5) <= 5 for _ in range(200))
    assert sorted(Draw(3).sample(range(10), 10)) == list(range(10))


def test_the_clock_only_moves_forward():
    clock = Clock(lambda: 1000.0)
    clock.advance(5)
    assert clock.now() == 1005.0 and clock.now_millis() == 1_005_000
    with pytest.raises(ValueError):
        clock.advance(-1)


@pytest.mark.parametrize(
    ("prefix", "supported"),
    [
        (sample_video_bytes(), True),
        (b"\x00\x00\x00\x14ftypqt  ", True),
        (b"\x00\x00\x00\x08wide\x00\x00", True),
        (b"\x00\x00\x10\x00moov", True),
        (b"RIFF\x00\x00\x00\x00AVI ", False),
        (b"\x1a\x45\xdf\xa3\x93\x42\x82\x88", False),  # Matroska
        (b"ftyp", False),
        (b"", False),
    ],
)
def test_containers_are_recognized_by_their_leading_box(prefix, supported):
    assert is_supported_container(prefix) is supported


def _profile(**video: Any) -> VideoProfile:
    return VideoProfile(read_container(io.BytesIO(sample_video_bytes(**video))))


def test_timestamps_never_decrease_and_stay_inside_the_file():
    profile = _profile(seconds=8, fps=25)
    for wanted in (0, 1, 7, 10_000):
        samples = Timeline.fitting(profile, wanted)
        timeline = Timeline(profile, samples)
        stamps = [timeline.timestamp(sample) for sample in range(samples)]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
        assert all(stamp < 8000 for stamp in stamps)
        assert timeline.duration_ms == 8000  # the file's duration, never stretched
    assert Timeline.fitting(profile, 10_000) == 200  # one instant per frame at most


@pytest.mark.parametrize(
    ("video", "expected"),
    [
        ({"width": 640, "height": 360, "fps": 24, "seconds": 8}, (640, 360, 24.0, 8000, "LIMITED", "mp4")),
        (
            {"width": 1920, "height": 1080, "fps": Fraction(30000, 1001), "seconds": 10, "full_range": True},
            (1920, 1080, 29.970029830932617, 10010, "FULL", "mp4"),
        ),
        ({"quicktime": True, "seconds": 1}, (1280, 720, 30.0, 1000, "LIMITED", "mov")),
    ],
)
def test_video_metadata_is_read_from_the_file(video, expected):
    metadata = read_container(io.BytesIO(sample_video_bytes(**video))).video_metadata()
    found = tuple(metadata[name] for name in ("FrameWidth", "FrameHeight", "FrameRate", "DurationMillis"))
    assert (*found, metadata["ColorRange"], metadata["FileExtension"]) == expected
    assert metadata["Codec"] == "h264" and metadata["Format"] == "QuickTime / MOV"


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",  # an ftyp and nothing else
        sample_video_bytes()[:40],  # truncated inside the moov
        b"RIFF\x00\x00\x00\x00AVI LIST",
    ],
)
def test_files_without_a_readable_video_header_are_refused(body):
    with pytest.raises(ContainerError):
        read_container(io.BytesIO(body))


def test_codecs_other_than_h264_are_refused():
    from emulator.mp4 import video_header

    body = sample_video_bytes()[:24] + video_header(64, 64, 25, 1, codec=b"mp4v")
    with pytest.raises(ContainerError, match="mpeg4"):
        read_container(io.BytesIO(body))


def test_the_drop_policy_spends_its_count_before_its_fraction():
    policy = DropPolicy()
    policy.configure(count=2)
    assert [policy.should_drop() for _ in range(3)] == [True, True, False]
    policy.configure(fraction=1.0)
    assert policy.should_drop()


def test_required_members_and_unknown_members_are_violations():
    found = {
        (violation.path, violation.constraint)
        for violation in violations(
            {"Video": {}, "Bogus": 1, "NotificationChannel": {}}, input_shape("StartPersonTracking")
        )
    }
    assert found == {
        ("Bogus", "unknown"),
        ("NotificationChannel.SNSTopicArn", "required"),
        ("NotificationChannel.RoleArn", "required"),
    }


def test_scripted_results_sort_by_each_supported_key():
    elements = [
        {"Timestamp": 30, "Celebrity": {"Id": "b"}},
        {"Timestamp": 10, "Celebrity": {"Id": "c"}},
        {"Timestamp": 20, "Celebrity": {"Id": "a"}},
    ]
    celebrities = next(api for api in APIS if api.result_key == "Celebrities")
    results = ResultSet(ScriptedSource(elements, _profile(), celebrities.sort_keys))
    assert [element["Timestamp"] for element in results.all("TIMESTAMP", {})] == [10, 20, 30]
    assert [element["Celebrity"]["Id"] for element in results.all("ID", {})] == ["a", "b", "c"]
    results.all("ID", {})[0]["Celebrity"]["Id"] = "mutated"
    assert results.all("ID", {})[0]["Celebrity"]["Id"] == "a"
