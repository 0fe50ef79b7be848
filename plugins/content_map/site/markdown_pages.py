"""The map's second output: the renderer's pages as Markdown files, for engines that run
no plugins (such as Zensical), and the files beside them.

Each map page the plugin publishes becomes a Markdown file at the same place in the docs
tree: front-matter with its title (and, on the overview and persona pages, Material's
`hide: [toc]`, as the plugin sets it), then one raw HTML block holding exactly the HTML the
plugin's page shows, with a link to the map's styles and its script. Python-Markdown passes
a block of HTML through as it is, so the engine shows the same page. The styles, the
script and `content-map.json` are written beside the pages.

Every file written starts with a line that says it is generated (`owned`): a file without
it is never overwritten, and a file this folder's last run wrote (listed in `MANIFEST`)
that is no longer part of the map is removed, so the folder always matches the model.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .. import writer
from ..reader import open_regular, read_bytes
from .layout import ASSET_FILES, ASSETS
from .output import Rendered
from .urls import relative_url

__all__ = ["MANIFEST", "MARKER", "GenerateError", "Generated", "asset_text", "markdown_page",
           "owned", "rebase", "write_files"]

NOTICE = "content-map: generated file; edit personas, journeys and pages instead"
MARKER = f"<!-- {NOTICE} -->"
"""The first line of a page `generate` wrote before pages had front-matter."""
_FIRST_LINES = {
    ".md": f"---\n# {NOTICE}\n",  # a YAML comment: front-matter must start the file
    ".css": f"/* {NOTICE} */\n",
    ".js": f"// {NOTICE}\n",
}


class GenerateError(Exception):
    """The files cannot be written (a file the tool did not generate is in the way)."""


@dataclass(frozen=True)
class Generated:
    written: tuple[str, ...]
    removed: tuple[str, ...]


def _kept(code: int) -> bool:
    """Whether YAML reads the character as itself inside double quotes: printable, and no
    line break (NEL, U+2028 and U+2029 are line breaks to YAML) or byte order mark."""
    return (0x20 <= code < 0x7F or 0xA0 <= code < 0xD800 or 0xE000 <= code <= 0xFFFD
            or code > 0xFFFF) and code not in (0x2028, 0x2029, 0xFEFF)


def _yaml_string(value: str) -> str:
    """`value` as a YAML double-quoted scalar that every YAML parser reads back the same:
    quotes, backslashes and whatever YAML would not read as itself are escapes."""
    out = []
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif _kept(code):
            out.append(ch)
        else:
            out.append(f"\\u{code:04x}")
    return '"' + "".join(out) + '"'


_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_ATTRIBUTE = re.compile(r"""(\s(?:href|src)=")([^"]*)(")"""  # a link: rebased
                        r"""|\s[^\s=>]+(?:=(?:"[^"]*"|'[^']*'|[^\s>]*))?""")  # any other


def _rebased(href: str, url_dir: str, source_dir: str) -> str:
    """`href`, written relative to the page's URL, relative to its source file's folder."""
    if not href or href[0] in "#?/":
        return href
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return href
    path = parts.path
    target = posixpath.normpath(posixpath.join(url_dir, path)) if path else url_dir
    if target in (".", ""):
        target = ""
    elif path.endswith("/") or posixpath.basename(path) in (".", ".."):
        target += "/"
    moved = relative_url(target, source_dir)
    return moved + href[len(path):]


def rebase(html: str, url: str, src: str) -> str:
    """The links of `html` (made for the page at site URL `url`) made relative to the folder
    of its source `src`, as an engine that reads every relative href and src of a page as
    relative to its Markdown file (Zensical) expects. Attributes other than `href` and
    `src` (the page data the script reads) are left as they are."""
    url_dir = url if url.endswith("/") or not url else posixpath.dirname(url) + "/"
    url_dir = "" if url_dir == "/" else url_dir
    source_dir = posixpath.dirname(src)
    source_dir = source_dir + "/" if source_dir else ""
    if url_dir == source_dir:
        return html

    def attribute(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)
        return match.group(1) + _rebased(match.group(2), url_dir, source_dir) + match.group(3)

    return _TAG.sub(lambda tag: _ATTRIBUTE.sub(attribute, tag.group(0)), html)


