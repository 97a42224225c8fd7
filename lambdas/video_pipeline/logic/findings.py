"""What a finished job found that its analysis' operator watches, beyond the detections it stored.

Which analysis reports which metric is declared once, in `contract.FINDINGS`; this module counts
them. Counted from the stream's running totals (`ResultTally`), which survive hand-overs in the
job's checkpoint, so a job collected over several invocations reports what one collected at once
would, and the collector's per-element loop does no extra work for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from video_pipeline.contract import FINDINGS, Metric
from video_pipeline.logic.detections import ResultTally

# A shot's identity (analyses.py, `_segment_identity`; counted, not indexed): `SHOT#<index>`; a
# technical cue's is `CUE#<type>`. tests/unit/test_findings.py derives both from the registry's rule.
SHOT_IDENTITY_PREFIX: Final = "SHOT#"


def _flags(tally: ResultTally) -> int:
    # Rekognition returns only moderation labels at or above the job's MinConfidence: each is a flag.
    return tally.detections


def _shots(tally: ResultTally) -> int:
    return sum(1 for identity in tally.entities if identity.startswith(SHOT_IDENTITY_PREFIX))


_COUNTERS: Mapping[str, Callable[[ResultTally], int]] = {
    Metric.MODERATION_FLAGS: _flags,
    Metric.SHOTS_FOUND: _shots,
}


def job_findings(analysis: str, tally: ResultTally) -> dict[str, int]:
    """The finding metrics of a job whose results were all stored: metric name -> count."""
    return {name: _COUNTERS[name](tally) for name in FINDINGS.get(analysis, ())}
