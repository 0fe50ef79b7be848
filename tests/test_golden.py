"""Golden files: every report format, the exports and the generated Markdown pages of a
site with a finding of every rule, byte for byte.

A change to what a report says shows up here as a diff to review. After a deliberate
change, refresh them with `CONTENT_MAP_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`
and commit the new files with the change.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import Site, cli
from every_finding import TODAY, every_finding_site

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CONTENT_MAP_UPDATE_GOLDEN") == "1"

REPORTS = {
    "check.txt": ["check", "--format", "text", "--color", "never"],
    "check.json": ["check", "--format", "json"],
    "check.junit.xml": ["check", "--format", "junit"],
    "check.github.txt": ["check", "--format", "github"],
    "check.sarif.json": ["check", "--format", "sarif"],
    "check.md": ["check", "--format", "markdown"],
    "matrix.txt": ["matrix", "--color", "never"],
    "export.json": ["export", "--format", "json"],
    "export.pieces.csv": ["export", "--format", "csv"],
    "export.cells.csv": ["export", "--format", "csv", "--table", "cells"],
}


_VOLATILE = re.compile(r'(timestamp|hostname)="[^"]*"')


def _stable(text: str, root: Path) -> str:
    """The output with what differs between runs and machines replaced by names."""
    text = text.replace(root.as_uri(), "file:///SITE").replace(str(root), "/SITE")
    return _VOLATILE.sub(r'\1="…"', text)


def _compare(name: str, actual: str) -> None:
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert golden.is_file(), f"no golden file {name}; run with CONTENT_MAP_UPDATE_GOLDEN=1"
    assert actual == golden.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.fixture(scope="module")
def golden_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return every_finding_site(Site(tmp_path_factory.mktemp("golden")))


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report(golden_site: Site, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(golden_site.root)
    run = cli([*REPORTS[name], "-f", "mkdocs.yml", "--today", TODAY, "--no-cache"])
    assert run.code in (0, 1), run.err
    _compare(f"reports/{name}", _stable(run.out, golden_site.root))


def test_generated_pages(golden_site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(golden_site.root)
    run = cli(["generate", "-f", "mkdocs.yml", "--today", TODAY, "--out", "docs/content-map"])
    assert run.code == 0, run.err
    out = golden_site.root / "docs/content-map"
    pages = sorted(p for p in out.rglob("*") if p.is_file())
    names = [p.relative_to(out).as_posix() for p in pages]
    _compare("generated/FILES", "".join(f"{n}\n" for n in names))
    # A page's body is the plugin's HTML (see tests/test_zensical.py); its front-matter is
    # what `generate` adds, and its content-map.json is the export.
    for page, name in zip(pages, names, strict=True):
        if name.endswith(".md"):
            head = page.read_text(encoding="utf-8").split("\n---\n", 1)[0] + "\n---\n"
            _compare(f"generated/{name}", head)
    export = (out / "content-map.json").read_text(encoding="utf-8")
    _compare("reports/export.json", _stable(export, golden_site.root))
