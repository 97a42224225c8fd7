"""One Rekognition job serving two analyses: general labels carry label-based person tracking.

Both `labels` and `persons` on the labels engine run StartLabelDetection on the same video. When both
are enabled, the starter runs one job (the carrier, recorded as `labels`) whose options are the union
of what each asks for (`merged_label_options`), and records `persons` as riding on it: same
Rekognition JobId, no quota slot, no budget charge, no Start* of its own. Each record keeps the
options its analysis asked for (`JobRecord.asked_options`), and the collector filters the shared
results back to them (`kept_as_asked`), so each analysis stores what a job of its own would have
returned. docs/person-tracking.md argues the design.

A rider's record names the job as `<JobId>.<analysis>` (`riding_job_id`): its results live in their
own detections partition, so erasure, re-analysis and retirement of one analysis never touch the
other's, and the JobId index still finds exactly one record (the carrier) for a Rekognition JobId.
Rekognition is always asked with the JobId itself (`rekognition_job_id`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from video_pipeline.analyses import LABELS, PERSONS_FROM_LABELS, Analysis, JobSettings

PERSON_LABEL: Final = "Person"
# The category Rekognition files the Person label under (its label list, and the emulator's gallery).
PERSON_CATEGORY: Final = "Person Description"
# Rekognition JobIds match ^[a-zA-Z0-9-_]+$, so this separator never occurs in one.
_RIDER_SEPARATOR: Final = "."
# Which analyses may ride on a carrier's job, by the carrier's analysis name.
RIDERS_OF: Mapping[str, tuple[Analysis, ...]] = {LABELS.name: (PERSONS_FROM_LABELS,)}
_DEFAULT_MIN_CONFIDENCE = 50.0  # StartLabelDetection's, when MinConfidence is not given


def riding_job_id(job_id: str, analysis: str) -> str:
    """What a rider's record names as its job: the carrier's JobId plus the rider's analysis."""
    return f"{job_id}{_RIDER_SEPARATOR}{analysis}"


def rekognition_job_id(job_id: str) -> str:
    """The JobId Rekognition knows, for a carrier's or a rider's recorded job."""
    return job_id.split(_RIDER_SEPARATOR, 1)[0]


def is_riding(job_id: str | None) -> bool:
    """True for a rider's recorded job: it holds no quota slot of its own."""
    return job_id is not None and _RIDER_SEPARATOR in job_id


def merged_label_options(labels: Mapping[str, Any], persons: Mapping[str, Any]) -> dict[str, Any]:
    """StartLabelDetection options returning everything either analysis asks for (and maybe more).

    The emulator applies the four label filters as all having to hold (an inclusion list keeps only
    what it names, an exclusion list drops what it names); AWS's reference says no more than that
    inclusive and exclusive filters "can be combined". So the merge only widens: Person joins an
    inclusion list the labels options have, its category joins a category inclusion list, and both
    leave the exclusion lists. `persons`' own filter (Person only) is left out: its results are
    filtered back to it."""
    merged: dict[str, Any] = {**labels}
    floors = [float(options.get("MinConfidence", _DEFAULT_MIN_CONFIDENCE)) for options in (labels, persons)]
    merged["MinConfidence"] = min(floors)
    features = list(labels.get("Features") or [])
    merged["Features"] = features if "GENERAL_LABELS" in features else [*features, "GENERAL_LABELS"]
    general = dict((labels.get("Settings") or {}).get("GeneralLabels") or {})
    widened = {
        "LabelInclusionFilters": _with(general.get("LabelInclusionFilters"), PERSON_LABEL),
        "LabelExclusionFilters": _without(general.get("LabelExclusionFilters"), PERSON_LABEL),
        "LabelCategoryInclusionFilters": _with(general.get("LabelCategoryInclusionFilters"), PERSON_CATEGORY),
        "LabelCategoryExclusionFilters": _without(general.get("LabelCategoryExclusionFilters"), PERSON_CATEGORY),
    }
    general = {name: values for name, values in widened.items() if values}
    settings = {key: value for key, value in (labels.get("Settings") or {}).items() if key != "GeneralLabels"}
    if general:
        settings["GeneralLabels"] = general
    if settings:
        merged["Settings"] = settings
    else:
        merged.pop("Settings", None)
    return merged


