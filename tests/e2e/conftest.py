import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.dashboard_fixtures import browser, dashboard_url, page  # noqa: F401  (the browser tests' fixtures)
from tests.integration.conftest import harness, sleeps  # noqa: F401  (the same fixtures)

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class LocalRun:
    out: Path
    stdout: str
    stderr: str
    returncode: int


def run_local(*arguments: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python -m local.run` as `make local` runs it, in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "local.run", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> LocalRun:
    """One local run on the generated sample video, shared by the tests that inspect its outputs."""
    out = tmp_path_factory.mktemp("local-run")
    completed = run_local("--out", str(out))
    return LocalRun(out, completed.stdout, completed.stderr, completed.returncode)


# The analyses the report has sections for beyond the default three; persons beside labels makes
# the two share StartLabelDetection, as a deployment enabling both does.
NEW_ANALYSES = ("labels", "moderation", "text", "segments")
CAPTIONS = ("BREAKING NEWS", "", "OPEN 24 HOURS")


@dataclass(frozen=True)
class AnalysesRun(LocalRun):
    edit: Path  # cuts at frames 30, 60 and 68, black frames 60 to 67, a caption on the first and last shot
    walker: Path  # one person walking for 2.5 s


@pytest.fixture(scope="session")
def analyses_run(tmp_path_factory: pytest.TempPathFactory) -> AnalysesRun:
    """One local run with `--analyses` naming the new analyses (and persons) on two short generated
    clips: an edit with shots, black frames and captions, and a walker for the labels."""
    from emulator.vision.sample_clip import PERSON, Actor, ClipSpec, render
    from emulator.vision.shot_clip import EditSpec, render_edit

    inputs = tmp_path_factory.mktemp("analyses-inputs")
    edit, walker = inputs / "edit.mp4", inputs / "walker.mp4"
    render_edit(edit, EditSpec(shots=(30, 30, 30), black=(0, 8, 0), width=640, height=360, captions=CAPTIONS))
    render(walker, ClipSpec(seconds=2.5, actors=(Actor(PERSON, 0, 0.0, 2.5, (90, 60), (300, 60), 250),)))
    out = tmp_path_factory.mktemp("analyses-run")
    analyses = ",".join(("persons", *NEW_ANALYSES))
    completed = run_local(str(edit), str(walker), "--analyses", analyses, "--sample-every-ms", "250", "--out", str(out))
    return AnalysesRun(out, completed.stdout, completed.stderr, completed.returncode, edit, walker)
