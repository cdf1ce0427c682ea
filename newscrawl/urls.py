"""Canonical article URLs and ids, in one place.

Every URL form of an article reduces to its numeric id before a request is made:

- ``{base}{category}/article/{id}`` (canonical), with or without a trailing slash;
- ``…/article/{id}/amp/`` and ``…/amp/?noamp=mobile`` (AMP);
- ``{base}?p={id}`` (WordPress short link; its canonical URL is known only after the redirect);
- any of these with tracking parameters (``utm_*``, ``fbclid``, …) or on an alias host
  (``www.`` and the bare host; ``localhost`` and ``127.0.0.1``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from newscrawl.config import read_list, read_url

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

_ARTICLE_PATH = re.compile(
    r"^(?P<prefix>/(?:[^/]+/)*?)(?P<category>[a-z0-9_-]+)/article/(?P<id>\d+)(?:/amp)?/?$"
)
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|ref|from|noamp|amp)$")
_LOOPBACK = {"127.0.0.1", "localhost"}
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_NOT_PATH_RELATIVE = re.compile(r"/|https?://", re.IGNORECASE)
"""A link whose path and query do not depend on the page it is on (only its scheme and host)."""
_ABSOLUTE = re.compile(r"https?://[^/?#\t\r\n]", re.IGNORECASE)
"""A link with its own host (:func:`urllib.parse.urlsplit` finds a ``netloc``): resolved without
its page."""
_PLAIN_ABSOLUTE = re.compile(r"(https?)://([A-Za-z0-9.:-]+)(/[^?#;\\\x00-\x20\x7f]*)?\Z")
"""An absolute URL without query, fragment, parameters, user, IPv6 host, control character or
space: :meth:`Site.normalize` needs no :mod:`urllib.parse` for it (a page's photos)."""

#: Links resolved per :class:`Site` (the same article URLs recur on many pages). Bounded: each
#: entry costs about 0.7 KB, and a crawl of 20,000 articles sees far more distinct links.
REF_CACHE_SIZE = 16384


@lru_cache(maxsize=256)
def _origin(base: str) -> str:
    """``scheme://host`` of an absolute URL: enough to resolve a link starting with ``/`` or
    ``http(s)://`` against it. Cached: a page asks it for each of its links, with its own URL
    (a cache hit costs a sixth of the two searches)."""
    start = base.find("://")
    if start < 0:
        return base
    end = base.find("/", start + 3)
    return base if end < 0 else base[:end]


@dataclass(frozen=True)
class ArticleRef:
    """An article link reduced to its key."""

    article_id: str
    url: str
    """The URL to request: the canonical URL when the category is known, else the short link."""
    canonical: bool
    """True when ``url`` is the canonical article URL."""


def _default_aliases(host: str) -> set[str]:
    name, _, port = host.partition(":")
    suffix = f":{port}" if port else ""
    if name in _LOOPBACK:
        return {f"{other}{suffix}" for other in _LOOPBACK}
    if name.startswith("www."):
        return {host, name[4:] + suffix}
    return {host, f"www.{name}{suffix}"}


class Site:
    """The site being crawled: its base URL, its hosts, and how its article URLs look."""

    def __init__(self, base_url: str, aliases: Iterable[str] = ()) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        self.scheme = parts.scheme
        self.host = parts.netloc.lower()
        self.base_path = path
        self.base_url = urlunsplit((self.scheme, self.host, path, "", ""))
        self.hosts = _default_aliases(self.host) | {a.lower() for a in aliases if a}
        self._resolve_ref: Callable[[str, str], ArticleRef | None] = lru_cache(
            maxsize=REF_CACHE_SIZE)(self._article_ref)
        self._known_refs: dict[str, ArticleRef | None] = {}
        """:meth:`article_ref` of the links met whose answer does not depend on their page
        (absolute links, and links that cannot be an article), by the link as written; emptied
        when it holds :data:`REF_CACHE_SIZE`. A page repeats the links of many others."""

    def serves_host(self, scheme: str, netloc: str) -> bool:
        """True when ``netloc`` (host and port) over http(s) is one of the site's hosts; the
        scheme's default port may be written or not."""
        if scheme not in _DEFAULT_PORTS:
            return False
        netloc = netloc.lower()
        if netloc in self.hosts:
            return True
        default = _DEFAULT_PORTS[scheme]
        if netloc.endswith("]") or ":" not in netloc:  # no port: the default one
            return f"{netloc}:{default}" in self.hosts
        host, _, port = netloc.rpartition(":")
        return port == default and host in self.hosts

    def is_on_site(self, url: str) -> bool:
        """True for http(s) URLs on the site's hosts, under its base path (False for one
        :mod:`urllib.parse` cannot read, such as ``http://[::1``)."""
        try:
            return self._on_site(urlsplit(url))
        except ValueError:
            return False

    def _on_site(self, parts: SplitResult) -> bool:
        return (
            parts.scheme in ("http", "https")
            and parts.netloc.lower() in self.hosts
            and (parts.path + "/").startswith(self.base_path)
        )

    def normalize(self, url: str, base: str | None = None) -> str | None:
        """Absolute URL on the canonical host, without fragment and tracking parameters; None
        for a URL :mod:`urllib.parse` cannot read (a bracketed host left open:
        ``http://[::1/a.jpg``)."""
        url = url.strip()
        plain = _PLAIN_ABSOLUTE.match(url)
        if plain is not None:  # what the general path gives it, in a twentieth of the time
            scheme, netloc, path = plain.groups()
            netloc = netloc.lower()
            if netloc in self.hosts:
                netloc = self.host
            return f"{self.scheme if netloc == self.host else scheme}://{netloc}{path or '/'}"
        try:
            return self._normalize(url, base)
        except ValueError:
            return None

    def _normalize(self, url: str, base: str | None) -> str:
        """:meth:`normalize` of any link, with :mod:`urllib.parse` (ValueError for a URL it
        cannot read)."""
        absolute = urljoin(base or self.base_url, url)
        parts = urlsplit(absolute)
        netloc = parts.netloc.lower()
        if netloc in self.hosts:
            netloc = self.host
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if not _TRACKING.match(k)]
        return urlunsplit((self.scheme if netloc == self.host else parts.scheme, netloc,
                           parts.path or "/", urlencode(query), ""))

    def canonical_article_url(self, category: str, article_id: str) -> str:
        return f"{self.base_url}{category}/article/{article_id}"

    def article_ref(self, url: str, base: str | None = None) -> ArticleRef | None:
        """The article a link points to, or None when it is not an article of this site."""
        known = self._known_refs.get(url, _UNRESOLVED)
        if known is not _UNRESOLVED:  # met before, and the page does not matter
            return known
        href = url.strip()
        base = base or self.base_url
        if not _NOT_PATH_RELATIVE.match(href):
            return self._resolve_ref(href, base)
        # Its path and query are its own: it can only be an article with ``article`` in the
        # path or a ``p`` (or ``%70``) parameter; and the page matters by its host only.
        if "article" in href or "p=" in href or "%70=" in href:
            ref = self._resolve_ref(href, _origin(base))
            if not _ABSOLUTE.match(href):
                return ref  # the page gives its host
        else:
            ref = None  # no article, on any page
        if len(self._known_refs) >= REF_CACHE_SIZE:
            self._known_refs.clear()
        self._known_refs[url] = ref
        return ref

    def _article_ref(self, href: str, base: str) -> ArticleRef | None:
        try:
            parts = urlsplit(href)
            if not (parts.scheme and parts.netloc):  # an absolute URL is split once, not joined
                parts = urlsplit(urljoin(base, href))
        except ValueError:  # a link urllib cannot read (``http://[::1``) is no article's
            return None
        if not self._on_site(parts):
            return None
        match = _ARTICLE_PATH.match(parts.path)
        if match and match["prefix"] == self.base_path:
            return ArticleRef(match["id"], self.canonical_article_url(match["category"],
                                                                      match["id"]), True)
        if parts.path == self.base_path:
            post_id = dict(parse_qsl(parts.query)).get("p", "")
            if post_id.isdigit():
                return ArticleRef(post_id, f"{self.base_url}?p={post_id}", False)
        return None


_UNRESOLVED = ArticleRef("", "", False)
"""Not in the cache (no article has an empty id)."""


def site_from_settings(settings: BaseSettings) -> Site:
    """The site of a run: ``NEWSCRAWL_BASE_URL`` and ``NEWSCRAWL_HOST_ALIASES``, checked."""
    return Site(read_url(settings, "NEWSCRAWL_BASE_URL"),
                read_list(settings, "NEWSCRAWL_HOST_ALIASES"))
