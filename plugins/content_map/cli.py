"""The `content-map` command: the same analysis as the plugin, without building the site."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .cache import CACHE_DIR, remembered
from .engine import Project, Result, analyse
from .load.siteconfig import SiteConfigError, read_site_config
from .reports.text import Style, dumps, text_report, to_json
from .rules.catalogue import RULES
from .settings import Settings, SettingsError

# The report formats and the other commands' modules are imported where they are used:
# a `check` run on a warm cache takes a few tenths of a second, and importing what it
# does not need would be a good part of that.
if TYPE_CHECKING:
    from .model import Analysis
    from .reports.baseline import Baseline, Comparison

__all__ = ["get_parser", "main"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "junit", "github", "sarif", "markdown")


class UsageError(Exception):
    """A problem with the command line or the configuration: exit code 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date; write YYYY-MM-DD") from None


def get_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="content-map",
        description="Customer-first content planning: check personas, journeys and page "
        "front-matter, and show the persona × stage coverage matrix.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def site_options(sub: argparse.ArgumentParser, color: bool = True) -> None:
        sub.add_argument("-f", "--config-file", metavar="FILE",
                         help="the site's mkdocs.yml (default: ./mkdocs.yml)")
        sub.add_argument("--today", type=_date, metavar="DATE",
                         help="judge review dates and waivers as of DATE (YYYY-MM-DD)")
        sub.add_argument("--no-cache", action="store_true",
                         help="read every page afresh, without the cache in .cache/content-map")
        if color:
            sub.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                             help="colour the terminal output (default: auto)")

    def site_command(name: str, help_text: str, color: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        site_options(sub, color)
        return sub

    check = site_command("check", "Check personas, journeys and pages; report the findings.")
    check.add_argument("--format", default="text", choices=FORMATS,
                       help="report format (default: text; on GitHub Actions the text format "
                       "also prints annotations and writes the step summary)")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    check.add_argument("--fail-on", choices=("error", "warn", "never"),
                       help="exit 1 on findings at or above this severity "
                       "(default: the plugin's fail_on, else error)")
    check.add_argument("--baseline", metavar="FILE",
                       help="report and fail only on findings that are not in this baseline, "
                       "and list its entries that are fixed")
    check.add_argument("--write-baseline", metavar="FILE",
                       help="write every current finding to FILE as the new baseline (exit 0)")
    site_command("matrix", "Print the persona × stage coverage matrix.")

    export = site_command("export", "Export the model and the matrix for spreadsheets and BI "
                          "tools.", color=False)
    export.add_argument("--format", default="json", choices=("json", "csv"),
                        help="json: the whole model and matrix (content-map.json); csv: a table "
                        "(default: json)")
    export.add_argument("--table", default="pieces", choices=("pieces", "cells"),
                        help="CSV rows: one per piece × persona × stage, or one per matrix cell "
                        "(default: pieces)")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE")

    generate = site_command("generate", "Write the map pages as plain Markdown, for engines "
                            "that run no plugins.", color=False)
    generate.add_argument("--out", required=True, metavar="DIR",
                          help="folder to write into, inside the docs directory "
                          "(e.g. docs/content-map)")

    new = commands.add_parser("new", help="Create a persona, journey or page file.",
                              description="Create a persona, journey or page file with valid "
                              "front-matter and prompts. Never overwrites a file.")
    kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    persona = kinds.add_parser("persona", help="a persona file in the personas folder")
    persona.add_argument("id", metavar="ID", help="the persona id, e.g. ops-lead")
    site_options(persona, color=False)
    journey = kinds.add_parser("journey", help="a journey file in the journeys folder")
    journey.add_argument("id", metavar="ID", help="the journey id, e.g. support")
    journey.add_argument("--stages", metavar="IDS",
                         help="comma-separated stage ids, in order (default: awareness, "
                         "consideration, decision, retention, advocacy)")
    site_options(journey, color=False)
    page = kinds.add_parser("page", help="a draft page for personas at a stage, with a brief")
    page.add_argument("path", metavar="PATH", help="the page, relative to the docs directory")
    page.add_argument("--persona", action="append", required=True, metavar="P",
                      help="a persona the page serves (repeat, or separate with commas)")
    page.add_argument("--stage", required=True, metavar="S",
                      help="the stage: `stage`, or `journey/stage` when ambiguous")
    page.add_argument("--title", help="the page title (default: from the file name)")
    page.add_argument("--owner", help="who keeps the page up to date")
    page.add_argument("--review-by", type=_date, metavar="DATE",
                      help="when the page must be reviewed (default: in 180 days)")
    site_options(page, color=False)

    schema = commands.add_parser("schema", help="Write JSON Schemas of persona, journey and "
                                 "page files, for editors.",
                                 description="Write JSON Schemas (draft 2020-12) of persona, "
                                 "journey and page front-matter files.")
    schema.add_argument("--out", metavar="DIR",
                        help="folder to write the three .schema.json files into "
                        "(default: print them as one JSON object)")
    schema.add_argument("-f", "--config-file", metavar="FILE",
                        help="read the `fields` option of this mkdocs.yml (default: "
                        "./mkdocs.yml when there is one)")
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
    try:
        site = read_site_config(args.config_file)
    except SiteConfigError as exc:
        raise UsageError(str(exc)) from None
    # Only the commands a team runs over and over keep a cache; `new` writes its file only.
    cached = args.command in ("check", "matrix") and not args.no_cache
    cache_dir = site.root / CACHE_DIR if cached else None
    settings = _settings(site.path, site.options, cache_dir)
    if not site.docs_dir.is_dir():
        raise UsageError(f"the docs directory {site.docs_dir} does not exist")
    project = Project(root=site.root, docs_dir=site.docs_dir, settings=settings,
                      config_file=site.path.name, cache_dir=cache_dir)
    return project, analyse(project, today=args.today, parallel=True)


def _style(args: argparse.Namespace, stream: object) -> Style:
    if args.color == "always":
        return Style(True)
    if args.color == "never" or os.environ.get("NO_COLOR"):
        return Style(False)
    return Style(bool(getattr(stream, "isatty", lambda: False)()))


def _write(text: str, output: str | None) -> None:
    """Standard output, or the file the user named, through the one writer."""
    from .writer import WriteProblem, write_output

    try:
        write_output("-" if output is None else output, text)
    except WriteProblem as exc:
        raise UsageError(str(exc)) from None


def _shown(path: Path) -> str:
    """`path` as the user would type it: relative to the working directory when inside it."""
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _severities(settings: Settings) -> dict[str, str]:
    return {rule: settings.severity(rule) for rule in RULES}


def _link_base(prefix: str, environ: Mapping[str, str]) -> str | None:
    """Where a file of this commit lives on GitHub, when running in GitHub Actions."""
    parts = [environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")]
    if not all(parts):
        return None
    server, repo, sha = parts
    return f"{server}/{repo}/blob/{sha}/{prefix}"


def _fixed_lines(comparison: Comparison, path: str) -> list[str]:
    from .terminal import visible  # the baseline file is the repository's, like its pages

    n = comparison.fixed_count
    when = " once the new findings are fixed (it would accept them too)" if comparison.new \
        else ""
    lines = [f"{n} baseline entr{'ies are' if n != 1 else 'y is'} fixed; run "
             f"`content-map check --write-baseline {path}` to shrink the file{when}:"]
    for entry in comparison.fixed:
        times = f" (×{entry.count})" if entry.count > 1 else ""
        lines.append(visible(f"  {entry.key.file}: {entry.key.rule}: {entry.message}{times}",
                             "\t", starts_line=True))
    return lines


def _render(fmt: str, analysis: Analysis, project: Project, args: argparse.Namespace,
            fail_on: str, comparison: Comparison | None, baseline: Baseline | None,
            prefix: str, environ: Mapping[str, str]) -> str:
    if fmt == "json":
        document = to_json(analysis)
        if comparison is not None and baseline is not None:
            document["baseline"] = {
                "file": baseline.path,
                "known": len(comparison.known),
                "fixed": [e.to_dict() for e in comparison.fixed],
            }
        return dumps(document)
    if fmt == "junit":
        from .reports.junit import junit_report

        return junit_report(analysis,
                            _severities(project.settings), fail_on)
    if fmt == "sarif":
        from .reports.github import workspace_prefix
        from .reports.sarif import sarif_report

        sarif_prefix = workspace_prefix(project.root, environ)
        base = Path(environ["GITHUB_WORKSPACE"]) if sarif_prefix else project.root
        return dumps(sarif_report(analysis, _severities(project.settings), root=base,
                                  prefix=sarif_prefix, baseline=comparison is not None))
    if fmt == "markdown":
        from .reports.markdown import BaselineNote, markdown_report

        note = None
        if comparison is not None and baseline is not None:
            note = BaselineNote(baseline.path, len(comparison.known), comparison.fixed_count)
        return markdown_report(analysis, baseline=note,
                               link_base=_link_base(prefix, environ))
    if fmt == "github":
        from .reports.github import escape_data, workflow_commands

        text = workflow_commands(analysis.findings, prefix)
        if comparison is not None and comparison.fixed:
            text += "::notice title=content-map baseline::" + escape_data(
                "\n".join(_fixed_lines(comparison, baseline.path if baseline else ""))) + "\n"
        return text
    text = text_report(analysis, _style(args, sys.stdout if not args.output else None))
    if comparison is not None and baseline is not None:
        known = len(comparison.known)
        text += (f"{known} known finding{'s are' if known != 1 else ' is'} accepted by the "
                 f"baseline {baseline.path}\n")
        if comparison.fixed:
            text += "\n".join(_fixed_lines(comparison, baseline.path)) + "\n"
    return text


def run_check(args: argparse.Namespace) -> int:
    project, result = load(args)
    analysis = result.analysis
    fail_on = args.fail_on or project.settings.fail_on
    environ = os.environ
    baseline = comparison = None
    if args.baseline:
        from .reports.baseline import BaselineError, compare, read_baseline

        try:
            baseline = read_baseline(args.baseline)
        except BaselineError as exc:
            from .terminal import visible

            raise UsageError(visible(str(exc), "\t")) from None
        comparison = compare(analysis.findings, baseline)
        analysis = replace(analysis, findings=comparison.new)
    on_github = environ.get("GITHUB_ACTIONS") == "true"
    prefix = ""
    if on_github or args.format == "github":
        from .reports.github import workspace_prefix

        prefix = workspace_prefix(project.root, environ)
    report = _render(args.format, analysis, project, args, fail_on, comparison, baseline,
                     prefix, environ)
    if on_github and args.format == "text" and args.output in (None, "-"):
        from .reports.github import without_commands

        report = without_commands(report)
    _write(report, args.output)
    if comparison is not None and comparison.fixed and args.format not in ("text", "github"):
        from .reports.github import without_commands

        path = baseline.path if baseline else ""
        note = "content-map: " + "\n".join(_fixed_lines(comparison, path))
        sys.stderr.write(without_commands(note) if on_github else note + "\n")
    if args.format == "github" or (on_github and args.format == "text"):
        _github_summary(analysis, args.format, prefix, comparison, baseline, environ)
    if args.write_baseline:
        from .reports.baseline import from_findings
        from .reports.baseline import to_text as baseline_text

        written = from_findings(result.analysis.findings)
        _write(baseline_text(written), args.write_baseline)
        print(f"content-map: wrote {len(written)} finding{'s' if len(written) != 1 else ''} "
              f"to the baseline {args.write_baseline}", file=sys.stderr)
        return EXIT_OK
    return EXIT_FINDINGS if analysis.at_or_above(fail_on) else EXIT_OK


def _github_summary(analysis: Analysis, fmt: str, prefix: str, comparison: Comparison | None,
                    baseline: Baseline | None, environ: Mapping[str, str]) -> None:
    """In GitHub Actions: the annotations (after a text report) and the step summary."""
    from .reports.github import append_step_summary, workflow_commands
    from .reports.markdown import BaselineNote, markdown_report

    if fmt == "text":
        sys.stdout.write(workflow_commands(analysis.findings, prefix))
    note = None
    if comparison is not None and baseline is not None:
        note = BaselineNote(baseline.path, len(comparison.known), comparison.fixed_count)
    try:
        append_step_summary(markdown_report(analysis, baseline=note,
                                            link_base=_link_base(prefix, environ)), environ)
    except OSError as exc:
        print(f"content-map: cannot append to GITHUB_STEP_SUMMARY ({exc.strerror})",
              file=sys.stderr)


def run_matrix(args: argparse.Namespace) -> int:
    from .reports.text import text_matrix

    _, result = load(args)
    sys.stdout.write(text_matrix(result.analysis, _style(args, sys.stdout)))
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from .reports.csv import cells_csv, export_json, pieces_csv

    project, result = load(args)
    analysis = result.analysis
    if args.format == "json":
        text = export_json(analysis)
    elif args.table == "cells":
        text = cells_csv(analysis)
    else:
        text = pieces_csv(analysis, project.settings)
    _write(text, args.output)
    return EXIT_OK


def run_generate(args: argparse.Namespace) -> int:
    from .site.markdown_pages import GenerateError, render_pages, write_pages

    project, result = load(args)
    out = Path(os.path.realpath(args.out))
    docs = Path(os.path.realpath(project.docs_dir))
    root = Path(os.path.realpath(project.root))
    settings = project.settings
    _refuse_out(args.out, out, root, docs, [root / settings.personas_dir,
                                            root / settings.journeys_dir])
    if out != docs and docs not in out.parents:
        print(f"content-map: note: {args.out} is outside the docs directory {_shown(docs)}; "
              "its links to pages work once the folder is moved inside it", file=sys.stderr)
    try:
        docs_prefix = docs.relative_to(root).as_posix()
    except ValueError:
        docs_prefix = ""
    docs_prefix = "" if docs_prefix in ("", ".") else docs_prefix + "/"
    pages = render_pages(result.analysis, out, docs, docs_prefix)
    from .writer import WriteProblem, ensure_folder

    try:
        ensure_folder(out, root)
        done = write_pages(pages, out)
    except WriteProblem as exc:
        raise UsageError(str(exc)) from None
    except GenerateError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{args.out}: cannot be written ({exc.strerror})") from None
    print(f"wrote {len(done.written)} pages to {_shown(out)}"
          + (f"; removed {len(done.removed)} that are no longer on the map: "
             + ", ".join(done.removed) if done.removed else ""))
    return EXIT_OK


def _refuse_out(name: str, out: Path, root: Path, docs: Path, registries: list[Path]) -> None:
    """`generate` writes only into a folder of its own inside the project."""
    if out != root and root not in out.parents:
        raise UsageError(f"{name}: is outside the project ({_shown(root)}); generate writes "
                         "only inside it")
    if out in (root, docs):
        where = "the project's own folder" if out == root else "the docs directory itself"
        raise UsageError(f"{name}: is {where}; name a folder of its own, e.g. "
                         f"{_shown(docs / 'content-map')}")
    for folder in registries:
        real = Path(os.path.realpath(folder))
        if out == real or real in out.parents:
            raise UsageError(f"{name}: is inside {_shown(folder)}, which holds personas or "
                             f"journeys; name another folder, e.g. "
                             f"{_shown(docs / 'content-map')}")


def run_new(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, create_file, journey_file, page_file, persona_file

    project, result = load(args)
    analysis = result.analysis
    settings = project.settings
    from .writer import WriteProblem, ensure_folder

    try:
        if args.kind == "persona":
            home = project.path(settings.personas_dir)
            scaffold = persona_file(home, args.id, analysis)
        elif args.kind == "journey":
            home = project.path(settings.journeys_dir)
            stages = [s.strip() for s in args.stages.split(",") if s.strip()] \
                if args.stages else None
            scaffold = journey_file(home, args.id, stages, analysis)
        else:
            home = project.docs_dir
            scaffold = page_file(home, args.path, analysis, args.persona, args.stage,
                                 title=args.title, owner=args.owner, review_by=args.review_by)
        if not os.path.isdir(home):  # a new personas or journeys folder, in the project
            ensure_folder(home, project.root)
        create_file(scaffold.path, scaffold.text, home)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    except WriteProblem as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot create the file ({exc.strerror})") from None
    print(f"created {_shown(scaffold.path)}" + (f": {scaffold.note}" if scaffold.note and
                                                not scaffold.note.startswith("note:") else ""))
    if scaffold.note.startswith("note:"):
        print(f"content-map: {scaffold.note}", file=sys.stderr)
    return EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    from .jsonschemas import all_schemas

    fields: dict[str, str] = {}
    if args.config_file or any(Path(n).is_file() for n in ("mkdocs.yml", "mkdocs.yaml")):
        try:
            site = read_site_config(args.config_file)
        except SiteConfigError as exc:
            raise UsageError(str(exc)) from None
        fields = dict(_settings(site.path, site.options, None).fields)
    schemas = all_schemas(fields)
    if not args.out:
        sys.stdout.write(json.dumps(schemas, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    from .writer import WriteProblem, replace

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, schema in schemas.items():
            replace(out / name, json.dumps(schema, indent=2, ensure_ascii=False) + "\n", out)
            print(f"wrote {_shown(out / name)}")
    except WriteProblem as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{args.out}: cannot be created ({exc.strerror})") from None
    return EXIT_OK


COMMANDS = {"check": run_check, "matrix": run_matrix, "export": run_export,
            "generate": run_generate, "new": run_new, "schema": run_schema}


def main(argv: Sequence[str] | None = None) -> int:
    parser = get_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own message
        return int(exc.code or 0) and EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        from .terminal import visible  # names and values the user or a repository wrote

        print(visible(f"content-map: {exc}", "\n"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. `content-map check | head`
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
