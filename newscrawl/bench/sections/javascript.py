"""5. JavaScript: the crawl with ``-a js=1`` (the rankings rendered by Chromium through
scrapy-playwright) against the crawl without, in pairs run back to back, and the extra seconds
per rendered page."""

from __future__ import annotations

import shutil
from pathlib import Path

from newscrawl.bench.context import Context, interleaved
from newscrawl.bench.figures import Figure, fmt, median_of, ratios
from newscrawl.bench.runner import serve

TARGET_RATIO = 1.3
"""Crawl time with JavaScript over without."""
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def js_available() -> bool:
    """Whether the project renders JavaScript (its ``NEWSCRAWL_JS_ENABLED`` switch and its rendering
    package) and a browser is installed."""
    from scrapy.utils.project import get_project_settings

    import newscrawl

    package = Path(newscrawl.__file__).parent
    has_setting = get_project_settings().get("NEWSCRAWL_JS_ENABLED") is not None
    has_browser = any(shutil.which(browser) for browser in BROWSERS)
    return has_setting and has_browser and (package / "rendering").is_dir()


def run(ctx: Context) -> list[Figure]:
    if not js_available():
        return [Figure("5 javascript", "js on / off", text="not available",
                       note="no -a js=1 support (NEWSCRAWL_JS_ENABLED, scrapy-playwright) "
                             "or Chromium")]
    n = ctx.sizes.crawl_articles
    with serve(n) as base_url:
        off, on = interleaved(ctx.runs,
                              lambda: ctx.runner.crawl(base_url, f"jsoff-{n}"),
                              lambda: ctx.runner.crawl(base_url, f"json-{n}", js=True))
    ctx.crawls_of(n).extend(off)
    times = ratios([r.elapsed for r in on], [r.elapsed for r in off])
    rendered = [float(r.stats.get("newscrawl/js/rendered", 0)) for r in on]
    section = f"5 javascript ({n:,} art.)"
    figures = [
        Figure(section, "crawl time, js off", [r.elapsed for r in off], "s",
               note=f"articles: {fmt(median_of(r.items for r in off))}"),
        Figure(section, "crawl time, js on", [r.elapsed for r in on], "s",
               note=f"articles: {fmt(median_of(r.items for r in on))}"),
        Figure(section, "js on / off time", times, "x", f"≤ {TARGET_RATIO}",
               median_of(times) <= TARGET_RATIO),
        Figure(section, "pages rendered", rendered, "pages", note="stat newscrawl/js/rendered"),
    ]
    if all(rendered):
        extra = [max(0.0, a.elapsed - b.elapsed) / pages
                 for a, b, pages in zip(on, off, rendered, strict=True)]
        figures.append(Figure(section, "extra time per rendered page", extra, "s/page",
                              note="(time on - time off) / pages rendered"))
    return figures
