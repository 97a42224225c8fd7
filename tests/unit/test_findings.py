"""What a finished job found, per analysis (logic/findings.py), counted from the stream's totals."""

from __future__ import annotations

from video_pipeline.analyses import REGISTRY, SEGMENTS
from video_pipeline.contract import FINDINGS, Metric
from video_pipeline.logic.detections import ResultTally
from video_pipeline.logic.findings import job_findings


def segment_identities(*elements: dict) -> set[str]:
    assert SEGMENTS.entity is not None
    return {identity for element in elements if (identity := SEGMENTS.entity.identity(element))}


def test_shots_are_counted_by_their_index_and_technical_cues_are_not_shots() -> None:
    entities = segment_identities(
        {"Type": "SHOT", "ShotSegment": {"Index": 0, "Confidence": 99.0}},
        {"Type": "SHOT", "ShotSegment": {"Index": 1, "Confidence": 99.0}},
        {"Type": "SHOT", "ShotSegment": {"Index": 1, "Confidence": 99.0}},
        {"Type": "TECHNICAL_CUE", "TechnicalCueSegment": {"Type": "BlackFrames", "Confidence": 90.0}},
        {"Type": "TECHNICAL_CUE", "TechnicalCueSegment": {"Type": "EndCredits", "Confidence": 90.0}},
    )
    assert job_findings("segments", ResultTally(5, entities)) == {Metric.SHOTS_FOUND: 2}


def test_every_stored_moderation_label_is_a_flag() -> None:
    assert job_findings("moderation", ResultTally(7, {"Violence", "Weapons"})) == {Metric.MODERATION_FLAGS: 7}
    assert job_findings("moderation", ResultTally()) == {Metric.MODERATION_FLAGS: 0}


def test_analyses_without_findings_report_none() -> None:
    for name in set(REGISTRY) - set(FINDINGS):
        assert job_findings(name, ResultTally(3, {"x"})) == {}, name


def test_findings_are_declared_for_registry_analyses_and_each_is_counted() -> None:
    assert set(FINDINGS) <= set(REGISTRY)
    for name, metrics in FINDINGS.items():
        assert set(job_findings(name, ResultTally())) == set(metrics)
