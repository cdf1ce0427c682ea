"""Extraction quality: extracted article bodies scored against ground truth.

Pure functions:

- :func:`bigram_f1`: character-bigram F1 of two texts, whitespace-normalised (every run of
  whitespace, line breaks included, counts as one space);
- :func:`exact_match`: equal after the normalisation the truth's bodies already have
  (:func:`normalize_body`: one block per line, spaces collapsed, no zero-width characters,
  no empty lines);
- :func:`boilerplate`: the :data:`BOILERPLATE` markers the lines of a body match. It does not
  look at the truth: a body "has boilerplate" when any line reads like page furniture
  (related-link lists, paywall and 続きを読む lines, date lines, share prompts, credits,
  e-mail addresses, …). :data:`BOILERPLATE` is data, one place for every Japanese
  boilerplate pattern, so the parser can import the same list.

:func:`score_folder` scores one extractor on a folder of saved pages: ``{id}.html`` (the
page's bytes) and ``{id}.json`` (an object with at least ``body``, the true body text, one
block per line; optionally ``url``, ``content_type`` and fields to group by, such as
``theme``). ``python -m newscrawl.demosite dump DIR`` writes such a folder from the replica.

CLI: ``python -m newscrawl.quality DIR [--extractor newscrawl|trafilatura ...] [--by FIELD]
[--json PATH]`` prints body F1, the share of exact bodies and the share of bodies with
boilerplate, per extractor (and per group).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse
from w3lib.encoding import http_content_type_encoding

from newscrawl.boilerplate import BOILERPLATE as BOILERPLATE  # the markers are data there
from newscrawl.boilerplate import Marker as Marker
from newscrawl.pages.article import ParsedArticle, parse_article
from newscrawl.pages.page import BODY_LAYERS, TemplateSource
from newscrawl.pages.template import TemplateLearner
from newscrawl.pipelines.clean import clean_article
from newscrawl.text import normalize_space
from newscrawl.urls import Site

logger = logging.getLogger(__name__)


# -- scoring functions ------------------------------------------------------------------------


def normalize_ws(text: str) -> str:
    """Every run of whitespace (line breaks, U+3000 and NBSP included) as one space, trimmed."""
    return " ".join(text.split())


def normalize_body(text: str) -> str:
    """The truth's form of a body: one block per line, each line with zero-width characters
    dropped, whitespace runs as one space and no leading or trailing space; no empty lines."""
    lines = (normalize_space(line) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _bigrams(text: str) -> Counter[str]:
    text = normalize_ws(text)
    if len(text) < 2:
        return Counter([text] if text else [])
    return Counter(text[k:k + 2] for k in range(len(text) - 1))


def bigram_f1(extracted: str | None, truth: str) -> float:
    """Character-bigram F1 of ``extracted`` against ``truth``, whitespace-normalised: 1.0 when
    both are empty, 0.0 when only one is."""
    got, want = _bigrams(extracted or ""), _bigrams(truth)
    total = sum(got.values()) + sum(want.values())
    if not total:
        return 1.0
    return 2 * sum((got & want).values()) / total


def exact_match(extracted: str | None, truth: str) -> bool:
    """The bodies are equal after :func:`normalize_body`, line breaks included."""
    return normalize_body(extracted or "") == normalize_body(truth)


def boilerplate(text: str | None, markers: Iterable[Marker] = BOILERPLATE
                ) -> list[tuple[str, str]]:
    """``(marker name, line)`` for every line of ``text`` that a marker matches (the first
    marker that matches names it), in order."""
    found: list[tuple[str, str]] = []
    markers = tuple(markers)
    for raw in (text or "").splitlines():
        line = normalize_space(raw)
        if not line:
            continue
        for marker in markers:
            if marker.pattern.search(line):
                found.append((marker.name, line))
                break
    return found


def has_boilerplate(text: str | None, markers: Iterable[Marker] = BOILERPLATE) -> bool:
    return bool(boilerplate(text, markers))


# -- saved pages and extractors ---------------------------------------------------------------


@dataclass(frozen=True)
class SavedPage:
    """One page of a folder: ``{page_id}.html`` and its truth ``{page_id}.json``."""

    page_id: str
    html: bytes
    truth: dict[str, Any]
    url: str
    """``url`` of the JSON (else ``canonical_url``, else a file URL of the page)."""
    content_type: str | None = None
    """``content_type`` of the JSON: the HTTP header the page was served with, if known."""


@dataclass(frozen=True)
class Extracted:
    """What an extractor may return instead of the body alone."""

    body: str | None
    layer: str | None = None
    """The layer the body came from (``markup``, ``jsonld``, ``microdata``, ``template``,
    ``generic``), for the per-layer figures."""
    fields: dict[str, Any] = field(default_factory=dict)
    """Other fields as the crawl writes them (compared with the truth's, when it has them)."""


Extractor = Callable[[SavedPage], Extracted | str | None]
"""Page in, body text out (one block per line), or None when it finds no body; or an
:class:`Extracted`. An extractor with a ``prepare(pages)`` method is shown the folder's pages
first (the crawl's path learns its site template from them)."""

SHARED_FIELDS = ("article_id", "canonical_url", "headline", "summary", "authors",
                 "date_published", "date_modified", "category", "tags", "images", "credits",
                 "comment_count")
"""Fields of :class:`~newscrawl.items.Article` that the replica's truth has too (besides
``body``)."""


def _site_for(url: str) -> Site:
    """The site a page belongs to: the base URL before ``{category}/article/{id}``, else the
    page's origin (the parser reads a body from any page, on its site or not)."""
    match = re.match(r"^(https?://[^/]+/(?:[^/]+/)*?)[a-z0-9_-]+/article/\d+", url)
    if match:
        return Site(match[1])
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return Site(f"{parts.scheme}://{parts.netloc}/")
    return Site("http://localhost/")


def _response(page: SavedPage) -> HtmlResponse:
    headers = {"Content-Type": page.content_type} if page.content_type else {}
    return HtmlResponse(url=page.url, body=page.html, headers=headers)


def newscrawl_article(page: SavedPage, template: TemplateSource | None = None,
                      body_layers: Collection[str] = BODY_LAYERS) -> ParsedArticle:
    """The article as a crawl writes it: the parser, then the cleaning of the
    CleanPipeline (``clean_article``). The only place that calls the parser: update it when
    its API changes."""
    parsed = parse_article(_response(page), _site_for(page.url), template,
                           body_layers=body_layers)
    clean_article(parsed.article)
    return parsed


def newscrawl_body(page: SavedPage) -> str | None:
    """The body as a crawl writes it, from this page alone (no learned template)."""
    return newscrawl_article(page).article.body or None


class NewscrawlExtractor:
    """The crawl's path: :meth:`prepare` shows every page of the folder to a
    :class:`~newscrawl.pages.template.TemplateLearner` (a crawl learns its template from the
    pages it fetches: observe, then parse), then each page is parsed with that learner and
    cleaned. ``body_layers`` keeps some body layers only (the per-layer figures)."""

    def __init__(self, name: str, body_layers: Collection[str] = BODY_LAYERS) -> None:
        self.__name__ = name
        self.body_layers = tuple(body_layers)
        self.learner: TemplateLearner | None = None

    def prepare(self, pages: list[SavedPage]) -> None:
        if "template" not in self.body_layers:
            return
        self.learner = TemplateLearner()
        for page in pages:
            parsed = parse_article(_response(page), _site_for(page.url),
                                   body_layers=("markup",))
            if parsed.page is not None and parsed.page.is_html:
                self.learner.observe(parsed.page)

    def __call__(self, page: SavedPage) -> Extracted:
        parsed = newscrawl_article(page, self.learner, self.body_layers)
        article = parsed.article
        fields = {name: getattr(article, name) for name in SHARED_FIELDS}
        return Extracted(article.body or None, parsed.sources.get("body"), fields)


def trafilatura_body(page: SavedPage) -> str | None:
    """trafilatura alone, with its default settings (comments excluded), on the page's bytes
    (decoded first when the HTTP header named the charset)."""
    import trafilatura

    html: str | bytes = page.html
    charset = http_content_type_encoding(page.content_type) if page.content_type else None
    if charset:
        html = page.html.decode(charset, errors="replace")
    result: str | None = trafilatura.extract(html, url=page.url, include_comments=False)
    return result


EXTRACTORS: dict[str, Extractor] = {
    "newscrawl": NewscrawlExtractor("newscrawl"),
    "newscrawl-template": NewscrawlExtractor("newscrawl-template", ("template", "generic")),
    "newscrawl-generic": NewscrawlExtractor("newscrawl-generic", ("generic",)),
    "trafilatura": trafilatura_body,
}
"""By name: ``newscrawl`` (every layer, the template learned from the folder),
``newscrawl-template`` (the learned template, else the generic layer: no theme markup, no
structured data), ``newscrawl-generic`` (the generic layer alone), ``trafilatura``."""


def _sort_key(path: Path) -> tuple[int, int | str]:
    return (0, int(path.stem)) if path.stem.isdigit() else (1, path.stem)


def load_folder(folder: Path) -> tuple[list[SavedPage], list[tuple[str, str]]]:
    """The folder's pages, and ``(file name, reason)`` for each file left out (a page
    without its JSON or the reverse, JSON that is not an object with a string ``body``)."""
    pages: list[SavedPage] = []
    skipped: list[tuple[str, str]] = []
    htmls = {p.stem for p in folder.glob("*.html")}
    for path in sorted(folder.glob("*.json"), key=_sort_key):
        html_path = path.with_suffix(".html")
        if path.stem not in htmls:
            skipped.append((path.name, "no .html beside it"))
            continue
        try:
            truth = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            skipped.append((path.name, f"unreadable JSON: {exc}"))
            continue
        if not isinstance(truth, dict) or not isinstance(truth.get("body"), str):
            skipped.append((path.name, "no string 'body'"))
            continue
        url = truth.get("url") or truth.get("canonical_url") or html_path.resolve().as_uri()
        ctype = truth.get("content_type")
        pages.append(SavedPage(path.stem, html_path.read_bytes(), truth, str(url),
                               str(ctype) if ctype else None))
    jsons = {p.stem for p in folder.glob("*.json")}
    skipped.extend((f"{stem}.html", "no .json beside it") for stem in sorted(htmls - jsons))
    return pages, skipped


# -- scores -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageScore:
    page_id: str
    f1: float
    exact: bool
    boilerplate: tuple[str, ...]
    """Names of the markers the extracted body matches (once each)."""
    empty: bool
    """The extractor found no body."""
    group: str | None = None
    error: str | None = None
    """The extractor raised this (the page scores 0)."""
    layer: str | None = None
    """The layer the body came from, when the extractor says."""
    fields: dict[str, bool] = field(default_factory=dict)
    """Per shared field the extractor gave and the truth has: equal to the truth."""


@dataclass(frozen=True)
class Summary:
    pages: int
    f1: float
    """Mean body F1."""
    exact: float
    """Share of exact bodies."""
    boilerplate: float
    """Share of bodies with boilerplate."""
    empty: int
    errors: int
    markers: dict[str, int] = field(default_factory=dict)
    """Pages per boilerplate marker."""
    layers: dict[str, int] = field(default_factory=dict)
    """Pages per body layer."""
    fields: dict[str, float] = field(default_factory=dict)
    """Per shared field, the share of pages (that have it in the truth) where it is equal."""

    @classmethod
    def of(cls, scores: list[PageScore]) -> Summary:
        n = len(scores)
        markers = Counter(name for s in scores for name in s.boilerplate)
        layers = Counter(s.layer for s in scores if s.layer)
        checked = Counter(name for s in scores for name in s.fields)
        equal = Counter(name for s in scores for name, ok in s.fields.items() if ok)
        return cls(
            pages=n,
            f1=sum(s.f1 for s in scores) / n if n else 0.0,
            exact=sum(s.exact for s in scores) / n if n else 0.0,
            boilerplate=sum(bool(s.boilerplate) for s in scores) / n if n else 0.0,
            empty=sum(s.empty for s in scores),
            errors=sum(s.error is not None for s in scores),
            markers=dict(markers.most_common()),
            layers=dict(layers.most_common()),
            fields={name: equal[name] / checked[name] for name in SHARED_FIELDS
                    if checked[name]},
        )


@dataclass(frozen=True)
class FolderScore:
    extractor: str
    total: Summary
    groups: dict[str, Summary]
    """By the value of the ``group_by`` field of the pages' JSON."""
    pages: list[PageScore]
    skipped: list[tuple[str, str]]
    layers: dict[str, Summary] = field(default_factory=dict)
    """By the layer the body came from (extractors that say)."""


def field_equal(name: str, got: Any, want: Any) -> bool:
    """A field as the crawl writes it against the truth's (images as ``{url, credit}``)."""
    if name == "images":
        return bool([dict(image) for image in got or []] == want)
    return bool(got == want)


def score_page(page: SavedPage, extractor: Extractor, group_by: str | None = None,
               markers: Iterable[Marker] = BOILERPLATE) -> PageScore:
    """One page's figures; an extractor that raises scores 0 with the error recorded."""
    group = page.truth.get(group_by) if group_by else None
    group = None if group is None else str(group)
    try:
        result = extractor(page)
    except Exception as exc:  # a bad page must not end the run: it is scored and reported
        logger.warning("extractor failed on %s: %r", page.page_id, exc)
        return PageScore(page.page_id, 0.0, False, (), True, group, f"{type(exc).__name__}: {exc}")
    extracted = result if isinstance(result, Extracted) else Extracted(result)
    body, truth = extracted.body, page.truth["body"]
    found = tuple(dict.fromkeys(name for name, _ in boilerplate(body, markers)))
    fields = {name: field_equal(name, value, page.truth[name])
              for name, value in extracted.fields.items() if name in page.truth}
    return PageScore(page.page_id, bigram_f1(body, truth), exact_match(body, truth), found,
                     not body, group, None, extracted.layer, fields)


def score_folder(folder: Path | str, extractor: str | Extractor, *,
                 group_by: str | None = "theme",
                 markers: Iterable[Marker] = BOILERPLATE) -> FolderScore:
    """Score ``extractor`` (a name of :data:`EXTRACTORS` or a function) on every page of
    ``folder``; figures overall, per value of the pages' ``group_by`` field and per layer."""
    name = extractor if isinstance(extractor, str) else getattr(extractor, "__name__", "custom")
    function = EXTRACTORS[extractor] if isinstance(extractor, str) else extractor
    pages, skipped = load_folder(Path(folder))
    prepare = getattr(function, "prepare", None)
    if prepare is not None:
        prepare(pages)
    markers = tuple(markers)
    scores = [score_page(p, function, group_by, markers) for p in pages]
    by_group: dict[str, list[PageScore]] = {}
    by_layer: dict[str, list[PageScore]] = {}
    for s in scores:
        if s.group is not None:
            by_group.setdefault(s.group, []).append(s)
        if s.layer is not None:
            by_layer.setdefault(s.layer, []).append(s)
    groups = {g: Summary.of(by_group[g]) for g in sorted(by_group)}
    layers = {k: Summary.of(by_layer[k]) for k in by_layer}
    return FolderScore(name, Summary.of(scores), groups, scores, skipped, layers)


# -- CLI --------------------------------------------------------------------------------------

_HEAD = f"{'':<14}{'extractor':<20}{'pages':>6}{'body F1':>9}{'exact':>8}{'boilerplate':>13}" \
        f"{'empty':>7}{'errors':>7}"
_FIELD_HEADS = {"article_id": "id", "canonical_url": "url", "headline": "headline",
                "summary": "summary", "authors": "authors", "date_published": "published",
                "date_modified": "modified", "category": "category", "tags": "tags",
                "images": "images", "credits": "credits", "comment_count": "comments"}


def _row(label: str, extractor: str, s: Summary) -> str:
    return (f"{label:<14}{extractor:<20}{s.pages:>6}{s.f1:>9.4f}{s.exact:>8.1%}"
            f"{s.boilerplate:>13.1%}{s.empty:>7}{s.errors:>7}")


def _field_rows(result: FolderScore) -> list[str]:
    names = [n for n in SHARED_FIELDS if n in result.total.fields]
    if not names:
        return []
    head = f"{'':<14}" + "".join(f"{_FIELD_HEADS[n]:>10}" for n in names)
    rows = [f"fields equal to the truth ({result.extractor}, share of pages)", head]
    for label, summary in [("all pages", result.total), *result.groups.items()]:
        rows.append(f"{label:<14}" + "".join(
            f"{summary.fields[n]:>10.1%}" if n in summary.fields else f"{'-':>10}"
            for n in names))
    return rows


def report(results: list[FolderScore], group_by: str | None) -> str:
    """The figures as a text table: overall, then per group, then per layer of the body, then
    the other fields, then markers per extractor."""
    lines = [_HEAD.replace(f"{'':<14}", f"{'all pages':<14}", 1)]
    lines += [_row("", r.extractor, r.total) for r in results]
    groups = sorted({g for r in results for g in r.groups})
    if groups:
        lines += ["", _HEAD.replace(f"{'':<14}", f"{group_by or '':<14}", 1)]
        for g in groups:
            lines += [_row(g, r.extractor, r.groups[g]) for r in results if g in r.groups]
    layered = [r for r in results if r.layers]
    if layered:
        lines += ["", _HEAD.replace(f"{'':<14}", f"{'body layer':<14}", 1)]
        for r in layered:
            order = [k for k in BODY_LAYERS if k in r.layers]
            lines += [_row(k, r.extractor, r.layers[k]) for k in order]
    shown = False
    for r in results:  # the first extractor's fields per group, the others' overall
        rows = _field_rows(r)
        if rows:
            lines += ["", *(rows if not shown else rows[:3])]
            shown = True
    lines.append("")
    for r in results:
        markers = ", ".join(f"{k} {v}" for k, v in r.total.markers.items()) or "none"
        lines.append(f"boilerplate markers ({r.extractor}, pages): {markers}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.quality",
        description="Score extracted article bodies against {id}.json truth in a folder of "
                    "saved pages ({id}.html).")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--extractor", action="append", choices=list(EXTRACTORS),
                        help="repeat for several (default: all)")
    parser.add_argument("--by", default="theme", metavar="FIELD",
                        help="group the figures by this field of the JSON (default: theme)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="also write every figure, per page too, as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    results = [score_folder(args.folder, name, group_by=args.by)
               for name in args.extractor or list(EXTRACTORS)]
    skipped = results[0].skipped
    print(f"{results[0].total.pages} pages in {args.folder} ({len(skipped)} files skipped)")
    for file_name, reason in skipped:
        print(f"  skipped {file_name}: {reason}")
    if not results[0].total.pages:
        return 2
    print(report(results, args.by))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False,
                                        indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
