"""The `content-map` command: the same analysis as the plugin, without building the site.

Parsing and dispatch only. Each command imports the core modules it uses when it runs: a
warm `check` takes a few tenths of a second, and importing the rest would be a good part."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from . import __version__, history
from .cache import CACHE_DIR, remembered
from .engine import Project, Result, analyse
from .load.siteconfig import SiteConfigError, read_site_config
from .reports.baseline import BaselineError, from_findings, judged, to_text
from .reports.registry import EXPORTS, FORMATS, Report, described, export_format, names, tables
from .reports.text import Style
from .settings import Settings, SettingsError
from .terminal import visible

__all__ = ["get_parser", "main"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
SITE = "the site's mkdocs.yml (default: ./mkdocs.yml); also before the command"


class UsageError(Exception):
    """A problem with the command line or the configuration: exit code 2."""


@contextmanager
def refused(*errors: type[Exception]) -> Iterator[None]:
    """The core's refusals as usage errors: their messages say what to do instead."""
    try:
        yield
    except errors as exc:
        raise UsageError(str(exc)) from None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date; write YYYY-MM-DD") from None


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="content-map", description="Customer-first content "
                                     "planning: check personas, journeys and page front-matter, "
                                     "and show the persona × stage coverage matrix.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-f", "--config-file", metavar="FILE", help=SITE)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # `-f` after the command wins; when it is not there, the one before the command stands.
    site = argparse.ArgumentParser(add_help=False)
    site.add_argument("-f", "--config-file", metavar="FILE", default=argparse.SUPPRESS, help=SITE)
    site.add_argument("--today", type=_date, metavar="DATE",
                      help="judge review dates and waivers as of DATE (YYYY-MM-DD)")
    site.add_argument("--no-cache", action="store_true",
                      help="read every page afresh, without the cache in .cache/content-map")
    color = argparse.ArgumentParser(add_help=False)
    color.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour the terminal output (default: auto)")

    def site_command(name: str, text: str, *more: argparse.ArgumentParser,
                     under: argparse._SubParsersAction = commands) -> argparse.ArgumentParser:
        return under.add_parser(name, help=text, description=text, parents=[site, *more])

    check = site_command("check", "Check personas, journeys and pages; report findings.", color)
    check.add_argument("--format", default=next(iter(FORMATS)), choices=list(FORMATS),
                       help=f"the report (default: text): {described(FORMATS.values())}")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    check.add_argument("--fail-on", choices=("error", "warn", "never"), help="exit 1 on findings "
                       "at or above this severity (default: the plugin's fail_on, else error)")
    check.add_argument("--baseline", metavar="FILE", help="report and fail only on findings "
                       "not in this baseline, and list its entries that are fixed")
    check.add_argument("--write-baseline", metavar="FILE",
                       help="write every current finding to FILE as the new baseline (exit 0)")
    site_command("matrix", "Print the persona × stage coverage matrix.", color)
    export = site_command("export", "Export the model and matrix for spreadsheets and BI tools.")
    export.add_argument("--format", default=EXPORTS[0].name, choices=names(EXPORTS),
                        help=f"(default: json) {described(EXPORTS)}")
    export.add_argument("--table", choices=tables(EXPORTS), help="the rows of a CSV")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE")
    generate = site_command("generate", "Write the map as Markdown, for engines without plugins.")
    generate.add_argument("--out", required=True, metavar="DIR", help="folder to write into, "
                          "inside the docs directory (e.g. docs/content-map)")

    new = commands.add_parser("new", help="Create a persona, journey or page file with valid "
                              "front-matter and prompts. Never overwrites a file.")
    kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    persona = site_command("persona", "a persona file in the personas folder", under=kinds)
    persona.add_argument("name", metavar="ID", help="the persona id, e.g. ops-lead")
    journey = site_command("journey", "a journey file in the journeys folder", under=kinds)
    journey.add_argument("name", metavar="ID", help="the journey id, e.g. support")
    journey.add_argument("--stages", metavar="IDS", help="comma-separated stage ids, in order "
                         "(default: awareness, consideration, decision, retention, advocacy)")
    page = site_command("page", "a draft page for personas at a stage, with a brief", under=kinds)
    page.add_argument("name", metavar="PATH", help="the page: from here when that is in the "
                      "docs directory (docs/guides/x.md), else from the docs directory")
    page.add_argument("--persona", action="append", required=True, metavar="P",
                      help="a persona the page serves (repeat, or separate with commas)")
    page.add_argument("--stage", required=True, metavar="S",
                      help="the stage: `stage`, or `journey/stage` when ambiguous")
    page.add_argument("--title", help="the page title (default: from the file name)")
    page.add_argument("--owner", help="who keeps the page up to date")
    page.add_argument("--review-by", type=_date, metavar="DATE",
                      help="when the page must be reviewed (default: in 180 days)")

    schema = commands.add_parser("schema", help="Write JSON Schemas of the three file kinds.")
    schema.add_argument("kind", nargs="?", choices=("persona", "journey", "page"),
                        metavar="KIND", help="print this one: persona, journey or page")
    schema.add_argument("--out", metavar="DIR", help="folder to write the three .schema.json "
                        "files into (default: print them as one JSON object)")
    schema.add_argument("-f", "--config-file", metavar="FILE", default=argparse.SUPPRESS,
                        help="read the `fields` option of this mkdocs.yml (default: "
                        "./mkdocs.yml when there is one)")
    history.arguments(site_command("history", "Coverage, open gaps and pieces on each day of "
                                   "the git history."), _date)
    rules = commands.add_parser("rules", help="List the rules, or explain one (severity, help).")
    rules.add_argument("rule", nargs="?", metavar="RULE", help="a rule id, e.g. dead-end")
    return parser


