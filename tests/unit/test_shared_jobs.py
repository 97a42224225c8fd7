"""One label job for labels and label-based person tracking: the merged options, the filter back to
each analysis' own, the plan of Start* calls and the identities of the shared job."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from video_pipeline.analyses import LABELS, PERSONS, PERSONS_FROM_LABELS, JobSettings
from video_pipeline.analysis_options import parse_analysis_options
from video_pipeline.logic.budget import estimated_cost_usd
from video_pipeline.logic.identity import client_request_token, riding_token
from video_pipeline.logic.result_streams import AsAsked, AsReturned
from video_pipeline.logic.shared_jobs import (
    is_riding,
    kept_as_asked,
    merged_label_options,
    planned_starts,
    rekognition_job_id,
    riding_job_id,
)
from video_pipeline.models import UploadedObject

from emulator.gallery import LABELS as VOCABULARY
from emulator.gallery import LabelInfo
from emulator.synthetic import allowed_labels

PERSONS_ASKED = PERSONS_FROM_LABELS.start_options(JobSettings())
NAMES = sorted({label.name for label in VOCABULARY})
CATEGORIES = sorted({category for label in VOCABULARY for category in label.categories})


def general(**filters: list[str]) -> dict[str, object]:
    return {"MinConfidence": 50.0, "Features": ["GENERAL_LABELS"], "Settings": {"GeneralLabels": filters}}


def element(label: LabelInfo, confidence: float = 99.0, instances: tuple[float, ...] = ()) -> dict[str, object]:
    return {
        "Timestamp": 0,
        "Label": {
            "Name": label.name,
            "Confidence": confidence,
            "Instances": [{"BoundingBox": {}, "Confidence": value} for value in instances],
            "Parents": [{"Name": name} for name in label.parents],
            "Categories": [{"Name": name} for name in label.categories],
        },
    }


def test_labels_defaults_widen_to_the_trackers_confidence_and_no_filter():
    merged = merged_label_options(LABELS.start_options(JobSettings()), PERSONS_ASKED)
    assert merged == {"MinConfidence": 40.0, "Features": ["GENERAL_LABELS"]}


def test_the_lower_confidence_wins_and_filters_let_person_through():
    labels = {
        "MinConfidence": 30.0,
        "Settings": {
            "GeneralLabels": {
                "LabelInclusionFilters": ["Car", "Tree"],
                "LabelExclusionFilters": ["person", "Dog"],
                "LabelCategoryInclusionFilters": ["Vehicles and Automotive"],
                "LabelCategoryExclusionFilters": ["Person Description"],
            }
        },
    }
    merged = merged_label_options(labels, PERSONS_ASKED)
    assert merged["MinConfidence"] == 30.0 and merged["Features"] == ["GENERAL_LABELS"]
    assert merged["Settings"]["GeneralLabels"] == {
        "LabelInclusionFilters": ["Car", "Tree", "Person"],
        "LabelExclusionFilters": ["Dog"],
        "LabelCategoryInclusionFilters": ["Vehicles and Automotive", "Person Description"],
    }
    # The deployment's own options are left as they were.
    assert labels["Settings"]["GeneralLabels"]["LabelExclusionFilters"] == ["person", "Dog"]


def test_person_already_included_is_not_added_twice():
    merged = merged_label_options(general(LabelInclusionFilters=["PERSON"]), PERSONS_ASKED)
    assert merged["Settings"]["GeneralLabels"]["LabelInclusionFilters"] == ["PERSON"]


filter_lists = st.lists(st.sampled_from(NAMES), max_size=4, unique=True)
category_lists = st.lists(st.sampled_from(CATEGORIES), max_size=3, unique=True)
label_options = st.builds(
    lambda include, exclude, include_categories, exclude_categories, floor: {
        "MinConfidence": floor,
        "Settings": {
            "GeneralLabels": {
                name: values
                for name, values in (
                    ("LabelInclusionFilters", include),
                    ("LabelExclusionFilters", exclude),
                    ("LabelCategoryInclusionFilters", include_categories),
                    ("LabelCategoryExclusionFilters", exclude_categories),
                )
                if values
            }
        },
    },
    filter_lists,
    filter_lists,
    category_lists,
    category_lists,
    st.sampled_from([0.0, 35.0, 50.0, 70.0]),
)


@settings(max_examples=200, deadline=None)
@given(label_options)
def test_the_shared_job_returns_everything_either_analysis_asks_for(labels):
    """Whatever the deployment's label options, the merged job's filters let through every label
    either analysis' own job would return, as the emulator applies filters."""
    merged = {label.name for label in allowed_labels(merged_label_options(labels, PERSONS_ASKED))}
    wanted = {label.name for label in allowed_labels(labels)} | {"Person"}
    assert wanted <= merged


@settings(max_examples=200, deadline=None)
@given(label_options)
def test_the_filter_back_keeps_what_the_emulator_returns_for_the_same_options(options):
    """The pipeline's filter and the emulator's Start-time filter agree label by label."""
    returned = {label.name for label in allowed_labels(options)}
    kept = {label.name for label in VOCABULARY if kept_as_asked(element(label, 100.0), options) is not None}
    assert kept == returned


