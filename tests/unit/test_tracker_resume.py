"""A collection that checkpoints and resumes tracks people exactly as one that never stopped.

Not only the outputs on smooth motion: the whole state (live tracks, their motion, misses, the next
index, the instant held back) must survive a checkpoint, or a resumed job renumbers people, splits
tracks or loses the instant that straddled the page boundary.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from video_pipeline.analyses import PERSONS_FROM_LABELS
from video_pipeline.logic.result_streams import result_stream


def person_label(timestamp: int, boxes: list[tuple[float, float]]) -> dict[str, Any]:
    instances = [
        {"BoundingBox": {"Left": left, "Top": top, "Width": 0.1, "Height": 0.3}, "Confidence": 90.0}
        for left, top in boxes
    ]
    return {"Timestamp": timestamp, "Label": {"Name": "Person", "Confidence": 90.0, "Instances": instances}}


def busy_scene(seed: int) -> list[dict[str, Any]]:
    """People who jump, vanish for a few frames, come back, and new ones who arrive; one instant may
    straddle two pages (its elements are split), as Get* paging allows."""
    rng = random.Random(seed)
    people = {n: (rng.uniform(0, 0.8), rng.uniform(0, 0.6)) for n in range(4)}
    elements = []
    for frame in range(120):
        timestamp = frame * 200
        if frame % 30 == 15:
            people[len(people)] = (rng.uniform(0, 0.8), rng.uniform(0, 0.6))
        boxes = []
        for n, (left, top) in list(people.items()):
            step = 0.08 if frame % 17 == 0 else 0.01  # now and then a jump the motion model did not predict
            people[n] = (min(0.85, max(0.0, left + rng.uniform(-step, step))), min(0.65, max(0.0, top + 0.005)))
            if rng.random() < 0.15:
                continue  # missed in this frame
            boxes.append(people[n])
        half = len(boxes) // 2
        elements += [person_label(timestamp, boxes[:half]), person_label(timestamp, boxes[half:])]
        elements.append({"Timestamp": timestamp, "Label": {"Name": "Car", "Instances": []}})
    return elements


def pages(elements: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [elements[start : start + size] for start in range(0, len(elements), size)]


@pytest.mark.parametrize(("seed", "page_size"), [(1, 7), (2, 50), (3, 1)])
def test_a_resumed_tracker_carries_its_whole_state(seed: int, page_size: int) -> None:
    elements = busy_scene(seed)
    continuous = result_stream(PERSONS_FROM_LABELS)
    resumed_state: dict[str, Any] | None = None
    uninterrupted, interrupted = [], []
    for page in pages(elements, page_size):
        uninterrupted += continuous.feed(page)
        # A fresh invocation for every page, from the checkpoint as DynamoDB stores it (JSON numbers).
        stream = result_stream(PERSONS_FROM_LABELS, resumed_state)
        interrupted += stream.feed(page)
        resumed_state = json.loads(json.dumps(stream.state()))
        assert resumed_state == json.loads(json.dumps(continuous.state()))
    uninterrupted += continuous.finish()
    interrupted += result_stream(PERSONS_FROM_LABELS, resumed_state).finish()
    assert interrupted == uninterrupted
    assert len({element["Person"]["Index"] for element in uninterrupted}) >= 4  # people were really tracked
