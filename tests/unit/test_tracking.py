"""The person tracker and the labels engine's result stream."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from video_pipeline.analyses import CELEBRITIES, PERSONS, PERSONS_FROM_LABELS
from video_pipeline.logic.result_streams import AsReturned, PersonsFromLabels, result_stream
from video_pipeline.logic.tracking import Box, Detection, PersonTracker, iou

STEP_MS = 200


def person(left: float, top: float = 0.3, confidence: float = 90.0) -> Detection:
    return Detection(Box(left, top, 0.1, 0.3), confidence)


def run(frames: list[tuple[int, list[Detection]]]) -> dict[int, list[tuple[int, float]]]:
    """index -> [(timestamp, left)] of everything the tracker emitted."""
    tracker = PersonTracker()
    tracks: dict[int, list[tuple[int, float]]] = {}
    for timestamp, detections in frames:
        for tracked in tracker.update(timestamp, detections):
            tracks.setdefault(tracked.index, []).append((tracked.timestamp, tracked.detection.box.left))
    return tracks


def test_iou_of_identical_disjoint_and_half_overlapping_boxes():
    box = Box(0.1, 0.1, 0.2, 0.2)
    assert iou(box, box) == pytest.approx(1.0)
    assert iou(box, Box(0.5, 0.5, 0.2, 0.2)) == 0.0
    assert iou(box, Box(0.2, 0.1, 0.2, 0.2)) == pytest.approx(1 / 3)


def test_two_people_crossing_keep_their_indexes():
    frames = []
    for step in range(40):
        timestamp = step * STEP_MS
        # One walks right, the other left, along the same line: their boxes overlap mid-way.
        frames.append((timestamp, [person(0.05 + 0.02 * step), person(0.85 - 0.02 * step, top=0.32)]))
    tracks = run(frames)
    assert len(tracks) == 2
    rightward = next(points for points in tracks.values() if points[0][1] < 0.5)
    leftward = next(points for points in tracks.values() if points[0][1] > 0.5)
    assert [left for _, left in rightward] == sorted(left for _, left in rightward)
    assert [left for _, left in leftward] == sorted((left for _, left in leftward), reverse=True)
    assert len(rightward) == len(leftward) == 40  # every sighting, the first included


def test_a_short_occlusion_keeps_the_index_and_a_long_absence_starts_a_new_one():
    def walk(gap_steps: int) -> dict[int, list[tuple[int, float]]]:
        frames = []
        for step in range(30):
            hidden = 10 <= step < 10 + gap_steps
            frames.append((step * STEP_MS, [] if hidden else [person(0.1 + 0.01 * step)]))
        return run(frames)

    assert len(walk(gap_steps=8)) == 1  # 1.6 s hidden: motion prediction carries the track across
    assert len(walk(gap_steps=18)) == 2  # 3.6 s is longer than a track survives unseen


def test_a_one_off_detection_is_kept_as_a_single_sighting_track():
    frames = [(step * STEP_MS, [person(0.1 + 0.01 * step)]) for step in range(10)]
    frames[5][1].append(person(0.7, top=0.1))
    tracker = PersonTracker()
    emitted = [tracked for timestamp, detections in frames for tracked in tracker.update(timestamp, detections)]
    emitted += tracker.finish()
    walker = [tracked for tracked in emitted if tracked.index == 0]
    (one_off,) = [tracked for tracked in emitted if tracked.index != 0]
    assert [tracked.timestamp for tracked in walker] == [step * STEP_MS for step in range(10)]
    assert not any(tracked.single_sighting for tracked in walker)
    assert (one_off.timestamp, one_off.detection.box.left, one_off.single_sighting) == (5 * STEP_MS, 0.7, True)
    assert tracker.single_sightings == 1 and tracker.tracks_started == 2


def test_a_person_seen_in_the_last_instant_only_is_emitted_when_the_results_end():
    tracker = PersonTracker()
    assert tracker.update(0, [person(0.1)]) == []  # held: the next instant says what it is
    (last,) = tracker.finish()
    assert (last.index, last.timestamp, last.single_sighting) == (0, 0, True)
    assert tracker.single_sightings == 1


def test_people_seen_at_one_instant_only_are_stored():
    """AWS's person-tracking example has two people at a single instant; as label detection results
    given to the collector's stream, both must be stored, as single-sighting tracks."""
    stream = PersonsFromLabels()
    stored = [*stream.feed([label(0, 0.1, 0.6)]), *stream.finish()]
    assert [(element["Timestamp"], element["Person"]["Index"]) for element in stored] == [(0, 0), (0, 1)]
    assert [element.get("SingleSighting") for element in stored] == [True, True]
    tracker = PersonTracker()
    assert tracker.update(0, [person(0.1), person(0.6)]) == [] and tracker.single_sightings == 2
    # Seen again, each becomes an ordinary track, both sightings unmarked; nothing is counted twice.
    found = tracker.update(STEP_MS, [person(0.11), person(0.61)])
    assert [(tracked.timestamp, tracked.single_sighting) for tracked in found] == [(0, False)] * 2 + [
        (STEP_MS, False)
    ] * 2
    assert tracker.single_sightings == 0 and tracker.finish() == []


