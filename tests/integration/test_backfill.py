"""The backfill command against moto: existing objects go through the uploads queue, once, resumably."""

from __future__ import annotations

import boto3
from video_pipeline.cli import backfill

from in_process.harness import sample_video_bytes

START_OPERATIONS = {"StartFaceDetection", "StartCelebrityRecognition", "StartLabelDetection"}


def existing(harness, *keys):
    """Objects that were in the bucket before the pipeline: their upload events never reached it."""
    s3 = boto3.client("s3")
    for key in keys:
        s3.put_object(Bucket=harness.resources.bucket, Key=key, Body=sample_video_bytes())
    boto3.client("sqs").purge_queue(QueueUrl=harness.resources.starter_queue_url)


def run(harness, tmp_path, *extra):
    arguments = [
        "--bucket",
        harness.resources.bucket,
        "--jobs-table",
        harness.resources.jobs_table,
        "--uploads-queue-url",
        harness.resources.starter_queue_url,
        "--state",
        str(tmp_path / "state.json"),
        *extra,
    ]
    return backfill.main(arguments)


def starts(harness):
    return len([name for name, _params in harness.fake.calls if name in START_OPERATIONS])


def test_a_backfill_analyses_the_chosen_existing_videos_and_a_second_run_starts_nothing(harness, tmp_path, capsys):
    harness.upload("library/known.mp4")
    harness.run_until_idle()
    existing(harness, "library/a.mp4", "library/b b.mov", "library/notes.txt", "elsewhere/c.mp4")
    before = starts(harness)
    assert run(harness, tmp_path, "--prefix", "library/") == 0
    assert "2 videos sent to the uploads queue; finished" in capsys.readouterr().out
    harness.run_until_idle()
    keys = {video.key: {job.status.value for job in video.jobs.values()} for video in harness.all_videos()}
    assert keys == {key: {"SUCCEEDED"} for key in ("library/known.mp4", "library/a.mp4", "library/b b.mov")}
    assert starts(harness) == before + 2 * 3

    assert run(harness, tmp_path, "--prefix", "library/", "--restart") == 0
    assert "0 videos sent" in capsys.readouterr().out
    harness.run_until_idle()
    assert starts(harness) == before + 2 * 3


def test_a_stopped_backfill_resumes_where_it_stopped(harness, tmp_path, capsys):
    existing(harness, "a.mp4", "b.mp4", "c.mp4")
    assert run(harness, tmp_path, "--limit", "2") == 0
    assert "stopped after b.mp4; run again to go on" in capsys.readouterr().out
    assert run(harness, tmp_path) == 0
    out = capsys.readouterr().out
    assert "resuming after b.mp4" in out and "1 videos sent to the uploads queue; finished" in out
    harness.run_until_idle()
    assert sorted(video.key for video in harness.all_videos()) == ["a.mp4", "b.mp4", "c.mp4"]


def test_a_dry_run_prices_what_would_start_and_sends_nothing(harness, tmp_path, capsys):
    existing(harness, "a.mp4", "b.mp4")
    assert run(harness, tmp_path, "--dry-run") == 0
    out = capsys.readouterr().out
    # The sample's movie header says 10 minutes; three analyses at $0.10 a minute.
    assert "would start: s3://local-videos/a.mp4 (10.00 min)" in out
    assert "dry run: 2 videos, 20.00 minutes x 3 analyses: about $6.00 of Rekognition" in out
    harness.run_until_idle()
    assert harness.all_videos() == [] and starts(harness) == 0


def test_a_manifest_replaces_the_listing(harness, tmp_path, capsys):
    existing(harness, "listed/a.mp4", "listed/not in manifest.mp4")
    versions = boto3.client("s3").list_object_versions(Bucket=harness.resources.bucket, Prefix="listed/a.mp4")
    version = versions["Versions"][0]["VersionId"]
    manifest = tmp_path / "manifest.csv"
    bucket = harness.resources.bucket
    manifest.write_text(f"{bucket},listed/a.mp4,{version}\n{bucket},listed/gone.mp4,\n", encoding="utf-8")
    assert run(harness, tmp_path, "--manifest", str(manifest)) == 0
    assert "1 videos sent" in capsys.readouterr().out
    harness.run_until_idle()
    assert [video.key for video in harness.all_videos()] == ["listed/a.mp4"]


def test_bad_input_gets_one_line_and_sends_nothing(harness, tmp_path, capsys):
    existing(harness, "a.mp4")
    bad = tmp_path / "bad.csv"
    bad.write_text("only-one-column\n", encoding="utf-8")
    assert run(harness, tmp_path, "--manifest", str(bad)) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    assert run(harness, tmp_path, "--analyses", "facez") == 2
    assert "unknown analysis 'facez'" in capsys.readouterr().err
    harness.run_until_idle()
    assert harness.all_videos() == []
