"""A light multi-object tracker: stable identities for boxes detected independently at each instant.

ByteTrack-style association (Zhang et al., 2022), adapted to what label detection returns:

1. confirmed tracks (seen now or lost for a while) take the confident detections, by IoU against
   each track's motion-predicted box;
2. tracks seen at the previous instant that found nothing take the doubtful detections: a partly
   hidden person is detected with low confidence, and matching those keeps the track alive;
3. tentative tracks take what confident detections remain; a track is confirmed on its second hit;
4. confident detections nobody took start tentative tracks.

Every detection the service returned is kept, so that a person seen at one reported instant only
(AWS's own person-tracking example has two such people at a single instant) is stored as a
single-sighting track rather than lost. A new track's first sighting is held until the next instant
says what it is: seen again, the track is confirmed and both sightings are emitted; missed, the
sighting is emitted as a single-sighting track (`Tracked.single_sighting`), and `single_sightings`
counts it. `finish` emits the sightings still held when the results end. Unmatched detections too
doubtful to start a track are single-sighting tracks from the outset (with `keep_doubtful`).

A track lost for longer than `max_lost_ms` ends. Motion is a constant-velocity alpha-beta filter on
the box centre: instants are irregular (a few per second), so prediction is in milliseconds, and the
filter is far cheaper than a Kalman filter for the same job here. Matching is greedy by IoU, which
for the handful of people in a frame gives the same pairs as an optimal assignment almost always.

Pure Python, no dependencies: it runs in the collector Lambda as it streams result pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Box:
    """Ratios of the frame, as Rekognition's BoundingBox."""

    left: float
    top: float
    width: float
    height: float

    @property
    def area(self) -> float:
        return self.width * self.height


def iou(first: Box, second: Box) -> float:
    overlap_width = min(first.left + first.width, second.left + second.width) - max(first.left, second.left)
    overlap_height = min(first.top + first.height, second.top + second.height) - max(first.top, second.top)
    if overlap_width <= 0 or overlap_height <= 0:
        return 0.0
    overlap = overlap_width * overlap_height
    return overlap / (first.area + second.area - overlap)


@dataclass(frozen=True, slots=True)
class Detection:
    box: Box
    confidence: float


@dataclass(frozen=True, slots=True)
class Tracked:
    """A detection with the identity the tracker gave it.

    `single_sighting`: its track was seen at this one instant only. It may be a person seen once
    (kept, as the service returned it) or a false detection; readers can tell the two kinds apart.
    """

    index: int
    timestamp: int
    detection: Detection
    single_sighting: bool = False


@dataclass(frozen=True, slots=True)
class TrackerSettings:
    # Confidences are Rekognition's percentages.
    high_confidence: float = 60.0
    birth_confidence: float = 70.0
    confident_min_iou: float = 0.2
    doubtful_min_iou: float = 0.4
    tentative_min_iou: float = 0.3
    max_lost_ms: int = 3000
    confirm_hits: int = 2
    # Keep unmatched detections too doubtful to start a track, each as a single-sighting track.
    keep_doubtful: bool = False
    position_gain: float = 0.7
    velocity_gain: float = 0.3


@dataclass(slots=True)
class _Track:
    centre_x: float
    centre_y: float
    width: float
    height: float
    seen_ms: int
    velocity_x: float = 0.0
    velocity_y: float = 0.0
    hits: int = 1
    index: int | None = None
    # Sightings of a tentative track not emitted yet: emitted when the track is confirmed, or as a
    # single sighting when it misses an instant.
    pending: list[tuple[int, Detection]] = field(default_factory=list)

    @classmethod
    def born(cls, timestamp: int, detection: Detection, index: int) -> _Track:
        box = detection.box
        return cls(box.left + box.width / 2, box.top + box.height / 2, box.width, box.height, timestamp, index=index)

    def predicted(self, timestamp: int) -> Box:
        elapsed = timestamp - self.seen_ms
        centre_x = self.centre_x + self.velocity_x * elapsed
        centre_y = self.centre_y + self.velocity_y * elapsed
        return Box(centre_x - self.width / 2, centre_y - self.height / 2, self.width, self.height)

    def correct(self, timestamp: int, box: Box, settings: TrackerSettings) -> None:
        elapsed = max(timestamp - self.seen_ms, 1)
        predicted = self.predicted(timestamp)
        residual_x = box.left + box.width / 2 - (predicted.left + predicted.width / 2)
        residual_y = box.top + box.height / 2 - (predicted.top + predicted.height / 2)
        # The second sighting is the first velocity measurement; after that the filter smooths it.
        velocity_gain = 1.0 if self.hits == 1 else settings.velocity_gain
        position_gain = 1.0 if self.hits == 1 else settings.position_gain
        self.velocity_x += velocity_gain * residual_x / elapsed
        self.velocity_y += velocity_gain * residual_y / elapsed
        self.centre_x = predicted.left + predicted.width / 2 + position_gain * residual_x
        self.centre_y = predicted.top + predicted.height / 2 + position_gain * residual_y
        self.width += settings.position_gain * (box.width - self.width)
        self.height += settings.position_gain * (box.height - self.height)
        self.seen_ms = timestamp
        self.hits += 1


