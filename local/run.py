"""`make local`: the whole pipeline on this machine, with real video analysis, no AWS account needed.

moto's server stands in for S3, SQS, SNS and DynamoDB and the project's Rekognition Video emulator
for Rekognition, both as HTTP endpoints; the handlers are the Lambda code itself, reaching them
through boto3's endpoint variables. The emulator decodes each video and looks at it (OpenCV).

    python -m local.run                 # a generated sample video with known faces and people
    python -m local.run my.mp4 b.mov    # your own H.264 MP4/MOV files
    make local ARGS="my video.mp4"      # `make` hands ARGS over in the environment (LOCAL_RUN_ARGS), so
                                        # names with spaces survive: quote them, or give them as they are
    python -m local.run --person-engine native   # person tracking on StartPersonTracking (an account
                                                 # that still has People Pathing), not label detection
    python -m local.run --analyses faces,text,segments   # the analyses to run (`all`: every one);
                                                         # default faces, celebrities and persons
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shlex
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from video_pipeline.analyses import (
    DEFAULT_ANALYSES,
    DEFAULT_PERSON_ENGINE,
    NATIVE_ENGINE,
    PERSON_ENGINES,
    REGISTRY,
    parse_analysis_list,
)

from emulator.jobs import JobProgress, JobStatus

DEFAULT_OUTPUT = Path("build/local-run")
DEFAULT_SAMPLE_EVERY_MS = 200
_VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v")
# `make local` passes ARGS in this variable rather than on the command line, where make's recipe
# would split a file name with spaces into several arguments.
_MAKE_ARGS = "LOCAL_RUN_ARGS"
EVERY_ANALYSIS = "all"
# Analyses that need more than a video to run (face search: a collection of indexed faces, which a
# local run does not create); `all` leaves them out, naming one still starts it.
_NEEDS_SETUP = frozenset({"face_search"})


class UserError(Exception):
    """A mistake in what the user asked for: reported as one line, exit status 2."""


@dataclass(frozen=True, slots=True)
class Input:
    path: Path
    key: str


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local.run", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("videos", nargs="*", type=Path, help="H.264 MP4/MOV files (default: a generated sample)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUTPUT, help=f"output directory (default {DEFAULT_OUTPUT})")
    parser.add_argument(
        "--sample-every-ms", type=int, default=DEFAULT_SAMPLE_EVERY_MS, help="analyse one frame per this many ms"
    )
    parser.add_argument("--celebrity-gallery", type=Path, help="directory of pictures named after known people")
    parser.add_argument("--workers", type=int, default=2, help="analysis jobs run at once")
    parser.add_argument(
        "--person-engine",
        choices=PERSON_ENGINES,
        default=DEFAULT_PERSON_ENGINE,
        help="person tracking engine; the emulator offers People Pathing only to the native engine",
    )
    parser.add_argument(
        "--analyses",
        default=",".join(DEFAULT_ANALYSES),
        help=f"comma-separated analyses to run, or `{EVERY_ANALYSIS}` (known: {', '.join(REGISTRY)}; "
        f"default {','.join(DEFAULT_ANALYSES)})",
    )
    return parser.parse_args(argv)


def chosen_analyses(value: str) -> tuple[str, ...]:
    """The analyses `--analyses` names: `all` for every one a video alone can run, or a list of names."""
    if value.strip() == EVERY_ANALYSIS:
        return tuple(name for name in REGISTRY if name not in _NEEDS_SETUP)
    try:
        return parse_analysis_list(value)
    except ValueError as error:
        raise UserError(f"--analyses {value!r}: {error}, or {EVERY_ANALYSIS} for every one") from None


def make_arguments(value: str) -> list[str]:
    """The arguments `make local ARGS=...` meant: shell quoting honoured, and words that only name an
    existing file together (`ARGS="my video.mp4"`) joined back into that one name."""
    try:
        words = shlex.split(value)
    except ValueError:
        words = value.split()  # an apostrophe in a name (`ARGS="Ada's clip.mp4"`) is no shell quote
    arguments: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        joined = next(
            (
                end
                for end in range(len(words), index + 1, -1)
                if not word.startswith("-") and not Path(word).exists() and Path(" ".join(words[index:end])).exists()
            ),
            None,
        )
        if joined is None:
            arguments.append(word)
            index += 1
        else:
            arguments.append(" ".join(words[index:joined]))
            index = joined
    return arguments


def check_video(path: Path) -> None:
    """Refuse, with a reason, what is no video file at all: nothing to upload, or a name the pipeline
    ignores. A file that only looks wrong inside (its codec, a cut-off end, not a video at all) is
    uploaded like any other and its jobs fail as they would in AWS, so the run shows that path too."""
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if not path.is_file():
        raise UserError(f"{path}: not a file")
    if path.suffix.lower() not in _VIDEO_SUFFIXES:
        raise UserError(f"{path}: the pipeline analyses {', '.join(_VIDEO_SUFFIXES)} files")
    if path.stat().st_size == 0:
        raise UserError(f"{path}: the file is empty (0 bytes)")


def prepare_output(out: Path) -> None:
    """Create the output directory now, so a path that cannot be written fails before any analysis."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe_file = out / ".write-check"
        probe_file.write_bytes(b"")
        probe_file.unlink()
    except OSError as error:
        raise UserError(f"--out {out}: cannot write there ({error.strerror or error})") from None


