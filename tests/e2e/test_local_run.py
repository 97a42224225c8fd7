"""`make local` on the generated sample: what it prints, what lands in DynamoDB, what the report holds."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import requests
from moto import mock_aws
from video_pipeline.dal.repository import PipelineRepository
from video_pipeline.models import JobStatus

from emulator.vision.sample_clip import DEFAULT_CLIP, ClipSpec, render, truncated
from in_process.environment import provision
from in_process.lambda_runtime import FakeLambdaContext
from local import snapshot
from local.http_api import http_api_event
from local.run import make_arguments
from tests.e2e.conftest import ROOT, LocalRun, run_local


def test_the_run_succeeds_and_prints_a_summary(local_run):
    assert local_run.returncode == 0, local_run.stderr
    out = local_run.stdout
    assert "Traceback" not in local_run.stderr
    # The engine column names an engine only where an analysis has a choice of them (persons).
    for analysis, engine in (("faces", "-"), ("persons", "labels"), ("celebrities", "-")):
        assert re.search(rf"samples/sample\.mp4\s+{analysis}\s+{engine}\s+SUCCEEDED\s+\d+", out), out
    # Progress was shown; person tracking runs on the default `labels` engine (StartLabelDetection).
    assert re.search(r"StartLabelDetection .*100% SUCCEEDED", out)
    assert "1 video, 3 jobs in" in out
    assert "(3 jobs, " in out  # the tables' job count, not their items (META, ledger)
    assert "no offline model" in out  # celebrities say why they are empty
    # Notes only for the analyses that ran: none for moderation, text or segments, which were not enabled.
    notes = [line for line in out.splitlines() if line.startswith("  note: ")]
    assert len(notes) == 3 and not any(word in " ".join(notes) for word in ("moderation", "RapidOCR", "shots cut"))
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
        # META, three JOB items, the ledger of quota slots, and the daily budget's: today's usage, three charges.
        assert counts.jobs == 9
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
        # Every detection came back: the packed items reloaded (the snapshot counts items, not detections).
        assert len(repository.detections(video.video_id, "persons").items) == persons.detection_count
        assert counts.detections == len(detections.scan()["Items"]) > 0


def test_the_report_is_self_contained_and_matches_the_tables(local_run):
    html = (local_run.out / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)  # nothing to fetch
    assert html.count('src="data:image/jpeg;base64,') == 6  # three annotated frames for faces and persons
    assert 'data-analysis="persons"' in html and "person 1" in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.mp4", None, "no such file"),
        ("empty.mp4", b"", "the file is empty (0 bytes)"),
        ("notes.txt", b"plain text", "analyses .mp4, .mov, .m4v files"),
    ],
)
def test_user_mistakes_get_one_clear_line_and_a_failure_status(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    completed = run_local(str(path), "--out", str(tmp_path / "out"), timeout=120)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], completed.stderr
    assert not (tmp_path / "out" / "tables.json").exists()


def test_videos_rekognition_cannot_analyse_end_as_failed_jobs_with_the_reason(tmp_path):
    """A codec the service refuses, a cut-off file and a non-video are uploaded like any video: their
    jobs end FAILED with the reason (as in AWS, the Start* call itself succeeds), the good video
    beside them succeeds, the outputs are written, and the run says what failed and exits 1."""
    mpeg4, cut, notes, whole = (tmp_path / name for name in ("mpeg4.mp4", "cut.mp4", "notes.mp4", "whole.mp4"))
    render(mpeg4, ClipSpec(seconds=0.5), codec="mpeg4")
    render(whole, ClipSpec(seconds=2))
    truncated(whole, cut)
    notes.write_bytes(b"these are notes, not a video")
    out = tmp_path / "out"
    completed = run_local(*(str(path) for path in (mpeg4, cut, notes, whole)), "--out", str(out), timeout=300)
    assert completed.returncode == 1, completed.stderr
    failed = [line for line in completed.stderr.splitlines() if line.startswith("failed: ")]
    assert sorted(failed) == [
        "failed: uploads/cut.mp4: celebrities, faces, persons FAILED: the video stream cannot be decoded"
        " (Invalid data found when processing input)",
        "failed: uploads/mpeg4.mp4: celebrities, faces, persons FAILED: Unsupported codec/format.",
        "failed: uploads/notes.mp4: celebrities, faces, persons FAILED: the object is not an MP4 or MOV"
        " container; Rekognition Video accepts H.264 in MP4/MOV",
    ], completed.stderr
    rows = re.findall(r"^uploads/(\S+)\s+\w+\s+\S+\s+(SUCCEEDED|FAILED)\b", completed.stdout, re.M)
    assert sorted(set(rows)) == [
        ("cut.mp4", "FAILED"),
        ("mpeg4.mp4", "FAILED"),
        ("notes.mp4", "FAILED"),
        ("whole.mp4", "SUCCEEDED"),
    ], completed.stdout
    report = (out / "report.html").read_text()
    assert "Unsupported codec/format." in report and 'class="status-FAILED"' in report
    assert (out / "tables.json").exists()


@pytest.fixture(scope="module")
def two_clips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two different short clips with the same file name, in two folders (one with a space in its name)."""
    root = tmp_path_factory.mktemp("inputs")
    first, second = root / "day one" / "clip.mp4", root / "day two" / "clip.mp4"
    render(first, ClipSpec(seconds=1.5, actors=DEFAULT_CLIP.actors[:1]))
    render(second, ClipSpec(seconds=2.0))
    return first, second


