"""The fields of the three file kinds, declared once, and the checks that enforce them.

`check` and the plugin validate files against these declarations, and the
`schema` command turns the same declarations into JSON Schemas for editors, so
the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model import ID_PATTERN, STATUSES, Finding
from ..suggestion import closest, id_form, shown
from .safe_yaml import YamlMap, raw_text

__all__ = [
    "JOURNEY_FIELDS",
    "PAGE_FIELDS",
    "PERSONA_FIELDS",
    "STAGE_FIELDS",
    "Field",
    "Validator",
]


@dataclass(frozen=True)
class Field:
    """One key of a file.

    `kind` is one of: text, id, ids (a list of ids), texts (a list of text, or one
    text), int, date, enum, bool, textmap (keys to short text), object, objects (a
    list of objects) and idmap (ids to objects).
    """

    name: str
    kind: str
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    minimum: int | None = None
    single: bool = False  # `ids`/`texts` also accept one value instead of a list


STAGE_FIELDS = (
    Field("id", "id", "Stage id, unique within the journey.", required=True),
    Field("name", "text", "Display name of the stage."),
    Field("goal", "text", "What the customer wants to achieve at this stage."),
    Field("questions", "texts", "Questions customers ask at this stage.", single=True),
    Field("emotions", "texts", "How customers typically feel at this stage.", single=True),
    Field("channels", "texts", "Where customers look for content at this stage.", single=True),
    Field("kpis", "texts", "How content at this stage is measured.", single=True),
    Field(
        "min_content",
        "int",
        "Counting pieces each persona needs at this stage (overrides coverage.min_per_cell).",
        minimum=0,
    ),
    Field("labels", "texts", "Your site's own names for this stage, as pages already write "
          "them (any text, e.g. `Get started`); see the `fields` option.", single=True),
)

JOURNEY_FIELDS = (
    Field("id", "id", "Journey id; defaults to the file name and must match it if given."),
    Field("name", "text", "Display name of the journey."),
    Field("description", "text", "One sentence about the journey."),
    Field(
        "stages",
        "objects",
        "The stages, in the order a customer goes through them.",
        required=True,
        fields=STAGE_FIELDS,
    ),
)

SKIP_FIELDS = (
    Field("stage", "text", "Stage id (or `journey/stage`) where no content is expected.",
          required=True),
    Field("reason", "text", "Why this persona needs no content at this stage.", required=True),
)

PERSONA_STAGE_FIELDS = (
    Field("emotion", "text", "How this persona feels at this stage."),
    Field("questions", "texts", "What this persona asks at this stage.", single=True),
)

PERSONA_FIELDS = (
    Field("id", "id", "Persona id; defaults to the file name and must match it if given."),
    Field("name", "text", "Display name, e.g. `Olivia, Operations Lead`.", required=True),
    Field("summary", "text", "One or two sentences about who this is."),
    Field("type", "enum", "Whether the persona is a customer or a colleague.",
          choices=("external", "internal")),
    Field("frequency", "enum", "How often the persona comes to the content.",
          choices=("first-time", "occasional", "frequent")),
    Field("journeys", "ids", "Journeys this persona follows (default: all).", single=True),
    Field("skip_stages", "objects", "Stages where no content is expected, with a reason.",
          fields=SKIP_FIELDS),
    Field("demographics", "textmap", "Age, location, occupation, education…"),
    Field("goals", "texts", "What the persona wants to achieve.", single=True),
    Field("pains", "texts", "What gets in the persona's way.", single=True),
    Field("motivations", "texts", "Why the persona acts.", single=True),
    Field("channels", "texts", "Where the persona looks for content.", single=True),
    Field("stages", "idmap", "The persona's emotion and questions at each stage.",
          fields=PERSONA_STAGE_FIELDS),
    Field("aliases", "ids", "Other ids pages may use for this persona.", single=True),
    Field("labels", "texts", "Your site's own names for this persona, as pages already write "
          "them (any text, e.g. `Administrators`); see the `fields` option.", single=True),
)

PAGE_FIELDS = (
    Field("title", "text", "Page title."),
    Field("personas", "texts", "Persona ids this page serves.", single=True),
    Field("stage", "text", "Stage id, or `journey/stage` when the id is in several journeys."),
    Field("stages", "texts", "Several stage ids, when the page serves more than one."),
    Field("journey", "text", "Journey id, when the stage id alone is ambiguous."),
    Field("status", "enum", "Where the piece is in its life.", choices=STATUSES),
    Field("owner", "text", "Who keeps the piece up to date."),
    Field("channel", "text", "Where the piece is published or promoted."),
    Field("format", "text", "Article, guide, video, checklist…"),
    Field("intent", "text", "What the reader wants: learn, compare, buy, fix…"),
    Field("review_by", "date", "Date by which the piece must be reviewed (YYYY-MM-DD)."),
    Field("due", "date", "Date by which a piece not yet published is due (YYYY-MM-DD)."),
    Field("next", "texts", "Next-step pages, relative to the docs directory.", single=True),
)


class Validator:
    """Checks mappings against field declarations, collecting findings for one file."""

    def __init__(self, file: str, findings: list[Finding], line_offset: int = 0):
        self.file = file
        self.findings = findings
        self.offset = line_offset

    def line(self, container: Any, key: Any = None) -> int | None:
        lines = getattr(container, "lines", None)
        line = None
        if key is not None and lines is not None:
            try:
                line = lines[key]
            except (KeyError, IndexError, TypeError):
                line = None
        if line is None:
            line = getattr(container, "line", None)
        return None if line is None else line + self.offset

    def problem(self, rule: str, container: Any, key: Any, message: str,
                suggestion: str | None = None) -> None:
        self.findings.append(
            Finding(rule, self.file, self.line(container, key), message, suggestion=suggestion)
        )

    def mapping(
        self,
        data: Any,
        fields: tuple[Field, ...],
        *,
        what: str,
        unknown: bool = True,
        names: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Validate `data` as a mapping; return the valid fields by their canonical names.

        `names` maps canonical field names to the keys a site uses instead.
        """
        if not isinstance(data, dict):
            self.problem("schema", data, None, f"{what} must be a mapping of `key: value` lines, "
                         f"not {_describe(data)}")
            return {}
        clean: dict[str, Any] = {}
        for spec in fields:
            key = names.get(spec.name, spec.name) if names else spec.name
            if key not in data or data[key] is None:
                if spec.required:
                    self.problem("schema", data, None,
                                 f"{what} has no `{key}`: add `{key}:` ({spec.description})")
                continue
            value = self.value(data, key, data[key], spec, what)
            if value is not None:
                clean[spec.name] = value
        if unknown:
            known = {names.get(f.name, f.name) if names else f.name for f in fields}
            for key in data:
                if key not in known:
                    guess = closest(str(key), known)
                    self.problem(
                        "unknown-field", data, key,
                        f"`{shown(str(key))}` is not a field of {what}"
                        + (f"; did you mean `{guess}`?" if guess
                           else "; remove it or fix the name"),
                        suggestion=guess,
                    )
        return clean

    def value(self, parent: Any, key: Any, value: Any, spec: Field, what: str) -> Any:
        """The value of `parent[key]` if it is valid for `spec`, else None (with a finding);
        `what` names the mapping in messages."""
        label = f"`{spec.name}`" if not isinstance(key, int) else f"item {key + 1} of `{spec.name}`"
        return self._KINDS[spec.kind](self, parent, key, value, spec, label, what)

    def _text_like(self, parent: Any, key: Any, value: Any, spec: Field, label: str,
                   what: str) -> str | None:
        """`text`, and the text kinds with a form: `id` and `enum`."""
        text = self.text(parent, key, value, label)
        if text is None:
            return None
        if spec.kind == "id" and not ID_PATTERN.fullmatch(text):
            suggestion = id_form(text)
            self.problem("schema", parent, key,
                         f"{label} `{shown(text)}` is not a valid id: use lower-case letters, "
                         "digits "
                         f"and hyphens" + (f", e.g. `{suggestion}`" if suggestion else ""),
                         suggestion=suggestion)
            return None
        if spec.kind == "enum" and text not in spec.choices:
            guess = closest(text, spec.choices)
            self.problem("schema", parent, key,
                         f"{label} is `{shown(text)}`, which is not one of "
                         + ", ".join(f"`{c}`" for c in spec.choices)
                         + (f"; did you mean `{guess}`?" if guess else ""),
                         suggestion=guess)
            return None
        return text

    def _list(self, parent: Any, key: Any, value: Any, spec: Field, label: str,
              what: str) -> tuple[Any, ...] | None:
        """`ids` and `texts`: a list (or, with `single`, one value) of ids or text."""
        if spec.single and not isinstance(value, (list, dict)):
            items, holder = [value], None
        elif isinstance(value, list):
            items, holder = value, value
        else:
            self.problem("schema", parent, key, f"{label} must be a list, not {_describe(value)}")
            return None
        item_spec = Field(spec.name, "id" if spec.kind == "ids" else "text", spec.description)
        out = []
        for index, item in enumerate(items):
            checked = (self.value(parent, key, item, item_spec, what) if holder is None
                       else self.value(holder, index, item, item_spec, what))
            if checked is not None:
                out.append(checked)
        return tuple(out)

    def _int(self, parent: Any, key: Any, value: Any, spec: Field, label: str,
             what: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem("schema", parent, key,
                         f"{label} must be a whole number, not {_describe(value)}")
            return None
        if spec.minimum is not None and value < spec.minimum:
            self.problem("schema", parent, key,
                         f"{label} must be at least {spec.minimum}, not {value}")
            return None
        return value

    def _bool(self, parent: Any, key: Any, value: Any, spec: Field, label: str,
              what: str) -> bool | None:
        if not isinstance(value, bool):
            self.problem("schema", parent, key, f"{label} must be true or false")
            return None
        return value

    def _date(self, parent: Any, key: Any, value: Any, spec: Field, label: str,
              what: str) -> dt.date | None:
        return self.date(parent, key, value, label)

    def _textmap(self, parent: Any, key: Any, value: Any, spec: Field, label: str,
                 what: str) -> dict[str, str] | None:
        """Keys to short text (`demographics`)."""
        if not isinstance(value, dict):
            self.problem("schema", parent, key,
                         f"{label} must be a mapping of `key: value` lines, not "
                         f"{_describe(value)}")
            return None
        out = {}
        for sub_key, sub_value in value.items():
            name = f"`{spec.name}.{shown(str(sub_key))}`"
            if isinstance(sub_value, (dict, list)):
                self.problem("schema", value, sub_key,
                             f"{name} must be short text, not {_describe(sub_value)}")
                continue
            text = self.text(value, sub_key, sub_value, name, lenient=True)
            if text is not None:
                out[str(sub_key)] = text
        return out

    def _object(self, parent: Any, key: Any, value: Any, spec: Field, label: str,
                what: str) -> dict[str, Any]:
        return self.mapping(value, spec.fields, what=f"{label} of {what}")

    def _objects(self, parent: Any, key: Any, value: Any, spec: Field, label: str,
                 what: str) -> tuple[dict[str, Any], ...] | None:
        if not isinstance(value, list):
            self.problem("schema", parent, key,
                         f"{label} must be a list of entries, not {_describe(value)}")
            return None
        return tuple(
            self.mapping(item, spec.fields, what=f"item {index + 1} of `{spec.name}`")
            if isinstance(item, dict) else self._not_mapping(value, index, spec)
            for index, item in enumerate(value)
        )

    def _idmap(self, parent: Any, key: Any, value: Any, spec: Field, label: str,
               what: str) -> dict[Any, dict[str, Any]] | None:
        """Stage ids to objects (a persona's `stages`)."""
        if not isinstance(value, dict):
            self.problem("schema", parent, key,
                         f"{label} must be a mapping of stage ids, not {_describe(value)}")
            return None
        return {
            sub_key: self.mapping(sub_value, spec.fields,
                                  what=f"`{spec.name}.{shown(str(sub_key))}`")
            if sub_value is not None else {}
            for sub_key, sub_value in value.items()
        }

    _KINDS: dict[str, Callable[..., Any]] = {
        "text": _text_like, "id": _text_like, "enum": _text_like, "ids": _list,
        "texts": _list, "int": _int, "bool": _bool, "date": _date, "textmap": _textmap,
        "object": _object, "objects": _objects, "idmap": _idmap,
    }
    """The check of each kind of field (see `Field.kind`)."""

    def _not_mapping(self, holder: list[Any], index: int, spec: Field) -> dict[str, Any]:
        self.problem("schema", holder, index,
                     f"item {index + 1} of `{spec.name}` must be a mapping of `key: value` lines, "
                     f"not {_describe(holder[index])}")
        return {}

    def text(self, parent: Any, key: Any, value: Any, label: str,
             lenient: bool = False) -> str | None:
        """Text as written. A plain scalar YAML turned into a number, date or boolean is
        accepted only when its text survives the round trip (`35`, not `no` or `007`)."""
        if isinstance(value, str):
            if not value.strip():
                self.problem("schema", parent, key, f"{label} is empty; write a value or remove it")
                return None
            return value
        raw = raw_text(parent, key)
        if isinstance(value, (dict, list)) or value is None:
            self.problem("schema", parent, key, f"{label} must be text, not {_describe(value)}")
            return None
        written = raw if raw is not None else str(value)
        if isinstance(value, bool) or (raw is not None and _canonical(value) != raw):
            self.problem(
                "schema", parent, key,
                f"{label} is written `{shown(written)}`, which YAML reads as {_describe(value)}; "
                f"put it in quotes to keep the text: '{shown(written)}'",
                suggestion=f"'{written}'",
            )
            return None
        if lenient or isinstance(value, (int, float, dt.date)):
            return written
        return None  # pragma: no cover

    def date(self, parent: Any, key: Any, value: Any, label: str) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem("schema", parent, key,
                     f"{label} is `{shown(str(value))}`, which is not a date; write it as "
                     "YYYY-MM-DD")
        return None


def _canonical(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, (dict, YamlMap)):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"`{shown(str(value))}`"
