"""A video's duration from its MP4/MOV movie header, read with a few small byte ranges.

The movie header (`mvhd`) sits inside the `moov` box, which may come before the media data or after
it (files not written for streaming). Walking the top-level boxes' headers finds it without reading
the media: a handful of ranged reads of at most 32 bytes each, whatever the file's size.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

# Reads `length` bytes at `offset`; fewer at the end of the object.
RangeReader = Callable[[int, int], bytes]
# A well-formed file reaches its movie header within a few boxes; a damaged one must not loop.
_MAX_BOXES = 32
_BOX_HEADER = 16
_MVHD_BODY = 32


def duration_ms(read: RangeReader, size: int) -> int | None:
    """The duration the movie header states, in milliseconds; None when the file has no readable one."""
    moov = _find_box(read, b"moov", 0, size)
    if moov is None:
        return None
    mvhd = _find_box(read, b"mvhd", moov[0], moov[1])
    if mvhd is None:
        return None
    return _mvhd_duration(read(mvhd[0], _MVHD_BODY))


def _find_box(read: RangeReader, wanted: bytes, start: int, end: int) -> tuple[int, int] | None:
    """(content start, content end) of the first box of type `wanted` between `start` and `end`."""
    offset = start
    for _ in range(_MAX_BOXES):
        if offset + 8 > end:
            return None
        header = read(offset, _BOX_HEADER)
        if len(header) < 8:
            return None
        box_size, box_type = struct.unpack(">I4s", header[:8])
        header_size = 8
        if box_size == 1:
            if len(header) < 16:
                return None
            (box_size,) = struct.unpack(">Q", header[8:16])
            header_size = 16
        elif box_size == 0:
            box_size = end - offset
        if box_size < header_size:
            return None
        if box_type == wanted:
            return offset + header_size, min(end, offset + box_size)
        offset += box_size
    return None


def _mvhd_duration(body: bytes) -> int | None:
    """Version 0: 4-byte times, timescale and duration; version 1: 8-byte times and duration."""
    if not body:
        return None
    if body[0] == 1 and len(body) >= 32:
        timescale, duration = struct.unpack(">IQ", body[20:32])
    elif body[0] == 0 and len(body) >= 20:
        timescale, duration = struct.unpack(">II", body[12:20])
    else:
        return None
    if timescale == 0:
        return None
    return int(duration * 1000 // timescale)