@pytest.fixture(scope="module")
def two_video_run(two_clips: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> LocalRun:
    out = tmp_path_factory.mktemp("two-videos")
    completed = run_local(*(str(path) for path in two_clips), "--out", str(out))
    return LocalRun(out, completed.stdout, completed.stderr, completed.returncode)


def test_files_with_the_same_name_are_both_analysed(two_video_run):
    assert two_video_run.returncode == 0, two_video_run.stderr
    out = two_video_run.stdout
    assert "2 videos, 6 jobs in" in out
    assert "uploads/clip.mp4" in out and "uploads/2/clip.mp4" in out
    with mock_aws():
        resources = provision(prefix="reloaded")
        dynamodb = boto3.resource("dynamodb")
        jobs, detections = dynamodb.Table(resources.jobs_table), dynamodb.Table(resources.detections_table)
        snapshot.load(two_video_run.out / "tables.json", jobs, detections)
        videos = PipelineRepository(jobs, detections).recent_videos().items
        durations = {video.key: video.jobs["faces"].video_metadata["DurationMillis"] for video in videos}
    assert durations == {"uploads/clip.mp4": 1500, "uploads/2/clip.mp4": 2000}


def test_the_celebrity_note_is_said_once_per_run(two_video_run):
    said = (two_video_run.stdout + two_video_run.stderr).count("celebrities: no offline model")
    assert said == 1, two_video_run.stdout + two_video_run.stderr


def test_each_job_shows_its_own_time_and_progress_estimates_what_is_left(two_video_run):
    rows = re.findall(
        r"^uploads/\S*clip\.mp4\s+\w+\s+\S+\s+SUCCEEDED\s+\d+\s+\d+\s+([\d.]+)s", two_video_run.stdout, re.M
    )
    total = float(re.search(r"6 jobs in ([\d.]+) s", two_video_run.stdout).group(1))
    assert len(rows) == 6 and all(float(seconds) < total for seconds in rows), two_video_run.stdout
    assert "job time" in two_video_run.stdout


def test_an_output_path_that_cannot_be_created_fails_before_any_analysis(tmp_path, two_clips):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    completed = run_local(str(two_clips[0]), "--out", str(blocker / "out"), timeout=120)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: --out {blocker / 'out'}: cannot write there"), lines
    assert "analysing" not in completed.stdout and "Traceback" not in completed.stderr


def test_a_missing_model_file_is_one_line_naming_the_install_command(tmp_path, two_clips, monkeypatch):
    monkeypatch.setenv("EMULATOR_MODELS_DIR", str(tmp_path / "no-models"))
    completed = run_local(str(two_clips[0]), "--out", str(tmp_path / "out"), timeout=120)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "python -m emulator.vision.models" in lines[0], completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_gallery_picture_without_a_face_is_refused_with_one_line(tmp_path, two_clips):
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    (gallery / "Blank Wall.png").write_bytes(_blank_png())
    completed = run_local(str(two_clips[0]), "--celebrity-gallery", str(gallery), "--out", str(tmp_path / "o"))
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Blank Wall.png shows no face" in lines[0], completed.stderr


def _blank_png() -> bytes:
    import cv2
    import numpy as np

    ok, encoded = cv2.imencode(".png", np.full((120, 120, 3), 200, dtype=np.uint8))
    assert ok
    return encoded.tobytes()


def test_make_hands_file_names_with_spaces_to_the_run(two_clips, tmp_path):
    first = two_clips[0]
    recipe = (
        subprocess.run(
            ["make", "-n", "local", f"ARGS={first} --out {tmp_path / 'o'}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assignment = shlex.split(recipe)[0]
    assert assignment.startswith("LOCAL_RUN_ARGS=")
    assert make_arguments(assignment.removeprefix("LOCAL_RUN_ARGS=")) == [str(first), "--out", str(tmp_path / "o")]
    # Quoted, escaped, or as it is: the same one name.
    assert make_arguments(f"'{first}'") == make_arguments(shlex.quote(str(first))) == [str(first)]


def test_the_run_takes_its_arguments_from_make(two_clips, tmp_path):
    first = two_clips[0]
    completed = subprocess.run(
        [sys.executable, "-m", "local.run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "LOCAL_RUN_ARGS": f"{first} --out {tmp_path / 'o'}"},
    )
    assert completed.returncode == 0, completed.stderr
    assert "1 video, 3 jobs in" in completed.stdout


def test_the_dashboard_shows_the_local_runs_own_results(local_run, tmp_path):
    from local.dashboard import choose_source, local_dashboard, serving, videos_of_run
    from local.dashboard_data import run_samples

    source, origin = choose_source(local_run.out / "tables.json")
    assert "your results" in origin
    with local_dashboard(source, videos_of_run(local_run.out / "tables.json")) as dashboard:
        [video] = dashboard.harness.repository.recent_videos().items
        # The shot thumbnails' video is the file the run analysed, served by the dashboard itself.
        event = http_api_event("GET", f"/videos/{video.video_id}/media", "", {}, b"")
        link = json.loads(dashboard.app.handler(event, FakeLambdaContext())["body"])["url"]
        with serving(dashboard.app) as url:
            served = requests.get(f"{url}{link}", headers={"Range": "bytes=0-"}, timeout=30)
    assert video.key == "samples/sample.mp4"
    assert served.status_code == 206 and served.content == (local_run.out / "sample.mp4").read_bytes()
    # Only without results: sample data, said to be samples.
    source, origin = choose_source(tmp_path / "no-run" / "tables.json")
    assert source is run_samples and origin.startswith("SAMPLE DATA")


def test_report_counts_use_the_right_plural_forms(local_run):
    html = (local_run.out / "report.html").read_text()
    captions = re.findall(r"<figcaption>[\d.]+ s · (\d+) (\w+)</figcaption>", html)
    assert len(captions) == 6
    for count, noun in captions:
        assert noun in ({"face", "person"} if count == "1" else {"faces", "people"}), captions
    assert "1 video ·" in html and "video(s)" not in html


@pytest.mark.parametrize("width", [640, 1920, 3840])
def test_box_captions_are_legible_on_any_frame_size(width):
    import numpy as np

    from local.report_frames import _caption

    height = width * 9 // 16
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    _caption(canvas, "person 12", width // 3, height // 2, (80, 200, 255))
    rows = np.flatnonzero(canvas.any(axis=(1, 2)))
    columns = np.flatnonzero(canvas.any(axis=(0, 2)))
    # The caption's box is at least 2.5% of the frame tall, whatever its resolution, and wholly on it.
    assert rows.size and (rows[-1] - rows[0] + 1) >= 0.025 * height
    assert columns[-1] < width and rows[0] >= 0


def test_frames_of_hd_videos_are_kept_at_full_size(tmp_path):
    import base64

    import cv2
    import numpy as np

    from local.report_frames import annotated_frames

    path = tmp_path / "hd.mp4"
    render(path, ClipSpec(width=1920, height=1080, seconds=0.5))
    box = {"Left": 0.98, "Top": 0.01, "Width": 0.02, "Height": 0.05}
    [uri] = annotated_frames(path, "faces", {0: [{"Face": {"BoundingBox": box, "Confidence": 99}}]}).values()
    image = cv2.imdecode(np.frombuffer(base64.b64decode(uri.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[:2] == (1080, 1920)


def test_progress_lines_estimate_the_time_each_video_still_needs():
    import io

    from emulator.jobs import JobProgress
    from emulator.jobs import JobStatus as EmulatorStatus
    from local.run import ProgressPrinter

    now = [100.0]
    out = io.StringIO()
    printer = ProgressPrinter(out, clock=lambda: now[0])
    running = EmulatorStatus.IN_PROGRESS
    printer([JobProgress("a", "StartFaceDetection", "uploads/a.mp4", running, 0.1)])
    now[0] = 110.0  # a quarter done in the 10 s since the job began: 30 s to go at that pace
    printer([JobProgress("a", "StartFaceDetection", "uploads/a.mp4", running, 0.25)])
    now[0] = 120.0  # four fifths done in 20 s: 5 s to go
    printer([JobProgress("a", "StartFaceDetection", "uploads/a.mp4", running, 0.8)])
    lines = out.getvalue().splitlines()
    assert lines[-2].endswith("~30 s left") and lines[-1].endswith("~5 s left"), lines
    assert "left" not in lines[0]  # no pace yet
