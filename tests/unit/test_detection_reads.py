"""Reading packed detections: what the repository asks DynamoDB for."""

from __future__ import annotations

from video_pipeline.dal.detection_reads import job_detections


class RefusingTable:
    """DynamoDB refuses a BETWEEN whose lower bound is above its upper bound: no such query may be sent."""

    def query(self, **_query):
        raise AssertionError("no query expected")


def test_an_empty_time_range_sends_no_query():
    found = job_detections(RefusingTable(), "job", lambda _element: None, start_ms=20_001, end_ms=20_000)
    assert list(found) == []
