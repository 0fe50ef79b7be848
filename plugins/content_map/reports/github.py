"""GitHub Actions workflow commands: one annotation per finding, and the step summary.

GitHub reads `::error file=…,line=…,title=…::message` lines from a step's output
and pins them to the file in the pull request. Data and property values are
escaped as the runner expects (`%`, CR and LF everywhere; `:` and `,` in
properties too), so no message can end an annotation early or forge another.

Any other report printed on a runner must not issue a command either: the text
report is fenced (`without_commands`), and XML and Markdown write a colon that
would start a line as `&#58;` (`markup_without_commands`), which reads the same.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Finding
from ..terminal import visible
from ..writer import WriteProblem, append_output
from .baseline import fixed_lines

if TYPE_CHECKING:
    from .registry import Report

__all__ = ["annotation", "append_step_summary", "escape_data", "escape_property",
           "markup_without_commands", "render", "step_summary", "without_commands",
           "workflow_commands", "workspace_prefix"]

COMMAND = {"error": "error", "warn": "warning", "info": "notice"}
_KEPT = "\t\n\r"  # escaped for the runner, which shows them as they were
_COMMAND_START = re.compile(r"^(\s*)::", re.MULTILINE)


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, prefix: str = "") -> str:
    """The workflow command for one finding; `prefix` leads from the repository to the site.

    Hidden characters show as escapes (`terminal.visible`): the runner prints the line."""
    command = COMMAND.get(finding.severity or "error", "error")
    properties = [f"file={escape_property(visible(prefix + finding.file, _KEPT))}"]
    if finding.line:
        properties.append(f"line={finding.line}")
        if finding.column:
            properties.append(f"col={finding.column}")
    properties.append(f"title={escape_property(f'content-map: {finding.rule}')}")
    message = finding.message
    if finding.suggestion and finding.suggestion not in message:
        message += f" (did you mean `{finding.suggestion}`?)"
    return f"::{command} {','.join(properties)}::{escape_data(visible(message, _KEPT))}"


def workflow_commands(findings: Iterable[Finding], prefix: str = "") -> str:
    """One annotation line per finding."""
    lines = [annotation(f, prefix) for f in findings]
    return "".join(line + "\n" for line in lines)


def render(report: Report) -> str:
    """`check --format github`: an annotation per finding, and a notice naming the
    baseline entries that are fixed."""
    text = workflow_commands(report.analysis.findings, report.prefix)
    if report.baseline is not None and report.baseline.fixed:
        notice = "\n".join(fixed_lines(report.baseline, report.baseline_path))
        text += f"::notice title=content-map baseline::{escape_data(notice)}\n"
    return text


def step_summary(report: Report) -> str | None:
    """Append the Markdown report to `$GITHUB_STEP_SUMMARY`; what went wrong, if it could
    not be written."""
    from .markdown import render as markdown  # it marks its lines up with this module

    try:
        append_step_summary(markdown(report), report.environ)
    except WriteProblem as exc:
        return f"cannot append to GITHUB_STEP_SUMMARY: {exc}"
    return None


def without_commands(text: str) -> str:
    """`text` fenced so the runner reads no workflow command in it.

    The text report quotes values from files as they are; a value holding a line
    such as `::error::…` would otherwise become an annotation of its own.
    """
    token = secrets.token_hex(16)
    body = text if text.endswith("\n") else text + "\n"
    return f"::stop-commands::{token}\n{body}::{token}::\n"


def markup_without_commands(markup: str) -> str:
    """XML or Markdown in which no line starts a workflow command.

    The runner reads a line as a command when it starts with `::` after white
    space; its first colon is written as the character reference `&#58;`, which XML
    parsers and Markdown renderers read as the colon it stands for. A document a
    user may redirect into a file is kept valid this way, where a fence would not be.
    """
    return _COMMAND_START.sub(r"\1&#58;:", markup) if "::" in markup else markup


def workspace_prefix(site_root: Path, environ: Mapping[str, str] | None = None) -> str:
    """The path from the repository root to the site, so annotations land on the right file.

    Reports name files relative to mkdocs.yml; GitHub wants them relative to the
    checkout (`GITHUB_WORKSPACE`). Empty when the site is the checkout, or outside it.
    """
    env = os.environ if environ is None else environ
    workspace = env.get("GITHUB_WORKSPACE")
    if not workspace:
        return ""
    try:
        relative = site_root.resolve().relative_to(Path(workspace).resolve())
    except (ValueError, OSError):
        return ""
    text = relative.as_posix()
    return "" if text == "." else text + "/"


def append_step_summary(markdown: str, environ: Mapping[str, str] | None = None) -> bool:
    """Append to the file named by `GITHUB_STEP_SUMMARY` (never truncate it); False if unset."""
    env = os.environ if environ is None else environ
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    append_output(target, text.encode("utf-8", "backslashreplace"))
    return True
