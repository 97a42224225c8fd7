"""DynamoDB requests per access pattern on the read-answers data, against the per-detection layout's.

Counted for the first page of each list (a page of 1,000, every detection of these lists fits in
it), per operation and target (table or index). The per-detection layout (92c1d5e) answered
pattern 3 with GetItem + one Query, pattern 4 with one Query of `by-entity` and pattern 5 with
GetItem + one Query of `by-entity`. Patterns 3 and 5 still do; pattern 4 also Queries each video's
packed items (docs/data-model.md, "Requests per access pattern", says why), and its GetItem per video
is the re-analysis check (`_shown_only`), not the layout.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from moto import mock_aws
from video_pipeline.analyses import CELEBRITIES, FACES
from video_pipeline.dal.repository import PipelineRepository

from tests.read_answers import VIDEOS, stored_repository

VIDEO = next(iter(VIDEOS))


@pytest.fixture(scope="module")
def repository() -> Iterator[PipelineRepository]:
    with mock_aws():
        yield stored_repository()


@contextmanager
def counted(repository: PipelineRepository) -> Iterator[Counter[str]]:
    """DynamoDB requests made inside the block: `<operation> <table or index>`."""
    requests: Counter[str] = Counter()

    def count(params: dict[str, Any], model: Any, **_: Any) -> None:
        target = params.get("IndexName") or ("jobs" if params.get("TableName") == repository._jobs.name else "table")
        requests[f"{model.name} {target}"] += 1

    events = repository._detections.meta.client.meta.events
    events.register("provide-client-params.dynamodb", count, unique_id="count-requests")
    try:
        yield requests
    finally:
        events.unregister("provide-client-params.dynamodb", unique_id="count-requests")


def test_a_time_window_costs_the_job_lookup_and_one_query(repository):
    with counted(repository) as requests:
        page = repository.detections(VIDEO, FACES.name, start_ms=5_123, end_ms=27_777, limit=1000)
    assert page.items and page.cursor is None
    assert requests == Counter({"GetItem jobs": 1, "Query table": 1})


def test_every_appearance_of_a_celebrity_costs_one_index_query_and_one_query_per_video(repository):
    celebrity = repository.detections(VIDEO, CELEBRITIES.name, limit=1).items[0].data["Celebrity"]["Id"]
    with counted(repository) as requests:
        page = repository.celebrity_appearances(celebrity, limit=1000)
    videos = {detection.video_id for detection in page.items}
    assert len(videos) == 2 and page.cursor is None
    assert requests == Counter({"Query by-entity": 1, "Query table": len(videos), "GetItem jobs": len(videos)})


def test_one_persons_track_costs_the_job_lookup_and_one_index_query(repository):
    """As in the per-detection layout: a track's detections are indexed with it (`EntityRule.carried`)."""
    with counted(repository) as requests:
        page = repository.person_track(VIDEO, 1, limit=1000)
    assert page.items and page.cursor is None
    assert requests == Counter({"GetItem jobs": 1, "Query by-entity": 1})
