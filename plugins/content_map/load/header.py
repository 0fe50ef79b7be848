"""Reading the front-matter block at the top of a Markdown page, and nothing more.

Pages are read in chunks until the closing `---` (or `...`) line, so a 5 MB page
costs one small read. The block is recognised exactly as MkDocs recognises it
(`---` on the first line, UTF-8 with an optional BOM, any line endings), so the
tool never disagrees with the build about what is front-matter.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..reader import open_regular

__all__ = ["MAX_HEADER_BYTES", "Header", "TextProblem", "decode", "read_header", "read_page",
           "split_header"]

MAX_HEADER_BYTES = 256 * 1024
"""A front-matter block larger than this is refused; real ones are under 2 KB."""

_CHUNK = 8192
_OPEN = re.compile(r"---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_HAS_TITLE = re.compile(r"^title:", re.MULTILINE)
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


class TextProblem(Exception):
    """The bytes are not text this tool (or MkDocs) can read."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class Header:
    """What the top of a page holds.

    `state` is `none` (no front-matter), `ok`, `unclosed` (an opening `---` and no
    closing line), `too-large`, `no-break` (the closing line is the file's last and has
    no line break, so MkDocs does not see a block and shows it as text) or `hidden`
    (invisible characters before the opening `---`: the same for MkDocs). `yaml` is
    the block's text; its first line is line 2 of the file. `title` is the page's
    first `# ` heading when it is near the top.
    """

    state: str
    yaml: str = ""
    title: str | None = None
    end_line: int = 0  # the line of the closing `---`


def decode(data: bytes) -> str:
    """Bytes to text as MkDocs reads pages: UTF-8, BOM dropped, newlines normalised."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _UTF16.match(data):
        raise TextProblem("the file is UTF-16; save it as UTF-8", 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TextProblem(
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); "
            "save it as UTF-8",
            line,
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_header(text: str) -> tuple[Header, str]:
    """Split decoded text into its header and the rest (the body)."""
    if not _OPEN.match(text):
        hidden = _HIDDEN_OPEN.match(text)
        if hidden and _CLOSE.search(text, hidden.end()):
            return Header("hidden"), text
        return Header("none", title=_title(text)), text
    start = text.index("\n") + 1
    close = _CLOSE.search(text, start)
    if close is None:
        return Header("unclosed"), ""
    block = text[start : close.start()]
    if len(block) > MAX_HEADER_BYTES:
        return Header("too-large"), ""
    end_line = block.count("\n") + 2
    if close.end() == len(text):
        return Header("no-break", yaml=block, end_line=end_line), ""
    body = text[close.end() + 1 :]
    # The first heading is only a fallback for a block without its own `title`.
    title = None if _HAS_TITLE.search(block) else _title(body)
    return Header("ok", yaml=block, title=title, end_line=end_line), body


def read_header(path: str | os.PathLike[str]) -> Header:
    """Read only as much of a page as its front-matter needs."""
    with open_regular(path) as handle:
        data = handle.read(_CHUNK)
        at_end = len(data) < _CHUNK
        if data.lstrip(b"\xef\xbb\xbf").startswith(b"---"):
            while not at_end and not _CLOSED.search(data, 3):
                if len(data) > MAX_HEADER_BYTES:
                    return Header("too-large")
                more = handle.read(len(data))
                at_end = not more
                data += more
    if not at_end:  # whole lines only: no half character
        data = data[: max(data.rfind(b"\n"), data.rfind(b"\r")) + 1]
    return split_header(decode(data))[0]


def read_page(path: str | os.PathLike[str]) -> tuple[Header, str]:
    """Read a whole page: its header and its body, for a caller that needs the text too."""
    with open_regular(path) as handle:
        data = handle.read()
    return split_header(decode(data))


_CLOSED = re.compile(rb"[\r\n](?:---|\.\.\.)[ \t]*[\r\n]")
_UTF16 = re.compile(rb"(?:\x00[^\x00]){2}|(?:[^\x00]\x00){2}")  # ASCII in UTF-16, no BOM
# Characters an editor cannot see, before `---`: MkDocs then sees no front-matter.
_HIDDEN_OPEN = re.compile("[\ufeff\u200b\u200c\u200d\u200e\u200f\u2060]+---[ \t]*\n")


def _title(text: str) -> str | None:
    match = _H1.search(text, 0, 4096)
    return match.group(1).strip() if match else None
