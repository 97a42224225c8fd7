"""The bytes of a packed item's `z`: its elements, losslessly, in as few bytes as the numbers allow.

Rekognition computes in float32 and prints each value in full as a double (0.4083333313465118 is
float32(0.40833333)): 15-17 digits of text for 4 bytes of information, digits that zlib cannot
compress. So a window's numbers that are exact float32 values are stored as 4-byte float32 columns,
byte-shuffled (all first bytes, then all second bytes, ...: the sign/exponent bytes of similar values
repeat and compress), and the rest of the JSON (keys, strings, ints, any other number, verbatim in
value) stays text; one zlib stream holds both. Every element reads back equal to the one Rekognition
returned: the same keys, strings, ints and float values.

Format of the decompressed stream, marked by its first byte:
- `[` (version 1): the elements' JSON array, each element's text as the service returned it.
- `\\x02` (version 2): a header (`_HEADER`: skeleton bytes, float32 count, stride), the skeleton -
  the JSON array with every float32 number replaced by `NaN` (a token valid JSON never holds) - then
  the float32 values as little-endian bytes, shuffled. With a stride k > 0 the values are stored
  column by column (the j-th number of every element together; every element had k of them), else
  in document order.

An item is written as version 1 when its first element's numbers are mostly not float32 values
(the emulator's fake prints 6-digit decimals, and text is then smaller and cheaper): the choice
depends only on the texts, so a re-delivered page still rewrites identical items.
Standard library only: this runs in the collector Lambda.
"""

from __future__ import annotations

import itertools
import json
import struct
import sys
import zlib
from array import array
from collections.abc import Callable, Sequence
from typing import Any

from video_pipeline.schema import MAX_ELEMENT_BYTES

# zlib level 6 (its default): level 9 stores ~1% less for ~40% more CPU (benchmarks/packing.py).
COMPRESSION_LEVEL = 6
# Larger compressed columns are written as text instead (never seen: a full item is ~10 KB).
MAX_COLUMNS_BYTES = MAX_ELEMENT_BYTES
VERSION_TEXT = ord("[")
VERSION_FLOAT32 = 2
# skeleton length in bytes, number of float32 values, stride (numbers per element; 0: document order)
_HEADER = struct.Struct("<BIII")
_SLOT = float("nan")
# A float through float32 and back (struct: ~40% faster per number than a one-element array).
_FLOAT32 = struct.Struct("<f")
_as_float32, _narrow = _FLOAT32.pack, _FLOAT32.unpack
_WIDTH = 4  # bytes of a float32
_LITTLE_ENDIAN = sys.byteorder == "little"

# One encoder for every element: json.dumps with options builds a new one per call. Get* results
# are trees parsed from JSON, never cyclic, so the cycle check (a dict lookup per container) is skipped.
compact_json: Callable[[Any], str] = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, check_circular=False
).encode


class PackedFormatError(ValueError):
    """A packed item that this code cannot read (corrupt, or written by a newer version)."""


class _KeepAsTextError(Exception):
    """Text that version 2 cannot hold exactly: NaN or Infinity (not JSON; NaN is its slot
    marker), or an object with a repeated key (the parsed object keeps one value, and the numbers
    of the others would shift every later number into the wrong slot)."""


def _refuse_constant(_name: str) -> Any:
    raise _KeepAsTextError


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    built = dict(pairs)
    if len(built) != len(pairs):
        raise _KeepAsTextError
    return built


def pack_texts(texts: Sequence[str]) -> bytes:
    """The `z` of a window item holding these element texts (JSON, as the service returned them)."""
    if texts and _mostly_float32(texts[0]):
        try:
            packed = zlib.compress(_float32_payload(texts), COMPRESSION_LEVEL)
        except _KeepAsTextError:
            pass
        else:
            # Text's own bound keeps every item far under DynamoDB's 400 KB (docs/data-model.md);
            # columns are far smaller in practice, and this makes it hold by construction.
            if len(packed) <= MAX_COLUMNS_BYTES:
                return packed
    return zlib.compress(("[" + ",".join(texts) + "]").encode("utf-8"), COMPRESSION_LEVEL)


def unpack_elements(packed: bytes) -> list[Any]:
    """The elements of a window item's `z`, whichever version wrote it."""
    try:
        data = zlib.decompress(packed)
    except zlib.error as error:
        raise PackedFormatError(f"packed detections are not a zlib stream: {error}") from None
    version = data[0] if data else None
    if version == VERSION_TEXT:
        elements: list[Any] = json.loads(data)
        return elements
    if version == VERSION_FLOAT32:
        return _float32_elements(data)
    raise PackedFormatError(f"unknown packed detections format {version!r}")


