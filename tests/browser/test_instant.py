"""The map under Material's instant navigation (`navigation.instant`), which swaps pages in
place instead of loading them: reaching the map from a content page must still set up its
filters, Back must undo a filter and then leave the map, and Forward must come back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import build, copy_example, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def instant_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example with instant navigation, built for the address it is served at (the
    feature needs `site_url`: it follows only the links its sitemap lists)."""
    root: Path = tmp_path_factory.mktemp("instant")
    (root / "site").mkdir()
    theme = {"name": "material", "features": ["navigation.instant", "navigation.sections"]}
    with serve(root / "site") as url:
        config = copy_example(root / "project", theme=theme, site_url=url)
        build(config, root / "site", "--strict")
        yield url


def ready(page: Any) -> None:
    page.wait_for_selector("[data-cm-root][data-cm-ready]", state="attached")


def test_the_map_reached_by_instant_navigation_works_and_back_undoes_a_filter(
        open_page, instant_url):
    page, _ = open_page(instant_url)
    # Material follows a link in place only once it has read the sitemap, which it fetches
    # after the page loaded: before that a click is an ordinary navigation.
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.document$") == "object"  # instant navigation is on
    marker = page.evaluate("window.__stays = 1")  # a full load would lose it
    page.evaluate("document.querySelector(\"nav.md-nav a[href$='content-map/']\").click()")
    ready(page)
    assert urlsplit(page.url).path.endswith("/content-map/")
    assert page.evaluate("window.__stays") == marker  # swapped in place, not loaded
    total = page.locator("tr[data-cm-piece]:visible, [data-cm-piece]:visible").count()
    page.select_option("#cm-filter-status", "draft")
    assert parse_qs(urlsplit(page.url).query) == {"status": ["draft"]}
    assert page.is_visible("[data-cm-chips]")
    page.go_back()
    page.wait_for_function("!location.search")
    assert urlsplit(page.url).path.endswith("/content-map/")
    assert page.input_value("#cm-filter-status") == ""
    assert page.locator("tr[data-cm-piece]:visible, [data-cm-piece]:visible").count() == total
    page.go_back()
    page.wait_for_function("!location.pathname.includes('content-map')")
    page.go_forward()
    page.wait_for_function("location.pathname.endsWith('/content-map/')")
    ready(page)
    page.select_option("#cm-filter-status", "draft")
    assert parse_qs(urlsplit(page.url).query) == {"status": ["draft"]}
