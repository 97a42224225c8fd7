"""The browser tests' shared pieces: the local dashboard served on a free port, Debian's Chromium
driven by Playwright (kept on this machine), a page that fails its test on any JavaScript error, and
screenshots under test-artifacts/. The fixtures reach the tests through tests/e2e/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from local.dashboard import local_dashboard, serving

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Chromium must stay on this machine: no component updates, sync, or other background traffic.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def dashboard_url() -> Iterator[str]:
    with local_dashboard() as dashboard, serving(dashboard.app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # A missing browser is a failed test, never a skip: `.ci/run` installs Debian's chromium.
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} not found: apt-get install -y --no-install-recommends chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, dashboard_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    local = urlparse(dashboard_url).netloc

    def only_local(route: Route) -> None:
        if urlparse(route.request.url).netloc == local:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_local)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)
