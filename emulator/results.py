"""Result lists as the Get operations page through them: a source of elements plus its orderings."""

from __future__ import annotations

import copy
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from emulator.video import VideoProfile

Element = dict[str, Any]
SortKey = tuple[Any, ...]
ElementKey = Callable[[Mapping[str, Any]], SortKey]


class ElementSource(ABC):
    """A job's result elements, addressable by position in the source's natural order."""

    # The SortBy value whose order is the natural one, so it needs no sorting; None if none is.
    natural_sort: str | None = None

    @property
    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def element(self, index: int, options: Mapping[str, str]) -> Element:
        """Element `index`; `options` are the Get call's result-shaping parameters (AggregateBy)."""

    @abstractmethod
    def sort_key(self, index: int, sort_by: str) -> SortKey: ...

    @abstractmethod
    def video_metadata(self) -> dict[str, Any]: ...

    def file_members(self) -> dict[str, Any]:
        """Get response members read from the analysed file besides VideoMetadata (AudioMetadata)."""
        return {}


class ScriptedSource(ElementSource):
    """Elements given verbatim: a test's script, or what a real analyzer found.

    `video` is the container's VideoMetadata, or the profile of the file that carries it.
    """

    def __init__(
        self,
        elements: Sequence[Mapping[str, Any]],
        video: VideoProfile | Mapping[str, Any],
        keys: Mapping[str, ElementKey],
    ) -> None:
        self._elements = [copy.deepcopy(dict(element)) for element in elements]
        self._video = video
        self._keys = keys

    @property
    def count(self) -> int:
        return len(self._elements)

    def element(self, index: int, options: Mapping[str, str]) -> Element:
        # Callers own what they receive; the script must survive them mutating it.
        return copy.deepcopy(self._elements[index])

    def sort_key(self, index: int, sort_by: str) -> SortKey:
        return self._keys[sort_by](self._elements[index])

    def video_metadata(self) -> dict[str, Any]:
        if isinstance(self._video, VideoProfile):
            return self._video.metadata()
        return dict(self._video)


class ResultSet:
    """Pages of a source in a requested order; orders other than the natural one are computed once."""

    def __init__(self, source: ElementSource) -> None:
        self._source = source
        self._orders: dict[str, Sequence[int]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._source.count

    def video_metadata(self) -> dict[str, Any]:
        return self._source.video_metadata()

    def file_members(self) -> dict[str, Any]:
        return self._source.file_members()

    def page(self, start: int, limit: int, sort_by: str, options: Mapping[str, str]) -> list[Element]:
        order = self._order(sort_by)
        stop = min(start + limit, len(order))
        return [self._source.element(order[position], options) for position in range(start, stop)]

    def all(self, sort_by: str, options: Mapping[str, str]) -> list[Element]:
        return self.page(0, len(self), sort_by, options)

    def _order(self, sort_by: str) -> Sequence[int]:
        if sort_by == self._source.natural_sort:
            return range(self._source.count)
        with self._lock:
            order = self._orders.get(sort_by)
            if order is None:
                # Position is the final tie-breaker, so equal keys keep a stable, repeatable order.
                key = self._source.sort_key
                order = sorted(range(self._source.count), key=lambda index: (*key(index, sort_by), index))
                self._orders[sort_by] = order
            return order
