"""A persona's journey as a diagram: a column per stage, a box per piece, an arrow per
`next` link, laid out at build time as SVG coordinates.

The layout is a function of the index (`flow`): one pass over the persona's pieces and
their links, and bounded drawing (`FLOW_CAP` boxes a stage, `FLOW_EDGE_CAP` arrows), so a
persona page stays small however big the site.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import ClassVar

from ..model import Journey, Persona, Piece, Stage
from .index import Index
from .layout import lane_anchor

__all__ = ["FLOW_CAP", "FLOW_EDGE_CAP", "Flow", "FlowColumn", "FlowEdge", "FlowNode", "Walk",
           "flow", "walk"]

FLOW_CAP = 8
"""Nodes drawn per stage in a journey flow; the rest are counted ("+N more")."""

FLOW_EDGE_CAP = 300
"""Edges drawn per flow: enough for any real site, and a bound on the markup."""

NODE_W, NODE_H, COL_GAP, ROW_GAP, HEAD, PAD = 156, 54, 44, 14, 34, 12
LINE_CHARS = 21  # fits the box in wide fonts (DejaVu Sans) as well as narrow ones


@dataclass(frozen=True)
class Walk:
    """Whether a persona's reader can walk a journey by `next` links (`Continuity`), with
    the names a page says it in."""

    continuous: bool
    reached: str  # the id of the furthest stage the links lead to
    first_name: str  # of the first and last stages with pieces that count
    last_name: str
    reached_name: str
    steps: tuple[tuple[str, str], ...]  # (path, title) of the pieces along the way

    @property
    def stop(self) -> str | None:
        """The last piece along the way."""
        return self.steps[-1][0] if self.steps else None


def walk(index: Index, persona_id: str, journey_id: str) -> Walk | None:
    """The persona's walk through the journey; None when there is none to check."""
    found = index.walks.get((persona_id, journey_id))
    if found is None:
        return None
    return Walk(found.continuous, found.reached,
                index.stage_name(journey_id, found.first),
                index.stage_name(journey_id, found.last),
                index.stage_name(journey_id, found.reached),
                tuple((path, index.page_title(path)) for path in found.path))


@dataclass(frozen=True, eq=False)
class FlowNode:
    piece: Piece
    stage: Stage
    x: int
    y: int
    role: str  # counting | progress
    lines: tuple[str, ...]  # the title, wrapped and shortened for the box
    dead_end: bool = False
    stop: bool = False  # where the walk ends when the journey is broken
    on_walk: bool = False
    values: tuple[tuple[str, float], ...] = ()  # the piece's raw figures, for the filters

    @property
    def marks(self) -> list[str]:
        marks = []
        if self.dead_end:
            marks.append("no next step")
        if self.stop:
            marks.append("readers stop here")
        return marks


@dataclass(frozen=True, eq=False)
class FlowEdge:
    source: FlowNode
    target: FlowNode
    kind: str  # forward | same | back
    on_walk: bool
    d: str  # the SVG path
    label_x: int = 0
    label_y: int = 0


@dataclass(frozen=True)
class FlowColumn:
    stage: Stage
    x: int
    nodes: tuple[FlowNode, ...]
    more: int  # nodes not drawn
    skipped: bool

    @property
    def anchor(self) -> str:
        """The stage's column on the persona page, which lists every piece."""
        return lane_anchor(self.stage.journey, self.stage.id)


@dataclass(frozen=True)
class Flow:
    """A persona's journey as a diagram: a column per stage, a node per piece, `next` edges."""

    persona: Persona
    journey: Journey
    columns: tuple[FlowColumn, ...]
    edges: tuple[FlowEdge, ...]
    width: int
    height: int
    walk: Walk | None
    dead_ends: tuple[Piece, ...]  # every dead end of the persona in this journey
    backward: tuple[tuple[Piece, Piece], ...]  # every backward `next` among its pieces
    edges_left_out: int = 0
    break_at: tuple[int, int] | None = None  # where the broken walk stops, drawn as a cut
    segments: tuple[tuple[str, str], ...] = ()  # the persona's, for the filters

    node_w: ClassVar[int] = NODE_W
    col_gap: ClassVar[int] = COL_GAP
    node_h: ClassVar[int] = NODE_H
    head: ClassVar[int] = HEAD

    @property
    def nodes(self) -> list[FlowNode]:
        return [node for column in self.columns for node in column.nodes]

    def outgoing(self, node: FlowNode) -> list[FlowEdge]:
        return [edge for edge in self.edges if edge.source is node]

    @property
    def anchor(self) -> str:
        return f"flow-{self.journey.id}"


