"""The fake's notion of now: real time plus an offset tests can push forward."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Clock:
    """Epoch seconds from `source`, shifted by everything passed to `advance`.

    Time-dependent behavior (pagination-token expiry, job timestamps) reads this clock, so a test can
    cross a 24-hour boundary without waiting and without patching the `time` module.
    """

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._source() + self._offset

    def now_millis(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
