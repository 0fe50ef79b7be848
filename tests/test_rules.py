"""Each rule of SPEC §4 on its own: the rule, file, line, message and suggestion it yields."""

from __future__ import annotations

import pytest

from conftest import Site, minimal_site

# (case id, files to add to a clean site, options, expected findings:
#  (rule, severity, file, line, message fragment, suggestion))
CASES = [
    ("yaml-syntax-registry", {"personas/bad.yml": "name: [unclosed\n"}, None,
     [("yaml-syntax", "error", "personas/bad.yml", 2, "invalid YAML", None)]),
    ("yaml-syntax-unclosed-front-matter",
     {"docs/x.md": "---\ntitle: X\npersonas: [reader]\n# X\n"}, None,
     [("yaml-syntax", "error", "docs/x.md", 1, "never closed", None)]),
    ("yaml-syntax-not-a-mapping", {"docs/x.md": "---\n- a\n- b\n---\n"}, None,
     [("yaml-syntax", "error", "docs/x.md", 2, "not a list", None)]),
    ("yaml-syntax-duplicate-key",
     {"docs/x.md": "---\npersonas: [reader]\nstage: decision\nstage: awareness\n---\n"}, None,
     [("yaml-syntax", "error", "docs/x.md", 4, "the key `stage` appears twice", None)]),
    ("yaml-syntax-alias", {"personas/al.yml": "name: &n Al\nsummary: *n\n"}, None,
     [("yaml-syntax", "error", "personas/al.yml", 1, "anchors (`&n`) are not supported", None)]),
    ("schema-wrong-type", {"personas/p2.yml": "name: P\ngoals: {a: 1}\n"}, None,
     [("schema", "error", "personas/p2.yml", 2, "`goals` must be a list, not a mapping", None)]),
    ("schema-missing-required", {"personas/p2.yml": "summary: Nobody\n"}, None,
     [("schema", "error", "personas/p2.yml", 1, "has no `name`", None),
      ("schema", "info", "personas/p2.yml", 1, "and 5 `coverage-gap` findings and 1 "
       "`orphan-persona` finding, not listed: they follow from this problem", None)]),
    ("schema-yaml11-no", {"personas/p2.yml": "name: P\ngoals: [Save time, no]\n"}, None,
     [("schema", "error", "personas/p2.yml", 2, "written `no`, which YAML reads as false",
       "'no'")]),
    ("schema-leading-zero-id", {"personas/p2.yml": "id: 007\nname: Bond\n"}, None,
     [("schema", "error", "personas/p2.yml", 1, "written `007`", "'007'")]),
    ("schema-malformed-id", {"personas/Ops Lead.yml": "name: Ops\n"}, None,
     [("schema", "error", "personas/Ops Lead.yml", 1, "not a valid persona id", "ops-lead")]),
    ("schema-id-vs-stem", {"personas/p2.yml": "id: p3\nname: P\n"}, None,
     [("schema", "error", "personas/p2.yml", 1, "does not match the file name", None)]),
    ("schema-status", {"docs/awareness.md": "---\npersonas: [reader]\nstage: awareness\n"
                       "status: publish\nnext: [consideration.md]\n---\n"}, None,
     [("schema", "error", "docs/awareness.md", 4, "did you mean `published`?", "published")]),
    ("schema-bad-date", {"docs/x.md": "---\npersonas: [reader]\nstage: advocacy\n"
                         "review_by: 2027-13-45\n---\n"}, None,
     [("schema", "error", "docs/x.md", 4, "not a date; write it as YYYY-MM-DD", None)]),
    ("unknown-field", {"personas/p2.yml": "name: P\ngoal: [x]\n"}, None,
     [("unknown-field", "warn", "personas/p2.yml", 2, "did you mean `goals`?", "goals"),
      ("orphan-persona", "warn", "personas/p2.yml", 1, "no page serves `p2`", None)]),
    ("duplicate-id-alias", {"personas/p2.yml": "name: P\naliases: [reader]\n"}, None,
     [("duplicate-id", "error", "personas/p2.yml", 2, "already a persona id or alias in "
       "personas/reader.yml", None),
      ("orphan-persona", "warn", "personas/p2.yml", 1, "no page serves `p2`", None)]),
    ("duplicate-id-stage", {"journeys/buyer.yml": "stages:\n  - id: awareness\n  - id: awareness\n"
                            "  - {id: consideration}\n  - {id: decision}\n  - {id: retention}\n"
                            "  - {id: advocacy}\n"}, None,
     [("duplicate-id", "error", "journeys/buyer.yml", 3, "the stage id `awareness` appears twice",
       None)]),
    ("unknown-persona", {"docs/x.md": "---\npersonas: [reader, Reader]\nstage: advocacy\n---\n"},
     None, [("unknown-persona", "error", "docs/x.md", 2, "`Reader` is not a persona", "reader")]),
    ("unknown-persona-padded", {"docs/x.md": "---\npersonas: ['reader ']\nstage: advocacy\n---\n"},
     None, [("unknown-persona", "error", "docs/x.md", 2, "`reader ` is not a persona", "reader")]),
    ("unknown-stage", {"docs/x.md": "---\npersonas: [reader]\nstage: advocasy\n---\n"}, None,
     [("unknown-stage", "error", "docs/x.md", 3, "did you mean `advocacy`?", "advocacy")]),
    ("unknown-stage-journey",
     {"docs/x.md": "---\npersonas: [reader]\nstage: sales/advocacy\n---\n"},
     None, [("unknown-stage", "error", "docs/x.md", 3, "not a stage of any journey", None)]),
    ("unknown-next", {"docs/advocacy.md": "---\npersonas: [reader]\nstage: advocacy\n"
                      "next: [awarenes.md]\n---\n"}, None,
     [("unknown-next", "error", "docs/advocacy.md", 4, "`awarenes.md` is not a page",
       "awareness.md")]),
    ("unknown-next-url", {"docs/advocacy.md": "---\npersonas: [reader]\nstage: advocacy\n"
                          "next: ['javascript:alert(1)']\n---\n"}, None,
     [("unknown-next", "error", "docs/advocacy.md", 4, "not the address", None)]),
    ("stale", {"docs/advocacy.md": "---\npersonas: [reader]\nstage: advocacy\n"
               "review_by: 2020-02-02\n---\n"}, None,
     [("stale", "warn", "docs/advocacy.md", 4, "2020-02-02 has passed", None)]),
    ("dead-end", {"docs/decision.md": "---\npersonas: [reader]\nstage: decision\n---\n"}, None,
     [("dead-end", "warn", "docs/decision.md", 3, "nowhere to go after this `decision` page",
       None),
      ("journey-break", "warn", "personas/reader.yml", 1, "the way stops at `decision` "
       "(docs/decision.md)", None)]),
    ("backward-next", {"docs/advocacy.md": "---\npersonas: [reader]\nstage: advocacy\n"
                       "next: [awareness.md]\n---\n"}, None,
     [("backward-next", "info", "docs/advocacy.md", 4, "earlier stage (`awareness`)", None)]),
    ("orphan-persona", {"personas/p2.yml": "name: P\nskip_stages: "
                        "[{stage: awareness, reason: r}, {stage: consideration, reason: r}, "
                        "{stage: decision, reason: r}, {stage: retention, reason: r}, "
                        "{stage: advocacy, reason: r}]\n"}, None,
     [("orphan-persona", "warn", "personas/p2.yml", 1, "no page serves `p2`", None)]),
    ("coverage-gap", {"docs/retention.md": "---\npersonas: [reader]\nstage: retention\n"
                      "status: review\nnext: [advocacy.md]\n---\n"}, None,
     [("coverage-gap", "error", "personas/reader.yml", 1,
       "no published page for `reader` at `buyer/retention` (Retention); 1 in progress", None)]),
    ("waiver-expired", {"docs/retention.md": "---\npersonas: [reader]\nstage: retention\n"
                        "status: idea\nnext: [advocacy.md]\n---\n"},
     {"coverage": {"waivers": [{"persona": "reader", "stage": "retention", "reason": "later",
                                "until": "2020-01-01"}]}},
     [("waiver-expired", "error", "mkdocs.yml", 7, "expired on 2020-01-01", None),
      ("coverage-gap", "error", "personas/reader.yml", 1, "at `buyer/retention`", None)]),
    ("unmapped-page", {"docs/about.md": "# About\n"}, {"rules": {"unmapped-page": "warn"}},
     [("unmapped-page", "warn", "docs/about.md", 1, "names no persona and no stage", None),
      ("unmapped-page", "warn", "docs/index.md", 1, "names no persona and no stage", None)]),
    ("persona-journey",
     {"journeys/buyer.yml": "stages: [{id: awareness}, {id: consideration}, {id: decision}, "
      "{id: retention}, {id: advocacy}]\n",
      "journeys/support.yml": "stages: [{id: onboarding}]\n",
      "personas/reader.yml": "name: Rita\njourneys: [buyer]\n",
      "docs/x.md": "---\npersonas: [reader]\nstage: onboarding\n---\n"}, None,
     [("persona-journey", "error", "docs/x.md", 3, "`reader` does not follow the `support`",
       None)]),
]


