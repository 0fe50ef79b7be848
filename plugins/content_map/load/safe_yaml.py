"""A YAML loader for files written by many hands: strict, bounded, and line-aware.

It builds values from libyaml's event stream with an explicit stack instead of
PyYAML's recursive constructor, so no input can exhaust the C or Python stack.
On top of YAML it refuses what makes hand-written files surprising or dangerous:
anchors and aliases (billion-laughs bombs), merge keys, custom tags, duplicate keys,
more than one document, and nesting deeper than `MAX_DEPTH`.

Mapping keys are kept exactly as written (`on:` is the key "on", not True), and
every container remembers the line of each of its entries, so a finding can point
at the line an editor has to change. Lines are counted as the rest of the tool
counts them, by `\n` only: YAML 1.1 also breaks lines at U+0085, U+2028 and U+2029.

A plain scalar that YAML 1.1 types but cannot build (`2027-13-45`, `=`, a 5,000-digit
number) is kept as its text; the root container lists them in `unbuilt`, because
PyYAML, and so MkDocs's own front-matter reader, fails on the whole document there.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

import yaml

from ..suggestion import shown

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = ["MAX_DEPTH", "YamlList", "YamlMap", "YamlProblem", "load", "plain", "raw_text"]

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists accepted; real files stay under 6."""

_STR = "tag:yaml.org,2002:str"
_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_constructor = yaml.constructor.SafeConstructor()
_resolver = yaml.resolver.Resolver()


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


_KINDS = {
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
}
# What YAML 1.1 accepts in a stream (its `c-printable`); anything else stops the reader.
_NOT_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_YAML_ONLY_BREAKS = re.compile("[\r\x85\u2028\u2029]")

Position = Callable[[Any], "tuple[int, int]"]


