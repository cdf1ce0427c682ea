"""What every unfamiliar theme shares: the page's data (:class:`View`), the document shell,
head metadata, images, link lists, and the body walk (:class:`Theme`).

A theme only decides markup. Everything a page says comes from the generator's
:class:`~newscrawl.demosite.generator.Content`, so every theme serves the same ground truth.
Theme text outside the article must encode in Shift_JIS and EUC-JP (a page is served in its
article's encoding): characters outside JIS X 0208 are written as character references.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from urllib.parse import quote

from newscrawl.demosite import vocab
from newscrawl.demosite.generator import (
    JST,
    Block,
    Content,
    DemoSite,
    Links,
    Meta,
    iso,
    mix,
    tag_slug,
)
from newscrawl.demosite.render import MAIL_DOMAIN, SITE_NAME, paragraph_inner

#: A 1x1 transparent GIF: the ``src`` of a lazy-loaded image until a script swaps in ``data-src``.
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
AMP_HEAD = ('<script async src="https://cdn.ampproject.org/v0.js"></script>'
            "<style amp-boilerplate>body{visibility:hidden}</style>")


def e(text: str) -> str:
    """Text content, escaped."""
    return escape(text, quote=False)


def a(text: str) -> str:
    """An attribute value, escaped."""
    return escape(text, quote=True)


def when(minutes: int, fmt: str) -> str:
    """A JST time in a ``strftime`` format (``%Y年%m月%d日 %H:%M``, ``%Y.%m.%d``, …)."""
    return datetime.fromtimestamp(minutes * 60, tz=JST).strftime(fmt)


class View:
    """One article page to render: the article's data and the links around it."""

    def __init__(self, site: DemoSite, index: int, amp: bool, amp_url: bool | None = None
                 ) -> None:
        self.site = site
        self.index = index
        self.amp = amp
        """Write AMP markup (``<html amp>``, ``<amp-img>``, no scripts)."""
        self.amp_url = amp if amp_url is None else amp_url
        """The page is the AMP URL's: served in UTF-8, whatever the article's encoding."""
        self.c: Content = site.content(index)
        self.m: Meta = self.c.meta
        self.var = frozenset(self.c.variations)
        self.canon = site.canonical_url(index)
        self.base = site.base_path
        self.label = vocab.CATEGORIES[self.m.category]
        self.cat_url = f"{site.base_path}{self.m.category}/"
        self.names = [name for name, _ in self.c.authors]
        self.author_url = f"{site.base_path}author/{self.c.authors[0][1]}/"
        self.mail = f"{self.c.authors[0][1]}@{MAIL_DOMAIN}"
        self.tags = [(t, f"{site.base_path}tag/{tag_slug(t)}/") for t in self.c.tags]
        self.links: Links = site.links(index)
        self.dated = "date_text_only" not in self.var
        """The page may state its dates in machine-readable form (meta, JSON-LD, attributes)."""
        self.modified = self.m.modified != self.m.published
        self.states_modified = self.dated or self.modified
        """The page states a modified time (the truth's ``date_modified`` is not null)."""

    @property
    def charset(self) -> str:
        """The label to declare in the page, or ``""`` when the page declares none."""
        if self.amp_url or self.c.encoding == "utf-8":
            return "utf-8"
        if self.c.charset_decl in ("header", "none"):
            return ""
        return {"shift_jis": "Shift_JIS", "euc_jp": "EUC-JP"}[self.c.encoding]

    def byline(self, sep: str = "・") -> str:
        return e(sep.join(self.names))

    def link(self, j: int, *salt: int | str) -> str:
        """An escaped link to article ``j`` in one of the site's mixed URL forms."""
        return a(self.site.link_url(j, *salt, self.index))

    def title_of(self, j: int) -> str:
        return e(self.site.meta(j).headline)

    def label_of(self, j: int) -> str:
        return vocab.CATEGORIES[self.site.meta(j).category]

    def credit(self, n: int) -> str:
        """Image ``n``'s credit as the page shows it (``出典:AFP通信``), or ``""``."""
        image = self.c.images[n]
        return f"{image.prefix}{image.credit}" if image.credit else ""

    @property
    def credit_style(self) -> str:
        """Where this article's photo credits go: ``figcaption``, ``alt`` or ``after_p``."""
        for style in ("alt", "after_p"):
            if f"credit_{style}" in self.var:
                return style
        return "figcaption"

    def image_url(self, n: int) -> str:
        return a(self.c.images[n].url)


# -- the document -----------------------------------------------------------------------------


