"""The report in headless Chromium (Debian's, as the crawl uses it): it renders every
section, logs no error, and asks for nothing but the file itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newscrawl.monitoring.report import SECTIONS, build_report
from newscrawl.rendering.config import DEFAULT_CHROMIUM
from tests.monitoring.runs import sample_run

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("NEWSCRAWL_CHROMIUM") or DEFAULT_CHROMIUM


def test_report_renders_offline_in_chromium(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import Route, sync_playwright

    data, history = sample_run()
    report = tmp_path / "demo.report.html"
    report.write_text(build_report(data, history), encoding="utf-8")
    requested: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            def route(route_: Route) -> None:  # every request; only the file is answered
                requested.append(route_.request.url)
                if route_.request.url == report.as_uri():
                    route_.continue_()
                else:
                    route_.abort()

            page.route("**/*", route)
            page.goto(report.as_uri())
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
            titles = {anchor: page.locator(f"section#{anchor} h2").inner_text()
                      for anchor in SECTIONS}
            charts = page.locator("svg.chart")
            drawn = [charts.nth(i).bounding_box() for i in range(charts.count())]
            verdict = page.locator("section#verdict").inner_text()
        finally:
            browser.close()

    assert requested == [report.as_uri()]
    assert problems == []
    assert all(titles.values()), titles
    assert len(drawn) >= 9 and all(box and box["width"] > 200 and box["height"] > 80
                                   for box in drawn)
    assert "layout changed: body from markup 94% → 3%" in verdict
    screenshot = tmp_path / "report.png"
    assert screenshot.stat().st_size > 50_000  # a page of charts, not a blank one