def _settings(site_path: Path, options: dict[str, object] | None,
              cache_dir: Path | None) -> Settings:
    if options is None:
        return Settings()

    def validate() -> Settings:
        from .config import validate_options  # MkDocs's validation, only when options exist

        try:
            return validate_options(options, str(site_path))
        except SettingsError as exc:
            raise UsageError(f"{site_path.name}: invalid content-map options:\n  "
                             + "\n  ".join(exc.messages)) from None

    # Options validated once are remembered, so a repeated check need not load MkDocs.
    return remembered(cache_dir, "settings", repr(sorted(options.items(), key=str)), validate)


def load(args: argparse.Namespace) -> tuple[Project, Result]:
    with refused(SiteConfigError):
        site = read_site_config(args.config_file)
    # Only the commands a team runs over and over keep a cache; `new` writes its file only.
    cached = args.command in ("check", "matrix") and not args.no_cache
    cache_dir = site.root / CACHE_DIR if cached else None
    settings = _settings(site.path, site.options, cache_dir)
    if not site.docs_dir.is_dir():
        raise UsageError(f"the docs directory {site.docs_dir} does not exist")
    project = Project(root=site.root, docs_dir=site.docs_dir, settings=settings,
                      config_file=site.path.name, cache_dir=cache_dir)
    return project, analyse(project, today=args.today, parallel=True)


def _write(text: str, output: str | None) -> None:
    from .writer import WriteProblem, write_output

    with refused(WriteProblem):  # standard output, or the file named, as the shell's `>`
        write_output("-" if output is None else output, text)


def run_check(args: argparse.Namespace) -> int:
    project, result = load(args)
    report = Report(result.analysis, project.settings, args.fail_on or project.settings.fail_on,
                    root=project.root, environ=os.environ,
                    style=Style.chosen(args.color, None if args.output else sys.stdout, os.environ))
    if args.baseline:
        with refused(BaselineError):
            report = judged(report, args.baseline)
    printed = FORMATS[args.format].printed(report, to_stream=args.output in (None, "-"))
    _write(printed.report, args.output)
    sys.stderr.write(printed.note)
    sys.stdout.write(printed.after)
    if printed.summary:
        from .reports.github import step_summary

        if problem := step_summary(report):
            print(f"content-map: {problem}", file=sys.stderr)
    if args.write_baseline:
        n = len(written := from_findings(result.analysis.findings))
        _write(to_text(written), args.write_baseline)
        print(f"content-map: wrote {n} finding{'s' if n != 1 else ''} to the baseline "
              f"{args.write_baseline}", file=sys.stderr)
        return EXIT_OK
    return EXIT_FINDINGS if report.analysis.at_or_above(report.fail_on) else EXIT_OK


def run_matrix(args: argparse.Namespace) -> int:
    from .reports.text import text_matrix

    style = Style.chosen(args.color, sys.stdout, os.environ)
    sys.stdout.write(text_matrix(load(args)[1].analysis, style))
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    with refused(LookupError):  # a --table the format does not have
        fmt = export_format(args.format, args.table)
    project, result = load(args)
    _write(fmt.render(Report(result.analysis, project.settings, root=project.root)),
           args.output)
    return EXIT_OK


def run_generate(args: argparse.Namespace) -> int:
    from .site.generation import GenerateError, generate, target

    project, result = load(args)
    with refused(GenerateError):
        where = target(project, args.out)
        if where.note:
            print(f"content-map: note: {where.note}", file=sys.stderr)
        print(generate(result.analysis, where))
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, new_file
    from .site.generation import shown

    project, result = load(args)
    settings = project.settings
    home = {"persona": project.path(settings.personas_dir),
            "journey": project.path(settings.journeys_dir)}.get(args.kind, project.docs_dir)
    with refused(ScaffoldError):
        made = new_file(args.kind, args.name, result.analysis, home, project.root, vars(args),
                        settings.fields)
    aside = made.note.startswith("note:")
    print(f"created {shown(made.path)}" + (f": {made.note}" if made.note and not aside else ""))
    if aside:
        print(f"content-map: {made.note}", file=sys.stderr)
    return EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    from .jsonschemas import schema_output
    from .writer import WriteProblem

    if bool(args.out) == bool(args.kind):
        raise UsageError("name one schema to print (`content-map schema page`, or persona, "
                         "journey), or write all three with --out DIR")
    with refused(SiteConfigError, WriteProblem):
        for text in schema_output(args.out, args.config_file, _settings, args.kind):
            sys.stdout.write(text)
    return EXIT_OK


def run_history(args: argparse.Namespace) -> int:
    with refused(SiteConfigError):
        _write(history.command(args, _settings), args.output)
    return EXIT_OK


def run_rules(args: argparse.Namespace) -> int:
    from .reports.text import rule_list, rule_text

    with refused(LookupError):  # no such rule
        sys.stdout.write(rule_text(args.rule) if args.rule else rule_list())
    return EXIT_OK


COMMANDS = {"check": run_check, "matrix": run_matrix, "export": run_export,
            "generate": run_generate, "new": run_new, "schema": run_schema, "rules": run_rules,
            "history": run_history}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = get_parser().parse_args(argv)
    except SystemExit as exc:  # argparse prints its own message
        return int(exc.code or 0) and EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:  # names and values the user or a repository wrote, made visible
        print(visible(f"content-map: {exc}", "\n"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. `content-map check | head`
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
