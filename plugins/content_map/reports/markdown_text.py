"""Writing Markdown safely: values from YAML files as text, tables, and links.

Every value a persona, journey or page author wrote reaches Markdown through
`text()`, so a pipe cannot break a table, a newline cannot end one, and HTML
or Markdown syntax shows as the characters that were typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote

__all__ = ["code", "link", "message", "table", "text"]

# Characters that start inline syntax anywhere (links, emphasis, code, attribute lists,
# table cells); a backslash before them is honoured by Python-Markdown and CommonMark.
_BACKSLASHED = re.compile(r"([\\`*_{}\[\]|])")
# What makes a line a heading, list item or rule when it starts one.
_LINE_START = re.compile(r"^(?:([#+-])|(\d+)([.)]))")
_SPACE = re.compile(r"\s+")
# Control characters show as nothing at best; \x02 and \x03 delimit Python-Markdown's
# placeholders for stashed HTML, so a value holding them could pull stashed HTML in.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(value: object) -> str:
    """`value` as literal inline text: one line, HTML and Markdown syntax escaped."""
    return _inline(_CONTROL.sub("\ufffd", str(value)).strip())


def _inline(value: str) -> str:
    flat = _SPACE.sub(" ", _CONTROL.sub("\ufffd", value))
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = _BACKSLASHED.sub(r"\\\1", flat).replace("~", "&#126;")  # `\~` is not an escape
    return _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1)
                           else m.group(2) + "\\" + m.group(3), flat)


def code(value: object) -> str:
    """`value` as inline code; HTML-significant characters cannot escape the span."""
    flat = _SPACE.sub(" ", _CONTROL.sub("\ufffd", str(value))).strip()
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = flat.replace("|", "&#124;").replace("`", "&#96;")
    return f"<code>{flat}</code>" if flat else ""


def message(value: str) -> str:
    """A finding's message: its `quoted` values as code, everything else as text."""
    parts = value.split("`")
    if len(parts) % 2 == 0:  # an odd number of backticks: no pairs to trust
        return text(value)
    return "".join(code(part) if i % 2 else _inline(part)
                   for i, part in enumerate(parts)).strip()


def link(label: str, target: str) -> str:
    """A Markdown link; `label` is already Markdown (escape it with `text()`).

    `target` is a relative path, or an http(s) address; a `:` anywhere else is
    encoded, so no value can turn a path into a `javascript:` link.
    """
    scheme, sep, rest = target.partition("://")
    if sep and scheme in ("http", "https"):
        return f"[{label}]({scheme}://{quote(rest, safe='/#.-_~:@%?=&')})"
    return f"[{label}]({quote(target, safe='/#.-_~', errors='surrogateescape')})"


def table(heads: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A pipe table; cells are already Markdown (escape them with `text()`)."""
    lines = ["| " + " | ".join(heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(cell or " " for cell in row) + " |")
    return "\n".join(lines) + "\n"
