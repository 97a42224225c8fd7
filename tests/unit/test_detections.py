from __future__ import annotations

import json

from video_pipeline.analyses import CELEBRITIES, FACES, PERSONS
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
