"""S3 event notifications as S3 sends them for a versioned bucket, with control over their delivery.

moto's events lack `versionId` and `sequencer`, and a delete without a version id in a versioned
bucket (a delete marker) sends none. While `S3Events` is active, every event carries the object's
version id and a sequencer that grows per key, `ObjectRemoved:DeleteMarkerCreated` is sent, and a
scenario may hold an event back (`late`) so that it arrives after later ones, or send a forged one.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock
from urllib.parse import quote_plus

from moto.s3 import models as s3_models
from moto.s3 import notifications
from moto.sqs.models import sqs_backends

from in_process.environment import ACCOUNT_ID

DELETE_MARKER_CREATED = "ObjectRemoved:DeleteMarkerCreated"


class S3Events:
    def __init__(self, queue_name: str, region: str, now: Callable[[], float]) -> None:
        self._queue_name = queue_name
        self._region = region
        self._now = now
        self._sequence = 0
        # (event name, key) -> seconds to hold the next such event back
        self.late: dict[tuple[str, str], int] = {}
        self.sent: list[dict[str, Any]] = []

    def record(
        self, event_name: str, bucket: str, key: str, *, version_id: str | None, size: int = 0
    ) -> dict[str, Any]:
        self._sequence += 1
        obj: dict[str, Any] = {"key": quote_plus(key), "size": size, "sequencer": f"{self._sequence:016X}"}
        if version_id is not None:
            obj["versionId"] = version_id
        if not event_name.startswith("ObjectRemoved"):
            obj["eTag"] = "0" * 32
        return {
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": self._region,
            "eventTime": _iso(self._now()),
            "eventName": event_name,
            "s3": {
                "s3SchemaVersion": "1.0",
                "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                "object": obj,
            },
        }

    def send(self, record: dict[str, Any], delay: int = 0) -> None:
        self.sent.append(record)
        backend = sqs_backends[ACCOUNT_ID][self._region]
        backend.send_message(
            queue_name=self._queue_name, message_body=json.dumps({"Records": [record]}), delay_seconds=delay
        )

    @contextlib.contextmanager
    def active(self, bucket_name: str) -> Iterator[S3Events]:
        original_send = notifications.send_event
        original_marker = s3_models.S3Backend._set_delete_marker
        events = self

        def send_event(account_id: str, event_name: Any, bucket: Any, key: Any) -> None:
            if bucket.name != bucket_name:
                original_send(account_id, event_name, bucket, key)
                return
            configuration = bucket.notification_configuration
            if configuration is None or not any(rule.matches(event_name, key.name) for rule in configuration.queue):
                return
            name = str(getattr(event_name, "value", event_name))[3:]
            version = str(key.version_id) if bucket.is_versioned else "null"
            record = events.record(name, bucket.name, key.name, version_id=version, size=int(getattr(key, "size", 0)))
            events.send(record, events.late.pop((name, key.name), 0))

        def set_delete_marker(backend: Any, bucket: str, key_name: str) -> Any:
            marker = original_marker(backend, bucket, key_name)
            if bucket == bucket_name:
                record = events.record(DELETE_MARKER_CREATED, bucket, key_name, version_id=str(marker.version_id))
                events.send(record, events.late.pop((DELETE_MARKER_CREATED, key_name), 0))
            return marker

        with (
            mock.patch.object(notifications, "send_event", send_event),
            mock.patch.object(s3_models.S3Backend, "_set_delete_marker", set_delete_marker),
        ):
            yield self


def _iso(seconds: float) -> str:
    from datetime import UTC, datetime  # noqa: PLC0415

    instant = datetime.fromtimestamp(seconds, UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"
