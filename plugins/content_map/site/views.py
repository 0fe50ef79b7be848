"""What each map page shows: one frozen view per page kind, and the parts they share.

A template gets its page's view as `view`, the page's `links` and a few constant tables
(see `renderer.TABLES`); everything it writes is here, ready-made, so a template (a
theme's override included) never looks anything up. The composer makes the views.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from ..model import Cell, Finding, Journey, Persona, PersonaStage, Piece, Stage
from ..vocabulary import GLOSSARY, PLAIN_STATES
from .attention import FixItem, Review, Verdict
from .figures import Colouring, Figure
from .flow import Flow, Walk
from .layout import lane_anchor

__all__ = ["AttentionView", "BadgesView", "Card", "Column", "Filters", "FixItem",
           "Holding", "Lane", "Listing", "Matrix", "MatrixCell", "MatrixRow", "NamedCell",
           "OverviewView", "PersonaCard", "PersonaView", "PieceRow", "ReviewGroup", "StageGroup",
           "StageView", "Tally", "Verdict", "WorkGroup", "Worded"]

class Worded:
    """The words a stakeholder page uses for states, and its glossary."""

    words = PLAIN_STATES
    glossary = GLOSSARY


Segments = tuple[tuple[str, str], ...]
"""(persona facet, space-separated values) of the personas something is shown for."""


# -- parts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The filter form: each facet's values, each select's (value, text) choices, and which
    of the overview's persona and stage selects the site has anything for."""

    options: Mapping[str, tuple[str, ...]]  # piece and persona facets -> values, in order
    choices: Mapping[str, tuple[tuple[str, str], ...]]  # select name -> (value, text)
    where: tuple[str, ...]  # "persona", "stage": the overview's selects of a cell

    @property
    def any(self) -> bool:
        return any(self.options.values())


@dataclass(frozen=True)
class Card:
    """A piece in a list. With an `item`, the page's data holds what the filters need;
    without, the card carries it (`keys`, `segments`, `values`)."""

    piece: Piece
    href: str
    role: str  # counting | progress | other
    figures: tuple[Figure, ...]
    item: int | None = None
    keys: str = ""  # the groups it is counted under, space-separated
    segments: Segments = ()
    values: tuple[tuple[str, float], ...] = ()  # its raw figures


@dataclass(frozen=True)
class Listing:
    """A group of pieces: its key in the page's data, how many it has, and the cards the
    page lists (every one, or a share on a crowded page)."""

    key: str
    total: int
    cards: tuple[Card, ...]

    @property
    def more(self) -> int:
        return self.total - len(self.cards)


@dataclass(frozen=True)
class NamedCell:
    """A cell with the names a page calls it by."""

    cell: Cell
    persona: str  # the persona's name
    stage: str  # the stage's label


@dataclass(frozen=True)
class Tally:
    """The headline counts (those of the text report's summary)."""

    personas: int
    journeys: int
    stages: int
    pieces: int
    errors: int
    warnings: int
    infos: int
    coverage: float | None  # covered cells over cells that should be covered
    covered: int
    gaps: int
    waived: int
    in_progress: int  # gaps with work under way

    @property
    def counted(self) -> int:
        """The cells that should be covered."""
        return self.covered + self.gaps + self.waived


# -- the overview --------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixCell:
    cell: Cell
    quantile: int | None  # its quarter, when the matrix is coloured
    figure: Figure | None  # its figure of the metric the matrix shows


@dataclass(frozen=True)
class MatrixRow:
    persona: Persona
    segments: Segments
    cells: tuple[MatrixCell | None, ...]  # one a stage (None: the persona has no cell)
    walk: Walk | None
    covered: int  # of `counted`, the cells that should be covered
    counted: int
    gaps: int  # open


@dataclass(frozen=True)
class Matrix:
    journey: Journey
    rows: tuple[MatrixRow, ...]  # the personas who follow the journey
    columns: tuple[tuple[int, int], ...]  # (covered, counted) a stage
    covered: int
    counted: int


