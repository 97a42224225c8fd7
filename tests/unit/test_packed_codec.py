"""A packed item's `z` reads back equal to what Rekognition returned, float32 numbers as columns."""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from video_pipeline.logic import packed_codec
from video_pipeline.logic.packed_codec import (
    VERSION_FLOAT32,
    VERSION_TEXT,
    PackedFormatError,
    compact_json,
    pack_ordinals,
    pack_texts,
    unpack_elements,
    unpack_ordinals,
)

# Numbers as the service spells them (float32 values printed in full as doubles) and any others.
float32_values = st.floats(width=32, allow_nan=False, allow_infinity=False).map(float)
other_floats = st.floats(allow_nan=False)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.none() | st.booleans() | st.integers() | float32_values | float32_values | other_floats | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)
elements = st.dictionaries(st.text(max_size=8), values, max_size=6)


def strict(value: Any) -> Any:
    """`value` with what == overlooks made visible: int vs float, the sign of zero, the float's bits."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", struct.pack("<d", value))
    if isinstance(value, list):
        return [strict(item) for item in value]
    return {key: strict(item) for key, item in value.items()}


def version(packed: bytes) -> int:
    return zlib.decompress(packed)[0]


def face(confidence: float, box: float) -> dict[str, Any]:
    return {
        "Timestamp": 1000,
        "Face": {
            "BoundingBox": {"Width": box, "Height": box, "Left": box, "Top": box},
            "Confidence": confidence,
            "Pose": {"Roll": -3.5, "Yaw": 0.0, "Pitch": 12},
            "Name": "caf\u00e9 \U0001f600 3.5",
        },
    }


@settings(max_examples=400, deadline=None)
@given(st.lists(elements, min_size=1, max_size=6))
def test_every_element_reads_back_equal_to_the_one_returned(returned):
    texts = [compact_json(element) for element in returned]
    read = unpack_elements(pack_texts(texts))
    assert strict(read) == strict([json.loads(text) for text in texts])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(float32_values | finite_floats | st.integers(), min_size=3, max_size=3), min_size=1))
def test_float32_numbers_mixed_with_others_read_back_in_their_places(rows):
    # Mostly float32 (the first element decides the version), the others kept exactly in place.
    # (Infinity is not JSON: an item holding it is kept as text, test_text_the_columns_cannot_hold...)
    returned = [{"Timestamp": 5, "A": 0.40833333134651184, "B": [0.5, 99.59999084472656], "C": row} for row in rows]
    texts = [compact_json(element) for element in returned]
    packed = pack_texts(texts)
    assert version(packed) == VERSION_FLOAT32
    assert strict(unpack_elements(packed)) == strict(returned)


def test_the_services_spelling_is_stored_as_float32_columns_and_smaller_than_its_text():
    confidences = [struct.unpack("<f", struct.pack("<f", 99.0 + n / 997))[0] for n in range(500)]
    boxes = [struct.unpack("<f", struct.pack("<f", 0.1 + n / 1999))[0] for n in range(500)]
    returned = [face(c, b) for c, b in zip(confidences, boxes, strict=True)]
    texts = [compact_json(element) for element in returned]
    assert sum(len(repr(c)) >= 15 for c in confidences) > 490  # the service's spelling: 15-17 digits
    packed = pack_texts(texts)
    as_text = zlib.compress(("[" + ",".join(texts) + "]").encode(), 6)
    assert version(packed) == VERSION_FLOAT32
    assert len(packed) < 0.6 * len(as_text)
    assert strict(unpack_elements(packed)) == strict(returned)


def test_numbers_that_are_not_float32_keep_the_text_verbatim():
    # The emulator's fake prints 6-digit decimals: text, as the service wrote it, is smaller.
    texts = ['{"Timestamp":0,"Face":{"Confidence":99.123456,"Pose":{"Roll":-3.123450}}}'] * 3
    packed = pack_texts(texts)
    assert zlib.decompress(packed).decode() == "[" + ",".join(texts) + "]"
    assert version(packed) == VERSION_TEXT


@pytest.mark.parametrize(
    "text",
    [
        '{"Timestamp":0,"A":0.5,"A":0.25,"B":1.5}',  # a repeated key: its value is dropped on parsing
        '{"Timestamp":0,"A":0.5,"B":Infinity}',  # not JSON, but what json.dumps writes for inf
    ],
)
def test_text_the_columns_cannot_hold_exactly_is_kept_as_text(text):
    packed = pack_texts([text, text])
    assert version(packed) == VERSION_TEXT
    assert strict(unpack_elements(packed)) == strict([json.loads(text)] * 2)


def test_columns_larger_than_their_bound_are_written_as_text(monkeypatch):
    texts = [compact_json(face(0.4083333313465118, 0.125))] * 3
    monkeypatch.setattr(packed_codec, "MAX_COLUMNS_BYTES", len(pack_texts(texts)) - 1)
    assert version(pack_texts(texts)) == VERSION_TEXT


def test_items_of_the_text_version_stay_readable():
    # What the collector wrote before float32 columns: the elements' JSON array, zlib-compressed.
    written = zlib.compress(b'[{"Timestamp":40,"Face":{"Confidence":0.4083333313465118}}]')
    assert unpack_elements(written) == [{"Timestamp": 40, "Face": {"Confidence": 0.4083333313465118}}]


def test_the_same_texts_always_give_the_same_bytes():
    texts = [compact_json(face(0.4083333313465118, 0.125)), compact_json(face(99.5, 0.25))]
    assert pack_texts(texts) == pack_texts(list(texts))


@pytest.mark.parametrize(
    ("packed", "message"),
    [
        (b"not zlib", "not a zlib stream"),
        (zlib.compress(b"\x07whatever"), "unknown packed detections format"),
        (zlib.compress(b"\x02\x00"), "truncated header"),
        (zlib.compress(struct.pack("<BIII", 2, 5, 2, 0) + b"[NaN]" + bytes(8)), "more numbers than slots"),
        (zlib.compress(struct.pack("<BIII", 2, 9, 1, 0) + b"[NaN,NaN]" + bytes(4)), "fewer numbers than slots"),
        (zlib.compress(struct.pack("<BIII", 2, 5, 1, 0) + b"[NaN]" + bytes(3)), "3 bytes for 1 numbers"),
        (zlib.compress(struct.pack("<BIII", 2, 5, 3, 2) + b"[NaN]" + bytes(12)), "in rows of 2"),
        (zlib.compress(struct.pack("<BIII", 2, 10, 0, 0) + b"[Infinity]"), "unexpected Infinity"),
    ],
)
def test_a_damaged_item_is_refused_with_what_is_wrong(packed, message):
    with pytest.raises(PackedFormatError, match=message):
        unpack_elements(packed)


# The first face of GetFaceDetection's example output in the AWS CLI's documentation
# (aws/aws-cli, awscli/examples/rekognition/get-face-detection.rst): every number is a float32 value
# printed in full, as are all 84 decimals of it and of get-celebrity-recognition.rst. A double with
# 16-17 significant digits picked at random is a float32 value with odds of about 2**-29.
AWS_EXAMPLE_FACE = {
    "Timestamp": 467,
    "Face": {
        "BoundingBox": {
            "Width": 0.1560753583908081,
            "Top": 0.13555361330509186,
            "Left": -0.0952017530798912,
            "Height": 0.6934483051300049,
        },
        "Landmarks": [
            {"Y": 0.4013825058937073, "X": -0.041750285774469376, "Type": "eyeLeft"},
            {"Y": 0.41695496439933777, "X": 0.027979329228401184, "Type": "eyeRight"},
            {"Y": 0.6375303268432617, "X": -0.04034662991762161, "Type": "mouthLeft"},
            {"Y": 0.6497718691825867, "X": 0.013960429467260838, "Type": "mouthRight"},
            {"Y": 0.5238034129142761, "X": 0.008022055961191654, "Type": "nose"},
        ],
        "Pose": {"Yaw": -58.07863998413086, "Roll": 1.9384294748306274, "Pitch": -24.66305160522461},
        "Quality": {"Sharpness": 83.14741516113281, "Brightness": 25.75942611694336},
        "Confidence": 87.7622299194336,
    },
}


def test_the_services_published_example_is_float32_and_packs_as_columns():
    text = json.dumps(AWS_EXAMPLE_FACE, separators=(",", ":"))
    literals: list[str] = []
    json.loads(text, parse_float=literals.append)
    assert len(literals) == 20
    assert all(struct.unpack("<f", struct.pack("<f", float(literal)))[0] == float(literal) for literal in literals)
    packed = pack_texts([text] * 3)
    assert version(packed) == VERSION_FLOAT32
    assert strict(unpack_elements(packed)) == strict([AWS_EXAMPLE_FACE] * 3)


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, unique=True))
def test_stream_positions_read_back_from_their_gaps(positions):
    ordinals = sorted(positions)
    assert unpack_ordinals(ordinals[0], len(ordinals), pack_ordinals(ordinals)) == ordinals


def test_consecutive_positions_need_no_bytes_and_others_one_a_small_gap():
    assert pack_ordinals([7, 8, 9]) is None
    assert pack_ordinals([7, 9, 10, 300]) == bytes([1, 0, 0xA1, 0x02])  # gaps 1, 0, 289


def test_positions_that_do_not_match_their_count_are_refused():
    with pytest.raises(PackedFormatError, match="3 stream positions for 2 detections"):
        unpack_ordinals(0, 2, bytes([1, 1]))
