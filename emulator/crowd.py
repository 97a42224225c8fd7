"""People walking through a scene: their true boxes, and what a person detector reports of them.

The ground truth is a set of walkers, each entering (at a frame edge or a doorway inside the frame),
walking a straight path with a little sway, and leaving; paths cross, because everyone walks the
same band of the frame. The detector's view at one instant: each visible walker's box with jitter,
missed now and then, at low confidence while partly hidden behind someone nearer the camera, not at
all while mostly hidden, plus the odd false detection. Every instant is a pure function of (seed,
timestamp), like the rest of the fake's synthetic results.

The fake's GetLabelDetection draws its Person instances from here, and the tracker's quality
benchmark compares the tracks it derives with the walkers.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property

from emulator.draw import Draw

Box = tuple[float, float, float, float]  # left, top, width, height, as ratios of the frame
# A person is about 2.5 times taller than wide; in a 16:9 frame that is this width-to-height ratio.
_WIDTH_PER_HEIGHT = 0.4 * 9 / 16


@dataclass(frozen=True, slots=True)
class CrowdSettings:
    arrivals_per_minute: float = 30.0
    miss_rate: float = 0.08
    # Standard deviation of each box edge, as a fraction of the box's size.
    jitter: float = 0.04
    false_detection_rate: float = 0.05
    # Coverage by nearer people above which a walker is reported doubtfully, and hidden altogether.
    doubtful_coverage: float = 0.25
    hidden_coverage: float = 0.6
    # Walkers less than this fraction inside the frame are not in the ground truth.
    min_visible: float = 0.5


@dataclass(frozen=True, slots=True)
class Walker:
    ident: int
    enter_ms: int
    leave_ms: int
    start_x: float
    centre_y: float
    # Frame widths (and heights) per second.
    speed_x: float
    speed_y: float
    height: float
    sway: float
    sway_period_ms: float

    def box_at(self, timestamp: int) -> Box | None:
        if not self.enter_ms <= timestamp < self.leave_ms:
            return None
        seconds = (timestamp - self.enter_ms) / 1000
        centre_x = self.start_x + self.speed_x * seconds
        centre_y = self.centre_y + self.speed_y * seconds
        centre_y += self.sway * math.sin(2 * math.pi * (timestamp - self.enter_ms) / self.sway_period_ms)
        width = self.height * _WIDTH_PER_HEIGHT
        return (centre_x - width / 2, centre_y - self.height / 2, width, self.height)


def _clipped(box: Box) -> Box | None:
    left, top = max(box[0], 0.0), max(box[1], 0.0)
    right, bottom = min(box[0] + box[2], 1.0), min(box[1] + box[3], 1.0)
    if right <= left or bottom <= top:
        return None
    return (left, top, right - left, bottom - top)


def _overlap(first: Box, second: Box) -> float:
    width = min(first[0] + first[2], second[0] + second[2]) - max(first[0], second[0])
    height = min(first[1] + first[3], second[1] + second[3]) - max(first[1], second[1])
    return max(width, 0.0) * max(height, 0.0)


def _feet(box: Box) -> float:
    # The lower someone's feet in the frame, the nearer the camera they stand.
    return box[1] + box[3]


def _walker(seed: int, ident: int, duration_ms: int) -> Walker:
    draw = Draw(seed, 22, ident)
    height = draw.uniform(0.28, 0.5)
    width = height * _WIDTH_PER_HEIGHT
    speed = draw.uniform(0.06, 0.2) * (1 if draw.chance(0.5) else -1)
    enter_ms = int(draw.uniform(-0.1, 0.9) * duration_ms)
    if draw.chance(0.7):
        # From one edge to the other.
        start_x = -width / 2 if speed > 0 else 1 + width / 2
        walking_ms = int((1 + width) / abs(speed) * 1000)
    else:
        # Through a doorway inside the frame: appears, walks a while, disappears.
        start_x = draw.uniform(0.2, 0.8)
        walking_ms = int(draw.uniform(3_000, 10_000))
    return Walker(
        ident=ident,
        enter_ms=enter_ms,
        leave_ms=enter_ms + walking_ms,
        start_x=start_x,
        centre_y=draw.uniform(0.35, 0.6),
        speed_x=speed,
        speed_y=draw.uniform(-0.01, 0.01),
        height=height,
        sway=draw.uniform(0.0, 0.01),
        sway_period_ms=draw.uniform(800, 1_400),
    )


class Crowd:
    def __init__(self, seed: int, duration_ms: int, settings: CrowdSettings | None = None) -> None:
        self.seed = seed
        self.duration_ms = duration_ms
        self.settings = settings or CrowdSettings()

    @cached_property
    def walkers(self) -> tuple[Walker, ...]:
        count = max(2, round(self.duration_ms / 60_000 * self.settings.arrivals_per_minute))
        return tuple(_walker(self.seed, ident, self.duration_ms) for ident in range(count))

    @cached_property
    def _by_entry(self) -> tuple[list[int], tuple[Walker, ...], int]:
        """The walkers by entry time, their entry times, and the longest walk."""
        ordered = tuple(sorted(self.walkers, key=lambda walker: walker.enter_ms))
        longest = max(walker.leave_ms - walker.enter_ms for walker in ordered)
        return [walker.enter_ms for walker in ordered], ordered, longest

    def present(self, timestamp: int) -> list[Walker]:
        """The walkers walking at `timestamp`, in id order (as `walkers` lists them).

        Found among those who entered at most one longest walk earlier, so an instant costs the few
        walkers near it rather than everyone in the video: a long video's results take time linear
        in its length (a 2-hour clip of a label job used to take minutes of the benchmark's CPU).
        """
        entries, ordered, longest = self._by_entry
        nearby = ordered[bisect_left(entries, timestamp - longest) : bisect_right(entries, timestamp)]
        return sorted((walker for walker in nearby if timestamp < walker.leave_ms), key=lambda walker: walker.ident)

    def truth(self, timestamp: int) -> list[tuple[int, Box]]:
        """(walker id, box clipped to the frame) of everyone sufficiently inside the frame."""
        visible = []
        for walker in self.present(timestamp):
            box = walker.box_at(timestamp)
            clipped = _clipped(box) if box else None
            if box and clipped and clipped[2] * clipped[3] >= self.settings.min_visible * box[2] * box[3]:
                visible.append((walker.ident, clipped))
        return visible

    def detections(self, timestamp: int) -> list[tuple[Box, float]]:
        """What the detector reports at this instant: (box, confidence in percent), in no particular order."""
        settings = self.settings
        truth = self.truth(timestamp)
        reported = []
        for ident, box in truth:
            coverage = max(
                (_overlap(box, other) / (box[2] * box[3]) for _, other in truth if _feet(other) > _feet(box)),
                default=0.0,
            )
            draw = Draw(self.seed, 20, timestamp, ident)
            if coverage >= settings.hidden_coverage or draw.chance(settings.miss_rate):
                continue
            confident = coverage < settings.doubtful_coverage
            confidence = draw.uniform(75.0, 99.5) if confident else draw.uniform(42.0, 68.0)
            left, top, width, height = box
            noise = settings.jitter
            jittered = _clipped(
                (
                    left + draw.gauss(noise) * width,
                    top + draw.gauss(noise) * height,
                    width * (1 + draw.gauss(noise)),
                    height * (1 + draw.gauss(noise)),
                )
            )
            if jittered:
                reported.append((jittered, round(confidence, 3)))
        draw = Draw(self.seed, 21, timestamp)
        if draw.chance(settings.false_detection_rate):
            height = draw.uniform(0.15, 0.4)
            box = (draw.uniform(0, 0.9), draw.uniform(0.1, 0.6), height * _WIDTH_PER_HEIGHT, height)
            reported.append((box, round(draw.uniform(40.0, 65.0), 3)))
        return reported


def instances(crowd: Crowd, timestamp: int, min_confidence: float) -> list[dict[str, object]]:
    """The Person label's Instances at one instant, as GetLabelDetection returns them."""
    return [
        {
            "BoundingBox": {"Width": box[2], "Height": box[3], "Left": box[0], "Top": box[1]},
            "Confidence": confidence,
        }
        for box, confidence in crowd.detections(timestamp)
        if confidence >= min_confidence
    ]
