"""`content-map new persona|journey|page`: valid files, briefs, and never an overwrite."""

from __future__ import annotations

import datetime as dt
import os
import re

import frontmatter
import pytest

from conftest import Site, cli, minimal_site
from content_map import scaffold
from content_map.scaffold import ScaffoldError, create_file

TODAY = "2025-06-01"


def gap_site(site: Site) -> Site:
    """One persona with pains and questions, a journey with questions, a gap at consideration."""
    site.config()
    site.write("journeys/buyer.yml", """\
        name: Buyer journey
        stages:
          - id: awareness
          - id: consideration
            name: Consideration
            goal: The customer compares ways to meet the need.
            questions: ["Which tools fit a team of our size?", "What does it cost to switch?"]
            kpis: [time_on_page]
          - id: decision
        """)
    site.write("personas/ops-lead.yml", """\
        name: Olivia, Operations Lead
        summary: Runs a 12-person operations team.
        aliases: [olivia]
        pains:
          - "Month-end close takes ten days"
          - "Evidence scattered across <drives> -- and inboxes"
        stages:
          consideration:
            emotion: anxious
            questions: ["Will this work with our ERP?"]
        """)
    site.write("docs/awareness.md", "---\npersonas: [ops-lead]\nstage: awareness\n"
               "next: [decision.md]\n---\n# Awareness\n")
    site.write("docs/decision.md", "---\npersonas: [ops-lead]\nstage: decision\n---\n# Decision\n")
    return site


def uncomment(text: str) -> str:
    """Every commented prompt after the file's opening comment, uncommented."""
    lines, body = [], False
    for line in text.splitlines():
        body = body or not line.startswith("#")
        lines.append(re.sub(r"^(\s*)# ", r"\1", line) if body else line)
    return "\n".join(lines) + "\n"


def new(site: Site, *args: str):
    return cli(["new", *args, "-f", str(site.root / "mkdocs.yml"), "--today", TODAY])


def findings(site: Site) -> list[dict]:
    return site.check("--today", TODAY, "--format", "json").json()["findings"]


def cell(site: Site, persona: str, stage: str) -> dict:
    matrix = site.check("--today", TODAY, "--format", "json").json()["matrix"]
    return next(c for c in matrix if c["persona"] == persona and c["stage"] == stage)


def test_a_page_for_a_gap_gets_a_brief_and_puts_the_gap_in_progress(site: Site):
    gap_site(site)
    assert cell(site, "ops-lead", "consideration") | {"pieces": []} == cell(
        site, "ops-lead", "consideration")
    assert cell(site, "ops-lead", "consideration")["state"] == "gap"
    assert cell(site, "ops-lead", "consideration")["in_progress"] == 0
    before = {f["rule"] for f in findings(site)}

    run = new(site, "page", "guides/choosing-a-tool", "--persona", "olivia",
              "--stage", "consideration", "--owner", "dana")
    assert run.code == 0, run.err
    assert "created" in run.out and "the gap for `ops-lead` is now in progress" in run.out
    path = site.root / "docs/guides/choosing-a-tool.md"
    post = frontmatter.loads(path.read_text(encoding="utf-8"))
    assert post.metadata == {
        "title": "Choosing a tool", "personas": ["ops-lead"], "stage": "consideration",
        "status": "draft", "owner": "dana",
        "review_by": dt.date(2025, 6, 1) + dt.timedelta(days=scaffold.REVIEW_AFTER_DAYS),
    }
    body = post.content
    assert body.startswith("# Choosing a tool\n\n<!--")
    assert body.rstrip().endswith("-->")
    assert body.count("-->") == 1  # nothing from the persona closed the comment early
    for expected in ("Month-end close takes ten days", "Will this work with our ERP?",
                     "Which tools fit a team of our size?", "What does it cost to switch?",
                     "The customer compares ways to meet the need.", "anxious",
                     "Olivia, Operations Lead", "decision.md"):
        assert expected in body, expected

    # The next check sees the draft: the gap is in progress, and nothing new is wrong.
    after = cell(site, "ops-lead", "consideration")
    assert after["state"] == "gap" and after["in_progress"] == 1
    assert after["in_progress_pieces"] == ["guides/choosing-a-tool.md"]
    assert {f["rule"] for f in findings(site)} == before
    matrix = cli(["matrix", "-f", str(site.root / "mkdocs.yml"), "--today", TODAY]).out
    assert "◐ 0" in matrix


