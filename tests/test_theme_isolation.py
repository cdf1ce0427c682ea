"""The parsers are never told about the replica's unfamiliar themes.

Every class name and id that the new themes (``--themes``) serve and the modelled theme and
the other pages of the replica do not is collected from the served HTML; none may appear in
``newscrawl/`` outside ``newscrawl/demosite/``. A name with a hyphen, underscore, capital or
digit (``p-entry__body``, ``newsArticle__text``) is looked for anywhere in the files, comments
included; a plain word (``kanren``, ``art``) where code names a class or an id: as a whole
string literal, in a CSS selector (``.kanren``, ``#masthead``) or quoted inside one
(``contains(@class, 'kanren')``). Ids ending in digits count by their stem
(``js-rest-500012`` → ``js-rest``), so a ``starts-with(@id, 'js-rest')`` is caught too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

import newscrawl
from newscrawl.demosite.generator import THEMES, DemoSite
from newscrawl.demosite.server import handle

PACKAGE = Path(newscrawl.__file__).parent
NEW = THEMES[1:]
#: Every other page the replica serves (the modelled theme's article pages are added).
OTHER_PATHS = ("/ja/", "/ja/ranking/", "/ja/report/", "/ja/report/page/2/",
               "/ja/tag/%e8%a9%b1%e9%a1%8c-2/", "/ja/search/?s=x", "/ja/date/2025/01/",
               "/ja/author/aoki.r/", "/ja/no/such/page")
#: Element names: a literal equal to one of them names a tag, not a class.
HTML_TAGS = frozenset((
    "a", "abbr", "article", "aside", "b", "body", "br", "button", "dd", "div", "dl", "dt",
    "figcaption", "figure", "font", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head",
    "header", "hr", "html", "i", "iframe", "img", "li", "link", "main", "meta", "nav", "noscript",
    "ol", "p", "script", "section", "small", "span", "strong", "style", "table", "td",
    "textarea", "time", "title", "tr", "ul",
))
#: Themes whose article pages carry no class or id of their own (known by position only).
CLASSLESS = ("legacy",)


def _stem(name: str) -> str:
    return re.sub(r"[-_]*\d+$", "", name)


def _names(body: bytes) -> set[str]:
    root = lxml_html.fromstring(body)
    out: set[str] = set()
    for element in root.iter():
        if isinstance(element.tag, str):
            out.update((element.get("class") or "").split())
            if element.get("id"):
                out.add(element.get("id") or "")
    return out


def _served_names(site: DemoSite, paths: tuple[str, ...] = ()) -> set[str]:
    all_paths = list(paths)
    for index in range(site.total):
        path = site.canonical_url(index)[len("http://127.0.0.1:8765"):]
        all_paths += [path, path + "/amp/"]
    out: set[str] = set()
    for path in all_paths:
        response = handle(site, "GET", path, {})
        if response.body:
            out |= _names(response.body)
    return out


@pytest.fixture(scope="module")
def known() -> set[str]:
    names = _served_names(DemoSite(200, seed=0), OTHER_PATHS)
    names |= _served_names(DemoSite(200, seed=1, day=1))
    return names | {_stem(n) for n in names}


@pytest.fixture(scope="module")
def theme_names(known: set[str]) -> dict[str, set[str]]:
    """Per new theme, the names only it (or another new theme) serves."""
    out = {}
    for theme in NEW:
        served = _served_names(DemoSite(150, seed=0, themes=theme))
        out[theme] = {_stem(n) for n in served - known} - known - {""}
    return out


def _package_text() -> tuple[str, list[str]]:
    """(every text file of the package outside demosite/, the string literals of its Python
    code other than docstrings, and the whole text of its other files)."""
    texts: list[str] = []
    literals: list[str] = []
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE)
        if not path.is_file() or relative.parts[0] in ("demosite", "__pycache__"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        texts.append(text)
        if path.suffix != ".py":
            literals.append(text)
            continue
        tree = ast.parse(text)
        docstrings = {id(node.value) for node in ast.walk(tree)
                      if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
        literals += [node.value for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str)
                     and id(node) not in docstrings]
    return "\n".join(texts), literals


def _mentioned(name: str, text: str, literals: list[str]) -> bool:
    if re.search(r"[-_A-Z0-9]", name):
        return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None
    selector = re.compile(rf"""[.#]{name}(?![\w-])|['"]{name}['"]""")
    return any((literal == name and name not in HTML_TAGS) or selector.search(literal)
               for literal in literals)


@pytest.mark.parametrize("theme", NEW)
def test_each_new_theme_has_names_of_its_own(theme: str,
                                             theme_names: dict[str, set[str]]) -> None:
    if theme in CLASSLESS:
        assert theme_names[theme] == set()
    else:
        assert len(theme_names[theme]) >= 8, sorted(theme_names[theme])


def test_no_name_of_the_new_themes_appears_outside_the_replica(
        theme_names: dict[str, set[str]]) -> None:
    text, literals = _package_text()
    assert "parse_article" in text and literals  # the package was read
    names = set().union(*theme_names.values())
    leaks = sorted(n for n in names if _mentioned(n, text, literals))
    assert leaks == [], f"the parser is told about the unfamiliar themes: {leaks}"


def test_the_check_sees_a_name_given_to_a_parser() -> None:
    """The matching rules catch the ways code names a class (and only those)."""
    literals = ['//div[@itemprop="articleBody"]', "div.kanren > dd", "#masthead",
                "contains(@class, 'subbox')", "pict", "header"]
    text = "_BODY = css('div.p-entry__body')\n" + "\n".join(literals)
    for name in ("p-entry__body", "kanren", "masthead", "subbox", "pict"):
        assert _mentioned(name, text, literals), name
    for name in ("p-entry", "articlebody", "art", "header", "body"):
        assert not _mentioned(name, text, literals), name
