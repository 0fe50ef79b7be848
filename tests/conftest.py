"""Shared fixtures: little real sites written into `tmp_path`, and real runs against them."""

from __future__ import annotations

import filecmp
import functools
import importlib.util
import io
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from lxml import etree
from mkdocs.commands.build import build
from mkdocs.config import load_config

from content_map.cli import main
from content_map.site import renderer

REPO = Path(__file__).resolve().parent.parent


@functools.cache
def bench_map() -> Any:
    """`bench/map.py` as a module: the big-site generator and the static server."""
    spec = importlib.util.spec_from_file_location("bench_map", REPO / "bench" / "map.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Site:
    """A site on disk: mkdocs.yml, docs/, personas/ and journeys/ under one folder."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, path: str, text: str) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return target

    def config(self, options: dict[str, Any] | None = None, **extra: Any) -> Path:
        config: dict[str, Any] = {"site_name": "Test site", "docs_dir": "docs"}
        config.update(extra)
        config["plugins"] = [{"content-map": options or {}}]
        return self.write("mkdocs.yml", yaml.safe_dump(config, sort_keys=False))

    def check(self, *args: str) -> Run:
        return cli(["check", "-f", str(self.root / "mkdocs.yml"), *args])

    def build(self, *args: str, engine: str = "mkdocs") -> Run:
        """The real `mkdocs build` (or `properdocs build`) in a subprocess."""
        proc = subprocess.run(
            [sys.executable, "-m", engine, "build", "-f", str(self.root / "mkdocs.yml"), *args],
            cwd=self.root, capture_output=True, text=True, timeout=300,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)


def cli(argv: list[str]) -> Run:
    """Run the command line in-process and capture what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return Run(code, out.getvalue(), err.getvalue())


class _Warnings(logging.Handler):
    """The warnings MkDocs, the theme and the plugin log during one test."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self.expected: list[re.Pattern[str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def unexpected(self) -> list[str]:
        return [message for message in (r.getMessage() for r in self.records)
                if not any(p.search(message) for p in self.expected)]


@pytest.fixture(autouse=True)
def build_warnings() -> Any:
    """Fail an in-process build test that logs a warning it did not expect.

    A test that expects one says so: `build_warnings.expect(r"pattern")`. Builds run in a
    subprocess are judged by their own output instead.
    """
    handler = _Warnings()
    handler.expect = lambda pattern: handler.expected.append(re.compile(pattern))  # type: ignore[attr-defined]
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
    unexpected = handler.unexpected()
    if unexpected:
        pytest.fail("unexpected warnings logged during the test:\n  " + "\n  ".join(unexpected),
                    pytrace=False)


@pytest.fixture(autouse=True)
def _not_on_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests assert exact output: keep a CI runner's GitHub variables from changing it."""
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)


SCHEMAS = Path(__file__).resolve().parent / "schemas"  # published schemas, unchanged


@pytest.fixture(scope="session")
def junit_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-ant.xsd")))


@pytest.fixture(scope="session")
def sarif_validator() -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMAS / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


def minimal_site(site: Site, options: dict[str, Any] | None = None) -> Site:
    """One persona, the default journey, and one published page per stage: no findings."""
    site.config(options)
    site.write("personas/reader.yml", "name: Rita Reader\n")
    stages = ["awareness", "consideration", "decision", "retention", "advocacy"]
    for i, stage in enumerate(stages):
        nxt = f"next: [{stages[i + 1]}.md]\n" if i + 1 < len(stages) else ""
        site.write(f"docs/{stage}.md",
                   f"---\ntitle: {stage.title()}\npersonas: [reader]\nstage: {stage}\n"
                   f"review_by: 2099-01-01\n{nxt}---\n\n# {stage.title()}\n\nText.\n")
    site.write("docs/index.md", "# Home\n")
    return site


# In-process builds, for tests that count what a build renders.


def age(root: Path, seconds: int = 600) -> None:
    past = time.time() - seconds
    for folder, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), (past, past))


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many map pages and badges each build renders."""
    counts = {"pages": 0, "badges": 0}
    page, badges = renderer.Renderer.render, renderer.Renderer.badges

    def count_page(self, *args):
        counts["pages"] += 1
        return page(self, *args)

    def count_badges(self, *args):
        counts["badges"] += 1
        return badges(self, *args)

    monkeypatch.setattr(renderer.Renderer, "render", count_page)
    monkeypatch.setattr(renderer.Renderer, "badges", count_badges)
    return counts


def built(site: Site, counts: dict[str, int], out: str, **options) -> tuple[int, int]:
    """Build into `out`; how many map pages and badges were rendered."""
    config = {"site_name": "Test", "docs_dir": "docs",
              "theme": {"name": "material", "custom_dir": "overrides"},
              "plugins": ["search", {"content-map": options}]}
    site.write("mkdocs.yml", yaml.safe_dump(config))
    age(site.root / "mkdocs.yml", 600)
    before = dict(counts)
    build(load_config(str(site.root / "mkdocs.yml"), site_dir=str(site.root / out)))
    return counts["pages"] - before["pages"], counts["badges"] - before["badges"]


def same_tree(a: Path, b: Path) -> bool:
    compared = filecmp.dircmp(a, b)
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    if filecmp.cmpfiles(a, b, compared.common_files, shallow=False)[1]:
        return False
    return all(same_tree(a / sub, b / sub) for sub in compared.common_dirs)
