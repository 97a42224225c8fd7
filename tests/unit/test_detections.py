from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from video_pipeline.analyses import CELEBRITIES, FACES, PERSONS, PERSONS_FROM_LABELS, EntityScope
from video_pipeline.logic.detections import MAX_DATA_BYTES, JobContext, ResultTally, detection_items


def context(analysis):
    return JobContext(job_id="job1", video_id="vid1", analysis=analysis, uploaded_at="2026-11-22T10:00:00.000Z")


def test_keys_are_deterministic_and_continue_across_pages():
    elements = [{"Timestamp": 40, "Face": {"Confidence": 99.5}}, {"Timestamp": 40, "Face": {"Confidence": 90.0}}]
    tally = ResultTally()
    first = detection_items(context(FACES), elements, tally)
    second = detection_items(context(FACES), [{"Timestamp": 80, "Face": {}}], tally)
    assert [item["sk"]["S"] for item in first + second] == [
        "000000000040#00000000",
        "000000000040#00000001",
        "000000000080#00000002",
    ]
    again = detection_items(context(FACES), elements, ResultTally())
    assert again == first
    assert json.loads(first[0]["data"]["S"]) == elements[0]
    assert first[0]["pk"] == {"S": "job1"} and "entity" not in first[0]
    assert tally.detections == 3


def test_celebrities_are_indexed_across_videos():
    element = {"Timestamp": 1000, "Celebrity": {"Id": "c1", "Name": "Ada Lovelace", "Confidence": 99.0}}
    tally = ResultTally()
    (item,) = detection_items(context(CELEBRITIES), [element], tally)
    assert item["entity"] == {"S": "CELEB#c1"}
    assert item["entity_sort"]["S"].startswith("2026-11-22T10:00:00.000Z#vid1#000000001000#")
    assert item["label"] == {"S": "Ada Lovelace"}
    assert tally.entities == {"c1"}


def test_person_tracks_are_indexed_within_the_job():
    elements = [{"Timestamp": t, "Person": {"Index": t % 2}} for t in range(4)]
    tally = ResultTally()
    items = detection_items(context(PERSONS), elements, tally)
    assert [item["entity"]["S"] for item in items] == ["TRACK#job1#0", "TRACK#job1#1", "TRACK#job1#0", "TRACK#job1#1"]
    assert items[0]["entity_sort"] == items[0]["sk"]
    assert tally.entities == {"0", "1"}


def test_an_element_too_large_for_one_item_is_truncated_not_dropped():
    huge = {"Timestamp": 5, "Face": {"Landmarks": ["x" * 100] * (MAX_DATA_BYTES // 50)}}
    (item,) = detection_items(context(FACES), [huge], ResultTally())
    assert item["truncated"] == {"BOOL": True}
    assert len(item["data"]["S"]) < 100


# The mapping as first written, kept as the specification the optimised hot path must match exactly.
def _reference_items(context, elements, tally):
    items = []
    for element in elements:
        timestamp = int(element.get("Timestamp", 0))
        sort_key = f"{timestamp:012d}#{tally.detections:08d}"
        data = json.dumps(element, separators=(",", ":"), ensure_ascii=False)
        item = {
            "pk": {"S": context.job_id},
            "sk": {"S": sort_key},
            "ts": {"N": str(timestamp)},
            "video_id": {"S": context.video_id},
            "data": {"S": data},
        }
        if len(data.encode("utf-8")) > MAX_DATA_BYTES:
            item["data"] = {"S": json.dumps({"Timestamp": timestamp})}
            item["truncated"] = {"BOOL": True}
        rule = context.analysis.entity
        identity = rule.identity(element) if rule else None
        if rule and identity is not None:
            tally.entities.add(identity)
            if rule.scope is EntityScope.ACCOUNT:
                item["entity"] = {"S": f"{rule.prefix}#{identity}"}
                item["entity_sort"] = {"S": f"{context.uploaded_at}#{context.video_id}#{sort_key}"}
            else:
                item["entity"] = {"S": f"{rule.prefix}#{context.job_id}#{identity}"}
                item["entity_sort"] = {"S": sort_key}
            label = rule.label(element)
            if label:
                item["label"] = {"S": label}
        items.append(item)
        tally.detections += 1
    return items


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
_json_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_entity = st.fixed_dictionaries(
    {}, optional={"Id": st.text(max_size=6), "Name": st.text(max_size=6), "Index": st.integers(0, 9) | st.none()}
)
_elements = st.lists(
    st.fixed_dictionaries(
        {"Timestamp": st.integers(0, 10**9)},
        optional={
            "Face": _json_values,
            "Celebrity": _entity,
            "Person": _entity,
            "Extra": _json_values,
        },
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(
    analysis=st.sampled_from([FACES, CELEBRITIES, PERSONS, PERSONS_FROM_LABELS]),
    pages=st.lists(_elements, min_size=1, max_size=3),
    start=st.integers(0, 10**6),
)
def test_items_are_identical_to_the_reference_mapping(analysis, pages, start):
    fast, slow = ResultTally(detections=start), ResultTally(detections=start)
    for page in pages:
        assert detection_items(context(analysis), page, fast) == _reference_items(context(analysis), page, slow)
    assert (fast.detections, fast.entities) == (slow.detections, slow.entities)


def test_generated_results_of_every_analysis_map_identically_to_the_reference():
    cases = [
        (
            FACES,
            [{"Timestamp": t, "Face": {"Confidence": 99.123456, "Emotions": [{"Type": "CALM"}]}} for t in range(50)],
        ),
        (CELEBRITIES, [{"Timestamp": t, "Celebrity": {"Id": f"c{t % 3}", "Name": "Zoë Ångström"}} for t in range(50)]),
        (PERSONS, [{"Timestamp": t, "Person": {"Index": t % 4, "BoundingBox": {"Left": 0.5}}} for t in range(50)]),
    ]
    for analysis, page in cases:
        fast, slow = ResultTally(), ResultTally()
        assert detection_items(context(analysis), page, fast) == _reference_items(context(analysis), page, slow)
        assert fast.entities == slow.entities


def test_a_large_element_just_under_the_limit_is_kept_whole():
    # Multi-byte characters: the character count is well under the limit, the byte count just under it.
    text = "é" * ((MAX_DATA_BYTES - 100) // 2)
    (item,) = detection_items(context(FACES), [{"Timestamp": 1, "Face": {"Note": text}}], ResultTally())
    assert "truncated" not in item
    assert json.loads(item["data"]["S"])["Face"]["Note"] == text


def test_a_multibyte_element_over_the_limit_in_bytes_is_truncated():
    text = "é" * (MAX_DATA_BYTES // 2 + 10)
    (item,) = detection_items(context(FACES), [{"Timestamp": 7, "Face": {"Note": text}}], ResultTally())
    assert item["truncated"] == {"BOOL": True}
    assert item["data"] == {"S": '{"Timestamp": 7}'}
