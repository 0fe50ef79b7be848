"""Where the map's generated pages and files live in the docs tree.

The layout needs only the settings, the journeys and the personas, so an adapter can
place the map's files before any page has been read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Journey, Persona
from ..settings import Settings

__all__ = ["ASSETS", "ASSET_FILES", "ATTENTION", "CELLS_CSV", "EXPORT", "GAPS", "OVERVIEW",
           "PIECES_CSV", "PLAN", "PROBLEMS", "Layout", "MapPage", "hoist", "lane_anchor",
           "persona_page", "stage_page"]

ASSETS = Path(__file__).parent / "assets"
"""The map's CSS and JavaScript, shipped in the package and copied into every site."""
ASSET_FILES = ("content-map.css", "content-map.js")

OVERVIEW, GAPS, ATTENTION, EXPORT = "index.md", "gaps.md", "attention.md", "content-map.json"
PROBLEMS = "problems.md"
PLAN, PIECES_CSV, CELLS_CSV = "plan.md", "pieces.csv", "cells.csv"
"""The map's own files, relative to its folder (`map_path`, or `generate --out`)."""


def persona_page(persona_id: str) -> str:
    """A persona's page, relative to the map's folder."""
    return f"personas/{persona_id}.md"


def stage_page(journey: str, stage: str) -> str:
    """A stage's page, relative to the map's folder."""
    return f"stages/{journey}/{stage}.md"


def lane_anchor(journey: str, stage: str) -> str:
    """The id of a stage's column on a persona page (ids have no `_`, so it is unique)."""
    return f"{journey}_{stage}"


@dataclass(frozen=True)
class MapPage:
    """One generated page: where it lives in the docs tree and what it shows."""

    src_uri: str
    title: str  # plain text; escape it before handing it to a theme
    kind: str  # overview | persona | stage | gaps | problems | attention | plan
    persona: str | None = None
    journey: str | None = None
    stage: str | None = None


class Layout:
    """The docs-relative paths of the map's pages, assets and export."""

    def __init__(self, settings: Settings, journeys: Sequence[Journey],
                 personas: Sequence[Persona]):
        self.settings = settings
        self._journeys = tuple(journeys)
        self._personas = tuple(personas)
        root = settings.map_path.strip("/")
        self.root = root
        self.overview_src = f"{root}/{OVERVIEW}"
        self.gaps_src = f"{root}/{GAPS}"
        self.attention_src = f"{root}/{ATTENTION}"
        self.problems_src = f"{root}/{PROBLEMS}"
        self.export_src = f"{root}/{EXPORT}"
        self.plan_src = f"{root}/{PLAN}"
        self.pieces_src, self.cells_src = f"{root}/{PIECES_CSV}", f"{root}/{CELLS_CSV}"

    def data_srcs(self) -> tuple[str, ...]:
        """The data files written beside the pages, when the export is on: the JSON
        export and the two spreadsheets."""
        return (self.export_src, self.pieces_src, self.cells_src) if self.settings.export \
            else ()

    def persona_src(self, persona_id: str) -> str:
        return f"{self.root}/{persona_page(persona_id)}"

    def stage_src(self, journey: str, stage: str) -> str:
        return f"{self.root}/{stage_page(journey, stage)}"

    def asset_src(self, name: str) -> str:
        return f"{self.root}/assets/{name}"

    def pages(self) -> list[MapPage]:
        """Every generated page: overview, gaps, problems, needs attention, one per persona
        and one per stage."""
        pages = [MapPage(self.overview_src, self.settings.nav_title, "overview"),
                 MapPage(self.gaps_src, "Gaps", "gaps"),
                 MapPage(self.problems_src, "Problems", "problems"),
                 MapPage(self.attention_src, "Needs attention", "attention"),
                 MapPage(self.plan_src, "Plan", "plan")]
        pages += [MapPage(self.persona_src(p.id), p.name, "persona", persona=p.id)
                  for p in self._personas]
        journeys = self._journeys
        for journey in journeys:
            for stage in journey.stages:
                title = stage.name if len(journeys) == 1 else f"{stage.name} · {journey.name}"
                pages.append(MapPage(self.stage_src(journey.id, stage.id), title, "stage",
                                     journey=journey.id, stage=stage.id))
        return pages


def hoist(items: list[Any], page: Any) -> None:
    """Lift the overview out of the folder sections an automatic navigation wraps it in.

    `items` is the navigation's top level; each node has a `parent` (None at the top), and
    a section its `children`, as MkDocs's navigation has."""
    node = page
    while node.parent is not None and len(node.parent.children) == 1:
        node = node.parent
    if node is page:
        return
    siblings = node.parent.children if node.parent is not None else items
    siblings[siblings.index(node)] = page
    page.parent = node.parent
