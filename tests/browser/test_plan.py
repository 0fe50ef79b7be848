"""The plan page in Chromium, on the bundled example with two dated drafts added (one
overdue) and a git history of two days: work ordered by due date, overdue marked in
words, the owner filter ("my work") kept in the URL, and the trend on the overview; no
page scrolls sideways on a phone, and axe finds nothing in light and dark."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from test_history import git

from .conftest import build, copy_example, serve

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("git") is None, reason="needs git")]

PHONE, DESKTOP = (390, 844), (1440, 900)
TODAY = dt.date.today()
PAGES = ("content-map/plan/", "content-map/", "content-map/personas/cfo/")


def _draft(title: str, owner: str, due: dt.date, stage: str) -> str:
    return (f"---\ntitle: {title}\npersonas: [cfo]\nstage: {stage}\nstatus: draft\n"
            f"owner: {owner}\ndue: {due.isoformat()}\n---\n# {title}\n")


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("planned")
    config = copy_example(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the example", when="2026-09-01T10:00:00+00:00")
    (root / "content" / "late-story.md").write_text(
        _draft("Late customer story", "dana", TODAY - dt.timedelta(days=20), "advocacy"))
    (root / "content" / "soon-guide.md").write_text(
        _draft("Upcoming pricing guide", "leo", TODAY + dt.timedelta(days=40), "decision"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "two drafts", when="2026-09-15T10:00:00+00:00")
    site = build(config, root / "site")
    with serve(site) as url:
        yield url


def ready(page: Any) -> None:
    page.wait_for_selector("[data-cm-root][data-cm-ready]", state="attached")


def items(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all("li.cm-plan__item", """els => els.map(e => ({
        title: e.querySelector('.cm-piece__title').textContent, due: e.dataset.due || null,
        owner: e.dataset.owner || null, overdue: e.hasAttribute('data-overdue'),
        text: e.textContent, visible: e.offsetParent !== null}))""")


def test_work_is_ordered_by_due_date_and_overdue_is_marked(open_page, planned):
    page, _ = open_page(planned + "content-map/plan/")
    ready(page)
    found = items(page)
    dues = [i["due"] for i in found if i["due"]]
    assert dues == sorted(dues) and len(dues) >= 6
    late = [i for i in found if i["overdue"]]
    assert [i["title"] for i in late] == ["Late customer story"]
    assert "Overdue: was due" in late[0]["text"] and "20 days ago" in late[0]["text"]
    assert all(i["due"] < TODAY.isoformat() for i in late)
    assert all(i["due"] >= TODAY.isoformat() for i in found if i["due"] and not i["overdue"])
    assert found[0]["title"] == "Late customer story"  # the earliest date comes first
    assert page.is_visible("text=1 overdue")
    # The marking is in words and a symbol, not in colour only.
    assert page.eval_on_selector(".cm-plan__item--overdue .cm-plan__overdue",
                                 "e => e.textContent.includes('Overdue')")


def test_the_owner_filter_shows_my_work_and_lives_in_the_url(open_page, planned):
    page, _ = open_page(planned + "content-map/plan/")
    ready(page)
    everyone = items(page)
    page.select_option("#cm-filter-owner", "dana")
    shown = [i for i in items(page) if i["visible"]]
    assert shown and all(i["owner"] == "dana" for i in shown)
    assert len(shown) == sum(i["owner"] == "dana" for i in everyone)
    assert "owner=dana" in page.url
    # A period with none of Dana's work is hidden with its heading.
    hidden = page.eval_on_selector_all(
        "li.cm-plan__period", "els => els.filter(e => e.hidden).length")
    assert hidden >= 1
    page.reload()
    ready(page)
    assert page.input_value("#cm-filter-owner") == "dana"
    assert all(i["owner"] == "dana" for i in items(page) if i["visible"])
    page.select_option("#cm-filter-owner", "")
    assert sum(i["visible"] for i in items(page)) == len(everyone)


def test_the_trend_is_drawn_from_the_history(open_page, planned):
    page, _ = open_page(planned + "content-map/")
    assert page.eval_on_selector("svg.cm-trend__svg polyline.cm-trend__coverage",
                                 "e => e.getAttribute('points').split(' ').length") == 2
    assert page.is_visible("h2#cm-history-title")
    with urllib.request.urlopen(planned + "content-map/content-map.json") as response:
        history = json.load(response)["history"]
    assert [p["date"] for p in history["points"]] == ["2026-09-01", "2026-09-15"]


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_sideways_scroll(open_page, planned, size):
    page, _ = open_page(planned + PAGES[0], width=size[0], height=size[1])
    for path in PAGES:
        page.goto(planned + path)
        wide, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert wide <= inner, f"{path} at {size[0]} px is {wide} px wide"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_nothing(open_page, planned, scheme, size):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page, _ = open_page(planned + PAGES[0], scheme=scheme, width=size[0], height=size[1])
    for path in PAGES:
        page.goto(planned + path)
        results = axe.run(page, context=".cm")
        assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"
