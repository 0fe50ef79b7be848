"""Where the map's generated pages and files live in the docs tree.

The layout needs only the settings, the journeys and the personas, so an adapter can
place the map's files before any page has been read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Journey, Persona
from ..settings import Settings

__all__ = ["Layout", "MapPage"]


@dataclass(frozen=True)
class MapPage:
    """One generated page: where it lives in the docs tree and what it shows."""

    src_uri: str
    title: str  # plain text; escape it before handing it to a theme
    kind: str  # overview | persona | stage | gaps | attention
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
        self.overview_src = f"{root}/index.md"
        self.gaps_src = f"{root}/gaps.md"
        self.attention_src = f"{root}/attention.md"
        self.export_src = f"{root}/content-map.json"

    def persona_src(self, persona_id: str) -> str:
        return f"{self.root}/personas/{persona_id}.md"

    def stage_src(self, journey: str, stage: str) -> str:
        return f"{self.root}/stages/{journey}/{stage}.md"

    def asset_src(self, name: str) -> str:
        return f"{self.root}/assets/{name}"

    def pages(self) -> list[MapPage]:
        """Every generated page: overview, gap report, needs attention, one per persona and
        one per stage."""
        pages = [MapPage(self.overview_src, self.settings.nav_title, "overview"),
                 MapPage(self.gaps_src, "Gap report", "gaps"),
                 MapPage(self.attention_src, "Needs attention", "attention")]
        pages += [MapPage(self.persona_src(p.id), p.name, "persona", persona=p.id)
                  for p in self._personas]
        journeys = self._journeys
        for journey in journeys:
            for stage in journey.stages:
                title = stage.name if len(journeys) == 1 else f"{stage.name} · {journey.name}"
                pages.append(MapPage(self.stage_src(journey.id, stage.id), title, "stage",
                                     journey=journey.id, stage=stage.id))
        return pages
