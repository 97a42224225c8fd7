"""The facts Rekognition Video reports as VideoMetadata, read from a MP4 or QuickTime file's own boxes.

Pure Python and header-only (the `moov` box, never the media data), so the synthetic analyzer reports
the real file's duration, frame size, frame rate and color range without OpenCV or FFmpeg, and a file
Rekognition could not analyse (no video track, a codec other than H.264) fails its job as the
service fails it. `read_container(stream)` is the helper every analyzer can share.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, BinaryIO

# The service names the container as FFmpeg's mov/mp4 demuxer does, for MP4 and MOV alike.
FORMAT_NAME = "QuickTime / MOV"
SUPPORTED_CODECS = frozenset({"h264"})
_CODECS = {b"avc1": "h264", b"avc3": "h264", b"hvc1": "hevc", b"hev1": "hevc", b"mp4v": "mpeg4", b"av01": "av1"}
# A moov larger than this is not a video header; refuse rather than read it into memory.
_MAX_MOOV_BYTES = 64 * 1024 * 1024
_HEADER = struct.Struct(">I4s")
_VISUAL_SAMPLE_ENTRY_BYTES = 78  # after the 8-byte box header, before the entry's child boxes


class ContainerError(Exception):
    """The file is not a MP4/QuickTime video Rekognition Video could analyse; the message says why."""


@dataclass(frozen=True, slots=True)
class ContainerFacts:
    codec: str
    duration_ms: int
    frame_rate: float
    width: int
    height: int
    full_range: bool
    file_extension: str

    def video_metadata(self) -> dict[str, Any]:
        """VideoMetadata as the service returns it. FileExtension is on the wire, though botocore's
        model lacks it (SDKs drop it while parsing): see docs/emulator.md."""
        return {
            "Codec": self.codec,
            "DurationMillis": self.duration_ms,
            "Format": FORMAT_NAME,
            "FrameRate": self.frame_rate,
            "FrameHeight": self.height,
            "FrameWidth": self.width,
            "ColorRange": "FULL" if self.full_range else "LIMITED",
            "FileExtension": self.file_extension,
        }


def _float32(value: float) -> float:
    # The service reports the frame rate as a 32-bit float: 30000/1001 comes back as 29.970029830932617.
    result: float = struct.unpack(">f", struct.pack(">f", value))[0]
    return result


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box in data[start:end]."""
    end = len(data) if end is None else end
    position = start
    while position + 8 <= end:
        size, kind = _HEADER.unpack_from(data, position)
        header = 8
        if size == 1:
            if position + 16 > end:
                return
            size = struct.unpack_from(">Q", data, position + 8)[0]
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            raise ContainerError("a box runs past its parent: the file is truncated or not MP4")
        yield kind, position + header, position + size
        position += size