def test_a_page_is_written_with_the_sites_own_field_names(site: Site):
    """With `fields: {personas: audience, stage: phase}`, a draft says `audience:` and
    `phase:`, so the next check reads it and counts the gap as in progress."""
    gap_site(site)
    site.config({"fields": {"personas": "audience", "stage": "phase"}})
    site.write("docs/awareness.md", "---\naudience: [ops-lead]\nphase: awareness\n"
               "next: [decision.md]\n---\n# Awareness\n")
    site.write("docs/decision.md", "---\naudience: [ops-lead]\nphase: decision\n---\n"
               "# Decision\n")
    assert cell(site, "ops-lead", "consideration")["in_progress"] == 0
    before = {f["rule"] for f in findings(site)}

    run = new(site, "page", "guides/choosing", "--persona", "ops-lead", "--stage",
              "consideration", "--owner", "dana")
    assert run.code == 0, run.err
    assert "the gap for `ops-lead` is now in progress" in run.out
    post = frontmatter.loads((site.root / "docs/guides/choosing.md").read_text(encoding="utf-8"))
    assert list(post.metadata) == ["title", "audience", "phase", "status", "owner",
                                   "review_by"]
    assert (post["audience"], post["phase"]) == (["ops-lead"], "consideration")
    after = cell(site, "ops-lead", "consideration")
    assert after["state"] == "gap" and after["in_progress_pieces"] == ["guides/choosing.md"]
    assert {f["rule"] for f in findings(site)} == before


def test_new_never_overwrites(site: Site):
    gap_site(site)
    target = site.root / "docs/guides/existing.md"
    target.parent.mkdir(parents=True)
    original = b"---\ntitle: Mine\r\n---\n\xe2\x9c\x93 keep me\n"
    target.write_bytes(original)
    stamp = target.stat().st_mtime_ns
    run = new(site, "page", "guides/existing.md", "--persona", "ops-lead", "--stage",
              "consideration")
    assert run.code == 2
    assert "already exists" in run.err and "never overwrites" in run.err
    assert target.read_bytes() == original
    assert target.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in target.parent.iterdir()) == ["existing.md"]  # no temp file

    persona = site.root / "personas/ops-lead.yml"
    before = persona.read_bytes()
    assert new(site, "persona", "ops-lead").code == 2
    assert persona.read_bytes() == before
    journey = site.root / "journeys/buyer.yml"
    before = journey.read_bytes()
    assert new(site, "journey", "buyer").code == 2
    assert journey.read_bytes() == before


def test_a_file_created_during_the_write_is_not_overwritten(tmp_path, monkeypatch):
    target = tmp_path / "page.md"
    real_link = os.link

    def racing_link(src, dst):
        target.write_text("someone else's\n")  # another process wins the race
        return real_link(src, dst)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(ScaffoldError, match="already exists"):
        create_file(target, "ours\n", tmp_path)
    assert target.read_text() == "someone else's\n"
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]


