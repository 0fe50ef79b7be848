"""The map as stakeholders read it, on the bundled example and on a generated site of 30
personas × 10 stages, on a phone (390 × 844) and a desktop (1440 × 900): a verdict that
agrees with `check`, a matrix whose headers stay in view, filters that never contradict
the coverage, pages that never scroll sideways, and an overview that prints on two pages.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import bench_map

from .conftest import ARTIFACTS, SCREENSHOTS, build, check_report

pytestmark = pytest.mark.browser

PHONE, DESKTOP = (390, 844), (1440, 900)
SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
IN_README = {"wide-gaps-1440-light.png", "problems-1440-light.png"}
PALETTES = """theme:
  name: material
  palette:
    - scheme: default
      toggle: {icon: material/weather-night, name: Dark}
    - scheme: slate
      toggle: {icon: material/weather-sunny, name: Light}
"""


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A generated site of 30 personas × 10 stages, with gaps, drafts and results."""
    root = tmp_path_factory.mktemp("wide")
    bench = bench_map()
    config = bench.write_site(root, 250, personas=30, stages=10, metrics=True, draft_every=5)
    # Both of Material's schemes, so that the dark tests see the dark palette.
    config.write_text(config.read_text("utf-8").replace("theme: material\n", PALETTES), "utf-8")
    site = build(config, root / "site")
    model = json.loads((site / "content-map" / "content-map.json").read_text("utf-8"))
    with bench.serve(site) as url:
        yield {"url": url, "model": model, "check": check_report(config)}


@pytest.fixture(scope="module")
def example(example_url: str, example_config: Any) -> dict[str, Any]:
    with urllib.request.urlopen(example_url + "content-map/content-map.json") as response:
        model = json.load(response)
    return {"url": example_url, "model": model, "check": check_report(example_config)}


def sites(request: pytest.FixtureRequest, which: str) -> dict[str, Any]:
    return request.getfixturevalue(which)


BOTH = pytest.mark.parametrize("which", ["example", "wide"])


def map_pages(model: dict[str, Any]) -> list[str]:
    persona = model["personas"][0]["id"]
    journey = model["journeys"][0]
    return ["content-map/", f"content-map/personas/{persona}/",
            f"content-map/stages/{journey['id']}/{journey['stages'][0]['id']}/",
            "content-map/gaps/", "content-map/problems/", "content-map/attention/"]


def ready(page: Any) -> None:
    page.wait_for_selector("[data-cm-root][data-cm-ready]", state="attached")


@BOTH
@SIZES
def test_no_map_page_scrolls_sideways(open_page, request, which, size):
    site = sites(request, which)
    page, _ = open_page(site["url"] + "content-map/", width=size[0], height=size[1])
    for path in map_pages(site["model"]):
        page.goto(site["url"] + path)
        wide, inner = page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert wide <= inner, f"{path} at {size[0]} px is {wide} px wide"


@BOTH
def test_the_verdict_says_what_check_says(open_page, request, which):
    site = sites(request, which)
    checked, model = site["check"], site["model"]
    names = {p["id"]: p["name"] for p in model["personas"]}
    gaps = Counter(names[c["persona"]] for c in checked["matrix"] if c["state"] == "gap")
    top = max(gaps.values(), default=0)
    page, _ = open_page(site["url"] + "content-map/", width=DESKTOP[0], height=DESKTOP[1])
    verdict = page.locator("[data-cm-verdict]")
    assert int(verdict.get_attribute("data-gaps")) == checked["summary"]["cells"]["gap"]
    shown = [n for n in verdict.get_attribute("data-personas").split("|") if n]
    assert sorted(shown) == sorted(n for n, count in gaps.items() if count == top)
    text = verdict.locator("p").first.text_content()
    if gaps:
        assert text.startswith(f"{sum(gaps.values())} open gap")
        assert shown[0] in text
        assert page.locator("[data-cm-fix]").count() == min(5, sum(gaps.values()))
        assert "Ranked by" in page.text_content(".cm-fix-first__how")
    else:
        assert text.startswith("No open gaps")
    # The verdict comes first, then at most four figures, then the matrix; the filters and
    # results come after it, and the skip link leads to it.
    order = page.evaluate("""() => ['[data-cm-verdict]', '.cm-figures', '.cm-matrix',
        'form[data-cm-filters]'].map(s => document.querySelector(s).getBoundingClientRect().top
        + window.scrollY)""")
    assert order == sorted(order)
    assert page.locator("ul.cm-figures[aria-label='Headline figures'] > li").count() <= 4
    page.focus(".cm-skip")
    assert page.is_visible(".cm-skip")  # shown when focused
    page.keyboard.press("Enter")
    assert urlsplit(page.url).fragment == "matrix"
    assert page.evaluate("document.activeElement.id") == "matrix"



