"""A job's distinct entities, written compactly into its checkpoint.

A checkpoint carries every entity seen so far, so a resumed collection counts them exactly. Person
track indexes are integers handed out in order: a long, busy video has tens of thousands of them,
which as a list would outgrow the 400 KB a DynamoDB item may hold (and cost a write unit per KB on
every checkpoint). As runs of consecutive integers they are a handful of pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Only the canonical spelling round-trips through int: "007", "+7" or other digit scripts stay as text.
_CANONICAL_INTEGER = re.compile(r"0|[1-9][0-9]{0,17}")


def to_runs(entities: Iterable[str]) -> tuple[list[tuple[int, int]], list[str]]:
    """Canonical non-negative integers as (first, last) runs; every other identity as itself, sorted."""
    numbers: list[int] = []
    others: list[str] = []
    for entity in entities:
        if _CANONICAL_INTEGER.fullmatch(entity):
            numbers.append(int(entity))
        else:
            others.append(entity)
    runs: list[tuple[int, int]] = []
    for number in sorted(set(numbers)):
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs, sorted(set(others))


def from_runs(runs: Iterable[Iterable[int]], others: Iterable[str]) -> set[str]:
    """The entities `to_runs` was given."""
    entities = {str(entity) for entity in others}
    for first, last in (tuple(run) for run in runs):
        entities.update(str(number) for number in range(int(first), int(last) + 1))
    return entities
