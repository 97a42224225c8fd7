"""`make local` on the generated sample: what it prints, what lands in DynamoDB, what the report holds."""

from __future__ import annotations

import re

import boto3
import pytest
from moto import mock_aws
from video_pipeline.dal.repository import PipelineRepository
from video_pipeline.models import JobStatus

from emulator.vision.sample_clip import ClipSpec, render
from local import snapshot
from local.environment import provision
from tests.e2e.conftest import run_local


def test_the_run_succeeds_and_prints_a_summary(local_run):
    assert local_run.returncode == 0, local_run.stderr
    out = local_run.stdout
    assert "Traceback" not in local_run.stderr
    for analysis in ("faces", "persons", "celebrities"):
        assert re.search(rf"samples/sample\.mp4\s+{analysis}\s+(native|labels)\s+SUCCEEDED\s+\d+", out), out
    # Progress was shown; person tracking runs on the default `labels` engine (StartLabelDetection).
    assert re.search(r"StartLabelDetection .*100% SUCCEEDED", out)
    assert "1 video(s), 3 job(s)" in out
    assert "no offline model" in out  # celebrities say why they are empty
    assert str(local_run.out / "report.html") in out and str(local_run.out / "tables.json") in out


def test_the_tables_snapshot_holds_the_analysed_results(local_run):
    assert local_run.returncode == 0, local_run.stderr
    with mock_aws():
        resources = provision(prefix="reloaded")
        dynamodb = boto3.resource("dynamodb")
        jobs, detections = dynamodb.Table(resources.jobs_table), dynamodb.Table(resources.detections_table)
        counts = snapshot.load(local_run.out / "tables.json", jobs, detections)
        repository = PipelineRepository(jobs, detections)
        [video] = repository.recent_videos().items
        assert counts.jobs == 5  # META, three JOB items and the ledger of quota slots
        assert video.key == "samples/sample.mp4"
        assert {name: job.status for name, job in video.jobs.items()} == dict.fromkeys(
            ("faces", "persons", "celebrities"), JobStatus.SUCCEEDED
        )
        faces = repository.detections(video.video_id, "faces").items
        persons = video.jobs["persons"]
        assert len(faces) == video.jobs["faces"].detection_count >= 20
        assert persons.entity_count == 2  # the sample's two walkers, one track each
        track = repository.person_track(video.video_id, 0).items
        assert len(track) >= 15
        assert video.jobs["faces"].video_metadata["Codec"] == "h264"
        assert counts.detections == len(faces) + persons.detection_count


def test_the_report_is_self_contained_and_matches_the_tables(local_run):
    html = (local_run.out / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)  # nothing to fetch
    assert html.count('src="data:image/jpeg;base64,') == 6  # three annotated frames for faces and persons
    assert 'data-analysis="persons"' in html and "person 1" in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.mp4", None, "no such file"),
        ("notes.mp4", b"these are notes, not a video", "not a readable video"),
        ("notes.txt", b"plain text", "analyses .mp4, .mov, .m4v files"),
        ("mpeg4.mp4", "mpeg4", "codec mpeg4 is not supported"),
    ],
)
def test_user_mistakes_get_one_clear_line_and_a_failure_status(tmp_path, name, content, message):
    path = tmp_path / name
    if content == "mpeg4":
        render(path, ClipSpec(seconds=0.5), codec="mpeg4")
    elif content is not None:
        path.write_bytes(content)
    completed = run_local(str(path), "--out", str(tmp_path / "out"), timeout=120)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], completed.stderr
    assert not (tmp_path / "out" / "tables.json").exists()
