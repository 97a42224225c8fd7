"""The re-analysis command against moto: chosen analyses of chosen videos run again, bad input sends nothing."""

from __future__ import annotations

from video_pipeline.cli import reanalyse


def run(harness, *arguments):
    common = ["--jobs-table", harness.resources.jobs_table, "--uploads-queue-url", harness.resources.starter_queue_url]
    return reanalyse.main([*common, *arguments])


def test_the_command_re_runs_the_chosen_analyses_of_the_chosen_videos(harness, capsys):
    harness.upload("a.mp4")
    harness.run_until_idle()
    (video,) = harness.all_videos()
    assert run(harness, "--analyses", "faces", "--run", "after-attributes", video.video_id) == 0
    assert "after-attributes: re-analysing faces of s3://local-videos/a.mp4" in capsys.readouterr().out
    harness.run_until_idle()
    (after,) = harness.all_videos()
    assert after.jobs["faces"].job_id != video.jobs["faces"].job_id
    assert after.jobs["faces"].status.value == "SUCCEEDED"
    assert after.jobs["persons"].job_id == video.jobs["persons"].job_id


def test_an_unknown_video_gets_one_line_and_nothing_is_re_run(harness, capsys):
    harness.upload("a.mp4")
    harness.run_until_idle()
    (video,) = harness.all_videos()
    assert run(harness, "--analyses", "faces", video.video_id, "f" * 32) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "no such video (or it was deleted): " + "f" * 32 in error
    assert run(harness, "--analyses", "faces", "--run", "has space", video.video_id) == 2
    harness.run_until_idle()
    (after,) = harness.all_videos()
    assert after.jobs["faces"].job_id == video.jobs["faces"].job_id
