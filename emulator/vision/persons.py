"""People who are really there: detections kept only when they persist and move, over the whole video.

One frame's people-detector score cannot tell a person from a lamp post or a car pillar that looks
like one; time can. A detection is kept only when the tracker follows it over several sampled
frames and its pixels change (a person moves, breathes, turns) or its box travels; static background
never does either.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from emulator.vision.detectors import Found
from emulator.vision.tracking import IouTracker

# A person is seen on at least this many sampled frames (0.6 s at the default 200 ms)...
MIN_HITS = 3
# ...and either this share of the box's pixels changes between samples on average...
MIN_MOVING_SHARE = 0.03
# ...or the box's centre travels this many box heights over the track.
MIN_TRAVEL = 0.25


@dataclass(frozen=True, slots=True)
class PersonObservation:
    found: Found
    moving_share: float | None  # None on the first sampled frame: nothing to compare with


@dataclass(slots=True)
class _TrackFacts:
    hits: int = 0
    first: int = 0
    moving: list[float] | None = None
    centres: list[tuple[float, float]] | None = None
    heights: list[float] | None = None


def _centre(found: Found) -> tuple[float, float]:
    box = found.box
    return box["Left"] + box["Width"] / 2, box["Top"] + box["Height"] / 2


def _is_person(facts: _TrackFacts) -> bool:
    if facts.hits < MIN_HITS:
        return False
    moving = facts.moving or []
    if moving and statistics.fmean(moving) >= MIN_MOVING_SHARE:
        return True
    centres, heights = facts.centres or [], facts.heights or []
    xs, ys = [x for x, _ in centres], [y for _, y in centres]
    travel = max(max(xs) - min(xs), max(ys) - min(ys))
    return travel >= MIN_TRAVEL * statistics.median(heights)


def consistent_people(
    frames: Sequence[Sequence[PersonObservation]],
) -> list[list[tuple[int, PersonObservation]]]:
    """Per frame, the observations of tracks that pass, each with its person index (0, 1, ... in the
    order people first appear)."""
    tracker = IouTracker()
    track_ids = [tracker.update([observation.found.box for observation in frame]) for frame in frames]
    facts: dict[int, _TrackFacts] = defaultdict(_TrackFacts)
    for number, (frame, ids) in enumerate(zip(frames, track_ids, strict=True)):
        for observation, track in zip(frame, ids, strict=True):
            fact = facts[track]
            if fact.hits == 0:
                fact.first, fact.moving, fact.centres, fact.heights = number, [], [], []
            fact.hits += 1
            assert fact.moving is not None and fact.centres is not None and fact.heights is not None
            if observation.moving_share is not None and fact.hits > 1:
                fact.moving.append(observation.moving_share)
            fact.centres.append(_centre(observation.found))
            fact.heights.append(observation.found.box["Height"])
    kept = sorted((fact.first, track) for track, fact in facts.items() if _is_person(fact))
    index_of = {track: index for index, (_first, track) in enumerate(kept)}
    return [
        [(index_of[track], observation) for observation, track in zip(frame, ids, strict=True) if track in index_of]
        for frame, ids in zip(frames, track_ids, strict=True)
    ]