def markdown_page(rendered: Rendered, title: str, css: str, js: str,
                  searched: bool = True) -> str:
    """A map page as Markdown: front-matter, then the page's HTML in one raw HTML block.

    `title` is what the engine shows in the navigation and the window title (the plugin
    hands its theme the same, escaped); `css` and `js` are the assets' hrefs from the page;
    a page not `searched` says so to the search index (`search: exclude`), as the plugin's.
    Blank lines would end the HTML block for some Markdown engines, and lines indented by
    four spaces read as code in front of it: the HTML has neither at the start of a line.
    The links are relative to the page's source (see `rebase`).
    """
    front = [_FIRST_LINES[".md"] + f"title: {_yaml_string(title)}\n"]
    if rendered.page.kind in ("overview", "persona"):
        front.append("hide:\n  - toc\n")
    if not searched:
        front.append("search:\n  exclude: true\n")
    html = "\n".join(line.lstrip() for line in rendered.html.splitlines() if line.strip())
    body = (f'<div class="cm-generated">\n<link rel="stylesheet" href="{css}">\n{html}\n'
            f'<script src="{js}" defer></script>\n</div>\n')
    return f"{''.join(front)}---\n\n{rebase(body, rendered.url, rendered.page.src_uri)}"


def asset_text(name: str) -> str:
    """One of the map's assets, as `generate` writes it (after its generated-file line)."""
    suffix = os.path.splitext(name)[1]
    body = (ASSETS / name).read_text(encoding="utf-8")
    return _FIRST_LINES[suffix] + body


assert all(os.path.splitext(name)[1] in _FIRST_LINES for name in ASSET_FILES)


def owned(path: Path, listed: bool = False) -> bool:
    """Whether `path` is a regular file `generate` wrote: it starts with the line each
    kind of file gets (never blocks on a FIFO). A data file (JSON, CSV) has no room for
    such a line: it is the tool's when the folder's last run `listed` it."""
    first = _FIRST_LINES.get(path.suffix)
    if first is None:
        return listed and os.path.isfile(path) and not os.path.islink(path)
    expected = [first, MARKER + "\n"] if path.suffix == ".md" else [first]
    try:
        with open_regular(path) as handle:
            head = handle.read(max(len(e) for e in expected) + 1)
    except OSError:
        return False
    text = head.replace(b"\r\n", b"\n")
    return any(text.startswith(e.encode()) for e in expected)


MANIFEST = ".content-map-files"
"""In the `--out` folder: the files generated there, one per line. Only those are ever
removed, so a file written by `generate` into another folder is never touched."""


def _manifest(out: Path) -> list[str]:
    try:
        text = read_bytes(out / MANIFEST, 1024 * 1024).decode("utf-8", "replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line and ".." not in line.split("/")]


def write_files(files: dict[str, str], out: Path) -> Generated:
    """Write the files under `out`; remove the files an earlier run wrote there that are
    no longer part of the map.

    Refuses (before writing anything) when a file the tool did not generate is in the way.
    Every write goes through the one writer, confined to `out`; a file whose content is
    already what it would be is left alone, so a second run changes nothing.
    """
    before = _manifest(out)
    blocked = [rel for rel in files
               if os.path.lexists(out / rel) and not owned(out / rel, rel in before)]
    if blocked:
        raise GenerateError(
            f"{out}: {', '.join(sorted(blocked))} "
            f"{'was' if len(blocked) == 1 else 'were'} not generated by content-map; "
            "move them away or choose another --out folder")
    try:
        written = []
        for rel, text in sorted(files.items()):
            # A name that is not UTF-8 (shown on Problems) reads as U+FFFD, as the engine
            # would show it: the engine reads these files as UTF-8.
            content = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            if not _same(out / rel, content):
                writer.replace(out / rel, content, within=out)
            written.append(rel)
        listing = "".join(f"{rel}\n" for rel in written)
        if not _same(out / MANIFEST, listing):
            writer.replace(out / MANIFEST, listing, within=out)
        removed = []
        for rel in before:
            if rel not in files and owned(out / rel, True) and writer.remove(out / rel, out):
                removed.append(rel)
    except writer.WriteProblem as exc:
        raise GenerateError(str(exc)) from None
    return Generated(tuple(written), tuple(removed))


def _same(path: Path, content: str) -> bool:
    data = content.encode("utf-8")
    try:
        return read_bytes(path, len(data) + 1) == data
    except OSError:
        return False
