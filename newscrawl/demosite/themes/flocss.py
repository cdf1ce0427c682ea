"""``flocss``: a modern commercial WordPress theme written in FLOCSS (``l-``/``c-``/``p-``
prefixes, BEM ``__`` elements, ``-modifier`` classes), as many Japanese themes are.

Lazy-loaded photos (a placeholder ``src``, the photo in ``data-src`` and a ``<noscript>``
copy), a ``<br>``-separated lead, the date as ``<time>`` showing the day only, a breadcrumb
that repeats the headline, blog cards (あわせて読みたい) and an ad box (スポンサーリンク) between
paragraphs, share buttons, and the byline only in the author box under the article.
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
    share_urls,
    tag_links,
    when,
)

_STYLE = ".c-postTitle{font-size:1.6rem}.p-entry__lead{font-weight:bold}"


class Flocss(Theme):
    name = "flocss"
    description = ("FLOCSS-named WordPress theme: lazy images, <br> lead, blog cards, "
                   "byline in an author box at the foot")

    def page(self, v: View) -> str:
        head = head_links(v) + og_meta(v) + article_meta(v) + jsonld(v)
        if not v.amp:
            head += f'<link rel="stylesheet" href="{v.base}assets/site.css">'
        nav = nav_links(v, '<li class="p-gnav__item"><a href="{url}">{label}</a></li>')
        header = (f'<header class="l-header"><div class="l-header__inner">'
                  f'<p class="c-siteLogo"><a href="{v.base}">{SITE_NAME}</a></p>'
                  f'<nav class="p-gnav"><ul class="p-gnav__list">{nav}</ul></nav></div></header>')
        article = (f'<article class="p-entry post-{v.m.article_id} type-post">'
                   f"{self._head(v)}"
                   f'<div class="p-entry__lead"><p>{"<br>".join(e(s) for s in v.c.summary)}'
                   f"</p></div>"
                   f'<div class="p-entry__body post_content">{self.body(v)}</div>'
                   f"{self._foot(v)}</article>")
        categories = nav_links(v, '<li><a href="{url}">{label}</a></li>')
        main = (f'<main class="l-main">{article}{self._comments(v)}{self._related(v)}</main>'
                f'<aside class="l-sidebar"><div class="c-widget"><p class="c-widget__title">'
                f'カテゴリー</p><ul class="c-widget__list">{categories}</ul></div></aside>')
        footer = (f'<footer class="l-footer"><p class="c-copyright">&copy; {SITE_NAME}</p>'
                  "</footer>")
        scripts = "" if v.amp else f'<script src="{v.base}assets/lazy.js" defer></script>'
        body = f'<div class="l-wrapper">{header}<div class="l-content">{main}</div>{footer}</div>'
        return document(v, f"{v.c.headline} | {SITE_NAME}", head, body + scripts,
                        body_attrs=f' class="single single-post postid-{v.m.article_id}"',
                        style=_STYLE)

    def _head(self, v: View) -> str:
        m = v.m
        if v.dated:
            dates = (f'<time class="c-postDate -published" datetime="{iso(m.published)}">'
                     f'{when(m.published, "%Y.%m.%d")}</time>')
            if v.modified:
                dates += (f'<time class="c-postDate -modified" datetime="{iso(m.modified)}">'
                          f'{when(m.modified, "%Y.%m.%d")}</time>')
        else:
            dates = f'<span class="c-postDate">公開日 {when(m.published, "%Y.%m.%d %H:%M")}</span>'
            if v.modified:
                dates += (f'<span class="c-postDate -modified">更新日 '
                          f'{when(m.modified, "%Y.%m.%d %H:%M")}</span>')
        crumbs = (f'<nav class="p-breadcrumb"><ol class="p-breadcrumb__list">'
                  f'<li><a href="{v.base}">TOP</a></li><li><a href="{v.cat_url}">{v.label}</a>'
                  f"</li><li><span>{e(v.c.headline)}</span></li></ol></nav>")
        return (f'<div class="p-entry__head">{crumbs}'
                f'<h1 class="c-postTitle">{e(v.c.headline)}</h1>'
                f'<div class="p-entry__meta">{dates}'
                f'<a class="c-categoryLabel" href="{v.cat_url}">{v.label}</a></div></div>')

    def _foot(self, v: View) -> str:
        tags = tag_links(v, '<a class="c-tagLink" href="{url}">#{name}</a>')
        names = "".join(f'<a class="p-authorBox__name" href="{v.author_url}">{e(n)}</a>'
                        for n in v.names)
        mail = "" if "reporter_in_body" in v.var else (
            f'<p class="p-authorBox__mail">{v.mail}</p>')
        return (f'<div class="p-entry__foot"><div class="p-entry__tags">{tags}</div>'
                f'<div class="p-authorBox"><p class="p-authorBox__label">この記事を書いた人</p>'
                f"{names}{mail}</div></div>")

    def _comments(self, v: View) -> str:
        form = "" if v.amp else (
            '<form class="p-commentForm"><textarea maxlength="300"></textarea>'
            '<button type="submit">コメントを送信</button></form>')
        return (f'<div id="comments" class="p-comments"><h2 class="p-comments__title">'
                f'コメント<span class="p-comments__num">({v.m.comment_count})</span></h2>'
                f"{form}</div>")

    def _related(self, v: View) -> str:
        li = '<li class="p-postList__item"><a href="{url}">{title}</a></li>'
        ranked = ('<li class="p-postList__item"><span class="p-postList__num">{n}</span>'
                  '<a href="{url}">{title}</a><span class="c-catLabel">{label}</span></li>')
        links = v.links
        return (f'<section class="p-relatedPosts"><h2 class="c-secTitle">関連記事</h2>'
                f'<ul class="p-postList">{items(v, "related", links.related, li)}</ul></section>'
                f'<section class="p-pickupPosts"><h2 class="c-secTitle">編集部のおすすめ</h2>'
                f'<ol class="p-postList -ranking">'
                f'{items(v, "recommend", links.recommend, ranked)}</ol></section>'
                f'<section class="p-trendPosts"><h2 class="c-secTitle">いま話題の記事</h2>'
                f'<ol class="p-postList -ranking">{items(v, "topics", links.topics, ranked)}'
                "</ol></section>")

    # -- body blocks ------------------------------------------------------------------------

    def heading(self, v: View, b: Block) -> str:
        return f'<{b.kind} class="wp-block-heading">{e(b.lines[0])}</{b.kind}>'

    def image(self, v: View, n: int) -> str:
        credit = v.credit(n)
        style = v.credit_style if credit else "none"
        alt = credit if style in ("alt", "figcaption") else ""
        attrs = f' title="{a(credit)}"' if style == "alt" else ""
        picture = img(v, n, alt=alt, attrs=attrs + ' class="lazyload"', lazy=True,
                      noscript=True)
        caption = (f'<figcaption class="wp-element-caption">{e(credit)}</figcaption>'
                   if style == "figcaption" else "")
        after = f'<p class="has-small-font-size">{e(credit)}</p>' if style == "after_p" else ""
        return f'<figure class="wp-block-image size-large">{picture}{caption}</figure>{after}'

    def ad(self, v: View) -> str:
        slot = ('<amp-ad width="300" height="250" type="adsense" data-ad-slot="7310">'
                "</amp-ad>" if v.amp else
                '<ins class="adsbygoogle" data-ad-slot="7310"></ins>'
                "<script>(adsbygoogle = window.adsbygoogle || []).push({});</script>")
        return f'<div class="p-adBox"><p class="p-adBox__label">スポンサーリンク</p>{slot}</div>'

    def share(self, v: View) -> str:
        x, fb, line = share_urls(v)
        return ('<div class="c-shareBtns"><p class="c-shareBtns__title">この記事をシェアする</p>'
                f'<ul class="c-shareBtns__list"><li class="c-shareBtns__item -x">'
                f'<a href="{x}">ポスト</a></li><li class="c-shareBtns__item -facebook">'
                f'<a href="{fb}">シェア</a></li><li class="c-shareBtns__item -line">'
                f'<a href="{line}">LINEで送る</a></li></ul></div>')

    def related_inline(self, v: View, b: Block) -> str:
        return "".join(
            f'<div class="p-blogCard"><a class="p-blogCard__inner" '
            f'href="{v.link(j, "relinline")}"><span class="p-blogCard__caption">'
            f'あわせて読みたい</span><span class="p-blogCard__title">{v.title_of(j)}</span>'
            "</a></div>" for j in b.targets)

    def video(self, v: View) -> str:
        return f'<div class="c-videoWrap">{super().video(v)}</div>'


THEME = Flocss()
