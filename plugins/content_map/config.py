"""The plugin's options, typed and validated by MkDocs's own config machinery.

The command line validates mkdocs.yml's options with this same class, so a bad
option reads the same from `mkdocs build` and from `content-map check`. The defaults are
`Settings`'s (`DEFAULTS`), declared once there.

MkDocs stops at the first bad option of a config, of a sub-config and of a list or
mapping of items; here every bad option is reported in the same run, so one round of
fixes is enough.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import ConfigurationError

from .load.siteconfig import waiver_lines
from .metrics import METRICS
from .model import SEVERITIES, STATUSES
from .settings import (
    DEFAULTS,
    FAIL_ON,
    MAP_SEARCH,
    UNMATCHED_LABELS,
    Settings,
    SettingsError,
    from_options,
)
from .suggestion import closest

__all__ = ["ContentMapConfig", "CoverageConfig", "validate_options"]


class _Partly(ValidationError):
    """Some items of an option are wrong: `valid` is the option without them, which the
    checks that need the domain still read (so `rules` with a bad severity still has
    its rule names checked)."""

    def __init__(self, message: str, valid: Any):
        super().__init__(message)
        self.valid = valid


class _EveryOption(base.Config):
    """A config that validates every option, and takes an unknown one for an error."""

    def _validate(self) -> tuple[list[tuple[str, Exception]], list[tuple[str, str]]]:
        failed: list[tuple[str, Exception]] = []
        warnings: list[tuple[str, str]] = []
        for key, option in self._schema:
            try:
                self[key] = option.validate(self.get(key))
                warnings.extend((key, w) for w in option.warnings)
                option.reset_warnings()
            except ValidationError as exc:
                failed.append((key, exc))
                if isinstance(exc, _Partly):
                    self[key] = exc.valid
        for key in sorted(set(self.keys()) - self._schema_keys, key=str):
            guess = closest(str(key), self._schema_keys)
            failed.append((key, ValidationError(
                f"`{key}` is not an option of content-map"
                + (f"; did you mean `{guess}`?" if guess else ""))))
        return failed, warnings


class _SubConfig(c.SubConfig):  # type: ignore[type-arg]
    """`SubConfig`, reporting every bad sub-option instead of the first."""

    def __init__(self, config_class: type[base.Config]) -> None:
        super().__init__()
        self.config_class = config_class

    def run_validation(self, value: object) -> base.Config:
        config = self.config_class(config_file_path=self._config_file_path)
        try:
            config.load_dict(value)  # type: ignore[arg-type]
            failed, warnings = config.validate()
        except ConfigurationError as exc:
            raise ValidationError(str(exc)) from None
        self.warnings.extend(f"Sub-option '{key}': {message}" for key, message in warnings)
        if failed:
            wrong = {key for key, error in failed if not isinstance(error, _Partly)}
            raise _Partly("\n".join(f"Sub-option '{key}': {line}" for key, error in failed
                                    for line in str(error).splitlines()),
                          {k: v for k, v in config.items() if k not in wrong})
        return config


def _each(run: Callable[[Any], Any], value: object, parts: list[tuple[str, Any]],
          join: Callable[[list[Any]], Any]) -> Any:
    """Validate a list's or a mapping's items one at a time (`parts`: each item's name and
    value as the option takes it), so that every bad item is named, not only the first."""
    if not parts:
        return run(value)
    out, problems = [], []
    for name, part in parts:
        try:
            out.append(run(part))
        except ValidationError as exc:
            problems.append(f"{name}: {exc}")
    if problems:
        raise _Partly("\n".join(problems), join(out))
    return join(out)


class _Items(c.ListOfItems):
    def run_validation(self, value: object) -> Any:
        items = value if isinstance(value, list) else []
        return _each(super().run_validation, value,
                     [(f"[{i}]", [item]) for i, item in enumerate(items)],
                     lambda out: [item for one in out for item in one])


class _Mapping(c.DictOfItems):
    def run_validation(self, value: object) -> Any:
        items = value if isinstance(value, dict) else {}
        return _each(super().run_validation, value,
                     [(str(key), {key: item}) for key, item in items.items()],
                     lambda out: {k: v for one in out for k, v in one.items()})


class CoverageConfig(_EveryOption):
    min_per_cell = c.Type(int, default=DEFAULTS.min_per_cell)
    """Counting pieces each persona × stage cell needs (a stage's `min_content` overrides it)."""
    count_status = _Items(c.Choice(STATUSES), default=list(DEFAULTS.count_status))
    """Statuses that count towards coverage."""
    count_stale = c.Type(bool, default=DEFAULTS.count_stale)
    """Whether pieces past their `review_by` date still count."""
    waivers = _Items(c.Type(dict), default=[])
    """Known gaps accepted for a while: `{persona, stage, reason, until}`."""


class MetricsConfig(_EveryOption):
    file = c.Optional(c.Type(str))
    """CSV export from an analytics tool, relative to mkdocs.yml (columns: page, views, …)."""
    color_by = c.Optional(c.Choice(tuple(METRICS)))
    """Colour the overview's matrix by this metric instead of by coverage state."""
    floors = _Mapping(c.Type((int, float)), default=dict(DEFAULTS.floors))
    """`low-engagement` fires for counting pieces under these values, e.g. `{views: 100}`."""
    ceilings = _Mapping(c.Type((int, float)), default=dict(DEFAULTS.ceilings))
    """… or over these, e.g. `{bounce_rate: 0.8}`."""


class ContentMapConfig(_EveryOption):
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
    exclude = _Items(c.Type(str), default=list(DEFAULTS.exclude))
    """Glob patterns of docs-relative pages that are never pieces."""
    fields = _Mapping(c.Type(str), default=dict(DEFAULTS.fields))
    """Front-matter keys this site uses instead of the standard ones."""
    unmatched_labels = c.Choice(UNMATCHED_LABELS, default=DEFAULTS.unmatched_labels)
    """Once personas or stages have `labels`: values of a renamed field that name none are
    left alone (`ignore`), or reported as before (`error`)."""
    search = c.Choice(MAP_SEARCH, default=DEFAULTS.search)
    """Which map pages search plugins index: those the nav shows (`nav`), or `all`."""
    coverage = _SubConfig(CoverageConfig)
    """Coverage thresholds, counted statuses and waivers."""
    rules = _Mapping(c.Choice(SEVERITIES), default=dict(DEFAULTS.rules))
    """Severity per rule id: error, warn, info or ignore."""
    metrics = _SubConfig(MetricsConfig)
    """Results: an analytics CSV joined to the pieces (SPEC §5b)."""

    def validate(self) -> tuple[list[tuple[str, Exception]], list[tuple[str, str]]]:
        failed, warnings = super().validate()
        # What the domain checks (rule names, waivers, map_path…), on the options whose
        # types were right: the others are reported already.
        wrong = {key for key, error in failed if not isinstance(error, _Partly)}
        try:
            from_options({k: v for k, v in _plain(self).items() if k not in wrong})
        except SettingsError as exc:
            failed.extend(("options", ValidationError(m)) for m in self._placed(exc.messages))
        return failed, warnings

    def _placed(self, messages: list[str]) -> list[str]:
        """Messages about a waiver, with the waiver's line in mkdocs.yml."""
        file = Path(self.config_file_path) if self.config_file_path else None
        lines: tuple[int, ...] | None = None
        out = []
        for message in messages:
            match = re.match(r"coverage\.waivers\[(\d+)\]", message)
            if match and file is not None:
                lines = waiver_lines(file) if lines is None else lines
                if int(match.group(1)) < len(lines):
                    message += f" ({file.name}, line {lines[int(match.group(1))]})"
            out.append(message)
        return out

    def settings(self) -> Settings:
        return from_options(_plain(self))


def _plain(config: Any) -> dict[str, Any]:
    return {k: _plain(v) if isinstance(v, (base.Config, dict)) else v for k, v in config.items()}


def validate_options(options: dict[str, Any], config_file: str) -> Settings:
    """Validate plugin options outside a build (for the command line)."""
    config = ContentMapConfig(config_file_path=config_file)
    config.load_dict(options)
    failed, _ = config.validate()
    if failed:
        raise SettingsError([f"{key}: {line}" for key, error in failed
                             for line in str(error).splitlines()])
    return config.settings()
