"""Repeated builds: the map pages and badges are kept while what they show is unchanged.

Built in-process with MkDocs's own `build` so the test can count what was rendered; the
output of a warm build must be the output of a build without the cache.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import Site, minimal_site
from content_map import render


def age(root: Path, seconds: int = 600) -> None:
    past = time.time() - seconds
    for folder, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), (past, past))


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many map pages and badges each build renders."""
    counts = {"pages": 0, "badges": 0}
    page, badges = render.Renderer.render, render.Renderer.badges

    def count_page(self, *args):
        counts["pages"] += 1
        return page(self, *args)

    def count_badges(self, *args):
        counts["badges"] += 1
        return badges(self, *args)

    monkeypatch.setattr(render.Renderer, "render", count_page)
    monkeypatch.setattr(render.Renderer, "badges", count_badges)
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


def test_a_repeated_build_renders_nothing_again_and_builds_the_same_site(site: Site,
                                                                       counted):
    minimal_site(site)
    (site.root / "overrides").mkdir()
    age(site.root)
    pages, badges = built(site, counted, "first")
    assert (pages, badges) == (9, 6)  # 3 map pages, a persona, 5 stages; 6 docs pages
    assert built(site, counted, "second") == (0, 0)
    assert same_tree(site.root / "first", site.root / "second")

    # A page's text changes, not its front-matter: the map is kept, the page is new.
    page = site.root / "docs/decision.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA new paragraph.\n",
                    encoding="utf-8")
    age(page.parent)
    assert built(site, counted, "third") == (0, 0)
    html = (site.root / "third/decision/index.html").read_text(encoding="utf-8")
    assert "A new paragraph." in html and "cm-badges" in html


@pytest.mark.parametrize("change", ["persona", "front-matter", "template", "option"])
def test_what_the_map_shows_renders_it_again(site: Site, counted, change: str):
    minimal_site(site)
    (site.root / "overrides").mkdir()
    age(site.root)
    options = {"fail_on": "never"}
    built(site, counted, "before", **options)
    if change == "persona":
        site.write("personas/reader.yml", "name: Rita the Reader\n")
    elif change == "front-matter":
        page = site.root / "docs/decision.md"
        page.write_text(page.read_text(encoding="utf-8").replace("stage: decision",
                                                                 "stage: retention"),
                        encoding="utf-8")
    elif change == "template":
        site.write("overrides/content-map/badges.html", '<p class="cm mine">{{ piece.title }}</p>')
    else:
        options["nav_title"] = "Map of content"
    age(site.root)
    pages, badges = built(site, counted, "warm", **options)
    assert (pages, badges) != (0, 0)
    shutil.rmtree(site.root / ".cache")
    built(site, counted, "cold", **options)
    assert same_tree(site.root / "warm", site.root / "cold")
    assert not same_tree(site.root / "before", site.root / "warm")


def test_without_the_cache_nothing_is_kept(site: Site, counted):
    minimal_site(site)
    (site.root / "overrides").mkdir()
    age(site.root)
    built(site, counted, "first", cache=False)
    assert built(site, counted, "second", cache=False) == (9, 6)
    assert not (site.root / ".cache").exists()