def flow(index: Index, persona: Persona, journey: Journey) -> Flow:
    """The persona's journey as a diagram, laid out at build time.

    A piece is a node in the column of its earliest stage in the journey; counting and
    in-progress pieces are drawn, others (ideas, retired pages) are not. Each column
    draws at most `FLOW_CAP` nodes, choosing first the pieces on the walk, the dead
    ends and the pieces with links; the rest are counted. Linear in the persona's
    pieces and their `next` links.
    """
    walked = index.walks.get((persona.id, journey.id))
    on_walk = set(walked.path) if walked else set()
    walk_steps = set(zip(walked.path, walked.path[1:], strict=False)) if walked else set()
    stop = walked.path[-1] if walked and not walked.continuous and walked.path else None
    dead_ends = index.dead_ends.get((persona.id, journey.id), ())
    dead = {p.path for p in dead_ends}
    column_of: dict[str, int] = {}
    per_column: list[list[Piece]] = [[] for _ in journey.stages]
    for number, stage in enumerate(journey.stages):
        for piece in index.by_cell.get((persona.id, journey.id, stage.id), ()):
            if piece.path in column_of or index.role(piece) == "other":
                continue
            column_of[piece.path] = number
            per_column[number].append(piece)
    links: list[tuple[str, str, str]] = []
    linked: set[str] = set()
    backward: list[tuple[Piece, Piece]] = []
    for number, pieces in enumerate(per_column):
        for piece in pieces:
            for target in piece.next:
                there = column_of.get(target)
                if there is None or target == piece.path:
                    continue
                kind = "forward" if there > number else "same" if there == number else "back"
                links.append((piece.path, target, kind))
                linked.update((piece.path, target))
                if kind == "back":
                    target_piece = index.analysis.piece(target)
                    if target_piece is not None:
                        backward.append((piece, target_piece))

    def priority(item: tuple[int, Piece]) -> tuple[int, ...]:
        order, piece = item
        return (piece.path not in on_walk, piece.path != stop, piece.path not in dead,
                piece.path not in linked, index.role(piece) != "counting", order)

    rows: dict[str, int] = {}
    sources: dict[str, list[str]] = defaultdict(list)
    for source, target, kind in links:
        if kind == "forward":
            sources[target].append(source)
    columns: list[FlowColumn] = []
    nodes: dict[str, FlowNode] = {}
    tallest = 0
    for number, stage in enumerate(journey.stages):
        x = PAD + number * (NODE_W + COL_GAP)
        chosen = [piece for _, piece in sorted(enumerate(per_column[number]), key=priority)
                  [:FLOW_CAP]]
        # Nodes sit near the pieces that link to them (the mean row of their sources
        # in earlier columns), which keeps most edges short and uncrossed.
        placed = []
        for rank, piece in enumerate(chosen):
            seen = [rows[s] for s in sources.get(piece.path, ()) if s in rows]
            placed.append(((0 if seen else 1, sum(seen) / len(seen) if seen else 0.0,
                            rank), piece))
        column_nodes = []
        for row, (_, piece) in enumerate(sorted(placed, key=lambda item: item[0])):
            rows[piece.path] = row
            node = FlowNode(
                piece, stage, x, PAD + HEAD + row * (NODE_H + ROW_GAP),
                index.role(piece), _wrap(piece.title), dead_end=piece.path in dead,
                stop=piece.path == stop, on_walk=piece.path in on_walk,
                values=index.values(piece))
            nodes[piece.path] = node
            column_nodes.append(node)
        more = len(per_column[number]) - len(column_nodes)
        tallest = max(tallest, len(column_nodes) + (1 if more else 0))
        cell = index.cells.get((persona.id, journey.id, stage.id))
        columns.append(FlowColumn(stage, x, tuple(column_nodes), more,
                                  cell is not None and cell.state == "skipped"))
    edges: list[FlowEdge] = []
    drawable = [(s, t, k) for s, t, k in links if s in nodes and t in nodes]
    for source, target, kind in drawable[:FLOW_EDGE_CAP]:
        edges.append(_edge(nodes[source], nodes[target], kind,
                           (source, target) in walk_steps))
    width = PAD * 2 + len(journey.stages) * NODE_W + (len(journey.stages) - 1) * COL_GAP
    height = PAD * 2 + HEAD + max(tallest, 1) * (NODE_H + ROW_GAP) + 24
    end = nodes.get(stop) if stop else None
    break_at = (end.x + NODE_W, end.y + NODE_H // 2) \
        if end is not None and column_of[end.piece.path] < len(journey.stages) - 1 else None
    return Flow(persona, journey, tuple(columns), tuple(edges), width, height,
                walk(index, persona.id, journey.id),
                dead_ends, tuple(backward),
                edges_left_out=max(0, len(drawable) - FLOW_EDGE_CAP), break_at=break_at,
                segments=index.segments_of([persona.id]))


def _wrap(title: str, width: int = LINE_CHARS, lines: int = 2) -> tuple[str, ...]:
    """The title in at most `lines` lines of at most `width` characters, with an ellipsis."""
    out: list[str] = []
    current = ""
    cut = False
    for word in " ".join(str(title).split()).split(" "):
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            out.append(current)
            current = word
            if len(out) == lines:
                cut = True
                break
    if not cut and current:
        out.append(current)
    fixed = [line if len(line) <= width else line[: width - 1].rstrip() + "…" for line in out]
    if cut and fixed and not fixed[-1].endswith("…"):
        last = fixed[-1]
        fixed[-1] = (last if len(last) < width else last[: width - 1].rstrip()) + "…"
    return tuple(fixed) or ("",)


def _edge(source: FlowNode, target: FlowNode, kind: str, on_walk: bool) -> FlowEdge:
    """An edge's SVG path: forward edges run right to left sides, edges within a stage loop
    out to the right, backward edges arc below the row so they never hide a forward one."""
    ys, yt = source.y + NODE_H // 2, target.y + NODE_H // 2
    if kind == "forward":
        x1, x2 = source.x + NODE_W, target.x - 3
        bend = max(18, (x2 - x1) // 2)
        return FlowEdge(source, target, kind, on_walk,
                        f"M{x1} {ys} C{x1 + bend} {ys} {x2 - bend} {yt} {x2} {yt}")
    if kind == "same":
        x = source.x + NODE_W
        return FlowEdge(source, target, kind, on_walk,
                        f"M{x} {ys} C{x + 26} {ys} {x + 29} {yt} {x + 3} {yt}")
    x1, x2 = source.x, target.x + NODE_W + 3
    dip = NODE_H // 2 + ROW_GAP // 2
    return FlowEdge(source, target, kind, on_walk,
                    f"M{x1} {ys} C{x1 - 30} {ys + dip} {x2 + 30} {yt + dip} {x2} {yt}",
                    label_x=(x1 + x2) // 2, label_y=(ys + yt) // 2 + dip - 2)
