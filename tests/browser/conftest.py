"""Browser fixtures: sites built into tmp, served on 127.0.0.1, driven in Debian's Chromium.

No browser is ever downloaded: Playwright launches `/usr/bin/chromium`. Requests that
leave 127.0.0.1 (Material's web fonts) are answered locally with an empty response and
recorded, so the tests run offline and can say which hosts a page tried to reach.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import bench_map

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Screenshots go to tests/artifacts/ (ignored by git); `make screenshots` points this at
# docs-assets/screenshots/ to refresh the README's pictures.
ARTIFACTS = REPO / "tests" / "artifacts" / "screenshots"
SCREENSHOTS = Path(os.environ.get("CONTENT_MAP_SCREENSHOTS") or ARTIFACTS).absolute()
SCHEMES = {"light": "default", "dark": "slate"}


def build(config: Path, out: Path, *args: str) -> Path:
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d",
                          str(out), *args], cwd=config.parent, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
    return out


NOT_EXAMPLE = {"plugins", "tests", "site", "docs-assets", "bench", "build", "dist"}


def copy_example(target: Path, **changes: Any) -> Path:
    """The bundled example in `target`, with top-level settings of mkdocs.yml changed.

    Everything beside mkdocs.yml comes along (content, personas, journeys and whatever
    else the example's options name), except the project's own code and outputs.
    """
    for entry in REPO.iterdir():
        if entry.name.startswith(".") or entry.name in NOT_EXAMPLE or \
                entry.name.endswith(".egg-info") or entry.name == "mkdocs.yml":
            continue
        if entry.is_dir():
            shutil.copytree(entry, target / entry.name, symlinks=True)
        else:
            shutil.copy2(entry, target / entry.name)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(changes)
    path = target / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), "utf-8")
    return path


serve = bench_map().serve
"""A static server for a folder on 127.0.0.1, in a thread; yields its base URL."""


def check_report(config: Path) -> dict[str, Any]:
    """`content-map check --format json`, run in-process."""
    from content_map.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["check", "-f", str(config), "--format", "json", "--fail-on", "never"])
    return json.loads(out.getvalue())


@dataclass
class Watch:
    """What a page did that a test should know about."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    external: set[str] = field(default_factory=set)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def example_config() -> Path:
    return REPO / "mkdocs.yml"


@pytest.fixture(scope="session")
def example_url(tmp_path_factory: pytest.TempPathFactory, example_config: Path) -> Iterator[str]:
    site = build(example_config, tmp_path_factory.mktemp("example") / "site", "--strict")
    with serve(site) as url:
        yield url


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., tuple[Any, Watch]]]:
    """Open a fresh page in a palette scheme; fails the test on console or script errors."""
    contexts = []
    watches: list[Watch] = []

    def opener(url: str, scheme: str = "light", width: int = 1280,
               height: int = 900) -> tuple[Any, Watch]:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        watch = Watch()
        watches.append(watch)
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        palette = {"index": list(SCHEMES).index(scheme),
                   "color": {"scheme": SCHEMES[scheme], "primary": "indigo",
                             "accent": "indigo"}}
        context.add_init_script(
            f"try {{ localStorage.setItem('/.__palette', {json.dumps(json.dumps(palette))}); }}"
            " catch (e) {}")

        def outside(route: Any) -> None:
            watch.external.add(urlsplit(route.request.url).netloc)
            kind = "text/css" if route.request.resource_type == "stylesheet" else "text/plain"
            route.fulfill(status=200, body="", content_type=kind)

        context.route(lambda target: not target.startswith(origin), outside)
        page = context.new_page()
        page.on("console", lambda msg: watch.errors.append(f"console: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: watch.errors.append(f"script: {exc}"))

        def on_dialog(dialog: Any) -> None:
            watch.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(url)
        page.wait_for_load_state("load")
        return page, watch

    yield opener
    for context in contexts:
        context.close()
    problems = [e for w in watches for e in w.errors]
    assert problems == [], problems
    assert [d for w in watches for d in w.dialogs] == []


@pytest.fixture(scope="session")
def report(example_config: Path, example_url: str) -> dict[str, Any]:
    """`content-map check --format json`, plus the model from the site's content-map.json."""
    checked = check_report(example_config)
    with urllib.request.urlopen(example_url + "content-map/content-map.json") as response:
        exported = json.load(response)
    assert exported["matrix"] == checked["matrix"]
    return {**exported, **checked}
