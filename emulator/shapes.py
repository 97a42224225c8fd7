"""A generic walk of a value against a botocore shape, yielding every constraint it breaks.

Request validation (first violation -> InvalidParameterException) and response conformance (all
violations -> test failure) are the same question asked in two directions, so they share this walk.
Constraint wording follows the service's own validation messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape


@dataclass(frozen=True, slots=True)
class Violation:
    path: str
    constraint: str
    detail: str
    value: Any

    def describe(self) -> str:
        shown = "null" if self.value is None else str(self.value)
        return f"Value '{shown}' at '{self.path}' failed to satisfy constraint: {self.detail}"


@cache
def compiled_pattern(pattern: str) -> re.Pattern[str] | None:
    # The model's patterns are Java regexes; the few Python cannot read are skipped rather than
    # misapplied.
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def violations(value: Any, shape: Shape, path: str = "") -> Iterator[Violation]:
    """Yield each violation of `shape` by `value`, parents before children."""
    if isinstance(shape, StructureShape):
        return _structure(value, shape, path)
    if isinstance(shape, ListShape):
        return _list(value, shape, path)
    if isinstance(shape, MapShape):
        return _map(value, shape, path)
    check = _SCALARS.get(shape.type_name)
    return check(value, shape, path) if check is not None else iter(())


def _structure(value: Any, shape: StructureShape, path: str) -> Iterator[Violation]:
    if not isinstance(value, Mapping):
        yield Violation(path, "type", "Member must be a structure", value)
        return
    members = shape.members
    for name in shape.required_members:
        if value.get(name) is None:
            yield Violation(_join(path, name), "required", "Member must not be null", None)
    for name, member_value in value.items():
        member = members.get(name)
        if member is None:
            yield Violation(_join(path, str(name)), "unknown", "Member is not part of the model", member_value)
        elif member_value is not None:
            yield from violations(member_value, member, _join(path, name))


def _list(value: Any, shape: ListShape, path: str) -> Iterator[Violation]:
    if not isinstance(value, list):
        yield Violation(path, "type", "Member must be a list", value)
        return
    yield from _length(value, len(value), shape, path)
    for index, item in enumerate(value):
        yield from violations(item, shape.member, f"{path}[{index}]")


def _map(value: Any, shape: MapShape, path: str) -> Iterator[Violation]:
    if not isinstance(value, Mapping):
        yield Violation(path, "type", "Member must be a map", value)
        return
    yield from _length(value, len(value), shape, path)
    for key, item in value.items():
        yield from violations(key, shape.key, f"{path}<key>")
        yield from violations(item, shape.value, f"{path}[{key}]")


def _string(value: Any, shape: Shape, path: str) -> Iterator[Violation]:
    if not isinstance(value, str):
        yield Violation(path, "type", "Member must be of type string", value)
        return
    yield from _length(value, len(value), shape, path)
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        yield Violation(path, "enum", f"Member must satisfy enum value set: [{', '.join(enum)}]", value)
    pattern = shape.metadata.get("pattern")
    compiled = compiled_pattern(pattern) if pattern else None
    # Model patterns are not always anchored (JobTag), but the service matches the whole value.
    if compiled is not None and compiled.fullmatch(value) is None:
        yield Violation(path, "pattern", f"Member must satisfy regular expression pattern: {pattern}", value)


def _integer(value: Any, shape: Shape, path: str) -> Iterator[Violation]:
    if not isinstance(value, int) or isinstance(value, bool):
        yield Violation(path, "type", f"Member must be of type {shape.type_name}", value)
    else:
        yield from _range(value, shape, path)


def _float(value: Any, shape: Shape, path: str) -> Iterator[Violation]:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        yield Violation(path, "type", f"Member must be a finite {shape.type_name}", value)
    else:
        yield from _range(value, shape, path)


def _boolean(value: Any, shape: Shape, path: str) -> Iterator[Violation]:
    if not isinstance(value, bool):
        yield Violation(path, "type", "Member must be of type boolean", value)


def _timestamp(value: Any, shape: Shape, path: str) -> Iterator[Violation]:
    if not isinstance(value, int | float | str) or isinstance(value, bool):
        yield Violation(path, "type", "Member must be a timestamp", value)


def _blob(value: Any, shape: Shape, path: str) -> Iterator[Violation]:
    if not isinstance(value, str | bytes):
        yield Violation(path, "type", "Member must be a blob", value)


def _length(value: Any, length: int, shape: Shape, path: str) -> Iterator[Violation]:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and length < low:
        yield Violation(path, "min", f"Member must have length greater than or equal to {low}", value)
    if high is not None and length > high:
        yield Violation(path, "max", f"Member must have length less than or equal to {high}", value)


def _range(value: float, shape: Shape, path: str) -> Iterator[Violation]:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and value < low:
        yield Violation(path, "min", f"Member must have value greater than or equal to {low}", value)
    if high is not None and value > high:
        yield Violation(path, "max", f"Member must have value less than or equal to {high}", value)


_SCALARS: dict[str, Callable[[Any, Shape, str], Iterator[Violation]]] = {
    "string": _string,
    "integer": _integer,
    "long": _integer,
    "float": _float,
    "double": _float,
    "boolean": _boolean,
    "timestamp": _timestamp,
    "blob": _blob,
}