@BOTH
def test_a_phone_shows_each_persona_as_a_card_of_its_gaps(open_page, request, which):
    """On a phone the matrix's rows become cards, with the most gaps first; each card's
    gaps are `check`'s, by stage name. A desktop has the matrix and no cards."""
    site = sites(request, which)
    checked, model = site["check"], site["model"]
    stage_names = {(j["id"], s["id"]): s["name"] for j in model["journeys"]
                   for s in j["stages"]}
    expected: dict[str, list[str]] = {p["id"]: [] for p in model["personas"]}
    for c in checked["matrix"]:
        if c["state"] == "gap":
            expected[c["persona"]].append(stage_names[(c["journey"], c["stage"])])
    page, _ = open_page(site["url"] + "content-map/", width=PHONE[0], height=PHONE[1])
    ready(page)
    cards = page.evaluate("""() => [...document.querySelectorAll('[data-cm-card]')].map(c => ({
        id: c.dataset.cmCard, visible: c.getBoundingClientRect().height > 0,
        gaps: [...c.querySelectorAll('.cm-roster__gaps a')].map(a => a.textContent.trim()),
        sum: c.querySelector('.cm-roster__sum').textContent}))""")
    followed = {c["persona"] for c in checked["matrix"]}
    assert {c["id"] for c in cards} == followed
    assert all(c["visible"] for c in cards)
    for card in cards:
        assert sorted(card["gaps"]) == sorted(expected[card["id"]]), card
        n = len(expected[card["id"]])
        assert card["sum"].startswith(f"{n} open gap" if n else "No open gaps"), card
    counts = [len(c["gaps"]) for c in cards]
    assert counts == sorted(counts, reverse=True)
    # The cards come after the figures and before the matrix.
    order = page.evaluate("""() => ['.cm-figures', '.cm-roster', '.cm-matrix'].map(s =>
        document.querySelector(s).getBoundingClientRect().top + window.scrollY)""")
    assert order == sorted(order)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    assert not page.is_visible(".cm-roster")
    assert page.is_visible(".cm-matrix")

@SIZES
def test_the_stage_headers_stay_in_view_down_the_matrix(open_page, wide, size):
    page, _ = open_page(wide["url"] + "content-map/", width=size[0], height=size[1])
    box = page.locator(".cm-matrix-box").first
    box.scroll_into_view_if_needed()
    page.evaluate("document.querySelector('#matrix').scrollIntoView()")
    moved = page.evaluate("""() => { const b = document.querySelector('.cm-matrix-box');
        b.scrollTop = (b.scrollHeight - b.clientHeight) / 2; return b.scrollTop; }""")
    assert moved > 100  # 30 rows do not fit in the box: it scrolls
    page.wait_for_timeout(100)
    seen = page.evaluate("""() => {
        const b = document.querySelector('.cm-matrix-box').getBoundingClientRect();
        return [...document.querySelectorAll('.cm-matrix-box th[data-cm-stage-head]')]
          .slice(0, 2).map(th => { const r = th.getBoundingClientRect();
            return r.top >= b.top - 1 && r.bottom <= b.bottom && r.top < window.innerHeight; });
    }""")
    assert seen and all(seen)
    # Sideways, the persona column stays put.
    page.evaluate("document.querySelector('.cm-matrix-box').scrollLeft = 400")
    left = page.evaluate("""() => [document.querySelector('.cm-matrix-box'),
        document.querySelector('.cm-matrix-box tbody th')]
        .map(e => e.getBoundingClientRect().left)""")
    assert abs(left[0] - left[1]) < 3


