"""Repeated builds: the map pages and badges are kept while what they show is unchanged.

Built in-process with MkDocs's own `build` so the test can count what was rendered; the
output of a warm build must be the output of a build without the cache.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from conftest import Site, age, built, minimal_site, same_tree


def test_a_repeated_build_renders_nothing_again_and_builds_the_same_site(site: Site,
                                                                       counted):
    minimal_site(site)
    (site.root / "overrides").mkdir()
    age(site.root)
    pages, badges = built(site, counted, "first")
    assert (pages, badges) == (11, 5)  # 5 map pages, a persona, 5 stages; 5 pieces
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
def test_what_the_map_shows_renders_it_again(site: Site, counted, change: str,
                                             build_warnings: Any):
    minimal_site(site)
    (site.root / "overrides").mkdir()
    age(site.root)
    options = {"fail_on": "never"}
    built(site, counted, "before", **options)
    if change == "persona":
        site.write("personas/reader.yml", "name: Rita the Reader\n")
    elif change == "front-matter":
        # decision.md moves to retention: decision has a gap, and the page a dead end
        build_warnings.expect(r"coverage-gap: no published page for `reader` at `buyer/decision`")
        build_warnings.expect(r"docs/decision\.md:\d+: dead-end: ")
        page = site.root / "docs/decision.md"
        page.write_text(page.read_text(encoding="utf-8").replace("stage: decision",
                                                                 "stage: retention"),
                        encoding="utf-8")
    elif change == "template":
        site.write("overrides/content-map/badges.html",
                   '<p class="cm mine">{{ view.piece.title }}</p>')
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
    assert built(site, counted, "second", cache=False) == (11, 5)
    assert not (site.root / ".cache").exists()


def test_kept_pages_that_do_not_fit_are_rendered_again(site: Site, counted):
    """The kept map is JSON read through declared shapes: an entry of another shape (or a
    file that is not JSON at all) is rendered again, and the site is the same."""
    import json

    minimal_site(site)
    (site.root / "overrides").mkdir()
    age(site.root)
    built(site, counted, "first")
    kept = site.root / ".cache/content-map/rendered.json"
    head = json.loads(kept.read_text(encoding="utf-8"))
    pages, badges = head[4]["pages"], head[4]["badges"]
    page, piece = next(iter(pages)), next(iter(badges))
    pages[page] = ["<h1>x</h1>", [[1, "x"]]]  # a heading short of a field
    badges[piece] = {"top": "<script>", "bottom": ""}  # an object, not [top, bottom]
    kept.write_text(json.dumps(head), encoding="utf-8")
    assert built(site, counted, "second") == (1, 1)
    assert same_tree(site.root / "first", site.root / "second")
    for text in ("", "[", "\x00", json.dumps(head[:4] + [[]])):
        kept.write_text(text, encoding="utf-8")
        assert built(site, counted, "again") == (11, 5)
        assert same_tree(site.root / "first", site.root / "again")
