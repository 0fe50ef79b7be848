"""The plugin's options, typed and validated by MkDocs's own config machinery.

The command line validates mkdocs.yml's options with this same class, so a bad
option reads the same from `mkdocs build` and from `content-map check`. The defaults are
`Settings`'s (`DEFAULTS`), declared once there.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError

from .metrics import METRICS
from .model import SEVERITIES, STATUSES
from .settings import DEFAULTS, FAIL_ON, Settings, SettingsError, from_options
from .suggestion import closest

__all__ = ["ContentMapConfig", "CoverageConfig", "validate_options"]


class CoverageConfig(base.Config):
    min_per_cell = c.Type(int, default=DEFAULTS.min_per_cell)
    """Counting pieces each persona × stage cell needs (a stage's `min_content` overrides it)."""
    count_status = c.ListOfItems(c.Choice(STATUSES), default=list(DEFAULTS.count_status))
    """Statuses that count towards coverage."""
    count_stale = c.Type(bool, default=DEFAULTS.count_stale)
    """Whether pieces past their `review_by` date still count."""
    waivers = c.ListOfItems(c.Type(dict), default=[])
    """Known gaps accepted for a while: `{persona, stage, reason, until}`."""


class MetricsConfig(base.Config):
    file = c.Optional(c.Type(str))
    """CSV export from an analytics tool, relative to mkdocs.yml (columns: page, views, …)."""
    color_by = c.Optional(c.Choice(tuple(METRICS)))
    """Colour the overview's matrix by this metric instead of by coverage state."""
    floors = c.DictOfItems(c.Type((int, float)), default=dict(DEFAULTS.floors))
    """`low-engagement` fires for counting pieces under these values, e.g. `{views: 100}`."""
    ceilings = c.DictOfItems(c.Type((int, float)), default=dict(DEFAULTS.ceilings))
    """… or over these, e.g. `{bounce_rate: 0.8}`."""


class ContentMapConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing its options."""
    personas_dir = c.Type(str, default=DEFAULTS.personas_dir)
    """Folder of persona files, relative to mkdocs.yml."""
    journeys_dir = c.Type(str, default=DEFAULTS.journeys_dir)
    """Folder of journey files, relative to mkdocs.yml."""
    map_path = c.Type(str, default=DEFAULTS.map_path)
    """URL prefix of the generated map pages."""
    nav_title = c.Type(str, default=DEFAULTS.nav_title)
    """Title of the map's entry in the site navigation."""
    fail_on = c.Choice(FAIL_ON, default=DEFAULTS.fail_on)
    """Findings at or above this severity abort `mkdocs build` (`never`: report only)."""
    serve_fail = c.Type(bool, default=DEFAULTS.serve_fail)
    """Whether `mkdocs serve` stops on such findings too (by default it keeps serving)."""
    badges = c.Type((bool, str), default=DEFAULTS.badges)
    """Persona and stage badges on content pages: `public` (or `true`), `internal` (only
    under `mkdocs serve` and in builds with `CONTENT_MAP_PREVIEW=1`), or `off` (`false`)."""
    export = c.Type(bool, default=DEFAULTS.export)
    """Write `content-map.json` into the site."""
    cache = c.Type(bool, default=True)
    """Keep parsed front-matter, the rules' findings and the rendered map in
    `.cache/content-map/`, so rebuilds re-read only changed pages and render the map again
    only when what it shows changed."""
    exclude = c.ListOfItems(c.Type(str), default=list(DEFAULTS.exclude))
    """Glob patterns of docs-relative pages that are never pieces."""
    fields = c.DictOfItems(c.Type(str), default=dict(DEFAULTS.fields))
    """Front-matter keys this site uses instead of the standard ones."""
    coverage = c.SubConfig(CoverageConfig)
    """Coverage thresholds, counted statuses and waivers."""
    rules = c.DictOfItems(c.Choice(SEVERITIES), default=dict(DEFAULTS.rules))
    """Severity per rule id: error, warn, info or ignore."""
    metrics = c.SubConfig(MetricsConfig)
    """Results: an analytics CSV joined to the pieces (SPEC §5b)."""

    def _validate(self) -> tuple[list[tuple[str, Exception]], list[tuple[str, str]]]:
        failed, warnings = super()._validate()
        kept = []
        for key, message in warnings:
            if message.startswith("Unrecognised configuration name"):
                guess = closest(key, self._schema_keys)
                failed.append((key, ValidationError(
                    f"`{key}` is not an option of content-map"
                    + (f"; did you mean `{guess}`?" if guess else ""))))
            else:
                kept.append((key, message))
        return failed, kept

    def validate(self) -> tuple[list[tuple[str, Exception]], list[tuple[str, str]]]:
        failed, warnings = super().validate()
        if not failed:
            try:
                from_options(_plain(self))
            except SettingsError as exc:
                failed.extend(("options", ValidationError(m)) for m in exc.messages)
        return failed, warnings

    def settings(self) -> Settings:
        return from_options(_plain(self))


def _plain(config: Any) -> dict[str, Any]:
    return {k: _plain(v) if isinstance(v, base.Config) else v for k, v in config.items()}


def validate_options(options: dict[str, Any], config_file: str) -> Settings:
    """Validate plugin options outside a build (for the command line)."""
    config = ContentMapConfig(config_file_path=config_file)
    config.load_dict(options)
    failed, _ = config.validate()
    if failed:
        raise SettingsError([f"{key}: {error}" for key, error in failed])
    return config.settings()
