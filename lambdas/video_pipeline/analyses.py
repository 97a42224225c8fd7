"""The registry of Rekognition Video analyses: one entry describes everything about an analysis.

Adding an analysis is adding one `Analysis` to `REGISTRY`; the starter, the collector, the
repository and the CDK stack all read it (the Rekognition fake follows the service model instead).
Free of third-party imports so the infrastructure code can import it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class EntityScope(Enum):
    """Where an entity's identity holds: across every video, or only within one job's results."""

    ACCOUNT = "account"
    JOB = "job"


@dataclass(frozen=True, slots=True)
class EntityRule:
    """How a detection feeds the by-entity index (celebrity appearances, person tracks)."""

    prefix: str
    scope: EntityScope
    identity: Callable[[Mapping[str, Any]], str | None]
    label: Callable[[Mapping[str, Any]], str | None]


@dataclass(frozen=True, slots=True)
class JobSettings:
    """Settings that change what a Rekognition job returns, so they are part of its identity."""

    face_attributes: str = "ALL"


@dataclass(frozen=True, slots=True)
class Analysis:
    name: str
    start_operation: str
    get_operation: str
    result_key: str
    notification_api: str
    get_parameters: Mapping[str, str] = field(default_factory=dict)
    start_options: Callable[[JobSettings], dict[str, str]] = lambda _settings: {}
    entity: EntityRule | None = None

    @property
    def iam_start_action(self) -> str:
        return f"rekognition:{self.start_operation}"

    @property
    def iam_get_action(self) -> str:
        return f"rekognition:{self.get_operation}"


def _celebrity_id(element: Mapping[str, Any]) -> str | None:
    celebrity = element.get("Celebrity") or {}
    value = celebrity.get("Id")
    return str(value) if value else None


def _celebrity_name(element: Mapping[str, Any]) -> str | None:
    name = (element.get("Celebrity") or {}).get("Name")
    return str(name) if name else None


def _person_index(element: Mapping[str, Any]) -> str | None:
    index = (element.get("Person") or {}).get("Index")
    return str(index) if index is not None else None


FACES = Analysis(
    name="faces",
    start_operation="StartFaceDetection",
    get_operation="GetFaceDetection",
    result_key="Faces",
    notification_api="FACE_DETECTION",
    start_options=lambda settings: {"FaceAttributes": settings.face_attributes},
)

CELEBRITIES = Analysis(
    name="celebrities",
    start_operation="StartCelebrityRecognition",
    get_operation="GetCelebrityRecognition",
    result_key="Celebrities",
    notification_api="CELEBRITY_RECOGNITION",
    get_parameters={"SortBy": "TIMESTAMP"},
    entity=EntityRule(prefix="CELEB", scope=EntityScope.ACCOUNT, identity=_celebrity_id, label=_celebrity_name),
)

PERSONS = Analysis(
    name="persons",
    start_operation="StartPersonTracking",
    get_operation="GetPersonTracking",
    result_key="Persons",
    notification_api="PERSON_TRACKING",
    get_parameters={"SortBy": "TIMESTAMP"},
    entity=EntityRule(prefix="TRACK", scope=EntityScope.JOB, identity=_person_index, label=_person_index),
)

REGISTRY: Mapping[str, Analysis] = {analysis.name: analysis for analysis in (FACES, CELEBRITIES, PERSONS)}
DEFAULT_ANALYSES: tuple[str, ...] = tuple(REGISTRY)
FACE_ATTRIBUTE_CHOICES: tuple[str, ...] = ("DEFAULT", "ALL")


def by_name(name: str) -> Analysis:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise ValueError(f"unknown analysis {name!r}; known analyses: {known}") from None


def by_notification_api(api: str) -> Analysis | None:
    """Find the analysis a completion notification names, in either spelling Rekognition uses."""
    for analysis in REGISTRY.values():
        if api in (analysis.start_operation, analysis.notification_api):
            return analysis
    return None


def parse_analysis_list(value: str) -> tuple[str, ...]:
    """Parse a comma-separated list of analysis names, rejecting unknown names and empty lists."""
    names = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if not names:
        raise ValueError("at least one analysis must be enabled")
    for name in names:
        by_name(name)
    return names