def _greedy_pairs(
    tracks: list[_Track], detections: list[Detection], timestamp: int, min_iou: float
) -> list[tuple[_Track, Detection]]:
    candidates = []
    for track_number, track in enumerate(tracks):
        predicted = track.predicted(timestamp)
        for detection_number, detection in enumerate(detections):
            overlap = iou(predicted, detection.box)
            if overlap >= min_iou:
                candidates.append((-overlap, track_number, detection_number))
    candidates.sort()
    taken_tracks: set[int] = set()
    taken_detections: set[int] = set()
    pairs = []
    for _, track_number, detection_number in candidates:
        if track_number in taken_tracks or detection_number in taken_detections:
            continue
        taken_tracks.add(track_number)
        taken_detections.add(detection_number)
        pairs.append((tracks[track_number], detections[detection_number]))
    return pairs


def _unmatched(items: list[Detection], pairs: list[tuple[_Track, Detection]]) -> list[Detection]:
    used = {id(detection) for _, detection in pairs}
    return [item for item in items if id(item) not in used]


class PersonTracker:
    """Feed instants in time order; each call returns the detections that now belong to a confirmed track."""

    def __init__(self, settings: TrackerSettings | None = None) -> None:
        self._settings = settings or TrackerSettings()
        self._confirmed: list[_Track] = []
        self._tentative: list[_Track] = []
        self._next_index = 0
        self._last_ms: int | None = None
        self._single_sightings = 0

    @property
    def tracks_started(self) -> int:
        return self._next_index

    @property
    def single_sightings(self) -> int:
        """Tracks seen at one instant only so far (the tentative ones still open included)."""
        return self._single_sightings + sum(1 for track in self._tentative if track.index is not None)

    def to_state(self) -> dict[str, Any]:
        """Everything the tracker remembers, as plain JSON values (a collector checkpoint stores it)."""
        return {
            "next_index": self._next_index,
            "last_ms": self._last_ms,
            "single_sightings": self._single_sightings,
            "confirmed": [_track_state(track) for track in self._confirmed],
            "tentative": [_track_state(track) for track in self._tentative],
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any], settings: TrackerSettings | None = None) -> PersonTracker:
        tracker = cls(settings)
        tracker._next_index = int(state["next_index"])
        tracker._last_ms = None if state.get("last_ms") is None else int(state["last_ms"])
        tracker._single_sightings = int(state.get("single_sightings", 0))
        tracker._confirmed = [_track_from_state(track) for track in state.get("confirmed", [])]
        tracker._tentative = [_track_from_state(track) for track in state.get("tentative", [])]
        return tracker

    def update(self, timestamp: int, detections: list[Detection]) -> list[Tracked]:
        if self._last_ms is not None and timestamp < self._last_ms:
            raise ValueError(f"instants must come in time order: {timestamp} ms after {self._last_ms} ms")
        previous_ms, self._last_ms = self._last_ms, timestamp
        settings = self._settings
        self._confirmed = [track for track in self._confirmed if timestamp - track.seen_ms <= settings.max_lost_ms]
        confident = [detection for detection in detections if detection.confidence >= settings.high_confidence]
        doubtful = [detection for detection in detections if detection.confidence < settings.high_confidence]

        first = _greedy_pairs(self._confirmed, confident, timestamp, settings.confident_min_iou)
        matched = {id(track) for track, _ in first}
        recent = [track for track in self._confirmed if id(track) not in matched and track.seen_ms == previous_ms]
        second = _greedy_pairs(recent, doubtful, timestamp, settings.doubtful_min_iou)
        emitted = [self._hit(track, detection, timestamp) for track, detection in (*first, *second)]

        leftover = _unmatched(confident, first)
        third = _greedy_pairs(self._tentative, leftover, timestamp, settings.tentative_min_iou)
        survivors = []
        for track, detection in third:
            track.correct(timestamp, detection.box, settings)
            track.pending.append((timestamp, detection))
            if track.hits >= settings.confirm_hits:
                emitted.extend(self._confirm(track))
            else:
                survivors.append(track)
        # A tentative track that misses an instant was seen once: it stays a single-sighting track.
        taken = {id(track) for track, _ in third}
        for track in self._tentative:
            if id(track) not in taken:
                emitted.extend(self._end_single(track))
        self._tentative = survivors
        for detection in _unmatched(leftover, third):
            if detection.confidence >= settings.birth_confidence:
                track = _Track.born(timestamp, detection, self._take_index())
                track.pending.append((timestamp, detection))
                self._tentative.append(track)
            elif settings.keep_doubtful:
                emitted.append(self._single(timestamp, detection))
        if settings.keep_doubtful:
            emitted.extend(self._single(timestamp, detection) for detection in _unmatched(doubtful, second))
        return sorted(emitted, key=lambda tracked: (tracked.timestamp, tracked.index))

    def finish(self) -> list[Tracked]:
        """The results are over: the tracks still tentative were seen once, and are emitted as such."""
        emitted = [tracked for track in self._tentative for tracked in self._end_single(track)]
        self._tentative = []
        return sorted(emitted, key=lambda tracked: (tracked.timestamp, tracked.index))

    def _end_single(self, track: _Track) -> list[Tracked]:
        """A tentative track that will never be confirmed: its held sighting, marked as single."""
        if track.index is None:  # from a checkpoint written before tracks were indexed at birth
            track.index = self._take_index()
        self._single_sightings += 1
        held, track.pending = track.pending, []
        return [Tracked(track.index, timestamp, detection, single_sighting=True) for timestamp, detection in held]

    def _take_index(self) -> int:
        index = self._next_index
        self._next_index += 1
        return index

    @staticmethod
    def _index_of(track: _Track) -> int:
        assert track.index is not None
        return track.index

    def _single(self, timestamp: int, detection: Detection) -> Tracked:
        """A detection no track took and too doubtful to start one: kept as a track of its own."""
        self._single_sightings += 1
        return Tracked(self._take_index(), timestamp, detection, single_sighting=True)

    def _hit(self, track: _Track, detection: Detection, timestamp: int) -> Tracked:
        track.correct(timestamp, detection.box, self._settings)
        assert track.index is not None
        return Tracked(track.index, timestamp, detection)

    def _confirm(self, track: _Track) -> list[Tracked]:
        """Confirm a tentative track on its second hit: every sighting it held is emitted now.

        (A checkpoint written while first sightings were emitted at birth holds only the new hit.)
        """
        history, track.pending = track.pending, []
        self._confirmed.append(track)
        if track.index is None:  # from a checkpoint written before tracks were indexed at birth
            track.index = self._take_index()
        return [Tracked(track.index, timestamp, detection) for timestamp, detection in history]


def detection_state(detection: Detection) -> list[float]:
    box = detection.box
    return [box.left, box.top, box.width, box.height, detection.confidence]


def detection_from_state(values: Sequence[Any]) -> Detection:
    left, top, width, height, confidence = (float(value) for value in values)
    return Detection(Box(left, top, width, height), confidence)


def _track_state(track: _Track) -> dict[str, Any]:
    return {
        "motion": [track.centre_x, track.centre_y, track.width, track.height, track.velocity_x, track.velocity_y],
        "seen_ms": track.seen_ms,
        "hits": track.hits,
        "index": track.index,
        "pending": [[timestamp, detection_state(detection)] for timestamp, detection in track.pending],
    }


def _track_from_state(state: Mapping[str, Any]) -> _Track:
    centre_x, centre_y, width, height, velocity_x, velocity_y = (float(value) for value in state["motion"])
    return _Track(
        centre_x,
        centre_y,
        width,
        height,
        int(state["seen_ms"]),
        velocity_x,
        velocity_y,
        int(state["hits"]),
        None if state.get("index") is None else int(state["index"]),
        [(int(timestamp), detection_from_state(values)) for timestamp, values in state.get("pending", [])],
    )