def _simple_position(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


_simple_position.simple = True  # type: ignore[attr-defined]


def _positions(text: str) -> Position:
    """Mark -> (line, column), 1-based, counting lines by `\n` as the rest of the tool does."""
    if not _YAML_ONLY_BREAKS.search(text):
        return _simple_position
    breaks = [m.start() for m in re.finditer("\n", text)]

    def position(mark: Any) -> tuple[int, int]:
        index = min(mark.index, len(text))
        line = bisect.bisect_left(breaks, index)
        start = breaks[line - 1] + 1 if line else 0
        return line + 1, index - start + 1

    return position


def _scalar(event: Any, where: Position) -> tuple[Any, str | None, str | None]:
    """The value of a scalar event; its source text when YAML resolved it to a non-string;
    and, when YAML typed it but could not build it, what YAML took it for."""
    value = event.value
    tag = event.tag
    if tag == "!":  # the non-specific tag: always text
        return value, None, None
    if tag is None:
        if event.style:  # quoted or block scalar: always text ('' or None is plain)
            return value, None, None
        tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
    elif tag not in _ALLOWED_TAGS:
        raise YamlProblem(f"the tag `{tag}` is not allowed here; remove it",
                          *where(event.start_mark))
    if tag == _STR:
        return value, None, None
    node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
    try:
        return _constructor.construct_object(node, deep=True), value, None
    except Exception:  # noqa: BLE001 - PyYAML's scalar constructors raise all kinds
        # `2027-13-45` looks like a date, a 5,000-digit number exceeds int(), `!!int ''`
        # has no digit, `!!bool maybe` is no boolean: keep the text
        return value, value, _KINDS.get(tag, "a special value")


def load(text: str) -> Any:
    """Parse one YAML document; raise `YamlProblem` with a line for anything refused."""
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:  # found here, not by libyaml, whose position may count bytes
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise YamlProblem(
            f"the character U+{ord(bad.group()):04X} (a control character or non-character) "
            "is not allowed in YAML; delete it", line, column,
        )
    simple = _load_simple(text)
    if simple is not None:
        return simple
    loader = _Loader(text)
    where = _positions(text)
    try:
        return _build(loader, where)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "nesting depth" in str(exc.problem) and mark is not None:
            # libyaml 0.2.6 and later has its own limit (1,000 levels), which its scanner
            # can reach before the events get this deep: point where this tool's limit is.
            raise YamlProblem(f"values are nested more than {MAX_DEPTH} levels deep",
                              *_too_deep(text, mark.index)) from None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        raise YamlProblem(problem, *(where(mark) if mark else (None, None))) from None
    except yaml.YAMLError as exc:  # reader errors
        position = getattr(exc, "position", None)
        at = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        raise YamlProblem(reason, at, None) from None
    finally:
        loader.dispose()


def _too_deep(text: str, upto: int) -> tuple[int, int]:
    """(line, column) of the first bracket past `MAX_DEPTH` open flow collections.

    Quoted text is skipped, so brackets in strings do not count; the position is where
    this tool's own limit would have stopped the reading."""
    depth, quote, at = 0, "", upto
    for index, char in enumerate(text[: upto + 1]):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                at = index
                break
        elif char in "]}":
            depth -= 1
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


# Plain scalars YAML may type, by first character; any other first character means text.
_IMPLICIT = _resolver.yaml_implicit_resolvers
_SCALAR, _MAP_START, _SEQ_START = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAP_END, _SEQ_END = yaml.MappingEndEvent, yaml.SequenceEndEvent


# A plain scalar that starts with a letter can only be typed as a boolean or null, and
# only when it is one of these words; checking the set skips PyYAML's regular expressions.
_TYPED_WORDS = frozenset((
    "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
    "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", "null", "Null", "NULL",
))


def _plain_is_text(value: str) -> bool:
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


def _build(loader: Any, where: Position) -> Any:
    """One pass over the events, with an explicit stack of open containers.

    Each frame is [container, pending key (maps only), start event, is-a-map]; the
    loop is written out by hand because it runs for every value of every page.
    """
    stack: list[list[Any]] = []
    result: Any = None
    documents = 0
    have_root = False
    unbuilt: list[tuple[int, str, str]] = []
    simple = getattr(where, "simple", False)
    get_event = loader.get_event

    def problem(message: str, event: Any) -> YamlProblem:
        return YamlProblem(message, *where(event.start_mark))

    while True:
        event = get_event()
        if event is None:
            break
        kind = type(event)
        raw = None
        if kind is _SCALAR:
            if event.anchor:
                raise problem(f"anchors (`&{event.anchor}`) are not supported; write the value "
                              "out", event)
            value = event.value
            if event.tag is None and not event.style and _plain_is_text(value):
                pass  # plain text: by far the most common value
            else:
                value, raw, typed_as = _scalar(event, where)
                if typed_as is not None:
                    unbuilt.append((where(event.start_mark)[0], value, typed_as))
        elif kind is _MAP_START or kind is _SEQ_START:
            if event.anchor:
                raise problem(f"anchors (`&{event.anchor}`) are not supported; write the value "
                              "out", event)
            tag = event.tag
            if tag not in (None, "!") and tag not in _ALLOWED_TAGS:
                raise problem(f"the tag `{tag}` is not allowed here; remove it", event)
            if len(stack) >= MAX_DEPTH:
                raise problem(f"values are nested more than {MAX_DEPTH} levels deep", event)
            line = event.start_mark.line + 1 if simple else where(event.start_mark)[0]
            is_map = kind is _MAP_START
            stack.append([YamlMap(line) if is_map else YamlList(line), None, event, is_map])
            continue
        elif kind is _MAP_END or kind is _SEQ_END:
            value, _, event, _ = stack.pop()
        elif kind is yaml.AliasEvent:
            raise problem(f"aliases (`*{event.anchor}`) are not supported; write the value out",
                          event)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise problem("the file holds more than one YAML document (a second `---`); "
                              "keep one", event)
            continue
        elif kind is yaml.StreamEndEvent:
            break
        else:  # stream start, document end
            continue

        # `value` is complete: attach it to the open container (or make it the result).
        if not stack:
            result, have_root = value, True
            continue
        frame = stack[-1]
        container = frame[0]
        line = event.start_mark.line + 1 if simple else where(event.start_mark)[0]
        if not frame[3]:  # a list item
            if raw is not None:
                container.raw[len(container)] = raw
            container.append(value)
            container.lines.append(line)
        elif frame[1] is None:  # a key
            if type(value) is YamlMap or type(value) is YamlList:
                raise problem("a key must be plain text, not a list or mapping", event)
            key = value if raw is None else raw
            if type(key) is not str:
                key = str(key)
            if key == "<<" and event.tag is None and not event.style:
                raise problem("merge keys (`<<`) are not supported; write the fields out", event)
            if key in container:
                raise problem(f"the key `{shown(key)}` appears twice in this mapping "
                              f"(first at line {container.lines[key]}); keep one", event)
            frame[1] = key
            container.lines[key] = line
        else:  # a key's value
            key = frame[1]
            frame[1] = None
            if raw is not None:
                container.raw[key] = raw
            container[key] = value
    if unbuilt and isinstance(result, (YamlMap, YamlList)):
        result.unbuilt = unbuilt
    return result if have_root else None


# The shape nearly every page's front-matter has: `key: value` lines at the left margin,
# whose values are plain or simply quoted scalars, flow lists of plain scalars, or block
# lists of such scalars. `_load_simple` reads exactly that shape with regular expressions,
# several times faster than the event loop, and hands anything else (or anything it is
# unsure of) to the full loader; a property test checks that the two agree.
_SIMPLE_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,200}):(?: +(.*?))? *\Z")
_SIMPLE_ITEM = re.compile(r"( *)- +(.*?) *\Z")
_COMMENT = re.compile(r" *(?:#.*)?\Z")


