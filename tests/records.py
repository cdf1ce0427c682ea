"""Typed views of the JSON the tests read.

The replica's ground truth: the generator builds each record as a ``dict[str, object]``
(``newscrawl.demosite.truth.truth_record``); tests read its fields through
:class:`TruthRecord`, which names the type of each one. Output lines (articles, rejects) are
:data:`JsonLine`: whatever ``json.loads`` made of them, checked by the tests themselves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict, cast

#: One line of a JSON Lines output (``newscrawl.demo.read_jsonl``), as ``json.loads`` read it.
JsonLine = dict[str, Any]


class TruthImage(TypedDict):
    url: str
    credit: str | None


class TruthRecord(TypedDict):
    """One article of the replica as its generator made it (the keys of ``truth_record``)."""

    article_id: str
    canonical_url: str
    aliases: list[str]
    headline: str
    summary: list[str]
    authors: list[str]
    date_published: str
    date_modified: str | None
    category: str
    tags: list[str]
    images: list[TruthImage]
    credits: list[str]
    body: str
    comment_count: int
    near_duplicate_of: str | None
    reachable: bool
    reachable_html: bool
    ranking: dict[str, int | None]
    variations: list[str]
    theme: str
    encoding: str
    fault: str | None
    retrievable: bool


def as_truth(records: Iterable[Mapping[str, object]]) -> list[TruthRecord]:
    """``records`` (from ``iter_truth`` or ``iter_site_truth``) as typed truth records."""
    return [cast(TruthRecord, record) for record in records]