def test_rows_sort_by_gaps_and_hide_rows_without_gaps(open_page, wide):
    page, _ = open_page(wide["url"] + "content-map/", width=DESKTOP[0], height=DESKTOP[1])
    ready(page)
    page.select_option("[data-cm-sort]", "gaps")
    gaps = page.eval_on_selector_all("table.cm-matrix tbody tr[data-cm-gaps]",
                                     "rows => rows.map(r => +r.dataset.cmGaps)")
    assert gaps == sorted(gaps, reverse=True) and len(gaps) == 30
    page.select_option("[data-cm-sort]", "name")
    names = page.eval_on_selector_all("table.cm-matrix tbody tr[data-cm-name]",
                                      "rows => rows.map(r => r.dataset.cmName)")
    assert names == sorted(names)
    page.check("[data-cm-only-gaps]")
    shown = page.eval_on_selector_all(
        "table.cm-matrix tbody tr[data-cm-gaps]",
        "rows => rows.filter(r => r.offsetParent).map(r => +r.dataset.cmGaps)")
    assert shown and all(shown) and len(shown) == sum(1 for g in gaps if g)


def cell_looks(page: Any) -> dict[str, str]:
    return dict(page.eval_on_selector_all("td[data-cm-cell]", """tds => tds.map(td =>
        [td.dataset.cmCell, getComputedStyle(td).backgroundColor + '|' +
         getComputedStyle(td.querySelector('a'), '::before').display + '|' +
         (td.querySelector('.cm-hits').offsetParent ? td.querySelector('.cm-hits').textContent
          : 'hidden')])"""))


def test_filters_show_chips_and_neutral_cells_and_back_undoes_them(open_page, example):
    model = example["model"]
    page, _ = open_page(example["url"] + "content-map/", width=DESKTOP[0], height=DESKTOP[1])
    ready(page)
    assert not page.is_visible("[data-cm-unapplied]")
    before = cell_looks(page)
    assert len({v.split("|")[0] for v in before.values()}) >= 3  # coloured by state
    page.select_option("#cm-filter-status", "draft")
    page.wait_for_function("() => location.search === '?status=draft'")
    assert page.is_visible("[data-cm-chips]")
    assert "Status: draft" in page.text_content("[data-cm-chips]")
    filtered = cell_looks(page)
    assert len({v.split("|")[0] for v in filtered.values()}) == 1  # one neutral colour
    assert {v.split("|")[1] for v in filtered.values()} == {"none"}  # no symbols
    drafts = Counter(f"{persona}/{stage}" for p in model["pieces"] if p["status"] == "draft"
                     for persona in p["personas"] for stage in p["stages"])
    for key, look in filtered.items():
        assert look.split("|")[2] == str(drafts.get(key, 0)), key
    page.select_option("#cm-filter-owner", model["pieces"][0]["owner"])
    assert page.locator("[data-cm-chips] button").count() == 2
    page.go_back()
    page.wait_for_function("() => location.search === '?status=draft'")
    assert page.input_value("#cm-filter-owner") == ""
    assert page.locator("[data-cm-chips] button").count() == 1
    page.go_back()
    page.wait_for_function("() => location.search === ''")
    assert page.input_value("#cm-filter-status") == ""
    assert not page.is_visible("[data-cm-chips]")
    assert cell_looks(page) == before
    # A chip removes its filter.
    page.select_option("#cm-filter-status", "draft")
    page.click("[data-cm-chips] button")
    page.wait_for_function("() => location.search === ''")
    assert cell_looks(page) == before


def test_without_javascript_a_filtered_link_says_it_was_not_applied(browser, example):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1440,
                                                                      "height": 900})
    try:
        page = context.new_page()
        page.goto(example["url"] + "content-map/?status=draft")
        assert page.is_visible("[data-cm-unapplied]")
        assert "not applied" in page.text_content("[data-cm-unapplied]")
    finally:
        context.close()


def test_the_overview_prints_on_two_landscape_pages(open_page, example):
    page, _ = open_page(example["url"] + "content-map/", width=DESKTOP[0], height=DESKTOP[1])
    ready(page)
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 1 <= pages <= 2, pages
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    page.emulate_media(media="print")
    boxes = page.eval_on_selector_all("table.cm-matrix thead th", """ths => ths.map(th => {
        const r = th.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""")
    for n, a in enumerate(boxes):
        for b in boxes[n + 1:]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, (a, b)
    assert not page.is_visible("form[data-cm-filters]")
    assert page.is_visible("[data-cm-verdict]") and page.is_visible("table.cm-matrix")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@SIZES
