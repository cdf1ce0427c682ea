"""The JSON Schema of an output line, generated from :class:`newscrawl.items.Article`.

The schema is built from the dataclass itself: its fields and type hints give the properties
and types, the ``TypedDict`` s it uses give ``definitions``, the attribute docstrings give the
descriptions. What a type hint cannot say comes from the code that enforces it, not from a
second description: the fields :mod:`newscrawl.pipelines.validate` requires are non-empty
strings, the link blocks are :data:`newscrawl.items.BLOCKS`, and a short table here
(:data:`FORMATS`) gives the formats the docstrings state (ISO 8601 with offset, numeric ids,
http(s) URLs); a test checks that every name in it is a field.

``docs/article.schema.json`` is this schema, written by ``python -m newscrawl.monitoring.schema
docs/article.schema.json``; a test fails when the file and the code differ. Items are checked
against it by :class:`newscrawl.monitoring.pipeline.SchemaPipeline`.

Every field is ``required``: the exporter writes every field of the dataclass, and a missing
value is ``null`` or an empty list, never an absent key. ``additionalProperties`` is false, so
a field added to the item without regenerating the schema makes items invalid at once.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import itertools
import json
import sys
import textwrap
import types
import typing
from dataclasses import MISSING, fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints, is_typeddict

from newscrawl.items import BLOCKS, Article

JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
SCHEMA_FILE = "docs/article.schema.json"
SCHEMA_ID_PREFIX = "urn:newscrawl:article:"

ISO_DATETIME_WITH_OFFSET = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
"""RFC 3339 (ISO 8601 with seconds and an offset), as ``format: date-time`` means it."""
HTTP_URL = r"^https?://[^\s]+$"

_DATETIME = {"format": "date-time", "pattern": ISO_DATETIME_WITH_OFFSET}
_URL = {"format": "uri", "pattern": HTTP_URL}

FORMATS: dict[str, dict[str, dict[str, Any]]] = {
    "Article": {
        "url": _URL,
        "canonical_url": _URL,
        "article_id": {"pattern": r"^[0-9]+$"},
        "date_published": _DATETIME,
        "date_modified": _DATETIME,
        "crawled_at": _DATETIME,
        "language": {"pattern": r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$"},
        "comment_count": {"minimum": 0},
        "version": {"minimum": 1},
    },
    "ImageRef": {"url": _URL},
    "LinkRef": {"url": _URL, "block": {"enum": sorted(BLOCKS)}, "position": {"minimum": 1}},
    "DiscoveredVia": {
        "block": {"enum": sorted(BLOCKS | {"start"})},
        "position": {"minimum": 1},
        "from_url": _URL,
        "range": {"enum": ["daily", "weekly"]},
    },
}
"""Per type, per field: the constraints a type hint cannot carry (formats stated in the
docstrings of :mod:`newscrawl.items`)."""

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean",
                            type(None): "null"}


def attribute_docs(cls: type) -> dict[str, str]:
    """The docstring under each annotated attribute of *cls* (one paragraph, spaces folded)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[node.target.id] = " ".join(inspect.cleandoc(following.value.value).split())
    return docs


def _class_doc(cls: type) -> str:
    return " ".join(inspect.cleandoc(cls.__doc__ or "").split())


class _Builder:
    """Turns type hints into schema fragments, collecting ``TypedDict`` s into
    ``definitions``."""

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def type_schema(self, hint: Any) -> dict[str, Any]:
        origin = get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            options = [self.type_schema(arg) for arg in get_args(hint)]
            if all(set(option) == {"type"} for option in options):
                return {"type": [option["type"] for option in options]}
            return {"anyOf": options}
        if origin is list:
            (item,) = get_args(hint)
            return {"type": "array", "items": self.type_schema(item)}
        if origin is Literal:
            return {"enum": list(get_args(hint))}
        if is_typeddict(hint):
            self.typed_dict(hint)
            return {"$ref": f"#/definitions/{hint.__name__}"}
        if hint in _SCALARS:
            return {"type": _SCALARS[hint]}
        raise TypeError(f"no JSON Schema for the type {hint!r}")

    def typed_dict(self, cls: Any) -> None:
        name = cls.__name__
        if name in self.defs:
            return
        self.defs[name] = {}  # reserved first: a TypedDict may refer to itself
        hints = get_type_hints(cls)
        docs = attribute_docs(cls)
        self.defs[name] = {
            "type": "object",
            "description": _class_doc(cls),
            "properties": {key: self.property(name, key, hint, docs.get(key))
                           for key, hint in hints.items()},
            "required": [key for key in hints if key in cls.__required_keys__],
            "additionalProperties": False,
        }

    def property(self, owner: str, name: str, hint: Any, doc: str | None) -> dict[str, Any]:
        schema = self.type_schema(hint)
        extra = FORMATS.get(owner, {}).get(name, {})
        if extra and "anyOf" in schema:  # e.g. str | None inside anyOf: constrain the string
            schema = {"anyOf": [{**option, **extra} if option.get("type") != "null" else option
                                for option in schema["anyOf"]]}
        else:
            schema = {**schema, **extra}
        return {"description": doc, **schema} if doc else schema


