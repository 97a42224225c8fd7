"""One pass over a video for every analysis: decode once, detect on downscaled frames, on every core.

The service runs each Start operation as its own job; decoding and detecting once per job made the
local run pay for a video three times. An `Examiner` shared by the real analyzers looks at a video
once for all of them (faces, persons, celebrities) and keeps the findings, which are small, for the
jobs that ask later. Frames are decoded in one thread and examined by a pool of threads (OpenCV
releases the GIL), so every core works.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import cv2
import numpy as np

from emulator.vision.age_gender import AgeGenderEstimator
from emulator.vision.attributes import estimate_attributes
from emulator.vision.celebrities import FaceGallery, KnownFace
from emulator.vision.continuity import steady_faces
from emulator.vision.decode import MediaInfo, SampledFrame, probe, sample
from emulator.vision.detectors import Found, Image, PersonDetector, quality
from emulator.vision.face_landmarker import FaceLandmarker
from emulator.vision.face_mesh import FaceMesh
from emulator.vision.faces import DlibFound, FaceDetector
from emulator.vision.people import PeopleDetector
from emulator.vision.persons import PersonObservation, consistent_people

# Faces are found on frames at most this wide, people on frames at most PERSON_WIDTH wide: at 1080p
# the people detector costs about a second per full frame and a tenth at 640 (benchmarks/speed.py).
FACE_WIDTH = 960
PERSON_WIDTH = 640
_KEPT_VIDEOS = 8  # findings of the last few videos, for jobs that come after the first one


@dataclass(frozen=True, slots=True)
class FaceFinding:
    found: Found
    quality: dict[str, float]
    celebrity: tuple[KnownFace, float] | None = None
    # What `FaceAttributes=ALL` adds (emulator/vision/attributes.py), measured while the frame is at hand.
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def box(self) -> dict[str, float]:
        return self.found.box


@dataclass(frozen=True, slots=True)
class TrackedPerson:
    index: int
    found: Found


@dataclass(frozen=True, slots=True)
class FrameFindings:
    timestamp_ms: int
    faces: tuple[FaceFinding, ...] = ()
    persons: tuple[TrackedPerson, ...] = ()


@dataclass(frozen=True, slots=True)
class Examination:
    info: MediaInfo
    frames: tuple[FrameFindings, ...]


@dataclass(frozen=True, slots=True)
class Looks:
    """What to look for in a pass: the union of what the analyzers sharing an examiner need."""

    faces: bool = True
    persons: bool = True


@dataclass(slots=True)
class _Pass:
    done: threading.Event = field(default_factory=threading.Event)
    listeners: list[Callable[[float], None]] = field(default_factory=list)
    fraction: float = 0.0
    result: Examination | None = None
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class _Raw:
    timestamp_ms: int
    faces: tuple[FaceFinding, ...]
    persons: tuple[PersonObservation, ...]


def fingerprint(stream: BinaryIO) -> str:
    """The content's digest: an unversioned object replaced under the same key is another video."""
    stream.seek(0)
    digest = hashlib.file_digest(stream, "sha256").hexdigest()  # type: ignore[arg-type]
    stream.seek(0)
    return digest


