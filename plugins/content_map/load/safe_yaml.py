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

Front-matter of the shape nearly every page has is read by `simple_yaml` instead,
several times faster, into the same values (`yaml_values`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

import yaml

from ..suggestion import shown
from .simple_yaml import load_simple
from .yaml_values import (
    STR,
    YAML_ONLY_BREAKS,
    YamlList,
    YamlMap,
    YamlProblem,
    plain,
    plain_is_text,
    raw_text,
    resolve,
    typed,
)

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = ["MAX_DEPTH", "YamlList", "YamlMap", "YamlProblem", "load", "plain", "raw_text"]

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists accepted; real files stay under 6."""

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
# What YAML 1.1 accepts in a stream (its `c-printable`); anything else stops the reader.
_NOT_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

Position = Callable[[Any], "tuple[int, int]"]


def _simple_position(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


_simple_position.simple = True  # type: ignore[attr-defined]


def _positions(text: str) -> Position:
    """Mark -> (line, column), 1-based, counting lines by `\n` as the rest of the tool does."""
    if not YAML_ONLY_BREAKS.search(text):
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
        tag = resolve(value)
    elif tag not in _ALLOWED_TAGS:
        raise YamlProblem(f"the tag `{tag}` is not allowed here; remove it",
                          *where(event.start_mark))
    if tag == STR:
        return value, None, None
    built, typed_as = typed(tag, value, event.start_mark, event.end_mark, event.style)
    return built, value, typed_as


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
    simple = load_simple(text)
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
            raise _too_deep(text, mark.index, where) from None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        spot: tuple[int | None, int | None] = where(mark) if mark else (None, None)
        raise YamlProblem(_tabbed(text, spot[0]) or problem, *spot) from None
    except yaml.YAMLError as exc:  # reader errors
        position = getattr(exc, "position", None)
        at = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        raise YamlProblem(reason, at, None) from None
    finally:
        loader.dispose()


def _tabbed(text: str, line: int | None) -> str | None:
    """The problem in words when `line` is indented with a tab, which YAML refuses."""
    if line is None:
        return None
    row = (text.split("\n")[line - 1:line] or [""])[0]
    if "\t" not in row[:len(row) - len(row.lstrip(" \t"))]:
        return None
    return "this line is indented with a tab, which YAML does not allow: indent with spaces"


def _too_deep(text: str, upto: int, where: Position) -> YamlProblem:
    """The problem this tool's own depth limit finds, where it finds it, for a text whose
    flow collections libyaml refused as nested too deep at `upto`.

    The text up to there, with its open brackets closed, is read again: it is shallow
    enough for libyaml, so the limit here fires, at the same place whatever the libyaml
    version. Quoted text is skipped when counting brackets."""
    closers, quote = [], ""
    for char in text[:upto]:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            closers.append("]" if char == "[" else "}")
        elif char in "]}" and closers:
            closers.pop()
    loader = _Loader(text[:upto] + "".join(reversed(closers)))
    try:
        _build(loader, where)
    except YamlProblem as problem:
        if problem.message.startswith("values are nested more than"):
            return problem
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()
    line = text.count("\n", 0, upto) + 1
    return YamlProblem(f"values are nested more than {MAX_DEPTH} levels deep", line, None)


_SCALAR, _MAP_START, _SEQ_START = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAP_END, _SEQ_END = yaml.MappingEndEvent, yaml.SequenceEndEvent


def _problem(message: str, event: Any, where: Position) -> YamlProblem:
    return YamlProblem(message, *where(event.start_mark))


def _no_anchor(event: Any, where: Position) -> None:
    if event.anchor:
        raise _problem(f"anchors (`&{event.anchor}`) are not supported; write the value out",
                       event, where)


def _open(event: Any, depth: int, line: int, where: Position) -> list[Any]:
    """The frame of a mapping or list that starts: [container, pending key (maps only),
    start event, is-a-map]."""
    _no_anchor(event, where)
    tag = event.tag
    if tag not in (None, "!") and tag not in _ALLOWED_TAGS:
        raise _problem(f"the tag `{tag}` is not allowed here; remove it", event, where)
    if depth >= MAX_DEPTH:
        raise _problem(f"values are nested more than {MAX_DEPTH} levels deep", event, where)
    is_map = type(event) is _MAP_START
    return [YamlMap(line) if is_map else YamlList(line), None, event, is_map]


def _other(event: Any, documents: int, where: Position) -> int:
    """Documents seen so far, after an event that is neither a value nor the stream's end:
    an alias or a second document is refused."""
    kind = type(event)
    if kind is yaml.AliasEvent:
        raise _problem(f"aliases (`*{event.anchor}`) are not supported; write the value out",
                       event, where)
    if kind is yaml.DocumentStartEvent:
        documents += 1
        if documents > 1:
            raise _problem("the file holds more than one YAML document (a second `---`); "
                           "keep one", event, where)
    return documents


def _attach(frame: list[Any], value: Any, raw: str | None, line: int, event: Any,
            where: Position) -> None:
    """Put a complete value in the open container: a list item, a key, or a key's value."""
    container = frame[0]
    if not frame[3]:  # a list item
        if raw is not None:
            container.raw[len(container)] = raw
        container.append(value)
        container.lines.append(line)
    elif frame[1] is None:  # a key
        if type(value) is YamlMap or type(value) is YamlList:
            raise _problem("a key must be plain text, not a list or mapping", event, where)
        key = value if raw is None else raw
        if type(key) is not str:
            key = str(key)
        if key == "<<" and event.tag is None and not event.style:
            raise _problem("merge keys (`<<`) are not supported; write the fields out", event,
                           where)
        if key in container:
            raise _problem(f"the key `{shown(key)}` appears twice in this mapping "
                           f"(first at line {container.lines[key]}); keep one", event, where)
        frame[1] = key
        container.lines[key] = line
    else:  # a key's value
        key = frame[1]
        frame[1] = None
        if raw is not None:
            container.raw[key] = raw
        container[key] = value


def _build(loader: Any, where: Position) -> Any:
    """One pass over the events, with an explicit stack of open containers (see `_open`):
    each value, once complete, is attached to the container it is in (`_attach`)."""
    stack: list[list[Any]] = []
    result: Any = None
    documents = 0
    have_root = False
    unbuilt: list[tuple[int, str, str]] = []
    simple = getattr(where, "simple", False)
    get_event = loader.get_event
    while (event := get_event()) is not None:
        kind = type(event)
        raw = None
        if kind is _SCALAR:
            _no_anchor(event, where)
            value = event.value
            if event.tag is not None or event.style or not plain_is_text(value):
                value, raw, typed_as = _scalar(event, where)
                if typed_as is not None:
                    unbuilt.append((where(event.start_mark)[0], value, typed_as))
        elif kind is _MAP_START or kind is _SEQ_START:
            line = event.start_mark.line + 1 if simple else where(event.start_mark)[0]
            stack.append(_open(event, len(stack), line, where))
            continue
        elif kind is _MAP_END or kind is _SEQ_END:
            value, _, event, _ = stack.pop()
        elif kind is yaml.StreamEndEvent:
            break
        else:  # stream start and document end pass; aliases and a second document do not
            documents = _other(event, documents, where)
            continue
        if stack:
            line = event.start_mark.line + 1 if simple else where(event.start_mark)[0]
            _attach(stack[-1], value, raw, line, event, where)
        else:
            result, have_root = value, True
    if unbuilt and isinstance(result, (YamlMap, YamlList)):
        result.unbuilt = unbuilt
    return result if have_root else None
