"""The report formats, registered once.

Every format is one function of a `Report` (all a format may need to write one
analysis) returning text. `FORMATS` lists those of `check --format` and `EXPORTS`
those of `export --format` (a CSV has a table per kind of row); the command line
takes its choices and help from them, and picks a format with one look-up. Each
entry also says what the command does around its text: whether the text is fenced
on a CI runner, whether it brings GitHub's annotations and step summary along, and
whether it names the baseline entries that are fixed.

A format's module is imported only when a run writes that format: a warm `check`
takes a few tenths of a second, and importing every format would be a good share of it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from ..model import Analysis
from ..rules.catalogue import RULES
from ..settings import Settings
from .baseline import Comparison, fixed_lines
from .text import Style

__all__ = ["EXPORTS", "FORMATS", "Format", "Printed", "Report", "described", "export_format",
           "names", "tables"]


@dataclass(frozen=True)
class Report:
    """One analysis, and how the run asked for it to be reported."""

    analysis: Analysis
    settings: Settings = field(default_factory=Settings)
    fail_on: str = "error"
    """Findings at or above this severity fail (JUnit shows them as failures)."""
    baseline: Comparison | None = None
    """With `--baseline`: the findings it accepted and its entries found fixed. The
    analysis then holds only the new findings."""
    baseline_path: str = ""
    root: Path = field(default_factory=Path)
    """The site's folder (mkdocs.yml's), which every file a finding names is relative to."""
    environ: Mapping[str, str] = field(default_factory=dict)
    """The environment the run sees: on GitHub Actions, where the checkout and commit are."""
    style: Style = field(default_factory=Style)

    @property
    def severities(self) -> dict[str, str]:
        """Each rule's configured severity."""
        return {rule: self.settings.severity(rule) for rule in RULES}

    @property
    def on_github(self) -> bool:
        return self.environ.get("GITHUB_ACTIONS") == "true"

    @property
    def prefix(self) -> str:
        """The path from the checkout to the site (`GITHUB_WORKSPACE`), else empty."""
        from .github import workspace_prefix

        return workspace_prefix(self.root, self.environ)

    @property
    def link_base(self) -> str | None:
        """Where the site's files of this commit are on GitHub, when the run knows."""
        keys = ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")
        server, repo, sha = (self.environ.get(k) for k in keys)
        if not (server and repo and sha):
            return None
        return f"{server}/{repo}/blob/{sha}/{self.prefix}"


@dataclass(frozen=True)
class Format:
    """A report format: its name, its function, and what a command does around it."""

    name: str
    function: str
    """`module:function` in this package, imported when a run writes the format."""
    help: str
    table: str | None = None
    """An export's kind of row (`export --table`); None for a whole document."""
    fenced: bool = False
    """It quotes values as they are: printed on a GitHub runner, it goes inside
    `::stop-commands::`, so no line of it can act as a workflow command."""
    annotated: bool = False
    """On GitHub Actions it is followed by the findings' annotations and the step summary."""
    step_summary: bool = False
    """It appends the Markdown report to `$GITHUB_STEP_SUMMARY` wherever it runs."""
    lists_fixed: bool = False
    """It names the fixed baseline entries itself; with any other, they go to stderr."""

    def render(self, report: Report) -> str:
        module, _, name = self.function.partition(":")
        function = getattr(importlib.import_module(f"{__package__}.{module}"), name)
        return cast(Callable[[Report], str], function)(report)

    def printed(self, report: Report, *, to_stream: bool) -> Printed:
        """What `check` prints in this format: the report (fenced when a runner reads it
        from a stream), the annotations after it, and the fixed baseline entries the
        report does not name, on stderr (fenced on a runner too)."""
        text, after, note = self.render(report), "", ""
        comparison = report.baseline
        if comparison is not None and comparison.fixed and not self.lists_fixed:
            lines = fixed_lines(comparison, report.baseline_path)
            note = "content-map: " + "\n".join(lines) + "\n"
        if report.on_github:
            from .github import without_commands, workflow_commands

            if self.fenced and to_stream:
                text = without_commands(text)
            if self.annotated:
                after = workflow_commands(report.analysis.findings, report.prefix)
            note = note and without_commands(note)
        return Printed(text, after, note,
                       summary=self.step_summary or (report.on_github and self.annotated))


@dataclass(frozen=True)
class Printed:
    """What one `check` prints: in order, the report (on standard output or in the file
    named with -o), what follows it on standard output, and a note for standard error;
    and whether the Markdown report goes to GitHub's step summary as well."""

    report: str
    after: str
    note: str
    summary: bool


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("text", "text:render", "findings by file and a summary line, for people",
           fenced=True, annotated=True, lists_fixed=True),
    Format("json", "json:render", "summary, findings and matrix, for other tools"),
    Format("junit", "junit:render", "JUnit XML, a test suite per rule, for CI test views"),
    Format("github", "github:render", "GitHub Actions annotations and step summary",
           step_summary=True, lists_fixed=True),
    Format("sarif", "sarif:render", "SARIF 2.1.0, for code scanning dashboards"),
    Format("markdown", "markdown:render", "figures, matrix and findings, for a PR comment"),
)}
"""`check --format`; the first is the default."""

EXPORTS: tuple[Format, ...] = (
    Format("json", "json:export", "the whole model and matrix (the site's content-map.json)"),
    Format("csv", "csv:pieces", "one row per piece × persona × stage", table="pieces"),
    Format("csv", "csv:cells", "one row per persona × stage cell, gaps included",
           table="cells"),
)
"""`export --format` (and `--table`); the first of each name is its default."""


def names(formats: Iterable[Format]) -> list[str]:
    """The format names, each once, in the order they are registered."""
    return list(dict.fromkeys(f.name for f in formats))


def tables(formats: Iterable[Format]) -> list[str]:
    return [f.table for f in formats if f.table]


def described(formats: Iterable[Format]) -> str:
    """`name: help; …` for a command's --help (a table after its format's name)."""
    return "; ".join(f"{f.name}{f' --table {f.table}' if f.table else ''}: {f.help}"
                     for f in formats)


def export_format(name: str, table: str | None) -> Format:
    """The export `--format NAME [--table TABLE]` asks for; `LookupError` (saying why)
    when the format has no such table."""
    rows = {f.table: f for f in EXPORTS if f.name == name}
    if table is None:
        return next(iter(rows.values()))
    if table not in rows:
        with_tables = ", ".join(sorted({f.name for f in EXPORTS if f.table}))
        raise LookupError(f"--table chooses the rows of --format {with_tables}; "
                          f"--format {name} has no tables (it writes the whole model, "
                          "matrix included)")
    return rows[table]
