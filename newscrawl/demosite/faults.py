"""A hostile replica: ``--faults SEED:RATE`` wraps :func:`newscrawl.demosite.server.handle`.

On a deterministic share (``RATE``) of articles, chosen by article id and ``SEED``, the
canonical article URL misbehaves in one of the ways of :data:`KINDS`. Transient faults (5xx,
429, a stall, a cut body or connection) clear after ``K`` tries of that URL (``K`` is 1 or 2
per article, counted by the server), so a crawler with ``RETRY_TIMES >= 2`` gets the article.
The truth (:func:`newscrawl.demosite.truth.iter_truth`) names each article's fault and says
whether a correct crawler gets it (``retrievable``).

Only the canonical article URL (``/ja/{cat}/article/{id}``) is faulted, and ``/robots.txt``
(which disallows the ``robots_disallowed`` articles); every other URL answers as usual.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from newscrawl.demosite import assets, render
from newscrawl.demosite.generator import DEFAULT_THEME, DemoSite, mix
from newscrawl.demosite.server import HTML, Handler, Response, handle

_ARTICLE = re.compile(r"^(?P<cat>[a-z]+)/article/(?P<id>\d+)$")


@dataclass(frozen=True)
class FaultKind:
    """One way an article URL misbehaves, and what a correct crawler makes of it."""

    name: str
    transient: bool
    """Clears after ``K`` (1 or 2) tries of the URL."""
    retrievable: bool
    """A correct crawler writes the article."""
    expands: bool
    """A correct crawler sees the page's related / recommend / topics links."""
    reject: str | None
    """The rejects-feed reason a correct crawler gives when it cannot write the article."""
    content: bool = False
    """Rewrites the page itself: only on UTF-8 pages of the usual theme (``kangnam``, not
    ``theme_b``)."""


#: In rotation order: a kind that does not apply to a page passes to the next one. The
#: content kinds come first and the always-applicable ones after, so ``robots_disallowed``
#: (last) is chosen only directly, and robots.txt can be written without rendering pages.
KINDS: tuple[FaultKind, ...] = (
    FaultKind("broken_html", False, True, False, None, content=True),
    FaultKind("broken_jsonld", False, True, True, None, content=True),
    FaultKind("mislabeled_charset", False, True, True, None, content=True),
    FaultKind("unlabeled_charset", False, True, True, None, content=True),
    FaultKind("empty_body", False, False, True, "missing_body", content=True),
    FaultKind("no_headline", False, False, True, "missing_headline", content=True),
    FaultKind("http_500", True, True, True, None),
    FaultKind("http_502", True, True, True, None),
    FaultKind("http_503", True, True, True, None),
    FaultKind("http_429", True, True, True, None),
    FaultKind("stall", True, True, True, None),
    FaultKind("cut_body", True, True, True, None),
    FaultKind("cut_connection", True, True, True, None),
    FaultKind("http_404", False, False, False, "http_404"),
    FaultKind("http_410", False, False, False, "http_410"),
    FaultKind("redirect_loop", False, False, False, "redirect_loop"),
    FaultKind("offsite_redirect", False, False, False, "offsite_redirect"),
    FaultKind("pdf", False, False, False, "not_html"),
    FaultKind("jpeg", False, False, False, "not_html"),
    FaultKind("too_large", False, False, False, "too_large"),
    FaultKind("robots_disallowed", False, False, False, "robots_disallowed"),
)
BY_NAME: dict[str, FaultKind] = {k.name: k for k in KINDS}

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
FOREIGN_HOST = "evil.invalid"


@dataclass(frozen=True)
class FaultConfig:
    """``--faults SEED:RATE`` and the knobs of the slow faults."""

    seed: int
    rate: float
    stall_seconds: float = 35.0
    """How long a ``stall`` waits before answering (past Scrapy's 30 s DOWNLOAD_TIMEOUT)."""
    large_bytes: int = 11 * 1024 * 1024
    """Size of a ``too_large`` page (past Scrapy's 10 MiB DOWNLOAD_MAXSIZE)."""
    retry_after: int = 1
    """``Retry-After`` seconds of 503 and 429 answers."""
    only: tuple[str, ...] = ()
    """Restrict the kinds (tests); empty: all of :data:`KINDS`."""


def parse_faults(text: str) -> FaultConfig:
    """``"7:0.15"`` → seed 7, rate 0.15 (``argparse`` type)."""
    seed, sep, rate = text.partition(":")
    try:
        config = FaultConfig(int(seed), float(rate) if sep else 0.2)
    except ValueError:
        raise ValueError(f"--faults wants SEED:RATE (e.g. 7:0.15), got {text!r}") from None
    if not 0 <= config.rate <= 1:
        raise ValueError(f"the fault rate must be within 0..1, got {config.rate}")
    return config