def test_without_hard_links_the_write_is_still_exclusive(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "sub" / "page.md"
    create_file(target, "ours\n", tmp_path)
    assert target.read_text() == "ours\n"
    assert [p.name for p in target.parent.iterdir()] == ["page.md"]


@pytest.mark.parametrize("args, message", [
    (["page", "x.md", "--persona", "ops-leed", "--stage", "consideration"],
     "`ops-leed` is not a persona; did you mean `ops-lead`?"),
    (["page", "x.md", "--persona", "ops-lead", "--stage", "considration"],
     "`considration` is not a stage; did you mean `consideration`?"),
    (["page", "x.md", "--persona", "ops-lead", "--stage", "buyr/decision"],
     "did you mean `buyer/decision`?"),
    (["page", "../outside.md", "--persona", "ops-lead", "--stage", "decision"],
     "is outside the docs directory"),
    (["page", "notes.txt", "--persona", "ops-lead", "--stage", "decision"],
     "the path must end in `.md`"),
    (["page", ".hidden/x.md", "--persona", "ops-lead", "--stage", "decision"], "is hidden"),
    (["persona", "Ops Lead"], "is not a valid persona id: use lower-case letters, digits and "
     "hyphens, e.g. `ops-lead`"),
    (["persona", "olivia"], "`olivia` is already an alias of the persona `ops-lead`"),
    (["journey", "support"], "name this journey's stages with --stages"),
    (["journey", "support", "--stages", "onboarding,Renewal"], "e.g. `renewal`"),
])
def test_refusals_explain_themselves(site: Site, args, message):
    gap_site(site)
    before = sorted(p.relative_to(site.root) for p in site.root.rglob("*"))
    run = new(site, *args)
    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err
    assert sorted(p.relative_to(site.root) for p in site.root.rglob("*")) == before


def test_an_ambiguous_stage_names_the_options(site: Site):
    gap_site(site)
    site.write("journeys/partner.yml", "name: Partner\nstages:\n  - id: decision\n")
    site.write("personas/ops-lead.yml", "name: Olivia\n")
    run = new(site, "page", "x.md", "--persona", "ops-lead", "--stage", "decision")
    assert run.code == 2
    assert "write `buyer/decision` or `partner/decision`" in run.err
    run = new(site, "page", "x.md", "--persona", "ops-lead", "--stage", "partner/decision")
    assert run.code == 0, run.err
    post = frontmatter.loads((site.root / "docs/x.md").read_text())
    assert post["stage"] == "partner/decision"


def test_a_page_for_a_persona_that_skips_or_does_not_follow_the_stage_is_refused(site: Site):
    gap_site(site)
    site.write("personas/cfo.yml", "name: CFO\nskip_stages:\n  - stage: awareness\n"
               "    reason: Never reads blogs.\n")
    run = new(site, "page", "x.md", "--persona", "cfo", "--stage", "awareness")
    assert run.code == 2 and "`cfo` skips `buyer/awareness` (Never reads blogs.)" in run.err
    site.write("journeys/partner.yml", "name: Partner\nstages:\n  - id: sign-up\n")
    site.write("personas/cfo.yml", "name: CFO\njourneys: [buyer]\n")
    run = new(site, "page", "x.md", "--persona", "cfo", "--stage", "sign-up")
    assert run.code == 2 and "`cfo` does not follow the `partner` journey" in run.err


def test_a_new_persona_is_valid_and_full_of_prompts(site: Site):
    gap_site(site)
    run = new(site, "persona", "cfo")
    assert run.code == 0, run.err
    path = site.root / "personas/cfo.yml"
    text = path.read_text()
    assert "name: Cfo" in text and "# pains:" in text and "#   consideration:" in text
    problems = [f for f in findings(site) if f["file"] == "personas/cfo.yml"
                and f["rule"] in ("yaml-syntax", "schema", "unknown-field")]
    assert problems == []
    # Uncommenting every prompt still gives a valid file.
    site.write("personas/cfo.yml", uncomment(text))
    problems = [f for f in findings(site) if f["file"] == "personas/cfo.yml"
                and f["rule"] in ("yaml-syntax", "schema", "unknown-field")]
    assert problems == [], problems


def test_a_new_journey_is_valid(site: Site):
    minimal_site(site)
    run = new(site, "journey", "buyer")
    assert run.code == 0, run.err
    assert "the built-in buyer journey no longer applies" in run.err
    assert findings(site) == []  # the file holds the same five stages as the built-in one
    run = new(site, "journey", "support", "--stages", "onboarding,adoption,renewal")
    assert run.code == 0, run.err
    assert [f for f in findings(site) if f["file"].startswith("journeys/")] == []
    stages = [c["stage"] for c in site.check("--format", "json").json()["matrix"]
              if c["journey"] == "support"]
    assert stages == ["onboarding", "adoption", "renewal"]
    path = site.root / "journeys/support.yml"
    path.write_text(uncomment(path.read_text()))
    assert [f for f in findings(site) if f["file"].startswith("journeys/")] == []
    assert "name: Onboarding" in path.read_text() and "  min_content: 1" in path.read_text()
