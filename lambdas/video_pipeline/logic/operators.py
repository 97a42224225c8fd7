"""Who may change the library through the read API: members of one Cognito group.

Reading results is for every signed-in dashboard user; the routes that cost money or remove data
(backfills, re-analyses, indexing and removing reference faces) are for the deployment's operators
group only. API Gateway's JWT authorizer has already checked the token; this reads its groups claim.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Methods that only read: every signed-in user may call them.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_groups(event: Mapping[str, Any]) -> frozenset[str]:
    """The Cognito groups in an HTTP API event's verified token. API Gateway hands a JWT's list claims
    to Lambda as text, `[operators analysts]`; a test or another front end may pass a real list."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims") or {}
    value = claims.get("cognito:groups")
    if isinstance(value, list | tuple):
        return frozenset(str(group) for group in value)
    if isinstance(value, str):
        return frozenset(part for part in value.strip("[]").replace(",", " ").split() if part)
    return frozenset()


def refusal(event: Mapping[str, Any], operators_group: str) -> str | None:
    """Why this request may not run, or None. No group configured (the local dashboard) refuses nothing."""
    method = str((event.get("requestContext") or {}).get("http", {}).get("method") or "GET").upper()
    if not operators_group or method in READING_METHODS or operators_group in token_groups(event):
        return None
    return (
        f"{method} changes the library: only members of the Cognito group {operators_group!r} may call it "
        "(docs/dashboards.md says how to add a user to it)"
    )