def pack_ordinals(ordinals: Sequence[int]) -> bytes | None:
    """The `o` of an item whose detections are not consecutive in the stream (one identity's, from a
    window shared with others): each gap after the first as an unsigned LEB128 varint, so an item
    holding every other detection takes one byte per detection. None when they are consecutive, as
    every window item's are: their positions follow from the first, in the sort key."""
    if not ordinals or ordinals[-1] - ordinals[0] == len(ordinals) - 1:
        return None
    encoded = bytearray()
    for previous, ordinal in itertools.pairwise(ordinals):
        gap = ordinal - previous - 1
        if gap < 0:
            raise ValueError("stream positions must increase")
        while gap >= 0x80:
            encoded.append(gap & 0x7F | 0x80)
            gap >>= 7
        encoded.append(gap)
    return bytes(encoded)


def unpack_ordinals(first: int, count: int, packed: bytes | None) -> list[int]:
    """The stream positions of an item's `count` detections: `pack_ordinals`' inverse."""
    if packed is None:
        return list(range(first, first + count))
    ordinals = [first]
    gap = shift = 0
    for byte in packed:
        gap |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        ordinals.append(ordinals[-1] + gap + 1)
        gap = shift = 0
    if len(ordinals) != count or shift:
        raise PackedFormatError(f"{len(ordinals)} stream positions for {count} detections")
    return ordinals


def _mostly_float32(text: str) -> bool:
    literals: list[str] = []
    try:
        json.loads(text, parse_float=literals.append, parse_constant=_refuse_constant)
    except _KeepAsTextError:
        return False
    values = [float(literal) for literal in literals]
    exact = sum(1 for value, narrowed in zip(values, array("f", values), strict=True) if value == narrowed)
    return exact * 2 >= len(values)


def _float32_payload(texts: Sequence[str]) -> bytes:
    values: list[float] = []
    append = values.append

    def slot_if_float32(literal: str) -> float:
        value = float(literal)
        try:
            narrowed = _narrow(_as_float32(value))[0]
        except OverflowError:  # beyond float32's range
            return value
        if narrowed == value:
            append(value)
            return _SLOT
        return value  # kept in the skeleton: its repr parses back to the same float

    skeleton: list[str] = []
    counts: set[int] = set()
    for text in texts:
        before = len(values)
        parsed = json.loads(
            text,
            parse_float=slot_if_float32,
            parse_constant=_refuse_constant,
            object_pairs_hook=_object_without_repeats,
        )
        skeleton.append(compact_json(parsed))
        counts.add(len(values) - before)
    stride = counts.pop() if len(counts) == 1 else 0
    column = array("f", values)
    if stride > 1:
        column = _columns(column, stride)
    raw = column.tobytes() if _LITTLE_ENDIAN else _swapped(column).tobytes()
    shuffled = b"".join(raw[offset::_WIDTH] for offset in range(_WIDTH))
    skeleton_json = ("[" + ",".join(skeleton) + "]").encode("utf-8")
    return _HEADER.pack(VERSION_FLOAT32, len(skeleton_json), len(column), stride) + skeleton_json + shuffled


def _float32_elements(data: bytes) -> list[Any]:
    try:
        _version, skeleton_bytes, count, stride = _HEADER.unpack_from(data)
    except struct.error:
        raise PackedFormatError("packed detections: truncated header") from None
    start = _HEADER.size + skeleton_bytes
    numbers = iter(_float32_column(data[start:], count, stride).tolist())

    def number(name: str) -> float:
        if name != "NaN":
            raise PackedFormatError(f"packed detections: unexpected {name} in the skeleton")
        # Not next(numbers): json's scanner reads a StopIteration from a hook as "no value here".
        value = next(numbers, None)
        if value is None:
            raise PackedFormatError("packed detections: fewer numbers than slots")
        return value

    elements: list[Any] = json.loads(data[_HEADER.size : start], parse_constant=number)
    if next(numbers, None) is not None:
        raise PackedFormatError("packed detections: more numbers than slots")
    return elements


def _float32_column(shuffled: bytes, count: int, stride: int) -> array[float]:
    """The float32 values in document order, from their shuffled (and maybe column-major) bytes."""
    if len(shuffled) != count * _WIDTH or (stride > 1 and count % stride):
        raise PackedFormatError(f"packed detections: {len(shuffled)} bytes for {count} numbers in rows of {stride}")
    raw = bytearray(len(shuffled))
    for offset in range(_WIDTH):
        raw[offset::_WIDTH] = shuffled[offset * count : (offset + 1) * count]
    column = array("f")
    column.frombytes(raw)
    if not _LITTLE_ENDIAN:
        column.byteswap()
    return _rows(column, stride) if stride > 1 else column


def _columns(values: array[float], stride: int) -> array[float]:
    """Element-major -> column-major: the j-th number of every element together."""
    rows = len(values) // stride
    out = array("f", bytes(len(values) * _WIDTH))
    for column in range(stride):
        out[column * rows : (column + 1) * rows] = values[column::stride]
    return out


def _rows(values: array[float], stride: int) -> array[float]:
    rows = len(values) // stride
    out = array("f", bytes(len(values) * _WIDTH))
    for column in range(stride):
        out[column::stride] = values[column * rows : (column + 1) * rows]
    return out


def _swapped(values: array[float]) -> array[float]:
    copy = array("f", values)
    copy.byteswap()
    return copy
