"""Timestamps as stored: ISO 8601 UTC with milliseconds, so they sort as strings."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    return format_instant(datetime.now(UTC))


def format_instant(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def milliseconds_since(instant: str, now: datetime | None = None) -> float:
    """Milliseconds from a stored timestamp (or any ISO 8601 time with a zone) to `now`."""
    then = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    return ((now or datetime.now(UTC)) - then).total_seconds() * 1000
