"""Timestamps as stored: ISO 8601 UTC with milliseconds, so they sort as strings."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    return format_instant(datetime.now(UTC))


def format_instant(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"
