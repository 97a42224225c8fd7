"""`make local ARGS="--analyses ..."`: the chosen analyses run, and the report shows each one's results."""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from video_pipeline.analyses import DEFAULT_ANALYSES, REGISTRY
from video_pipeline.dal.repository import PipelineRepository

from in_process.environment import provision
from local import snapshot
from local.run import UserError, chosen_analyses
from tests.e2e.conftest import NEW_ANALYSES, run_local

RUN = ("persons", *NEW_ANALYSES)


def detection_counts(tables: Path) -> dict[tuple[str, str], int]:
    """(video key, analysis) -> detections, read back from the run's tables."""
    with mock_aws():
        resources = provision(prefix="reloaded")
        dynamodb = boto3.resource("dynamodb")
        jobs, detections = dynamodb.Table(resources.jobs_table), dynamodb.Table(resources.detections_table)
        snapshot.load(tables, jobs, detections)
        videos = PipelineRepository(jobs, detections).recent_videos().items
        return {(video.key, name): job.detection_count for video in videos for name, job in video.jobs.items()}


def section(html: str, video: str, analysis: str) -> str:
    """The HTML of one analysis' section in one video's part of the report."""
    part = html.split(f'<section class="video" data-video="{video}">', 1)[1].split("</section>", 1)[0]
    return part.split(f'data-analysis="{analysis}">', 1)[1].split('<div class="analysis"', 1)[0]


def test_the_chosen_analyses_run_on_every_video(analyses_run):
    assert analyses_run.returncode == 0, analyses_run.stderr
    out = analyses_run.stdout
    for video in ("edit.mp4", "walker.mp4"):
        for analysis in RUN:
            assert re.search(rf"^uploads/{video}\s+{analysis}\s+\S+\s+SUCCEEDED\s+\d+", out, re.M), out
    assert "2 videos, 10 jobs in" in out
    assert not re.search(r"^uploads/\S+\s+(faces|celebrities)\s", out, re.M)  # not chosen, not run
    counts = detection_counts(analyses_run.out / "tables.json")
    assert counts[("uploads/edit.mp4", "segments")] == 5  # four shots (one of them the black run) and one cue
    assert counts[("uploads/walker.mp4", "labels")] > 0
    assert counts[("uploads/edit.mp4", "text")] > 0


def test_each_analysis_that_ran_has_its_note_once(analyses_run):
    notes = [line for line in analyses_run.stdout.splitlines() if line.startswith("  note: ")]
    # Labels and label-based persons share StartLabelDetection and its note: said once, not once per analysis.
    assert [note.split(":")[1].strip() for note in notes] == ["labels", "moderation", "segments", "text"], notes
    assert "synthetic" in notes[1]


def test_the_report_shows_the_shot_list_with_timecodes_frames_and_stills(analyses_run):
    html = (analyses_run.out / "report.html").read_text()
    segments = section(html, "uploads/edit.mp4", "segments")
    shots = re.findall(r'<tr><td>(\d)</td><td><img class="still" src="data:image/jpeg;base64,[^"]+"', segments)
    assert shots == ["0", "1", "2", "3"], segments[:2000]
    # Rendered at 25 fps: cuts at frames 30, 60 (into black) and 68 (out of it).
    for cells in (("00:00:00:00", "0 to 29"), ("00:00:01:05", "30 to 59"), ("00:00:02:18", "68 to 97")):
        assert re.search(rf">{cells[0]}</span></td><td>.*?</td><td>{cells[1]}</td>", segments), cells
    assert re.search(r"<td>BlackFrames</td>.*?<td>60 to 67</td><td>00:00:00:07 \(0\.28 s, 8 frames\)", segments)
    assert segments.count('class="mark shot-') == 4 and segments.count('class="mark cue"') == 1


def test_the_report_shows_the_text_read_and_its_frames(analyses_run):
    html = (analyses_run.out / "report.html").read_text()
    text = section(html, "uploads/edit.mp4", "text")
    lines = re.findall(r'<td>([\d.]+) s</td><td><span class="text-line">([^<]+)</span>', text)
    assert ("0.00", "BREAKING NEWS") in lines and any(line == "OPEN 24 HOURS" for _, line in lines), lines
    assert all(second.endswith(".00") for second, _ in lines)  # read once a second
    frames = re.findall(r"<figcaption>([\d.]+) s · (\d+) lines?</figcaption>", text)
    assert frames and all(count == "1" for _, count in frames), frames
    assert section(html, "uploads/walker.mp4", "text").count("No detections.") == 1


def test_the_report_shows_labels_and_moderation_flags(analyses_run):
    html = (analyses_run.out / "report.html").read_text()
    counts = detection_counts(analyses_run.out / "tables.json")
    labels = section(html, "uploads/walker.mp4", "labels")
    person = re.search(r"<tr><td>Person</td><td>(\d+)</td>", labels)
    assert person and int(person.group(1)) == counts[("uploads/walker.mp4", "labels")]
    assert 'aria-label="Person timeline"' in labels and "1 label</figcaption>" in labels
    moderation = section(html, "uploads/walker.mp4", "moderation")
    assert '<p class="note stated">moderation: synthetic labels' in moderation
    flags = moderation.split('<table class="flags">', 1)[1].split("</table>", 1)[0]
    assert flags.count("<tr>") - 1 == counts[("uploads/walker.mp4", "moderation")]
    assert re.search(r"<td>[\d.]+ s</td><td>[^<]+</td><td>[^<]+</td><td>[123]</td><td>\d+\.\d%</td>", flags)
    # The summary table's row for moderation says the results are synthetic, linking to the section.
    assert re.search(r'<tr data-row="moderation">.*?<a href="#moderation">moderation: synthetic', html)


def test_an_unknown_analysis_is_one_line_and_exit_status_2(tmp_path):
    completed = run_local("--analyses", "faces,shots", "--out", str(tmp_path / "out"), timeout=120)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --analyses 'faces,shots': unknown analysis 'shots'")
    assert "segments" in lines[0] and "all" in lines[0], lines
    assert "generating" not in completed.stdout and not (tmp_path / "out" / "tables.json").exists()


def test_analyses_are_named_or_all():
    assert chosen_analyses("all") == tuple(name for name in REGISTRY if name != "face_search")
    assert {"labels", "moderation", "text", "segments"} <= set(chosen_analyses("all"))
    assert chosen_analyses(" text, segments ,text") == ("text", "segments")
    assert chosen_analyses(",".join(DEFAULT_ANALYSES)) == DEFAULT_ANALYSES
    for wrong in ("", ",,", "everything", "faces,Faces"):
        with pytest.raises(UserError, match=r"^--analyses "):
            chosen_analyses(wrong)


def test_all_leaves_out_analyses_that_need_more_than_a_video(monkeypatch):
    # Face search needs a collection of indexed faces, which the local run does not create.
    monkeypatch.setattr("local.run.REGISTRY", {**REGISTRY, "face_search": REGISTRY["faces"]})
    assert "face_search" not in chosen_analyses("all") and "segments" in chosen_analyses("all")
