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