def upload_keys(paths: list[Path]) -> list[str]:
    """One S3 key per input: files that share a name get a numbered folder instead of overwriting."""
    keys: list[str] = []
    seen: set[str] = set()
    for path in paths:
        key = f"uploads/{path.name}"
        copy = 2
        while key in seen:
            key = f"uploads/{copy}/{path.name}"
            copy += 1
        seen.add(key)
        keys.append(key)
    return keys


def _inputs(options: argparse.Namespace) -> list[Input]:
    if options.sample_every_ms <= 0 or options.workers <= 0:
        raise UserError("--sample-every-ms and --workers must be positive")
    prepare_output(options.out)
    if options.celebrity_gallery is not None and not options.celebrity_gallery.is_dir():
        raise UserError(f"{options.celebrity_gallery}: the celebrity gallery must be a directory of pictures")
    if not options.videos:
        from emulator.vision.sample_clip import render_sample

        print("generating the sample video (drawn faces and people, H.264)...", flush=True)
        path, _truth = render_sample(options.out)
        return [Input(path, f"samples/{path.name}")]
    unique: list[Path] = []
    for path in options.videos:
        check_video(path)
        if any(path.resolve() == earlier.resolve() for earlier in unique):
            print(f"note: {path} is given twice; analysing it once", flush=True)
            continue
        unique.append(path)
    return [Input(path, key) for path, key in zip(unique, upload_keys(unique), strict=True)]


def estimate_left(elapsed: float, fraction: float) -> str:
    """Time left at the pace so far: '~12 s left', or '' before there is a pace to go by."""
    if fraction <= 0.02 or fraction >= 1 or elapsed <= 0:
        return ""
    seconds = elapsed * (1 - fraction) / fraction
    if seconds >= 90:
        return f"~{seconds / 60:.0f} min left"
    return f"~{seconds:.0f} s left"