def _with(values: Sequence[str] | None, name: str) -> list[str]:
    """An inclusion list that also lets `name` through; no list stays no list (everything passes)."""
    if not values:
        return []
    return list(values) if _folded(name) in {_folded(value) for value in values} else [*values, name]


def _without(values: Sequence[str] | None, name: str) -> list[str]:
    return [value for value in values or () if _folded(value) != _folded(name)]


def _folded(value: str) -> str:
    return value.casefold()


def kept_as_asked(element: Mapping[str, Any], options: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A GetLabelDetection element as a job started with `options` would have returned it, or None.

    The label must pass the options' filters and reach their MinConfidence; its instances (boxes)
    below MinConfidence are dropped, as the service returns "labels and bounding boxes" at or above it.
    """
    label = element.get("Label")
    if not isinstance(label, Mapping) or not _passes_filters(label, options):
        return None
    floor = float(options.get("MinConfidence", _DEFAULT_MIN_CONFIDENCE))
    if float(label.get("Confidence") or 0.0) < floor:
        return None
    instances = label.get("Instances")
    if not instances:
        return element
    kept = [item for item in instances if float((item or {}).get("Confidence") or 0.0) >= floor]
    if len(kept) == len(instances):
        return element
    return {**element, "Label": {**label, "Instances": kept}}


def _passes_filters(label: Mapping[str, Any], options: Mapping[str, Any]) -> bool:
    general = (options.get("Settings") or {}).get("GeneralLabels") or {}

    def folded(name: str) -> set[str]:
        return {_folded(str(value)) for value in general.get(name) or ()}

    name = _folded(str(label.get("Name") or ""))
    categories = {_folded(str((item or {}).get("Name") or "")) for item in label.get("Categories") or ()}
    include, exclude = folded("LabelInclusionFilters"), folded("LabelExclusionFilters")
    include_categories = folded("LabelCategoryInclusionFilters")
    return (
        (not include or name in include)
        and name not in exclude
        and (not include_categories or bool(categories & include_categories))
        and not categories & folded("LabelCategoryExclusionFilters")
    )


def billed(analyses: Sequence[Analysis]) -> tuple[Analysis, ...]:
    """The analyses Rekognition bills for: a rider is billed with its carrier's job, once."""
    carried = any(analysis is LABELS for analysis in analyses)
    return tuple(analysis for analysis in analyses if not (carried and analysis in RIDERS_OF[LABELS.name]))


def _always(options: Mapping[str, Any]) -> Callable[[JobSettings], dict[str, Any]]:
    return lambda _settings: dict(options)


@dataclass(frozen=True, slots=True)
class PlannedStart:
    """One Start* call: the analysis it runs for, and the analyses riding on its job.

    `asked` is what the carrying analysis asked for, where the job runs wider options (None: a job of
    its own, whose results need no filtering)."""

    analysis: Analysis
    asked: Mapping[str, Any] | None = None
    riders: tuple[Analysis, ...] = ()


def planned_starts(analyses: Sequence[Analysis], settings: JobSettings) -> list[PlannedStart]:
    """The Start* calls for `analyses`: one per analysis, except riders, which join their carrier."""
    carried = any(analysis is LABELS for analysis in analyses)
    riders = tuple(rider for rider in RIDERS_OF[LABELS.name] if carried and rider in analyses)
    planned: list[PlannedStart] = []
    for analysis in analyses:
        if analysis in riders:
            continue
        if analysis is not LABELS or not riders:
            planned.append(PlannedStart(analysis))
            continue
        asked = LABELS.start_options(settings)
        wider = merged_label_options(asked, PERSONS_FROM_LABELS.start_options(settings))
        # The job's token and request follow from its start options: the merged ones.
        carrier = replace(LABELS, start_options=_always(wider))
        planned.append(PlannedStart(carrier, asked, riders))
    return planned
