"""The registry of Rekognition Video analyses: one entry describes everything about an analysis.

Adding an analysis is adding one `Analysis` to `REGISTRY`; the starter, the collector, the
repository and the CDK stack all read it (the Rekognition fake follows the service model instead).
An analysis can have more than one engine (the Rekognition operations that produce it): person
tracking runs natively (StartPersonTracking) or from label detection plus the collector's tracker.
Free of third-party imports so the infrastructure code can import it; a deployment's options for
each analysis are checked against Rekognition's model in `analysis_options.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final, Literal


class EntityScope(Enum):
    """Where an entity's identity holds: across every video, or only within one job's results."""

    ACCOUNT = "account"
    JOB = "job"


@dataclass(frozen=True, slots=True)
class EntityRule:
    """How detections feed the by-entity index: one item per appearance (a celebrity's, a person's run)."""

    prefix: str
    scope: EntityScope
    identity: Callable[[Mapping[str, Any]], str | None]
    label: Callable[[Mapping[str, Any]], str | None]
    # The detection's box and how good a view it is: an appearance keeps its best one.
    view: Callable[[Mapping[str, Any]], tuple[Mapping[str, Any] | None, float]]
    # False: identities are counted and label each detection, but no appearance item is written. For
    # an identity that is only ever seen once (a shot), an appearance item would repeat its detection
    # at twice its write units (table and index), for a run that nothing reads.
    indexed: bool = True
    # True: the index also holds the detections, each window item split per identity (its items in
    # the table carry the identity's detections partition), so an identity's detections are one
    # by-entity Query, as when every detection was its own indexed item. Worth it only where a
    # detection packs small enough that its two copies (table and index) stay within the write
    # budget: a tracked person's, not a celebrity's (docs/data-model.md, "Requests per access pattern").
    carried: bool = False


@dataclass(frozen=True, slots=True)
class JobSettings:
    """Settings that change what a Rekognition job returns, so they are part of its identity."""

    face_attributes: str = "ALL"
    # Each analysis' own Start* options (the stack's `analysisOptions`), by analysis name, laid over
    # the entry's defaults; checked against the service model by `analysis_options.py`.
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def options_of(self, analysis: str) -> Mapping[str, Any]:
        return self.options.get(analysis, {})


PersonEngine = Literal["labels", "native"]
NATIVE_ENGINE: Final = "native"
LABELS_ENGINE: Final = "labels"
PERSON_ENGINES: tuple[PersonEngine, ...] = (LABELS_ENGINE, NATIVE_ENGINE)
# People Pathing (StartPersonTracking) ended on 2025-10-31, so the default works on any account.
DEFAULT_PERSON_ENGINE: PersonEngine = LABELS_ENGINE
# Low enough that partly hidden people still reach the tracker's second association stage.
PERSON_LABEL_MIN_CONFIDENCE = 40.0
# Rekognition Video's list price for stored-video analysis, US East (N. Virginia), first tier, in USD
# per minute of video: the same for face detection, celebrity recognition, label detection and (while
# it existed) person pathing. Every cost estimate (the backfill's dry run, the dashboard, the README)
# reads it from the registry entries below; change it here for another region or tier.
STORED_VIDEO_USD_PER_MINUTE = 0.10


@dataclass(frozen=True, slots=True)
class Analysis:
    name: str
    start_operation: str
    get_operation: str
    result_key: str
    notification_api: str
    get_parameters: Mapping[str, str] = field(default_factory=dict)
    start_options: Callable[[JobSettings], dict[str, Any]] = lambda _settings: {}
    entity: EntityRule | None = None
    # Which Rekognition operations produce the analysis; every job records it.
    engine: str = NATIVE_ENGINE
    # Why the service may refuse this engine, for the message of a job it refused.
    retirement_note: str = ""
    # What Rekognition charges per minute of video this engine analyses (see STORED_VIDEO_USD_PER_MINUTE).
    usd_per_minute: float = STORED_VIDEO_USD_PER_MINUTE
    # Whether a deployment may set this analysis' Start* options (`analysisOptions`); the others' are
    # the pipeline's own (face attributes have their setting; person tracking's serve the tracker).
    configurable: bool = False

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


def _celebrity_view(element: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, float]:
    celebrity = element.get("Celebrity") or {}
    box = (celebrity.get("Face") or {}).get("BoundingBox") or celebrity.get("BoundingBox")
    return box, float(celebrity.get("Confidence") or 0.0)


def _person_view(element: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, float]:
    """A person is seen best where the box is largest (GetPersonTracking gives no confidence)."""
    box = (element.get("Person") or {}).get("BoundingBox") or {}
    try:
        return box or None, float(box.get("Width", 0)) * float(box.get("Height", 0))
    except (TypeError, ValueError):
        return box or None, 0.0


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
    entity=EntityRule(
        prefix="CELEB",
        scope=EntityScope.ACCOUNT,
        identity=_celebrity_id,
        label=_celebrity_name,
        view=_celebrity_view,
    ),
)

PERSONS = Analysis(
    name="persons",
    start_operation="StartPersonTracking",
    get_operation="GetPersonTracking",
    result_key="Persons",
    notification_api="PERSON_TRACKING",
    get_parameters={"SortBy": "TIMESTAMP"},
    entity=EntityRule(
        prefix="TRACK",
        scope=EntityScope.JOB,
        identity=_person_index,
        label=_person_index,
        view=_person_view,
        carried=True,
    ),
    retirement_note="Rekognition People Pathing (StartPersonTracking) ended on 2025-10-31",
)

# The same analysis from what AWS still offers: Person instances per timestamp (boxes, no identity),
# to which the collector's tracker gives stable indexes; stored exactly like PERSONS' results.
PERSONS_FROM_LABELS = Analysis(
    name=PERSONS.name,
    start_operation="StartLabelDetection",
    get_operation="GetLabelDetection",
    result_key="Labels",
    notification_api="LABEL_DETECTION",
    get_parameters={"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"},
    start_options=lambda _settings: {
        "MinConfidence": PERSON_LABEL_MIN_CONFIDENCE,
        "Features": ["GENERAL_LABELS"],
        "Settings": {"GeneralLabels": {"LabelInclusionFilters": ["Person"]}},
    },
    entity=PERSONS.entity,
    engine=LABELS_ENGINE,
)


def _with_options(name: str, defaults: Mapping[str, Any]) -> Callable[[JobSettings], dict[str, Any]]:
    """Start* options: the entry's defaults, then the deployment's options for this analysis over them."""
    return lambda settings: {**defaults, **settings.options_of(name)}


def _label_name(element: Mapping[str, Any]) -> str | None:
    name = (element.get("Label") or {}).get("Name")
    return str(name) if name else None


def _label_view(element: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, float]:
    label = element.get("Label") or {}
    boxes = [instance.get("BoundingBox") for instance in label.get("Instances") or () if instance.get("BoundingBox")]
    return (boxes[0] if boxes else None), float(label.get("Confidence") or 0.0)


def _moderation_name(element: Mapping[str, Any]) -> str | None:
    name = (element.get("ModerationLabel") or {}).get("Name")
    return str(name) if name else None


def _moderation_view(element: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, float]:
    return None, float((element.get("ModerationLabel") or {}).get("Confidence") or 0.0)


def _segment_identity(element: Mapping[str, Any]) -> str | None:
    """A shot by its index; a technical cue by its type (each run of black frames is an appearance)."""
    if element.get("Type") == "SHOT":
        index = (element.get("ShotSegment") or {}).get("Index")
        return None if index is None else f"SHOT#{index}"
    cue = (element.get("TechnicalCueSegment") or {}).get("Type")
    return f"CUE#{cue}" if cue else None


def _segment_view(element: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, float]:
    segment = element.get("ShotSegment") or element.get("TechnicalCueSegment") or {}
    return None, float(segment.get("Confidence") or 0.0)


# Labels in general (every label, with the deployment's filters): appearances of a label across videos.
LABELS = Analysis(
    name="labels",
    start_operation="StartLabelDetection",
    get_operation="GetLabelDetection",
    result_key="Labels",
    notification_api="LABEL_DETECTION",
    get_parameters={"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"},
    configurable=True,
    start_options=_with_options("labels", {"MinConfidence": 50.0, "Features": ["GENERAL_LABELS"]}),
    entity=EntityRule(
        prefix="LABEL", scope=EntityScope.ACCOUNT, identity=_label_name, label=_label_name, view=_label_view
    ),
)

MODERATION = Analysis(
    name="moderation",
    start_operation="StartContentModeration",
    get_operation="GetContentModeration",
    result_key="ModerationLabels",
    notification_api="CONTENT_MODERATION",
    get_parameters={"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"},
    configurable=True,
    start_options=_with_options("moderation", {"MinConfidence": 50.0}),
    entity=EntityRule(
        prefix="MODERATION",
        scope=EntityScope.ACCOUNT,
        identity=_moderation_name,
        label=_moderation_name,
        view=_moderation_view,
    ),
)

TEXT = Analysis(
    name="text",
    start_operation="StartTextDetection",
    get_operation="GetTextDetection",
    result_key="TextDetections",
    notification_api="TEXT_DETECTION",
    configurable=True,
    start_options=_with_options("text", {}),
)

SEGMENTS = Analysis(
    name="segments",
    start_operation="StartSegmentDetection",
    get_operation="GetSegmentDetection",
    result_key="Segments",
    notification_api="SEGMENT_DETECTION",
    configurable=True,
    start_options=_with_options("segments", {"SegmentTypes": ["SHOT", "TECHNICAL_CUE"]}),
    entity=EntityRule(
        prefix="SEGMENT",
        scope=EntityScope.JOB,
        identity=_segment_identity,
        label=_segment_identity,
        view=_segment_view,
        # Each shot is an identity of its own, and segments are read by video and time (pattern 3).
        indexed=False,
    ),
)


# Face search: the faces of a Rekognition collection (the stack creates it) found in each video. Each
# element is a PersonMatch: `Person` (People Pathing's `Index`, a per-video number Rekognition does not
# store, still documented for GetFaceSearch after People Pathing ended on 2025-10-31, so never an
# identity here) and `FaceMatches`, the collection's faces that match it. A match's identity is the
# reference's `ExternalImageId` (its picture's name, `logic/reference_faces.py`), else its `FaceId`.
FACE_SEARCH_COLLECTION_MEMBER: Final = "CollectionId"


def _best_face_match(element: Mapping[str, Any]) -> Mapping[str, Any]:
    """The collection face this person matches best (highest `Similarity`); empty when none matched."""
    matches = [match for match in element.get("FaceMatches") or () if isinstance(match, Mapping)]
    return max(matches, key=lambda match: float(match.get("Similarity") or 0.0), default={})


def _face_match_identity(element: Mapping[str, Any]) -> str | None:
    face = _best_face_match(element).get("Face") or {}
    value = face.get("ExternalImageId") or face.get("FaceId")
    return str(value) if value else None


def _face_match_view(element: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, float]:
    person = element.get("Person") or {}
    box = (person.get("Face") or {}).get("BoundingBox") or person.get("BoundingBox")
    return box, float(_best_face_match(element).get("Similarity") or 0.0)


# `CollectionId` is the deployment's (`Env.FACE_COLLECTION_ID`, laid into the options by the starter's
# settings), never an option a deployment writes (`analysis_options.py` refuses it).
FACE_SEARCH = Analysis(
    name="face_search",
    start_operation="StartFaceSearch",
    get_operation="GetFaceSearch",
    result_key="Persons",
    notification_api="FACE_SEARCH",
    get_parameters={"SortBy": "TIMESTAMP"},
    configurable=True,
    start_options=_with_options("face_search", {"FaceMatchThreshold": 80.0}),
    entity=EntityRule(
        prefix="FACEMATCH",
        scope=EntityScope.ACCOUNT,
        identity=_face_match_identity,
        label=_face_match_identity,
        view=_face_match_view,
    ),
)

REGISTRY: Mapping[str, Analysis] = {
    analysis.name: analysis
    for analysis in (FACES, CELEBRITIES, PERSONS, LABELS, MODERATION, TEXT, SEGMENTS, FACE_SEARCH)
}
# Engines by analysis; an analysis absent here has only its REGISTRY entry, the native engine.
ENGINES: Mapping[str, Mapping[str, Analysis]] = {
    PERSONS.name: {NATIVE_ENGINE: PERSONS, LABELS_ENGINE: PERSONS_FROM_LABELS},
}
EVERY_ENGINE: tuple[Analysis, ...] = (
    FACES,
    CELEBRITIES,
    PERSONS,
    PERSONS_FROM_LABELS,
    LABELS,
    MODERATION,
    TEXT,
    SEGMENTS,
    FACE_SEARCH,
)
# What a deployment runs unless configured otherwise; every other entry is one setting away.
DEFAULT_ANALYSES: tuple[str, ...] = (FACES.name, CELEBRITIES.name, PERSONS.name)
FACE_ATTRIBUTE_CHOICES: tuple[str, ...] = ("DEFAULT", "ALL")


def element_timestamp(element: Mapping[str, Any]) -> int:
    """When a Get* element happens: its `Timestamp`, or a segment's start (segments have no Timestamp)."""
    value = element.get("Timestamp")
    return int(element.get("StartTimestampMillis", 0) if value is None else value)