class ProgressPrinter:
    """One line per job each time it crosses another quarter of its video, and when it ends; each line
    says how long its video still needs, at the pace its analysis has gone so far."""

    def __init__(self, out: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._out = out
        self._clock = clock
        self._shown: dict[str, tuple[int, JobStatus]] = {}
        self._began: dict[str, float] = {}

    def __call__(self, jobs: list[JobProgress]) -> None:
        now = self._clock()
        by_video: dict[str, list[JobProgress]] = {}
        for job in jobs:
            by_video.setdefault(job.key, []).append(job)
            if job.fraction > 0:
                self._began.setdefault(job.key, now)
        for job in jobs:
            state = (int(job.fraction * 4), job.status)
            if self._shown.get(job.job_id) == state:
                continue
            self._shown[job.job_id] = state
            bar = "#" * int(job.fraction * 20)
            video = by_video[job.key]
            fraction = sum(other.fraction for other in video) / len(video)
            left = estimate_left(now - self._began.get(job.key, now), fraction)
            line = f"  {job.api:28} {job.key[-30:]:30} [{bar:20}] {job.fraction:4.0%} {job.status.value:11} {left}"
            print(line.rstrip(), file=self._out)
        self._out.flush()


def main(argv: list[str] | None = None) -> int:
    if argv is None and _MAKE_ARGS in os.environ:
        argv = [*sys.argv[1:], *make_arguments(os.environ.pop(_MAKE_ARGS))]
    options = _arguments(argv)
    try:
        options.analyses = chosen_analyses(options.analyses)
        inputs = _inputs(options)
        from emulator.vision.analyzers import Sampling, real_analyzers

        analyzers = real_analyzers(Sampling(every_ms=options.sample_every_ms), options.celebrity_gallery)
    except (UserError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    failures = _run(options, inputs, analyzers)
    for failure in failures:
        print(f"failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _run(options: argparse.Namespace, inputs: list[Input], analyzers: object) -> list[str]:
    """Run the pipeline on the inputs and write the outputs; one line per video with failed jobs."""
    from in_process.cloud import local_cloud

    began = time.perf_counter()
    people_pathing = options.person_engine == NATIVE_ENGINE
    with local_cloud(analyzers, workers=options.workers, people_pathing=people_pathing) as cloud:  # type: ignore[arg-type]
        from in_process.environment import provision

        resources = provision(cloud.region)
        environment = resources.environment(options.analyses, person_engine=options.person_engine)
        os.environ.update({"POWERTOOLS_TRACE_DISABLED": "1", **environment})
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
        os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "rekognition-video-pipeline")
        print(
            f"moto (S3, SQS, SNS, DynamoDB) at {cloud.aws_url}; Rekognition Video emulator at {cloud.rekognition_url}"
        )

        from in_process.functions import pipeline_functions
        from in_process.harness import PipelineHarness

        functions = pipeline_functions(environment)
        harness = PipelineHarness(
            resources=resources, fake=cloud.fake, starter=functions.starter, collector=functions.collector
        )
        for item in inputs:
            harness.upload(item.key, item.path.read_bytes())
            print(f"uploaded s3://{resources.bucket}/{item.key} ({item.path.stat().st_size:,} bytes)")
        print("analysing (progress per job):", flush=True)
        # Powertools warns when an invocation published no metric; in Lambda that goes to the log, here it is noise.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        progress = ProgressPrinter(sys.stdout)
        # The handlers print CloudWatch EMF metrics to stdout, as Lambda expects; keep them out of the summary.
        with contextlib.redirect_stdout(io.StringIO()):
            harness.run_until_idle(on_progress=progress)
        elapsed = time.perf_counter() - began
        notes = _analysis_notes(harness, cloud.fake.notes)
        durations = {job_id: _job_seconds(job.created_at, job.completed_at) for job_id, job in cloud.fake.jobs.items()}
        _summarize(harness, elapsed, notes, durations)
        _write_outputs(options.out, harness, {item.key: item.path for item in inputs}, notes)
        return _failures(harness)


def _failures(harness: object) -> list[str]:
    """'<key>: <analyses> FAILED: <reason>' for each video whose jobs did not succeed."""
    from in_process.harness import PipelineHarness

    assert isinstance(harness, PipelineHarness)
    lines = []
    for video in harness.repository.recent_videos(limit=100).items:
        failed = {name: job for name, job in sorted(video.jobs.items()) if job.status.value in ("FAILED", "ERROR")}
        if failed:
            reasons = sorted({job.status_message or job.error_code or "no reason given" for job in failed.values()})
            statuses = "/".join(sorted({job.status.value for job in failed.values()}))
            lines.append(f"{video.key}: {', '.join(failed)} {statuses}: {'; '.join(reasons)}")
    return lines


def _analysis_notes(harness: object, by_operation: Mapping[str, str]) -> dict[str, str]:
    """The emulator's caveat for each analysis that ran, by analysis name. Taken from each job's own
    engine, never from the operation alone: labels and label-based persons share StartLabelDetection."""
    from video_pipeline.analyses import of_job

    from in_process.harness import PipelineHarness

    assert isinstance(harness, PipelineHarness)
    notes = {}
    for video in harness.repository.recent_videos(limit=100).items:
        for name, job in video.jobs.items():
            note = by_operation.get(of_job(name, job.engine).start_operation)
            if note and job.job_id:
                notes[name] = note
    return notes


def _engine(analysis: str, engine: str) -> str:
    """The engine, only for analyses that have a choice of them; '-' for those with one."""
    from video_pipeline.analyses import ENGINES

    return engine if analysis in ENGINES else "-"


def _summarize(harness: object, elapsed: float, notes: dict[str, str], durations: dict[str, str]) -> None:
    from in_process.harness import PipelineHarness
    from local.report import plural

    assert isinstance(harness, PipelineHarness)
    videos = harness.repository.recent_videos(limit=100).items
    print(
        f"\n{'video':32} {'analysis':12} {'engine':7} {'status':10} {'detections':>10} {'entities':>8} "
        f"{'job time':>8} note"
    )
    for video in videos:
        for name, job in sorted(video.jobs.items()):
            note = job.status_message or job.error_code or ""
            if job.single_sighting_count:
                note = note or f"{plural(job.single_sighting_count, 'person')} seen at one instant only"
            seconds = durations.get(job.job_id or "", "-")
            print(
                f"{video.key[-32:]:32} {name:12} {_engine(name, job.engine):7} {job.status.value:10} "
                f"{job.detection_count:>10} {job.entity_count:>8} {seconds:>8}  {note[:60]}"
            )
    jobs = sum(len(video.jobs) for video in videos)
    print(f"\n{plural(len(videos), 'video')}, {plural(jobs, 'job')} in {elapsed:.1f} s")
    for note in sorted(set(notes.values())):
        print(f"  note: {note}")


def _job_seconds(started: float | None, completed: float | None) -> str:
    """A job's own time in the service, from its Start to its completion."""
    if started is None or completed is None:
        return "-"
    return f"{completed - started:.1f}s"


def _write_outputs(out: Path, harness: object, sources: dict[str, Path], notes: dict[str, str]) -> None:
    from in_process.harness import PipelineHarness
    from local import snapshot
    from local.media import write_manifest
    from local.report import plural, write_report

    assert isinstance(harness, PipelineHarness)
    report = write_report(out / "report.html", harness.repository, sources, notes)
    tables = harness.tables()
    snapshot.save(out / "tables.json", *tables)
    write_manifest(out, harness.resources.bucket, sources)
    videos = harness.repository.recent_videos(limit=100).items
    jobs = sum(len(video.jobs) for video in videos)
    detections = sum(job.detection_count for video in videos for job in video.jobs.values())
    print("\nWhere to look next:")
    print(f"  {report.path}   the report: timelines, annotated frames, person tracks (open it in a browser)")
    print(f"  {out / 'tables.json'}   both DynamoDB tables ({plural(jobs, 'job')}, {plural(detections, 'detection')})")
    print("  make dashboard      the same results in the dashboard (reads this tables.json)")
    print("  docs/data-model.md   how dashboards query these tables; docs/deploy.md deploys the same handlers")
    print("  make test            every test tier, the accuracy check included")


def run_cli(main_function: Callable[[list[str] | None], int]) -> None:
    try:
        sys.exit(main_function(None))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    run_cli(main)