def _non_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """A nullable string made a required non-empty string (a field validation requires)."""
    kinds = schema.get("type")
    if isinstance(kinds, list) and "string" in kinds:
        schema = {**schema, "type": "string", "minLength": 1}
    return schema


def build_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07, which every common validator implements) of one output
    line, from the dataclass."""
    from newscrawl.pipelines.validate import REQUIRED  # the fields validation insists on

    if not is_dataclass(Article):  # pragma: no cover - a guard for the generator's premise
        raise TypeError("Article must be a dataclass")
    builder = _Builder()
    hints = get_type_hints(Article)
    docs = attribute_docs(Article)
    properties: dict[str, Any] = {}
    for item_field in fields(Article):
        schema = builder.property("Article", item_field.name, hints[item_field.name],
                                  docs.get(item_field.name))
        if item_field.name in REQUIRED:
            schema = _non_empty(schema)
        elif item_field.default is not MISSING:  # (lists have a default_factory instead)
            schema["default"] = item_field.default
        properties[item_field.name] = schema
    schema = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "Article",
        "description": _class_doc(Article)
        + " Generated from newscrawl.items.Article (python -m newscrawl.monitoring.schema).",
        "type": "object",
        "properties": properties,
        "required": [item_field.name for item_field in fields(Article)],
        "additionalProperties": False,
        "definitions": dict(sorted(builder.defs.items())),
    }
    return {"$id": f"{SCHEMA_ID_PREFIX}{schema_version(schema)}", **schema}


def schema_version(schema: dict[str, Any]) -> str:
    """A short content hash of the schema (without its ``$id``): it changes exactly when the
    published format does. The schema's ``$id`` is ``urn:newscrawl:article:<version>``."""
    if "$id" in schema:
        return str(schema["$id"]).removeprefix(SCHEMA_ID_PREFIX)
    body = {key: value for key, value in schema.items() if key != "$id"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


@cache
def article_schema() -> dict[str, Any]:
    """:func:`build_schema`, built once per process (treat it as read-only)."""
    return build_schema()


def schema_text(schema: dict[str, Any] | None = None) -> str:
    """The schema as the file ``docs/article.schema.json`` holds it."""
    return json.dumps(schema or article_schema(), ensure_ascii=False, indent=2) + "\n"


@cache
def _validator() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(article_schema())  # draft 7, by the schema's $schema


def schema_error(line: dict[str, Any]) -> str | None:
    """Why *line* (an item as a JSON-ready dict) does not match the schema, in one line such
    as ``date_published "2025/12/12" does not match "^…"``, or None when it does.

    The validator is jsonschema-rs, built once (about 5 µs an item on the replica's articles;
    fastjsonschema's generated Python took 78 µs, 2 % of a crawl's time); it only reads the
    line. The tests check the same items with ``jsonschema``."""
    import jsonschema_rs

    try:
        _validator().validate(line)
    except jsonschema_rs.ValidationError as error:
        where = ".".join(str(part) for part in error.instance_path) or "(item)"
        return f"{where} {error.message}"[:300]
    except ValueError as error:  # a value JSON has no type for (a set, bytes)
        return f"(item) is not JSON: {error}"[:300]
    return None


def main(argv: list[str] | None = None) -> int:
    """``python -m newscrawl.monitoring.schema [PATH]``: print the schema, or write it."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        Path(args[0]).write_text(schema_text(), encoding="utf-8")
    else:
        sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
