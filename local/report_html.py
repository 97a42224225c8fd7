"""The report's HTML pieces every section uses: escaping, counted nouns, times, tables, timelines, frames."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# A point mark's width on the 1000-unit timeline, and the narrowest span drawn (both still visible).
_MARK_WIDTH = 4
_MIN_SPAN = 2


def plural(count: int, noun: str) -> str:
    """'1 video', '3 videos', '1 person', '2 people': the counted noun in its right form."""
    irregular = {"person": "people", "celebrity": "celebrities"}
    if count == 1:
        return f"{count} {noun}"
    return f"{count:,} {irregular.get(noun, noun + 's')}"


def noun(count: int, singular: str) -> str:
    """The noun alone, in the form `count` takes."""
    return plural(count, singular).split(" ", 1)[1]


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def seconds(milliseconds: int) -> str:
    return f"{milliseconds / 1000:.2f} s"


def table(class_name: str, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table of cells that are already HTML (escape text before passing it)."""
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{escape(class_name)}"><tr>{head}</tr>{body}</table>'


@dataclass(frozen=True, slots=True)
class Mark:
    """Something on a timeline: a point (a sampled detection) or, with a duration, a span (a shot)."""

    start_ms: int
    text: str
    duration_ms: int = 0
    kind: str = ""  # an extra CSS class: how a span is coloured


def timeline_row(label: str, marks: Iterable[Mark], duration_ms: int) -> str:
    """One labelled row of marks over the video's length; each mark says what it is on hover."""
    rects = []
    for mark in marks:
        x = 1000 * mark.start_ms / duration_ms
        width = max(_MIN_SPAN, 1000 * mark.duration_ms / duration_ms) if mark.duration_ms else _MARK_WIDTH
        text = escape(f"{seconds(mark.start_ms)}: {mark.text}")
        rects.append(
            f'<rect class="mark {escape(mark.kind)}" x="{x:.1f}" y="2" width="{width:.1f}" height="14" '
            f'data-label="{text}"><title>{text}</title></rect>'
        )
    return (
        f'<div class="row"><span title="{escape(label)}">{escape(label)}</span>'
        f'<svg viewBox="0 0 1004 18" preserveAspectRatio="none" role="img" aria-label="{escape(label)} timeline">'
        f"{''.join(rects)}</svg></div>"
    )


def figures(frames: Mapping[int, str], captions: Mapping[int, str]) -> str:
    """Annotated frames in time order, each with its caption; a click shows one at full size."""
    if not frames:
        return ""
    shown = "".join(
        f'<figure><img src="{uri}" alt="{escape(captions[timestamp])}">'
        f"<figcaption>{escape(captions[timestamp])}</figcaption></figure>"
        for timestamp, uri in sorted(frames.items())
    )
    return f'<p class="frames-hint">Click a frame to see it at full size.</p><div class="frames">{shown}</div>'
