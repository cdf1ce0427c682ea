"""The replica's HTTP server.

:func:`handle` maps one request to a :class:`Response` and is the only place that knows the
URL scheme; the HTTP layer around it (:class:`DemoHandler`) only moves bytes. A later faults
layer can wrap :func:`handle` (or pass its own ``handler`` to :func:`make_server`).
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import hashlib
import json
import logging
import re
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import TextIO
from urllib.parse import parse_qs, quote, unquote, urlsplit

from newscrawl.demosite import assets, render, vocab
from newscrawl.demosite.generator import DemoSite
from newscrawl.demosite.themes import article_html

logger = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
_ARTICLE = re.compile(r"^(?P<cat>[a-z]+)/article/(?P<id>\d+)(?P<slash>/)?(?P<amp>amp/?)?$")
_CATEGORY = re.compile(r"^(?P<cat>[a-z]+)(?:/page/(?P<n>\d+))?(?P<slash>/)?$")
_TAG = re.compile(r"^tag/(?P<slug>[^/]+)/(?:page/(?P<n>\d+)/?)?$")
_DATE = re.compile(r"^date/(?P<y>\d{4})/(?P<m>\d{1,2})/?$")
_IMAGE = re.compile(r"^wp-content/uploads/\d{4}/\d{2}/(?P<id>\d+)-\d+\.jpg$")
_SITEMAP = re.compile(r"^wp-sitemap-posts-post-(?P<n>\d+)\.xml$")
_AUTHOR = re.compile(r"^author/(?P<local>[a-z.]+)/?$")


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    # --- Faults (newscrawl.demosite.faults): how the bytes go out
    delay: float = 0.0
    """Seconds to wait before answering (a stall)."""
    truncate: int | None = None
    """Send the full Content-Length but only this many body bytes, then close."""
    drop: bool = False
    """Close the connection without answering."""


Handler = Callable[[DemoSite, str, str, Mapping[str, str]], Response]


def _text(status: int, text: str, ctype: str = HTML) -> Response:
    return Response(status, [("Content-Type", ctype)], text.encode("utf-8"))


def _json(data: object) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(200, [("Content-Type", "application/json; charset=utf-8"),
                          ("Access-Control-Allow-Origin", "*")], body)


def _redirect(location: str) -> Response:
    return Response(301, [("Location", location), ("Content-Type", HTML)],
                    f'<a href="{location}">Moved Permanently</a>'.encode())


def _not_found(site: DemoSite) -> Response:
    return _text(404, render.not_found_page(site))


RenderedPage = tuple[bytes, str, str, str]
"""(body, Content-Type, ETag, Last-Modified) of an article page."""

_pages_lock = threading.Lock()


def _pages(site: DemoSite) -> Callable[[int, bool], RenderedPage]:
    """The site's rendered article pages by ``(index, amp)``, bounded (LRU, 4,000 pages);
    kept on the site object."""
    pages = getattr(site, "_pages", None)
    if pages is None:
        with _pages_lock:
            pages = getattr(site, "_pages", None)
            if pages is None:
                pages = functools.lru_cache(maxsize=4_000)(functools.partial(_render_article,
                                                                             site))
                site._pages = pages  # type: ignore[attr-defined]
    return pages


def _render_article(site: DemoSite, index: int, amp: bool) -> RenderedPage:
    c = site.content(index)
    text = article_html(site, index, amp)
    if amp or c.encoding == "utf-8":
        body, ctype = text.encode("utf-8"), HTML
    else:
        body = text.encode(c.encoding)  # strict: the generator checked the article's text
        label = {"shift_jis": "Shift_JIS", "euc_jp": "EUC-JP"}[c.encoding]
        ctype = f"text/html; charset={label}" if c.charset_decl in ("header", "both") else (
            "text/html")
    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
    modified = email.utils.formatdate(c.meta.modified * 60, usegmt=True)
    return body, ctype, etag, modified


def article_response(site: DemoSite, index: int, amp: bool,
                     headers: Mapping[str, str]) -> Response:
    body, ctype, etag, modified = _pages(site)(index, amp)
    out = [("Content-Type", ctype), ("ETag", etag), ("Last-Modified", modified),
           ("Cache-Control", "max-age=0, must-revalidate")]
    inm = headers.get("if-none-match")
    if inm is not None:
        if inm.strip() == "*" or etag in [t.strip() for t in inm.split(",")]:
            return Response(304, out[1:])
    else:
        ims = headers.get("if-modified-since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                since = None
            if since is not None and site.meta(index).modified * 60 <= since:
                return Response(304, out[1:])
    return Response(200, out, body)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _home(site: DemoSite, query: Mapping[str, str]) -> Response:
    """``/ja/``: the home page, ``?p=ID`` (a redirect to the article) or ``?s=`` (search)."""
    if "p" in query:
        index = site.index_of(_int(query["p"], -1)) if query["p"].isdigit() else None
        return _redirect(site.canonical_url(index)) if index is not None else _not_found(site)
    if "s" in query:
        return _text(200, render.search_page(site, query["s"], _int(query.get("page"), 1)))
    return _text(200, render.home_page(site))


def _api(site: DemoSite, endpoint: str, query: Mapping[str, str]) -> Response:
    """``/ja/wp-json/kt/v1/<endpoint>``: ranking, posts of a category, comment counts."""
    if endpoint == "ranking":
        range_ = query.get("range", "daily")
        if range_ not in ("daily", "weekly"):
            return Response(400, [("Content-Type", "text/plain")], b"invalid range")
        return _json(render.ranking_json(site, range_))
    if endpoint == "posts" and query.get("category") in vocab.CATEGORIES:
        return _json(render.posts_json(site, query["category"], _int(query.get("offset"), 0)))
    if endpoint == "comments":
        index = site.index_of(_int(query.get("post"), -1))
        if index is not None:
            return _json({"post": str(site.article_id(index)),
                          "count": site.meta(index).comment_count})
    return _not_found(site)


def _asset(site: DemoSite, name: str) -> Response:
    """``/ja/assets/<name>``: the site's script and style."""
    if name not in assets.FILES:
        return _not_found(site)
    ctype, data = assets.FILES[name]
    return Response(200, [("Content-Type", ctype), ("Cache-Control", "max-age=3600")], data)


