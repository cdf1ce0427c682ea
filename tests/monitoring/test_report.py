"""The report as HTML: every section, nothing that runs or loads anything, text escaped,
the same bytes for the same run."""

from __future__ import annotations

import dataclasses
import re

import pytest

from newscrawl.monitoring.report import SECTIONS, build_report
from tests.monitoring.runs import sample_run

#: What would make the file fetch or run something.
ACTIVE = re.compile(r"<script|<iframe|<object|<embed|<link|@import|\son[a-z]+=|javascript:",
                    re.IGNORECASE)
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?!#)[^"'\s>]+|url\(\s*['"]?(?!#)""",
                      re.IGNORECASE)


@pytest.fixture(scope="module")
def page() -> str:
    """The report of a run whose layout changed (built once: charts take a while)."""
    return build_report(*sample_run())


def test_every_section_is_there_with_its_title(page: str) -> None:
    for anchor in SECTIONS:
        assert re.search(rf'<section id="{anchor}"><h2>[^<]+</h2>', page), anchor
    assert page.count("<svg") >= 9  # a chart per figure: drops, categories, hours, …


def test_the_verdict_and_the_moved_field_lead_the_page(page: str) -> None:
    verdict = page[page.index('<section id="verdict">'):page.index('<section id="articles">')]
    assert "FAILED" in verdict
    assert "layout changed: body from markup 94% → 3% (generic 6% → 97%)" in verdict
    assert '<tr class="fail"><td>body</td>' in page  # flagged in the fields table


def test_nothing_in_the_file_runs_or_loads(page: str) -> None:
    assert ACTIVE.search(page) is None
    assert EXTERNAL.findall(page) == []
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_page_text_is_escaped() -> None:
    data, history = sample_run()
    hostile = '"><script>alert(1)</script>'
    data.observed["slowest"][0]["url"] = f"http://127.0.0.1/ja/{hostile}"
    data.observed["categories"] = {hostile: 3}
    data = dataclasses.replace(data, spider="<b>spider</b>")
    page = build_report(data, history)
    assert "<script" not in page and "<b>spider" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_same_run_gives_the_same_report(page: str) -> None:
    assert build_report(*sample_run()) == page


def test_a_normal_run_reads_ok() -> None:
    data, history = sample_run(changed=False)
    page = build_report(data, history)
    assert '<header class="ok">' in page and "FAILED" not in page


def test_a_failed_monitor_is_the_reason_even_when_the_health_verdict_passed() -> None:
    """Until the health verdict reads the monitors, the report still says why it failed."""
    data, history = sample_run()
    data = dataclasses.replace(data, ok=True, verdict="finished, 200 article(s) written")
    page = build_report(data, history)
    assert ("<strong>FAILED</strong>: layout changed: body from markup 94% → 3% "
            "(generic 6% → 97%)") in page
