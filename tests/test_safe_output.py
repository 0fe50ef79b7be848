"""No file name or value in a repository can forge output or reach a terminal raw.

`content-map check` runs on pull requests, where the repository is untrusted. A site
whose page names, YAML values, metrics cells and baseline entries hold a line feed
followed by a workflow command, terminal escapes (ESC, OSC, BEL, C1), bidi controls
and a byte that is not UTF-8 is checked in every format, printed and written with
`-o`, on GitHub Actions and off it: nothing crashes, nothing hidden reaches a stream
or a report raw, and the only workflow commands a runner could read are content-map's
own annotations, or lines inside a `::stop-commands::` fence.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import Site, minimal_site
from content_map.cli import main
from content_map.reports.github import markup_without_commands
from content_map.suggestion import shown
from content_map.terminal import json_visible, visible

FORMATS = ("text", "json", "junit", "github", "sarif", "markdown")
SCHEMAS = Path(__file__).resolve().parent / "schemas"

FORGED = "\n::error::forged"
# As YAML's double-quoted escapes: a colour, an OSC window title ended by BEL, a C1 CSI,
# a right-to-left override, an isolate and a mark, then a forged command on a line of its own.
YAML_HOSTILE = r"ghost\e[31m\e]0;owned\a\x9b\u202e\u2066\u200f\n::error::forged"
TERMINAL = "\x1b[31m\x1b]0;owned\x07\x9b\u202e\u2066\u061c"

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069"
                 "\ufeff\ud800-\udfff]")
"""What must never reach a stream or report raw: C0 controls but tab and line feed, DEL,
C1, bidi marks, overrides and isolates, zero-width characters, line separators, and
lone surrogates (bytes of a name that is not UTF-8)."""

OWN_COMMAND = re.compile(
    r"::(?:error|warning|notice) "
    r"(?:file=[^,:\r\n]*(?:,line=\d+)?(?:,col=\d+)?,title=content-map%3A [a-z-]+"
    r"|title=content-map baseline)"
    r"::[^\r\n]*")
"""content-map's own annotations: properties escaped (no raw `,` or `:`), one line."""


def workflow_commands(text: str) -> list[str]:
    """The lines a GitHub runner would read as workflow commands, outside any fence.

    The runner splits output at CR and LF and reads a line as a command when it starts
    with `::` after white space; `::stop-commands::TOKEN` stops that until `::TOKEN::`.
    """
    commands: list[str] = []
    token = None
    for line in re.split(r"\r\n|\r|\n", text):
        start = line.lstrip()
        if token is not None:
            if start == f"::{token}::":
                token = None
            continue
        if not start.startswith("::"):
            continue
        fence = re.fullmatch(r"::stop-commands::([0-9a-f]{16,})", start)
        if fence:
            token = fence.group(1)
        else:
            commands.append(start)
    assert token is None, "a fence is never closed"
    return commands


def assert_safe_stream(text: str, where: str) -> None:
    """Nothing hidden raw, and no workflow command but content-map's own annotations."""
    raw = RAW.search(text)
    assert raw is None, f"{where}: raw {raw.group()!r} in {text[max(raw.start() - 60, 0):]!r}"
    for command in workflow_commands(text):
        assert OWN_COMMAND.fullmatch(command), f"{where}: forged command {command!r}"
    assert not re.search(r"^\s*::error::forged", text, flags=re.MULTILINE), where