def _child(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, payload, stop in _boxes(data, start, end):
        if found == kind:
            return payload, stop
    return None


def _top_level(stream: BinaryIO) -> tuple[bytes, bytes]:
    """The ftyp major brand and the moov box's payload, seeking past everything else (media data)."""
    brand = b""
    stream.seek(0)
    while True:
        header = stream.read(8)
        if len(header) < 8:
            raise ContainerError("the file has no moov box: not a MP4 or QuickTime video")
        size, kind = _HEADER.unpack(header)
        header_size = 8
        if size == 1:
            size = struct.unpack(">Q", stream.read(8))[0]
            header_size = 16
        if kind == b"ftyp":
            brand = stream.read(4)
            stream.seek(size - header_size - 4, 1)
        elif kind == b"moov":
            if size == 0 or size - header_size > _MAX_MOOV_BYTES:
                raise ContainerError("the moov box is unbounded or too large")
            payload = stream.read(size - header_size)
            if len(payload) < size - header_size:
                raise ContainerError("the moov box is truncated")
            return brand, payload
        elif size == 0:
            raise ContainerError("the file has no moov box: not a MP4 or QuickTime video")
        else:
            if size < header_size:
                raise ContainerError("a box has an impossible size: not a MP4 or QuickTime video")
            stream.seek(size - header_size, 1)


def _timing(data: bytes, start: int) -> tuple[int, int]:
    """(timescale, duration) of a mvhd or mdhd payload, either version."""
    version = data[start]
    if version == 1:
        timescale, duration = struct.unpack_from(">IQ", data, start + 20)
    else:
        timescale, duration = struct.unpack_from(">II", data, start + 12)
    return int(timescale), int(duration)


@dataclass(frozen=True, slots=True)
class _VideoTrack:
    fourcc: bytes
    width: int
    height: int
    full_range: bool
    frames: int
    frame_ticks: int  # the frames' total duration in the track's timescale, from the sample table
    timescale: int
    duration: int


def _full_range(data: bytes, start: int, end: int) -> bool:
    colr = _child(data, start, end, b"colr")
    if colr is None or data[colr[0] : colr[0] + 4] != b"nclx":
        return False  # without a colr box H.264 defaults to limited range, as the service reports
    return bool(data[colr[0] + 10] & 0x80)


def _video_track(data: bytes, start: int, end: int) -> _VideoTrack | None:
    mdia = _child(data, start, end, b"mdia")
    if mdia is None:
        return None
    hdlr = _child(data, *mdia, b"hdlr")
    if hdlr is None or data[hdlr[0] + 8 : hdlr[0] + 12] != b"vide":
        return None
    mdhd = _child(data, *mdia, b"mdhd")
    stbl_parent = _child(data, *mdia, b"minf")
    stbl = _child(data, *stbl_parent, b"stbl") if stbl_parent else None
    stsd = _child(data, *stbl, b"stsd") if stbl else None
    if mdhd is None or stbl is None or stsd is None:
        raise ContainerError("the video track has no sample table")
    entry = next(_boxes(data, stsd[0] + 8, stsd[1]), None)
    if entry is None:
        raise ContainerError("the video track describes no samples")
    fourcc, payload, stop = entry
    width, height = struct.unpack_from(">HH", data, payload + 24)
    stts = _child(data, *stbl, b"stts")
    frames = ticks = 0
    if stts is not None:
        count = struct.unpack_from(">I", data, stts[0] + 4)[0]
        for index in range(count):
            samples, delta = struct.unpack_from(">II", data, stts[0] + 8 + 8 * index)
            frames += samples
            ticks += samples * delta
    timescale, duration = _timing(data, mdhd[0])
    full_range = _full_range(data, payload + _VISUAL_SAMPLE_ENTRY_BYTES, stop)
    return _VideoTrack(fourcc, width, height, full_range, frames, ticks, timescale, duration)


def read_container(stream: BinaryIO) -> ContainerFacts:
    """The container's VideoMetadata facts; ContainerError if Rekognition Video could not analyse it."""
    try:
        brand, moov = _top_level(stream)
        tracks = [_video_track(moov, start, end) for kind, start, end in _boxes(moov) if kind == b"trak"]
        mvhd = _child(moov, 0, len(moov), b"mvhd")
    except (struct.error, IndexError, OSError) as error:
        raise ContainerError(f"the file's boxes cannot be read ({type(error).__name__})") from None
    video = next((track for track in tracks if track is not None), None)
    if video is None:
        raise ContainerError("the file has no video track")
    codec = _CODECS.get(video.fourcc, video.fourcc.decode("latin-1").strip().lower())
    if codec not in SUPPORTED_CODECS:
        raise ContainerError(f"codec {codec} is not supported; Rekognition Video needs H.264")
    movie_scale, movie_duration = _timing(moov, mvhd[0]) if mvhd else (0, 0)
    if movie_scale and movie_duration:
        duration_ms = movie_duration * 1000 // movie_scale
    elif video.timescale:
        duration_ms = video.duration * 1000 // video.timescale
    else:
        duration_ms = 0
    # Frames over the time they cover, as FFmpeg's average frame rate: the track's own duration may
    # also count an edit list's delay.
    rate = _float32(video.frames * video.timescale / video.frame_ticks) if video.frame_ticks else 0.0
    return ContainerFacts(
        codec=codec,
        duration_ms=int(duration_ms),
        frame_rate=rate,
        width=video.width,
        height=video.height,
        full_range=video.full_range,
        file_extension="mov" if brand == b"qt  " else "mp4",
    )


# -- writing the smallest file that reads back as a video, for tests and the synthetic analyzer -------


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return _HEADER.pack(8 + len(payload), kind) + payload


def _full_box(kind: bytes, *parts: bytes) -> bytes:
    return _box(kind, b"\x00\x00\x00\x00", *parts)


_UNITY_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def video_header(
    width: int, height: int, fps: float, seconds: float, *, full_range: bool = False, codec: bytes = b"avc1"
) -> bytes:
    """A `moov` box for one video track of `seconds` at `fps`, with no media data behind it."""
    if width <= 0 or height <= 0 or fps <= 0 or seconds <= 0:
        raise ValueError("width, height, fps and seconds must be positive")
    # 29.97 is 30000/1001 in a real file; a rational keeps the frame rate exact.
    rational = Fraction(fps).limit_denominator(1001)
    timescale, delta = rational.numerator, rational.denominator
    frames = max(1, round(seconds * fps))
    duration = frames * delta
    mvhd = _full_box(
        b"mvhd",
        struct.pack(">IIII", 0, 0, timescale, duration),
        struct.pack(">IH", 0x10000, 0x100),
        bytes(10),
        _UNITY_MATRIX,
        bytes(24),
        struct.pack(">I", 2),
    )
    tkhd = _full_box(
        b"tkhd",
        struct.pack(">IIIII", 0, 0, 1, 0, duration),
        bytes(8),
        struct.pack(">HHHH", 0, 0, 0, 0),
        _UNITY_MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )
    mdhd = _full_box(b"mdhd", struct.pack(">IIIIHH", 0, 0, timescale, duration, 0x55C4, 0))
    hdlr = _full_box(b"hdlr", struct.pack(">I4s", 0, b"vide"), bytes(12), b"VideoHandler\x00")
    colr = _box(b"colr", b"nclx", struct.pack(">HHHB", 1, 1, 1, 0x80 if full_range else 0))
    entry = _box(
        codec,
        bytes(6),
        struct.pack(">H", 1),
        bytes(16),
        struct.pack(">HHIIIH", width, height, 0x480000, 0x480000, 0, 1),
        bytes(32),
        struct.pack(">Hh", 0x18, -1),
        colr,
    )
    stsd = _full_box(b"stsd", struct.pack(">I", 1), entry)
    stts = _full_box(b"stts", struct.pack(">III", 1, frames, delta))
    empty_tables = b"".join(_full_box(kind, struct.pack(">I", 0)) for kind in (b"stsc", b"stco")) + _full_box(
        b"stsz", struct.pack(">II", 0, 0)
    )
    stbl = _box(b"stbl", stsd, stts, empty_tables)
    minf = _box(b"minf", _full_box(b"vmhd", struct.pack(">HHHH", 0, 0, 0, 0)), stbl)
    trak = _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf))
    return _box(b"moov", mvhd, trak)
