"""One virtual clock for everything: moto's SQS, the Rekognition fake, and the handlers' own time."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo
from typing import Any
from unittest import mock

from moto.sqs import models as sqs_models


def _within_retention(backend: Any, queue_name: str, message: Any) -> bool:
    """moto's own check, without building every queue attribute (each a pass over all messages) for
    each message received: that made a receive quadratic in the queue's length."""
    retention = int(backend.get_queue(queue_name).message_retention_period)
    return bool(retention + message.sent_timestamp / 1000 > getattr(sqs_models, "unix_time")())  # noqa: B009


class VirtualTime:
    """Seconds since the epoch, moved only by `advance`; patched into moto's SQS while active."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start
        self.started = self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    @property
    def elapsed(self) -> float:
        return self.now - self.started

    @contextlib.contextmanager
    def patched(self) -> Iterator[VirtualTime]:
        """moto's SQS delays and visibility timeouts follow this clock."""
        with (
            mock.patch.object(sqs_models, "unix_time", lambda *_: self.now),
            mock.patch.object(sqs_models, "unix_time_millis", lambda *_: self.now * 1000.0),
            mock.patch.object(sqs_models.SQSBackend, "is_message_valid_based_on_retention_period", _within_retention),
        ):
            yield self

    @contextlib.contextmanager
    def everywhere(self, sleep: Callable[[float], None]) -> Iterator[VirtualTime]:
        """Also `time.time`, `time.sleep` (botocore's retries included) and the handlers' timestamps."""
        import video_pipeline.logic.clock as pipeline_clock  # noqa: PLC0415
        from video_pipeline.dal import repository  # noqa: PLC0415 - only while a simulation runs

        clock = self

        class VirtualDatetime(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> VirtualDatetime:
                return cls.fromtimestamp(clock.now, tz)

        with (
            self.patched(),
            mock.patch.object(time, "time", lambda: self.now),
            mock.patch.object(time, "sleep", sleep),
            mock.patch.object(pipeline_clock, "datetime", VirtualDatetime),
            mock.patch.object(repository, "datetime", VirtualDatetime),
        ):
            yield self
