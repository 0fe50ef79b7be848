"""Journey flow, Needs attention, results and segments in a real browser.

Two sites: the bundled example as it ships, and a variant of it with the faults the map
must show — a missing `next` in the middle of Tomás's buyer journey, a stale page and two
pages due for review — and the matrix coloured by views.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from .conftest import REPO, SCREENSHOTS, build, check_report, copy_example, serve

pytestmark = pytest.mark.browser

BROKEN_PAGE = "guides/quarterly-access-reviews.md"
BROKEN_LINK = "next: [customers/it-reference-programme.md]\n"
TODAY = dt.date.today()
REVIEW_DATES = {  # page -> new review_by in the variant
    "guides/pilot-checklist.md": TODAY - dt.timedelta(days=10),  # stale
    "playbooks/auto-match-coaching.md": TODAY + dt.timedelta(days=5),  # due
    "help/bank-feeds.md": TODAY + dt.timedelta(days=20),  # due
}


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("variant")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text("utf-8"))
    plugins = config["plugins"]
    for entry in plugins:
        if isinstance(entry, dict) and "content-map" in entry:
            entry["content-map"]["metrics"]["color_by"] = "views"
    path = copy_example(root, plugins=plugins)
    page = root / "content" / BROKEN_PAGE
    text = page.read_text("utf-8")
    assert BROKEN_LINK in text
    page.write_text(text.replace(BROKEN_LINK, ""), "utf-8")
    for name, when in REVIEW_DATES.items():
        page = root / "content" / name
        lines = [f"review_by: {when.isoformat()}" if line.startswith("review_by:") else line
                 for line in page.read_text("utf-8").split("\n")]
        page.write_text("\n".join(lines), "utf-8")
    site = build(path, root / "site")  # warnings (stale, dead-end, journey-break): no --strict
    model = json.loads((site / "content-map" / "content-map.json").read_text("utf-8"))
    with serve(site) as url:
        yield {"url": url, "report": check_report(path), "model": model}


def heading(page: Any) -> str:
    return (page.text_content("h1") or "").rstrip("¶").strip()  # without the permalink


def node_paths(page: Any, journey: str) -> list[str]:
    return page.eval_on_selector_all(
        f"figure[data-cm-flow='{journey}'] a[data-cm-node]",
        "nodes => nodes.map(n => n.getAttribute('data-cm-node'))")


# --- the journey flow ------------------------------------------------------------------


def test_the_flow_draws_every_piece_and_next_link_and_its_nodes_lead_to_the_pieces(
        open_page, example_url, report):
    persona, journey = "it-admin", "buyer"
    stages = [s["id"] for j in report["journeys"] if j["id"] == journey for s in j["stages"]]
    drawn = {"published", "planned", "draft", "review"}
    mine = {p["path"]: p for p in report["pieces"]
            if persona in p["personas"] and p["status"] in drawn
            and any(s.split("/")[0] == journey for s in p["stages"])}
    expected_edges = {(p["path"], n) for p in mine.values() for n in p["next"] if n in mine}
    assert len(mine) >= 4 and len(expected_edges) >= 3

    page, _ = open_page(example_url + f"content-map/personas/{persona}/")
    figure = page.locator(f"figure[data-cm-flow='{journey}']")
    assert figure.is_visible()
    assert sorted(node_paths(page, journey)) == sorted(mine)
    columns = page.eval_on_selector_all(
        f"figure[data-cm-flow='{journey}'] a[data-cm-node]",
        "nodes => nodes.map(n => [n.getAttribute('data-cm-node'), n.dataset.stage,"
        " n.getBoundingClientRect().width, n.getBoundingClientRect().height])")
    for path, stage, width, height in columns:
        first = min(stages.index(s.split("/")[1]) for s in mine[path]["stages"]
                    if s.startswith(journey + "/"))
        assert stage == stages[first], path
        assert width > 40 and height > 20, path  # drawn, not just present
    edges = page.eval_on_selector_all(
        f"figure[data-cm-flow='{journey}'] path[data-from]",
        "paths => paths.map(p => [p.dataset.from, p.dataset.to, p.getTotalLength()])")
    assert {(a, b) for a, b, _ in edges} == expected_edges
    assert all(length > 10 for _, _, length in edges)
    walk = next(w for w in report["continuity"]
                if (w["persona"], w["journey"]) == (persona, journey))
    on_walk = page.eval_on_selector_all(
        f"figure[data-cm-flow='{journey}'] path.cm-flow__edge--walk",
        "paths => paths.map(p => [p.dataset.from, p.dataset.to])")
    assert [tuple(e) for e in on_walk] == list(zip(walk["path"], walk["path"][1:], strict=False))

    target = sorted(mine)[0]
    with page.expect_navigation():
        page.click(f"figure[data-cm-flow='{journey}'] a[data-cm-node='{target}']")
    assert urlsplit(page.url).path == "/" + target[: -len(".md")] + "/"
    assert heading(page) == mine[target]["title"]


def test_the_flow_list_says_the_same_and_its_links_work(open_page, example_url, report):
    page, _ = open_page(example_url + "content-map/personas/controller/")
    details = page.locator("figure[data-cm-flow='buyer'] details.cm-flow__list")
    assert not details.locator("ol").is_visible()
    details.locator("summary").click()
    links = details.locator("ol a")
    assert links.count() >= len(node_paths(page, "buyer"))
    first = links.first
    title = first.text_content()
    with page.expect_navigation():
        first.click()
    assert heading(page) == title


def test_a_broken_chain_is_drawn_as_broken_and_the_example_draws_none(
        open_page, example_url, report, variant):
    assert not [f for f in report["findings"] if f["rule"] in ("journey-break", "dead-end")]
    page, _ = open_page(example_url + "content-map/")
    for persona in [p["id"] for p in report["personas"]]:
        page.goto(example_url + f"content-map/personas/{persona}/")
        states = page.eval_on_selector_all("figure[data-cm-flow]",
                                           "fs => fs.map(f => f.dataset.continuous)")
        assert states and set(states) == {"true"}, persona
        assert page.locator("[data-dead-end], [data-cm-break], [data-stop]").count() == 0
        assert "A reader can walk from" in page.text_content("figure[data-cm-flow] figcaption")

    breaks = [f for f in variant["report"]["findings"] if f["rule"] == "journey-break"]
    assert [(f["persona"], f["journey"], f["stage"]) for f in breaks] == \
        [("it-admin", "buyer", "retention")]
    page, _ = open_page(variant["url"] + "content-map/personas/it-admin/")
    figure = page.locator("figure[data-cm-flow='buyer']")
    assert figure.get_attribute("data-continuous") == "false"
    stop = figure.locator("a[data-stop]")
    assert stop.count() == 1 and stop.get_attribute("data-cm-node") == BROKEN_PAGE
    assert stop.get_attribute("data-dead-end") is not None
    assert stop.is_visible() and "no next step" in stop.text_content()
    cut = figure.locator("[data-cm-break]")
    assert cut.is_visible() and "break" in cut.text_content()
    verdict = " ".join(figure.locator("figcaption").text_content().split())
    assert f"Readers stop at Retention ({BROKEN_PAGE})" in verdict
    assert "No next step (1 piece)" in figure.locator(".cm-flow__problems").text_content()
    assert page.get_attribute("figure[data-cm-flow='support']", "data-continuous") == "true"
    page.goto(variant["url"] + "content-map/")
    cell = page.locator("td[data-cm-walk='it-admin/buyer']")
    assert "breaks at Retention" in cell.text_content()
    with page.expect_navigation():
        cell.locator("a").click()
    assert urlsplit(page.url).fragment == "flow-buyer"
    assert page.evaluate("document.querySelector(':target').dataset.cmFlow") == "buyer"


# --- results -------------------------------------------------------------------------


def csv_figures(report: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The example's metrics file by piece path, read here without the tool's code."""
    out: dict[str, dict[str, float]] = {}
    with open(REPO / "analytics" / "metrics.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            page = row.pop("page").strip("/")
            path = page if page.endswith(".md") else page + ".md"
            assert path in {p["path"] for p in report["pieces"]}, path
            out[path] = {k: float(v) for k, v in row.items() if v}
    return out


def sums_and_means(rows: list[dict[str, float]]) -> dict[str, float]:
    views = sum(r["views"] for r in rows)
    out = {"views": views, "conversions": sum(r["conversions"] for r in rows)}
    for name in ("avg_time_on_page", "bounce_rate", "rating"):
        out[name] = sum(r[name] * r["views"] for r in rows) / views
    return out


def written(metric: str, value: float) -> str:
    half_up = int(value + 0.5)
    if metric == "avg_time_on_page":
        return f"{half_up // 60}m {half_up % 60:02d}s"
    if metric == "bounce_rate":
        return f"{int(value * 1000 + 0.5) / 10:.1f}%"
    if metric == "rating":
        return f"{int(value * 10 + 0.5) / 10:.1f}"
    return f"{half_up:,}"


def headline(page: Any) -> dict[str, tuple[str, float]]:
    return {item[0]: (item[1], float(item[2])) for item in page.eval_on_selector_all(
        "li[data-cm-result] [data-cm-fig='*']",
        "els => els.map(e => [e.dataset.cmMetric, e.textContent, e.dataset.cmValue])")}


def test_overview_figures_equal_the_csv_sums_and_means_and_follow_a_filter(
        open_page, example_url, report):
    figures = csv_figures(report)
    counting = {p for cell in report["matrix"] for p in cell["pieces"]}
    expected = sums_and_means([f for path, f in figures.items() if path in counting])
    page, _ = open_page(example_url + "content-map/")
    shown = headline(page)
    assert set(shown) == set(expected)
    for metric, value in expected.items():
        text, raw = shown[metric]
        assert abs(raw - value) < 1e-9, metric
        assert text == written(metric, value), metric

    cells = {c["key"]: c for c in page.eval_on_selector_all(
        "td[data-cm-cell] [data-cm-fig]",
        "els => els.map(e => ({key: e.closest('td').dataset.cmCell, metric: e.dataset.cmMetric,"
        " text: e.textContent, value: +e.dataset.cmValue}))")}
    assert len(cells) >= 20
    for cell in report["matrix"]:
        key = f"{cell['persona']}/{cell['journey']}/{cell['stage']}"
        rows = [figures[p] for p in cell["pieces"] if p in figures]
        if not rows:
            assert key not in cells
            continue
        assert cells[key]["metric"] == "views"
        assert cells[key]["value"] == sum(r["views"] for r in rows), key
        assert cells[key]["text"] == written("views", cells[key]["value"])

    # A filter recomputes the figures in the browser, the same way.
    owner = "dana"
    theirs = [figures[p["path"]] for p in report["pieces"]
              if p["owner"] == owner and p["path"] in counting and p["path"] in figures]
    assert 0 < len(theirs) < len(counting)
    page.select_option("#cm-filter-owner", owner)
    filtered = headline(page)
    for metric, value in sums_and_means(theirs).items():
        assert filtered[metric][0] == written(metric, value), metric
    page.select_option("#cm-filter-owner", "")
    assert headline(page) == shown


def test_the_matrix_coloured_by_views_shows_the_number_and_a_key(open_page, variant):
    page, _ = open_page(variant["url"] + "content-map/")
    cells = page.eval_on_selector_all("td[data-quantile]", """tds => tds.map(td => ({
        q: +td.dataset.quantile, value: +td.querySelector('[data-cm-fig]').dataset.cmValue,
        text: td.querySelector('[data-cm-fig]').textContent,
        background: getComputedStyle(td).backgroundColor}))""")
    assert {c["q"] for c in cells} == {0, 1, 2, 3}
    by_q = defaultdict(list)
    for cell in cells:
        by_q[cell["q"]].append(cell["value"])
        assert cell["text"] == written("views", cell["value"])
    assert max(by_q[0]) <= min(by_q[1]) and max(by_q[2]) <= min(by_q[3])
    assert len({c["background"] for c in cells}) == 4
    legend = page.text_content("[data-cm-colour-legend]")
    assert "Cells coloured by views" in legend and "Top quarter" in legend


# --- segments ------------------------------------------------------------------------


def test_grouping_personas_by_a_segment_is_kept_in_the_url(open_page, example_url, report):
    frequency = {p["id"]: p["frequency"] for p in report["personas"]}
    page, _ = open_page(example_url + "content-map/")
    page.select_option("#cm-group", "frequency")
    assert parse_qs(urlsplit(page.url).query) == {"group": ["frequency"]}

    def layout() -> list[tuple[str, str]]:  # the rows of the first journey's table
        return [tuple(row) for row in page.evaluate(
            "[...document.querySelector('table.cm-matrix > tbody').rows]"
            ".map(r => r.dataset.cmGroupHead !== undefined"
            " ? ['head', r.textContent] : ['row', r.dataset.cmPersona])")]

    rows = layout()
    heads = [text for kind, text in rows if kind == "head"]
    assert heads == ["Visits: occasional", "Visits: frequent"]
    current = None
    for kind, value in rows:
        if kind == "head":
            current = value.rsplit(" ", 1)[-1]
        else:
            assert frequency[value] == current, value
    page.reload()
    assert page.input_value("#cm-group") == "frequency"
    assert layout() == rows
    page.select_option("#cm-filter-type", "internal")
    visible = page.eval_on_selector_all(
        "tr[data-cm-persona]", "rows => rows.filter(r => !r.hidden).map(r => r.dataset.cmPersona)")
    assert visible and {p["id"] for p in report["personas"] if p["type"] == "internal"} == \
        set(visible)
    page.click("form[data-cm-filters] button[type=reset]")
    page.wait_for_function("() => !location.search")
    assert page.locator("tr[data-cm-group-head]").count() == 0


# --- needs attention ------------------------------------------------------------------


def visible_in(page: Any, selector: str, attribute: str) -> list[str]:
    return page.eval_on_selector_all(
        selector, f"els => els.filter(e => e.offsetParent !== null)"
                  f".map(e => e.getAttribute('{attribute}'))")


def visible_pieces(page: Any, selector: str, report: dict[str, Any]) -> list[dict[str, Any]]:
    """The pieces of the cards `selector` finds that are shown, from the check report."""
    titles = page.eval_on_selector_all(
        selector, "els => els.filter(e => e.offsetParent !== null)"
                  ".map(e => e.querySelector('.cm-piece__title').textContent)")
    by_title = {p["title"]: p for p in report["pieces"]}
    return [by_title[title] for title in titles]


def test_needs_attention_filters_change_what_is_shown_and_the_url(open_page, variant):
    page, _ = open_page(variant["url"] + "content-map/attention/")
    review_titles = page.eval_on_selector_all(
        "section[data-cm-group^='r:'] .cm-piece__title", "as => as.map(a => a.textContent)")
    assert len(review_titles) == len(REVIEW_DATES)
    owners = visible_in(page, "section[data-cm-group^='r:'] h3", "id")
    assert len(owners) == 3
    notes = page.eval_on_selector_all("section[data-cm-group^='r:'] .cm-piece__note",
                                      "els => els.map(e => e.textContent)")
    assert sorted(n.split(" ")[1] for n in notes) == ["due", "due", "stale"], notes
    all_holders = visible_in(page, "table.cm-holds tbody tr", "data-cm-group")
    assert len(all_holders) == 5

    page.select_option("#cm-filter-owner", "priya")
    assert parse_qs(urlsplit(page.url).query) == {"owner": ["priya"]}

    report = variant["model"]  # pieces and personas

    def owners(selector: str) -> list[str]:
        return [p["owner"] for p in visible_pieces(page, selector, report)]

    def owner_view() -> None:
        assert owners("section[data-cm-group^='r:'] li[data-cm-item]") == ["priya"]
        assert len(visible_in(page, "table.cm-holds tbody tr", "data-cm-group")) == 1
        held = owners("section[data-cm-group^='h:'] li[data-cm-item]")
        assert set(held) == {"priya"}
        assert len(held) == sum(p["owner"] == "priya" for p in report["pieces"])
        assert page.text_content("[data-cm-all='r-stale']") == "1"
        assert page.text_content("[data-cm-all='r-due']") == "0"
        assert "owner priya" in page.text_content("[data-cm-status]")

    owner_view()
    page.reload()
    assert page.input_value("#cm-filter-owner") == "priya"
    owner_view()

    page.select_option("#cm-filter-owner", "")
    page.select_option("#cm-filter-type", "internal")
    assert parse_qs(urlsplit(page.url).query) == {"type": ["internal"]}
    assert owners("section[data-cm-group^='r:'] li[data-cm-item]") == ["mia"]
    # The CFO's waived gap is an external persona's cell: its work is hidden.
    assert visible_in(page, "section[data-cm-group^='w:']", "data-cm-group") == []
    assert page.is_visible("[data-cm-empty='w']")
    internal = {p["id"] for p in report["personas"] if p["type"] == "internal"}
    held = visible_pieces(page, "section[data-cm-group^='h:'] li[data-cm-item]", report)
    assert held and all(internal & set(p["personas"]) for p in held)
    page.click("form[data-cm-filters] button[type=reset]")
    page.wait_for_function("() => !location.search")
    assert len(visible_in(page, "table.cm-holds tbody tr", "data-cm-group")) == 5
    assert len(visible_in(page, "section[data-cm-group^='w:']", "data-cm-group")) == 1


def test_a_filtered_overview_leads_to_a_filtered_attention_page(open_page, variant):
    page, _ = open_page(variant["url"] + "content-map/?owner=mia")
    with page.expect_navigation():
        page.click("[data-cm-review-figure] a")
    assert urlsplit(page.url).path == "/content-map/attention/"
    assert page.input_value("#cm-filter-owner") == "mia"


# --- accessibility and screenshots ---------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations_on_the_new_views(open_page, variant, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    paths = ["content-map/", "content-map/attention/", "content-map/personas/it-admin/",
             "content-map/personas/support-agent/",
             "content-map/attention/?owner=priya", "content-map/?group=type&type=external"]
    page, _ = open_page(variant["url"] + paths[0], scheme=scheme)
    for path in paths:
        page.goto(variant["url"] + path)
        expected = "slate" if scheme == "dark" else "default"
        assert page.get_attribute("body", "data-md-color-scheme") == expected
        if page.locator("details.cm-flow__list").count():
            page.locator("details.cm-flow__list summary").first.click()  # the list, open
        results = axe.run(page, context=".cm")
        assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_flow_and_needs_attention(open_page, variant, scheme):
    """The README shows these: a broken journey flow, and the Needs attention page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, _ = open_page(variant["url"] + "content-map/personas/it-admin/", scheme=scheme,
                        width=1400, height=1000)
    figure = page.locator("figure[data-cm-flow='buyer']")
    figure.scroll_into_view_if_needed()
    shot = SCREENSHOTS / f"flow-{scheme}.png"
    figure.screenshot(path=str(shot))
    page.goto(variant["url"] + "content-map/attention/")
    bottom = page.evaluate("""document.querySelector('table.cm-holds')
        .getBoundingClientRect().bottom + window.scrollY""")
    page.set_viewport_size({"width": 1400, "height": int(bottom + 32)})
    page.wait_for_timeout(200)
    attention = SCREENSHOTS / f"attention-{scheme}.png"
    page.screenshot(path=str(attention))
    for path in (shot, attention):
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, path
