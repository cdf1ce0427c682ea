"""Save the replica's article pages with their truth: a folder ``newscrawl.quality`` scores.

``{id}.html`` holds the page's bytes exactly as the server sends them (in the article's
encoding), ``{id}.json`` the article's ground-truth record plus ``url`` (the page's URL),
``content_type`` (the HTTP header, which may carry the charset the page itself does not
declare) and ``form`` (``canonical`` or ``amp``).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

from newscrawl.demosite.generator import DemoSite
from newscrawl.demosite.server import handle
from newscrawl.demosite.truth import iter_site_truth

logger = logging.getLogger(__name__)


def dump_pages(site: DemoSite, folder: Path, *, amp: bool = False) -> int:
    """Write every article of ``site`` (its canonical page, or its AMP page) to ``folder``;
    return how many. Raises RuntimeError when the server does not answer a page with 200."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for record in iter_site_truth(site):
        url = str(record["canonical_url"]) + ("/amp/" if amp else "")
        response = handle(site, "GET", urlsplit(url).path, {})
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
        headers = dict(response.headers)
        article_id = record["article_id"]
        (folder / f"{article_id}.html").write_bytes(response.body)
        saved = {**record, "url": url, "content_type": headers.get("Content-Type", ""),
                 "form": "amp" if amp else "canonical"}
        (folder / f"{article_id}.json").write_text(
            json.dumps(saved, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        count += 1
    logger.info("wrote %s pages with their truth to %s", count, folder)
    return count
