"""The tool's settings, as plain data the core can use without MkDocs.

The plugin's typed config (`config.py`) checks option types with MkDocs's own
validation; `from_options` adds the checks that need the domain (rule names,
statuses, waivers) and is shared by the plugin and the command line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .load.schema import PAGE_FIELDS
from .metrics import METRICS
from .model import SEVERITIES, STATUSES, Waiver
from .rules.catalogue import RULES
from .suggestion import closest, shown

__all__ = ["BADGE_MODES", "DEFAULTS", "FAIL_ON", "MAP_SEARCH", "PREVIEW_VARIABLE", "Settings",
           "SettingsError", "UNMATCHED_LABELS",
           "badge_mode", "for_build", "from_options",
           "map_path_problem"]

FAIL_ON = ("error", "warn", "never")
UNMATCHED_LABELS = ("ignore", "error")
"""`unmatched_labels`: what a value of a renamed field that names no persona or stage is."""
MAP_SEARCH = ("nav", "all")
"""`search`: which map pages a search index gets (those the nav shows, or all)."""


class SettingsError(ValueError):
    """Options that cannot be used; each message names the option."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Settings:
    """The options, checked; each default here is the option's default everywhere (the
    plugin's typed config and `from_options` take theirs from `DEFAULTS`)."""

    personas_dir: str = "personas"
    journeys_dir: str = "journeys"
    map_path: str = "content-map"
    fail_on: str = "error"
    serve_fail: bool = False
    badges: bool = True  # whether this build shows them (see `badge_mode`)
    badge_mode: str = "public"  # public | internal | off, as the option says
    export: bool = True
    exclude: tuple[str, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)
    min_per_cell: int = 1
    count_status: tuple[str, ...] = ("published",)
    count_stale: bool = True
    waivers: tuple[Waiver, ...] = ()
    rules: Mapping[str, str] = field(default_factory=dict)
    nav_title: str = "Content map"
    metrics_file: str | None = None
    color_by: str | None = None
    floors: Mapping[str, float] = field(default_factory=dict)
    ceilings: Mapping[str, float] = field(default_factory=dict)
    unmatched_labels: str = "ignore"
    search: str = "nav"

    def severity(self, rule: str) -> str:
        return self.rules.get(rule) or RULES[rule].default

    def field_name(self, name: str) -> str:
        """The front-matter key this site uses for the field `name`."""
        return self.fields.get(name, name)


DEFAULTS = Settings()
"""Every option at its default."""

BADGE_MODES = ("public", "internal", "off")
PREVIEW_VARIABLE = "CONTENT_MAP_PREVIEW"
"""With `badges: internal`, a build shows the badges when this is `1` (a preview build);
`mkdocs serve` always shows them."""


def badge_mode(value: object, errors: list[str]) -> str:
    """`badges` as a mode: `true` is `public` and `false` is `off`, as before modes."""
    if value is True or value is False:
        return "public" if value else "off"
    if value not in BADGE_MODES:
        errors.append(f"badges: `{shown(str(value))}` is not one of true, false, "
                      + ", ".join(BADGE_MODES))
        return DEFAULTS.badge_mode
    return str(value)


def for_build(settings: Settings, serving: bool, environ: Mapping[str, str]) -> Settings:
    """The settings of one build: `internal` badges show under `mkdocs serve` and in a
    preview build, never on the public site."""
    if settings.badge_mode != "internal":
        return settings
    return replace(settings, badges=serving or environ.get(PREVIEW_VARIABLE) == "1")


def map_path_problem(value: object) -> str | None:
    """Why `value` cannot be the map's URL prefix, or None.

    The map's pages are written under it in the site folder, so it must stay there: plain
    folder names, never `..`, `.`, a backslash or a drive; slashes around it are the same
    URL prefix (`/planning/map/` is `planning/map`)."""
    if not isinstance(value, str) or not value.strip("/"):
        return "give a folder name for the map's pages, e.g. `content-map`"
    if "\\" in value or ":" in value:
        return (f"`{shown(value)}` must be a relative path with `/` between folders, "
                "e.g. `content-map` or `planning/map`")
    parts = value.strip("/").split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return (f"`{shown(value)}` must not hold `..`, `.`, empty or hidden folder names: "
                "the map's pages must stay inside the site, e.g. `content-map`")
    if any(not char.isprintable() for char in value):
        return f"`{shown(value)}` holds control characters; write a plain folder name"
    return None