def tries_to_clear(config: FaultConfig, article_id: int) -> int:
    """How many requests of a transient fault's URL fail before it answers normally (1-2)."""
    return 1 + mix(config.seed, article_id, "fault-tries") % 2


def _kinds(config: FaultConfig) -> tuple[FaultKind, ...]:
    return tuple(BY_NAME[n] for n in config.only) if config.only else KINDS


def _first_kind(config: FaultConfig, site: DemoSite, index: int) -> int | None:
    """Index in :func:`_kinds` of the article's drawn fault, or None when it has none."""
    article_id = site.article_id(index)
    if mix(config.seed, article_id, "fault") % 10_000 >= round(config.rate * 10_000):
        return None
    return mix(config.seed, article_id, "fault-kind") % len(_kinds(config))


def fault_of(config: FaultConfig | None, site: DemoSite, index: int) -> FaultKind | None:
    """The article's fault: the drawn kind, or the next one in rotation that applies."""
    if config is None:
        return None
    first = _first_kind(config, site, index)
    if first is None:
        return None
    kinds = _kinds(config)
    for step in range(len(kinds)):
        kind = kinds[(first + step) % len(kinds)]
        if _applies(kind, site, index):
            return kind
    return None


def _applies(kind: FaultKind, site: DemoSite, index: int) -> bool:
    if not kind.content:
        return True
    c = site.content(index)
    if c.encoding != "utf-8" or "theme_b" in c.variations or (
            site.theme_of(index) != DEFAULT_THEME):
        return False
    if kind.name == "broken_jsonld":
        return not {"no_jsonld", "date_text_only", "no_article_meta"} & set(c.variations)
    if kind.name in ("mislabeled_charset", "unlabeled_charset"):
        return _legacy_encoding(site, index) is not None
    return True


def _legacy_encoding(site: DemoSite, index: int) -> str | None:
    """Shift_JIS (cp932) or EUC-JP, whichever encodes the page strictly (by id, either)."""
    text = render.article_page(site, index)
    order = ("cp932", "euc_jp") if site.article_id(index) % 2 else ("euc_jp", "cp932")
    for name in order:
        try:
            text.encode(name)
        except UnicodeEncodeError:
            continue
        return name
    return None


def disallowed_paths(config: FaultConfig | None, site: DemoSite) -> list[str]:
    """Paths robots.txt disallows: the canonical URLs of ``robots_disallowed`` articles."""
    if config is None or "robots_disallowed" not in {k.name for k in _kinds(config)}:
        return []
    kinds = _kinds(config)
    out = []
    for index in range(site.total):
        first = _first_kind(config, site, index)
        if first is not None and kinds[first].name == "robots_disallowed":
            out.append(urlsplit(site.canonical_url(index)).path)
    return out


# --- Page rewrites (pure: text in, text out) ------------------------------------------------


def break_html(page: str) -> str:
    """Unclosed ``<p>``/``<li>``, and the page cut after the article (no comments, link
    blocks, ``</body>`` or ``</html>``): the article survives, the links do not."""
    cut = page.find('<section class="comments"')
    if cut > 0:
        page = page[:cut]
    return page.replace("</p>", "").replace("</li>", "")


