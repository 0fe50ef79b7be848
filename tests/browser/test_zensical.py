"""The map Zensical builds from `content-map generate`, in Chromium: the filters work as
on the plugin's map (the shown pieces and the URL change, a reload restores them), no
script fails, and axe finds nothing, on the map and on a page with badges."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import copy_example, serve
from .test_map import cells_on_page, visible_rows

if sys.version_info < (3, 11):
    pytest.skip("Zensical needs Python 3.11 or later", allow_module_level=True)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def zensical_example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    from test_zensical import zensical_config, zensical_workflow

    config = copy_example(tmp_path_factory.mktemp("zensical"))
    zensical_config(config)
    built = zensical_workflow(config)
    report = {**json.loads((built.site / "content-map/content-map.json").read_text("utf-8")),
              **built.checked}
    with serve(Path(built.site)) as url:
        yield url, report


def test_filters_change_pieces_and_url_and_survive_a_reload(open_page, zensical_example):
    url, report = zensical_example
    owner = Counter(p["owner"] for p in report["pieces"] if p["owner"]).most_common(1)[0][0]
    expected = sorted(p["title"] for p in report["pieces"] if p["owner"] == owner)
    assert 0 < len(expected) < len(report["pieces"])

    page, watch = open_page(url + "content-map/")
    assert page.is_visible("form[data-cm-filters]")
    assert len(visible_rows(page)) == len(report["pieces"])
    before = cells_on_page(page)
    assert len(before) == len(report["matrix"])

    page.select_option("#cm-filter-owner", owner)
    assert parse_qs(urlsplit(page.url).query) == {"owner": [owner]}
    assert sorted(r["title"] for r in visible_rows(page)) == expected
    assert cells_on_page(page) != before

    page.reload()
    assert page.input_value("#cm-filter-owner") == owner
    assert sorted(r["title"] for r in visible_rows(page)) == expected

    page.click("form[data-cm-filters] button[type=reset]")
    page.wait_for_function("() => !location.search")
    assert len(visible_rows(page)) == len(report["pieces"])
    assert cells_on_page(page) == before
    assert watch.errors == []


def test_a_cell_leads_to_its_persona_and_the_styles_apply(open_page, zensical_example):
    url, report = zensical_example
    cell = next(c for c in report["matrix"] if c["state"] == "covered")
    page, _ = open_page(url + "content-map/")
    # The map's own styles are loaded from the folder beside the pages.
    assert page.evaluate("getComputedStyle(document.querySelector('.cm-figures')).display") \
        in ("grid", "flex")
    page.click(f"td[data-cm-cell='{cell['persona']}/{cell['journey']}/{cell['stage']}'] a")
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == f"/content-map/personas/{cell['persona']}/"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations(open_page, zensical_example, scheme):
    from axe_playwright_python.sync_playwright import Axe

    url, report = zensical_example
    piece = next(p for p in report["pieces"] if p["next"])
    paths = ["content-map/", f"content-map/personas/{report['personas'][0]['id']}/",
             "content-map/attention/", "content-map/gaps/",
             piece["path"].removesuffix(".md") + "/"]
    axe = Axe()
    page, _ = open_page(url + paths[0], scheme=scheme)
    for path in paths:
        page.goto(url + path)
        assert page.locator(".cm").count() >= 1, path
        results = axe.run(page, context=".cm")
        assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"
