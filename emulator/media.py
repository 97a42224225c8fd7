"""Recognizing the containers Rekognition Video accepts (MP4 and MOV), from a file's first bytes."""

from __future__ import annotations

from emulator.mp4 import video_header

# ISO base media file format: every file opens with a box, 4 bytes of size then a 4-byte type. These
# are the types a MP4 or QuickTime file can legitimately start with.
_LEADING_BOX_TYPES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
PREFIX_LENGTH = 8
UNSUPPORTED_FORMAT_MESSAGE = "Unsupported codec/format."


def is_supported_container(prefix: bytes) -> bool:
    return len(prefix) >= PREFIX_LENGTH and prefix[4:8] in _LEADING_BOX_TYPES


def sample_video_bytes(
    payload: bytes = b"",
    *,
    width: int = 1280,
    height: int = 720,
    fps: float = 30.0,
    seconds: float = 600.0,
    full_range: bool = False,
    quicktime: bool = False,
) -> bytes:
    """The smallest bytes that read as a H.264 video: `ftyp`, a `moov` describing one video track of
    `seconds` at `fps` and `width`x`height`, then `payload` in a `free` box (there is no media data,
    so only the synthetic analyzer can analyse it; it reports exactly these facts as VideoMetadata)."""
    brand = b"qt  " if quicktime else b"mp42"
    ftyp = (24).to_bytes(4, "big") + b"ftyp" + brand + (0).to_bytes(4, "big") + brand + b"isom"
    moov = video_header(width, height, fps, seconds, full_range=full_range)
    free = (8 + len(payload)).to_bytes(4, "big") + b"free" + payload
    return ftyp + moov + free
