"""Whether a response has the structure of a published example: every member the example has, at every
level, with the same JSON type.

`assert_conforms` asks whether a body is something the model allows; this asks whether it is what the
service is seen to send. The model makes every member optional, so a body can conform while lacking
half of what AWS's examples show; holding it to an example catches that.

Values at one path are taken together: the items of every list at that path, the members of every
object. A member the example has on every object at a path must be on every one of ours there; a member
it has on some (a label's `Instances` on some labels only) must be on at least one of ours. Members the
example lacks are not questioned: the examples are partial, and the service adds members over time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from emulator.conformance import raise_listed


def _kind(value: Any) -> str:
    """The JSON type of a value: JSON has one number type, so 24 and 29.97 are alike."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _gaps(theirs: Sequence[Any], ours: Sequence[Any], path: str, unseen: Collection[str]) -> Iterator[str]:
    if not theirs:
        return
    if not ours:
        if path not in unseen:
            yield f"{path}: the example has it, ours never does"
        return
    their_kinds, our_kinds = {_kind(value) for value in theirs}, {_kind(value) for value in ours}
    for kind in sorted(their_kinds - our_kinds):
        yield f"{path}: the example has a {kind}, ours only {', '.join(sorted(our_kinds))}"
    their_objects = [value for value in theirs if isinstance(value, dict)]
    our_objects = [value for value in ours if isinstance(value, dict)]
    if their_objects and our_objects:
        yield from _member_gaps(their_objects, our_objects, path, unseen)
    their_items = [item for value in theirs if isinstance(value, list | tuple) for item in value]
    our_items = [item for value in ours if isinstance(value, list | tuple) for item in value]
    if any(isinstance(value, list | tuple) for value in ours):
        yield from _gaps(their_items, our_items, f"{path}[]", unseen)


def _member_gaps(
    their_objects: Sequence[dict[str, Any]], our_objects: Sequence[dict[str, Any]], path: str, unseen: Collection[str]
) -> Iterator[str]:
    for name in dict.fromkeys(name for value in their_objects for name in value):
        member = f"{path}.{name}"
        everywhere = all(name in value for value in their_objects)
        lacking = sum(name not in value for value in our_objects)
        if everywhere and 0 < lacking < len(our_objects):
            yield f"{member}: on every object of the example, missing on {lacking} of our {len(our_objects)}"
        yield from _gaps(
            [value[name] for value in their_objects if name in value],
            [value[name] for value in our_objects if name in value],
            member,
            unseen,
        )


def structure_gaps(example: Any, ours: Any, unseen: Collection[str] = ()) -> list[str]:
    """Every way `ours` lacks the structure of `example` (empty when it has it all).

    `unseen` names paths (as the gaps spell them, e.g. `$.Labels[].Label.Parents[]`) where ours may
    hold no value at all because its input has none (a label without parents), not because it cannot.
    """
    return list(_gaps([example], [ours], "$", frozenset(unseen)))


def assert_resembles(example: Any, ours: Any, unseen: Collection[str] = ()) -> None:
    raise_listed("ours lacks the structure of the example", structure_gaps(example, ours, unseen))
