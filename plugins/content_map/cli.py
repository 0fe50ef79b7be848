"""The `content-map` command: the same analysis as the plugin, without building the site."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .engine import Project, Result, analyse
from .report import Style, dumps, text_matrix, text_report, to_json
from .settings import Settings, SettingsError
from .siteconfig import SiteConfigError, read_site_config

__all__ = ["get_parser", "main"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


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

    def site_command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("-f", "--config-file", metavar="FILE",
                         help="the site's mkdocs.yml (default: ./mkdocs.yml)")
        sub.add_argument("--today", type=_date, metavar="DATE",
                         help="judge review dates and waivers as of DATE (YYYY-MM-DD)")
        sub.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                         help="colour the terminal output (default: auto)")
        return sub

    check = site_command("check", "Check personas, journeys and pages; report the findings.")
    check.add_argument("--format", default="text", choices=("text", "json"),
                       help="report format (default: text)")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    check.add_argument("--fail-on", choices=("error", "warn", "never"),
                       help="exit 1 on findings at or above this severity "
                       "(default: the plugin's fail_on, else error)")
    site_command("matrix", "Print the persona × stage coverage matrix.")
    return parser


def load(args: argparse.Namespace) -> tuple[Project, Result]:
    try:
        site = read_site_config(args.config_file)
    except SiteConfigError as exc:
        raise UsageError(str(exc)) from None
    settings = Settings()
    if site.options is not None:
        from .config import validate_options  # MkDocs's validation, only when options exist

        try:
            settings = validate_options(site.options, str(site.path))
        except SettingsError as exc:
            raise UsageError(f"{site.path.name}: invalid content-map options:\n  "
                             + "\n  ".join(exc.messages)) from None
    if not site.docs_dir.is_dir():
        raise UsageError(f"the docs directory {site.docs_dir} does not exist")
    project = Project(root=site.root, docs_dir=site.docs_dir, settings=settings,
                      config_file=site.path.name)
    return project, analyse(project, today=args.today)


def _style(args: argparse.Namespace, stream: object) -> Style:
    if args.color == "always":
        return Style(True)
    if args.color == "never" or os.environ.get("NO_COLOR"):
        return Style(False)
    return Style(bool(getattr(stream, "isatty", lambda: False)()))


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    target = Path(output)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


def run_check(args: argparse.Namespace) -> int:
    project, result = load(args)
    analysis = result.analysis
    fail_on = args.fail_on or project.settings.fail_on
    if args.format == "json":
        text = dumps(to_json(analysis))
    else:
        text = text_report(analysis, _style(args, sys.stdout if not args.output else None))
    _write(text, args.output)
    return EXIT_FINDINGS if analysis.at_or_above(fail_on) else EXIT_OK


def run_matrix(args: argparse.Namespace) -> int:
    _, result = load(args)
    sys.stdout.write(text_matrix(result.analysis, _style(args, sys.stdout)))
    return EXIT_OK


COMMANDS = {"check": run_check, "matrix": run_matrix}


def main(argv: Sequence[str] | None = None) -> int:
    parser = get_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own message
        return int(exc.code or 0) and EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"content-map: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. `content-map check | head`
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
