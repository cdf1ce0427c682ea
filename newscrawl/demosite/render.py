"""HTML, JSON and XML of the replica's pages, from the generator's data."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from urllib.parse import quote

from newscrawl.demosite import vocab
from newscrawl.demosite.generator import JST, Block, Content, DemoSite, iso, mix, tag_slug

SITE_NAME = "KANGNAM TIMES"
MAIL_DOMAIN = "fastviewkorea.com"
PER_PAGE = 20
POSTS_PER_CALL = 10


def _e(text: str) -> str:
    return escape(text, quote=False)


def _a(text: str) -> str:
    return escape(text, quote=True)


def _dt_text(minutes: int, style: int) -> str:
    dt = datetime.fromtimestamp(minutes * 60, tz=JST)
    return f"{dt:%Y年%m月%d日 %H:%M}" if style == 0 else f"{dt:%Y.%m.%d %H:%M}"


def _skip_links() -> str:
    return ('<a class="skip" href="#gnb">メインメニューへスキップ(上段)</a>'
            '<a class="skip" href="#content">メインコンテンツへスキップ</a>'
            '<a class="skip" href="#gnb-bottom">メインメニューへスキップ(下段)</a>')


def _nav(site: DemoSite, nav_id: str) -> str:
    items = "".join(f'<li><a href="{site.base_path}{slug}/">{label}</a></li>'
                    for slug, label in vocab.CATEGORIES.items())
    return (f'<nav id="{nav_id}"><ul><li><a href="{site.base_path}">ホーム</a></li>{items}'
            f'<li><a href="{site.base_path}ranking/">ランキング</a></li></ul></nav>')


def _footer(site: DemoSite) -> str:
    return (f'<footer class="site-footer">{_nav(site, "gnb-bottom")}'
            f'<p class="copyright">Copyright {SITE_NAME}. All rights reserved.</p></footer>')


def _ranking_widget(site: DemoSite, range_: str = "daily", limit: int = 6,
                    title: str = "[ニュース] ランキング") -> str:
    return (f'<section class="ranking" data-range="{range_}" data-limit="{limit}" '
            f'data-endpoint="{site.base_path}wp-json/kt/v1/ranking?range={range_}">'
            f"<h2>{title}</h2><ol></ol></section>")


def _page(site: DemoSite, title: str, head: str, body: str, charset: str = "utf-8",
          lang_amp: bool = False) -> str:
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    html_open = '<html amp lang="ja">' if lang_amp else '<html lang="ja">'
    return (f"<!DOCTYPE html>\n{html_open}<head>{meta_charset}"
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{_e(title)}</title>{head}</head><body>{body}</body></html>\n")


# -- article pages ----------------------------------------------------------------------------


def _link_items(site: DemoSite, index: int, block: str, targets: tuple[int, ...],
                numbered: bool) -> str:
    out = []
    for k, j in enumerate(targets):
        m = site.meta(j)
        url = _a(site.link_url(j, block, index, k))
        if numbered:
            label = vocab.CATEGORIES[m.category]
            out.append(f'<li><span class="rank">{k + 1}</span><a href="{url}">{_e(m.headline)}'
                       f'</a><span class="label">{label}</span></li>')
        else:
            out.append(f'<li><a href="{url}">{_e(m.headline)}</a></li>')
    return "".join(out)


def _link_sections(site: DemoSite, index: int) -> tuple[str, str]:
    links = site.links(index)
    related = ('<section class="related"><h2>こんな記事も読まれています</h2><ul>'
               f'{_link_items(site, index, "related", links.related, False)}</ul></section>')
    rest = ('<section class="recommend"><h2>おすすめニュース</h2><ol>'
            f'{_link_items(site, index, "recommend", links.recommend, True)}</ol></section>'
            '<section class="topics"><h2>話題</h2><ol>'
            f'{_link_items(site, index, "topics", links.topics, True)}</ol></section>')
    return related, rest


def _paragraph_html(site: DemoSite, c: Content, b: Block) -> str:
    html = f"<p>{paragraph_inner(site, c, b)}</p>"
    return html + html if "dup_paragraph" in b.flags else html


def paragraph_inner(site: DemoSite, c: Content, b: Block, br: str = "<br>") -> str:
    """A paragraph block's inline HTML, with its variations (``【引用:X】`` opening, U+3000
    indent, ``<br>`` between its lines, ``&nbsp;``, zero-width characters, ``<strong>``, an
    inline link); every theme wraps it in its own markup."""
    nbsp = "nbsp" in b.flags

    def esc(text: str) -> str:
        out = _e(text)
        return out.replace(" ", "&nbsp;") if nbsp else out

    parts = []
    last = len(b.lines) - 1
    for j, line in enumerate(b.lines):
        if "zero_width" in b.flags and j == 0 and len(line) > 6:
            line = line[:2] + "\u200b" + line[2:5] + "\ufeff" + line[5:]
        head, tail = "", line
        if "strong" in b.flags and j == 0:
            cut = line.find("。") + 1 or len(line)
            head, tail = line[:cut], line[cut:]
        html = f"<strong>{esc(head)}</strong>" if head else ""
        if "inline_link" in b.flags and j == last and b.targets:
            href = _a(site.link_url(b.targets[0], "inline", c.meta.index))
            if len(tail) >= 4:
                a = len(tail) // 3
                z = a + min(8, len(tail) - a)
                html += (f'{esc(tail[:a])}<a href="{href}">{esc(tail[a:z])}</a>'
                         f"{esc(tail[z:])}")
            else:
                html = f'<a href="{href}">{html}{esc(tail)}</a>'
        else:
            html += esc(tail)
        parts.append(html)
    text = br.join(parts)
    if b.inline_credit:
        text = f"【引用:{_e(b.inline_credit)}】{text}"
    if "indent" in b.flags:
        text = "\u3000" + text
    return text


def _image_html(site: DemoSite, c: Content, n: int, amp: bool) -> str:
    img = c.images[n]
    credit = f"{img.prefix}{img.credit}" if img.credit else ""
    src = _a(img.url)
    alt = _a(credit)
    if amp:
        caption = f'<p class="amp-caption">{_e(credit)}</p>' if credit else ""
        return (f'<amp-img src="{src}" alt="{alt}" width="640" height="427" '
                f'layout="responsive"><noscript><img src="{src}" alt="{alt}"></noscript>'
                f"</amp-img>{caption}")
    if not credit:
        return (f'<figure class="wp-block-image"><img src="{src}" alt="" width="640" '
                'height="427"></figure>')
    if "credit_alt" in c.variations:
        return (f'<figure class="wp-block-image"><img src="{src}" alt="{alt}" title="{alt}" '
                'width="640" height="427"></figure>')
    if "credit_after_p" in c.variations:
        cls = ' class="wp-caption-text"' if mix(c.meta.index, n, "cap") % 2 else ""
        return (f'<figure class="wp-block-image"><img src="{src}" alt="{alt}" width="640" '
                f'height="427"></figure><p{cls}>{_e(credit)}</p>')
    return (f'<figure class="wp-block-image"><img src="{src}" alt="{alt}" width="640" '
            f'height="427"><figcaption>{_e(credit)}</figcaption></figure>')


def _reporter_html(c: Content) -> str:
    name, local = c.authors[0]
    mail = f"{local}@{MAIL_DOMAIN}"
    return f'{_e(name)} <a href="mailto:{mail}">{mail}</a>'


def _body_html(site: DemoSite, c: Content, amp: bool) -> str:
    out = []
    canon = site.canonical_url(c.meta.index)
    for b in c.blocks:
        if b.kind == "p":
            out.append(_paragraph_html(site, c, b))
        elif b.kind in ("h2", "h3"):
            out.append(f"<{b.kind}>{_e(b.lines[0])}</{b.kind}>")
        elif b.kind in ("ul", "ol"):
            items = "".join(f"<li>{_e(t)}</li>" for t in b.lines)
            out.append(f"<{b.kind}>{items}</{b.kind}>")
        elif b.kind == "img":
            out.append(_image_html(site, c, b.image, amp))
        elif b.kind == "ad":
            out.append('<div class="ad"><amp-ad width="300" height="250" type="adsense">'
                       '</amp-ad></div>' if amp else
                       '<div class="ad"><p class="ad-label">スポンサーリンク</p>'
                       '<ins class="adsbygoogle" data-ad-slot="4821"></ins>'
                       "<script>(adsbygoogle = window.adsbygoogle || []).push({});</script>"
                       "</div>")
        elif b.kind == "share":
            u = quote(canon, safe="")
            out.append('<div class="share-buttons">'
                       f'<a href="https://twitter.com/intent/tweet?url={u}">ポスト</a>'
                       f'<a href="https://www.facebook.com/sharer/sharer.php?u={u}">シェア</a>'
                       f'<a href="https://social-plugins.line.me/lineit/share?url={u}">LINE</a>'
                       '<button class="copy-url">URLをコピー</button></div>')
        elif b.kind == "related_inline":
            items = "".join(
                f'<li><a href="{_a(site.link_url(j, "relinline", c.meta.index))}">'
                f"{_e(site.meta(j).headline)}</a></li>" for j in b.targets)
            out.append(f'<div class="related-inline"><p>関連記事</p><ul>{items}</ul></div>')
        elif b.kind == "tweet":
            handle = f"user{mix(c.meta.index, 'tw') % 9000 + 1000}"
            script = ("" if amp else '<script async src="https://platform.twitter.com/'
                      'widgets.js"></script>')
            out.append(f'<blockquote class="twitter-tweet"><p lang="ja" dir="ltr">'
                       f"{_e(b.lines[0])}</p>&mdash; {handle} (@{handle}) "
                       f'<a href="https://twitter.com/{handle}/status/'
                       f'{mix(c.meta.index, "st") % 10**18}">2025年12月11日</a></blockquote>'
                       f"{script}")
        elif b.kind == "video":
            vid = f"{mix(c.meta.index, 'yt') % 10**11:011d}"
            out.append('<figure class="wp-block-embed is-type-video"><div class='
                       f'"wp-block-embed__wrapper"><iframe src="https://www.youtube.com/embed/'
                       f'{vid}" title="YouTube video player" width="560" height="315">'
                       "</iframe></div></figure>")
    if "reporter_in_body" in c.variations:
        out.append(f"<p>{_reporter_html(c)}</p>")
    return "".join(out)


def _head_meta(site: DemoSite, c: Content, amp: bool) -> str:
    m = c.meta
    canon = site.canonical_url(m.index)
    pub, mod = iso(m.published), iso(m.modified)
    first_image = c.images[0].url if c.images else f"{site.base_url}assets/logo.png"
    out = [f'<link rel="canonical" href="{canon}">']
    if not amp:
        out.append(f'<link rel="amphtml" href="{canon}/amp/">')
    out.append(f'<link rel="shortlink" href="{site.base_url}?p={m.article_id}">')
    out.append('<meta property="og:type" content="article">'
               f'<meta property="og:title" content="{_a(c.headline)}">'
               f'<meta property="og:url" content="{canon}">'
               f'<meta property="og:image" content="{first_image}">'
               f'<meta property="og:site_name" content="{SITE_NAME}">')
    dated = "date_text_only" not in c.variations
    if dated and "no_article_meta" not in c.variations:
        out.append(f'<meta property="article:published_time" content="{pub}">'
                   f'<meta property="article:modified_time" content="{mod}">'
                   f'<meta property="article:section" content="{vocab.CATEGORIES[m.category]}">')
        out.extend(f'<meta property="article:tag" content="{_a(t)}">' for t in c.tags)
    if dated and "no_jsonld" not in c.variations:
        ld = {
            "@context": "https://schema.org", "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": canon},
            "headline": c.headline, "datePublished": pub, "dateModified": mod,
            "author": [{"@type": "Person", "name": a[0]} for a in c.authors],
            "image": [i.url for i in c.images], "articleSection": vocab.CATEGORIES[m.category],
            "keywords": c.tags, "commentCount": m.comment_count,
            "publisher": {"@type": "Organization", "name": SITE_NAME},
        }
        out.append('<script type="application/ld+json">'
                   f"{json.dumps(ld, ensure_ascii=False)}</script>")
    return "".join(out)


def _date_text(c: Content) -> str:
    m = c.meta
    text = _dt_text(m.published, c.date_style)
    if m.modified != m.published:
        text += f" (更新 {_dt_text(m.modified, c.date_style)})"
    return f'<p class="post-date">{text}</p>'


def _comments_html(site: DemoSite, c: Content, amp: bool) -> str:
    m = c.meta
    if "js_comment_count" in c.variations and not amp:
        ep = f"{site.base_path}wp-json/kt/v1/comments?post={m.article_id}"
        span = f'<span class="count" data-endpoint="{ep}"></span>'
        script = f'<script src="{site.base_path}assets/comments.js" defer></script>'
    else:
        span, script = f'<span class="count">{m.comment_count}</span>', ""
    return (f'<section class="comments"><h2>コメント{span}</h2>'
            '<textarea maxlength="300" placeholder="コメントを入力してください"></textarea>'
            f'<p class="counter">0 / 300</p><p>コメント{span}</p></section>{script}')


def article_page(site: DemoSite, index: int, amp: bool = False) -> str:
    """The article's page (canonical or AMP form) as text; encode it with ``content.encoding``.

    A template in document order, a little over 60 lines: split, it would no longer read as
    the page it writes."""
    c = site.content(index)
    m = c.meta
    label = vocab.CATEGORIES[m.category]
    cat_url = f"{site.base_path}{m.category}/"
    authors = "・".join(a[0] for a in c.authors)
    author_url = f"{site.base_path}author/{c.authors[0][1]}/"
    summary = "".join(f"<li>{_e(s)}</li>" for s in c.summary)
    tag_links = "".join(f'<a href="{site.base_path}tag/{tag_slug(t)}/">{_e(t)}</a>'
                        for t in c.tags)
    date = _date_text(c) if "date_text_only" in c.variations else ""
    reporter = "" if "reporter_in_body" in c.variations else (
        f'<div class="reporter">{_reporter_html(c)}</div>')
    body = _body_html(site, c, amp)
    related, rest = _link_sections(site, index)
    head = _head_meta(site, c, amp)
    if amp:
        head += ('<script async src="https://cdn.ampproject.org/v0.js"></script>'
                 "<style amp-custom>.amp-wp-title{font-size:1.5em}</style>")
        main = (f'<article class="amp-wp-article"><header class="amp-wp-article-header">'
                f'<h1 class="amp-wp-title">{_e(c.headline)}</h1>{date}'
                f'<div class="amp-wp-byline"><span class="amp-wp-author">{_e(authors)}</span> '
                f'<a href="{author_url}">アクセス</a></div>'
                f'<ul class="amp-wp-summary">{summary}</ul></header>'
                f'<div class="amp-wp-article-content">{body}</div>{reporter}'
                f'<footer class="amp-wp-article-footer"><div class="amp-wp-tax-category">'
                f'<a href="{cat_url}">{label}</a></div><div class="amp-wp-tax-tag">{tag_links}'
                "</div></footer></article>")
        page = (f'{_skip_links()}{_nav(site, "gnb")}<main id="content">{main}'
                f"{_comments_html(site, c, amp)}</main>{related}{rest}{related}{_footer(site)}")
        return _page(site, f"{c.headline} | {SITE_NAME}", head, page, lang_amp=True)
    head += f'<link rel="stylesheet" href="{site.base_path}assets/site.css">'
    tags = "".join(f'<li><a href="{site.base_path}tag/{tag_slug(t)}/">{_e(t)}</a></li>'
                   for t in c.tags)
    if "theme_b" in c.variations:
        main = (f'<div class="post" id="post-{m.article_id}"><p class="cat">'
                f'<a href="{cat_url}">{label}</a></p><h1>{_e(c.headline)}</h1>{date}'
                f'<p class="writer">{_e(authors)} <a href="{author_url}">アクセス</a></p>'
                f'<ul class="lead">{summary}</ul><div class="text">{body}</div>'
                + (f'<div class="writer-box">{_reporter_html(c)}</div>' if reporter else "")
                + f'<ul class="post-tags">{tags}</ul></div>')
    else:
        main = (f'<article class="post" id="post-{m.article_id}"><header class="entry-header">'
                f'<a class="entry-category" href="{cat_url}">{label}</a>'
                f'<h1 class="entry-title">{_e(c.headline)}</h1>{date}'
                f'<div class="byline"><span class="author">{_e(authors)}</span> '
                f'<a href="{author_url}">アクセス</a></div>'
                f'<ul class="entry-summary">{summary}</ul></header>'
                f'<div class="entry-content">{body}</div>{reporter}'
                f'<ul class="tags">{tags}</ul></article>')
    page = (f'{_skip_links()}{_nav(site, "gnb")}<main id="content">{main}'
            f"{_comments_html(site, c, amp)}</main><aside>{_ranking_widget(site)}</aside>"
            f'<script src="{site.base_path}assets/ranking.js" defer></script>'
            f"{related}{rest}{related}{_footer(site)}")
    charset = "utf-8"
    if c.encoding != "utf-8":
        charset = {"shift_jis": "Shift_JIS", "euc_jp": "EUC-JP"}[c.encoding]
        if c.charset_decl in ("header", "none"):
            charset = ""
    return _page(site, f"{c.headline} | {SITE_NAME}", head, page, charset=charset)


# -- listings ---------------------------------------------------------------------------------


def _list_items(site: DemoSite, indices: list[int], block: str) -> str:
    out = []
    for k, j in enumerate(indices):
        m = site.meta(j)
        out.append(f'<li><a href="{_a(site.link_url(j, block, k))}">{_e(m.headline)}</a>'
                   f'<time datetime="{iso(m.published)}">{_dt_text(m.published, 1)}</time>'
                   "</li>")
    return "".join(out)


def _shell(site: DemoSite, title: str, main: str, scripts: str = "") -> str:
    head = f'<link rel="stylesheet" href="{site.base_path}assets/site.css">'
    body = (f'{_skip_links()}{_nav(site, "gnb")}<main id="content">{main}</main>'
            f"<aside>{_ranking_widget(site)}</aside>"
            f'<script src="{site.base_path}assets/ranking.js" defer></script>{scripts}'
            f"{_footer(site)}")
    return _page(site, title, head, body)


def home_page(site: DemoSite) -> str:
    items = _list_items(site, site.latest(30), "latest")
    main = f'<section class="latest"><h2>最新ニュース</h2><ul>{items}</ul></section>'
    return _shell(site, f"{SITE_NAME} | 韓国の最新ニュースを日本語で", main)


def ranking_page(site: DemoSite) -> str:
    main = ('<h1>ランキング</h1>' + _ranking_widget(site, "daily", 10, "デイリーランキング")
            + _ranking_widget(site, "weekly", 10, "週間ランキング"))
    return _shell(site, f"ランキング | {SITE_NAME}", main)


def category_page(site: DemoSite, category: str, page: int) -> str | None:
    items = site.category_list(category)
    start = (page - 1) * PER_PAGE
    if page < 1 or (start >= len(items) and page > 1):
        return None
    label = vocab.CATEGORIES[category]
    base = f"{site.base_path}{category}/"
    nav = ""
    if page > 1:
        nav += f'<a class="prev" href="{base}page/{page - 1}/">前へ</a>' if page > 2 else (
            f'<a class="prev" href="{base}">前へ</a>')
    more = ""
    if start + PER_PAGE < len(items):
        nav += f'<a class="next" href="{base}page/{page + 1}/">次へ</a>'
        more = (f'<button class="load-more" data-endpoint="{site.base_path}wp-json/kt/v1/posts'
                f'?category={category}" data-offset="{start + PER_PAGE}">もっと見る</button>')
    main = (f'<section class="category-list"><h1>{label}</h1><ul>'
            f'{_list_items(site, items[start:start + PER_PAGE], "category")}</ul>'
            f'<div class="pagination">{nav}</div>{more}</section>')
    script = f'<script src="{site.base_path}assets/loadmore.js" defer></script>' if more else ""
    title = f"{label} | {SITE_NAME}" if page == 1 else f"{label} - {page}ページ | {SITE_NAME}"
    return _shell(site, title, main, script)


def posts_json(site: DemoSite, category: str, offset: int) -> dict[str, object]:
    items = site.category_list(category)
    chunk = items[offset:offset + POSTS_PER_CALL] if offset >= 0 else []
    nxt = offset + POSTS_PER_CALL
    return {
        "category": category, "offset": offset,
        "items": [{"id": str(site.article_id(j)),
                   "url": site.link_url(j, "posts", offset + k, absolute=True),
                   "title": site.meta(j).headline, "date": iso(site.meta(j).published),
                   "category": vocab.CATEGORIES[site.meta(j).category]}
                  for k, j in enumerate(chunk)],
        "next_offset": nxt if nxt < len(items) else None,
    }


def ranking_json(site: DemoSite, range_: str) -> dict[str, object]:
    return {"range": range_, "items": [
        {"rank": k + 1, "id": str(site.article_id(j)),
         "url": site.link_url(j, "ranking", range_, site.day, absolute=True),
         "title": site.meta(j).headline}
        for k, j in enumerate(site.ranking(range_))]}


def tag_page(site: DemoSite, slug: str, page: int) -> str | None:
    name = site.tag_names().get(slug)
    items = site.tag_list(slug)
    start = (page - 1) * PER_PAGE
    if name is None or not items or page < 1 or start >= len(items):
        return None
    base = f"{site.base_path}tag/{slug}/"
    nav = ""
    if start + PER_PAGE < len(items):
        nav = f'<a class="next" href="{base}page/{page + 1}/">次へ</a>'
    main = (f'<section class="tag-list"><h1>#{_e(name)}</h1><ul>'
            f'{_list_items(site, items[start:start + PER_PAGE], "tag")}</ul>'
            f'<div class="pagination">{nav}</div></section>')
    return _shell(site, f"{name} | {SITE_NAME}", main)


def author_page(site: DemoSite, local: str) -> str | None:
    for name, mail in vocab.REPORTERS:
        if mail == local:
            main = (f'<section class="author"><h1>{_e(name)}</h1>'
                    f"<p>{mail}@{MAIL_DOMAIN}</p></section>")
            return _shell(site, f"{name} | {SITE_NAME}", main)
    return None


def search_page(site: DemoSite, query: str, page: int) -> str:
    """A trap: every results page links to the next one, without end."""
    q = quote(query)
    hits = site.latest(60)
    chosen = [hits[(page * 7 + k) % len(hits)] for k in range(5)] if hits else []
    main = (f'<section class="search"><h1>「{_e(query)}」の検索結果</h1><ul>'
            f'{_list_items(site, chosen, "search")}</ul><div class="pagination">'
            f'<a class="next" href="{site.base_path}search/?s={q}&amp;page={page + 1}">次へ</a>'
            "</div></section>")
    return _shell(site, f"検索結果 | {SITE_NAME}", main)


def date_page(site: DemoSite, year: int, month: int) -> str:
    """A trap: every month links to the previous and the next one, without end."""
    py, pm = (year, month - 1) if month > 1 else (year - 1, 12)
    ny, nm = (year, month + 1) if month < 12 else (year + 1, 1)
    main = (f'<section class="calendar"><h1>{year}年{month}月</h1><p>この月の記事はありません。</p>'
            f'<a class="prev" href="{site.base_path}date/{py}/{pm:02d}/">前の月</a>'
            f'<a class="next" href="{site.base_path}date/{ny}/{nm:02d}/">次の月</a></section>')
    return _shell(site, f"{year}年{month}月 | {SITE_NAME}", main)


def not_found_page(site: DemoSite) -> str:
    return _shell(site, f"ページが見つかりません | {SITE_NAME}",
                  "<h1>ページが見つかりません</h1>")


# -- feeds ------------------------------------------------------------------------------------


def _rfc822(minutes: int) -> str:
    dt = datetime.fromtimestamp(minutes * 60, tz=JST)
    return dt.strftime("%a, %d %b %Y %H:%M:%S +0900")


def feed(site: DemoSite) -> str:
    items = []
    for j in site.latest(30):
        m = site.meta(j)
        url = site.canonical_url(j)
        items.append(f"<item><title>{_e(m.headline)}</title><link>{url}</link>"
                     f'<guid isPermaLink="false">{site.base_url}?p={m.article_id}</guid>'
                     f"<pubDate>{_rfc822(m.published)}</pubDate>"
                     f"<category>{vocab.CATEGORIES[m.category]}</category></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{SITE_NAME}</title><link>{site.base_url}</link>"
            f"<description>韓国の最新ニュースを日本語で</description><language>ja</language>"
            f'{"".join(items)}</channel></rss>\n')


SITEMAP_SIZE = 2000


def sitemap_index(site: DemoSite) -> str:
    n = max(1, -(-len(site.all_visible()) // SITEMAP_SIZE))
    maps = "".join(f"<sitemap><loc>{site.base_url}wp-sitemap-posts-post-{k}.xml</loc></sitemap>"
                   for k in range(1, n + 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9">{maps}</sitemapindex>\n')


def sitemap_posts(site: DemoSite, n: int) -> str | None:
    visible = sorted(site.all_visible())
    chunk = visible[(n - 1) * SITEMAP_SIZE:n * SITEMAP_SIZE]
    if n < 1 or not chunk:
        return None
    urls = "".join(f"<url><loc>{site.canonical_url(j)}</loc>"
                   f"<lastmod>{iso(site.meta(j).modified)}</lastmod></url>" for j in chunk)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9">{urls}</urlset>\n')


def robots(site: DemoSite) -> str:
    p = site.base_path
    return (f"User-agent: *\nDisallow: {p}wp-admin/\nDisallow: {p}search/\nDisallow: {p}?s=\n"
            f"Allow: {p}wp-admin/admin-ajax.php\n\nSitemap: {site.base_url}wp-sitemap.xml\n")
