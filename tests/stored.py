"""What the collector must store for a finished job, whatever the paging or re-deliveries."""

from __future__ import annotations

from typing import Any

from video_pipeline.analyses import LABELS_ENGINE
from video_pipeline.logic.result_streams import PersonsFromLabels


def expected_detections(fake: Any, job: Any) -> list[dict[str, Any]]:
    """The Get* results as Rekognition returns them; for the labels engine, the person tracks derived
    from the whole result list in one pass, in stored (timestamp) order."""
    elements = fake.results(job.job_id)
    if job.engine != LABELS_ENGINE:
        return elements
    stream = PersonsFromLabels()
    derived = [dict(element) for element in (*stream.feed(elements), *stream.finish())]
    return sorted(derived, key=lambda element: element["Timestamp"])
