"""A map too big to list every piece, in a real browser: 100 personas × 8 stages.

The overview and Needs attention hold their pieces as data and list a share; the script
counts from the data, lists the pieces a filter leaves when they fit, and says how many
more there are. Without the script, the matrix still counts and links everything.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from content_map.render import LIST_CAP

from .conftest import REPO, build, serve

pytestmark = pytest.mark.browser

PIECES = LIST_CAP + 120
OWNER = "o3"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("bench_map", REPO / "bench" / "map.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    root = tmp_path_factory.mktemp("big")
    config = bench.write_site(root, PIECES, metrics=True, draft_every=5)
    site = build(config, root / "site")
    model = json.loads((site / "content-map" / "content-map.json").read_text("utf-8"))
    with serve(site) as url:
        yield {"url": url, "model": model}


def ready(page: Any) -> None:
    page.wait_for_selector("[data-cm-root][data-cm-ready]", state="attached")


def listed(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all("[data-cm-list] tbody tr", """rows => rows.map(r => ({
        title: r.cells[0].textContent, href: r.cells[0].querySelector('a').href,
        personas: [...r.cells[1].querySelectorAll('a')].map(a => a.href),
        stages: [...r.cells[2].querySelectorAll('a')].map(a => a.textContent),
        status: r.cells[3].textContent, owner: r.cells[4].textContent,
        results: r.cells[8].textContent}))""")


def counts(page: Any) -> dict[str, str]:
    return dict(page.eval_on_selector_all(
        "td[data-cm-cell]", "tds => tds.map(td => [td.dataset.cmCell,"
        " (td.querySelector('[data-cm-count]') || {}).textContent])"))


def test_a_filter_lists_the_pieces_it_leaves_and_recounts_the_matrix(open_page, big):
    model = big["model"]
    by_path = {p["path"]: p for p in model["pieces"]}
    page, _ = open_page(big["url"] + "content-map/")
    ready(page)
    assert page.locator("tr[data-cm-item]").count() == 0
    assert not page.is_visible("[data-cm-list]")
    assert page.is_visible(".cm-list-note [data-cm-js]")  # "choose filters above…"
    before = counts(page)

    page.select_option("#cm-filter-owner", OWNER)
    assert parse_qs(urlsplit(page.url).query) == {"owner": [OWNER]}

    def owner_view() -> None:
        theirs = [p for p in model["pieces"] if p["owner"] == OWNER]
        rows = listed(page)
        assert page.is_visible("[data-cm-list]")
        assert sorted(r["title"] for r in rows) == sorted(p["title"] for p in theirs)
        assert f"The {len(theirs)} pieces that match" in page.text_content(
            "[data-cm-list-status]")
        first = next(p for p in theirs if p["title"] == rows[0]["title"])
        assert rows[0]["href"].endswith("/" + first["path"].removesuffix(".md") + "/")
        assert [h.rsplit("/", 2)[-2] for h in rows[0]["personas"]] == first["personas"]
        assert rows[0]["stages"] == ["Stage " + s.split("/")[1] for s in first["stages"]]
        assert {r["status"] for r in rows} == {"published", "draft"}
        assert all("views" in r["results"] for r in rows)
        shown = counts(page)
        for cell in model["matrix"]:
            key = f"{cell['persona']}/{cell['journey']}/{cell['stage']}"
            mine = sum(by_path[p]["owner"] == OWNER for p in cell["pieces"])
            assert shown[key] == str(mine), key
        assert page.text_content("[data-cm-total]") == str(len(theirs))

    owner_view()
    page.reload()
    ready(page)
    assert page.input_value("#cm-filter-owner") == OWNER
    owner_view()

    # More than the page lists: it says so, and lists none.
    page.select_option("#cm-filter-owner", "")
    page.select_option("#cm-filter-status", "published")
    published = sum(p["status"] == "published" for p in model["pieces"])
    assert published > LIST_CAP
    assert not page.is_visible("[data-cm-list]")
    assert page.text_content("[data-cm-list-status]").startswith(
        f"{published} pieces match the filters: more than this page lists ({LIST_CAP})")

    page.click("form[data-cm-filters] button[type=reset]")
    page.wait_for_function("() => !location.search")
    assert not page.is_visible("[data-cm-list]")
    assert page.text_content("[data-cm-list-status]") == ""
    assert counts(page) == before


def test_needs_attention_counts_what_it_does_not_list(open_page, big):
    model = big["model"]
    page, _ = open_page(big["url"] + "content-map/attention/")
    ready(page)
    owners = sorted({p["owner"] for p in model["pieces"]})
    groups = page.locator("section[data-cm-group^='h:']")
    assert groups.count() == len(owners)
    cards = page.locator("section[data-cm-group^='h:'] li[data-cm-item]").count()
    assert cards <= LIST_CAP

    page.select_option("#cm-filter-owner", OWNER)
    ok = f"h:o{owners.index(OWNER)}"
    theirs = [p for p in model["pieces"] if p["owner"] == OWNER]
    section = page.locator(f"section[data-cm-group='{ok}']")
    assert section.is_visible()
    assert page.eval_on_selector_all(
        "section[data-cm-group^='h:']", "els => els.filter(e => !e.hidden).length") == 1
    shown = section.locator("li[data-cm-item]").count()
    assert section.locator(f"[data-cm-all='{ok}']").first.text_content() == str(len(theirs))
    assert section.locator(f"[data-cm-more='{ok}']").text_content() == str(len(theirs) - shown)
    more = section.locator(f"[data-cm-more-of='{ok}'] a")
    assert urlsplit(more.get_attribute("href")).query == f"owner={OWNER}"

    page.select_option("#cm-filter-status", "draft")  # owner and status: all fit
    drafts = [p for p in theirs if p["status"] == "draft"]
    visible = section.locator("li[data-cm-item]:not([hidden])").count()
    assert page.text_content(f"[data-cm-all='{ok}']") == str(len(drafts))
    assert page.text_content(f"[data-cm-more='{ok}']") == str(len(drafts) - visible)
    heads = page.eval_on_selector_all("table.cm-holds thead th",
                                      "ths => ths.map(th => th.textContent)")[1:]
    row = page.eval_on_selector_all(f"table.cm-holds tr[data-cm-group='{ok}'] td",
                                    "tds => tds.map(td => td.textContent)")
    assert dict(zip(heads, row, strict=True)) == {
        "draft": str(len(drafts)), "published": "0", "stale": "0", "due": "0",
        "all": str(len(drafts))}


def test_without_javascript_the_matrix_counts_and_the_page_says_where_pieces_are(browser,
                                                                                big):
    model = big["model"]
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(big["url"] + "content-map/?owner=o1")
        assert not page.is_visible("form[data-cm-filters]")
        shown = counts(page)
        for cell in model["matrix"]:
            key = f"{cell['persona']}/{cell['journey']}/{cell['stage']}"
            if cell["state"] != "skipped":
                assert shown[key] == str(cell["count"]), key
        note = page.locator(".cm-list-note")
        assert note.is_visible() and f"There are {PIECES} pieces" in note.text_content()
        assert not page.is_visible(".cm-list-note [data-cm-js]")
        assert note.locator("a").count() == 8
        page.click(".cm-list-note a >> nth=2")
        assert urlsplit(page.url).path == "/content-map/stages/buyer/s2/"
    finally:
        context.close()


def test_no_accessibility_violations_with_the_list_shown(open_page, big):
    from axe_playwright_python.sync_playwright import Axe

    page, _ = open_page(big["url"] + f"content-map/?owner={OWNER}")
    ready(page)
    assert page.is_visible("[data-cm-list]")
    results = Axe().run(page, context=".cm")
    assert results.violations_count == 0, results.generate_report()
