"""A fast reader for the shape nearly every page's front-matter has.

`key: value` lines at the left margin, whose values are plain or simply quoted scalars,
flow lists of plain scalars, or block lists of such scalars. `load_simple` reads exactly
that shape with regular expressions, several times faster than the full loader's event
loop, and hands anything else (or anything it is unsure of) back to it as None; a
property test checks that the two agree.
"""

from __future__ import annotations

import re
from typing import Any

from .yaml_values import STR, YAML_ONLY_BREAKS, YamlList, YamlMap, plain_is_text, resolve, typed

__all__ = ["load_simple"]

_SIMPLE_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,200}):(?: +(.*?))? *\Z")
_SIMPLE_ITEM = re.compile(r"( *)- +(.*?) *\Z")
_COMMENT = re.compile(r" *(?:#.*)?\Z")
_FIRST_NOT_PLAIN = frozenset("-?:,[]{}#&*!|>'\"%@` ")

Unbuilt = list[tuple[int, str, str]]


def _scalar(text: str, line: int, flow: bool, unbuilt: Unbuilt) -> tuple[Any, str | None] | None:
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
    if plain_is_text(text):
        return text, None
    tag = resolve(text)
    if tag == STR:
        return text, None
    value, typed_as = typed(tag, text)
    if typed_as is not None:  # as the full loader does: keep the text, note what YAML saw
        unbuilt.append((line, text, typed_as))
    return value, text


def _finish(root: YamlMap, key: str, block: YamlList | None) -> None:
    """Set a key written with no value on its line: its block list, or null."""
    root[key] = block
    if block is None:
        root.raw[key] = ""  # as the full loader records an empty plain scalar


def _add(container: YamlList, scalar: tuple[Any, str | None], line: int) -> None:
    if scalar[1] is not None:
        container.raw[len(container)] = scalar[1]
    container.append(scalar[0])
    container.lines.append(line)


def _flow_list(value: str, number: int, unbuilt: Unbuilt) -> YamlList | None:
    """`[a, b]` on one line, or None when it is not that simple."""
    if not value.endswith("]"):
        return None
    items = YamlList(number)
    inner = value[1:-1].strip()
    if inner:
        for part in inner.split(","):
            part = part.strip()
            scalar = _scalar(part, number, True, unbuilt) if part else None
            if scalar is None:
                return None
            _add(items, scalar, number)
    return items


def load_simple(text: str) -> YamlMap | None:
    """The front-matter when it has the common simple shape, else None (use the full loader)."""
    if "\t" in text or YAML_ONLY_BREAKS.search(text) or not text:
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    root: YamlMap | None = None
    unbuilt: Unbuilt = []
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
                scalar = _scalar(item.group(2), number, False, unbuilt)
                if scalar is None or not item.group(2):
                    return None
                _add(block, scalar, number)
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
            items = _flow_list(value, number, unbuilt)
            if items is None:
                return None
            root[key] = items
            continue
        scalar = _scalar(value, number, False, unbuilt)
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
