"""Reading stored videos with PyAV (FFmpeg): container facts and frames sampled at a fixed rate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
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
    video_duration_ms: int = 0
    # What the service reports as `FileExtension`: "mov" for a QuickTime file, else "mp4" (emulator/mp4.py).
    file_extension: str = "mp4"

    @property
    def frame_ms(self) -> float:
        return 1000 / self.frame_rate if self.frame_rate > 0 else 40.0

    def missing_after(self, last_frame_ms: int) -> bool:
        """Whether frames that end at `last_frame_ms` stop short of what the index promises: a file cut
        off after its index was written (a copy interrupted, a download not finished). Two frames and a
        half-second of slack absorb rounding and edit lists."""
        expected = self.video_duration_ms or self.duration_ms
        return last_frame_ms + 2 * self.frame_ms + 500 < expected

    def truncation_message(self, last_frame_ms: int) -> str:
        expected = self.video_duration_ms or self.duration_ms
        return (
            f"the video is truncated: its frames end at {last_frame_ms / 1000:.1f} s of the "
            f"{expected / 1000:.1f} s its index announces"
        )

    def video_metadata(self) -> dict[str, Any]:
        """The service's VideoMetadata, from the container's own facts."""
        return {
            "Codec": self.codec,
            "DurationMillis": self.duration_ms,
            "Format": self.format_long_name,
            # A 32-bit float, as the service reports it: 30000/1001 is 29.970029830932617.
            "FrameRate": float(np.float32(self.frame_rate)),
            "FrameHeight": self.height,
            "FrameWidth": self.width,
            "ColorRange": "FULL" if self.full_range else "LIMITED",
            "FileExtension": self.file_extension,
        }


@dataclass(frozen=True, slots=True)
class SampledFrame:
    timestamp_ms: int
    image: NDArray[np.uint8]  # BGR, as OpenCV expects


def _is_empty(source: Source) -> bool:
    if isinstance(source, str):
        return Path(source).is_file() and Path(source).stat().st_size == 0
    if not source.seekable():
        return False
    position = source.tell()
    empty = source.read(1) == b""
    source.seek(position)
    return empty


def _open(source: Source) -> Any:
    if _is_empty(source):
        raise MediaError(MediaProblem.UNREADABLE, "the file is empty (0 bytes)")
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
    # The video track's own length (the container's may include a longer audio track).
    if stream.duration is not None and stream.time_base is not None:
        video_ms = int((stream.start_time or 0) * stream.time_base * 1000 + stream.duration * stream.time_base * 1000)
    else:
        video_ms = duration_ms
    return MediaInfo(
        codec=codec,
        format_name=container.format.name,
        format_long_name=container.format.long_name,
        duration_ms=duration_ms,
        frame_rate=float(rate),
        width=stream.codec_context.width,
        height=stream.codec_context.height,
        full_range=int(stream.codec_context.color_range or 0) == 2,
        video_duration_ms=video_ms,
        file_extension="mov" if (container.metadata or {}).get("major_brand", "").strip() == "qt" else "mp4",
    )


def probe(source: Source) -> MediaInfo:
    """The container's facts, or MediaError if Rekognition Video could not read or would refuse it."""
    container = _open(source)
    try:
        return _info(container)
    finally:
        container.close()


def _scaled_size(width: int, height: int, max_width: int | None) -> tuple[int, int]:
    if max_width is None or width <= max_width:
        return width, height
    # Even sizes: swscale and the detectors' pyramids handle them without a ragged last row.
    return max_width - max_width % 2, max(2, round(height * max_width / width / 2) * 2)


