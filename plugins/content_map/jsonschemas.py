"""JSON Schemas (draft 2020-12) of persona, journey and page front-matter files.

They are built from the field declarations in `schema.py`, the ones `check`
enforces, so an editor that validates with them (through yaml-language-server's
`# yaml-language-server: $schema=…` comment, or a `yaml.schemas` setting) agrees
with the check. The schemas describe values as an editor's YAML 1.2 parser sees
them: a date is a `YYYY-MM-DD` string, and a bare number is accepted where
`check` accepts it as text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from . import writer
from .load.schema import JOURNEY_FIELDS, PAGE_FIELDS, PERSONA_FIELDS, Field
from .model import ID_PATTERN

__all__ = ["DIALECT", "SCHEMA_FILES", "all_schemas", "journey_schema", "page_schema",
           "persona_schema", "schema_output", "schema_text", "write_schemas"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILES = {
    "persona": "persona.schema.json",
    "journey": "journey.schema.json",
    "page": "page.schema.json",
}

_ID = f"^{ID_PATTERN.pattern}$"
_STAGE_KEY = f"^(?:{ID_PATTERN.pattern}/)?{ID_PATTERN.pattern}$"
_TEXT: dict[str, Any] = {"type": ["string", "number"], "pattern": r"\S"}
_ID_VALUE: dict[str, Any] = {"type": ["string", "integer"], "pattern": _ID, "minimum": 0}


def _kind(spec: Field) -> dict[str, Any]:
    kind = spec.kind
    if kind == "text":
        return dict(_TEXT)
    if kind == "id":
        return dict(_ID_VALUE)
    if kind in ("ids", "texts"):
        item = _ID_VALUE if kind == "ids" else _TEXT
        many = {"type": "array", "items": dict(item)}
        if not spec.single:
            return many
        return {"anyOf": [dict(item), many]}
    if kind == "enum":
        return {"type": "string", "enum": list(spec.choices)}
    if kind == "int":
        out: dict[str, Any] = {"type": "integer"}
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
        return out
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "date":
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    if kind == "textmap":
        return {"type": "object", "additionalProperties": dict(_TEXT)}
    if kind == "object":
        return _object(spec.fields)
    if kind == "objects":
        return {"type": "array", "items": _object(spec.fields)}
    if kind == "idmap":
        return {
            "type": "object",
            "propertyNames": {"pattern": _STAGE_KEY},
            "additionalProperties": {"anyOf": [_object(spec.fields), {"type": "null"}]},
        }
    raise AssertionError(f"unknown field kind {kind}")  # pragma: no cover


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional field may be left empty (`key:`); `check` reads that as absent."""
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    if "enum" in schema:
        return {**schema, "type": [schema["type"], "null"], "enum": [*schema["enum"], None]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


def _property(spec: Field) -> dict[str, Any]:
    schema = _kind(spec)
    if not spec.required:
        schema = _nullable(schema)
    return {"description": spec.description, **schema}


def _object(fields: tuple[Field, ...], *, names: Mapping[str, str] | None = None,
            closed: bool = True) -> dict[str, Any]:
    """`closed`: keys the declarations do not name are refused (`unknown-field` in check)."""
    names = names or {}
    out: dict[str, Any] = {
        "type": "object",
        "properties": {names.get(f.name, f.name): _property(f) for f in fields},
    }
    required = [names.get(f.name, f.name) for f in fields if f.required]
    if required:
        out["required"] = required
    out["additionalProperties"] = not closed
    return out


def _document(kind: str, title: str, description: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": DIALECT, "$id": f"urn:content-map:{kind}", "title": title,
            "description": description, **body}


def persona_schema() -> dict[str, Any]:
    return _document(
        "persona", "content-map persona",
        "A customer persona: personas/<id>.yml, or the front-matter of personas/<id>.md.",
        _object(PERSONA_FIELDS),
    )


def journey_schema() -> dict[str, Any]:
    return _document(
        "journey", "content-map journey",
        "A customer journey and its ordered stages: journeys/<id>.yml.",
        _object(JOURNEY_FIELDS),
    )


def page_schema(fields: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The content-map keys of a page's front-matter; other keys (MkDocs's own) are allowed.

    `fields` maps standard field names to the keys a site uses instead (the
    plugin's `fields` option).
    """
    return _document(
        "page", "content-map page front-matter",
        "The front-matter of a Markdown page that is a content piece.",
        _object(PAGE_FIELDS, names=fields, closed=False),
    )


def all_schemas(fields: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """File name -> schema, for the `schema` command."""
    return {
        SCHEMA_FILES["persona"]: persona_schema(),
        SCHEMA_FILES["journey"]: journey_schema(),
        SCHEMA_FILES["page"]: page_schema(fields),
    }


def schema_text(document: Mapping[str, Any]) -> str:
    """A schema (or all three, by file name) as an editor reads it: indented JSON."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: str, fields: Mapping[str, str] | None = None) -> Iterator[Path]:
    """Write the three schema files into `folder` (made when missing) through the one
    writer, yielding each once it is written; `writer.WriteProblem` says why not."""
    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, schema in all_schemas(fields).items():
            writer.replace(out / name, schema_text(schema), out)
            yield out / name
    except OSError as exc:
        raise writer.WriteProblem(f"{folder}: cannot be created ({exc.strerror})") from None


def schema_output(folder: str | None, config_file: str | None,
                  settings_of: Callable[[Path, Any, None], Any],
                  kind: str | None = None) -> Iterator[str]:
    """What `content-map schema` prints, as it goes: the schema of `kind` (with the `fields`
    of `config_file`, or of ./mkdocs.yml when there is one), or a line per file written
    into `folder`. `settings_of` validates the site's options; `SiteConfigError` and
    `writer.WriteProblem` say why it cannot."""
    from .load.siteconfig import read_site_config
    from .site.generation import shown

    fields: dict[str, str] = {}
    if config_file or any(Path(n).is_file() for n in ("mkdocs.yml", "mkdocs.yaml")):
        site = read_site_config(config_file)
        fields = dict(settings_of(site.path, site.options, None).fields)
    if not folder:
        yield schema_text(all_schemas(fields)[f"{kind or 'page'}.schema.json"])
        return
    for path in write_schemas(folder, fields):
        yield f"wrote {shown(path)}\n"
