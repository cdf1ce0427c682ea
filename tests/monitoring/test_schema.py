"""The Article JSON Schema: generated from the dataclass, published as a file, enforced on
every item."""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from scrapy.utils.test import get_crawler

from newscrawl.config import BadSetting
from newscrawl.items import Article
from newscrawl.monitoring.pipeline import SchemaPipeline
from newscrawl.monitoring.schema import (
    FORMATS,
    SCHEMA_FILE,
    article_schema,
    build_schema,
    schema_error,
    schema_text,
)
from newscrawl.rejects import Rejected
from tests.monitoring import support
from tests.monitoring.runs import good_article
from tests.support import ROOT


def line(**changes: Any) -> dict[str, Any]:
    data = asdict(good_article())
    data.update(changes)
    return data


#: Lines that must be rejected, each with the field the message must name.
BAD_LINES: list[tuple[str, dict[str, Any]]] = [
    ("date_published", line(date_published="2025/12/12 09:10")),
    ("date_published", line(date_published="2025-12-12T09:10:00")),  # no offset
    ("crawled_at", line(crawled_at="yesterday")),
    ("article_id", line(article_id="abc")),
    ("headline", line(headline=None)),
    ("body", line(body="")),
    ("url", line(url="ftp://example.org/x")),
    ("comment_count", line(comment_count=-1)),
    ("version", line(version=0)),
    ("updated", line(updated="yes")),
    ("tags", line(tags="朝市")),
    ("images", line(images=[{"url": "https://x.example/1.jpg"}])),  # credit missing
    ("related", line(related=[{"url": "https://x.example/a/1", "title": "t",
                               "block": "sidebar", "position": 1}])),
    ("discovered_via", line(discovered_via={"block": "nowhere"})),
    ("(item)", line(extra_field=1)),
]


def test_the_published_schema_file_is_the_generated_one() -> None:
    published = (ROOT / SCHEMA_FILE).read_text(encoding="utf-8")
    assert published == schema_text(build_schema()), (
        f"{SCHEMA_FILE} is stale: python -m newscrawl.monitoring.schema {SCHEMA_FILE}")


def test_schema_has_every_field_of_the_dataclass_with_its_docstring() -> None:
    schema = article_schema()
    names = [f.name for f in fields(Article)]
    assert list(schema["properties"]) == names
    assert schema["required"] == names
    assert schema["additionalProperties"] is False
    assert schema["properties"]["date_published"]["description"].startswith(
        "Publication time, ISO 8601 with offset")
    assert schema["properties"]["discovered_via"]["anyOf"][0] == {
        "$ref": "#/definitions/DiscoveredVia"}


def test_formats_only_name_real_fields() -> None:
    """The constraint table cannot drift from the item: every name in it is a field."""
    from newscrawl import items

    for owner, constraints in FORMATS.items():
        cls = getattr(items, owner)
        known = ({f.name for f in fields(cls)} if owner == "Article"
                 else set(cls.__annotations__))
        assert set(constraints) <= known, owner


def test_schema_is_valid_draft_07() -> None:
    jsonschema.Draft7Validator.check_schema(article_schema())


def test_a_good_article_is_valid_for_both_validators() -> None:
    data = line()
    assert schema_error(data) is None
    jsonschema.Draft7Validator(article_schema()).validate(data)


@pytest.mark.parametrize(("field", "data"), BAD_LINES, ids=[f for f, _ in BAD_LINES])
def test_bad_lines_are_rejected_by_both_validators(field: str, data: dict[str, Any]) -> None:
    error = schema_error(data)
    assert error is not None and error.startswith(field), error
    reference = jsonschema.Draft7Validator(article_schema())
    assert not reference.is_valid(data)


def test_a_value_json_has_no_type_for_is_an_invalid_line_not_an_error() -> None:
    assert schema_error(line(tags={"朝市"})) == "(item) is not JSON: Unsupported type: 'set'"


def test_version_changes_with_the_format() -> None:
    schema = copy.deepcopy(build_schema())
    del schema["$id"]
    schema["properties"]["headline"]["maxLength"] = 10
    from newscrawl.monitoring.schema import schema_version

    assert schema_version(schema) != schema_version(build_schema())


def crawler_with_pipeline(**overrides: Any) -> SchemaPipeline:
    crawler = get_crawler(settings_dict=support.defaults(**overrides))
    return SchemaPipeline.from_crawler(crawler)


def test_pipeline_passes_a_valid_article_and_counts_it() -> None:
    pipeline = crawler_with_pipeline()
    article = good_article()
    article.discovered_via = {"block": "sitemap"}  # optional keys absent: nothing filled in
    before = copy.deepcopy(article)
    assert pipeline.process_item(article) is article
    assert article == before
    assert pipeline.crawler.stats.get_value("newscrawl/schema/checked") == 1


def test_pipeline_rejects_an_invalid_article_with_its_reason() -> None:
    pipeline = crawler_with_pipeline()
    article = good_article()
    article.date_modified = "12月12日"
    with pytest.raises(Rejected) as raised:
        pipeline.process_item(article)
    assert raised.value.reason == "schema_invalid"
    assert raised.value.detail.startswith("date_modified \"12月12日\" does not match \"^")


def test_pipeline_leaves_other_items_alone() -> None:
    other = {"kind": "not an article"}
    assert crawler_with_pipeline().process_item(other) is other


def test_pipeline_setting_is_checked() -> None:
    with pytest.raises(BadSetting, match="NEWSCRAWL_SCHEMA_CHECK_ENABLED"):
        crawler_with_pipeline(NEWSCRAWL_SCHEMA_CHECK_ENABLED="maybe")


def test_schema_cli_writes_the_file(tmp_path: Path) -> None:
    from newscrawl.monitoring.schema import main

    target = tmp_path / "article.schema.json"
    assert main([str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == article_schema()