@dataclass(frozen=True)
class PieceRow:
    piece: Piece
    item: int
    personas: tuple[tuple[str, str], ...]  # (id, name)
    stages: tuple[tuple[str, str, str], ...]  # (journey, stage, label)
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class OverviewView(Worded):
    title: str
    today: dt.date
    tally: Tally
    verdict: Verdict
    walkable: tuple[int, int] | None  # journeys walkable, of those walked (None: none)
    stale: int
    due: int
    work: int  # pieces under way on gaps
    results: tuple[Figure, ...]  # of every piece that counts
    metrics_file: str | None
    filters: Filters
    count_status: tuple[str, ...]
    colouring: Colouring
    matrix: tuple[Matrix, ...]
    gaps: tuple[NamedCell, ...]  # the first open gaps
    gap_count: int  # all of them
    data: Markup
    listed: bool  # whether the pieces fit the page (`rows`), or only the data holds them
    rows: tuple[PieceRow, ...]
    list_cap: int
    stage_links: tuple[tuple[str, str, str], ...]  # (journey, stage, label)
    results_column: bool
    export: bool
    cards: tuple[PersonaCard, ...] = ()  # the matrix by persona, for phones


@dataclass(frozen=True)
class PersonaCard:
    """A persona's row of the matrix as a phone shows it: coverage and open gaps."""

    persona: Persona
    covered: int  # cells covered, of `counted`, over every journey the persona follows
    counted: int
    accepted: int  # accepted gaps
    gaps: tuple[FixItem, ...]  # open, in the order the verdict ranks them


# -- a persona -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A stage in a persona's lane."""

    stage: Stage
    cell: Cell | None
    state: str  # its display state
    listing: Listing
    mood: PersonaStage | None  # how the persona feels and what they ask there
    figures: tuple[Figure, ...]
    findings: tuple[Finding, ...]

    @property
    def anchor(self) -> str:
        return lane_anchor(self.stage.journey, self.stage.id)


@dataclass(frozen=True)
class Lane:
    journey: Journey
    flow: Flow
    columns: tuple[Column, ...]

    @property
    def walk(self) -> Walk | None:
        return self.flow.walk


@dataclass(frozen=True)
class PersonaView(Worded):
    nav_title: str
    persona: Persona
    results: tuple[Figure, ...]  # of the pieces that count for the persona
    narrative: tuple[str, ...]  # paragraphs
    lanes: tuple[Lane, ...]  # the journeys the persona follows
    findings: tuple[Finding, ...]  # those about the persona, not one cell
    data: Markup | None  # on a crowded page: every piece, as data
    filters: Filters
    count_status: tuple[str, ...]


# -- a stage -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageGroup:
    persona: Persona
    segments: Segments
    cell: Cell | None
    figures: tuple[Figure, ...]
    listing: Listing


@dataclass(frozen=True)
class StageView(Worded):
    nav_title: str
    journey: Journey
    stage: Stage
    position: int  # from 0
    results: tuple[Figure, ...]
    groups: tuple[StageGroup, ...]  # the personas who follow the journey
    unassigned: Listing | None  # the pieces that name no persona
    total: int  # pieces at the stage, each once
    data: Markup | None
    filters: Filters


# -- needs attention -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewGroup:
    owner: str  # "": no owner
    key: str
    total: int
    listed: tuple[tuple[Card, Review], ...]


@dataclass(frozen=True)
class WorkGroup:
    where: NamedCell
    key: str
    segments: Segments
    listing: Listing


@dataclass(frozen=True)
class Holding:
    """What one owner holds: counts by status, reviews stale and due, and the pieces."""

    owner: str  # "": no owner
    key: str
    counts: tuple[tuple[str, int], ...]  # (status key, pieces) in the order of `statuses`
    stale: int
    due: int
    cards: tuple[Card, ...]
    total: int


@dataclass(frozen=True)
class AttentionView(Worded):
    title: str
    nav_title: str
    today: dt.date
    horizon: dt.date
    stale: int
    due: int
    work_total: int  # the pieces under way, counted in each gap they are for
    data: Markup
    filters: Filters
    count_status: tuple[str, ...]
    reviews: tuple[ReviewGroup, ...]
    work: tuple[WorkGroup, ...]
    idle: tuple[NamedCell, ...]  # gaps with no work under way
    statuses: tuple[tuple[str, str], ...]  # (status, key) of the holdings table's columns
    holdings: tuple[Holding, ...]


# -- a piece's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class BadgesView:
    """A piece's badges and next steps, with their links ready-made."""

    piece: Piece
    personas: tuple[tuple[str, str], ...]  # (href, name)
    stages: tuple[tuple[str, str], ...]  # (href, label)
    steps: tuple[tuple[str, str, str | None], ...]  # (href, title, stage label)
