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

# One step of a path into a value: a member name, a list position, or a map key (as `Key(...)`).
Step = str | int


@dataclass(frozen=True, slots=True)
class Key:
    name: str


PathSteps = tuple[Step | Key, ...]


@dataclass(frozen=True, slots=True)
class Violation:
    steps: PathSteps
    constraint: str
    detail: str
    value: Any

    @property
    def path(self) -> str:
        """The path as the model names members: `Persons[0].Person.Index`."""
        text = ""
        for step in self.steps:
            if isinstance(step, int):
                text += f"[{step}]"
            elif isinstance(step, Key):
                text += f"[{step.name}]"
            else:
                text = _join(text, step)
        return text

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


def violations(value: Any, shape: Shape, path: PathSteps | str = (), *, unknown: bool = True) -> Iterator[Violation]:
    """Yield each violation of `shape` by `value`, parents before children.

    `unknown=False` skips members the model lacks: the service ignores them in requests, while a
    response carrying one is still a departure worth reporting.
    """
    steps: PathSteps = ((path,) if path else ()) if isinstance(path, str) else path
    if isinstance(shape, StructureShape):
        return _structure(value, shape, steps, unknown)
    if isinstance(shape, ListShape):
        return _list(value, shape, steps, unknown)
    if isinstance(shape, MapShape):
        return _map(value, shape, steps, unknown)
    check = _SCALARS.get(shape.type_name)
    return check(value, shape, steps) if check is not None else iter(())


def _structure(value: Any, shape: StructureShape, path: PathSteps, unknown: bool) -> Iterator[Violation]:
    if not isinstance(value, Mapping):
        yield Violation(path, "type", "Member must be a structure", value)
        return
    members = shape.members
    for name in shape.required_members:
        if value.get(name) is None:
            yield Violation((*path, name), "required", "Member must not be null", None)
    for name, member_value in value.items():
        member = members.get(name)
        if member is None:
            if unknown:
                yield Violation((*path, str(name)), "unknown", "Member is not part of the model", member_value)
        elif member_value is not None:
            yield from violations(member_value, member, (*path, name), unknown=unknown)


def _list(value: Any, shape: ListShape, path: PathSteps, unknown: bool) -> Iterator[Violation]:
    if not isinstance(value, list):
        yield Violation(path, "type", "Member must be a list", value)
        return
    yield from _length(value, len(value), shape, path)
    for index, item in enumerate(value):
        yield from violations(item, shape.member, (*path, index), unknown=unknown)


def _map(value: Any, shape: MapShape, path: PathSteps, unknown: bool) -> Iterator[Violation]:
    if not isinstance(value, Mapping):
        yield Violation(path, "type", "Member must be a map", value)
        return
    yield from _length(value, len(value), shape, path)
    for key, item in value.items():
        yield from violations(key, shape.key, path, unknown=unknown)
        yield from violations(item, shape.value, (*path, Key(str(key))), unknown=unknown)


def _string(value: Any, shape: Shape, path: PathSteps) -> Iterator[Violation]:
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


def _integer(value: Any, shape: Shape, path: PathSteps) -> Iterator[Violation]:
    if not isinstance(value, int) or isinstance(value, bool):
        yield Violation(path, "type", f"Member must be of type {shape.type_name}", value)
    else:
        yield from _range(value, shape, path)


def _float(value: Any, shape: Shape, path: PathSteps) -> Iterator[Violation]:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        yield Violation(path, "type", f"Member must be a finite {shape.type_name}", value)
    else:
        yield from _range(value, shape, path)


def _boolean(value: Any, shape: Shape, path: PathSteps) -> Iterator[Violation]:
    if not isinstance(value, bool):
        yield Violation(path, "type", "Member must be of type boolean", value)


def _timestamp(value: Any, shape: Shape, path: PathSteps) -> Iterator[Violation]:
    if not isinstance(value, int | float | str) or isinstance(value, bool):
        yield Violation(path, "type", "Member must be a timestamp", value)


def _blob(value: Any, shape: Shape, path: PathSteps) -> Iterator[Violation]:
    if not isinstance(value, str | bytes):
        yield Violation(path, "type", "Member must be a blob", value)


def _length(value: Any, length: int, shape: Shape, path: PathSteps) -> Iterator[Violation]:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and length < low:
        yield Violation(path, "min", f"Member must have length greater than or equal to {low}", value)
    if high is not None and length > high:
        yield Violation(path, "max", f"Member must have length less than or equal to {high}", value)


def _range(value: float, shape: Shape, path: PathSteps) -> Iterator[Violation]:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and value < low:
        yield Violation(path, "min", f"Member must have value greater than or equal to {low}", value)
    if high is not None and value > high:
        yield Violation(path, "max", f"Member must have value less than or equal to {high}", value)


_SCALARS: dict[str, Callable[[Any, Shape, PathSteps], Iterator[Violation]]] = {
    "string": _string,
    "integer": _integer,
    "long": _integer,
    "float": _float,
    "double": _float,
    "boolean": _boolean,
    "timestamp": _timestamp,
    "blob": _blob,
}
