"""``microdata``: an in-house CMS marked up with schema.org microdata, ids for the layout.

No JSON-LD and no ``article:*`` meta: the headline, dates, authors, section, keywords, comment
count and body are ``itemprop``s of one ``NewsArticle`` item, and the body container carries
nothing but ``itemprop="articleBody"``. The summary is ``<br>``-separated text
(``itemprop="description"``), photos are ``ImageObject`` items whose caption sits inside the
body, related links are a ``<dl>`` between paragraphs, the reporter's line closes the body.
On a page that shows its dates only as text, no date ``itemprop`` is present.
"""

from __future__ import annotations

from newscrawl.demosite.generator import Block, iso
from newscrawl.demosite.render import SITE_NAME
from newscrawl.demosite.themes.base import (
    Theme,
    View,
    a,
    document,
    e,
    head_links,
    img,
    items,
    nav_links,
    og_meta,
    share_urls,
    tag_links,
    when,
)


class Microdata(Theme):
    name = "microdata"
    description = ("schema.org microdata only: body is the itemprop=articleBody element, "
                   "<br> summary, captions inside the body, no JSON-LD")

    def page(self, v: View) -> str:
        head = head_links(v, shortlink=False) + og_meta(v, description=True)
        nav = nav_links(v, '<li><a href="{url}">{label}</a></li>')
        item = (f'<div itemscope itemtype="https://schema.org/NewsArticle">'
                f'<meta itemprop="mainEntityOfPage" content="{v.canon}">'
                f'<div id="topicpath"><a href="{v.base}">ホーム</a> &gt; '
                f'<a href="{v.cat_url}"><span itemprop="articleSection">{v.label}</span></a>'
                f"</div>"
                f'<h1 itemprop="headline">{e(v.c.headline)}</h1>'
                f"<div>{self._dates(v)} {self._authors(v)}</div>"
                f'<div itemprop="description">{"<br>".join(e(s) for s in v.c.summary)}</div>'
                f'<div itemprop="articleBody">{self.body(v)}</div>'
                f"{self._after_body(v)}</div>")
        side = (f'<div id="sub-column">'
                f'{self._box(v, "この記事を読んだ人はこんな記事も読んでいます", "related", False)}'
                f'{self._box(v, "編集部おすすめ", "recommend", True)}'
                f'{self._box(v, "注目のトピック", "topics", True)}</div>')
        body = (f'<div id="page-wrap"><div id="masthead"><a href="{v.base}">{SITE_NAME}</a></div>'
                f'<ul id="globalnav">{nav}</ul><div id="main-column">{item}</div>{side}'
                f'<div id="colophon">Copyright &copy; {SITE_NAME} All rights reserved.</div>'
                "</div>")
        return document(v, f"{v.c.headline}：{SITE_NAME}", head, body)

    def _dates(self, v: View) -> str:
        m = v.m
        fmt = "%Y年%m月%d日 %H時%M分"
        if not v.dated:
            out = f"<span>{when(m.published, fmt)}</span>"
            return out + (f"<span>（{when(m.modified, fmt)} 更新）</span>" if v.modified else "")
        out = (f'<time itemprop="datePublished" datetime="{iso(m.published)}">'
               f"{when(m.published, fmt)}</time>")
        if v.modified:
            return out + (f'<span>（<time itemprop="dateModified" datetime="{iso(m.modified)}">'
                          f"{when(m.modified, fmt)}</time> 更新）</span>")
        return out + f'<meta itemprop="dateModified" content="{iso(m.modified)}">'

    def _authors(self, v: View) -> str:
        people = "・".join(
            '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
            f'<span itemprop="name">{e(n)}</span></span>' for n in v.names)
        return f"<span>{people}</span>"

    def _after_body(self, v: View) -> str:
        keywords = ",".join(name for name, _ in v.tags)
        tags = tag_links(v, '<a href="{url}">{name}</a> ')
        return (f'<meta itemprop="keywords" content="{a(keywords)}">'
                f'<div id="tag-area">関連キーワード：{tags}</div>'
                f'<div id="comment-link"><a href="#comment">コメント'
                f'(<span itemprop="commentCount">{v.m.comment_count}</span>)</a></div>')

    def _box(self, v: View, title: str, block: str, numbered: bool) -> str:
        targets = getattr(v.links, block)
        fmt = ('<li>{n}. <a href="{url}">{title}</a> [{label}]</li>' if numbered else
               '<li><a href="{url}">{title}</a></li>')
        tag = "ol" if numbered else "ul"
        return (f'<div class="subbox"><h3>{title}</h3>'
                f"<{tag}>{items(v, block, targets, fmt)}</{tag}></div>")

    # -- body blocks ------------------------------------------------------------------------

    def body(self, v: View) -> str:
        out = super().body(v)
        if "reporter_in_body" in v.var:
            return out
        return out + f"<p>（{v.byline()}記者 {v.mail}）</p>"

    def image(self, v: View, n: int) -> str:
        credit = v.credit(n)
        style = v.credit_style if credit else "none"
        alt = credit if style == "alt" else ""
        picture = img(v, n, alt=alt, attrs=' itemprop="url"')
        caption = (f'<span itemprop="caption">{e(credit)}</span>'
                   if style == "figcaption" else "")
        after = f"<p><small>{e(credit)}</small></p>" if style == "after_p" else ""
        return ('<div itemprop="image" itemscope itemtype="https://schema.org/ImageObject">'
                f"{picture}{caption}</div>{after}")

    def ad(self, v: View) -> str:
        if v.amp:
            return ('<div class="adarea"><amp-ad width="300" height="250" type="doubleclick" '
                    'data-slot="/1920/kt/article_middle"></amp-ad></div>')
        return ('<div class="adarea"><p>広告</p><div id="div-gpt-ad-1592-0"></div>'
                "<script>googletag.cmd.push(function(){googletag.display('div-gpt-ad-1592-0');})"
                "</script></div>")

    def share(self, v: View) -> str:
        x, fb, line = share_urls(v)
        return (f'<div class="snsbtn"><a href="{x}">ツイート</a> <a href="{fb}">シェア</a> '
                f'<a href="{line}">LINEで送る</a></div>')

    def related_inline(self, v: View, b: Block) -> str:
        links = "".join(f'<dd><a href="{v.link(j, "relinline")}">{v.title_of(j)}</a></dd>'
                        for j in b.targets)
        return f'<dl class="kanren"><dt>関連記事</dt>{links}</dl>'

    def reporter_in_body(self, v: View) -> str:
        return f"<p>（{e(v.names[0])}記者 {v.mail}）</p>"


THEME = Microdata()