def write_name(folder: Path, name: bytes, data: bytes) -> None:
    """A file whose name is exactly these bytes (not necessarily UTF-8)."""
    fd = os.open(os.fsencode(folder) + b"/" + name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def hostile_site(site: Site) -> Site:
    minimal_site(site, {"rules": {"unmapped-page": "warn"},
                        "metrics": {"file": "analytics.csv"}})
    docs = site.root / "docs"
    # A page named with a line feed and a forged command; one whose name starts with `::`
    # and holds terminal escapes and bidi controls; one whose name is not UTF-8.
    (docs / f"x{FORGED}.md").write_text("# Forged\n", encoding="utf-8")
    (docs / f"::warning::bare{TERMINAL}.md").write_text(
        f'---\npersonas: ["{YAML_HOSTILE}"]\nstage: awareness\n---\n# Bare\n', encoding="utf-8")
    write_name(docs, b"caf\xe9.md", b"---\npersonas: [reader]\nstage: awareness\n---\n")
    write_name(docs, b"\xff\xfe::error::bytes.md", b"# Bytes\n")
    site.write("analytics.csv",
               "page,views,rating\n"
               f'"nope{FORGED}",3,4\n'
               f'"{TERMINAL}{FORGED}",2,4\n'
               f'awareness.md,"{TERMINAL}",4\n'
               f'decision.md,5,"9{FORGED}{TERMINAL}"\n')
    baseline = {"version": 1, "tool": "content-map", "findings": [
        {"rule": "stale", "severity": "error", "file": f"::error::base{TERMINAL}.md",
         "message": f"old{FORGED}{TERMINAL}", "count": 1},
        {"rule": "stale", "severity": "error", "file": f"gone{FORGED}.md",
         "message": "old", "count": 2},
    ]}
    site.write("baseline.json", json.dumps(baseline))
    return site


@pytest.fixture
def hostile(site: Site) -> Site:
    return hostile_site(site)


@pytest.fixture
def summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "step-summary.md"
    target.write_text("")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    return target


def run(capture: pytest.CaptureFixture[bytes], argv: list[str]) -> tuple[int, str, str]:
    """The command line in-process; an exception (a traceback) fails the test, and so
    does a byte on a stream that is not UTF-8 (a name's raw byte, printed as it is)."""
    capture.readouterr()
    code = main(argv)
    out, err = capture.readouterr()
    try:
        return code, out.decode("utf-8"), err.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AssertionError(f"a raw byte that is not UTF-8 was printed: {exc}") from None


def check(site: Site, capture: pytest.CaptureFixture[bytes],
          *args: str) -> tuple[int, str, str]:
    code, out, err = run(capture, ["check", "-f", str(site.root / "mkdocs.yml"),
                                  "--today", "2025-06-01", *args])
    assert code in (0, 1), (code, err)
    assert "Traceback" not in err
    return code, out, err


def assert_valid(fmt: str, path: Path, junit_schema: etree.XMLSchema,
                 sarif_validator: jsonschema.Draft7Validator) -> Any:
    """The report written with -o: UTF-8, nothing hidden raw, and a valid document."""
    data = path.read_bytes()
    text = data.decode("utf-8")
    assert not RAW.search(text), (fmt, RAW.search(text))
    if fmt in ("json", "sarif"):
        document = json.loads(text)
        if fmt == "sarif":
            errors = sorted(sarif_validator.iter_errors(document), key=str)
            assert not errors, errors[0]
        return document
    if fmt == "junit":
        document = etree.fromstring(data)
        junit_schema.assertValid(document)
        return document
    if fmt == "github":
        for line in text.splitlines():
            assert OWN_COMMAND.fullmatch(line), line
    return text


@pytest.mark.parametrize("on_github", [False, True], ids=["local", "github-actions"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_report_forges_output_or_reaches_a_terminal_raw(
        hostile: Site, summary: Path, capsysbinary, monkeypatch, fmt: str, on_github: bool,
        junit_schema, sarif_validator):
    if on_github:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
        monkeypatch.setenv("GITHUB_WORKSPACE", str(hostile.root))
    target = hostile.root / f"report.{fmt}"
    for baseline in ((), ("--baseline", str(hostile.root / "baseline.json"))):
        for output in ((), ("-o", "-"), ("-o", str(target))):
            where = f"{fmt} {' '.join(baseline + output)}"
            _, out, err = check(hostile, capsysbinary, "--format", fmt, *baseline, *output)
            assert_safe_stream(out, f"stdout of {where}")
            assert_safe_stream(err, f"stderr of {where}")
            if output and output[1] != "-":
                assert out == "" or fmt == "text"  # a text report on GitHub adds annotations
                assert_valid(fmt, target, junit_schema, sarif_validator)
            elif fmt in ("json", "sarif"):
                json.loads(out)
    written = summary.read_text(encoding="utf-8")
    assert not RAW.search(written)
    if fmt == "github" or (fmt == "text" and on_github):
        assert "<!-- content-map report -->" in written


def test_hidden_characters_show_as_escapes_in_every_format(hostile: Site, capsysbinary,
                                                            tmp_path, junit_schema,
                                                            sarif_validator):
    """A name that is not UTF-8 shows its byte (`caf\\xe9.md`); controls show as escapes."""
    reports = {}
    for fmt in FORMATS:
        target = tmp_path / f"report.{fmt}"
        check(hostile, capsysbinary, "--format", fmt, "-o", str(target))
        reports[fmt] = assert_valid(fmt, target, junit_schema, sarif_validator)
    for fmt in ("text", "github", "markdown"):
        assert "docs/caf\\xe9.md" in reports[fmt], fmt
        assert "\\x1b[31m" in reports[fmt] and "\\u202e" in reports[fmt], fmt
    assert "docs/x\\x0a::error::forged.md" in reports["text"]  # one finding a line
    assert "docs/caf\\xe9.md" in {f["file"] for f in reports["json"]["findings"]}
    # JSON keeps the values as they are, the hidden ones as JSON escapes.
    messages = " ".join(f["message"] for f in reports["json"]["findings"])
    assert f"nope{FORGED}" in messages and "\x1b[31m" in messages and "\u202e" in messages
    assert "\\u202e" in (tmp_path / "report.json").read_text(encoding="utf-8")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in reports["sarif"]["runs"][0]["results"]}
    assert "docs/caf%E9.md" in uris  # the URI of the name's bytes
    body = "".join(reports["junit"].itertext())
    assert "docs/caf\\xe9.md" in body and "\\x1b]0;owned\\x07" in body


def test_matrix_and_export_keep_values_visible(hostile: Site, capsysbinary, tmp_path):
    hostile.write("journeys/odd.yml",
                  'name: "::error::journey \\e[31m\\u202e"\nstages:\n  - id: start\n'
                  '    name: "Start \\e]0;x\\a"\n')
    hostile.write("personas/reader.yml", "name: Rita\njourneys: [odd, buyer]\n")
    code, out, err = run(capsysbinary, ["matrix", "-f", str(hostile.root / "mkdocs.yml")])
    assert code == 0
    assert_safe_stream(out + err, "matrix")
    assert "\\x3a:error::journey \\x1b[31m\\u202e (odd)" in out
    for args in (["--format", "json"], ["--format", "csv"],
                 ["--format", "csv", "--table", "cells"]):
        target = tmp_path / "export.out"
        assert main(["export", "-f", str(hostile.root / "mkdocs.yml"), *args,
                     "-o", str(target)]) == 0
        text = target.read_bytes().decode("utf-8")
        assert not RAW.search(text), (args, RAW.search(text))
        if args[1] == "json":
            document = json.loads(text)
            assert f"docs/::warning::bare{TERMINAL}.md" in {p["file"] for p in document["pieces"]}
            assert document["journeys"][0]["name"] == "::error::journey \x1b[31m\u202e"


def test_baseline_entries_quoted_on_stderr_stay_inside_a_fence(hostile: Site, capsysbinary,
                                                               monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _, out, err = check(hostile, capsysbinary, "--format", "json", "--baseline",
                        str(hostile.root / "baseline.json"))
    json.loads(out)
    assert "3 baseline entries are fixed" in err
    assert err.startswith("::stop-commands::")
    assert "  \\x3a:error::base\\x1b[31m" in err and "old\\x0a::error::forged" in err
    assert workflow_commands(err) == []


def test_an_unusable_baseline_is_quoted_visibly(hostile: Site, capsysbinary):
    hostile.write("baseline.json", json.dumps({"version": 1, "findings": [
        {"rule": "stale", "file": "a.md", "severity": f"x{TERMINAL}{FORGED}"}]}))
    code, _, err = run(capsysbinary, ["check", "-f", str(hostile.root / "mkdocs.yml"),
                                      "--baseline", str(hostile.root / "baseline.json")])
    assert code == 2
    assert_safe_stream(err, "usage error")
    assert "`x\\x1b[31m" in err and "\\x0a::error::forged` is not a severity" in err


# The helper itself


@pytest.mark.parametrize("raw, expected", [
    ("plain café 日本語 ✔", "plain café 日本語 ✔"),
    ("\x1b[2J\x07", "\\x1b[2J\\x07"),
    ("a\nb\tc\rd", "a\\x0ab\\x09c\\x0dd"),
    ("caf\udce9.md", "caf\\xe9.md"),
    ("\u202eevil\u2066\u200f\u061c\x9b\x85\u2028",
     "\\u202eevil\\u2066\\u200f\\u061c\\x9b\\x85\\u2028"),
    ("tag\U000e0041", "tag\\U000e0041"),
    ("\u00a0non-breaking", "\u00a0non-breaking"),
])
def test_visible_escapes_exactly_the_hidden_characters(raw, expected):
    assert visible(raw) == expected


def test_no_hidden_character_of_any_code_point_passes_raw():
    everything = "".join(map(chr, range(0x110000)))
    hidden = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
    assert not [c for c in set(visible(everything)) if unicodedata.category(c) in hidden]
    document = json_visible(json.dumps({"all": everything}, ensure_ascii=False))
    assert not [c for c in set(document) if unicodedata.category(c) in hidden - {"Cc"}]
    assert not RAW.search(document)
    # Read back, every character is itself, but a lone surrogate, which shows as its escape.
    expected = re.sub("[\ud800-\udfff]", lambda m: visible(m.group()), everything)
    assert json.loads(document)["all"] == expected


def test_visible_keeps_what_it_is_told_and_guards_a_line_start():
    assert visible("a\nb\tc", "\t\n") == "a\nb\tc"
    assert visible("::error::x", starts_line=True) == "\\x3a:error::x"
    assert visible("  ::warning::x", starts_line=True) == "  \\x3a:warning::x"
    assert visible("a ::error::x", starts_line=True) == "a ::error::x"
    assert shown("caf\udce9 \x1b\n", limit=80) == "caf\\xe9 \\x1b\n"


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12))
def test_json_visible_reads_back_the_same_document(document):
    for indent in (None, 2):
        text = json_visible(json.dumps(document, ensure_ascii=False, indent=indent))
        assert not RAW.search(text)
        assert json.loads(text) == document


def test_json_visible_writes_a_name_that_is_not_utf8_as_its_escape():
    text = json_visible(json.dumps({"file": "caf\udce9.md", "bidi": "\u202e"},
                                   ensure_ascii=False))
    assert json.loads(text) == {"file": "caf\\xe9.md", "bidi": "\u202e"}
    assert "\\u202e" in text and "\u202e" not in text


def test_markup_without_commands_reads_the_same():
    xml = "<a>x\n::error::forged\n  ::warning::y\n</a>"
    guarded = markup_without_commands(xml)
    assert workflow_commands(guarded) == []
    assert etree.fromstring(guarded).text == etree.fromstring(xml).text
