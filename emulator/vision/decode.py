"""Reading stored videos with PyAV (FFmpeg): container facts and frames sampled at a fixed rate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, BinaryIO

import av
import av.error
import numpy as np
from numpy.typing import NDArray

# What Rekognition Video accepts: H.264 in a MPEG-4 or QuickTime container.
SUPPORTED_CODECS = frozenset({"h264"})
_SUPPORTED_FORMAT_NAMES = frozenset({"mov", "mp4"})
_MICROSECONDS = 1_000_000

Source = str | BinaryIO


class MediaProblem(Enum):
    UNREADABLE = "unreadable"
    UNSUPPORTED = "unsupported"


class MediaError(Exception):
    def __init__(self, problem: MediaProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message


@dataclass(frozen=True, slots=True)
class MediaInfo:
    codec: str
    format_name: str
    format_long_name: str
    duration_ms: int
    frame_rate: float
    width: int
    height: int
    full_range: bool

    def video_metadata(self) -> dict[str, Any]:
        """The service's VideoMetadata, from the container's own facts."""
        return {
            "Codec": self.codec,
            "DurationMillis": self.duration_ms,
            "Format": self.format_long_name,
            "FrameRate": round(self.frame_rate, 3),
            "FrameHeight": self.height,
            "FrameWidth": self.width,
            "ColorRange": "FULL" if self.full_range else "LIMITED",
        }


@dataclass(frozen=True, slots=True)
class SampledFrame:
    timestamp_ms: int
    image: NDArray[np.uint8]  # BGR, as OpenCV expects


def _open(source: Source) -> Any:
    try:
        return av.open(source, mode="r")
    except (av.error.FFmpegError, ValueError, OSError) as error:
        raise MediaError(MediaProblem.UNREADABLE, f"not a readable video ({_reason(error)})") from None


def _reason(error: Exception) -> str:
    text = getattr(error, "strerror", None) or str(error)
    return str(text).split(":")[0].strip() or type(error).__name__


def _info(container: Any) -> MediaInfo:
    streams = container.streams.video
    if not streams:
        raise MediaError(MediaProblem.UNREADABLE, "the file has no video stream")
    stream = streams[0]
    format_names = set(container.format.name.split(","))
    if not format_names & _SUPPORTED_FORMAT_NAMES:
        raise MediaError(MediaProblem.UNSUPPORTED, f"container {container.format.long_name} is not MP4 or MOV")
    codec = stream.codec_context.name
    if codec not in SUPPORTED_CODECS:
        raise MediaError(MediaProblem.UNSUPPORTED, f"codec {codec} is not supported; Rekognition Video needs H.264")
    rate = stream.average_rate or stream.guessed_rate or 0
    if container.duration is not None:
        duration_ms = int(container.duration * 1000 / _MICROSECONDS)
    elif stream.duration is not None and stream.time_base is not None:
        duration_ms = int(stream.duration * stream.time_base * 1000)
    else:
        duration_ms = 0
    return MediaInfo(
        codec=codec,
        format_name=container.format.name,
        format_long_name=container.format.long_name,
        duration_ms=duration_ms,
        frame_rate=float(rate),
        width=stream.codec_context.width,
        height=stream.codec_context.height,
        full_range=int(stream.codec_context.color_range or 0) == 2,
    )


def probe(source: Source) -> MediaInfo:
    """The container's facts, or MediaError if Rekognition Video could not read or would refuse it."""
    container = _open(source)
    try:
        return _info(container)
    finally:
        container.close()


def sample(source: Source, every_ms: int) -> Iterator[SampledFrame]:
    """Decoded frames at most one per `every_ms` of presentation time, first frame included."""
    container = _open(source)
    try:
        _info(container)
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        next_ms = 0
        try:
            for frame in container.decode(stream):
                if frame.pts is None or frame.time_base is None:
                    continue
                timestamp = int(frame.pts * frame.time_base * 1000)
                if timestamp < next_ms:
                    continue
                next_ms = timestamp + every_ms
                yield SampledFrame(timestamp, frame.to_ndarray(format="bgr24"))
        except av.error.FFmpegError as error:
            raise MediaError(
                MediaProblem.UNREADABLE, f"the video stream cannot be decoded ({_reason(error)})"
            ) from None
    finally:
        container.close()


def frames_at(source: Source, timestamps_ms: set[int]) -> dict[int, NDArray[np.uint8]]:
    """The frames shown at each of `timestamps_ms` (as reported in detections), decoded in one pass."""
    wanted = sorted(timestamps_ms)
    found: dict[int, NDArray[np.uint8]] = {}
    if not wanted:
        return found
    for frame in sample(source, 1):
        while wanted and wanted[0] <= frame.timestamp_ms:
            found[wanted.pop(0)] = frame.image
        if not wanted:
            break
    return found
