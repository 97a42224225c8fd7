"""Which uploads become Rekognition jobs, decided before any Rekognition call.

Rekognition Video reads H.264 in MP4 or MOV containers up to 10 GB: anything else either costs a
failed job or is simply not a video. Non-video objects are ignored; video-named objects that cannot
succeed are rejected with a reason that dashboards show.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from video_pipeline.contract import DEFAULT_VIDEO_SUFFIXES

MAX_VIDEO_BYTES = 10 * 1024**3
HEADER_BYTES = 12

# ISO base media (MP4) and QuickTime files begin with a box: 4 bytes of size, then its type.
# Old QuickTime files may open with moov/mdat/wide/free/skip/pnot rather than ftyp.
_CONTAINER_BOX_TYPES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


class Verdict(StrEnum):
    ACCEPT = "ACCEPT"
    IGNORE = "IGNORE"
    REJECT = "REJECT"


@dataclass(frozen=True, slots=True)
class Admission:
    verdict: Verdict
    reason_code: str = ""
    reason: str = ""


ACCEPTED = Admission(Verdict.ACCEPT)


def by_name_and_size(key: str, size: int | None, suffixes: tuple[str, ...] = DEFAULT_VIDEO_SUFFIXES) -> Admission:
    """First gate, from the event alone: `suffixes` are the video names the deployment serves."""
    wanted = tuple(suffix.lower() for suffix in suffixes)
    if key.endswith("/") or not key.lower().endswith(wanted):
        return Admission(Verdict.IGNORE, "NotAVideo", f"key does not end with one of {', '.join(suffixes)}")
    return _by_size(size)


def _by_size(size: int | None) -> Admission:
    if size == 0:
        return Admission(Verdict.REJECT, "EmptyObject", "the object is empty (0 bytes)")
    if size is not None and size > MAX_VIDEO_BYTES:
        return Admission(
            Verdict.REJECT,
            "VideoTooLarge",
            f"the object is {size} bytes; Rekognition Video accepts at most {MAX_VIDEO_BYTES} bytes (10 GB)",
        )
    return ACCEPTED


def by_content(header: bytes, size: int) -> Admission:
    """Second gate, from the object's first bytes and its real size."""
    size_verdict = _by_size(size)
    if size_verdict.verdict is not Verdict.ACCEPT:
        return size_verdict
    if len(header) < 8 or header[4:8] not in _CONTAINER_BOX_TYPES:
        return Admission(
            Verdict.REJECT,
            "UnsupportedContainer",
            "the object is not an MP4 or MOV container; Rekognition Video accepts H.264 in MP4/MOV",
        )
    return ACCEPTED
