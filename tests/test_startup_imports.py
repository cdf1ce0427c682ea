"""A default crawl does not import what it does not use: every component ``settings.py`` names,
loaded and built the way ``scrapy crawl`` builds them (add-ons, extensions, middlewares,
pipelines), leaves the heavy optional libraries out of the process."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT

#: Imported only by the modes that need them: Playwright (JavaScript on; ``scrapy_playwright``'s
#: ``PageMethod`` is a plain class and imports none of it), Redis (the distributed mode),
#: datasketch and scipy (dedupe settings other than the defaults), trafilatura (a page no layer
#: of ours reads). Not here: aiohttp, which Scrapy 2.19 imports for its remote-control
#: extension even when that is off (``getwithbase`` loads every key of ``EXTENSIONS``).
OPTIONAL = ("playwright", "redis", "scrapy_redis", "datasketch", "scipy", "trafilatura")

BUILD = """
import sys
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler
from newscrawl.spiders.kangnamtimes import KangnamTimesSpider

settings = get_project_settings()
crawler = get_crawler(KangnamTimesSpider, settings.copy_to_dict() | {
    "NEWSCRAWL_STATE_ENABLED": False, "NEWSCRAWL_JS_ENABLED": False,
    "NEWSCRAWL_BASE_URL": "http://127.0.0.1:9/ja/"})
crawler.spider = crawler._create_spider()
crawler.engine = crawler._create_engine()
print(" ".join(sorted(name for name in OPTIONAL if name in sys.modules)))
"""


def test_a_default_crawl_imports_no_optional_library() -> None:
    code = f"OPTIONAL = {OPTIONAL!r}\n{BUILD}"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == ""
