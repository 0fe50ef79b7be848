"""One link checker over a built site, shared by the tests: every link the map writes
must lead to a file the build wrote.

What the map writes is every link of its own pages (under `map_path`) and, on any other
page, the links inside content-map's elements (`class="cm …"`: the badges and the next
steps). Links out of the site (a scheme, or `//host`) are not followed; a link to a
folder needs its `index.html`; a fragment is checked only with `fragments=True`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import html

__all__ = ["DeadLink", "dead_links", "map_links"]

_IN_MAP = "//a/@href | //link[@rel='stylesheet']/@href | //script/@src | //img/@src"
_IN_ELEMENTS = "//*[contains(concat(' ', normalize-space(@class), ' '), ' cm ')]//a/@href"


@dataclass(frozen=True)
class DeadLink:
    page: str  # the built file the link is on, relative to the site folder
    href: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.href} ({self.reason})"


def _pages(site_dir: Path) -> Iterator[str]:
    for path in sorted(site_dir.rglob("*.html")):
        yield path.relative_to(site_dir).as_posix()


def map_links(site_dir: Path, page: str, map_path: str = "content-map") -> list[str]:
    """The hrefs content-map wrote on one built page (see the module's docstring)."""
    text = (site_dir / page).read_text(encoding="utf-8")
    if not text.strip():
        return []
    tree = html.fromstring(text)
    prefix = map_path.strip("/") + "/"
    query = _IN_MAP if page.startswith(prefix) else _IN_ELEMENTS
    return [str(href) for href in tree.xpath(query)]


def _ids(site_dir: Path, file: str, cache: dict[str, set[str]]) -> set[str]:
    if file not in cache:
        tree = html.fromstring((site_dir / file).read_text(encoding="utf-8") or "<p></p>")
        cache[file] = {str(i) for i in tree.xpath("//@id | //a/@name")}
    return cache[file]


def _target(site_dir: Path, page: str, path: str) -> str | None:
    """The built file a link's path leads to from `page`, or None."""
    if path.startswith("/"):
        joined = posixpath.normpath(path.lstrip("/") or ".")
    else:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), path or
                                                   posixpath.basename(page)))
    if joined == ".." or joined.startswith("../"):
        return None
    candidate = site_dir / joined if joined != "." else site_dir
    if path.endswith("/") or candidate.is_dir():
        index = posixpath.join(joined, "index.html") if joined != "." else "index.html"
        return index if (site_dir / index).is_file() else None
    return joined if candidate.is_file() else None


def dead_links(site_dir: Path, map_path: str = "content-map", *, fragments: bool = False,
               pages: Iterable[str] | None = None) -> list[DeadLink]:
    """Every link content-map wrote in the built site at `site_dir` that leads nowhere."""
    dead: list[DeadLink] = []
    ids: dict[str, set[str]] = {}
    for page in (pages if pages is not None else _pages(site_dir)):
        for href in map_links(site_dir, page, map_path):
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue
            target = _target(site_dir, page, unquote(parts.path))
            if target is None:
                dead.append(DeadLink(page, href, "no such file"))
            elif fragments and parts.fragment and target.endswith(".html") \
                    and unquote(parts.fragment) not in _ids(site_dir, target, ids):
                dead.append(DeadLink(page, href, f"no id `{parts.fragment}` in {target}"))
    return dead
