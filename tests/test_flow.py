"""Journey continuity: following `next` links from a persona's first stage to its last."""

from __future__ import annotations

import shutil

import pytest

from conftest import REPO, Site, cli, minimal_site


@pytest.fixture
def example(tmp_path) -> Site:
    """A copy of the bundled example, free to edit."""
    for name in ("content", "personas", "journeys"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return Site(tmp_path)


def walks(site: Site) -> tuple[dict, list[dict]]:
    report = cli(["check", "-f", str(site.root / "mkdocs.yml"), "--format", "json"]).json()
    return ({(c["persona"], c["journey"]): c for c in report["continuity"]},
            [f for f in report["findings"] if f["rule"] == "journey-break"])


def test_every_persona_of_the_example_can_walk_its_journeys(example: Site):
    found, breaks = walks(example)
    assert breaks == []
    assert all(c["continuous"] for c in found.values())
    walk = found[("it-admin", "buyer")]
    assert (walk["first"], walk["last"]) == ("consideration", "advocacy")  # awareness skipped
    assert walk["path"][-1] == "customers/it-reference-programme.md"


def test_a_missing_next_in_the_middle_breaks_the_journey_and_fixing_it_clears_it(example: Site):
    page = example.root / "content/guides/quarterly-access-reviews.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original.replace("next: [customers/it-reference-programme.md]\n", ""),
                    encoding="utf-8")
    found, breaks = walks(example)
    walk = found[("it-admin", "buyer")]
    assert not walk["continuous"]
    assert walk["reached"] == "retention"
    assert walk["path"][-1] == "guides/quarterly-access-reviews.md"
    it_admin = [b for b in breaks if b["persona"] == "it-admin"]
    assert len(it_admin) == 1
    assert it_admin[0]["file"] == "personas/it-admin.yml" and it_admin[0]["severity"] == "warn"
    assert ("cannot follow `next` links from `consideration` to `advocacy` in the `buyer` "
            "journey: the way stops at `retention` (content/guides/quarterly-access-reviews.md)"
            ) in it_admin[0]["message"]

    page.write_text(original, encoding="utf-8")
    found, breaks = walks(example)
    assert found[("it-admin", "buyer")]["continuous"] and breaks == []


def test_same_stage_hops_are_followed_and_backward_links_are_not(site: Site):
    minimal_site(site)
    # consideration -> consideration-2 (same stage) -> decision: the hop is followed
    site.write("docs/consideration.md", "---\npersonas: [reader]\nstage: consideration\n"
               "next: [consideration-2.md]\n---\n")
    site.write("docs/consideration-2.md", "---\npersonas: [reader]\nstage: consideration\n"
               "next: [decision.md]\n---\n")
    found, breaks = walks(site)
    assert found[("reader", "buyer")]["continuous"]
    assert found[("reader", "buyer")]["path"] == [
        "awareness.md", "consideration.md", "consideration-2.md", "decision.md",
        "retention.md", "advocacy.md"]
    site.write("docs/decision.md", "---\npersonas: [reader]\nstage: decision\n"
               "next: [awareness.md]\n---\n")
    found, breaks = walks(site)
    assert not found[("reader", "buyer")]["continuous"]
    assert found[("reader", "buyer")]["reached"] == "decision"
    assert len(breaks) == 1


def test_drafts_do_not_carry_a_reader(site: Site):
    minimal_site(site)
    site.write("docs/decision.md", "---\npersonas: [reader]\nstage: decision\n"
               "next: [retention-draft.md]\n---\n")
    site.write("docs/retention-draft.md", "---\npersonas: [reader]\nstage: retention\n"
               "status: draft\nnext: [advocacy.md]\n---\n")
    found, _ = walks(site)
    assert found[("reader", "buyer")]["reached"] == "decision"
