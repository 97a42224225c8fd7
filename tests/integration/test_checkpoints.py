"""Checkpoints of long, busy videos still fit in one DynamoDB item."""

from __future__ import annotations

import boto3
import pytest
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.models import Checkpoint
from video_pipeline.schema import job_sk, video_pk

pytestmark = pytest.mark.integration

# A busy 6-hour video: ~5 people entering each second, as tracks. As a plain list of strings the
# checkpoint would be ~590 KB, past the 400 KB DynamoDB allows an item.
TRACKS = 100_000


def test_a_checkpoint_with_tens_of_thousands_of_tracks_is_saved_and_read_back(harness):
    harness.fake.script(harness.resources.bucket, "busy.mp4", detections=10)
    harness.upload("busy.mp4")
    harness.run_starter()
    table = boto3.resource("dynamodb").Table(harness.resources.jobs_table)
    jobs = JobsStore(table)
    (video,) = harness.all_videos()
    record = jobs.get_job(video.video_id, "persons")
    assert record is not None and record.job_id is not None
    entities = tuple(sorted({str(track) for track in range(TRACKS)} | {"c1"}))
    checkpoint = Checkpoint(
        next_token="t" * 100,
        detections=2_000_000,
        pages=400,
        entities=entities,
        saved_at="2026-11-22T10:00:00.000Z",
        video_metadata=None,
        stream_state=None,
    )

    assert jobs.save_checkpoint(record, checkpoint)

    saved = jobs.get_job(video.video_id, "persons")
    assert saved is not None and saved.checkpoint is not None
    assert set(saved.checkpoint.entities) == set(entities)
    stored = table.get_item(Key={"pk": video_pk(video.video_id), "sk": job_sk("persons")})["Item"]["checkpoint"]
    assert stored["entity_runs"] == [[0, TRACKS - 1]]
    assert stored["entities"] == ["c1"]
