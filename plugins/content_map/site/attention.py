"""What needs attention on a given day: pages whose review is stale or due, the work
under way that would close gaps, and what each owner holds.

A plain function of the analysis and a date, so any output can show the same lists; the
Needs attention page and the overview's figures are two of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Analysis, Cell, Piece
from .index import Index, in_stage_order

__all__ = ["DUE_DAYS", "FIX_FIRST", "Attention", "FixItem", "Review", "Verdict", "needs_attention",
           "verdict"]

DUE_DAYS = 30
"""How far ahead "Needs attention" looks for pieces due for review."""


@dataclass(frozen=True)
class Review:
    """A page to review: `stale` (its review date has passed) or `due` (within the days
    looked ahead), and how many days ago or ahead that is."""

    piece: Piece
    kind: str  # stale | due
    days: int


@dataclass(frozen=True)
class Attention:
    """The lists, each owner's in the order of `owners` ("" is no owner, last)."""

    today: dt.date
    horizon: dt.date  # the last day a review is due by
    owners: tuple[str, ...]  # every owner with pieces, by name, then "" if any piece has none
    reviews: tuple[tuple[str, tuple[Review, ...]], ...]  # by owner, by date then title
    holds: tuple[tuple[str, tuple[Piece, ...]], ...]  # by owner, in stage order
    flags: Mapping[str, str]  # piece path -> stale | due
    counts: Mapping[str, Mapping[str, int]]  # owner -> status, ":stale", ":due" -> pieces
    work: tuple[tuple[Cell, tuple[Piece, ...]], ...]  # gaps (and waived) with work under way
    idle: tuple[Cell, ...]  # gaps with none

    @property
    def stale(self) -> int:
        return sum(kind == "stale" for kind in self.flags.values())

    @property
    def due(self) -> int:
        return sum(kind == "due" for kind in self.flags.values())

    @property
    def work_pieces(self) -> int:
        """The pieces under way on gaps, each once."""
        return len({p.path for _, pieces in self.work for p in pieces})


def needs_attention(analysis: Analysis, today: dt.date, days: int = DUE_DAYS) -> Attention:
    """What needs doing as of `today`, looking `days` ahead for reviews."""
    horizon = today + dt.timedelta(days=days)
    named = sorted({str(p.owner) for p in analysis.pieces if p.owner},
                   key=lambda o: (o.lower(), o))
    order = {owner: n for n, owner in enumerate(named + [""])}
    reviews: dict[str, list[Review]] = defaultdict(list)
    holds: dict[str, list[Piece]] = defaultdict(list)
    flags: dict[str, str] = {}
    for piece in in_stage_order(analysis):
        owner = str(piece.owner) if piece.owner else ""
        holds[owner].append(piece)
        if piece.review_by is None or piece.review_by > horizon:
            continue
        flags[piece.path] = "stale" if piece.review_by < today else "due"
        reviews[owner].append(Review(piece, flags[piece.path],
                                     abs((piece.review_by - today).days)))
    counts: dict[str, dict[str, int]] = {}
    for owner, pieces in holds.items():
        tally: dict[str, int] = defaultdict(int)
        for piece in pieces:
            tally[piece.status] += 1
            if piece.path in flags:
                tally[":" + flags[piece.path]] += 1
        counts[owner] = dict(tally)
    work = []
    idle = []
    for cell in analysis.cells:
        if cell.state not in ("gap", "waived"):
            continue
        under_way = tuple(p for p in map(analysis.piece, cell.in_progress) if p is not None)
        if under_way:
            work.append((cell, under_way))
        elif cell.state == "gap":
            idle.append(cell)

    def by_owner(groups: dict[str, list[Review]] | dict[str, list[Piece]]) -> list[str]:
        return sorted(groups, key=order.__getitem__)

    return Attention(
        today=today, horizon=horizon,
        owners=tuple(owner for owner in order if owner in holds),
        reviews=tuple((owner, tuple(sorted(reviews[owner], key=_review_order)))
                      for owner in by_owner(reviews)),
        holds=tuple((owner, tuple(holds[owner])) for owner in by_owner(holds)),
        flags=flags, counts=counts, work=tuple(work), idle=tuple(idle))


def _review_order(review: Review) -> tuple[dt.date | None, str]:
    return (review.piece.review_by, review.piece.title.lower())


# -- the overview's verdict ----------------------------------------------------------------