def test_axe_finds_nothing_on_the_stakeholder_pages(open_page, example, wide, scheme, size):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    targets = [(example, map_pages(example["model"])),
               (wide, ["content-map/", "content-map/gaps/", "content-map/problems/"])]
    for site, paths in targets:
        page, _ = open_page(site["url"] + paths[0], scheme=scheme, width=size[0],
                            height=size[1])
        for path in paths:
            page.goto(site["url"] + path)
            shown = page.get_attribute("body", "data-md-color-scheme")
            assert shown == ("slate" if scheme == "dark" else "default"), path
            results = axe.run(page, context=".cm")
            assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"


def natural(text: str) -> list[Any]:
    """A sort key that puts "Persona 9" before "Persona 10", as the tables sort."""
    return [int(part) if part.isdigit() else part.casefold()
            for part in re.split(r"(\d+)", text)]


def column(page: Any, table: str, n: int) -> list[str]:
    return page.eval_on_selector_all(f"{table} tbody tr", f"""rows => rows.map(r =>
        r.cells[{n}].dataset.cmValue ?? r.cells[{n}].textContent.trim())""")


def test_a_table_sorts_by_any_column_from_its_header(open_page, wide):
    page, _ = open_page(wide["url"] + "content-map/gaps/", width=DESKTOP[0],
                        height=DESKTOP[1])
    table = "table[data-cm-sortable]"
    heads = page.locator(f"{table} thead th")
    assert heads.count() == page.locator(f"{table} thead th > button.cm-sort").count() == 6
    assert page.locator(f"{table} th[aria-sort]").count() == 0
    rows = page.locator(f"{table} tbody tr").count()
    assert rows > 10
    page.click(f"{table} thead th:nth-child(1) button")
    names = column(page, table, 0)
    assert names == sorted(names, key=natural) and len(set(names)) > 10  # "Persona 10" last
    assert heads.nth(0).get_attribute("aria-sort") == "ascending"
    page.click(f"{table} thead th:nth-child(1) button")
    assert column(page, table, 0) == sorted(names, key=natural, reverse=True)
    assert heads.nth(0).get_attribute("aria-sort") == "descending"
    # A numeric column sorts as numbers (10 after 9), from the keyboard; the other header
    # loses its aria-sort.
    page.focus(f"{table} thead th:nth-child(4) button")
    page.keyboard.press("Enter")
    needed = [float(v) for v in column(page, table, 3)]
    assert needed == sorted(needed) and page.locator(f"{table} tbody tr").count() == rows
    assert heads.nth(3).get_attribute("aria-sort") == "ascending"
    assert heads.nth(0).get_attribute("aria-sort") is None
    page.keyboard.press("Space")
    assert [float(v) for v in column(page, table, 3)] == sorted(needed, reverse=True)
    assert heads.nth(3).get_attribute("aria-sort") == "descending"


def test_the_overview_pieces_table_sorts_by_owner(open_page, example):
    page, _ = open_page(example["url"] + "content-map/", width=DESKTOP[0], height=DESKTOP[1])
    ready(page)
    table = "#pieces ~ .cm-scroll table[data-cm-sortable]"
    page.click(f"{table} thead th:nth-child(5) button")
    owners = column(page, table, 4)
    assert owners == sorted(owners, key=lambda o: (o == "", natural(o)))
    assert page.get_attribute(f"{table} thead th:nth-child(5)", "aria-sort") == "ascending"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@SIZES
def test_screenshots_of_the_reports(open_page, example, wide, scheme, size):
    for site, prefix in ((example, ""), (wide, "wide-")):
        for name in ("gaps", "problems"):
            page, _ = open_page(site["url"] + f"content-map/{name}/", scheme=scheme,
                                width=size[0], height=size[1])
            shot = f"{prefix}{name}-{size[0]}-{scheme}.png"
            # The README shows two of them; the others are for looking at after a run.
            folder = SCREENSHOTS if shot in IN_README else ARTIFACTS
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / shot))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_stakeholder_overview(open_page, example, scheme):
    """The README shows these: the overview on a phone, and printed."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, _ = open_page(example["url"] + "content-map/", scheme=scheme, width=PHONE[0],
                        height=PHONE[1])
    ready(page)
    page.screenshot(path=str(SCREENSHOTS / f"phone-{scheme}.png"))
    if scheme == "light":
        page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
        page.emulate_media(media="print")
        page.screenshot(path=str(SCREENSHOTS / "print.png"), full_page=True)
