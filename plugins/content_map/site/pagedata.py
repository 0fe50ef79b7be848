"""A page's pieces as data for content-map.js, which filters and counts from it, and how
many of each group a page lists (`LIST_CAP`, `shares`) so that big sites stay light."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup

from ..model import Piece
from .builtpages import UNBUILT
from .index import FACETS, PERSONA_FACETS, ROLES, Index
from .links import Addresses, Links

__all__ = ["LIST_CAP", "DataRows", "PageData", "data_attribute", "shares"]

LIST_CAP = 300
"""The most pieces the overview's table lists, and roughly the most cards (persona, stage
and Needs attention pages) or findings (gap report) a page lists. Past it a page lists a
share of each group, says how many more there are and links to where they are; the counts
and the filters still cover everything, from the page's data (`PageData`)."""


def shares(sizes: Sequence[int], budget: int = LIST_CAP, floor: int = 3) -> list[int]:
    """How many of each group's items a page lists, so that all of them fit in `budget`.

    Groups that fit are listed whole; small groups go first and the big ones share what is
    left equally, each listing at least `floor` items (so 100 owners list 300, not 3 each).
    """
    limits = [0] * len(sizes)
    left = budget
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    for done, index in enumerate(order):
        fair = max(floor, left // (len(sizes) - done))
        limits[index] = min(sizes[index], fair)
        left = max(0, left - limits[index])
    return limits


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _attribute_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;") \
        .replace(">", "&gt;")


def data_attribute(value: Any) -> Markup:
    """`value` as compact JSON for a single-quoted HTML attribute.

    `&`, `'`, `<` and `>` become character references, so no value can end the attribute
    or open a tag; the browser hands `getAttribute` the JSON back unchanged. An attribute
    rather than a `<script>`: search indexes (MkDocs's own) read a script's text as words.
    """
    return Markup(_attribute_text(_json(value)))


def _finite(value: float | None) -> float | None:
    """A figure for the page data: whole numbers without `.0`, and no NaN or infinity."""
    if value is None or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else value


class DataRows:
    """What every page's data shares, made once per build: the index of each persona and
    stage, and each piece's row, as escaped JSON text (`PageData` says what it holds).

    A row names its piece's URL from the site's root, so it is the same on every page;
    the page's data says how to get there (`root`).
    """

    def __init__(self, index: Index, at: Addresses):
        a = index.analysis
        self.index = index
        self.personas: dict[str, int] = {p.id: n for n, p in enumerate(a.personas)}
        self.stages: dict[tuple[str, str], int] = {
            (j.id, s.id): n for n, (j, s) in enumerate(
                (j, s) for j in a.journeys for s in j.stages)}
        for piece in a.pieces:  # ids the site does not define (reported): shown as named
            for pid in piece.personas:
                self.personas.setdefault(pid, len(self.personas))
            for ref in piece.stages:
                self.stages.setdefault((ref.journey, ref.stage), len(self.stages))
        values = {facet: {value: n + 1 for n, value in enumerate(index.options[facet])}
                  for facet in FACETS}
        metrics = index.piece_metrics
        self.urls: dict[str, str] = {}
        self.rows: dict[str, str] = {}
        self.unbuilt = at.unbuilt  # pieces the build does not write: no URL, never linked
        for piece in a.pieces:
            url = None if piece.path in self.unbuilt else at.url(piece.path)
            if url is not None:
                self.urls[piece.path] = url
            row: list[Any] = [
                piece.title, url, ROLES.index(index.role(piece)),
                [self.personas[pid] for pid in piece.personas],
                [self.stages[(ref.journey, ref.stage)] for ref in piece.stages],
                [values[facet].get(str(getattr(piece, facet)), 0) if getattr(piece, facet)
                 else 0 for facet in FACETS]]
            figures = a.figures.get(piece.path)
            if figures and metrics:
                row.append([_finite(figures.get(metric)) for metric in metrics])
            self.rows[piece.path] = _attribute_text(_json(row))


class PageData:
    """The pieces of one page as data, for content-map.js: it filters and counts from this,
    so the markup lists what fits (`data-cm-item="N"` names item N) and stays light.

    `pieces` rows: title, URL (from the site's root: `root` + URL is the href), role
    (index into `ROLES`), persona indexes, stage indexes, the index of each facet's value
    in `values` (0: none), and, with a metrics file, the piece's figures in the order of
    `metrics` (null: none). `personas` rows: id, name, href and segments; `stages` rows:
    label, href and `journey/stage`; both hold every persona and stage of the site.
    `items` rows say where a piece is counted: piece index, key indexes, and the personas
    it is shown for when that is not all of its own (a card under one persona; none: a
    piece that names no persona, in no cell, so in no figure). Every string is a value the
    page would show. The rows of pieces are made once per build (`DataRows`), so a page's
    data costs little more than its items.
    """

    def __init__(self, shared: DataRows, links: Links):
        self._shared = shared
        self._links = links
        self.root = links.root()
        self._pieces: dict[str, int] = {}
        self._keys: dict[str, int] = {}
        self.pieces: list[str] = []  # escaped JSON text of each row
        self.items: list[list[Any]] = []

    def href(self, piece: Piece) -> str:
        """The link to `piece` from this page, as the script makes it from the data."""
        if piece.path in self._shared.unbuilt:
            return UNBUILT  # `builtpages.unlinked` makes the link text
        return self.root + self._shared.urls[piece.path]

    def piece(self, piece: Piece) -> int:
        index = self._pieces.get(piece.path)
        if index is None:
            index = self._pieces[piece.path] = len(self.pieces)
            self.pieces.append(self._shared.rows[piece.path])
        return index

    def item(self, piece: Piece, keys: Iterable[str],
             shown_for: Sequence[str] | None = None) -> int:
        """Count `piece` under `keys`; the number is the item's, for `data-cm-item`."""
        return self.items_of((piece,), keys, shown_for)[0]

    def items_of(self, pieces: Iterable[Piece], keys: Iterable[str],
                 shown_for: Sequence[str] | None = None) -> range:
        """`item` for each of `pieces`, all under the same keys: their item numbers."""
        start = len(self.items)
        ids = [self._key(key) for key in keys]
        if shown_for is None:
            self.items.extend([self.piece(piece), ids] for piece in pieces)
        else:
            shown = [self._shared.personas[pid] for pid in shown_for]
            self.items.extend([self.piece(piece), ids, shown] for piece in pieces)
        return range(start, len(self.items))

    def _key(self, key: str) -> int:
        index = self._keys.get(key)
        if index is None:
            index = self._keys[key] = len(self._keys)
        return index

    def attribute(self) -> Markup:
        """The data, for the page's `data-cm-data` attribute."""
        index, links = self._shared.index, self._links
        personas = [[pid, index.persona_name(pid), links.persona(pid),
                     *(index.segments.get(pid, {}).get(facet, "") for facet in PERSONA_FACETS)]
                    for pid in self._shared.personas]
        stages = [[index.stage_label(journey, stage), links.stage(journey, stage),
                   f"{journey}/{stage}"] for journey, stage in self._shared.stages]
        head = _json({
            "facets": list(FACETS),
            "values": [[""] + list(index.options[facet]) for facet in FACETS],
            "segments": list(PERSONA_FACETS),
            "personas": personas,
            "stages": stages,
            "keys": list(self._keys),
            "metrics": list(index.piece_metrics),
            "root": self.root,
        })
        return Markup(_attribute_text(head[:-1]) + ',"pieces":[' + ",".join(self.pieces)
                      + '],"items":' + _json(self.items) + "}")