@dataclass(frozen=True)
class FixItem:
    """A gap on the "fix first" list: where it is, how far short, and who works on it."""

    cell: Cell
    persona: str  # the persona's name
    stage: str  # the stage's label
    short: int  # published pieces still missing against the target
    owners: tuple[str, ...]  # of the work under way on it
    views: float | None  # the stage's views, where there are results


@dataclass(frozen=True)
class Verdict:
    """The overview's first words: what is open, where, what is under way, what first."""

    sentences: tuple[str, ...]
    gaps: int
    personas: tuple[tuple[str, int], ...]  # (name, open gaps) holding the most, ties all
    stages: tuple[tuple[str, int], ...]  # (label, open gaps), likewise
    fix_first: tuple[FixItem, ...]
    ranking: str  # how the list is ranked, in one line
    ranked: tuple[FixItem, ...] = ()  # every open gap, in the order of `fix_first`


FIX_FIRST = 5
RANKING = ("Ranked by how many published pieces are missing against the target, then by "
           "the earlier stage, then by the stage's views where there are results.")


def _most(counts: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    top = max(counts.values(), default=0)
    return tuple((name, n) for name, n in counts.items() if n == top and n)


def _names(pairs: tuple[tuple[str, int], ...]) -> str:
    names = [name for name, _ in pairs[:3]]
    more = len(pairs) - len(names)
    if more:
        names.append(f"{more} more")
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _each(pairs: tuple[tuple[str, int], ...]) -> str:
    gaps = _plural(pairs[0][1], "gap")
    return gaps if len(pairs) == 1 else f"{gaps} each"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def verdict(analysis: Analysis, index: Index) -> Verdict:
    """The verdict, worked out from the analysis: open gaps, where they gather, the work
    under way on them and by whom, and the gaps to fix first."""
    open_gaps = [c for c in analysis.cells if c.state == "gap"]
    by_persona: dict[str, int] = defaultdict(int)
    by_stage: dict[str, int] = defaultdict(int)
    for c in open_gaps:
        by_persona[index.persona_name(c.persona)] += 1
        by_stage[index.stage_label(c.journey, c.stage)] += 1
    personas, stages = _most(by_persona), _most(by_stage)
    position = {(j.id, s.id): (n, jn) for jn, j in enumerate(analysis.journeys)
                for n, s in enumerate(j.stages)}
    results = index.results

    def owners(c: Cell) -> tuple[str, ...]:
        found = (analysis.piece(path) for path in c.in_progress)
        return tuple(sorted({p.owner for p in found if p is not None and p.owner}))

    def views(c: Cell) -> float | None:
        figures = results.stages.get((c.journey, c.stage)) if results else None
        return figures.get("views") if figures else None

    items = [FixItem(c, index.persona_name(c.persona), index.stage_label(c.journey, c.stage),
                     max(c.threshold - c.count, 0), owners(c), views(c)) for c in open_gaps]
    items.sort(key=lambda i: (-i.short, position.get((i.cell.journey, i.cell.stage), (0, 0)),
                              -(i.views or 0), i.persona))
    working = [i for i in items if i.cell.in_progress]
    who = sorted({o for i in working for o in i.owners})
    if not open_gaps:
        waived = sum(c.state == "waived" for c in analysis.cells)
        sentences = ["No open gaps: every persona has the published pieces it needs at "
                     "every stage that matters to it."]
        if waived:
            sentences.append(f"{_plural(waived, 'accepted gap')} "
                             f"{'stays' if waived == 1 else 'stay'} open on purpose, "
                             "with a reason and an end date.")
    else:
        sentences = [f"{_plural(len(open_gaps), 'open gap')}. Most are for "
                     f"{_names(personas)} ({_each(personas)}) and at "
                     f"{_names(stages)} ({_each(stages)})."]
        if working:
            pieces = sum(len(i.cell.in_progress) for i in working)
            by = f", by {_names(tuple((o, 0) for o in who))}" if who else ", with no owner"
            sentences.append(f"Work is under way on {_plural(len(working), 'gap')} "
                             f"({_plural(pieces, 'piece')}{by}).")
        else:
            sentences.append("No work is under way on any of them.")
        first = items[0]
        sentences.append(f"Fix first: {first.persona} at {first.stage}.")
    return Verdict(tuple(sentences), len(open_gaps), personas, stages,
                   tuple(items[:FIX_FIRST]), RANKING, tuple(items))
