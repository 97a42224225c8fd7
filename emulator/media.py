"""Recognizing the containers Rekognition Video accepts (MP4 and MOV), from a file's first bytes."""

from __future__ import annotations

# ISO base media file format: every file opens with a box, 4 bytes of size then a 4-byte type. These
# are the types a MP4 or QuickTime file can legitimately start with.
_LEADING_BOX_TYPES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
PREFIX_LENGTH = 8
UNSUPPORTED_FORMAT_MESSAGE = "Unsupported codec/format."


def is_supported_container(prefix: bytes) -> bool:
    return len(prefix) >= PREFIX_LENGTH and prefix[4:8] in _LEADING_BOX_TYPES


def sample_video_bytes(payload: bytes = b"") -> bytes:
    """The smallest bytes that pass as a MP4 file: an `ftyp` box, then `payload` in a `free` box."""
    ftyp = (24).to_bytes(4, "big") + b"ftypmp42" + (0).to_bytes(4, "big") + b"mp42isom"
    free = (8 + len(payload)).to_bytes(4, "big") + b"free" + payload
    return ftyp + free
