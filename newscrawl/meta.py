"""The ``Request.meta`` keys of the project, in one place.

This module imports nothing: spiders, middlewares, extensions and the state all read the keys
from here, so no layer imports another one's internals for a string. Every key is prefixed
``newscrawl_``; each is set by one component and read by the ones named.

The reasons a request or a download is refused (the rejects-feed ``reason`` of a download) are
the ``reason`` of the refusal types in :mod:`newscrawl.exceptions`.
"""

from __future__ import annotations

ARTICLE_ID_META = "newscrawl_article_id"
"""The numeric id (a string) an article request is keyed on. Set by the spider on every article
request; read by the request fingerprinter (one request per id), the incremental policy and the
spider's errback (the ``article_id`` of a reject)."""

LISTING_MODIFIED_META = "newscrawl_listing_modified"
"""ISO 8601 modified time of the article as a listing or sitemap (``<lastmod>``) shows it. Set
by the spider from the sitemaps; read by the incremental policy (a newer time: ask again)."""

DECISION_META = "newscrawl_incremental"
"""``fetch``, ``conditional`` or ``skip``: what the incremental policy decided for the request.
Set by the incremental middlewares (a redirected copy keeps it); read by them and by the
spider's errback (a ``skip`` is on purpose, not a reject)."""

RELEASE_META = "newscrawl_release"
"""True on the hold's release request (a ``data:`` URL): the articles its callback yields pass
through the hold. Set by :mod:`newscrawl.middlewares.hold`; read by it and by the distributed
scheduler and member (a release request is not leased nor counted as crawling)."""

JS_META = "newscrawl_js"
"""``ranking`` or ``category``: which rendered page a browser request is. Set by
:mod:`newscrawl.rendering.requests`; read by the spider's errback for rendered pages."""
