"""The `due` field and the `overdue` rule: a piece not yet published whose `due` date has
passed, named with its owner; `review_by` stays the published pieces' date."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import Site, cli, minimal_site
from content_map.model import Piece, StageRef
from content_map.rules.schedule import is_overdue


def _draft(site: Site, name: str, *lines: str) -> None:
    site.write(f"docs/{name}.md", "---\n" + "\n".join(
        ["personas: [reader]", "stage: decision", *lines]) + "\n---\n\n# Text\n")


def _findings(site: Site, *args: str) -> list[dict]:
    run = site.check("--format", "json", "--today", "2027-03-01", *args)
    assert run.code in (0, 1), run.err
    return [f for f in run.json()["findings"] if f["rule"] == "overdue"]


def test_a_draft_past_its_due_date_is_overdue_and_names_its_owner(site: Site) -> None:
    minimal_site(site)
    _draft(site, "late", "status: draft", "owner: dana", "due: 2027-02-15")
    found = _findings(site)
    assert len(found) == 1
    finding = found[0]
    assert (finding["severity"], finding["file"], finding["line"]) == ("warn", "docs/late.md", 6)
    assert "was due 2027-02-15 (14 days ago)" in finding["message"]
    assert "still draft" in finding["message"]
    assert "its owner is dana" in finding["message"]


def test_no_owner_says_so(site: Site) -> None:
    minimal_site(site)
    _draft(site, "late", "status: planned", "due: 2027-02-28")
    (finding,) = _findings(site)
    assert "(1 day ago)" in finding["message"]
    assert "no owner (set `owner`)" in finding["message"]


@pytest.mark.parametrize("lines", [
    ("status: draft", "due: 2027-03-01"),  # due today: not yet late
    ("status: review", "due: 2027-04-01"),  # due later
    ("status: published", "due: 2027-01-01"),  # published: done
    ("status: retired", "due: 2027-01-01"),  # retired: past caring
    ("status: draft",),  # no date
])
def test_not_overdue(site: Site, lines: tuple[str, ...]) -> None:
    minimal_site(site)
    _draft(site, "x", *lines)
    assert _findings(site) == []


def test_severity_and_field_name_are_configurable(site: Site) -> None:
    minimal_site(site, {"rules": {"overdue": "error"}, "fields": {"due": "deadline"}})
    _draft(site, "late", "status: idea", "owner: lee", "deadline: 2027-01-01")
    _draft(site, "ignored", "status: idea", "due: 2027-01-01")  # not the site's key
    found = _findings(site)
    assert [(f["file"], f["severity"]) for f in found] == [("docs/late.md", "error")]
    assert site.check("--today", "2027-03-01").code == 1


def test_a_due_that_is_not_a_date_is_a_schema_finding(site: Site) -> None:
    minimal_site(site)
    _draft(site, "x", "status: draft", "due: next week")
    run = site.check("--format", "json")
    schema = [f for f in run.json()["findings"] if f["rule"] == "schema"]
    assert [(f["file"], f["line"]) for f in schema] == [("docs/x.md", 5)]
    assert "not a date" in schema[0]["message"]


def test_ignored_rule_fires_nothing(site: Site) -> None:
    minimal_site(site, {"rules": {"overdue": "ignore"}})
    _draft(site, "late", "status: draft", "due: 2020-01-01")
    assert _findings(site) == []


def test_the_rule_explains_itself() -> None:
    run = cli(["rules", "overdue"])
    assert run.code == 0
    assert "default severity: warn" in run.out
    assert "`due`" in run.out and "review_by" in run.out
    assert "overdue" in cli(["rules"]).out


def test_due_is_in_the_exports(site: Site) -> None:
    minimal_site(site)
    _draft(site, "late", "status: draft", "owner: dana", "due: 2027-02-15")
    run = cli(["export", "-f", str(site.root / "mkdocs.yml"), "--today", "2027-03-01"])
    (piece,) = [p for p in run.json()["pieces"] if p["path"] == "late.md"]
    assert piece["due"] == "2027-02-15"
    csv_run = cli(["export", "-f", str(site.root / "mkdocs.yml"), "--format", "csv",
                   "--today", "2027-03-01"])
    header, *rows = csv_run.out.splitlines()
    columns = header.split(",")
    (row,) = [r.split(",") for r in rows if r.startswith("late.md,")]
    assert row[columns.index("due")] == "2027-02-15"
    assert row[columns.index("overdue")] == "true"


def test_is_overdue_unit() -> None:
    piece = Piece("a.md", "docs/a.md", "A", ("p",), (StageRef("j", "s"),), "draft",
                  due=dt.date(2027, 1, 1))
    assert is_overdue(piece, dt.date(2027, 1, 2))
    assert not is_overdue(piece, dt.date(2027, 1, 1))