def handle(site: DemoSite, method: str, target: str, headers: Mapping[str, str]) -> Response:
    """Map one request (``headers`` with lower-case names) to its response.

    Longer than 60 lines on purpose: it is the site's route table, the first match winning, and
    kept in one function so the order of the routes reads top to bottom."""
    parts = urlsplit(target)
    path = parts.path
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    if method not in ("GET", "HEAD"):
        return Response(405, [("Allow", "GET, HEAD")])
    if path == "/robots.txt":
        return _text(200, render.robots(site), "text/plain; charset=utf-8")
    base = site.base_path
    if path == base.rstrip("/"):
        return _redirect(site.base_url)
    if not path.startswith(base):
        return _not_found(site)
    rest = path[len(base):]
    if rest == "":
        return _home(site, query)
    m = _ARTICLE.match(rest)
    if m:
        index = site.index_of(int(m["id"]))
        if index is None:
            return _not_found(site)
        amp = m["amp"] is not None
        if m["cat"] != site.meta(index).category or (m["slash"] and not amp):
            canon = site.canonical_url(index)
            return _redirect(canon + "/amp/" if amp else canon)
        return article_response(site, index, amp, headers)
    if rest.startswith("wp-json/kt/v1/"):
        return _api(site, rest[len("wp-json/kt/v1/"):], query)
    if rest == "ranking/":
        return _text(200, render.ranking_page(site))
    if rest == "ranking":
        return _redirect(f"{site.base_url}ranking/")
    if rest.startswith("assets/"):
        return _asset(site, rest[len("assets/"):])
    m = _IMAGE.match(rest)
    if m:
        if site.index_of(int(m["id"])) is None:
            return _not_found(site)
        return Response(200, [("Content-Type", "image/jpeg"),
                              ("Cache-Control", "max-age=86400")], assets.JPEG)
    m = _CATEGORY.match(rest)
    if m and m["cat"] in vocab.CATEGORIES:
        if not m["slash"]:
            return _redirect(f"{site.scheme}://{site.host}{path}/")
        page = render.category_page(site, m["cat"], _int(m["n"], 1))
        return _text(200, page) if page else _not_found(site)
    m = _TAG.match(rest)
    if m:
        slug = quote(unquote(m["slug"]), safe="-").lower()
        page = render.tag_page(site, slug, _int(m["n"], 1))
        return _text(200, page) if page else _not_found(site)
    if rest in ("feed/", "feed"):
        return _text(200, render.feed(site), "application/rss+xml; charset=utf-8")
    if rest == "wp-sitemap.xml":
        return _text(200, render.sitemap_index(site), "application/xml; charset=utf-8")
    m = _SITEMAP.match(rest)
    if m:
        xml = render.sitemap_posts(site, int(m["n"]))
        return _text(200, xml, "application/xml; charset=utf-8") if xml else _not_found(site)
    if rest in ("search/", "search"):
        return _text(200, render.search_page(site, query.get("s", ""),
                                             _int(query.get("page"), 1)))
    m = _DATE.match(rest)
    if m and 1 <= int(m["m"]) <= 12:
        return _text(200, render.date_page(site, int(m["y"]), int(m["m"])))
    m = _AUTHOR.match(rest)
    if m:
        page = render.author_page(site, m["local"])
        return _text(200, page) if page else _not_found(site)
    return _not_found(site)


