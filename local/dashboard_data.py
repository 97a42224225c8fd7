"""Data for the local dashboard: tables filled by running the real pipeline on sample uploads.

The samples cover every state a dashboard must show: finished videos with faces, celebrities and
person tracks, a video without any detection, a failed analysis, an upload rejected before
Rekognition saw it, and a video whose jobs are still running. One more video is analysed by the
other analyses as well (labels, moderation, text, shots and technical cues: `EVERY_ANALYSIS_SAMPLE`),
by a starter redeployed with them enabled, so the dashboard's panels for them have data.
`DataSource` is the seam for other ways of filling the tables; `from_snapshot` fills them with a
previous `make local` run's tables.json.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from video_pipeline.analyses import DEFAULT_ANALYSES, LABELS, MODERATION, PERSONS_FROM_LABELS, SEGMENTS, TEXT
from video_pipeline.composition import Clients

from in_process.functions import starter_function
from in_process.harness import PipelineHarness, sample_video_bytes
from local import snapshot
from local.sample_media import scenes_video_bytes

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
# The sample analysed by every analysis the dashboard has a panel for, and how many results each
# Start* operation gives it: a dozen shots make a shot list one can read.
EVERY_ANALYSIS_SAMPLE = Sample("samples/newsroom.mp4", detections=60)
EVERY_ANALYSIS: tuple[str, ...] = (*DEFAULT_ANALYSES, LABELS.name, MODERATION.name, TEXT.name, SEGMENTS.name)
DETECTIONS_BY_OPERATION: dict[str, int] = {
    LABELS.start_operation: 40,
    MODERATION.start_operation: 12,
    TEXT.start_operation: 20,
    SEGMENTS.start_operation: 12,
}


def run_samples(harness: PipelineHarness) -> None:
    """Upload the samples and run the pipeline; the last upload's jobs are left running."""
    bucket = harness.resources.bucket
    for sample in FINISHED_SAMPLES:
        harness.fake.script(bucket, sample.key, detections=sample.detections)
        if sample.failing_api:
            harness.fake.script(bucket, sample.key, sample.failing_api, status="FAILED")
        harness.upload(sample.key, b"" if sample.empty else sample_video_bytes())
        harness.run_until_idle()
    _run_every_analysis(harness)
    harness.upload(RUNNING_SAMPLE.key)
    harness.run_starter()


def _run_every_analysis(harness: PipelineHarness) -> None:
    """The every-analysis sample, through a starter with every analysis enabled; then the usual starter again."""
    usual = harness.starter
    bucket, sample = harness.resources.bucket, EVERY_ANALYSIS_SAMPLE
    harness.fake.script(bucket, sample.key, detections=sample.detections)
    for operation, count in DETECTIONS_BY_OPERATION.items():
        harness.fake.script(bucket, sample.key, operation, detections=count)
    environment = harness.resources.environment(analyses=EVERY_ANALYSIS)
    harness.redeploy_starter(starter_function(environment, Clients.new()))
    # Real frames, drawn: the shot list's thumbnails are taken from them.
    harness.upload(sample.key, scenes_video_bytes())
    harness.run_until_idle()
    harness.redeploy_starter(usual)


def from_snapshot(path: Path) -> DataSource:
    """The tables exactly as a `make local` run left them (its tables.json)."""

    def load(harness: PipelineHarness) -> None:
        snapshot.load(path, *harness.tables())

    return load