def _resized(image: Image, width: int) -> Image:
    height, current = image.shape[:2]
    if current <= width:
        return image
    size = (width, max(2, round(height * width / current)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _smoothed_grey(image: Image) -> Image:
    return np.asarray(cv2.GaussianBlur(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), (5, 5), 0), dtype=np.uint8)


def _motion(previous: Image | None, current: Image) -> Image | None:
    """Where the picture changed since the previous sampled frame (a 0/1 mask on the person-sized
    frame); the threshold sits above compression noise."""
    if previous is None:
        return None
    return np.asarray(cv2.absdiff(current, previous) > 18, dtype=np.uint8)


class Examiner:
    """Looks at each video once for every analyzer that shares it; thread-safe."""

    def __init__(
        self,
        every_ms: int,
        looks: Looks | None = None,
        *,
        faces: FaceDetector | None = None,
        persons: PersonDetector | None = None,
        gallery: FaceGallery | None = None,
        workers: int | None = None,
        processes: bool = False,
    ) -> None:
        self.every_ms = every_ms
        self.looks = looks or Looks()
        self._faces = faces or FaceDetector()
        # The attributes' models are checked here, so a missing model fails the start, not a job.
        self._landmarker = FaceLandmarker() if self.looks.faces else None
        self._mesh = FaceMesh() if self.looks.faces else None
        self._age_gender = AgeGenderEstimator() if self.looks.faces else None
        self._persons = persons or PeopleDetector()
        self._gallery = gallery
        self._workers = max(1, workers or os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._passes: OrderedDict[tuple[str, ...], _Pass] = OrderedDict()
        # Processes, not threads, when asked (the local run): the detectors then run truly in parallel
        # whatever part of them holds Python's GIL. Started once, on first use, and kept for later videos.
        self._processes = processes
        self._process_pool: ProcessPoolExecutor | None = None

    def _pool(self) -> tuple[Executor, bool]:
        """The executor for one pass and whether the pass owns it (and shuts it down)."""
        if not self._processes:
            return ThreadPoolExecutor(self._workers, thread_name_prefix="examine"), True
        with self._lock:
            if self._process_pool is None:
                self._process_pool = ProcessPoolExecutor(
                    self._workers,
                    mp_context=multiprocessing.get_context("spawn"),  # never fork a process full of threads
                    initializer=_start_process,
                    initargs=(self.every_ms, self.looks, self._gallery),
                )
            return self._process_pool, False

    def examine(
        self, key: tuple[str, ...], open_video: Callable[[], BinaryIO], progress: Callable[[float], None]
    ) -> Examination:
        """The findings for the video under `key` (its identity); the first caller looks, later ones wait."""
        with self._lock:
            current = self._passes.get(key)
            owner = current is None or (current.done.is_set() and current.error is not None)
            if owner:
                current = _Pass()
                self._passes[key] = current
                while len(self._passes) > _KEPT_VIDEOS:
                    self._passes.popitem(last=False)
            assert current is not None
            self._passes.move_to_end(key)
            current.listeners.append(progress)
            progress(current.fraction)
        if owner:
            try:
                current.result = self._look(open_video, current)
            except BaseException as error:
                current.error = error
                raise
            finally:
                current.done.set()
        current.done.wait()
        if current.error is not None:
            raise current.error
        assert current.result is not None
        return current.result

    def _report(self, state: _Pass, fraction: float) -> None:
        with self._lock:
            state.fraction = fraction
            listeners = list(state.listeners)
        for listener in listeners:
            listener(fraction)

    def _look(self, open_video: Callable[[], BinaryIO], state: _Pass) -> Examination:
        with open_video() as stream:
            info = probe(stream)
            stream.seek(0)
            raw: list[_Raw] = []
            pool, owned = self._pool()
            try:
                for found in self._in_order(pool, sample(stream, self.every_ms, FACE_WIDTH, complete=True)):
                    raw.append(found)
                    if info.duration_ms > 0:
                        self._report(state, min(0.99, found.timestamp_ms / info.duration_ms))
            finally:
                if owned:
                    pool.shutdown()
        people = consistent_people([frame.persons for frame in raw])
        faces = steady_faces([frame.faces for frame in raw])
        frames = tuple(
            FrameFindings(
                frame.timestamp_ms,
                tuple(steady),
                tuple(TrackedPerson(index, observation.found) for index, observation in kept),
            )
            for frame, steady, kept in zip(raw, faces, people, strict=True)
        )
        self._report(state, 1.0)
        return Examination(info, frames)

    def _in_order(self, pool: Executor, frames: Iterator[SampledFrame]) -> Iterator[_Raw]:
        """Examine frames on the pool, a bounded number in flight, yielding findings in frame order."""
        pending: list[Future[_Raw]] = []
        previous: Image | None = None
        for frame in frames:
            small = _resized(frame.image, PERSON_WIDTH) if self.looks.persons else frame.image
            motion = None
            if self.looks.persons:
                grey = _smoothed_grey(small)
                motion, previous = _motion(previous, grey), grey
            if self._processes:
                pending.append(pool.submit(_examine_in_process, frame, small, motion))
            else:
                pending.append(pool.submit(self._frame, frame, small, motion))
            if len(pending) >= 2 * self._workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()

    def _frame(self, frame: SampledFrame, small: Image, motion: Image | None) -> _Raw:
        faces: tuple[FaceFinding, ...] = ()
        persons: tuple[PersonObservation, ...] = ()
        if self.looks.faces:
            faces = tuple(self._face(frame.image, found) for found in self._faces.detect(frame.image))
        if self.looks.persons:
            persons = tuple(
                PersonObservation(found, _moving_share(motion, found.box)) for found in self._persons.detect(small)
            )
        return _Raw(frame.timestamp_ms, faces, persons)

    def _face(self, image: Image, found: Found) -> FaceFinding:
        celebrity = None
        if self._gallery is not None:
            height, width = image.shape[:2]
            box = found.box
            top, left = int(box["Top"] * height), int(box["Left"] * width)
            crop = image[top : top + int(box["Height"] * height), left : left + int(box["Width"] * width)]
            if crop.size:
                celebrity = self._gallery.match(crop)
        attributes: dict[str, Any] = {}
        if isinstance(found, DlibFound) and self._landmarker is not None and self._mesh is not None:
            age_gender = self._age_gender.estimate(image, found.box) if self._age_gender is not None else None
            attributes = estimate_attributes(image, found.geometry.landmarks, self._landmarker, self._mesh, age_gender)
        return FaceFinding(found, quality(image, found.box), celebrity, attributes)


_PROCESS_EXAMINER: Examiner | None = None


def _start_process(every_ms: int, looks: Looks, gallery: FaceGallery | None) -> None:
    """A worker process's own detectors (they cannot be pickled; their models load once per process)."""
    global _PROCESS_EXAMINER  # noqa: PLW0603 - one examiner per worker process, by design
    _PROCESS_EXAMINER = Examiner(every_ms, looks, gallery=gallery, workers=1)


def _examine_in_process(frame: SampledFrame, small: Image, motion: Image | None) -> _Raw:
    assert _PROCESS_EXAMINER is not None, "the pool's initializer did not run"
    return _PROCESS_EXAMINER._frame(frame, small, motion)


def _moving_share(motion: Image | None, box: dict[str, float]) -> float | None:
    """The share of the box's pixels that changed since the previous sample (None on the first frame)."""
    if motion is None:
        return None
    height, width = motion.shape[:2]
    left, top = int(box["Left"] * width), int(box["Top"] * height)
    crop = motion[top : top + max(1, int(box["Height"] * height)), left : left + max(1, int(box["Width"] * width))]
    return float(crop.mean()) if crop.size else 0.0
