"""What the YAML readers build: mappings and lists that know the line of each entry, and
plain scalars typed as YAML 1.1 types them.

Shared by the full loader (`safe_yaml`) and its shortcut for simple front-matter
(`simple_yaml`), so the two build exactly the same values.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["KINDS", "STR", "YAML_ONLY_BREAKS", "YamlList", "YamlMap", "YamlProblem",
           "plain", "plain_is_text", "raw_text", "resolve", "typed"]

STR = "tag:yaml.org,2002:str"
KINDS = {
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
}
"""What YAML took a plain scalar for, by its tag, when it cannot build it."""

YAML_ONLY_BREAKS = re.compile("[\r\x85\u2028\u2029]")
"""Characters YAML 1.1 breaks lines at, besides `\n`."""

_constructor = yaml.constructor.SafeConstructor()
_resolver = yaml.resolver.Resolver()
_IMPLICIT = _resolver.yaml_implicit_resolvers  # plain scalars YAML may type, by first character


class YamlProblem(Exception):
    """The text is not YAML this tool accepts. `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class YamlMap(dict):  # type: ignore[type-arg]
    """A mapping that knows the line of each key, and the source text of odd scalars.

    `unbuilt` (filled on the root only) lists (line, text, kind) of plain scalars
    YAML 1.1 types as `kind` ("a date", "a number", "a special value") but cannot build.
    """

    __slots__ = ("line", "lines", "raw", "unbuilt")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}
        self.raw: dict[str, str] = {}
        self.unbuilt: list[tuple[int, str, str]] = []


class YamlList(list):  # type: ignore[type-arg]
    """A list that knows the line of each item, and the source text of odd scalars."""

    __slots__ = ("line", "lines", "raw", "unbuilt")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []
        self.raw: dict[int, str] = {}
        self.unbuilt: list[tuple[int, str, str]] = []


def plain(value: Any) -> Any:
    """`value` with its mappings and lists as plain `dict` and `list`, as PyYAML builds
    them: what a site builder's own parse would have given."""
    kind = type(value)
    if kind is YamlMap:
        return {key: plain(item) for key, item in value.items()}
    if kind is YamlList:
        return [plain(item) for item in value]
    return value


def raw_text(container: Any, key: Any) -> str | None:
    """How a non-text scalar was written (`no`, `007`, `1.10`), if resolved from plain text."""
    raw = getattr(container, "raw", None)
    return raw.get(key) if raw else None


# A plain scalar that starts with a letter can only be typed as a boolean or null, and
# only when it is one of these words; checking the set skips PyYAML's regular expressions.
_TYPED_WORDS = frozenset((
    "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
    "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", "null", "Null", "NULL",
))


def plain_is_text(value: str) -> bool:
    """Whether a plain scalar resolves to a string: the common case, decided without PyYAML."""
    if not value:
        return False  # empty: null
    first = value[0]
    if first.isascii() and first.isalpha() and value not in _TYPED_WORDS:
        return True
    resolvers = _IMPLICIT.get(first)
    if not resolvers:
        return True
    return not any(pattern.match(value) for _, pattern in resolvers)


def resolve(value: str) -> str:
    """The tag YAML 1.1 gives a plain scalar."""
    return _resolver.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-any-return]


def typed(tag: str, value: str, start: Any = None, end: Any = None,
          style: str | None = None) -> tuple[Any, str | None]:
    """The value YAML builds for a scalar of `tag`; or, when it cannot build one, the text
    as it is and what YAML took it for (`KINDS`)."""
    node = yaml.ScalarNode(tag, value, start, end, style)
    try:
        return _constructor.construct_object(node, deep=True), None
    except Exception:  # noqa: BLE001 - PyYAML's scalar constructors raise all kinds
        # `2027-13-45` looks like a date, a 5,000-digit number exceeds int(), `!!int ''`
        # has no digit, `!!bool maybe` is no boolean: keep the text
        return value, KINDS.get(tag, "a special value")
