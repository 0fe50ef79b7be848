"""A YAML loader for files written by many hands: strict, bounded, and line-aware.

It builds values from libyaml's event stream with an explicit stack instead of
PyYAML's recursive constructor, so no input can exhaust the C or Python stack.
On top of YAML it refuses what makes hand-written files surprising or dangerous:
anchors and aliases (billion-laughs bombs), merge keys, custom tags, duplicate keys,
more than one document, and nesting deeper than `MAX_DEPTH`.

Mapping keys are kept exactly as written (`on:` is the key "on", not True), and
every container remembers the line of each of its entries, so a finding can point
at the line an editor has to change.
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = ["MAX_DEPTH", "YamlList", "YamlMap", "YamlProblem", "load", "raw_text"]

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
    """A mapping that knows the line of each key, and the source text of odd scalars."""

    __slots__ = ("line", "lines", "raw")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}
        self.raw: dict[str, str] = {}


class YamlList(list):  # type: ignore[type-arg]
    """A list that knows the line of each item, and the source text of odd scalars."""

    __slots__ = ("line", "lines", "raw")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []
        self.raw: dict[int, str] = {}


def raw_text(container: Any, key: Any) -> str | None:
    """How a non-text scalar was written (`no`, `007`, `1.10`), if it was resolved from plain text."""
    raw = getattr(container, "raw", None)
    return raw.get(key) if raw else None


def _scalar(event: Any) -> tuple[Any, str | None]:
    """The value of a scalar event, and its source text when YAML resolved it to a non-string."""
    value = event.value
    tag = event.tag
    if tag is None or tag == "!":
        if event.style:  # quoted or block scalar: always text ('' or None is plain)
            return value, None
        tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
    elif tag not in _ALLOWED_TAGS:
        raise YamlProblem(f"the tag `{tag}` is not allowed here; remove it", *_where(event))
    if tag == _STR:
        return value, None
    node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
    try:
        return _constructor.construct_object(node, deep=True), value
    except (ValueError, OverflowError, yaml.YAMLError):
        # `2027-13-45` looks like a date, a 5,000-digit number exceeds int(): keep the text
        return value, value


def _where(event: Any) -> tuple[int, int]:
    mark = event.start_mark
    return mark.line + 1, mark.column + 1


def load(text: str) -> Any:
    """Parse one YAML document; raise `YamlProblem` with a line for anything refused."""
    loader = _Loader(text)
    try:
        return _build(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise YamlProblem(problem, line, column) from None
    except yaml.YAMLError as exc:  # reader errors: control characters, bad encodings
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        character = getattr(exc, "character", None)
        if isinstance(character, str):
            reason = f"{reason}: U+{ord(character):04X} is not allowed; delete it"
        raise YamlProblem(reason, line, None) from None
    finally:
        loader.dispose()


def _build(loader: Any) -> Any:
    # Stack of open containers: (container, pending key or None, key line).
    stack: list[list[Any]] = []
    result: Any = None
    documents = 0
    have_root = False

    def add(value: Any, event: Any, raw: str | None) -> None:
        nonlocal result, have_root
        if not stack:
            result, have_root = value, True
            return
        frame = stack[-1]
        container = frame[0]
        line = event.start_mark.line + 1
        if isinstance(container, YamlList):
            if raw is not None:
                container.raw[len(container)] = raw
            container.append(value)
            container.lines.append(line)
            return
        if frame[1] is None:  # this value is a key
            if isinstance(value, (YamlMap, YamlList)):
                raise YamlProblem("a key must be plain text, not a list or mapping", *_where(event))
            key = value if raw is None else raw
            if not isinstance(key, str):
                key = str(key)
            if key == "<<" and event.tag is None and not getattr(event, "style", "x"):
                raise YamlProblem(
                    "merge keys (`<<`) are not supported; write the fields out", *_where(event)
                )
            if key in container:
                raise YamlProblem(
                    f"the key `{key}` appears twice in this mapping "
                    f"(first at line {container.lines[key]}); keep one",
                    *_where(event),
                )
            frame[1] = key
            container.lines[key] = line
            return
        key = frame[1]
        frame[1] = None
        if raw is not None:
            container.raw[key] = raw
        container[key] = value

    while True:
        event = loader.get_event()
        if event is None:
            break
        kind = type(event)
        if kind is yaml.StreamEndEvent:
            break
        if kind in (yaml.StreamStartEvent, yaml.DocumentEndEvent):
            continue
        if kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlProblem(
                    "the file holds more than one YAML document (a second `---`); keep one",
                    *_where(event),
                )
            continue
        if kind is yaml.AliasEvent:
            raise YamlProblem(
                f"aliases (`*{event.anchor}`) are not supported; write the value out",
                *_where(event),
            )
        if getattr(event, "anchor", None):
            raise YamlProblem(
                f"anchors (`&{event.anchor}`) are not supported; write the value out",
                *_where(event),
            )
        if kind is yaml.ScalarEvent:
            value, raw = _scalar(event)
            add(value, event, raw)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            tag = event.tag
            if tag not in (None, "!") and tag not in _ALLOWED_TAGS:
                raise YamlProblem(f"the tag `{tag}` is not allowed here; remove it", *_where(event))
            if len(stack) >= MAX_DEPTH:
                raise YamlProblem(
                    f"values are nested more than {MAX_DEPTH} levels deep", *_where(event)
                )
            line = event.start_mark.line + 1
            container = YamlMap(line) if kind is yaml.MappingStartEvent else YamlList(line)
            stack.append([container, None, event])
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            container, _, start = stack.pop()
            add(container, start, None)
    return result if have_root else None
