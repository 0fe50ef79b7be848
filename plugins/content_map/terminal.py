"""Text from a repository, made safe to show: no value can drive the terminal that prints it.

Reports quote file names and values as they are, and a repository under review is
untrusted. A control character (ESC starts a colour or an OSC title, BEL rings, CR
rewrites the line, a C1 CSI does what ESC `[` does), a bidi override or isolate
(which reorders what the reader sees), an invisible or unassigned character, or a
surrogate that stands for a byte of a file name that is not UTF-8 (Python carries
those with `surrogateescape`) is written out as a visible escape instead: `\\x1b`,
`\\u202e`, `caf\\xe9.md`. Letters of every script, and ordinary spaces, pass unchanged.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["json_visible", "visible"]

_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Controls, format characters (bidi, zero-width), surrogates, private and unassigned
code points, and the Unicode line and paragraph separators."""

_PLAIN = ("\xa0-\xac\xae-\u0377\u0400-\u052f\u2010-\u2027\u2030-\u205e\u3041-\u3096"
          "\u30a0-\u30ff\u4e00-\u9fff\uac00-\ud7a3")
"""Blocks in which every character is assigned and printable (Latin, Greek, Cyrillic,
punctuation, kana, CJK ideographs, Hangul): text in them passes without a look at each
character, so checking a large document costs little more than writing it."""
_SUSPECT = re.compile(f"[^\x20-\x7e{_PLAIN}]+")
_SUSPECT_IN_JSON = re.compile(f"[^\x00-\x7e{_PLAIN}]+")  # JSON escapes C0 itself
# A line a CI runner would read as a workflow command: `::` after optional white space.
_COMMAND_START = re.compile(r"^(\s*)::")


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN


def _escape(char: str) -> str:
    """One character as a visible escape; a `surrogateescape` stand-in as its byte."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str, keep: str = "", *, starts_line: bool = False) -> str:
    """`text` with every hidden character but those in `keep` written as an escape.

    A report that lists one finding a line keeps nothing, so a line feed shows as
    `\\x0a` and cannot start a line of its own; one that flattens white space itself
    (Markdown) may keep it. With `starts_line`, a leading `::` is written `\\x3a:`, so
    a value printed at the start of a line cannot be read as a workflow command.
    """
    if not text.isprintable():
        def run(match: re.Match[str]) -> str:
            chars = match.group()
            if chars.isprintable():
                return chars
            return "".join(_escape(c) if c not in keep and _hidden(c) else c for c in chars)

        text = _SUSPECT.sub(run, text)
    if starts_line and "::" in text:
        text = _COMMAND_START.sub(r"\1\\x3a:", text, count=1)
    return text


def json_visible(document: str) -> str:
    """JSON text (as `json.dumps(..., ensure_ascii=False)` writes it) safe to print.

    A hidden character can only stand inside a JSON string, so it becomes the JSON
    escape of itself (`\\u202e`): the document reads back the same. A lone surrogate
    has no place in valid JSON and is written as the text `visible()` shows for it.
    """
    def run(match: re.Match[str]) -> str:
        chars = match.group()
        if chars.isprintable():
            return chars
        out = []
        for char in chars:
            if not _hidden(char):
                out.append(char)
            elif unicodedata.category(char) == "Cs":
                out.append("\\" + _escape(char))
            else:
                units = char.encode("utf-16-be")
                out.append("".join(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}"
                                   for i in range(0, len(units), 2)))
        return "".join(out)

    flat = document.replace("\n", " ") if "\n" in document else document  # the indentation
    return document if flat.isprintable() else _SUSPECT_IN_JSON.sub(run, document)
