"""The local run's report rendered by a real browser (the system's headless Chromium)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from moto import mock_aws

from tests.e2e.dashboard_fixtures import CHROMIUM_ARGS

CHROMIUM = "/usr/bin/chromium"
ARGS = CHROMIUM_ARGS  # the dashboard tests' own: Chromium stays on this machine
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _chromium() -> str:
    path = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if path is None:
        # Fail, never skip: a missing browser must not pass CI silently (.ci/run installs it).
        pytest.fail("Chromium is not installed: apt-get install -y --no-install-recommends chromium")
    return path


def _expected_counts(tables: Path) -> dict[str, int]:
    import boto3
    from video_pipeline.dal.repository import PipelineRepository

    from in_process.environment import provision
    from local import snapshot

    with mock_aws():
        resources = provision(prefix="browser")
        dynamodb = boto3.resource("dynamodb")
        jobs, detections = dynamodb.Table(resources.jobs_table), dynamodb.Table(resources.detections_table)
        snapshot.load(tables, jobs, detections)
        [video] = PipelineRepository(jobs, detections).recent_videos().items
        return {name: job.detection_count for name, job in video.jobs.items()}


def test_the_report_renders_in_headless_chromium(local_run):
    from playwright.sync_api import sync_playwright

    assert local_run.returncode == 0, local_run.stderr
    expected = _expected_counts(local_run.out / "tables.json")
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((local_run.out / "report.html").as_uri())
        page.wait_for_load_state("load")

        assert page.title() == "Rekognition Video pipeline: local run"
        assert page.get_by_role("heading", name="samples/sample.mp4").is_visible()
        for analysis, count in expected.items():
            section = page.locator(f'[data-analysis="{analysis}"]')
            assert section.is_visible()
            assert section.locator(".count").inner_text() == str(count)
        # The timelines drew one mark per detection, and the page's own script ran over them.
        assert page.locator(".mark").count() == expected["faces"] + expected["persons"]
        assert page.locator("body").get_attribute("data-marks") == str(page.locator(".mark").count())
        assert page.locator('[data-analysis="persons"] .row').count() == 2
        images = page.locator("figure img")
        assert images.count() == 6
        for index in range(images.count()):
            image = images.nth(index)
            image.scroll_into_view_if_needed()
            assert image.is_visible()
            assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        # A click shows a frame at the video's own size; another shrinks it back.
        first = images.first
        first.scroll_into_view_if_needed()
        natural = first.evaluate("img => img.naturalWidth")
        assert first.evaluate("img => img.getBoundingClientRect().width") < natural
        first.click()
        assert first.evaluate("img => img.getBoundingClientRect().width") == natural
        first.click()
        assert first.evaluate("img => img.getBoundingClientRect().width") < natural
        page.locator('[data-analysis="persons"] .mark').first.hover()
        assert re.match(r"\d+\.\d\d s: person \d", page.locator("#hover").inner_text())
        assert page.get_by_text("no offline model").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    assert errors == []


def test_the_new_analyses_render_in_headless_chromium(analyses_run):
    """Labels, moderation, text and the shot list as a browser shows them, with a screenshot to look at."""
    from playwright.sync_api import sync_playwright

    assert analyses_run.returncode == 0, analyses_run.stderr
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((analyses_run.out / "report.html").as_uri())
        page.wait_for_load_state("load")

        edit = page.locator('[data-video="uploads/edit.mp4"]')
        stills = edit.locator('[data-analysis="segments"] img.still')
        assert stills.count() == 4
        for index in range(stills.count()):
            still = stills.nth(index)
            still.scroll_into_view_if_needed()
            assert still.evaluate("img => img.complete && img.naturalWidth > 0")
            assert still.is_visible()
        shot = edit.locator('[data-analysis="segments"] .mark.shot-1').first
        shot.hover()
        assert page.locator("#hover").inner_text() == "1.20 s: shot 1"
        # A shot is a span as long as the shot: wider than the point marks of a sampled detection.
        assert shot.evaluate("rect => rect.getBoundingClientRect().width") > 100
        assert edit.locator('[data-analysis="segments"] .cues td', has_text="BlackFrames").is_visible()
        text = edit.locator('[data-analysis="text"]')
        assert text.locator(".text-line", has_text="BREAKING NEWS").first.is_visible()
        assert text.locator("figure img").count() >= 2
        walker = page.locator('[data-video="uploads/walker.mp4"]')
        moderation = walker.locator('[data-analysis="moderation"]')
        assert moderation.locator(".stated", has_text="synthetic").is_visible()
        assert moderation.locator(".flags tr").count() > 1
        assert walker.locator('[data-analysis="labels"] .row span', has_text="Person").is_visible()
        # The summary's link goes to the analysis' own section.
        walker.locator('[data-row="moderation"] a').first.click()
        assert page.evaluate("location.hash") == "#moderation"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-analyses.png"), full_page=True)
        edit.locator('[data-analysis="segments"]').screenshot(path=str(ARTIFACTS / "report-shots.png"))
        browser.close()
    assert errors == []