def break_jsonld(page: str) -> str:
    """JSON-LD cut in the middle and left unparseable."""
    return re.sub(r'(<script type="application/ld\+json">)(.*?)(</script>)',
                  lambda m: m[1] + m[2][: len(m[2]) // 2] + ',,}' + m[3], page, count=1,
                  flags=re.S)


def empty_body(page: str) -> str:
    """The article's body container, emptied."""
    open_tag = '<div class="entry-content">'
    start = page.find(open_tag)
    if start < 0:
        return page
    start += len(open_tag)
    ends = [i for i in (page.find('<div class="reporter">', start),
                        page.find('<ul class="tags">', start)) if i > 0]
    end = page.rfind("</div>", start, min(ends)) if ends else -1
    return page[:start] + page[end:] if end >= start else page


def drop_headline(page: str) -> str:
    """No headline anywhere: empty ``<h1>`` and ``<title>``, no og:title, no JSON-LD headline."""
    page = re.sub(r'(<h1 class="entry-title">).*?(</h1>)', r"\1\2", page, count=1, flags=re.S)
    page = re.sub(r"<title>.*?</title>", "<title></title>", page, count=1, flags=re.S)
    page = re.sub(r'<meta property="og:title" content="[^"]*">', "", page)

    def strip_ld(m: re.Match[str]) -> str:
        try:
            data = json.loads(m[2])
        except ValueError:
            return m[0]
        if isinstance(data, dict):
            data.pop("headline", None)
        return m[1] + json.dumps(data, ensure_ascii=False) + m[3]

    return re.sub(r'(<script type="application/ld\+json">)(.*?)(</script>)', strip_ld, page,
                  flags=re.S)


def unlabel(page: str) -> str:
    """The page without its ``<meta charset>``."""
    return re.sub(r'<meta charset="[^"]*">', "", page, count=1)


# --- The wrapper ---------------------------------------------------------------------------------


class FaultyHandler:
    """A :data:`~newscrawl.demosite.server.Handler` that injects the faults of ``config``.

    Counts requests per faulted URL (transient faults clear after :func:`tries_to_clear`).
    """

    def __init__(self, config: FaultConfig, inner: Handler = handle) -> None:
        self.config = config
        self.inner = inner
        self._tries: dict[str, int] = {}
        self._lock = threading.Lock()
        self._robots: dict[int, list[str]] = {}

    def __call__(self, site: DemoSite, method: str, target: str,
                 headers: Mapping[str, str]) -> Response:
        response = self.inner(site, method, target, headers)
        path = urlsplit(target).path
        if path == "/robots.txt" and response.status == 200:
            return self._robots_txt(site, response)
        if not path.startswith(site.base_path) or response.status != 200:
            return response
        m = _ARTICLE.match(path[len(site.base_path):])
        if not m or urlsplit(target).query:
            return response
        index = site.index_of(int(m["id"]))
        if index is None:
            return response
        kind = fault_of(self.config, site, index)
        if kind is None:
            return response
        if kind.transient:
            with self._lock:
                tries = self._tries[path] = self._tries.get(path, 0) + 1
            if tries > tries_to_clear(self.config, site.article_id(index)):
                return response
        return self._inject(kind.name, site, index, response)

    def _robots_txt(self, site: DemoSite, response: Response) -> Response:
        with self._lock:
            paths = self._robots.get(id(site))
            if paths is None:
                paths = self._robots[id(site)] = disallowed_paths(self.config, site)
        if not paths:
            return response
        extra = "".join(f"Disallow: {p}\n" for p in paths).encode()
        body = response.body.replace(b"User-agent: *\n", b"User-agent: *\n" + extra, 1)
        return replace(response, body=body)

    def _inject(self, name: str, site: DemoSite, index: int, ok: Response) -> Response:
        config = self.config
        error_page = f"<html><body><h1>{name}</h1></body></html>".encode()
        if name.startswith("http_"):
            status = int(name[5:])
            headers = [("Content-Type", HTML)]
            if status in (503, 429):
                headers.append(("Retry-After", str(config.retry_after)))
            return Response(status, headers, error_page)
        if name == "stall":
            return replace(ok, delay=config.stall_seconds)
        if name == "cut_body":
            return replace(ok, truncate=len(ok.body) // 3)
        if name == "cut_connection":
            return replace(ok, drop=True)
        canonical = site.canonical_url(index)
        if name == "redirect_loop":  # the slash form redirects back to the canonical URL
            return Response(302, [("Location", canonical + "/"), ("Content-Type", HTML)])
        if name == "offsite_redirect":
            parts = urlsplit(canonical)
            if site.article_id(index) % 2:
                host = FOREIGN_HOST
            else:  # the same machine, another port: another site
                name_, _, port = site.host.partition(":")
                host = f"{name_}:{int(port or 80) + 1}"
            location = f"{parts.scheme}://{host}{parts.path}"
            return Response(302, [("Location", location), ("Content-Type", HTML)])
        if name == "pdf":
            return Response(200, [("Content-Type", "application/pdf")], PDF)
        if name == "jpeg":
            return Response(200, [("Content-Type", "image/jpeg")], assets.JPEG)
        if name == "too_large":
            pad = max(0, config.large_bytes - len(ok.body))
            body = ok.body.replace(b"</body>", b"<!--" + b"x" * pad + b"--></body>", 1)
            return replace(ok, body=body)
        if name == "robots_disallowed":  # a correct crawler never asks
            return ok
        page = ok.body.decode("utf-8")
        ctype = HTML
        if name == "broken_html":
            page = break_html(page)
        elif name == "broken_jsonld":
            page = break_jsonld(page)
        elif name == "empty_body":
            page = empty_body(page)
        elif name == "no_headline":
            page = drop_headline(page)
        elif name in ("mislabeled_charset", "unlabeled_charset"):
            encoding = _legacy_encoding(site, index) or "utf-8"
            if name == "unlabeled_charset":
                page, ctype = unlabel(page), "text/html"
            return Response(200, [("Content-Type", ctype)], page.encode(encoding))
        return Response(200, [("Content-Type", ctype)], page.encode("utf-8"))
