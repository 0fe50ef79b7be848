"""A map too big to list every piece, in a real browser: 100 personas × 8 stages, and a
crowded one of 3 personas × 4 stages whose persona and stage pages are too big too.

The overview, Needs attention and crowded persona and stage pages hold their pieces as
data and list a share; the script counts from the data, lists the pieces a filter leaves
when they fit, and says how many more there are. Without the script, the matrix still
counts and links everything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import bench_map
from content_map.site.figures import format_metric
from content_map.site.pagedata import LIST_CAP

from .conftest import build, serve

pytestmark = pytest.mark.browser

PIECES = LIST_CAP + 120
OWNER = "o3"


def bench_site(root: Any, *args: Any, **options: Any) -> Iterator[dict[str, Any]]:
    bench = bench_map()
    config = bench.write_site(root, *args, metrics=True, draft_every=5, **options)
    site = build(config, root / "site")
    model = json.loads((site / "content-map" / "content-map.json").read_text("utf-8"))
    with serve(site) as url:
        yield {"url": url, "model": model}


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    yield from bench_site(tmp_path_factory.mktemp("big"), PIECES)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """700 pieces for 3 personas at 4 stages: a persona page would list some 470 cards,
    a stage page some 350."""
    yield from bench_site(tmp_path_factory.mktemp("crowded"), 700, personas=3, stages=4)


def ready(page: Any) -> None:
    page.wait_for_selector("[data-cm-root][data-cm-ready]", state="attached")


def listed_rows(page: Any) -> list[dict[str, Any]]:
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
        rows = listed_rows(page)
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


def pieces_at(model: dict[str, Any], persona: str, stage: str | None = None
              ) -> list[dict[str, Any]]:
    return [p for p in model["pieces"] if persona in p["personas"]
            and (stage is None or f"buyer/{stage}" in p["stages"])]


def visible_titles(page: Any, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        selector, "els => els.filter(e => !e.hidden).map(e => e.querySelector('a').textContent)")


def test_a_crowded_persona_page_counts_what_it_does_not_list_and_links_to_it(open_page,
                                                                           crowded):
    model = crowded["model"]
    views = {path: f.get("views") for path, f in model["results"]["pieces"].items()}
    page, _ = open_page(crowded["url"] + "content-map/personas/p000/")
    ready(page)
    key = "p000/buyer/s1"
    column = page.locator("li#buyer_s1")
    theirs = pieces_at(model, "p000", "s1")
    listed = column.locator("li[data-cm-item]").count()
    assert 0 < listed < len(theirs)
    assert page.locator("li[data-cm-item]").count() <= LIST_CAP
    assert column.locator(f"[data-cm-all='{key}']").text_content() == str(len(theirs))
    assert column.locator(f"[data-cm-more='{key}']").text_content() == \
        str(len(theirs) - listed)

    page.select_option("#cm-filter-owner", OWNER)
    mine = [p for p in theirs if p["owner"] == OWNER]
    shown = visible_titles(page, "li#buyer_s1 li[data-cm-item]")
    assert set(shown) <= {p["title"] for p in mine} and len(shown) < len(mine)
    # Counted from the data: the pieces the page does not list count too.
    assert column.locator(f"[data-cm-all='{key}']").text_content() == str(len(mine))
    assert column.locator(f"[data-cm-more='{key}']").text_content() == \
        str(len(mine) - len(shown))
    assert column.locator(f"[data-cm-more-of='{key}']").is_visible()
    everyone = pieces_at(model, "p000")
    assert page.text_content("[data-cm-status]") == (
        f"Showing {sum(p['owner'] == OWNER for p in everyone)} of {len(everyone)} pieces: "
        f"owner {OWNER}.")
    total = sum(views[p["path"]] for p in mine if p["status"] == "published")
    assert column.locator(f"[data-cm-fig='{key}'][data-cm-metric='views']").text_content() \
        == format_metric("views", total)

    # The note links to the overview filtered to this persona at this stage, keeping the
    # owner: there the script lists exactly the pieces that match.
    column.locator(f"[data-cm-more-of='{key}'] a").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/content-map/")
    ready(page)
    assert parse_qs(urlsplit(page.url).query) == {
        "owner": [OWNER], "persona": ["p000"], "stage": ["buyer/s1"]}
    assert page.input_value("#cm-filter-persona") == "p000"
    assert page.input_value("#cm-filter-stage") == "buyer/s1"
    assert page.is_visible("[data-cm-list]")
    assert sorted(r["title"] for r in listed_rows(page)) == sorted(p["title"] for p in mine)
    assert page.eval_on_selector_all(  # the matrix keeps the persona's row only
        "table.cm-matrix tr[data-cm-persona]",
        "rows => rows.filter(r => !r.hidden).map(r => r.dataset.cmPersona)") == ["p000"]
    assert "persona Persona 0, stage Stage s1" in page.text_content("[data-cm-status]")


def test_a_crowded_stage_page_recounts_each_persona_with_a_filter(open_page, crowded):
    model = crowded["model"]
    page, _ = open_page(crowded["url"] + "content-map/stages/buyer/s2/")
    ready(page)
    assert page.locator("li[data-cm-item]").count() <= LIST_CAP
    page.select_option("#cm-filter-status", "draft")
    for persona in ("p000", "p001", "p002"):
        key = f"{persona}/buyer/s2"
        group = page.locator(f"section[data-cm-persona='{persona}']")
        drafts = [p for p in pieces_at(model, persona, "s2") if p["status"] == "draft"]
        shown = visible_titles(page, f"section[data-cm-persona='{persona}'] li[data-cm-item]")
        assert set(shown) <= {p["title"] for p in drafts}
        assert group.locator(f"[data-cm-all='{key}']").text_content() == str(len(drafts))
        more = len(drafts) - len(shown)
        assert group.locator(f"[data-cm-more-of='{key}']").is_visible() == (more > 0)
        assert group.locator(f"[data-cm-more='{key}']").text_content() == str(more)
    at_stage = [p for p in model["pieces"] if "buyer/s2" in p["stages"]]
    assert page.text_content("[data-cm-status]") == (
        f"Showing {sum(p['status'] == 'draft' for p in at_stage)} of {len(at_stage)} "
        "pieces: status draft.")


@pytest.mark.parametrize("path", ["personas/p000/", "stages/buyer/s2/"])
def test_no_accessibility_violations_on_crowded_pages(open_page, crowded, path):
    from axe_playwright_python.sync_playwright import Axe

    page, _ = open_page(crowded["url"] + f"content-map/{path}?owner={OWNER}")
    ready(page)
    assert page.locator("[data-cm-more-of]:not([hidden])").count() > 0
    results = Axe().run(page, context=".cm")
    assert results.violations_count == 0, results.generate_report()
