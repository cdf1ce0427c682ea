"""Request fingerprints that key article requests on the article id.

Scrapy's duplicate filter, ``JOBDIR`` persistence and HTTP cache all ask the request
fingerprinter whether two requests are the same. Keying article requests on the numeric id
makes every URL form of an article (AMP, ``?p=``, alias host, tracking parameters) one request
for all of them, and a Redis-backed dupefilter (scrapy-redis) gets the same behaviour for free.
"""

from __future__ import annotations

from hashlib import sha1
from typing import TYPE_CHECKING

from scrapy.utils.request import RequestFingerprinter

from newscrawl.meta import ARTICLE_ID_META

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

# ARTICLE_ID_META lives in newscrawl.meta; re-exported for the modules that still import it here.
__all__ = ["ARTICLE_ID_META", "ArticleFingerprinter", "article_fingerprint"]


def article_fingerprint(article_id: str) -> bytes:
    """The fingerprint of every request for article ``article_id``."""
    return sha1(f"newscrawl-article:{article_id}".encode()).digest()


class ArticleFingerprinter:
    """Fingerprint ``meta["newscrawl_article_id"]`` requests by id, others as Scrapy does.

    A redirect keeps the meta of the request it follows, so redirected requests (``?p=`` to
    the canonical URL) fall back to the URL fingerprint; otherwise the duplicate filter would
    drop the redirect target as a copy of the short link it came from.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleFingerprinter:
        return cls(crawler)

    def __init__(self, crawler: Crawler | None = None) -> None:
        self._default = RequestFingerprinter(crawler)

    def fingerprint(self, request: Request) -> bytes:
        article_id = request.meta.get(ARTICLE_ID_META)
        if article_id and not request.meta.get("redirect_urls"):
            return article_fingerprint(str(article_id))
        return self._default.fingerprint(request)
