"""``legacy``: a 2000s news CMS with a table layout: the body is known by position only.

HTML 4.01 Transitional, charset in ``<meta http-equiv>``, no JSON-LD, no ``article:*`` meta,
no class on anything in the article: the headline is an ``<h2>`` (the site logo is the only
heading above it), the dates are a right-aligned ``配信``/``最終更新`` line, the summary is bold
``<br>``-separated text, and the body is one attribute-less ``<div>`` of text whose paragraphs
are separated by ``<br><br>``; sub-headings are ``<b>``, photos sit in small tables with the
credit in a ``<font>`` row, ads are ``[PR]`` text links, the byline (``（文・名前）``) follows
the body, and the related links are ``・`` lines under ``■`` headings.
"""

from __future__ import annotations

from newscrawl.demosite.generator import Block
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
    share_urls,
    tag_links,
    when,
)

_DOCTYPE = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" '
            '"http://www.w3.org/TR/html4/loose.dtd">')
_FMT = "%Y年%m月%d日 %H:%M"


class Legacy(Theme):
    name = "legacy"
    description = ("table layout, no classes: <h2> headline, <br><br> paragraphs in a bare "
                   "<div>, ■/・ link lists, [PR] text ads, byline after the body")

    def page(self, v: View) -> str:
        head = (head_links(v, amphtml=not v.amp, shortlink=False)
                + f'<meta property="og:title" content="{a(v.c.headline)}">')
        menu = nav_links(v, '<a href="{url}">{label}</a><br>')
        article = (f'<font size="-1"><a href="{v.base}">トップ</a> &gt; '
                   f'<a href="{v.cat_url}">{v.label}</a></font>'
                   f"<h2>{e(v.c.headline)}</h2>"
                   f'<p align="right"><font size="-1">{self._dates(v)}</font></p>'
                   f'<p><b>{"<br>".join(e(s) for s in v.c.summary)}</b></p>'
                   f"<div>{self.body(v)}</div>"
                   f"<p>（文・{v.byline()}）</p>{self._after(v)}")
        body = ('<table width="100%" border="0" cellpadding="0" cellspacing="0">'
                f'<tr><td colspan="2"><a href="{v.base}"><b>{SITE_NAME}</b></a><hr></td></tr>'
                f'<tr><td width="160" valign="top">{menu}</td><td valign="top">{article}'
                f"</td></tr></table>"
                f'<p align="center"><font size="-1">Copyright (C) {SITE_NAME} '
                "All Rights Reserved.</font></p>")
        return document(v, f"{v.c.headline}｜{SITE_NAME}", head, body, doctype=_DOCTYPE,
                        http_equiv=True, body_attrs=' bgcolor="#ffffff"')

    def _dates(self, v: View) -> str:
        m = v.m
        out = f"{when(m.published, _FMT)} 配信"
        if v.states_modified:
            out += f"<br>最終更新：{when(m.modified, _FMT)}"
        return out

    def _after(self, v: View) -> str:
        links = v.links
        tags = tag_links(v, '<a href="{url}">{name}</a> ')
        mail = "" if "reporter_in_body" in v.var else (
            f'<p><a href="mailto:{v.mail}">{v.mail}</a></p>')
        plain = '・<a href="{url}">{title}</a><br>'
        ranked = '{n}. <a href="{url}">{title}</a> [{label}]<br>'
        return (f"{mail}<p>キーワード：{tags}</p>"
                f'<p><a href="#comment">この記事へのコメント({v.m.comment_count})</a></p><hr>'
                f'<p>■関連記事<br>{items(v, "related", links.related, plain)}</p>'
                f'<p>■おすすめ<br>{items(v, "recommend", links.recommend, ranked)}</p>'
                f'<p>■話題<br>{items(v, "topics", links.topics, ranked)}</p>')

    # -- body blocks: text runs separated by <br><br> ---------------------------------------

    def body(self, v: View) -> str:
        parts = [self.block(v, b) for b in v.c.blocks]
        if "reporter_in_body" in v.var:
            parts.append(self.reporter_in_body(v))
        return "<br><br>".join(parts)

    def heading(self, v: View, b: Block) -> str:
        return f"<b>{e(b.lines[0])}</b>"

    def paragraph(self, v: View, b: Block) -> str:
        text = self.inner(v, b)
        return f"{text}<br><br>{text}" if "dup_paragraph" in b.flags else text

    def image(self, v: View, n: int) -> str:
        credit = v.credit(n)
        style = v.credit_style if credit else "none"
        picture = img(v, n, alt=credit if style == "alt" else "", attrs=' border="0"')
        row = (f'<tr><td><font size="-2">{e(credit)}</font></td></tr>'
               if style == "figcaption" else "")
        after = f'<font size="-2">{e(credit)}</font>' if style == "after_p" else ""
        table = f'<table border="0" cellpadding="2"><tr><td>{picture}</td></tr>{row}</table>'
        return table + (f"<br><br>{after}" if after else "")

    def ad(self, v: View) -> str:
        return ('<font size="-2">[PR]</font> <a href="https://ad.example.invalid/click?'
                f'slot=kt{v.m.article_id % 97}">今だけ送料無料キャンペーン実施中</a>')

    def share(self, v: View) -> str:
        x, fb, _ = share_urls(v)
        return f'[<a href="{x}">ツイート</a>] [<a href="{fb}">シェア</a>]'

    def related_inline(self, v: View, b: Block) -> str:
        return "<br>".join(f'【関連】<a href="{v.link(j, "relinline")}">{v.title_of(j)}</a>'
                           for j in b.targets)

    def reporter_in_body(self, v: View) -> str:
        return f'{e(v.names[0])} <a href="mailto:{v.mail}">{v.mail}</a>'


THEME = Legacy()
