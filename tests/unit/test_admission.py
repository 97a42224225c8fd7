from __future__ import annotations

import pytest
from video_pipeline.logic.admission import MAX_VIDEO_BYTES, Verdict, by_content, by_name_and_size

MP4_HEADER = b"\x00\x00\x00\x18ftypmp42"
MOV_HEADER = b"\x00\x00\x00\x14ftypqt  "


@pytest.mark.parametrize("key", ["a.mp4", "dir/B.MOV", "clip.m4v", "x y/z+1.Mp4"])
def test_video_names_pass_the_first_gate(key):
    assert by_name_and_size(key, 1000).verdict is Verdict.ACCEPT


@pytest.mark.parametrize("key", ["notes.txt", "image.jpg", "folder/", "video.mp4.part", "movie.avi", "mp4"])
def test_other_objects_are_ignored(key):
    assert by_name_and_size(key, 1000).verdict is Verdict.IGNORE


def test_empty_and_oversized_videos_are_rejected():
    assert by_name_and_size("a.mp4", 0).reason_code == "EmptyObject"
    assert by_name_and_size("a.mp4", MAX_VIDEO_BYTES + 1).reason_code == "VideoTooLarge"
    assert by_name_and_size("a.mp4", MAX_VIDEO_BYTES).verdict is Verdict.ACCEPT
    assert by_name_and_size("a.mp4", None).verdict is Verdict.ACCEPT


def test_content_gate_checks_the_container_and_real_size():
    assert by_content(MP4_HEADER, 100).verdict is Verdict.ACCEPT
    assert by_content(MOV_HEADER, 100).verdict is Verdict.ACCEPT
    assert by_content(b"\x00\x00\x00\x08moov....", 100).verdict is Verdict.ACCEPT
    assert by_content(b"RIFF\x00\x00\x00\x00AVI ", 100).reason_code == "UnsupportedContainer"
    assert by_content(b"abc", 3).reason_code == "UnsupportedContainer"
    assert by_content(MP4_HEADER, 0).reason_code == "EmptyObject"
    assert by_content(MP4_HEADER, MAX_VIDEO_BYTES + 1).reason_code == "VideoTooLarge"
