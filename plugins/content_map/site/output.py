"""The map's HTML as adapters hand it on: a page with its headings (for a table of
contents), what a search index should see of it, and a piece's badges put into its page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .layout import MapPage

__all__ = ["Badges", "Heading", "Rendered", "headings", "searchable", "toc_tokens"]


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    html: str  # escaped text, ready for a table of contents


@dataclass(frozen=True)
class Rendered:
    page: MapPage
    url: str
    html: str
    headings: tuple[Heading, ...]

    @property
    def title(self) -> str:
        return self.page.title


@dataclass(frozen=True)
class Badges:
    """A piece's badges: `top` goes under the page title, `bottom` after the text."""

    top: str
    bottom: str

    def apply(self, html: str) -> str:
        """Put the badges into a page's HTML: after its first `<h1>`, else at the top."""
        end = html.find("</h1>")
        if end < 0:
            return self.top + html + self.bottom
        end += len("</h1>")
        return html[:end] + self.top + html[end:] + self.bottom


_HEADING = re.compile(r'<h([1-3])\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]*>")


def headings(html: str) -> tuple[Heading, ...]:
    """The `h1`-`h3` headings with ids of a page's HTML, in order."""
    return tuple(Heading(int(level), ident, _TAG.sub("", inner).strip())
                 for level, ident, inner in _HEADING.findall(html))


_UNSEARCHED = re.compile(
    r"<(ul|table|figure|form)\b[^>]*\bclass=\"cm-(?:pieces|findings|matrix|table|flow|filters)\b"
    r"[^>]*>.*?</\1>|<div hidden data-cm-data='[^']*'></div>", re.S)


def searchable(html: str) -> str:
    """A map page's HTML as a search index should see it.

    The headings, ledes, profiles and notes stay; the long parts go: the lists of pieces
    (each piece is indexed on its own page, and a hit on every list that names it
    would only be noise), the matrix, the flows, the findings, the filters and the
    page data. On a large site those are most of the map's HTML, and a search plugin
    parsing them would take longer than the rest of the map.
    """
    return _UNSEARCHED.sub("", html)


def toc_tokens(found: Iterable[Heading]) -> list[dict[str, Any]]:
    """Headings nested as Python-Markdown's `toc_tokens`, for an engine's table of contents."""
    root: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for heading in found:
        token = {"level": heading.level, "id": heading.id, "name": heading.html,
                 "html": heading.html, "children": []}
        while stack and stack[-1]["level"] >= heading.level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root
