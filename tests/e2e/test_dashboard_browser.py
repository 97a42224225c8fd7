"""The results dashboard in headless Chromium, against the local read API and the sample tables.

Walks video list -> video -> timeline -> celebrity -> back to a video, checking what is on screen,
and keeps a screenshot of every page under test-artifacts/ (CI keeps them as artifacts).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from local.dashboard_data import EVERY_ANALYSIS_SAMPLE, FINISHED_SAMPLES, RUNNING_SAMPLE
from tests.e2e.dashboard_fixtures import screenshot


def test_videos_list_shows_every_video_with_its_statuses(page: Page, dashboard_url: str) -> None:
    page.goto(dashboard_url + "/")
    rows = page.locator("#videos tbody tr")
    expect(rows).to_have_count(len((*FINISHED_SAMPLES, EVERY_ANALYSIS_SAMPLE, RUNNING_SAMPLE)))
    screenshot(page, "videos")
    running = rows.filter(has_text=RUNNING_SAMPLE.key)
    expect(running.locator("[data-status=IN_PROGRESS]")).to_have_count(3)
    expect(running).to_contain_text("0/3")
    rejected = rows.filter(has_text="zero-bytes.mp4")
    expect(rejected.locator("[data-status=FAILED]")).to_have_count(3)
    expect(rejected).to_contain_text("EmptyObject")
    damaged = rows.filter(has_text="damaged-tracking.mp4")
    expect(damaged.locator("[data-analysis=persons] [data-status=FAILED]")).to_have_count(1)
    expect(damaged.locator("[data-analysis=faces] [data-status=SUCCEEDED]")).to_have_count(1)


def test_video_timeline_scrubs_to_a_celebrity_whose_page_lists_appearances(page: Page, dashboard_url: str) -> None:
    page.goto(dashboard_url + "/")
    page.locator("#videos a.video-link", has_text="red-carpet.mp4").click()
    expect(page.locator("#video-title")).to_have_text("samples/red-carpet.mp4")
    celebrities = page.locator("section[data-analysis=celebrities]")
    expect(celebrities.locator("[data-status=SUCCEEDED]")).to_be_visible()
    for analysis in ("faces", "celebrities", "persons"):
        expect(page.locator(f"section[data-analysis={analysis}] .track").first).to_be_visible()

    # Scrub the celebrities timeline to its end: the details follow the playhead.
    slider = celebrities.locator("input[type=range]")
    end = slider.get_attribute("max")
    assert end is not None and int(end) > 0
    before = celebrities.locator(".position").inner_text()
    slider.fill(end)
    expect(celebrities.locator(".position")).not_to_have_text(before)
    # Every timeline follows: one time for the page.
    expect(page.locator("section[data-analysis=faces] .position")).to_have_text(
        celebrities.locator(".position").inner_text()
    )
    detail = celebrities.locator(".details li").first
    expect(detail).to_contain_text("% match")
    screenshot(page, "video")

    link = detail.locator("a.celebrity-link")
    name = link.inner_text()
    celebrity_id = link.get_attribute("data-celebrity-id")
    link.click()
    expect(page).to_have_url(re.compile(f"#/celebrities/{celebrity_id}$"))
    expect(page.locator("#celebrity-name")).to_have_text(name)
    appearances = page.locator("#appearances tbody tr")
    expect(appearances.filter(has_text="red-carpet.mp4")).to_have_count(1)
    screenshot(page, "celebrity")

    # Back to the video from the celebrity page, at the celebrity's first appearance.
    appearances.filter(has_text="red-carpet.mp4").locator("a.video-link").click()
    expect(page.locator("#video-title")).to_have_text("samples/red-carpet.mp4")
    expect(page.locator("section[data-analysis=celebrities] .details li", has_text=name).first).to_be_visible()


def test_failed_empty_and_running_analyses_are_explained(page: Page, dashboard_url: str) -> None:
    page.goto(dashboard_url + "/")
    page.locator("#videos a.video-link", has_text="damaged-tracking.mp4").click()
    persons = page.locator("section[data-analysis=persons]")
    expect(persons.locator(".notice.error")).to_contain_text("This analysis failed")
    expect(page.locator("section[data-analysis=faces] .track").first).to_be_visible()
    screenshot(page, "video-failed")

    page.goto(dashboard_url + "/")
    page.locator("#videos a.video-link", has_text="empty-room.mp4").click()
    expect(page.locator("section[data-analysis=faces] .notice.empty")).to_contain_text("Nothing found")
    screenshot(page, "video-empty")

    page.goto(dashboard_url + "/")
    page.locator("#videos a.video-link", has_text=RUNNING_SAMPLE.key).click()
    expect(page.locator(".notice.in-progress")).to_have_count(3)
    expect(page.locator(".facts")).to_contain_text("unknown until an analysis finishes")
    screenshot(page, "video-running")


def test_unknown_video_and_celebrity_say_so(page: Page, dashboard_url: str) -> None:
    page.goto(dashboard_url + "/#/videos/" + "0" * 32)
    expect(page.locator("[role=alert]")).to_contain_text("Not found: no video")
    page.goto(dashboard_url + "/#/celebrities/NoSuchCeleb")
    expect(page.locator("#empty")).to_contain_text("No appearances")
    screenshot(page, "not-found")