_REASONS = {status.value: status.phrase for status in HTTPStatus}


class DemoHandler(socketserver.StreamRequestHandler):
    """A lean HTTP/1.1 connection handler with keep-alive.

    ``BaseHTTPRequestHandler`` parses headers with the ``email`` package, which costs more
    than rendering a cached page; requests here are plain GET/HEAD, so a few lines do.
    """

    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive connections are dropped after this
    server: DemoServer

    def handle(self) -> None:
        try:
            while self._one_request():
                pass
        except (TimeoutError, ConnectionError):
            return

    def _one_request(self) -> bool:
        line = self.rfile.readline(65537)
        while line in (b"\r\n", b"\n"):
            line = self.rfile.readline(65537)
        if not line:
            return False
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            self.server.note("GET", "-", 400, {})
            self._send("GET", "-", Response(400, [("Content-Type", "text/plain")],
                                             b"bad request"), keep=False)
            return False
        method, target, version = parts
        headers: dict[str, str] = {}
        while True:
            raw = self.rfile.readline(65537)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length", "0")
        if length.isdigit() and int(length):
            self.rfile.read(int(length))
        conn = headers.get("connection", "").lower()
        keep = conn != "close" if version == "HTTP/1.1" else conn == "keep-alive"
        try:
            resp = self.server.handler(self.server.site, method, target, headers)
        except Exception:
            logger.exception("error serving %s", target)
            resp = Response(500, [("Content-Type", "text/plain")], b"internal error")
        if resp.delay:  # --- Faults: stall, cut body, dropped connection
            time.sleep(resp.delay)
        if resp.drop or resp.truncate is not None:
            self.server.note(method, target, 0 if resp.drop else resp.status, headers)
            if resp.truncate is not None:
                self._send(method, target, replace(resp, truncate=None), False, cut=resp.truncate)
            return False
        self.server.note(method, target, resp.status, headers)
        self._send(method, target, resp, keep)
        return keep

    def _send(self, method: str, target: str, resp: Response, keep: bool,
              cut: int | None = None) -> None:
        lines = [f"HTTP/1.1 {resp.status} {_REASONS.get(resp.status, '')}",
                 f"Date: {_http_date()}", "Server: nginx"]
        lines.extend(f"{k}: {v}" for k, v in resp.headers)
        lines.append(f"Content-Length: {len(resp.body) if resp.status != 304 else 0}")
        lines.append("Connection: keep-alive" if keep else "Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        body = resp.body if cut is None else resp.body[:cut]
        payload = head if method == "HEAD" or resp.status == 304 else head + body
        self.wfile.write(payload)


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, email.utils.formatdate(now, usegmt=True))
    return _date_cache[1]


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, articles: int, seed: int, day: int,
                 quiet: bool = False, handler: Handler = handle,
                 themes: str | Sequence[str] | None = None) -> None:
        super().__init__((host, port), DemoHandler)
        self.quiet = quiet
        self.handler = handler
        public = "127.0.0.1" if host in ("", "0.0.0.0") else host
        self.base_url = f"http://{public}:{self.server_address[1]}/ja/"
        self.site = DemoSite(articles=articles, seed=seed, day=day, base_url=self.base_url,
                             themes=themes)
        self.request_log: TextIO | None = None
        """Open text file: one ``METHOD TARGET STATUS HOST`` line per request (status 0: the
        connection was dropped)."""
        self._log_lock = threading.Lock()

    def note(self, method: str, target: str, status: int, headers: Mapping[str, str]) -> None:
        """Log one request to stderr (unless quiet) and to :attr:`request_log`."""
        line = f"{method} {target} {status} {headers.get('host', '-')}\n"
        if not self.quiet:
            sys.stderr.write(line)
        if self.request_log is not None:
            with self._log_lock:
                self.request_log.write(line)
                self.request_log.flush()


def make_server(host: str = "127.0.0.1", port: int = 8765, articles: int = 300, seed: int = 0,
                day: int = 0, quiet: bool = False, handler: Handler = handle,
                themes: str | Sequence[str] | None = None) -> DemoServer:
    """A bound (not yet serving) server; ``port=0`` takes a free port; ``themes`` as
    ``--themes`` (default: the modelled theme only)."""
    return DemoServer(host, port, articles, seed, day, quiet=quiet, handler=handler,
                      themes=themes)


@contextlib.contextmanager
def serve_in_thread(articles: int = 300, seed: int = 0, day: int = 0, host: str = "127.0.0.1",
                    quiet: bool = True, handler: Handler = handle,
                    themes: str | Sequence[str] | None = None) -> Iterator[str]:
    """Serve the replica on a free port in a background thread; yields the base URL."""
    server = make_server(host, 0, articles, seed, day, quiet=quiet, handler=handler,
                         themes=themes)
    thread = threading.Thread(target=server.serve_forever, name="demosite", daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
