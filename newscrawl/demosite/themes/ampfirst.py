"""``ampfirst``: an AMP-first news site: the canonical URL itself serves AMP HTML.

``<html amp>``, the canonical link pointing at the page itself (no ``amphtml``), AMP
components for everything (``<amp-img>`` without a ``<noscript>`` copy, ``<amp-ad>``,
``<amp-social-share>``, ``<amp-twitter>`` with the tweet as placeholder text,
``<amp-youtube>``, ``<amp-sidebar>`` menu, ``<amp-analytics>`` with a JSON config). Short
hyphenated class names (``art-ttl``, ``art-txt``); the summary is three ``<p>`` right above the
body; the byline (記者：) and the reporter's address follow the body. The AMP URL serves the
same page; the canonical form keeps the article's encoding (Shift_JIS or EUC-JP pages too).
"""

from __future__ import annotations

from newscrawl.demosite.generator import Block, iso
from newscrawl.demosite.render import SITE_NAME
from newscrawl.demosite.themes.base import (
    Theme,
    View,
    a,
    article_meta,
    document,
    e,
    head_links,
    img,
    items,
    jsonld,
    nav_links,
    og_meta,
    tag_links,
    when,
)

_ELEMENTS = ("amp-sidebar", "amp-social-share", "amp-ad", "amp-twitter", "amp-youtube",
             "amp-analytics")
_FMT = "%Y/%m/%d %H:%M"
_STYLE = ".art-ttl{font-size:1.4rem}.art-sum p{font-weight:bold;margin:0}"


class AmpFirst(Theme):
    name = "ampfirst"
    description = ("AMP-first site: the canonical page is AMP (amp-img without noscript, "
                   "amp-ad, amp-social-share), summary as <p> above the body")
    amp_first = True

    def page(self, v: View) -> str:
        elements = "".join(f'<script async custom-element="{name}" '
                           f'src="https://cdn.ampproject.org/v0/{name}-0.1.js"></script>'
                           for name in _ELEMENTS)
        head = (elements + head_links(v, amphtml=False) + og_meta(v) + article_meta(v)
                + jsonld(v))
        menu = nav_links(v, '<li><a href="{url}">{label}</a></li>')
        summary = "".join(f"<p>{e(s)}</p>" for s in v.c.summary)
        tags = tag_links(v, '<li><a href="{url}">#{name}</a></li>')
        mail = "" if "reporter_in_body" in v.var else f'<p class="art-mail">{v.mail}</p>'
        article = (f'<article class="art"><div class="art-hd"><p class="art-cat">'
                   f'<a href="{v.cat_url}">{v.label}</a></p>'
                   f'<h1 class="art-ttl">{e(v.c.headline)}</h1>'
                   f'<div class="art-meta">{self._dates(v)}</div></div>'
                   f'<div class="art-sum">{summary}</div>'
                   f'<div class="art-txt">{self.body(v)}</div>'
                   f'<p class="art-by">記者：{v.byline()}</p>{mail}'
                   f'<ul class="art-tags">{tags}</ul><p class="art-cmt"><a href="#cmt">'
                   f"コメント {v.m.comment_count}件</a></p></article>")
        body = (f'<header class="site-hd"><a class="site-hd__logo" href="{v.base}">{SITE_NAME}'
                '</a><button class="site-hd__menu" on="tap:side-menu.toggle">メニュー</button>'
                '</header><amp-sidebar id="side-menu" layout="nodisplay" side="right">'
                f'<ul class="side-menu__list">{menu}</ul></amp-sidebar>'
                f"<main>{article}{self._lists(v)}</main>"
                f'<footer class="site-ft"><small>&copy; {SITE_NAME}</small></footer>'
                '<amp-analytics type="gtag" data-credentials="include">'
                '<script type="application/json">{"vars": {"gtag_id": "G-KT0000"}}</script>'
                "</amp-analytics>")
        return document(v, f"{v.c.headline} - {SITE_NAME}", head, body, style=_STYLE)

    def _dates(self, v: View) -> str:
        m = v.m
        if not v.dated:
            out = f"<span>{when(m.published, _FMT)}</span>"
            return out + (f"<span>（更新 {when(m.modified, _FMT)}）</span>" if v.modified else "")
        out = f'<time datetime="{iso(m.published)}">{when(m.published, _FMT)}</time>'
        if v.modified:
            out += (f'<span>（更新 <time datetime="{iso(m.modified)}">'
                    f"{when(m.modified, _FMT)}</time>）</span>")
        return out

    def _lists(self, v: View) -> str:
        links = v.links
        li = '<li><a href="{url}">{title}</a></li>'
        ranked = '<li><b>{n}</b> <a href="{url}">{title}</a> <i>{label}</i></li>'
        return (f'<section class="rel-list"><h2 class="rel-list__hd">関連記事</h2>'
                f'<ul>{items(v, "related", links.related, li)}</ul></section>'
                f'<section class="rel-list -pick"><h2 class="rel-list__hd">おすすめ</h2>'
                f'<ol>{items(v, "recommend", links.recommend, ranked)}</ol></section>'
                f'<section class="rel-list -hot"><h2 class="rel-list__hd">話題</h2>'
                f'<ol>{items(v, "topics", links.topics, ranked)}</ol></section>')

    # -- body blocks ------------------------------------------------------------------------

    def image(self, v: View, n: int) -> str:
        credit = v.credit(n)
        style = v.credit_style if credit else "none"
        picture = img(v, n, alt=credit if style == "alt" else "")
        caption = (f'<figcaption class="art-fig__cap">{e(credit)}</figcaption>'
                   if style == "figcaption" else "")
        after = f'<p class="art-fig__src">{e(credit)}</p>' if style == "after_p" else ""
        return f'<figure class="art-fig">{picture}{caption}</figure>{after}'

    def ad(self, v: View) -> str:
        return ('<div class="ad-rect"><amp-ad width="300" height="250" type="doubleclick" '
                f'data-slot="/3050/kt_amp/rect_{v.m.article_id % 3}"></amp-ad></div>')

    def share(self, v: View) -> str:
        kinds = ("twitter", "facebook", "line")
        buttons = "".join(f'<amp-social-share type="{k}" width="40" height="40" '
                          f'data-param-url="{a(v.canon)}"></amp-social-share>' for k in kinds)
        return f'<div class="art-share">{buttons}</div>'

    def related_inline(self, v: View, b: Block) -> str:
        links = "".join(f'<li><a href="{v.link(j, "relinline")}">{v.title_of(j)}</a></li>'
                        for j in b.targets)
        return f'<div class="art-rel"><p class="art-rel__hd">関連記事</p><ul>{links}</ul></div>'


THEME = AmpFirst()
