"""The video APIs the fake emulates: one entry per Start operation.

Adding an API is adding one `VideoApi`: its Get operation, the response key holding results, the
Get-only parameters with their defaults, how to synthesize results and how to order scripted ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.results import ElementKey, ElementSource
from emulator.segments import SEGMENT_ORDER, selected_segment_types
from emulator.synthetic import (
    LABEL_MODEL_VERSION,
    CelebritySource,
    FaceSource,
    LabelSource,
    PersonSource,
    Synthesis,
)
from emulator.synthetic_face_search import FaceSearchSource
from emulator.synthetic_moderation import MODERATION_MODEL_VERSION, ModerationSource
from emulator.synthetic_segments import SegmentSource
from emulator.synthetic_text import text_source
from emulator.text import TEXT_MODEL_VERSION, TEXT_ORDER

SORT_PARAMETER = "SortBy"
DEFAULT_SORT = "TIMESTAMP"


def _by_timestamp(element: Mapping[str, Any]) -> tuple[Any, ...]:
    return (element.get("Timestamp", 0),)


def _member(element: Mapping[str, Any], parent: str, name: str, default: Any) -> Any:
    return (element.get(parent) or {}).get(name, default)


def _no_extras(_options: Mapping[str, str], _start_params: Mapping[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True, slots=True)
class VideoApi:
    start_operation: str
    get_operation: str
    result_key: str
    synthesize: Callable[[Synthesis], ElementSource]
    # Orders for scripted element lists, by SortBy value; synthetic sources order themselves.
    sort_keys: Mapping[str, ElementKey]
    # Get-only parameters that shape results, with the service's defaults.
    get_defaults: Mapping[str, str] = field(default_factory=dict)
    # Members a successful Get response carries besides the common ones, from the Get call's options
    # and the Start call's parameters (SelectedSegmentTypes echoes what Start asked for).
    extras: Callable[[Mapping[str, str], Mapping[str, Any]], dict[str, Any]] = _no_extras
    # GetSegmentDetection reports VideoMetadata as a list (one entry per analysed video stream).
    metadata_list: bool = False

    def video_metadata(self, metadata: dict[str, Any]) -> dict[str, Any] | list[dict[str, Any]]:
        return [metadata] if self.metadata_list else metadata

    def get_options(self, params: Mapping[str, Any]) -> dict[str, str]:
        return {name: str(params.get(name) or default) for name, default in self.get_defaults.items()}

    def sort_of(self, options: Mapping[str, str]) -> str:
        return options.get(SORT_PARAMETER, DEFAULT_SORT)


def _label_extras(options: Mapping[str, str], _start_params: Mapping[str, Any]) -> dict[str, Any]:
    return {"LabelModelVersion": LABEL_MODEL_VERSION, "GetRequestMetadata": dict(options)}


FACES = VideoApi(
    start_operation="StartFaceDetection",
    get_operation="GetFaceDetection",
    result_key="Faces",
    synthesize=FaceSource,
    sort_keys={"TIMESTAMP": _by_timestamp},
)

CELEBRITIES = VideoApi(
    start_operation="StartCelebrityRecognition",
    get_operation="GetCelebrityRecognition",
    result_key="Celebrities",
    synthesize=CelebritySource,
    sort_keys={
        "TIMESTAMP": _by_timestamp,
        "ID": lambda e: (_member(e, "Celebrity", "Id", ""), *_by_timestamp(e)),
    },
    get_defaults={SORT_PARAMETER: DEFAULT_SORT},
)

PERSONS = VideoApi(
    start_operation="StartPersonTracking",
    get_operation="GetPersonTracking",
    result_key="Persons",
    synthesize=PersonSource,
    sort_keys={
        "TIMESTAMP": _by_timestamp,
        "INDEX": lambda e: (_member(e, "Person", "Index", 0), *_by_timestamp(e)),
    },
    get_defaults={SORT_PARAMETER: DEFAULT_SORT},
)

LABELS = VideoApi(
    start_operation="StartLabelDetection",
    get_operation="GetLabelDetection",
    result_key="Labels",
    synthesize=LabelSource,
    sort_keys={
        "TIMESTAMP": _by_timestamp,
        "NAME": lambda e: (_member(e, "Label", "Name", ""), -_member(e, "Label", "Confidence", 0.0)),
    },
    get_defaults={SORT_PARAMETER: DEFAULT_SORT, "AggregateBy": "TIMESTAMPS"},
    extras=_label_extras,
)


def _segment_extras(_options: Mapping[str, str], start_params: Mapping[str, Any]) -> dict[str, Any]:
    # AudioMetadata lists the file's audio streams; a source that read them replaces this empty list.
    return {"SelectedSegmentTypes": selected_segment_types(start_params), "AudioMetadata": []}


SEGMENTS = VideoApi(
    start_operation="StartSegmentDetection",
    get_operation="GetSegmentDetection",
    result_key="Segments",
    synthesize=SegmentSource,
    sort_keys=SEGMENT_ORDER,
    extras=_segment_extras,
    metadata_list=True,
)


def _moderation_extras(options: Mapping[str, str], _start_params: Mapping[str, Any]) -> dict[str, Any]:
    return {"ModerationModelVersion": MODERATION_MODEL_VERSION, "GetRequestMetadata": dict(options)}


MODERATION = VideoApi(
    start_operation="StartContentModeration",
    get_operation="GetContentModeration",
    result_key="ModerationLabels",
    synthesize=ModerationSource,
    sort_keys={
        "TIMESTAMP": _by_timestamp,
        "NAME": lambda e: (
            _member(e, "ModerationLabel", "Name", ""),
            -_member(e, "ModerationLabel", "Confidence", 0.0),
        ),
    },
    get_defaults={SORT_PARAMETER: DEFAULT_SORT, "AggregateBy": "TIMESTAMPS"},
    extras=_moderation_extras,
)


def _text_extras(_options: Mapping[str, str], _start_params: Mapping[str, Any]) -> dict[str, Any]:
    return {"TextModelVersion": TEXT_MODEL_VERSION}


TEXT = VideoApi(
    start_operation="StartTextDetection",
    get_operation="GetTextDetection",
    result_key="TextDetections",
    synthesize=text_source,
    sort_keys=TEXT_ORDER,
    extras=_text_extras,
)

# Person.Index is still documented for GetFaceSearch (and SortBy=INDEX) in the current model, with no
# People Pathing caveat: a per-video identifier Rekognition does not store (docs/emulator.md).
FACE_SEARCH = VideoApi(
    start_operation="StartFaceSearch",
    get_operation="GetFaceSearch",
    result_key="Persons",
    synthesize=FaceSearchSource,
    sort_keys={
        "TIMESTAMP": _by_timestamp,
        "INDEX": lambda e: (_member(e, "Person", "Index", 0), *_by_timestamp(e)),
    },
    get_defaults={SORT_PARAMETER: DEFAULT_SORT},
)

APIS: tuple[VideoApi, ...] = (FACES, CELEBRITIES, PERSONS, LABELS, SEGMENTS, MODERATION, TEXT, FACE_SEARCH)
BY_START: Mapping[str, VideoApi] = {api.start_operation: api for api in APIS}
BY_GET: Mapping[str, VideoApi] = {api.get_operation: api for api in APIS}


def by_start(operation: str) -> VideoApi:
    try:
        return BY_START[operation]
    except KeyError:
        raise ValueError(f"{operation!r} is not a Start operation the fake emulates: {', '.join(BY_START)}") from None
