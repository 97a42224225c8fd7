"""Generated clips for the real analyzers' tests, rendered once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.vision.sample_clip import DEFAULT_CLIP, ClipSpec, GroundTruth, render


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    path = tmp_path_factory.mktemp("clips") / "sample.mp4"
    return path, render(path)


@pytest.fixture(scope="session")
def mpeg4_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MP4 whose video is MPEG-4 Part 2, not H.264: a container Rekognition opens, a codec it refuses."""
    path = tmp_path_factory.mktemp("clips") / "mpeg4.mp4"
    render(path, ClipSpec(seconds=1.0, actors=DEFAULT_CLIP.actors[:1]), codec="mpeg4")
    return path
