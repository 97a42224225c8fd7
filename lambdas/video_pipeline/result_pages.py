"""Get* result pages read from the service's own JSON, each result element kept with its own text.

botocore parses a page by walking the service model over every member of every element, about four
times the cost of decoding the JSON itself, and the collector then had to encode each element back
to JSON to store it. Reading the page here decodes it once and slices each element's text out of
the body: the stored `data` is exactly what Rekognition returned, and nothing is encoded twice.
"""

from __future__ import annotations

import json
import re
from typing import Any

from video_pipeline.gc_pause import collector_paused

# The page's body, the service's bytes, rides along in the page under this name (not an AWS member:
# those are PascalCase) so the archive keeps them instead of encoding the page again.
SERVICE_BODY = "_service_body"

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class ServiceElement(dict[str, Any]):
    """One result element as parsed, with `text`: the JSON the service returned for it, verbatim."""

    __slots__ = ("text",)

    def __init__(self, parsed: dict[str, Any], text: str) -> None:
        super().__init__(parsed)
        self.text = text


def parse_page(text: str, result_key: str) -> dict[str, Any]:
    """`json.loads(text)`, except that the elements of `result_key` are ServiceElements.

    Raises ValueError when `text` is not one JSON object (trailing text included), as json.loads would.
    """
    with collector_paused():
        return _page(text, result_key)


def _page(text: str, result_key: str) -> dict[str, Any]:
    decode = _DECODER.raw_decode
    position = _skip(text, 0)
    if text[position : position + 1] != "{":
        raise ValueError("a result page must be a JSON object")
    page: dict[str, Any] = {}
    position, closed = _first(text, position + 1, "}")
    while not closed:
        if text[position : position + 1] != '"':
            raise ValueError(f"expected a member name at {position}")
        name, position = decode(text, position)
        position = _skip(text, position)
        if text[position : position + 1] != ":":
            raise ValueError(f"expected ':' at {position}")
        position = _skip(text, position + 1)
        if name == result_key and text[position : position + 1] == "[":
            page[name], position = _elements(text, position + 1)
        else:
            page[name], position = decode(text, position)
        position, closed = _next(text, position, "}")
    if _skip(text, position) != len(text):
        raise ValueError(f"unexpected text after the page at {position}")
    return page


def _elements(text: str, position: int) -> tuple[list[Any], int]:
    decode = _DECODER.raw_decode
    elements: list[Any] = []
    position, closed = _first(text, position, "]")
    while not closed:
        value, end = decode(text, position)
        # Only objects carry a text: anything else is not an element the collector can store.
        elements.append(ServiceElement(value, text[position:end]) if isinstance(value, dict) else value)
        position, closed = _next(text, end, "]")
    return elements, position


def _first(text: str, position: int, closer: str) -> tuple[int, bool]:
    """Just inside a container: (where its first value starts, False), or (past `closer`, True) if empty."""
    position = _skip(text, position)
    if text[position : position + 1] == closer:
        return position + 1, True
    return position, False


def _next(text: str, position: int, closer: str) -> tuple[int, bool]:
    """After a value: (where the next one starts, False), or (past `closer`, True) at the container's end.

    The service writes no whitespace, so the delimiter is looked at before any is skipped.
    """
    delimiter = text[position : position + 1]
    if delimiter not in (",", closer):
        position = _skip(text, position)
        delimiter = text[position : position + 1]
    if delimiter == closer:
        return position + 1, True
    if delimiter != ",":
        raise ValueError(f"expected ',' or '{closer}' at {position}")
    position += 1
    if text[position : position + 1] in ('"', "{"):
        return position, False
    return _skip(text, position), False


def _skip(text: str, position: int) -> int:
    """Where the next non-whitespace character is (the pattern also matches no whitespace at all)."""
    match = _WHITESPACE.match(text, position)
    assert match is not None
    return match.end()
