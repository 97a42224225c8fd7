"""Data for the local dashboard: tables filled by running the real pipeline on sample uploads.

The samples cover every state a dashboard must show: finished videos with faces, celebrities and
person tracks, a video without any detection, a failed analysis, an upload rejected before
Rekognition saw it, and a video whose jobs are still running. `DataSource` is the seam for other
ways of filling the tables; `from_snapshot` fills them with a previous `make local` run's tables.json.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from video_pipeline.analyses import PERSONS_FROM_LABELS

from in_process.harness import PipelineHarness, sample_video_bytes
from local import snapshot

DataSource = Callable[[PipelineHarness], None]


@dataclass(frozen=True, slots=True)
class Sample:
    key: str
    detections: int = 60
    failing_api: str | None = None  # a Start* operation whose job ends FAILED
    empty: bool = False  # rejected by the starter: EmptyObject


FINISHED_SAMPLES: tuple[Sample, ...] = (
    Sample("samples/red-carpet.mp4", detections=90),
    Sample("samples/press-conference.mp4", detections=120),
    Sample("samples/empty-room.mp4", detections=0),
    Sample("samples/damaged-tracking.mp4", detections=40, failing_api=PERSONS_FROM_LABELS.start_operation),
    Sample("samples/zero-bytes.mp4", empty=True),
    Sample("samples/city-walk.mp4", detections=150),
)
RUNNING_SAMPLE = Sample("samples/still-processing.mp4")


def run_samples(harness: PipelineHarness) -> None:
    """Upload the samples and run the pipeline; the last upload's jobs are left running."""
    bucket = harness.resources.bucket
    for sample in FINISHED_SAMPLES:
        harness.fake.script(bucket, sample.key, detections=sample.detections)
        if sample.failing_api:
            harness.fake.script(bucket, sample.key, sample.failing_api, status="FAILED")
        harness.upload(sample.key, b"" if sample.empty else sample_video_bytes())
        harness.run_until_idle()
    harness.upload(RUNNING_SAMPLE.key)
    harness.run_starter()


def from_snapshot(path: Path) -> DataSource:
    """The tables exactly as a `make local` run left them (its tables.json)."""

    def load(harness: PipelineHarness) -> None:
        snapshot.load(path, *harness.tables())

    return load
