"""Completion notifications: the message the service publishes, and deliberate message loss."""

from __future__ import annotations

import json

from emulator.draw import Draw
from emulator.jobs import Job


def completion_message(job: Job, timestamp_ms: int) -> str:
    """The JSON string Rekognition Video publishes to the job's SNS topic when the job ends."""
    message: dict[str, object] = {"JobId": job.job_id, "Status": job.status.value, "API": job.api}
    # The service leaves JobTag out entirely, rather than sending null, when Start had none.
    if job.tag is not None:
        message["JobTag"] = job.tag
    message["Timestamp"] = timestamp_ms
    message["Video"] = {"S3ObjectName": job.key, "S3Bucket": job.bucket}
    return json.dumps(message, separators=(",", ":"))


class DropPolicy:
    """Decides which notifications go missing: the next `count` ones, then a seeded `fraction`.

    Not thread-safe on its own; the fake calls it under its lock.
    """

    def __init__(self, seed: int = 0x5EED) -> None:
        self._seed = seed
        self._budget = 0
        self._fraction = 0.0
        self._sequence = 0

    def configure(self, count: int | None = None, fraction: float | None = None) -> None:
        if (count is None) == (fraction is None):
            raise ValueError("give exactly one of count or fraction")
        if count is not None:
            if count < 0:
                raise ValueError("count must not be negative")
            self._budget += count
        if fraction is not None:
            if not 0.0 <= fraction <= 1.0:
                raise ValueError("fraction must be within 0..1")
            self._fraction = fraction

    def should_drop(self) -> bool:
        self._sequence += 1
        if self._budget > 0:
            self._budget -= 1
            return True
        return self._fraction > 0 and Draw(self._seed, self._sequence).chance(self._fraction)