def sample(
    source: Source, every_ms: int, max_width: int | None = None, *, complete: bool = False
) -> Iterator[SampledFrame]:
    """Decoded frames at most one per `every_ms` of presentation time, first frame included.

    `max_width` downscales the sampled frames (swscale, with the colour conversion) and nothing else:
    frames between samples are decoded, as H.264 needs, but never converted. With `complete`, a
    video whose frames stop before its announced duration raises MediaError after the last frame.
    """
    container = _open(source)
    try:
        info = _info(container)
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        width, height = _scaled_size(info.width, info.height, max_width)
        next_ms = 0
        last_ms = -1
        try:
            for frame in container.decode(stream):
                if frame.pts is None or frame.time_base is None:
                    continue
                timestamp = int(frame.pts * frame.time_base * 1000)
                last_ms = max(last_ms, timestamp)
                if timestamp < next_ms:
                    continue
                next_ms = timestamp + every_ms
                picture = frame.reformat(width=width, height=height, format="bgr24") if max_width else frame
                yield SampledFrame(timestamp, picture.to_ndarray(format="bgr24"))
        except av.error.FFmpegError as error:
            raise MediaError(
                MediaProblem.UNREADABLE, f"the video stream cannot be decoded ({_reason(error)})"
            ) from None
        if complete and info.missing_after(max(last_ms, 0)):
            raise MediaError(MediaProblem.UNREADABLE, info.truncation_message(max(last_ms, 0)))
    finally:
        container.close()


def truncation(source: Source) -> str | None:
    """Why the file's video stops before its announced end, read from its packets (no decoding)."""
    container = _open(source)
    try:
        info = _info(container)
        stream = container.streams.video[0]
        last_ms = 0
        try:
            for packet in container.demux(stream):
                if packet.pts is not None and packet.time_base is not None:
                    last_ms = max(last_ms, int(packet.pts * packet.time_base * 1000))
        except av.error.FFmpegError:
            pass  # a cut-off last packet: what came before still says where the video stops
        return info.truncation_message(last_ms) if info.missing_after(last_ms) else None
    finally:
        container.close()


def frames_at(source: Source, timestamps_ms: set[int]) -> dict[int, NDArray[np.uint8]]:
    """The frames shown at each of `timestamps_ms` (as reported in detections), decoded in one pass."""
    return dict(frames_shown(source, timestamps_ms))


def frames_shown(source: Source, timestamps_ms: set[int]) -> Iterator[tuple[int, NDArray[np.uint8]]]:
    """(timestamp, frame shown then) for each of `timestamps_ms` in time order, decoded in one pass and
    handed over as the decoding passes them: a caller that reduces each frame keeps none of them whole."""
    wanted = sorted(timestamps_ms)
    if not wanted:
        return
    for frame in sample(source, 1):
        while wanted and wanted[0] <= frame.timestamp_ms:
            yield wanted.pop(0), frame.image
        if not wanted:
            return


def planar_frames(source: Source, max_width: int) -> Iterator[tuple[int, NDArray[np.uint8]]]:
    """Every frame in presentation order, as (timestamp_ms, yuv420p planes stacked (height * 3 / 2, width)).

    The planes keep the file's own value range (16-235 luma in a limited-range video), which the
    segment filters' black-pixel threshold is defined on; nothing is converted to RGB.
    """
    container = _open(source)
    try:
        info = _info(container)
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        width, height = _scaled_size(info.width, info.height, max_width)
        height -= height % 4  # whole chroma rows for both chroma planes
        try:
            for frame in container.decode(stream):
                if frame.pts is None or frame.time_base is None:
                    continue
                # A full-range (JPEG) frame stays full range: converting it to yuv420p would squeeze its luma.
                layout = "yuvj420p" if frame.format.name == "yuvj420p" else "yuv420p"
                planes = frame.reformat(width=width, height=max(4, height), format=layout).to_ndarray()
                yield int(frame.pts * frame.time_base * 1000), planes
        except av.error.FFmpegError as error:
            raise MediaError(
                MediaProblem.UNREADABLE, f"the video stream cannot be decoded ({_reason(error)})"
            ) from None
    finally:
        container.close()


def audio_metadata(source: Source) -> list[dict[str, Any]]:
    """GetSegmentDetection's AudioMetadata: codec, duration, sample rate and channels of each audio stream."""
    container = _open(source)
    try:
        found = []
        for stream in container.streams.audio:
            duration_ms = 0
            if stream.duration is not None and stream.time_base is not None:
                duration_ms = int(stream.duration * stream.time_base * 1000)
            context = stream.codec_context
            found.append(
                {
                    "Codec": context.name,
                    "DurationMillis": duration_ms,
                    "SampleRate": int(context.sample_rate or 0),
                    "NumberOfChannels": int(context.channels or 0),
                }
            )
        return found
    finally:
        container.close()
