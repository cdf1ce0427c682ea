"""The replica's deterministic generator: articles, link graph, rankings, days.

Everything is a pure function of ``(seed, article index, day)``: no page is rendered ahead of
time and nothing depends on the order of requests. Two layers per article:

- :class:`Meta` is cheap (id, category, dates, headline, tags, hidden flag, duplicate source):
  enough for link titles, listings and the link graph;
- :class:`Content` is the full article (summary, body blocks, images, credits, variations).

Both are held in bounded LRU caches (:func:`functools.lru_cache`, one per site), so a site of
100,000 articles costs no more memory than one of 300 until its listings are asked for.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import random
import string
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

from newscrawl.demosite import vocab

logger = logging.getLogger(__name__)

JST = timezone(timedelta(hours=9))
DEFAULT_BASE_URL = "http://127.0.0.1:8765/ja/"
# "Now" on day 0, in minutes since the Unix epoch: 2025-12-12 12:00 JST.
T0_MINUTES = int(datetime(2025, 12, 12, 12, 0, tzinfo=JST).timestamp()) // 60
DAY_MINUTES = 24 * 60
ID_BASE = 500_000
ID_STRIDE = 3
GAP_MINUTES = 20  # mean spacing of day-0 articles

# Share (percent) of pages showing each independent variation.
SHARES: dict[str, int] = {
    "credit_inline": 10, "indent": 15, "br": 15, "nbsp": 10, "zero_width": 10,
    "inline_link": 15, "strong": 15, "subheading": 15, "list": 10, "dup_paragraph": 8,
    "ad": 15, "share": 15, "related_inline": 10, "embed": 8, "reporter_in_body": 8,
    "multi_author": 10, "js_comment_count": 10, "theme_b": 6,
}
DEFAULT_THEME = "kangnam"
THEMES: tuple[str, ...] = (
    DEFAULT_THEME, "flocss", "microdata", "legacy", "portal", "blog", "ampfirst")
"""Article-page templates (rendered by :mod:`newscrawl.demosite.themes`). ``kangnam`` is the
site as modelled (with its ``theme_b`` variation and the AMP plugin's form); the others are
unfamiliar themes written the way other Japanese news sites are."""
HIDDEN_PERCENT = 3  # hidden articles: no HTML link points at them (orphans or ranking-only)
NEAR_DUP_PERCENT = 3
EXACT_DUP_PERCENT = 2
UPDATE_PERCENT = 2  # share of existing articles updated on each new day

_MASK = (1 << 64) - 1
_STR_KEYS: dict[str, int] = {}


def _str_key(text: str) -> int:
    key = _STR_KEYS.get(text)
    if key is None:
        key = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
        if len(_STR_KEYS) < 10_000:
            _STR_KEYS[text] = key
    return key


def mix(*parts: int | str) -> int:
    """A stable 64-bit hash of ints and strings, the same in every process.

    Strings are first mapped to fixed integers (``hash()`` of a str is salted per process,
    ``hash()`` of a tuple of ints is not), then a multiply-xorshift finaliser spreads the bits.
    """
    h = hash(tuple([p if type(p) is int else _str_key(p) for p in parts]))  # type: ignore[arg-type]
    h = (h * 0x9E3779B97F4A7C15) & _MASK
    return h ^ (h >> 29)


def parse_themes(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """The themes of ``--themes``: None or ``""`` → the default theme only; ``mix`` → all;
    ``new`` → all but the default; else comma-separated names (order kept, repeats dropped).

    Raises ValueError naming the unknown theme.
    """
    if spec is None or spec == "":
        return (DEFAULT_THEME,)
    names = [n.strip() for n in spec.split(",")] if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for name in names:
        expanded = THEMES if name == "mix" else THEMES[1:] if name == "new" else (name,)
        for theme in expanded:
            if theme not in THEMES:
                raise ValueError(f"unknown theme {theme!r}: choose from mix, new, "
                                 + ", ".join(THEMES))
            if theme not in out:
                out.append(theme)
    if not out:
        raise ValueError("no theme named")
    return tuple(out)


def iso(minutes: int) -> str:
    """ISO 8601 in JST with minute precision: ``2025-12-12T09:10:00+09:00``."""
    return datetime.fromtimestamp(minutes * 60, tz=JST).isoformat()


@functools.lru_cache(maxsize=4096)
def tag_slug(name: str) -> str:
    """WordPress-style slug of a Japanese tag: lower-case percent-encoding, some with ``-2``."""
    slug = quote(name, safe="").lower()
    return slug + "-2" if name in vocab.TAGS_WITH_SUFFIX else slug


@dataclass(frozen=True)
class Meta:
    index: int
    article_id: int
    category: str
    published: int
    modified: int
    headline: str
    tags: tuple[str, ...]
    hidden: bool
    source: int
    """Index whose story this article tells (itself, or the original of a duplicate)."""
    dup_kind: str | None
    n_images: int
    comment_count: int
    update_days: tuple[int, ...]
    context: tuple[tuple[str, str], ...] = ()
    url: str = ""
    """The canonical URL."""


@dataclass(frozen=True)
class Image:
    url: str
    credit: str | None
    prefix: str


@dataclass
class Block:
    kind: str
    """``p``, ``h2``, ``h3``, ``ul``, ``ol``, ``img``, ``ad``, ``share``, ``related_inline``,
    ``tweet``, ``video``."""
    lines: list[str] = field(default_factory=list)
    inline_credit: str | None = None
    image: int = -1
    flags: frozenset[str] = frozenset()
    targets: tuple[int, ...] = ()


@dataclass
class Content:
    meta: Meta
    headline: str
    summary: list[str]
    authors: list[tuple[str, str]]
    tags: list[str]
    images: list[Image]
    blocks: list[Block]
    variations: list[str]
    encoding: str
    charset_decl: str
    """``header``, ``meta``, ``both`` or ``none`` (non-UTF-8 pages only)."""
    date_style: int
    credits: list[str]
    body: str


@dataclass(frozen=True)
class Links:
    related: tuple[int, ...]
    recommend: tuple[int, ...]
    topics: tuple[int, ...]


Context = dict[str, str]


_FIELDS: dict[str, tuple[str, ...]] = {}


def _fields(template: str) -> tuple[str, ...]:
    names = _FIELDS.get(template)
    if names is None:
        names = tuple(sorted({f for _, f, _, _ in string.Formatter().parse(template) if f}))
        _FIELDS[template] = names
    return names


def _fill(template: str, rng: random.Random, cat: str, ctx: Context | None = None) -> str:
    """Fill a template's slots (only those it uses) from the vocabularies and the context."""

    def pick(key: str, options: tuple[str, ...]) -> str:
        if ctx is not None and rng.random() < _STICKY[key]:
            return ctx[key]
        return options[int(rng.random() * len(options))]

    values: dict[str, object] = {}
    for f in _fields(template):
        if f in ("person", "person_short", "name"):
            if "name" not in values:
                values["name"] = values["person_short"] = pick("name", vocab.PEOPLE)
            if f == "person":
                # the article's main person keeps one role throughout
                role = ctx["role"] if ctx is not None and values["name"] == ctx["name"] else (
                    vocab.ROLES[cat][int(rng.random() * len(vocab.ROLES[cat]))])
                values["person"] = f"{values['name']}{role}"
        elif f in ("place", "org", "topic"):
            options = vocab.PLACES if f == "place" else (
                vocab.ORGS[cat] if f == "org" else vocab.TOPICS[cat])
            values[f] = pick(f, options)
        elif f in ("num", "pct"):
            values[f] = 2 + int(rng.random() * 29) if f == "num" else 3 + int(rng.random() * 76)
        else:
            options = _SIMPLE[f]
            values[f] = options[int(rng.random() * len(options))]
    return template.format_map(values)


# How often a slot reuses the article's main person, place, organisation or topic.
_STICKY: dict[str, float] = {"name": 0.6, "place": 0.7, "org": 0.7, "topic": 0.85}
_SIMPLE: dict[str, tuple[str, ...]] = {
    "thing": vocab.THINGS, "day": vocab.DAYS, "act": vocab.ACTS, "adj": vocab.ADJS,
    "brand": vocab.BRANDS, "quote": vocab.QUOTES,
}


class _Deck:
    """Sentence templates dealt without repeats until all have been used."""

    def __init__(self, rng: random.Random, cards: tuple[str, ...]) -> None:
        self.rng, self.cards, self.hand = rng, cards, list[str]()

    def draw(self) -> str:
        if not self.hand:
            self.hand = self.rng.sample(self.cards, len(self.cards))
        return self.hand.pop()


def _paragraph(rng: random.Random, cat: str, ctx: Context | None = None,
               deck: _Deck | None = None) -> list[str]:
    deck = deck or _Deck(rng, vocab.SENTENCES)
    return [_fill(deck.draw(), rng, cat, ctx) for _ in range(rng.randint(2, 3))]


class DemoSite:
    """One day of the replica site."""

    def __init__(self, articles: int = 300, seed: int = 0, day: int = 0,
                 base_url: str = DEFAULT_BASE_URL,
                 themes: str | Sequence[str] | None = None) -> None:
        if articles < 1 or day < 0:
            raise ValueError("articles must be >= 1 and day >= 0")
        self.themes = parse_themes(themes)
        """The article templates pages are drawn from (see :meth:`theme_of`)."""
        self.seed = seed
        self.day = day
        self.counts = [articles]
        for _ in range(day):
            self.counts.append(self.counts[-1] + max(1, self.counts[-1] // 20))
        self.total = self.counts[-1]
        self.n0 = articles
        base = base_url if base_url.endswith("/") else base_url + "/"
        parts = urlsplit(base)
        self.base_url = base
        self.scheme = parts.scheme
        self.host = parts.netloc
        self.base_path = parts.path
        name, _, port = parts.netloc.partition(":")
        alias = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(name, name)
        self.alias_host = f"{alias}:{port}" if port else alias
        self.now = T0_MINUTES + day * DAY_MINUTES
        # Bounded per-site caches; a value may be computed twice by racing threads (both
        # results are equal: everything is a pure function of the index).
        self._meta: Callable[[int], Meta] = functools.lru_cache(maxsize=50_000)(self._make_meta)
        self._content: Callable[[int], Content] = functools.lru_cache(maxsize=2_000)(
            self._make_content)
        self._links: Callable[[int], Links] = functools.lru_cache(maxsize=50_000)(
            self._make_links)
        self._index_lock = threading.Lock()
        self._by_category: dict[str, list[int]] | None = None
        self._by_tag: dict[str, list[int]] | None = None
        self._visible_desc: list[int] | None = None

    # -- ids and time ---------------------------------------------------------------------

    def article_id(self, index: int) -> int:
        return ID_BASE + ID_STRIDE * index + mix(self.seed, index, "id") % ID_STRIDE

    def index_of(self, article_id: int) -> int | None:
        index = (article_id - ID_BASE) // ID_STRIDE
        if 0 <= index < self.total and self.article_id(index) == article_id:
            return index
        return None

    def created_day(self, index: int) -> int:
        for d, count in enumerate(self.counts):
            if index < count:
                return d
        raise IndexError(index)

    def _published(self, index: int) -> int:
        d = self.created_day(index)
        jitter = mix(self.seed, index, "t") % GAP_MINUTES
        if d == 0:
            return T0_MINUTES - (self.n0 - index) * GAP_MINUTES + jitter
        start, end = self.counts[d - 1], self.counts[d]
        step = DAY_MINUTES // (end - start + 1)
        return T0_MINUTES + (d - 1) * DAY_MINUTES + (index - start + 1) * step

    def is_hidden(self, index: int) -> bool:
        return mix(self.seed, index, "hidden") % 100 < HIDDEN_PERCENT

    def _dup(self, index: int) -> tuple[int, str | None]:
        """(source index, duplicate kind) of an article."""
        if index < 10:
            return index, None
        h = mix(self.seed, index, "dup") % 100
        if h >= NEAR_DUP_PERCENT + EXACT_DUP_PERCENT:
            return index, None
        kind = "near_duplicate" if h < NEAR_DUP_PERCENT else "exact_duplicate"
        src = index - 1 - mix(self.seed, index, "dupsrc") % min(index, 40)
        while self._dup(src)[1] is not None:
            src -= 1
        return src, kind

    def theme_of(self, index: int) -> str:
        """The article's template: one of :attr:`themes`, drawn from (seed, article id). An
        exact duplicate is its original republished: it keeps the original's theme."""
        if len(self.themes) == 1:
            return self.themes[0]
        source, kind = self._dup(index)
        key = self.article_id(source if kind == "exact_duplicate" else index)
        return self.themes[mix(self.seed, key, "theme") % len(self.themes)]

    # -- meta -----------------------------------------------------------------------------

    def meta(self, index: int) -> Meta:
        return self._meta(index)

    def _story(self, source: int) -> tuple[str, Context, tuple[str, ...]]:
        """Category, context and tags of a story: cheap (no RNG), so listings can scan."""
        h = mix(self.seed, source, "cat") % sum(vocab.CATEGORY_WEIGHTS)
        cat = vocab.CATEGORY_SLUGS[-1]
        for slug, weight in zip(vocab.CATEGORY_SLUGS, vocab.CATEGORY_WEIGHTS, strict=True):
            if h < weight:
                cat = slug
                break
            h -= weight
        options = {"name": vocab.PEOPLE, "role": vocab.ROLES[cat], "place": vocab.PLACES,
                   "org": vocab.ORGS[cat], "topic": vocab.TOPICS[cat]}
        ctx = {k: v[mix(self.seed, source, "ctx", k) % len(v)] for k, v in options.items()}
        tags = [ctx["topic"], ctx["place"]]
        pool = vocab.TAG_EXTRA + vocab.TOPICS[cat]
        for k in range(mix(self.seed, source, "ntags") % 4):
            extra = pool[mix(self.seed, source, "tag", k) % len(pool)]
            if extra not in tags:
                tags.append(extra)
        return cat, ctx, tuple(tags)

    def _make_meta(self, index: int) -> Meta:
        source, kind = self._dup(index)
        rng = random.Random(mix(self.seed, source, "meta"))
        cat, ctx, tags = self._story(source)
        headline = _fill(rng.choice(vocab.HEADLINES), rng, cat, ctx)
        n_images = rng.choices((0, 1, 2, 3, 4), (10, 35, 30, 15, 10))[0]
        if kind == "near_duplicate":
            tweak = random.Random(mix(self.seed, index, "tweak")).choice(vocab.HEADLINE_TWEAKS)
            headline = tweak.format(h=headline)
        published = self._published(index)
        h = mix(self.seed, index, "mod")
        ceiling = T0_MINUTES + self.created_day(index) * DAY_MINUTES
        modified = min(published + (h % 240 if h % 3 else 0), ceiling)
        updates = tuple(
            e for e in range(self.created_day(index) + 1, self.day + 1)
            if mix(self.seed, index, "upd", e) % 100 < UPDATE_PERCENT
        )
        if updates:
            last = updates[-1]
            modified = T0_MINUTES + (last - 1) * DAY_MINUTES + 60 + mix(
                self.seed, index, "updt", last) % (DAY_MINUTES - 120)
        c = mix(self.seed, index, "comments") % 100
        return Meta(
            index=index, article_id=self.article_id(index), category=cat,
            published=published, modified=max(modified, published), headline=headline,
            tags=tags, hidden=self.is_hidden(index), source=source, dup_kind=kind,
            n_images=n_images, comment_count=0 if c < 55 else 1 + c % 40, update_days=updates,
            context=tuple(ctx.items()),
            url=f"{self.base_url}{cat}/article/{self.article_id(index)}",
        )

    # -- URLs -----------------------------------------------------------------------------

    def canonical_url(self, index: int) -> str:
        return self.meta(index).url

    def aliases(self, index: int) -> list[str]:
        canon = self.canonical_url(index)
        alias = canon.replace(f"//{self.host}/", f"//{self.alias_host}/", 1)
        out = [canon + "/", canon + "/amp/", canon + "/amp/?noamp=mobile",
               f"{self.base_url}?p={self.article_id(index)}"]
        if alias != canon:
            out.append(alias)
        return out

    def image_url(self, index: int, n: int) -> str:
        m = self.meta(index)
        dt = datetime.fromtimestamp(m.published * 60, tz=JST)
        return f"{self.base_url}wp-content/uploads/{dt:%Y}/{dt:%m}/{m.article_id}-{n}.jpg"

    def link_url(self, index: int, *salt: int | str, absolute: bool = False) -> str:
        """A link to an article in one of the site's mixed forms, chosen by ``salt``."""
        canon = self.canonical_url(index)
        h = mix(self.seed, index, *salt) % 100
        if h < 40:
            return canon
        if h < 55:
            return canon if absolute else canon[len(self.scheme) + 3 + len(self.host):]
        if h < 65:
            return canon + "/"
        if h < 73:
            return canon + "/amp/"
        if h < 80:
            return canon + "/amp/?noamp=mobile"
        if h < 87:
            return f"{self.base_url}?p={self.article_id(index)}"
        if h < 95:
            medium = ("related", "recommend", "social", "ranking")[h % 4]
            return f"{canon}?utm_source=kangnamtimes&utm_medium={medium}&utm_campaign=ja"
        return canon.replace(f"//{self.host}/", f"//{self.alias_host}/", 1)

    # -- link graph -----------------------------------------------------------------------

    def _prev_visible(self, index: int) -> int | None:
        j = index - 1
        while j >= 0 and self.is_hidden(j):
            j -= 1
        return j if j >= 0 else None

    def _random_visible(self, index: int, *salt: int | str) -> int | None:
        limit = index if index >= self.n0 else self.n0
        if limit <= 1:
            return None
        j = mix(self.seed, index, *salt) % limit
        for _ in range(limit):
            if j != index and not self.is_hidden(j):
                return j
            j = (j - 1) % limit
        return None

    def _pick(self, index: int, n: int, name: str, first: int | None = None) -> tuple[int, ...]:
        out: list[int] = [first] if first is not None else []
        tries = 0
        while len(out) < n and tries < 4 * n:
            j = self._random_visible(index, name, tries)
            tries += 1
            if j is not None and j not in out:
                out.append(j)
        while out and len(out) < n:  # tiny sites: repeat rather than leave a block short
            out.append(out[len(out) % max(1, len(out))])
        return tuple(out)

    def links(self, index: int) -> Links:
        return self._links(index)

    def _make_links(self, index: int) -> Links:
        return Links(
            related=self._pick(index, 8, "rel", self._prev_visible(index)),
            recommend=self._pick(index, 5, "rec"),
            topics=self._pick(index, 5, "top"),
        )

    def visible_desc(self) -> Iterator[int]:
        """Existing, non-hidden articles, newest first."""
        for i in range(self.total - 1, -1, -1):
            if not self.is_hidden(i):
                yield i

    def latest(self, n: int = 30) -> list[int]:
        out: list[int] = []
        for i in self.visible_desc():
            out.append(i)
            if len(out) == n:
                break
        return out

    def ranking(self, range_: str) -> list[int]:
        """Ten article indices, rank 1 first. A few hidden articles appear only here."""
        rng = random.Random(mix(self.seed, self.day, "ranking", range_))
        pool_size = 60 if range_ == "daily" else 300
        pool: list[int] = []
        for i in self.visible_desc():
            pool.append(i)
            if len(pool) == pool_size:
                break
        hidden = [i for i in range(self.total - 1, max(-1, self.total - 400), -1)
                  if self.is_hidden(i)]
        extra = hidden[:2] if range_ == "daily" else hidden[2:3]
        items = rng.sample(pool, min(10 - len(extra), len(pool)))
        for i in extra:
            items.insert(rng.randint(0, len(items)), i)
        return items

    # -- listings (built once, lazily, when a listing page is asked for) -------------------

    def _build_index(self) -> None:
        with self._index_lock:
            if self._visible_desc is not None:
                return
            by_cat: dict[str, list[int]] = {c: [] for c in vocab.CATEGORY_SLUGS}
            by_tag: dict[str, list[int]] = {}
            visible = list(self.visible_desc())
            for i in visible:
                cat, _, tags = self._story(self._dup(i)[0])
                by_cat[cat].append(i)
                for t in tags:
                    by_tag.setdefault(tag_slug(t), []).append(i)
            self._by_category, self._by_tag = by_cat, by_tag
            self._visible_desc = visible

    def category_list(self, category: str) -> list[int]:
        self._build_index()
        assert self._by_category is not None
        return self._by_category.get(category, [])

    def tag_list(self, slug: str) -> list[int]:
        self._build_index()
        assert self._by_tag is not None
        return self._by_tag.get(slug, [])

    def tag_names(self) -> dict[str, str]:
        names = {tag_slug(t): t for t in vocab.TAG_EXTRA + vocab.PLACES}
        for topics in vocab.TOPICS.values():
            names.update({tag_slug(t): t for t in topics})
        return names

    def all_visible(self) -> list[int]:
        self._build_index()
        assert self._visible_desc is not None
        return self._visible_desc

    # -- content --------------------------------------------------------------------------

    def content(self, index: int) -> Content:
        return self._content(index)

    def _has(self, index: int, name: str) -> bool:
        return mix(self.seed, index, "var", name) % 100 < SHARES[name]

    def _make_content(self, index: int) -> Content:
        """The article's text, images and links, drawn from its own random stream.

        Longer than 60 lines on purpose: the order of the draws *is* the replica's content
        (moving one changes every article and every benchmark figure), so the recipe stays in
        one piece, in draw order."""
        m = self.meta(index)
        src = m.source
        cat = m.category
        rng = random.Random(mix(self.seed, src, "body"))
        ctx = dict(m.context)
        summary = [_fill(t, rng, cat, ctx) for t in rng.sample(vocab.SUMMARY_LINES, 3)]
        deck = _Deck(rng, vocab.SENTENCES)
        paragraphs = [_paragraph(rng, cat, ctx, deck) for _ in range(rng.randint(3, 15))]
        sources = [rng.choice(vocab.CREDIT_SOURCES) if rng.random() > 0.08 else None
                   for _ in range(m.n_images)]
        reporters = rng.sample(vocab.REPORTERS, 2)
        img_owner = src
        if m.dup_kind == "near_duplicate":
            edit_rng = random.Random(mix(self.seed, index, "edit"))
            edits = ["add"] + (["remove"] if len(paragraphs) > 3 else []) + (
                ["credit"] if sources else [])
            edit = edit_rng.choice(edits)
            if edit == "add":
                paragraphs.insert(edit_rng.randint(1, len(paragraphs)),
                                  _paragraph(edit_rng, cat, ctx))
            elif edit == "remove":
                del paragraphs[edit_rng.randrange(1, len(paragraphs))]
            else:
                k = edit_rng.randrange(len(sources))
                choices = [s for s in vocab.CREDIT_SOURCES if s != sources[k]]
                sources[k] = edit_rng.choice(choices)
        for e in m.update_days:
            urng = random.Random(mix(self.seed, index, "upd-text", e))
            paragraphs.append([_fill(urng.choice(vocab.UPDATE_SENTENCES), urng, cat, ctx)])

        # Variations: decided per article (not per story), from independent hashes.
        # An exact duplicate is the same page republished: it keeps its original's layout.
        vkey = src if m.dup_kind == "exact_duplicate" else index
        var = {name for name in SHARES if self._has(vkey, name)}
        h = mix(self.seed, index, "enc") % 100
        encoding = "shift_jis" if h < 5 else "euc_jp" if h < 10 else "utf-8"
        lay = random.Random(mix(self.seed, vkey, "layout"))
        if encoding != "utf-8":
            var.discard("zero_width")
        prefixes = vocab.CREDIT_PREFIXES if encoding == "utf-8" else vocab.JIS_CREDIT_PREFIXES
        prefix = lay.choice(prefixes)
        if sources:
            style = lay.choices(("credit_figcaption", "credit_alt", "credit_after_p"),
                                (60, 20, 20))[0]
            var.add(style)
        h = mix(self.seed, index, "dates") % 100
        if h < 6:
            var.add("date_text_only")
        elif h < 14:
            var.add("no_jsonld")
        elif h < 22:
            var.add("no_article_meta")
        if m.dup_kind:
            var.add(m.dup_kind)
        authors = reporters if "multi_author" in var else reporters[:1]

        images = [Image(self.image_url(img_owner, n + 1), s, prefix)
                  for n, s in enumerate(sources)]
        blocks = self._layout(index, paragraphs, images, var, lay, cat, ctx)
        lines: list[str] = []
        credits: list[str] = []
        for b in blocks:
            if b.kind in ("p", "h2", "h3", "ul", "ol"):
                lines.extend(b.lines)
            if b.inline_credit and b.inline_credit not in credits:
                credits.append(b.inline_credit)
            if b.kind == "img":
                c = images[b.image].credit
                if c and c not in credits:
                    credits.append(c)
        body = "\n".join(lines)
        charset_decl = ""
        if encoding != "utf-8":
            texts = [m.headline, body, *summary, *m.tags, *(a[0] for a in authors),
                     *(f"{i.prefix}{i.credit}" for i in images if i.credit), *credits]
            try:
                for t in texts:
                    t.encode(encoding)
            except UnicodeEncodeError:
                logger.debug("article %s cannot be served in %s", index, encoding)
                encoding = "utf-8"
        if encoding != "utf-8":
            var.add(encoding)
            charset_decl = lay.choice(("header", "meta", "both", "none"))
            if charset_decl == "none":
                var.add("charset_undeclared")
        return Content(
            meta=m, headline=m.headline, summary=summary, authors=authors, tags=list(m.tags),
            images=images, blocks=blocks, variations=sorted(var), encoding=encoding,
            charset_decl=charset_decl, date_style=lay.randint(0, 1), credits=credits, body=body,
        )

    def _layout(self, index: int, paragraphs: list[list[str]], images: list[Image],
                var: set[str], lay: random.Random, cat: str, ctx: Context) -> list[Block]:
        np_ = len(paragraphs)
        paras: list[Block] = []
        for sentences in paragraphs:
            paras.append(Block("p", ["".join(sentences)]))
        if "br" in var:
            candidates = [k for k, s in enumerate(paragraphs) if len(s) > 1]
            for k in candidates[:2]:
                s = paragraphs[k]
                paras[k].lines = [s[0], "".join(s[1:])]
        if "nbsp" in var:
            k = lay.randrange(np_)
            paras[k].lines[-1] += _fill(lay.choice(vocab.BRAND_SENTENCES), lay, cat)
            paras[k].flags |= {"nbsp"}
        if "credit_inline" in var:
            paras[0].inline_credit = lay.choice(vocab.INLINE_CREDIT_SOURCES)
        for name in ("strong", "inline_link", "zero_width", "dup_paragraph"):
            if name in var:
                k = lay.randrange(np_)
                paras[k].flags |= {name}
                if name == "inline_link":
                    paras[k].targets = (self._random_visible(index, "inline") or 0,)
        if "indent" in var:
            for p in paras:
                p.flags |= {"indent"}
        out: list[Block] = []
        img_after: dict[int, list[int]] = {}
        for n in range(len(images)):
            img_after.setdefault((n * np_) // len(images), []).append(n)
        heads = {np_ // 3 or 1, (2 * np_) // 3} if "subheading" in var else set()
        list_at = lay.randrange(np_) if "list" in var else -1
        ad_at = min(1, np_ - 1) if "ad" in var else -1
        rel_at = np_ // 2 if "related_inline" in var else -1
        embed_at = max(0, np_ - 2) if "embed" in var else -1
        if "share" in var:
            out.append(Block("share"))
        for k, p in enumerate(paras):
            if k in heads and k > 0:
                level = "h2" if lay.random() < 0.6 else "h3"
                out.append(Block(level, [_fill(lay.choice(vocab.SUBHEADINGS), lay, cat, ctx)]))
            out.append(p)
            for n in img_after.get(k, []):
                out.append(Block("img", image=n))
            if k == list_at:
                items = [_fill(t, lay, cat, ctx) for t in lay.sample(vocab.LIST_ITEMS, 3)]
                out.append(Block("ul" if lay.random() < 0.5 else "ol", items))
            if k == ad_at:
                out.append(Block("ad"))
            if k == rel_at:
                targets = {self._random_visible(index, "relinline", t) for t in range(3)}
                out.append(Block("related_inline",
                                 targets=tuple(t for t in targets if t is not None)))
            if k == embed_at:
                out.append(Block("tweet", [_fill(lay.choice(vocab.TWEETS), lay, cat)]))
                out.append(Block("video"))
        return out
