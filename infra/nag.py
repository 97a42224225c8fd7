"""Acknowledging cdk-nag findings: always one rule (and finding), on one construct, with a reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str, *, finding: str | None = None) -> None:
    """Acknowledge `rule` on `construct`; `finding` narrows it, e.g. ``Resource::*`` for IAM5.

    cdk-nag 3 reports one finding per wildcard as ``Rule[Finding]`` and matches acknowledgements
    exactly, so naming the finding keeps any other wildcard on the same resource reported.
    """
    rule_id = f"{rule}[{finding}]" if finding else rule
    Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))
