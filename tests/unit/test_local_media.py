"""The local dashboard's media links and the answers it gives them: the bytes a browser asks for."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

from local.media import LocalMediaLinks, answer, from_manifest, write_manifest

VIDEO = bytes(range(256)) * 4  # 1,024 bytes
LINK = LocalMediaLinks().link("local-videos", "clips/a b/ü.mp4", "a-version")


def videos(bucket: str, key: str) -> bytes | None:
    return VIDEO if (bucket, key) == ("local-videos", "clips/a b/ü.mp4") else None


def test_a_link_names_bucket_and_key_as_one_segment_each() -> None:
    assert LINK == "/local-media/local-videos/clips%2Fa%20b%2F%C3%BC.mp4"


def test_without_a_range_the_whole_video() -> None:
    status, headers, body = answer(videos, LINK, None)
    assert status is HTTPStatus.OK and body == VIDEO
    assert ("Content-Type", "video/mp4") in headers and ("Accept-Ranges", "bytes") in headers


def test_a_range_is_answered_with_those_bytes() -> None:
    assert answer(videos, LINK, "bytes=10-19")[::2] == (HTTPStatus.PARTIAL_CONTENT, VIDEO[10:20])
    assert ("Content-Range", "bytes 10-19/1024") in answer(videos, LINK, "bytes=10-19")[1]
    assert answer(videos, LINK, "bytes=1000-")[2] == VIDEO[1000:]  # open-ended
    assert answer(videos, LINK, "bytes=1000-5000")[2] == VIDEO[1000:]  # past the end: up to the end
    assert answer(videos, LINK, "bytes=-24")[2] == VIDEO[-24:]  # the last 24 bytes


def test_a_range_past_the_end_is_416() -> None:
    status, headers, body = answer(videos, LINK, "bytes=1024-")
    assert status is HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE and body == b""
    assert ("Content-Range", "bytes */1024") in headers


def test_an_unknown_video_or_path_is_404() -> None:
    assert answer(videos, "/local-media/local-videos/other.mp4", None)[0] is HTTPStatus.NOT_FOUND
    assert answer(videos, "/local-media/only-a-bucket", None)[0] is HTTPStatus.NOT_FOUND


def test_the_manifest_finds_the_local_runs_files_and_forgets_moved_ones(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(VIDEO)
    manifest = write_manifest(tmp_path, "local-videos", {"samples/clip.mp4": clip, "samples/gone.mp4": tmp_path / "x"})
    read = from_manifest(manifest)
    assert read("local-videos", "samples/clip.mp4") == VIDEO
    assert read("local-videos", "samples/gone.mp4") is None
    assert read("other-bucket", "samples/clip.mp4") is None
    assert from_manifest(tmp_path / "absent.json")("local-videos", "samples/clip.mp4") is None
