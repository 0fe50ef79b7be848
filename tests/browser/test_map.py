"""The published map in a real browser: the bundled example, built and served locally."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from content_map.vocabulary import PLAIN_STATES

from .conftest import SCREENSHOTS, build, copy_example, serve

pytestmark = pytest.mark.browser


def cells_on_page(page: Any) -> dict[str, dict[str, Any]]:
    return {c["key"]: c for c in page.eval_on_selector_all("td[data-cm-cell]", """
        cells => cells.map(td => ({
            key: td.dataset.cmCell,
            state: td.dataset.state,
            display: [...td.classList].find(c => c.startsWith('cm-state-')).slice(9),
            count: td.querySelector('.cm-count') && td.querySelector('.cm-count').textContent,
            progress: td.querySelector('[data-cm-progress]')
                && td.querySelector('[data-cm-progress]').textContent,
            text: td.textContent,
            title: td.querySelector('a').title,
            symbol: getComputedStyle(td.querySelector('a'), '::before').content,
            background: getComputedStyle(td).backgroundColor,
        }))""")}


def visible_rows(page: Any, selector: str = "tr[data-cm-item]") -> list[dict[str, str]]:
    """The pieces a pieces table shows: title, status and owner, as a reader sees them."""
    return page.eval_on_selector_all(selector, """
        rows => rows.filter(r => r.offsetParent !== null).map(r => ({
            title: r.cells[0].textContent, status: r.cells[3].textContent,
            owner: r.cells[4].textContent}))""")


def key(cell: dict[str, Any]) -> str:
    return f"{cell['persona']}/{cell['journey']}/{cell['stage']}"


def test_matrix_cells_equal_the_check_json(open_page, example_url, report):
    page, _ = open_page(example_url + "content-map/")
    shown = cells_on_page(page)
    assert len(shown) == len(report["matrix"])
    for cell in report["matrix"]:
        on_page = shown[key(cell)]
        assert on_page["state"] == cell["state"], key(cell)
        if cell["state"] == "skipped":
            assert on_page["count"] is None
        else:
            assert on_page["count"] == str(cell["count"]), key(cell)
        assert (on_page["progress"] or "0") == str(cell["in_progress"]), key(cell)
    # Each state has its own colour, and its symbol and words (in the cell's title) besides.
    colours = {c["display"]: c["background"] for c in shown.values()}
    assert len(set(colours.values())) == len(colours)
    for cell in shown.values():
        symbol, words = PLAIN_STATES[cell["display"]]
        assert symbol in cell["symbol"] and f": {words}" in cell["title"], cell


def test_a_filter_changes_pieces_counts_and_url_and_survives_a_reload(open_page, example_url,
                                                                      report):
    owners = Counter(p["owner"] for p in report["pieces"] if p["owner"])
    owner = owners.most_common(1)[0][0]
    expected_titles = sorted(p["title"] for p in report["pieces"] if p["owner"] == owner)
    assert 0 < len(expected_titles) < len(report["pieces"])
    by_path = {p["path"]: p for p in report["pieces"]}

    page, _ = open_page(example_url + "content-map/")
    assert page.is_visible("form[data-cm-filters]")
    assert len(visible_rows(page)) == len(report["pieces"])
    before = cells_on_page(page)

    page.select_option("#cm-filter-owner", owner)
    assert parse_qs(urlsplit(page.url).query) == {"owner": [owner]}

    def assert_filtered() -> None:
        assert sorted(r["title"] for r in visible_rows(page)) == expected_titles
        assert page.text_content("[data-cm-total]") == str(len(expected_titles))
        assert f"of {len(report['pieces'])}" in page.text_content("[data-cm-status]")
        shown = cells_on_page(page)
        for cell in report["matrix"]:
            if cell["state"] == "skipped":
                continue
            mine = sum(by_path[p]["owner"] == owner for p in cell["pieces"])
            assert shown[key(cell)]["count"] == str(mine), key(cell)
        assert shown != before

    assert_filtered()
    page.reload()
    assert page.input_value("#cm-filter-owner") == owner
    assert_filtered()

    page.click("form[data-cm-filters] button[type=reset]")
    page.wait_for_function("() => !location.search")
    assert len(visible_rows(page)) == len(report["pieces"])
    assert cells_on_page(page) == before


def test_filters_on_a_persona_page(open_page, example_url, report):
    persona = "controller"
    mine = [p for p in report["pieces"] if persona in p["personas"]]
    status = next(p["status"] for p in mine if p["status"] != "published")
    expected = sum(1 for p in mine if p["status"] == status for _ in p["stages"])
    page, _ = open_page(example_url + f"content-map/personas/{persona}/?status={status}")
    assert page.input_value("#cm-filter-status") == status
    cards = page.eval_on_selector_all(
        ".cm-lane [data-cm-item]",
        "items => items.filter(i => !i.hidden).map(i => i.dataset.status)")
    assert cards == [status] * expected
    counts = page.eval_on_selector_all("[data-cm-all]", "els => els.map(e => +e.textContent)")
    assert sum(counts) == expected
    page.select_option("#cm-filter-status", "")
    assert urlsplit(page.url).query == ""
    counts = page.eval_on_selector_all("[data-cm-all]", "els => els.map(e => +e.textContent)")
    assert sum(counts) == sum(len(p["stages"]) for p in mine)


def test_a_cell_link_leads_to_its_pieces(open_page, example_url, report):
    titles = {p["path"]: p["title"] for p in report["pieces"]}
    cell = max(report["matrix"], key=lambda c: (c["count"] + c["in_progress"], key(c)))
    page, _ = open_page(example_url + "content-map/")
    with page.expect_navigation():
        page.click(f"td[data-cm-cell='{key(cell)}'] a")
    url = urlsplit(page.url)
    assert url.path == f"/content-map/personas/{cell['persona']}/"
    anchor = f"{cell['journey']}_{cell['stage']}"
    assert url.fragment == anchor
    assert page.evaluate("document.querySelector(':target').id") == anchor
    listed = page.eval_on_selector_all(f"[id='{anchor}'] .cm-piece__title",
                                       "links => links.map(a => a.textContent)")
    expected = [titles[p] for p in cell["pieces"] + cell["in_progress_pieces"]]
    assert sorted(listed) == sorted(expected) and listed
    assert page.is_visible(f"[id='{anchor}'] .cm-piece__title")


def test_a_filtered_cell_link_keeps_the_filter(open_page, example_url, report):
    page, _ = open_page(example_url + "content-map/?status=published")
    cell = next(c for c in report["matrix"] if c["count"])
    with page.expect_navigation():
        page.click(f"td[data-cm-cell='{key(cell)}'] a")
    assert parse_qs(urlsplit(page.url).query) == {"status": ["published"]}
    assert page.input_value("#cm-filter-status") == "published"


def test_every_map_page_loads_without_errors(open_page, example_url, report):
    paths = ["content-map/", "content-map/gaps/", "content-map/attention/",
             "guides/pilot-checklist/"]
    paths += [f"content-map/personas/{p['id']}/" for p in report["personas"]]
    paths += [f"content-map/stages/{j['id']}/{s['id']}/" for j in report["journeys"]
              for s in j["stages"]]
    page, watch = open_page(example_url + paths[0])
    for path in paths[1:]:
        response = page.goto(example_url + path)
        assert response is not None and response.ok, path
        assert page.locator(".cm").count() >= 1, path
    # Only the theme's web fonts ever leave the machine; the map needs no CDN.
    assert watch.external <= {"fonts.googleapis.com", "fonts.gstatic.com"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations_in_the_map(open_page, example_url, report, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    persona = report["personas"][0]["id"]
    journey = report["journeys"][0]
    paths = ["content-map/", f"content-map/personas/{persona}/",
             f"content-map/stages/{journey['id']}/{journey['stages'][0]['id']}/",
             "content-map/gaps/", "content-map/attention/", "guides/pilot-checklist/"]
    page, _ = open_page(example_url + paths[0], scheme=scheme)
    for path in paths:
        page.goto(example_url + path)
        expected = "slate" if scheme == "dark" else "default"
        assert page.get_attribute("body", "data-md-color-scheme") == expected
        assert page.locator(".cm").count() >= 1
        results = axe.run(page, context=".cm")
        assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"


def test_the_mkdocs_theme_filters_and_passes_axe(open_page, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    # highlight.js comes from a CDN in this theme; the map needs none.
    config = copy_example(tmp_path, theme={"name": "mkdocs", "highlightjs": False})
    site = build(config, tmp_path / "site", "--strict")
    with serve(site) as url:
        page, _ = open_page(url + "content-map/?status=published")
        assert page.input_value("#cm-filter-status") == "published"
        assert all(r["status"] == "published" for r in visible_rows(page))
        for path in ("content-map/", "content-map/personas/cfo/", "content-map/attention/",
                     "guides/pilot-checklist/"):
            page.goto(url + path)
            results = Axe().run(page, context=".cm")
            assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"


def test_no_javascript_shows_everything(browser, example_url, report):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.route(lambda url: not url.startswith(example_url), lambda route: route.abort())
        page.goto(example_url + "content-map/?owner=nobody")
        assert not page.is_visible("form[data-cm-filters]")
        assert len(visible_rows(page)) == len(report["pieces"])
    finally:
        context.close()


EVIL = "<img src=x onerror=alert(1)>"


def test_html_in_a_persona_never_runs(open_page, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "evil.yml").write_text(yaml.safe_dump({
        "name": EVIL,
        "summary": "[docs](javascript:alert(2)) javascript:alert(3) <script>alert(4)</script>",
        "goals": [EVIL], "stages": {"awareness": {"emotion": EVIL}},
    }), "utf-8")
    (tmp_path / "docs" / "index.md").write_text("# Home\n", "utf-8")
    (tmp_path / "docs" / "page.md").write_text(
        "---\ntitle: A page\npersonas: [evil]\nstage: awareness\n"
        f"owner: {yaml.safe_dump(EVIL).splitlines()[0]}\n---\n# A page\n", "utf-8")
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump({
        "site_name": "Evil", "docs_dir": "docs", "theme": {"name": "material"},
        "plugins": ["search", {"content-map": {"fail_on": "never"}}]}), "utf-8")
    site = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    with serve(site) as url:
        page, watch = open_page(url + "content-map/")
        for path in ("content-map/", "content-map/personas/evil/", "content-map/gaps/",
                     "content-map/stages/buyer/awareness/", "page/"):
            page.goto(url + path)
            page.wait_for_timeout(100)
            assert page.locator("img[src='x']").count() == 0, path
            assert page.evaluate("""[...document.querySelectorAll('a[href]')]
                .filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length""") == 0
            if "gaps" not in path:
                assert EVIL in page.inner_text("body"), path  # shown as text
        # The search results render titles and text as HTML: still only text.
        page.goto(url + "content-map/personas/evil/")
        page.click("input.md-search__input")
        page.locator("input.md-search__input").press_sequentially("onerror", delay=30)
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        page.wait_for_timeout(300)
        assert page.locator(".md-search-result img[src='x']").count() == 0
        assert EVIL in page.inner_text(".md-search-result__list")
        assert watch.dialogs == []


def screenshot(page: Any, path: Path, bottom_selector: str, width: int = 1400) -> None:
    """The page from the top to the bottom of the last `bottom_selector`, in one viewport
    (a viewport as tall as the shot keeps the theme's sticky header and sidebar in place)."""
    bottom = page.evaluate(f"""Math.max(...[...document.querySelectorAll({bottom_selector!r})]
        .map(e => e.getBoundingClientRect().bottom + window.scrollY))""")
    height = int(min(bottom + 32, 3000))
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(200)
    page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": width, "height": height})
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, path


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_for_the_readme(open_page, example_url, scheme):
    """The README shows these: the overview and a persona page, light and dark."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, _ = open_page(example_url + "content-map/", scheme=scheme, width=1400, height=1000)
    screenshot(page, SCREENSHOTS / f"overview-{scheme}.png", ".cm-matrix")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(example_url + "content-map/personas/cfo/")
    screenshot(page, SCREENSHOTS / f"persona-{scheme}.png", ".cm-lane")
