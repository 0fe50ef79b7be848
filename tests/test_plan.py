"""The plan page (work not yet published by due date, overdue marked, the gap each piece
would close, the forecast), the spreadsheets beside `content-map.json` (the same as
`export`'s), and the trend the build draws from git."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import Site, cli, minimal_site
from content_map.engine import Project, analyse
from content_map.settings import from_options
from content_map.site.plan import forecast
from content_map.site.renderer import Renderer

TODAY = dt.date(2027, 3, 10)


def planned_site(site: Site, options: dict | None = None) -> Site:
    """Two personas; Rita is covered everywhere but advocacy, Olivia only at awareness.
    Work under way: one overdue, two due later, one with no date, one published."""
    minimal_site(site, options)
    (site.root / "docs" / "advocacy.md").unlink()
    site.write("personas/ops.yml", "name: Olivia Ops\n")
    site.write("docs/ops-aware.md", "---\npersonas: [ops]\nstage: awareness\n---\n# A\n")

    def draft(name: str, *lines: str) -> None:
        site.write(f"docs/{name}.md", "---\n" + "\n".join(lines) + "\n---\n# Draft\n")

    draft("late", "title: Late story", "personas: [reader]", "stage: advocacy",
          "status: draft", "owner: dana", "due: 2027-02-20")
    draft("soon", "title: Soon guide", "personas: [ops]", "stage: consideration",
          "status: review", "owner: leo", "due: 2027-04-02")
    draft("later", "title: Later checklist", "personas: [ops]", "stage: decision",
          "status: planned", "owner: dana", "due: 2027-06-15")
    draft("someday", "title: Someday idea", "personas: [ops]", "stage: retention",
          "status: idea")
    draft("done", "title: Done already", "personas: [ops]", "stage: retention",
          "due: 2027-01-01")  # published: not on the plan
    return site


def plan_html(site: Site, today: dt.date = TODAY) -> lxml_html.HtmlElement:
    settings = from_options({})
    analysis = analyse(Project(site.root, site.root / "docs", settings), today=today).analysis
    renderer = Renderer(analysis, settings)
    (page,) = [p for p in renderer.pages() if p.kind == "plan"]
    return lxml_html.fromstring(renderer.render(page).html)


def test_the_plan_orders_work_by_due_date_and_marks_what_is_overdue(site: Site) -> None:
    root = plan_html(planned_site(site))
    items = root.xpath("//li[contains(@class, 'cm-plan__item')]")
    titles = [i.xpath(".//a[@class='cm-piece__title']")[0].text for i in items]
    assert titles == ["Late story", "Soon guide", "Later checklist", "Someday idea"]
    periods = [h.text_content().split(" ·")[0]
               for h in root.xpath("//li[contains(@class, 'cm-plan__period')]/h3")]
    assert periods == ["February 2027", "April 2027", "June 2027"]
    overdue = [i for i in items if i.get("data-overdue") is not None]
    assert [i.get("data-owner") for i in overdue] == ["dana"]
    text = overdue[0].text_content()
    assert "Overdue: was due 2027-02-20, 18 days ago" in text
    assert "Would close: Rita Reader at Advocacy (0 published, target 1)" in text
    soon = items[1].text_content()
    assert "Due 2027-04-02, in 23 days" in soon and "Olivia Ops at Consideration" in soon
    assert "no due date" in items[3].text_content()
    lede = root.xpath("//p[@class='cm-lede']")[0].text_content()
    assert "4 pieces not yet published" in lede and "1 overdue (dana)" in lede
    assert root.xpath("//nav[@class='cm-tabs']/a[@aria-current='page']")[0].text == "Plan"
    # The owner filter ("my work") offers every owner; its state lives in the URL.
    owners = [o.get("value") for o in root.xpath("//select[@id='cm-filter-owner']/option")]
    assert owners == ["", "dana", "leo"]


def test_weeks_when_the_dates_are_close(site: Site) -> None:
    planned_site(site)
    (site.root / "docs" / "later.md").unlink()
    root = plan_html(site)
    labels = [h.text_content() for h in root.xpath("//li[contains(@class, 'cm-plan__period')]/h3")]
    assert labels[0].startswith("Week of 15 February 2027")
    assert any(label.startswith("Week of 29 March 2027") for label in labels)


def test_the_forecast_closes_gaps_month_by_month(site: Site) -> None:
    planned_site(site)
    settings = from_options({})
    analysis = analyse(Project(site.root, site.root / "docs", settings), today=TODAY).analysis
    months = forecast(analysis)
    assert [m.month for m in months] == ["March 2027", "April 2027", "May 2027", "June 2027"]
    cells = [c for c in analysis.cells if c.state != "skipped"]
    assert len(cells) == 10 and sum(c.state == "covered" for c in cells) == 6
    # March: the overdue piece lands; April: Olivia's consideration; June: her decision.
    assert [(round(m.coverage, 2), m.gaps, m.landing) for m in months] == [
        (0.7, 3, 1), (0.8, 2, 1), (0.8, 2, 0), (0.9, 1, 1)]
    root = plan_html(site)
    rows = [[td.text for td in tr.xpath("td")]
            for tr in root.xpath("//table[contains(@class, 'cm-forecast')]/tbody/tr")]
    assert rows[0] == ["March 2027", "70%", "3", "1"]
    assert root.xpath("//*[@id='cm-forecast']//*[local-name()='polyline']"
                      "[@class='cm-trend__coverage']")


def test_nothing_planned(site: Site) -> None:
    root = plan_html(minimal_site(site))
    assert "Nothing is planned" in root.xpath("//p[@class='cm-lede']")[0].text_content()
    assert "nothing to forecast" in root.text_content()


def test_the_sites_spreadsheets_equal_the_export(site: Site) -> None:
    planned_site(site, {"fail_on": "never"})
    site.write("docs/evil.md", "---\ntitle: '=HYPERLINK(\"http://x\")'\npersonas: [ops]\n"
               "stage: advocacy\nowner: '+cmd'\n---\n")
    run = site.build()
    assert run.code == 0, run.err[-3000:]
    out = site.root / "site" / "content-map"
    config = str(site.root / "mkdocs.yml")
    pieces = cli(["export", "-f", config, "--format", "csv"]).out
    cells = cli(["export", "-f", config, "--format", "csv", "--table", "cells"]).out
    assert (out / "pieces.csv").read_text(encoding="utf-8") == pieces
    assert (out / "cells.csv").read_text(encoding="utf-8") == cells
    assert "'=HYPERLINK" in pieces and "'+cmd" in pieces  # no formula reaches a spreadsheet
    for page in ("index.html", "plan/index.html", "personas/ops/index.html"):
        root = lxml_html.fromstring((out / page).read_text(encoding="utf-8"))
        (link,) = [a for a in root.xpath("//a[@download]")
                   if a.text == "Download as a spreadsheet"]
        assert (out / page).parent.joinpath(link.get("href")).resolve() == \
            (out / "pieces.csv").resolve()


def test_no_spreadsheets_without_the_export(site: Site) -> None:
    planned_site(site, {"export": False, "fail_on": "never"})
    assert site.build().code == 0
    out = site.root / "site" / "content-map"
    assert not (out / "pieces.csv").exists() and not (out / "content-map.json").exists()
    assert "Download as a spreadsheet" not in (out / "plan" / "index.html").read_text()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_build_draws_the_trend_from_git(site: Site) -> None:
    from test_history import Repo, page

    repo = Repo(site, site.root.parent / "snapshots")
    (site.root.parent / "snapshots").mkdir(exist_ok=True)
    site.config()
    site.write("personas/cfo.yml", "name: Catherine\n")
    site.write("docs/index.md", "# Home\n")
    page(site, "aware", "cfo", "awareness")
    repo.commit("2026-10-01T09:00:00+00:00")
    page(site, "decide", "cfo", "decision")
    repo.commit("2026-10-08T09:00:00+00:00")
    page(site, "keep", "cfo", "retention")
    repo.commit("2026-10-15T09:00:00+00:00")
    site.config({"fail_on": "never"})  # not committed: the build reads the history only
    assert site.build().code == 0
    out = site.root / "site" / "content-map"
    history = json.loads((out / "content-map.json").read_text())["history"]
    assert history["complete"] is True
    assert [(p["date"], p["coverage"]) for p in history["points"]] == [
        ("2026-10-01", 0.2), ("2026-10-08", 0.4), ("2026-10-15", 0.6)]
    for page_path, words in (("index.html", "Coverage was 20% on 2026-10-01 and is 60%"),
                             ("personas/cfo/index.html", "Coverage for this persona was 20%")):
        root = lxml_html.fromstring((out / page_path).read_text(encoding="utf-8"))
        (line,) = root.xpath("//*[local-name()='polyline'][@class='cm-trend__coverage']")
        assert len(line.get("points").split()) == 3
        assert words in root.xpath("//section[@class='cm-history']")[0].text_content()
    assert not list(Path(site.root, "site").rglob("*.cdn*"))