def document(v: View, title: str, head: str, body: str, *, doctype: str = "<!DOCTYPE html>",
             http_equiv: bool = False, body_attrs: str = "", style: str = "") -> str:
    """The page: doctype, ``<html>`` (with ``amp`` on the AMP form), charset declaration as
    the article's ``charset_decl`` says (``<meta charset>`` or, for old themes,
    ``<meta http-equiv>``), title, ``head`` and ``body``."""
    charset = v.charset
    if v.amp:  # AMP wants the HTML5 doctype and <meta charset>, whatever the theme
        doctype, http_equiv = "<!DOCTYPE html>", False
    if not charset:
        declared = ""
    elif http_equiv:
        declared = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    else:
        declared = f'<meta charset="{charset}">'
    if v.amp:
        head = f"{AMP_HEAD}{head}<style amp-custom>{style}</style>"
        html_open = '<html amp lang="ja">'
    else:
        head = f"{head}<style>{style}</style>" if style else head
        html_open = '<html lang="ja">'
    return (f"{doctype}\n{html_open}<head>{declared}"
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{e(title)}</title>{head}</head><body{body_attrs}>{body}</body></html>\n")


def head_links(v: View, *, amphtml: bool = True, shortlink: bool = True) -> str:
    out = f'<link rel="canonical" href="{v.canon}">'
    if amphtml and not v.amp:
        out += f'<link rel="amphtml" href="{v.canon}/amp/">'
    if shortlink:
        out += f'<link rel="shortlink" href="{v.site.base_url}?p={v.m.article_id}">'
    return out


def og_meta(v: View, description: bool = False) -> str:
    image = v.c.images[0].url if v.c.images else f"{v.site.base_url}assets/logo.png"
    out = ('<meta property="og:type" content="article">'
           f'<meta property="og:title" content="{a(v.c.headline)}">'
           f'<meta property="og:url" content="{v.canon}">'
           f'<meta property="og:image" content="{a(image)}">'
           f'<meta property="og:site_name" content="{SITE_NAME}">'
           '<meta property="og:locale" content="ja_JP">')
    if description:
        out += f'<meta name="description" content="{a(" ".join(v.c.summary))}">'
    return out


def article_meta(v: View) -> str:
    """``article:*`` meta tags, unless the article shows its dates only as text or has none."""
    if not v.dated or "no_article_meta" in v.var:
        return ""
    out = (f'<meta property="article:published_time" content="{iso(v.m.published)}">'
           f'<meta property="article:modified_time" content="{iso(v.m.modified)}">'
           f'<meta property="article:section" content="{v.label}">')
    return out + "".join(f'<meta property="article:tag" content="{a(t)}">' for t, _ in v.tags)


def jsonld(v: View, graph: bool = False) -> str:
    """A JSON-LD ``NewsArticle`` (or a Yoast-style ``@graph`` whose authors are references to
    ``Person`` nodes), unless the article shows its dates only as text or has none."""
    if not v.dated or "no_jsonld" in v.var:
        return ""
    article: dict[str, object] = {
        "@type": "NewsArticle", "headline": v.c.headline,
        "datePublished": iso(v.m.published), "dateModified": iso(v.m.modified),
        "image": [i.url for i in v.c.images], "articleSection": v.label,
        "keywords": v.c.tags, "commentCount": v.m.comment_count,
        "publisher": {"@type": "Organization", "name": SITE_NAME},
    }
    if not graph:
        article["mainEntityOfPage"] = {"@type": "WebPage", "@id": v.canon}
        article["author"] = [{"@type": "Person", "name": n} for n in v.names]
        data: dict[str, object] = {"@context": "https://schema.org", **article}
    else:
        people = [{"@type": "Person", "@id": f"{v.site.base_url}#/schema/person/{mail}",
                   "name": name} for name, mail in v.c.authors]
        article.update({"@id": f"{v.canon}#article", "isPartOf": {"@id": v.canon},
                        "mainEntityOfPage": {"@id": v.canon},
                        "author": [{"@id": p["@id"]} for p in people]})
        page = {"@type": "WebPage", "@id": v.canon, "url": v.canon,
                "name": f"{v.c.headline} | {SITE_NAME}", "inLanguage": "ja"}
        data = {"@context": "https://schema.org", "@graph": [article, page, *people]}
    return ('<script type="application/ld+json">'
            f"{json.dumps(data, ensure_ascii=False)}</script>")


# -- pieces -----------------------------------------------------------------------------------


def img(v: View, n: int, *, alt: str = "", attrs: str = "", lazy: bool = False,
        noscript: bool = False) -> str:
    """Image ``n``: ``<img>`` (lazy: a placeholder ``src`` and the photo in ``data-src``), or
    ``<amp-img>`` on the AMP form; ``noscript`` adds a plain ``<img>`` fallback."""
    src = v.image_url(n)
    alt_attr = f' alt="{a(alt)}"'
    fallback = f'<noscript><img src="{src}"{alt_attr}></noscript>' if noscript else ""
    if v.amp:
        return (f'<amp-img src="{src}"{alt_attr} width="640" height="427" layout="responsive"'
                f"{attrs}>{fallback}</amp-img>")
    if lazy:
        return (f'<img src="{PLACEHOLDER}" data-src="{src}"{alt_attr} width="640" '
                f'height="427"{attrs}>{fallback}')
    return f'<img src="{src}"{alt_attr} width="640" height="427"{attrs}>'


def items(v: View, block: str, targets: tuple[int, ...], fmt: str) -> str:
    """One ``fmt`` per target; its slots: ``{n}`` (1-based), ``{url}``, ``{title}``,
    ``{label}`` (category)."""
    return "".join(fmt.format(n=k + 1, url=v.link(j, block, k), title=v.title_of(j),
                              label=v.label_of(j))
                   for k, j in enumerate(targets))


def tag_links(v: View, fmt: str) -> str:
    """One ``fmt`` per tag; slots ``{url}`` and ``{name}``."""
    return "".join(fmt.format(url=url, name=e(name)) for name, url in v.tags)


def nav_links(v: View, fmt: str) -> str:
    """One ``fmt`` per category; slots ``{url}`` and ``{label}``."""
    return "".join(fmt.format(url=f"{v.base}{slug}/", label=label)
                   for slug, label in vocab.CATEGORIES.items())


def share_urls(v: View) -> tuple[str, str, str]:
    """(X, Facebook, LINE) share URLs of the page, escaped."""
    u = quote(v.canon, safe="")
    return (a(f"https://twitter.com/intent/tweet?url={u}"),
            a(f"https://www.facebook.com/sharer/sharer.php?u={u}"),
            a(f"https://social-plugins.line.me/lineit/share?url={u}"))


def tweet_handle(v: View) -> tuple[str, int]:
    return f"user{mix(v.m.index, 'tw') % 9000 + 1000}", mix(v.m.index, "st") % 10**18


def video_id(v: View) -> str:
    return f"{mix(v.m.index, 'yt') % 10**11:011d}"


# -- the theme --------------------------------------------------------------------------------


class Theme:
    """An article template. :meth:`page` lays out the page; the body walk (:meth:`body`)
    calls one method per block kind, each overridable."""

    name = ""
    description = ""
    amp_first = False
    """The canonical URL serves AMP markup (and the AMP URL the same page)."""

    def page(self, v: View) -> str:
        raise NotImplementedError

    def body(self, v: View) -> str:
        """The body's blocks, then the reporter's line when the article puts it there."""
        html = self.blocks(v, v.c.blocks)
        return html + self.reporter_in_body(v) if "reporter_in_body" in v.var else html

    def blocks(self, v: View, blocks: list[Block]) -> str:
        return "".join(self.block(v, b) for b in blocks)

    def block(self, v: View, b: Block) -> str:
        """One body block, by kind."""
        if b.kind == "p":
            return self.paragraph(v, b)
        if b.kind in ("h2", "h3"):
            return self.heading(v, b)
        if b.kind in ("ul", "ol"):
            return self.listing(v, b)
        if b.kind == "img":
            return self.image(v, b.image)
        if b.kind == "ad":
            return self.ad(v)
        if b.kind == "share":
            return self.share(v)
        if b.kind == "related_inline":
            return self.related_inline(v, b)
        if b.kind == "tweet":
            return self.tweet(v, b)
        if b.kind == "video":
            return self.video(v)
        raise ValueError(f"unknown block kind {b.kind!r}")

    def inner(self, v: View, b: Block, br: str = "<br>") -> str:
        return paragraph_inner(v.site, v.c, b, br)

    def paragraph(self, v: View, b: Block) -> str:
        html = f"<p>{self.inner(v, b)}</p>"
        return html + html if "dup_paragraph" in b.flags else html

    def heading(self, v: View, b: Block) -> str:
        return f"<{b.kind}>{e(b.lines[0])}</{b.kind}>"

    def listing(self, v: View, b: Block) -> str:
        return f"<{b.kind}>" + "".join(f"<li>{e(t)}</li>" for t in b.lines) + f"</{b.kind}>"

    def image(self, v: View, n: int) -> str:
        raise NotImplementedError

    def ad(self, v: View) -> str:
        raise NotImplementedError

    def share(self, v: View) -> str:
        raise NotImplementedError

    def related_inline(self, v: View, b: Block) -> str:
        raise NotImplementedError

    def tweet(self, v: View, b: Block) -> str:
        """Twitter's own embed code (the same on every site), or ``<amp-twitter>``."""
        handle, status = tweet_handle(v)
        quote_ = (f'<blockquote class="twitter-tweet"><p lang="ja" dir="ltr">{e(b.lines[0])}'
                  f"</p>&mdash; {handle} (@{handle}) "
                  f'<a href="https://twitter.com/{handle}/status/{status}">2025年12月11日</a>'
                  "</blockquote>")
        if v.amp:
            placeholder = quote_.replace("<blockquote ", "<blockquote placeholder ", 1)
            return (f'<amp-twitter width="375" height="472" layout="responsive" '
                    f'data-tweetid="{status}">{placeholder}</amp-twitter>')
        return quote_ + '<script async src="https://platform.twitter.com/widgets.js"></script>'

    def video(self, v: View) -> str:
        if v.amp:
            return (f'<amp-youtube data-videoid="{video_id(v)}" layout="responsive" '
                    'width="480" height="270"></amp-youtube>')
        return (f'<iframe src="https://www.youtube.com/embed/{video_id(v)}" '
                'title="YouTube video player" width="560" height="315" allowfullscreen>'
                "</iframe>")

    def reporter_in_body(self, v: View) -> str:
        name = e(v.names[0])
        return f'<p>{name} <a href="mailto:{v.mail}">{v.mail}</a></p>'
