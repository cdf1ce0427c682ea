"""The replica's article templates ("themes").

``kangnam`` is the site as modelled (:func:`newscrawl.demosite.render.article_page`, with its
``theme_b`` variation and the AMP plugin's form). The others are unfamiliar themes written the
way other Japanese WordPress/CMS news sites are (see each module); they serve the same article
data, so the ground truth does not depend on the theme. ``DemoSite(themes=...)`` (``--themes``)
says which themes pages are drawn from; :meth:`~newscrawl.demosite.generator.DemoSite.theme_of`
gives an article's theme.

No class name or id of these modules may appear in ``newscrawl/`` outside ``demosite/``
(``tests/test_theme_isolation.py``): the parsers must read them without being told.
"""

from __future__ import annotations

from newscrawl.demosite import render
from newscrawl.demosite.generator import DEFAULT_THEME, DemoSite
from newscrawl.demosite.themes import ampfirst, blog, flocss, legacy, microdata, portal
from newscrawl.demosite.themes.base import Theme, View

NEW_THEMES: dict[str, Theme] = {
    t.name: t for t in (flocss.THEME, microdata.THEME, legacy.THEME, portal.THEME, blog.THEME,
                        ampfirst.THEME)
}
"""The unfamiliar themes, by name: every name of :data:`~newscrawl.demosite.generator.THEMES`
but the default, in the same order (``tests/demosite/test_themes.py``)."""

DESCRIPTIONS: dict[str, str] = {
    DEFAULT_THEME: "the site as modelled: WordPress entry-* classes, theme_b variation, "
                   "AMP plugin form",
    **{name: theme.description for name, theme in NEW_THEMES.items()},
}


def article_html(site: DemoSite, index: int, amp: bool = False) -> str:
    """The article's page in its theme (canonical or AMP URL) as text; the server encodes it
    in the article's encoding (UTF-8 on the AMP URL)."""
    name = site.theme_of(index)
    if name == DEFAULT_THEME:
        return render.article_page(site, index, amp)
    theme = NEW_THEMES[name]
    return theme.page(View(site, index, amp=amp or theme.amp_first, amp_url=amp))


__all__ = ["DESCRIPTIONS", "NEW_THEMES", "Theme", "View", "article_html"]
