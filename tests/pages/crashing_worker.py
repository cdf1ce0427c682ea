"""A parser worker that dies (``os._exit``) on the pages whose URL holds its first argument:
the stand-in for a page that crashes libxml2 or meets the OOM killer.

``python -m tests.pages.crashing_worker MARKER BASE_URL [HOST …]``"""

from __future__ import annotations

import os
import sys

from newscrawl.pages import workers
from newscrawl.urls import Site

_parse_page = workers.parse_page


def main(argv: list[str]) -> int:
    marker = argv[0]

    def parse_page(site: Site, page: workers.Page) -> workers.Parsed:
        if marker in page[0]:
            os._exit(70)
        return _parse_page(site, page)

    workers.parse_page = parse_page
    return workers.main(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