def by_name(name: str) -> Analysis:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise ValueError(f"unknown analysis {name!r}; known analyses: {known}") from None


def of_job(name: str, engine: str) -> Analysis:
    """The analysis a recorded job runs on: its name and the engine it was started with."""
    return ENGINES.get(name, {}).get(engine) or by_name(name)


def by_notification_api(api: str) -> Analysis | None:
    """An analysis that runs on the API a notification names, in either spelling Rekognition uses.

    Only says whether the API is one of ours: two analyses can share an operation, so the collector
    takes a job's analysis from the jobs table, never from this."""
    for analysis in EVERY_ENGINE:
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


def alternatives(analysis: Analysis) -> tuple[Analysis, ...]:
    """The other engines that produce the same analysis."""
    return tuple(other for other in ENGINES.get(analysis.name, {}).values() if other is not analysis)


@dataclass(frozen=True, slots=True)
class EngineSelection:
    """The analyses a deployment starts, and the engine each falls back to when refused as unavailable."""

    primary: tuple[Analysis, ...]
    fallbacks: Mapping[str, Analysis]

    @property
    def every_analysis(self) -> tuple[Analysis, ...]:
        """What the deployment may start and read: the IAM actions follow from this."""
        return (*self.primary, *self.fallbacks.values())


def select_engines(names: tuple[str, ...], person_engine: str, *, fallback: bool = False) -> EngineSelection:
    """Resolve analysis names to engines; with `fallback`, a native person engine falls back to labels."""
    if person_engine not in PERSON_ENGINES:
        raise ValueError(
            f"unknown person tracking engine {person_engine!r}; known engines: {', '.join(PERSON_ENGINES)}"
        )
    primary = tuple(ENGINES.get(name, {}).get(person_engine) or by_name(name) for name in names)
    fallbacks: dict[str, Analysis] = {}
    if fallback and person_engine == NATIVE_ENGINE and PERSONS.name in names:
        fallbacks[PERSONS.name] = PERSONS_FROM_LABELS
    return EngineSelection(primary, fallbacks)