def from_options(options: Mapping[str, Any]) -> Settings:
    """Build settings from the plugin's options, or raise `SettingsError` listing every problem.

    An option that is not given takes its default from `Settings`, the one place where the
    defaults are declared."""
    errors: list[str] = []
    coverage = options.get("coverage") or {}
    metrics = options.get("metrics") or {}
    rules = _rules(options.get("rules") or {}, errors)
    fail_on = options.get("fail_on", DEFAULTS.fail_on)
    if fail_on not in FAIL_ON:
        errors.append(f"fail_on: `{fail_on}` is not one of {', '.join(FAIL_ON)}")
    fields = _fields(options.get("fields") or {}, errors)
    count_status, min_per_cell = _thresholds(coverage, errors)
    waivers = _waivers(coverage.get("waivers") or (), errors)
    floors, ceilings, color_by = _metrics(metrics, errors)
    badges = badge_mode(options.get("badges", DEFAULTS.badges), errors)
    map_path = options.get("map_path", DEFAULTS.map_path)
    problem = map_path_problem(map_path)
    if problem:
        errors.append(f"map_path: {problem}")
    for name, choices in (("unmatched_labels", UNMATCHED_LABELS), ("search", MAP_SEARCH)):
        if options.get(name, getattr(DEFAULTS, name)) not in choices:
            errors.append(f"{name}: `{shown(str(options[name]))}` is not one of "
                          + ", ".join(choices))
    if errors:
        raise SettingsError(errors)
    return Settings(
        personas_dir=options.get("personas_dir", DEFAULTS.personas_dir),
        journeys_dir=options.get("journeys_dir", DEFAULTS.journeys_dir),
        map_path=str(map_path).strip("/"),
        fail_on=fail_on,
        serve_fail=bool(options.get("serve_fail", DEFAULTS.serve_fail)),
        badges=badges == "public",
        badge_mode=badges,
        export=bool(options.get("export", DEFAULTS.export)),
        exclude=tuple(options.get("exclude") or DEFAULTS.exclude),
        fields=fields,
        min_per_cell=min_per_cell,
        count_status=count_status,
        count_stale=bool(coverage.get("count_stale", DEFAULTS.count_stale)),
        waivers=waivers,
        rules=rules,
        nav_title=str(options.get("nav_title", DEFAULTS.nav_title)),
        metrics_file=metrics.get("file", DEFAULTS.metrics_file),
        color_by=color_by,
        floors=floors,
        ceilings=ceilings,
        unmatched_labels=str(options.get("unmatched_labels", DEFAULTS.unmatched_labels)),
        search=str(options.get("search", DEFAULTS.search)),
    )


def _rules(given: Mapping[Any, Any], errors: list[str]) -> dict[str, str]:
    """`rules`: a severity per rule of the catalogue."""
    for rule, severity in given.items():
        if rule not in RULES:
            guess = closest(str(rule), RULES)
            errors.append(f"rules: `{rule}` is not a rule" +
                          (f"; did you mean `{guess}`?" if guess else ""))
        elif severity not in SEVERITIES:
            errors.append(f"rules.{rule}: `{severity}` is not a severity; use one of "
                          + ", ".join(SEVERITIES))
    return dict(given)


def _fields(given: Mapping[Any, Any], errors: list[str]) -> dict[str, str]:
    """`fields`: the site's own front-matter key for a standard field."""
    known = {f.name for f in PAGE_FIELDS}
    for name, key in given.items():
        if name not in known:
            guess = closest(str(name), known)
            errors.append(f"fields: `{name}` is not a front-matter field" +
                          (f"; did you mean `{guess}`?" if guess else ""))
        elif not isinstance(key, str) or not key:
            errors.append(f"fields.{name}: the key must be non-empty text")
    return dict(given)


def _thresholds(coverage: Mapping[str, Any], errors: list[str]) -> tuple[tuple[str, ...], int]:
    """`coverage.count_status` and `coverage.min_per_cell`."""
    count_status = tuple(coverage.get("count_status") or DEFAULTS.count_status)
    for status in count_status:
        if status not in STATUSES:
            errors.append(f"coverage.count_status: `{status}` is not a status; use "
                          + ", ".join(STATUSES))
    min_per_cell = coverage.get("min_per_cell", DEFAULTS.min_per_cell)
    if isinstance(min_per_cell, bool) or not isinstance(min_per_cell, int) or min_per_cell < 0:
        errors.append("coverage.min_per_cell: must be a whole number, 0 or more")
    return count_status, min_per_cell


def _waivers(entries: Any, errors: list[str]) -> tuple[Waiver, ...]:
    """`coverage.waivers`: each a persona, a stage (or `journey/stage`), a reason and an
    optional `until` date."""
    waivers = []
    for index, entry in enumerate(entries):
        where = f"coverage.waivers[{index}]"
        if not isinstance(entry, Mapping):
            errors.append(f"{where}: must be a mapping with persona, stage and reason")
            continue
        unknown = set(entry) - {"persona", "stage", "journey", "reason", "until"}
        if unknown:
            errors.append(f"{where}: unknown key(s) " + ", ".join(sorted(map(str, unknown))))
        missing = [k for k in ("persona", "stage", "reason") if not entry.get(k)]
        if missing:
            errors.append(f"{where}: needs " + ", ".join(missing))
            continue
        until = entry.get("until")
        if until is not None and not isinstance(until, dt.date):
            try:
                until = dt.date.fromisoformat(str(until))
            except ValueError:
                errors.append(f"{where}.until: `{until}` is not a date; write YYYY-MM-DD")
                continue
        journey, _, stage = str(entry["stage"]).rpartition("/")
        waivers.append(Waiver(
            persona=str(entry["persona"]),
            stage=stage,
            journey=entry.get("journey") or journey or None,
            reason=str(entry["reason"]),
            until=until,
        ))
    return tuple(waivers)


def _metrics(metrics: Mapping[str, Any], errors: list[str]
             ) -> tuple[dict[str, float], dict[str, float], str | None]:
    """`metrics.floors`, `metrics.ceilings` and `metrics.color_by`."""
    for key in ("floors", "ceilings"):
        for name, value in (metrics.get(key) or {}).items():
            if name not in METRICS:
                guess = closest(str(name), METRICS)
                errors.append(f"metrics.{key}: `{name}` is not a metric"
                              + (f"; did you mean `{guess}`?" if guess else ""))
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                errors.append(f"metrics.{key}.{name}: must be a number")
    color_by = metrics.get("color_by", DEFAULTS.color_by)
    if color_by is not None and color_by not in METRICS:
        errors.append(f"metrics.color_by: `{color_by}` is not one of " + ", ".join(METRICS))
    return dict(metrics.get("floors") or {}), dict(metrics.get("ceilings") or {}), color_by