def test_labels_and_boxes_below_the_asked_confidence_are_dropped():
    person = next(label for label in VOCABULARY if label.name == "Person")
    asked = {"MinConfidence": 50.0}
    assert kept_as_asked(element(person, 45.0), asked) is None
    whole = element(person, 90.0, (95.0, 60.0))
    assert kept_as_asked(whole, asked) is whole  # nothing to drop: the service's own element, untouched
    trimmed = kept_as_asked(element(person, 90.0, (95.0, 42.0, 50.0)), asked)
    assert [item["Confidence"] for item in trimmed["Label"]["Instances"]] == [95.0, 50.0]
    # StartLabelDetection's default floor is 50 %.
    assert kept_as_asked(element(person, 49.9), {}) is None
    assert kept_as_asked({"Timestamp": 0}, {}) is None


def test_the_filtering_stream_feeds_only_kept_elements_to_the_analysis_stream():
    person = next(label for label in VOCABULARY if label.name == "Person")
    other = next(label for label in VOCABULARY if label.name != "Person")
    stream = AsAsked(AsReturned(), PERSONS_ASKED)
    fed = stream.feed([element(other), element(person, 41.0, (39.0, 80.0)), element(person, 20.0)])
    assert [item["Label"]["Name"] for item in fed] == ["Person"]
    assert [item["Confidence"] for item in fed[0]["Label"]["Instances"]] == [80.0]
    assert stream.finish() == [] and stream.state() is None and stream.single_sightings() == 0


def test_both_enabled_plan_one_start_carrying_persons():
    (planned,) = planned_starts((LABELS, PERSONS_FROM_LABELS), JobSettings())
    assert planned.analysis.name == "labels" and planned.riders == (PERSONS_FROM_LABELS,)
    assert planned.asked == LABELS.start_options(JobSettings())
    assert planned.analysis.start_options(JobSettings())["MinConfidence"] == 40.0
    # Order does not matter; the native engine or either analysis alone runs a job of its own.
    assert [p.analysis.name for p in planned_starts((PERSONS_FROM_LABELS, LABELS), JobSettings())] == ["labels"]
    for alone in ((LABELS, PERSONS), (LABELS,), (PERSONS_FROM_LABELS,)):
        assert [(p.analysis, p.riders, p.asked) for p in planned_starts(alone, JobSettings())] == [
            (analysis, (), None) for analysis in alone
        ]


def test_the_shared_jobs_token_covers_the_merged_options_and_the_riders_follows_it():
    upload = UploadedObject(
        bucket="b", key="k.mp4", size=1, etag=None, version_id=None, event_time="2026-01-01T00:00:00Z"
    )

    def carrier_token(options):
        settings = JobSettings(options={"labels": options})
        (planned,) = planned_starts((LABELS, PERSONS_FROM_LABELS), settings)
        return client_request_token(planned.analysis, upload, settings)

    alone = client_request_token(LABELS, upload, JobSettings())
    shared, stricter = carrier_token({}), carrier_token({"MinConfidence": 20.0})
    assert len({alone, shared, stricter}) == 3
    assert riding_token(PERSONS_FROM_LABELS, shared) != riding_token(PERSONS_FROM_LABELS, stricter)
    assert riding_token(PERSONS_FROM_LABELS, shared).startswith("persons-")


def test_a_riders_job_names_the_rekognition_job_and_its_own_results():
    job_id = "a" * 64
    riding = riding_job_id(job_id, "persons")
    assert riding != job_id and rekognition_job_id(riding) == job_id == rekognition_job_id(job_id)
    assert is_riding(riding) and not is_riding(job_id) and not is_riding(None)


def test_a_shared_label_job_is_billed_once():
    assert estimated_cost_usd(10.0, (LABELS, PERSONS_FROM_LABELS)) == estimated_cost_usd(10.0, (LABELS,)) == 1.0
    assert estimated_cost_usd(10.0, (PERSONS_FROM_LABELS,)) == 1.0
    assert estimated_cost_usd(10.0, (LABELS, PERSONS)) == 2.0  # the native engine runs a job of its own


def test_label_options_the_shared_job_could_not_run_are_refused_with_the_reason():
    """100 inclusion filters are the model's maximum: Person would make the merged job's 101."""
    names = [f"Label {number}" for number in range(100)]
    options = {"labels": {"Settings": {"GeneralLabels": {"LabelInclusionFilters": names}}}}
    with pytest.raises(ValueError, match=r"merged with person tracking's into one label job.*101 items"):
        parse_analysis_options(json.dumps(options))
    options["labels"]["Settings"]["GeneralLabels"]["LabelInclusionFilters"] = [*names[:99], "Person"]
    assert parse_analysis_options(json.dumps(options))  # Person already in: the merged job is the same size
    options["labels"]["Settings"]["GeneralLabels"]["LabelInclusionFilters"] = [*names, "Person"]
    with pytest.raises(ValueError, match=r"^labels: StartLabelDetection would refuse.*101 items"):
        parse_analysis_options(json.dumps(options))
