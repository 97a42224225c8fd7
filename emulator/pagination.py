"""Opaque NextToken values for Get* paging, with the service's 24-hour lifetime."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from emulator.clock import Clock
from emulator.errors import ServiceError

TOKEN_LIFETIME_SECONDS = 24 * 60 * 60


@dataclass(frozen=True, slots=True)
class PageToken:
    job_id: str
    offset: int
    options: Mapping[str, str]
    issued_at: float


def invalid_token() -> ServiceError:
    return ServiceError("InvalidPaginationTokenException", "Invalid Token")


class PaginationTokens:
    """Tokens are random handles to server-side state, so clients cannot forge or decode them.

    A token also pins the result ordering it was issued under: a later page continues the same order
    even if the caller changes SortBy midway. Not thread-safe on its own; the fake holds its lock.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tokens: dict[str, PageToken] = {}

    def issue(self, job_id: str, offset: int, options: Mapping[str, str]) -> str:
        # Standard base64, like the service's tokens ("XfXnZKiy...+g1I.../H/+5noP...rw=="): never a
        # leading "-", which the AWS CLI would read as an option (`--next-token -abc`).
        token = base64.b64encode(secrets.token_bytes(54)).decode("ascii")
        self._tokens[token] = PageToken(job_id, offset, dict(options), self._clock.now())
        return token

    def redeem(self, token: str, job_id: str) -> PageToken:
        page = self._tokens.get(token)
        if page is None or page.job_id != job_id:
            raise invalid_token()
        if self._clock.now() - page.issued_at > TOKEN_LIFETIME_SECONDS:
            del self._tokens[token]
            raise invalid_token()
        return page

    def expire_all(self) -> None:
        self._tokens.clear()