_FIRST_NOT_PLAIN = frozenset("-?:,[]{}#&*!|>'\"%@` ")


def _simple_scalar(text: str, line: int, flow: bool,
                   unbuilt: list[tuple[int, str, str]]) -> tuple[Any, str | None] | None:
    """(value, source text if YAML typed it) of a simple scalar, or None if not simple."""
    first = text[:1]
    if first == '"' or first == "'":
        if len(text) > 1 and text[-1] == first and first not in text[1:-1] and \
                "\\" not in text:
            return text[1:-1], None
        return None
    if not first or first in _FIRST_NOT_PLAIN or text[-1] == ":" or ": " in text or \
            " #" in text or "," in text or "[" in text or "]" in text or "{" in text or \
            "}" in text or (flow and (":" in text or "#" in text)):
        return None
    if _plain_is_text(text):
        return text, None
    tag = _resolver.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR:
        return text, None
    try:
        return _constructor.construct_object(yaml.ScalarNode(tag, text), deep=True), text
    except Exception:  # noqa: BLE001 - as in `_scalar`: keep the text, note what YAML saw
        unbuilt.append((line, text, _KINDS.get(tag, "a special value")))
        return text, text


def _finish(root: YamlMap, key: str, block: YamlList | None) -> None:
    """Set a key written with no value on its line: its block list, or null."""
    root[key] = block
    if block is None:
        root.raw[key] = ""  # as the full loader records an empty plain scalar


def _load_simple(text: str) -> YamlMap | None:
    """The front-matter when it has the common simple shape, else None (use the full loader)."""
    if "\t" in text or _YAML_ONLY_BREAKS.search(text) or not text:
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    root: YamlMap | None = None
    unbuilt: list[tuple[int, str, str]] = []
    pending: str | None = None  # a key whose value may be a block list below it
    block: YamlList | None = None
    indent = -1
    for number, line in enumerate(lines, 1):
        if (not line or line[0] in " #") and _COMMENT.match(line):
            continue
        if pending is not None:
            item = _SIMPLE_ITEM.match(line)
            if item and (block is None or len(item.group(1)) == indent):
                if block is None:
                    block = YamlList(number)
                    indent = len(item.group(1))
                scalar = _simple_scalar(item.group(2), number, False, unbuilt)
                if scalar is None or not item.group(2):
                    return None
                if scalar[1] is not None:
                    block.raw[len(block)] = scalar[1]
                block.append(scalar[0])
                block.lines.append(number)
                continue
            if item or line.startswith(" "):
                return None
            assert root is not None
            _finish(root, pending, block)
            pending, block = None, None
        match = _SIMPLE_KEY.match(line)
        if match is None:
            return None
        key, value = match.group(1), match.group(2)
        if root is None:
            root = YamlMap(number)
        if key in root.lines or key == "<<":
            return None  # a duplicate: the full loader reports it with both lines
        root.lines[key] = number
        if not value:
            pending, block, indent = key, None, -1
            continue
        if value[0] == "[":
            if not value.endswith("]"):
                return None
            items = YamlList(number)
            inner = value[1:-1].strip()
            if inner:
                for part in inner.split(","):
                    part = part.strip()
                    scalar = _simple_scalar(part, number, True, unbuilt) if part else None
                    if scalar is None:
                        return None
                    if scalar[1] is not None:
                        items.raw[len(items)] = scalar[1]
                    items.append(scalar[0])
                    items.lines.append(number)
            root[key] = items
            continue
        scalar = _simple_scalar(value, number, False, unbuilt)
        if scalar is None:
            return None
        if scalar[1] is not None:
            root.raw[key] = scalar[1]
        root[key] = scalar[0]
    if root is None:
        return None
    if pending is not None:
        _finish(root, pending, block)
    if unbuilt:
        root.unbuilt = unbuilt
    return root
