"""``blog``: a blog-hosting service's news blog (hyphenated ``article-*`` classes).

The ``<h1>`` is the blog's name and the headline an ``<h2>`` linking to itself; the day is an
``<abbr title=ISO>`` above it (hAtom style), the time and the author (投稿者) in the footer
below the body.
The body is one ``<div>`` per paragraph with ``<div><br></div>`` spacers, as rich-text
editors write it; credits are bracketed (``（出典:AFP通信）``), related links are ``・`` lines
under 【あわせて読みたい】, and share and follow prompts surround the article.
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
    nav_links,
    og_meta,
    share_urls,
    tag_links,
    when,
)

_SPACER = "<div><br></div>"


class Blog(Theme):
    name = "blog"
    description = ("blog service: <h2> headline, a <div> per paragraph, ・ link lines, "
                   "bracketed credits, author and time in the footer")

    def page(self, v: View) -> str:
        head = head_links(v, shortlink=False) + og_meta(v, description=True) + article_meta(v)
        lead = "<br>".join(e(s) for s in v.c.summary)
        article = (f'<div class="article-outer hentry">{self._header(v)}'
                   f'<div class="article-lead">【この記事の要点】<br>{lead}</div>'
                   f'<div class="article-body"><div class="article-body-inner">{self.body(v)}'
                   f"</div></div>{self._footer(v)}{self._follow(v)}</div>")
        related = items(v, "related", v.links.related, '<li><a href="{url}">{title}</a></li>')
        main = (f'<div id="blog-main">{article}<div class="blog-related">'
                f'<p class="blog-related-title">関連記事</p><ul>{related}</ul></div></div>')
        ranked = '<li><a href="{url}">{title}</a>（{label}）</li>'
        categories = nav_links(v, '<li><a href="{url}">{label}</a></li>')
        side = (f'<div id="blog-side"><div class="plugin-categories"><p class="side-title">'
                f'カテゴリ別アーカイブ</p><ul>{categories}'
                f'</ul></div><div class="plugin-recommend"><p class="side-title">おすすめ記事</p>'
                f'<ol>{items(v, "recommend", v.links.recommend, ranked)}</ol></div>'
                f'<div class="plugin-popular"><p class="side-title">人気記事</p>'
                f'<ol>{items(v, "topics", v.links.topics, ranked)}</ol></div></div>')
        body = (f'<div id="blog-wrap"><div id="blog-header"><h1 id="blog-title">'
                f'<a href="{v.base}">{SITE_NAME} 日本版ブログ</a></h1>'
                f'<p id="blog-description">韓国の話題を毎日お届けします</p></div>{main}{side}'
                '<div id="blog-footer">Powered by blog service</div></div>')
        return document(v, f"{v.c.headline} : {SITE_NAME} 日本版ブログ", head, body)

    def _header(self, v: View) -> str:
        day = when(v.m.published, "%Y年%m月%d日")
        if v.dated:
            day = f'<abbr class="article-published" title="{iso(v.m.published)}">{day}</abbr>'
        return (f'<div class="article-header"><p class="article-date">{day}</p>'
                f'<h2 class="article-title"><a href="{v.canon}" rel="bookmark">'
                f'{e(v.c.headline)}</a></h2><p class="article-category">カテゴリ：'
                f'<a href="{v.cat_url}">{v.label}</a></p></div>')

    def _footer(self, v: View) -> str:
        m = v.m
        if v.dated:
            time = (f'<abbr class="article-updated" title="{iso(m.modified)}">'
                    f'{when(m.published, "%H:%M")}</abbr>')
        else:
            time = when(m.published, "%Y年%m月%d日 %H:%M")
            if v.modified:
                time += f"（更新 {when(m.modified, '%Y年%m月%d日 %H:%M')}）"
        mail = "" if "reporter_in_body" in v.var else f"（{v.mail}）"
        tags = tag_links(v, '<a href="{url}" rel="tag">{name}</a> ')
        return (f'<div class="article-footer"><span class="article-author">投稿者：'
                f'<a href="{v.author_url}">{v.byline()}</a>{mail}</span> '
                f'<span class="article-time">{time}</span> '
                f'<span class="article-tags">タグ：{tags}</span> '
                f'<a href="#comments" class="article-comment-count">'
                f"コメント({v.m.comment_count})</a></div>")

    def _follow(self, v: View) -> str:
        return ('<div class="sns-follow"><p>この記事が気に入ったらフォローしよう</p>'
                '<a href="https://twitter.com/kangnamtimes_jp">Xでフォローする</a> '
                '<a href="https://line.me/R/ti/p/@kangnamtimes">LINEで友だち追加</a></div>')

    # -- body blocks: a <div> per paragraph -------------------------------------------------

    def blocks(self, v: View, blocks: list[Block]) -> str:
        return _SPACER.join(self.block(v, b) for b in blocks)

    def paragraph(self, v: View, b: Block) -> str:
        html = f"<div>{self.inner(v, b)}</div>"
        return html + _SPACER + html if "dup_paragraph" in b.flags else html

    def heading(self, v: View, b: Block) -> str:
        return f'<div><b><span style="font-size:large">{e(b.lines[0])}</span></b></div>'

    def image(self, v: View, n: int) -> str:
        credit = v.credit(n)
        style = v.credit_style if credit else "none"
        alt = credit if style == "alt" else ""
        attrs = (f' title="{a(credit)}"' if style == "alt" else "") + ' class="pict" border="0"'
        picture = (f'<a href="{v.image_url(n)}" target="_blank">'
                   f"{img(v, n, alt=alt, attrs=attrs)}</a>")
        if style == "figcaption":
            return (f'<div>{picture}<br><span style="font-size:x-small">（{e(credit)}）</span>'
                    "</div>")
        after = f"<p>（{e(credit)}）</p>" if style == "after_p" else ""
        return f"<div>{picture}</div>{after}"

    def ad(self, v: View) -> str:
        slot = ('<amp-ad width="300" height="250" type="adsense" data-ad-slot="5521"></amp-ad>'
                if v.amp else '<div id="ad-inarticle-slot"></div>')
        return f'<div class="ad-inarticle"><p>スポンサードリンク</p>{slot}</div>'

    def share(self, v: View) -> str:
        x, fb, _ = share_urls(v)
        return (f'<div class="sns-share"><p>この記事をシェアする</p><a href="{x}">ポスト</a> '
                f'<a href="{fb}">シェア</a> <a href="https://b.hatena.ne.jp/">はてブ</a></div>')

    def related_inline(self, v: View, b: Block) -> str:
        links = "".join(f'<div>・<a href="{v.link(j, "relinline")}">{v.title_of(j)}</a></div>'
                        for j in b.targets)
        return f'<div class="blog-card-list"><div>【あわせて読みたい】</div>{links}</div>'

    def video(self, v: View) -> str:
        return f'<div class="video-embed">{super().video(v)}</div>'

    def reporter_in_body(self, v: View) -> str:
        return f'{_SPACER}<div>{e(v.names[0])} <a href="mailto:{v.mail}">{v.mail}</a></div>'


THEME = Blog()