@pytest.mark.parametrize("files, options, expected",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(site: Site, files, options, expected):
    minimal_site(site, options)
    for path, text in files.items():
        site.write(path, text)
    run = site.check("--format", "json", "--today", "2026-06-01")
    expected_rules = {e[0] for e in expected}
    # a persona added for a case has gaps of its own: those count only where the case is about them
    findings = [f for f in run.json()["findings"]
                if f["rule"] in expected_rules
                or f["rule"] not in ("coverage-gap", "orphan-persona")]
    got = [(f["rule"], f["severity"], f["file"], f["line"]) for f in findings]
    assert got == [e[:4] for e in sorted(expected, key=lambda e: (e[2], e[3] or 0, e[0]))]
    by_key = {(f["rule"], f["severity"], f["file"], f["line"]): f for f in findings}
    for rule, severity, file, line, fragment, suggestion in expected:
        finding = by_key[(rule, severity, file, line)]
        assert fragment in finding["message"]
        assert finding["suggestion"] == suggestion
    failing = any(f["severity"] == "error" for f in run.json()["findings"])
    assert run.code == (1 if failing else 0)


def test_clean_site_has_no_findings(site: Site):
    minimal_site(site)
    run = site.check("--format", "json")
    assert run.code == 0
    assert run.json()["findings"] == []
    assert run.json()["summary"]["coverage"] == 1.0


def test_rule_severity_is_configurable(site: Site):
    minimal_site(site, {"rules": {"stale": "error", "dead-end": "ignore", "journey-break": "info"}})
    site.write("docs/decision.md", "---\npersonas: [reader]\nstage: decision\n"
               "review_by: 2020-01-01\n---\n")
    findings = site.check("--format", "json", "--today", "2026-06-01").json()["findings"]
    assert [(f["rule"], f["severity"]) for f in findings] == [
        ("stale", "error"), ("journey-break", "info")]


def test_ambiguous_stage_names_both_journeys(site: Site):
    minimal_site(site)
    site.write("journeys/buyer.yml", "stages: [{id: awareness}, {id: consideration}, "
               "{id: decision}, {id: retention}, {id: advocacy}]\n")
    site.write("journeys/support.yml", "stages: [{id: onboarding}, {id: retention}]\n")
    site.write("docs/x.md", "---\npersonas: [reader]\nstage: retention\n---\n")
    findings = site.check("--format", "json").json()["findings"]
    ambiguous = [f for f in findings if f["file"] == "docs/x.md"]
    assert len(ambiguous) == 1 and ambiguous[0]["rule"] == "unknown-stage"
    assert "write `buyer/retention` or `support/retention`" in ambiguous[0]["message"]
    assert ambiguous[0]["suggestion"] == "buyer/retention"


def test_qualified_stage_and_aliases_resolve(site: Site):
    minimal_site(site)
    site.write("personas/reader.yml", "name: Rita\naliases: [rita]\n")
    site.write("docs/retention.md", "---\npersonas: rita\nstage: buyer/retention\n"
               "next: [advocacy]\n---\n")
    run = site.check("--format", "json")
    assert run.json()["findings"] == []
    cell = next(c for c in run.json()["matrix"] if c["stage"] == "retention")
    assert cell["pieces"] == ["retention.md"]


def test_custom_field_names(site: Site):
    minimal_site(site, {"fields": {"personas": "audience", "stage": "phase"}})
    site.write("docs/advocacy.md", "---\naudience: [reader]\nphase: advocacy\n---\n")
    site.write("docs/retention.md", "---\npersonas: [reader]\nstage: retention\n---\n")
    report = site.check("--format", "json").json()
    cells = {c["stage"]: c["state"] for c in report["matrix"]}
    assert cells["advocacy"] == "covered"
    assert cells["retention"] == "gap"  # the standard keys are not read when renamed


def test_excluded_pages_are_not_pieces(site: Site):
    minimal_site(site, {"exclude": ["drafts/*"]})
    site.write("docs/drafts/x.md", "---\npersonas: [nobody]\nstage: awareness\n---\n")
    assert site.check().code == 0


def test_missing_journeys_folder_uses_the_default_buyer_journey(site: Site):
    minimal_site(site)
    report = site.check("--format", "json").json()
    assert report["summary"]["stages"] == 5
    assert [c["stage"] for c in report["matrix"]] == [
        "awareness", "consideration", "decision", "retention", "advocacy"]