def test_a_checkpoint_from_before_birth_indexes_still_confirms_its_track():
    legacy = {
        "next_index": 0,
        "last_ms": 0,
        "confirmed": [],
        "tentative": [
            {
                "motion": [0.15, 0.45, 0.1, 0.3, 0.0, 0.0],
                "seen_ms": 0,
                "hits": 1,
                "index": None,
                "pending": [[0, [0.1, 0.3, 0.1, 0.3, 90.0]]],
            },
        ],
    }
    tracker = PersonTracker.from_state(legacy)
    emitted = tracker.update(STEP_MS, [person(0.1)])
    assert [(tracked.index, tracked.timestamp) for tracked in emitted] == [(0, 0), (0, STEP_MS)]


def test_doubtful_detections_continue_a_track_but_never_start_one():
    frames = [(step * STEP_MS, [person(0.1 + 0.01 * step, confidence=95 if step < 5 else 45)]) for step in range(10)]
    frames += [(step * STEP_MS, [person(0.6, confidence=45)]) for step in range(10, 20)]
    tracks = run(frames)
    assert list(tracks) == [0] and len(tracks[0]) == 10


def test_instants_must_come_in_time_order():
    tracker = PersonTracker()
    tracker.update(1000, [person(0.1)])
    with pytest.raises(ValueError, match="time order: 500 ms after 1000 ms"):
        tracker.update(500, [person(0.1)])


def label(timestamp: int, *lefts: float, name: str = "Person") -> dict:
    instances = [
        {"BoundingBox": {"Width": 0.1, "Height": 0.3, "Left": left, "Top": 0.3}, "Confidence": 90.0} for left in lefts
    ]
    return {"Timestamp": timestamp, "Label": {"Name": name, "Confidence": 90.0, "Instances": instances}}


def test_labels_become_person_elements_shaped_like_get_person_tracking():
    stream = PersonsFromLabels()
    elements = [label(step * STEP_MS, 0.1 + 0.01 * step) for step in range(5)]
    stored = [*stream.feed(elements), *stream.finish()]
    assert [element["Timestamp"] for element in stored] == [step * STEP_MS for step in range(5)]
    for element in stored:
        assert set(element) == {"Timestamp", "Person"}
        assert element["Person"]["Index"] == 0
        assert set(element["Person"]["BoundingBox"]) == {"Width", "Height", "Left", "Top"}


def test_other_labels_and_unusable_instances_are_ignored():
    stream = PersonsFromLabels()
    broken = {"Timestamp": 400, "Label": {"Name": "Person", "Instances": [{"BoundingBox": {"Width": 0.1}}, "junk"]}}
    elements = [label(0, 0.1), label(200, 0.11), label(200, 0.5, name="Car"), broken, label(600, 0.13)]
    stored = [*stream.feed(elements), *stream.finish()]
    assert [element["Timestamp"] for element in stored] == [0, 200, 600]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=12))
def test_what_is_stored_does_not_depend_on_the_paging(page_sizes: list[int]):
    elements = [label(step * STEP_MS, 0.05 + 0.02 * step, 0.85 - 0.02 * step) for step in range(40)]
    whole = PersonsFromLabels()
    expected = [*whole.feed(elements), *whole.finish()]
    paged, stored, start = PersonsFromLabels(), [], 0
    for size in page_sizes * 10:
        stored.extend(paged.feed(elements[start : start + size]))
        start += size
    stored.extend(paged.feed(elements[start:]))
    stored.extend(paged.finish())
    assert stored == expected and len(expected) == 80


def test_only_the_labels_engine_derives_its_results():
    assert isinstance(result_stream(PERSONS_FROM_LABELS), PersonsFromLabels)
    assert isinstance(result_stream(PERSONS), AsReturned)
    assert isinstance(result_stream(CELEBRITIES), AsReturned)


def test_a_tracker_resumed_from_its_state_continues_exactly_like_the_original() -> None:
    import json

    from video_pipeline.logic.tracking import Box, Detection, PersonTracker

    def instant(step: int) -> list[Detection]:
        return [
            Detection(Box(0.1 + 0.01 * step, 0.2, 0.1, 0.3), 90.0),
            Detection(Box(0.7 - 0.01 * step, 0.2, 0.1, 0.3), 65.0 if step % 3 else 45.0),
        ]

    original = PersonTracker()
    for step in range(5):
        original.update(step * 200, instant(step))
    resumed = PersonTracker.from_state(json.loads(json.dumps(original.to_state())))
    for step in range(5, 15):
        assert resumed.update(step * 200, instant(step)) == original.update(step * 200, instant(step))
