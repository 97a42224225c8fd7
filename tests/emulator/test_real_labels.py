"""The real label analyzer (the Person label): the Start call's filters and AggregateBy=SEGMENTS."""

from __future__ import annotations

import functools

import pytest

from emulator.analyzers import AnalysisRequest
from emulator.vision.analyzers import PersonLabelAnalyzer, Sampling

pytestmark = pytest.mark.unit

EVERY_MS = 400


@functools.cache
def _analyzer() -> PersonLabelAnalyzer:
    """One analyzer for every call: its examiner looks at a video (by content) once, as one emulator
    does for every job of a video; each call's options only select from what it found."""
    return PersonLabelAnalyzer(Sampling(every_ms=EVERY_MS))


def _source(path, **params):
    request = AnalysisRequest(
        start_operation="StartLabelDetection",
        bucket="local",
        key=path.name,
        version=None,
        params=params,
        seed=0,
        detections=0,
        open_video=lambda: path.open("rb"),
        report_progress=lambda _fraction: None,
    )
    return _analyzer().analyze(request)


def test_segments_are_spans_to_the_next_sample_and_filters_apply(clip):
    path, _truth = clip
    source = _source(path)
    assert source.count > 0
    for index in range(source.count):
        plain = source.element(index, {"AggregateBy": "TIMESTAMPS"})
        span = source.element(index, {"AggregateBy": "SEGMENTS"})
        assert "StartTimestampMillis" not in plain and plain["Label"]["Instances"]
        assert span["StartTimestampMillis"] == plain["Timestamp"] and span["Label"]["Instances"] == []
        assert 0 < span["DurationMillis"] == span["EndTimestampMillis"] - span["StartTimestampMillis"] <= EVERY_MS
    assert _source(path, Settings={"GeneralLabels": {"LabelExclusionFilters": ["Person"]}}).count == 0
    assert _source(path, MinConfidence=100).count == 0
