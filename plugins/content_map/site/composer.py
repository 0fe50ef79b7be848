"""Each map page's view, made from the index: what the page shows, worked out here so
that its template only writes it out.

Past `LIST_CAP`, a page lists a share of each group (`shares`) and its data holds the rest,
so the views of a big site stay as light as a small one's.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Sequence

from ..model import Analysis, Cell, Journey, Persona, Piece, Stage
from ..reports.text import summary
from ..rules.catalogue import COVERAGE_GAP
from ..settings import Settings
from .attention import Attention, Verdict, needs_attention, verdict
from .figures import Colouring, colouring
from .flow import flow, walk
from .gapreport import GapsView, ProblemsView, gaps_view, problems_view
from .index import FACETS, PERSONA_FACETS, Index
from .layout import MapPage
from .links import Addresses, Links
from .pagedata import LIST_CAP, DataRows, PageData, shares
from .plan import PlanView, plan_view
from .roster import roster
from .views import (
    AttentionView,
    BadgesView,
    Card,
    Column,
    Filters,
    Holding,
    Lane,
    Listing,
    Matrix,
    MatrixCell,
    MatrixRow,
    NamedCell,
    OverviewView,
    PersonaView,
    PieceRow,
    ReviewGroup,
    StageGroup,
    StageView,
    Tally,
    WorkGroup,
)

__all__ = ["GAPS_LISTED", "UNASSIGNED", "Composer"]

GAPS_LISTED = 12
"""The open gaps the overview lists; the gap report has them all."""

UNASSIGNED = "none"
"""The key a stage page counts its pieces that name no persona under (a cell's key has
slashes, so it never is this)."""

View = OverviewView | PersonaView | StageView | GapsView | ProblemsView | AttentionView | \
    PlanView


class Composer:
    """Makes the views of one analysis's pages. Make one per build."""

    def __init__(self, analysis: Analysis, settings: Settings, index: Index, at: Addresses):
        self.analysis = analysis
        self.settings = settings
        self.index = index
        self.at = at
        self.count_status = tuple(settings.count_status)

    @functools.cached_property
    def data_rows(self) -> DataRows:
        """The rows every page's data shares, made when a page first needs them."""
        return DataRows(self.index, self.at)

    @functools.cached_property
    def attention(self) -> Attention:
        return needs_attention(self.analysis, self.analysis.today)

    @functools.cached_property
    def verdict(self) -> Verdict:
        return verdict(self.analysis, self.index)

    @functools.cached_property
    def tally(self) -> Tally:
        facts = summary(self.analysis)
        cells = facts["cells"]
        return Tally(facts["personas"], facts["journeys"], facts["stages"], facts["pieces"],
                     facts["errors"], facts["warnings"], facts["infos"], facts["coverage"],
                     cells["covered"], cells["gap"], cells["waived"],
                     sum(c.display_state == "in-progress" for c in self.analysis.cells))

    @functools.cached_property
    def filters(self) -> Filters:
        index, a = self.index, self.analysis
        options = {facet: tuple(index.options[facet]) for facet in (*FACETS, *PERSONA_FACETS)}
        choices = {facet: tuple((value, value) for value in values)
                   for facet, values in options.items()}
        choices["persona"] = tuple((p.id, p.name) for p in a.personas)
        choices["stage"] = tuple((f"{j.id}/{s.id}", index.stage_label(j.id, s.id))
                                 for j in a.journeys for s in j.stages)
        where = (("persona",) if a.personas else ()) + (("stage",) if a.journeys else ())
        return Filters(options, choices, where)

    def view(self, page: MapPage, links: Links) -> View:
        """The view of `page`, with `links` relative to it."""
        index = self.index
        if page.kind == "overview":
            return self.overview(page, links)
        if page.kind == "persona":
            return self.persona(index.personas[page.persona or ""], links)
        if page.kind == "stage":
            journey = index.journeys[page.journey or ""]
            return self.stage(journey, index.stages[(journey.id, page.stage or "")], links)
        if page.kind == "gaps":
            return gaps_view(page.title, self.analysis, self.settings, index, self.tally)
        if page.kind == "problems":
            return problems_view(page.title, self.analysis, self.settings, self.tally)
        if page.kind == "attention":
            return self.needs_attention(page, links)
        if page.kind == "plan":
            return plan_view(page.title, self.settings.nav_title, self.analysis, index, links,
                             self.filters, self.settings.export)
        raise ValueError(f"unknown map page kind {page.kind!r}")

    # -- the pages -----------------------------------------------------------------------

    def overview(self, page: MapPage, links: Links) -> OverviewView:
        a, index = self.analysis, self.index
        paint = colouring(index.cell_results(), self.settings.color_by)
        open_gaps = [c for c in a.cells if c.state == "gap"]
        data = PageData(self.data_rows, links)
        items = [data.item(piece, index.cell_keys[piece.path]) for piece in index.ordered_pieces]
        listed = len(items) <= LIST_CAP
        rows = tuple(
            PieceRow(piece, item, tuple((pid, index.persona_name(pid)) for pid in piece.personas),
                     tuple((ref.journey, ref.stage, index.stage_label(ref.journey, ref.stage))
                           for ref in piece.stages), index.piece_figures(piece))
            for piece, item in zip(index.ordered_pieces, items, strict=True)) if listed else ()
        broken = sum(not w.continuous for w in a.continuity)
        at = self.attention
        matrix = self._matrix(paint)
        return OverviewView(
            title=page.title, today=a.today, tally=self.tally, verdict=self.verdict,
            walkable=(len(a.continuity) - broken, len(a.continuity)) if a.continuity else None,
            stale=at.stale, due=at.due, work=at.work_pieces, results=index.overall_figures(),
            metrics_file=self.settings.metrics_file, filters=self.filters,
            count_status=self.count_status, colouring=paint, matrix=matrix,
            gaps=tuple(self._named(c) for c in open_gaps[:GAPS_LISTED]),
            gap_count=len(open_gaps), data=data.attribute(), listed=listed, rows=rows,
            list_cap=LIST_CAP,
            stage_links=tuple((j.id, s.id, index.stage_label(j.id, s.id))
                              for j in a.journeys for s in j.stages),
            results_column=index.results is not None, export=self.settings.export,
            cards=roster(matrix, self.verdict.ranked))

    def persona(self, persona: Persona, links: Links) -> PersonaView:
        index = self.index
        places = [(journey, stage) for journey in self.analysis.journeys
                  if persona.follows(journey.id) for stage in journey.stages]
        keys = [(persona.id, journey.id, stage.id) for journey, stage in places]
        data, listings = self._listings(links, [
            ("/".join(key), index.by_cell.get(key, []), (persona.id,), "/".join(key))
            for key in keys])
        columns: dict[str, list[Column]] = defaultdict(list)
        for (journey, stage), key, listing in zip(places, keys, listings, strict=True):
            cell = index.cells.get(key)
            columns[journey.id].append(Column(
                stage, cell, cell.display_state if cell is not None else "skipped", listing,
                persona.stages.get(f"{journey.id}/{stage.id}") or persona.stages.get(stage.id),
                index.cell_figures(*key),
                tuple(f for f in index.cell_findings.get(key, ()) if f.rule != COVERAGE_GAP)))
        lanes = tuple(Lane(journey, flow(index, persona, journey), tuple(columns[journey.id]))
                      for journey in self.analysis.journeys if persona.follows(journey.id))
        return PersonaView(
            nav_title=self.settings.nav_title, persona=persona,
            results=index.persona_figures(persona.id),
            narrative=tuple(p.strip() for p in re.split(r"\n\s*\n", persona.narrative or "")
                            if p.strip()),
            lanes=lanes, findings=tuple(index.persona_findings.get(persona.id, ())),
            data=data.attribute() if data else None, filters=self.filters,
            count_status=self.count_status)

    def stage(self, journey: Journey, stage: Stage, links: Links) -> StageView:
        index = self.index
        groups = index.by_stage.get((journey.id, stage.id), {})
        personas = [p for p in self.analysis.personas if p.follows(journey.id)]
        keys = [f"{p.id}/{journey.id}/{stage.id}" for p in personas]
        unassigned = groups.get(None, [])
        data, listings = self._listings(
            links, [(key, groups.get(p.id, []), (p.id,), key)
                    for key, p in zip(keys, personas, strict=True)]
            + [(UNASSIGNED, unassigned, (), "")])
        return StageView(
            nav_title=self.settings.nav_title, journey=journey, stage=stage,
            position=journey.stages.index(stage),
            results=index.stage_figures(journey.id, stage.id),
            groups=tuple(StageGroup(p, index.segments_of([p.id]),
                                    index.cells.get((p.id, journey.id, stage.id)),
                                    index.cell_figures(p.id, journey.id, stage.id), listing)
                         for p, listing in zip(personas, listings[:-1], strict=True)),
            unassigned=listings[-1] if unassigned else None,
            total=len({p.path for pieces in groups.values() for p in pieces}),
            data=data.attribute() if data else None, filters=self.filters)

    def needs_attention(self, page: MapPage, links: Links) -> AttentionView:
        """Needs attention's lists, each group a share of `LIST_CAP`, over its page data.

        Every review, work and holding is an item of the data, so the counts and filters
        cover all of them; the lists hold cards only for the ones the page shows.
        """
        at, index = self.attention, self.index
        data = PageData(self.data_rows, links)
        owner_keys = {owner: f"o{n}" for n, owner in enumerate(at.owners)}
        reviews = []
        limits = shares([len(entries) for _, entries in at.reviews], LIST_CAP)
        for (owner, entries), limit in zip(at.reviews, limits, strict=True):
            ok = owner_keys[owner]
            items = [data.item(e.piece, ("r", f"r-{e.kind}", f"r:{ok}")) for e in entries]
            reviews.append(ReviewGroup(owner, ok, len(entries), tuple(
                (self._card(e.piece, links.piece(e.piece.path), item), e)
                for item, e in zip(items[:limit], entries[:limit], strict=True))))
        work = []
        limits = shares([len(pieces) for _, pieces in at.work], LIST_CAP)
        for (cell, pieces), limit in zip(at.work, limits, strict=True):
            key = f"{cell.persona}/{cell.journey}/{cell.stage}"
            items = [data.item(p, ("w", f"w:{key}"), [cell.persona]) for p in pieces]
            work.append(WorkGroup(self._named(cell), key, index.segments_of([cell.persona]),
                                  Listing(key, len(pieces), self._cards(
                                      links, pieces[:limit], items[:limit]))))
        statuses = tuple((status, f"s{n}") for n, status in enumerate(index.options["status"]))
        status_keys = dict(statuses)
        holdings = []
        limits = shares([len(pieces) for _, pieces in at.holds], LIST_CAP)
        for (owner, pieces), limit in zip(at.holds, limits, strict=True):
            ok = owner_keys[owner]
            items = []
            for piece in pieces:
                keys = [f"h:{ok}", f"h:{ok}:{status_keys[piece.status]}"]
                flag = at.flags.get(piece.path)
                if flag:
                    keys.append(f"h:{ok}:{flag}")
                items.append(data.item(piece, keys))
            counts = at.counts[owner]
            holdings.append(Holding(
                owner, ok, tuple((key, counts.get(status, 0)) for status, key in statuses),
                counts.get(":stale", 0), counts.get(":due", 0),
                self._cards(links, pieces[:limit], items[:limit]), len(pieces)))
        return AttentionView(
            title=page.title, nav_title=self.settings.nav_title, today=at.today,
            horizon=at.horizon, stale=at.stale, due=at.due,
            work_total=sum(len(pieces) for _, pieces in at.work), data=data.attribute(),
            filters=self.filters, count_status=self.count_status, reviews=tuple(reviews),
            work=tuple(work), idle=tuple(self._named(c) for c in at.idle),
            statuses=statuses, holdings=tuple(holdings))

    def badges(self, piece: Piece, links: Links) -> BadgesView:
        """The badges of a piece's page. This runs for every piece of the site, so its
        links and labels are made here, once each."""
        index = self.index
        first = piece.stages[0] if piece.stages else None
        personas = tuple((links.persona(pid, first.journey if first else None,
                                        first.stage if first else None),
                          index.persona_name(pid)) for pid in piece.personas)
        stages = tuple((links.stage(ref.journey, ref.stage),
                        index.stage_label(ref.journey, ref.stage)) for ref in piece.stages)
        steps = []
        for path in piece.next:
            target = self.analysis.piece(path)
            where = target.stages[0] if target is not None and target.stages else None
            steps.append((links.piece(path), index.page_title(path),
                          index.stage_label(where.journey, where.stage) if where else None))
        return BadgesView(piece, personas, stages, tuple(steps))

    # -- parts ---------------------------------------------------------------------------

    def _matrix(self, paint: Colouring) -> tuple[Matrix, ...]:
        """A table per journey: a row per persona who follows it, a cell per stage."""
        index = self.index
        shown = paint.shown.id if paint.shown else None
        tables = []
        for journey in self.analysis.journeys:
            rows = []
            columns = [[0, 0] for _ in journey.stages]
            for persona in (p for p in self.analysis.personas if p.follows(journey.id)):
                cells: list[MatrixCell | None] = []
                covered = counted = gaps = 0
                for n, stage in enumerate(journey.stages):
                    cell = index.cells.get((persona.id, journey.id, stage.id))
                    if cell is None:
                        cells.append(None)
                        continue
                    if cell.state != "skipped":
                        counted += 1
                        columns[n][1] += 1
                    if cell.state == "covered":
                        covered += 1
                        columns[n][0] += 1
                    gaps += cell.state == "gap"
                    key = (cell.persona, cell.journey, cell.stage)
                    figures = index.cell_figures(*key) if shown else ()
                    cells.append(MatrixCell(cell, paint.bins.get(key),
                                            next((f for f in figures if f.metric == shown),
                                                 None)))
                rows.append(MatrixRow(persona, index.segments_of([persona.id]), tuple(cells),
                                      walk(index, persona.id, journey.id), covered, counted,
                                      gaps))
            tables.append(Matrix(journey, tuple(rows), tuple((a, b) for a, b in columns),
                                 sum(r.covered for r in rows), sum(r.counted for r in rows)))
        return tuple(tables)

    def _named(self, cell: Cell) -> NamedCell:
        return NamedCell(cell, self.index.persona_name(cell.persona),
                         self.index.stage_label(cell.journey, cell.stage))

    def _card(self, piece: Piece, href: str, item: int) -> Card:
        """A card whose filters' data is the page's item `item`."""
        return Card(piece, href, self.index.role(piece), self.index.piece_figures(piece), item)

    def _cards(self, links: Links, pieces: Sequence[Piece], items: Sequence[int]
               ) -> tuple[Card, ...]:
        return tuple(self._card(piece, links.piece(piece.path), item)
                     for piece, item in zip(pieces, items, strict=True))

    def _listings(self, links: Links,
                  groups: Sequence[tuple[str, Sequence[Piece], tuple[str, ...], str]]
                  ) -> tuple[PageData | None, list[Listing]]:
        """What a persona or stage page lists of each group of `(key, pieces, personas shown
        for, keys a card carries)`.

        Up to `LIST_CAP` cards in all: every piece, each card carrying its data (no page
        data: None). Past it, as on Needs attention: each group lists a share (`shares`:
        its first pieces, those that count first), and every piece is an item of the
        page's data under the group's key, so the counts and filters still cover them all.
        """
        index = self.index
        if sum(len(pieces) for _, pieces, _, _ in groups) <= LIST_CAP:
            return None, [Listing(key, len(pieces), tuple(
                Card(piece, links.piece(piece.path), index.role(piece),
                     index.piece_figures(piece), None, carried,
                     index.segments_of(shown_for or piece.personas), index.values(piece))
                for piece in pieces)) for key, pieces, shown_for, carried in groups]
        data = PageData(self.data_rows, links)
        listings = []
        limits = shares([len(pieces) for _, pieces, _, _ in groups], LIST_CAP)
        for (key, pieces, shown_for, _), limit in zip(groups, limits, strict=True):
            items = data.items_of(pieces, (key,), shown_for) if pieces else range(0)
            listings.append(Listing(key, len(pieces), tuple(
                self._card(piece, data.href(piece), item)
                for item, piece in zip(items[:limit], pieces[:limit], strict=True))))
        return data, listings
