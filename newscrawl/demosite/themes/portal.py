"""``portal``: a news-portal CMS with camelCase BEM classes and a folded body.

The body is split in two containers: the first paragraphs, a 続きを読む button, and the rest
hidden by a CSS class until a script unfolds it (all of it is in the HTML). Dates are
``» 2025年12月12日 09時10分 公開`` / ``… 更新`` lines, the byline a bracketed
``［名前，KANGNAM TIMES］``, the summary a list under この記事のポイント, the JSON-LD a Yoast-style
``@graph`` whose authors are references, inline related links are ``▶`` lines, and a
member-registration box follows the body.
"""

from __future__ import annotations

from newscrawl.demosite.generator import Block
from newscrawl.demosite.render import SITE_NAME
from newscrawl.demosite.themes.base import (
    Theme,
    View,
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

_FMT = "%Y年%m月%d日 %H時%M分"
_STYLE = ".is-folded{display:none}.newsArticle__title{font-size:1.5rem}"
#: Blocks shown before the fold: up to and including the second paragraph.
_SHOWN_PARAGRAPHS = 2


class Portal(Theme):
    name = "portal"
    description = ("news-portal CMS: body folded behind 続きを読む, » 公開/更新 date lines, "
                   "@graph JSON-LD, ▶ inline links, member box")

    def page(self, v: View) -> str:
        head = head_links(v) + og_meta(v) + article_meta(v) + jsonld(v, graph=True)
        nav = nav_links(v, '<li class="globalNav__item"><a href="{url}">{label}</a></li>')
        points = "".join(f"<li>{e(s)}</li>" for s in v.c.summary)
        article = (f'<div class="newsArticle"><div class="newsArticle__header">'
                   f'<p class="newsArticle__cat"><a href="{v.cat_url}">{v.label}</a></p>'
                   f'<h1 class="newsArticle__title">{e(v.c.headline)}</h1>{self._dates(v)}'
                   f'<p class="newsArticle__byline">［{v.byline()}，{SITE_NAME}］</p></div>'
                   f'<div class="newsArticle__points"><p class="newsArticle__pointsTitle">'
                   f"この記事のポイント</p><ul>{points}</ul></div>"
                   f'<div class="newsArticle__body">{self.body(v)}</div>'
                   f"{self._after(v)}</div>")
        scripts = "" if v.amp else f'<script src="{v.base}assets/unfold.js" defer></script>'
        body = (f'<div class="siteHeader"><a class="siteHeader__logo" href="{v.base}">'
                f'{SITE_NAME}</a><ul class="globalNav">{nav}</ul></div>'
                f'<div class="pageBody"><div class="pageBody__main">{article}'
                f'{self._lists(v)}</div></div>'
                f'<div class="siteFooter"><small>&copy; {SITE_NAME}</small></div>{scripts}')
        return document(v, f"{v.c.headline} | {v.label} | {SITE_NAME}", head, body,
                        style=_STYLE)

    def _dates(self, v: View) -> str:
        m = v.m
        out = f'<p class="newsArticle__date">&raquo; {when(m.published, _FMT)} 公開</p>'
        if v.modified:
            out += f'<p class="newsArticle__date">&raquo; {when(m.modified, _FMT)} 更新</p>'
        return out

    def _after(self, v: View) -> str:
        reporter = "" if "reporter_in_body" in v.var else (
            f'<p class="newsArticle__reporter">（{e(v.names[0])} {v.mail}）</p>')
        tags = tag_links(v, '<li><a href="{url}">{name}</a></li>')
        return (f'{reporter}<div class="newsArticle__keywords"><p>キーワード</p><ul>{tags}</ul>'
                f'</div><p class="newsArticle__comment"><a href="#comment">'
                f"この記事へのコメント（{v.m.comment_count}件）</a></p>"
                '<div class="memberBox"><p>会員登録（無料）すると、注目のニュースを毎朝メールで'
                f'お届けします。</p><a href="{v.base}register/">会員登録する</a></div>')

    def _lists(self, v: View) -> str:
        links = v.links
        li = '<li class="newsList__item"><a href="{url}">{title}</a></li>'
        ranked = ('<li class="newsList__item"><span class="newsList__no">{n}</span>'
                  '<a href="{url}">{title}</a><span class="newsList__cat">{label}</span></li>')
        return (f'<div class="relatedNews"><h2 class="headingLv2">関連ニュース</h2>'
                f'<ul class="newsList">{items(v, "related", links.related, li)}</ul></div>'
                f'<div class="pickupNews"><h2 class="headingLv2">注目の記事</h2>'
                f'<ol class="newsList">{items(v, "recommend", links.recommend, ranked)}</ol></div>'
                f'<div class="hotNews"><h2 class="headingLv2">話題のニュース</h2>'
                f'<ol class="newsList">{items(v, "topics", links.topics, ranked)}</ol></div>')

    # -- body blocks ------------------------------------------------------------------------

    def body(self, v: View) -> str:
        """The blocks up to the second paragraph, then (outside AMP) the fold."""
        blocks = v.c.blocks
        cut, seen = len(blocks), 0
        for k, b in enumerate(blocks):
            seen += b.kind == "p"
            if seen == _SHOWN_PARAGRAPHS:
                cut = k + 1
                break
        reporter = self.reporter_in_body(v) if "reporter_in_body" in v.var else ""
        rest = self.blocks(v, blocks[cut:]) + reporter
        if v.amp or not rest:
            return f'<div class="newsArticle__text">{self.blocks(v, blocks[:cut])}{rest}</div>'
        fold = f"js-rest-{v.m.article_id}"
        return (f'<div class="newsArticle__text">{self.blocks(v, blocks[:cut])}</div>'
                f'<div class="newsArticle__more"><button type="button" data-unfold="{fold}">'
                "続きを読む</button></div>"
                f'<div class="newsArticle__text newsArticle__rest is-folded" id="{fold}">'
                f"{rest}</div>")

    def heading(self, v: View, b: Block) -> str:
        return f'<{b.kind} class="newsArticle__subTitle">{e(b.lines[0])}</{b.kind}>'

    def image(self, v: View, n: int) -> str:
        credit = v.credit(n)
        style = v.credit_style if credit else "none"
        picture = img(v, n, alt=credit if style == "alt" else "記事の写真")
        caption = (f'<p class="newsArticle__caption">{e(credit)}</p>'
                   if style == "figcaption" else "")
        after = (f'<p class="newsArticle__photoCredit">{e(credit)}</p>'
                 if style == "after_p" else "")
        return f'<div class="newsArticle__photo">{picture}{caption}</div>{after}'

    def ad(self, v: View) -> str:
        if v.amp:
            return ('<div class="newsArticle__ad"><amp-ad width="300" height="250" '
                    'type="doubleclick" data-slot="/2024/kt/inread"></amp-ad></div>')
        return ('<div class="newsArticle__ad"><div id="gpt-inread" data-slot="/2024/kt/inread">'
                "</div><script>googletag.cmd.push(function(){googletag.display('gpt-inread');})"
                "</script></div>")

    def share(self, v: View) -> str:
        x, fb, line = share_urls(v)
        return (f'<ul class="snsShare"><li><a href="{x}">ツイート</a></li>'
                f'<li><a href="{fb}">シェア</a></li><li><a href="https://b.hatena.ne.jp/">'
                f'はてなブックマーク</a></li><li><a href="{line}">LINEで送る</a></li></ul>')

    def related_inline(self, v: View, b: Block) -> str:
        links = "".join(f'<p>&#9654; <a href="{v.link(j, "relinline")}">{v.title_of(j)}</a></p>'
                        for j in b.targets)
        return (f'<div class="newsArticle__link"><p class="newsArticle__linkTitle">関連リンク</p>'
                f"{links}</div>")

    def video(self, v: View) -> str:
        return f'<div class="newsArticle__movie">{super().video(v)}</div>'


THEME = Portal()
