"""A parser worker that fails on the pages whose URL holds its marker: ``exit`` dies
(``os._exit``), the stand-in for a page that crashes libxml2 or meets the OOM killer; ``hang``
never answers, the stand-in for a parser caught in a loop; ``raise`` raises, the stand-in for a
parser bug; ``bloat`` asks for :data:`BLOAT_MB` megabytes, the stand-in for a page whose tree
outgrows the worker; ``late`` takes seconds to start (a cold cache) and then parses every page.

``python -m tests.pages.crashing_worker exit|hang|raise|bloat|late MARKER [--memory-mb N]
BASE_URL [HOST …]``"""

from __future__ import annotations

import os
import sys
import time

from newscrawl.pages import workers
from newscrawl.urls import Site

_parse_page = workers.parse_page
LATE_SECONDS = 2.0
BLOAT_MB = 600


def main(argv: list[str]) -> int:
    how, marker = argv[0], argv[1]

    def parse_page(site: Site, page: workers.Page) -> workers.Parsed:
        if marker in page[0]:
            if how == "hang":
                while True:
                    time.sleep(60)
            if how == "raise":
                raise RuntimeError(f"no parser for {page[0]}")
            if how == "bloat":  # the memory a huge page's tree would take, then the parse
                bytearray(BLOAT_MB * 2**20)
                return _parse_page(site, page)
            os._exit(70)
        return _parse_page(site, page)

    workers.parse_page = parse_page
    if how == "late":
        time.sleep(LATE_SECONDS)
    return workers.main(argv[2:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
