"""A newcomer's first hour, case by case: the install the README gives, `new page` paths
as a shell completes them, messages that say what to do, one finding per root cause,
every configuration error at once, `serve` seeing new folders, the rough edges, and a
README written for users first. (The wheel itself: `test_wheel.py`.)"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import jsonschema
import pytest
from test_plugin import _free_port, _read_until

from conftest import REPO, Site, cli, minimal_site

TODAY = "2026-06-01"
README = (REPO / "README.md").read_text(encoding="utf-8")
CONTRIBUTING = REPO / "CONTRIBUTING.md"


def findings(site: Site, *args: str) -> list[dict]:
    return site.check("--format", "json", "--today", TODAY, *args).json()["findings"]


def support_site(site: Site, options: dict | None = None) -> Site:
    """A buyer and a support journey, one persona, one page."""
    site.config(options)
    site.write("journeys/buyer.yml", "name: Buyer\nstages:\n  - id: awareness\n"
               "  - id: decision\n")
    site.write("journeys/support.yml", "name: Support\nstages:\n  - id: onboarding\n"
               "  - id: adoption\n")
    site.write("personas/ops-lead.yml", "name: Olivia\n")
    site.write("personas/cfo.yml", "name: Catherine\n")
    site.write("docs/index.md", "# Home\n")
    return site


# -- 1. install ---------------------------------------------------------------------------


def _code_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.M | re.S)


def test_the_readme_installs_from_a_clone_or_a_wheel_not_from_the_index():
    blocks = "\n".join(_code_blocks(README))
    assert "pip install mkdocs-content-map" not in blocks  # not on the package index
    install = README.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    assert "not on the Python package index" in install
    assert "pip install .\n" in install and "python -m build --wheel" in install
    assert "pip install dist/mkdocs_content_map-0.1.0-py3-none-any.whl" in install
    assert 'version = "0.1.0"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_license_and_changelog_exist():
    license_text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License")
    assert "Copyright (c) 2026 content-map contributors" in license_text
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "MIT"' in pyproject and 'license-files = ["LICENSE"]' in pyproject
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "keepachangelog.com" in changelog
    assert changelog.index("## [Unreleased]") < changelog.index("## [0.1.0]")


def test_sarif_points_only_at_documentation_the_package_declares(site: Site, sarif_validator):
    """No `informationUri` to a page that does not exist: the installed package's declared
    documentation address, or none (each rule carries its help in the log)."""
    from content_map.reports.sarif import documentation

    minimal_site(site)
    site.write("docs/x.md", "---\npersonas: [nobody]\nstage: awareness\n---\n")
    log = json.loads(site.check("--format", "sarif").out)
    assert not list(sarif_validator.iter_errors(log))
    driver = log["runs"][0]["tool"]["driver"]
    declared = documentation()
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    if "[project.urls]" not in pyproject:
        assert declared is None
    assert driver.get("informationUri") == declared
    for rule in driver["rules"]:
        assert rule.get("helpUri") == (declared and declared.split("#")[0] + "#rules")
        assert rule["help"]["text"]


# -- 2. `new page` paths ------------------------------------------------------------------


def _page_args(path: str) -> list[str]:
    return ["new", "page", path, "--persona", "reader", "--stage", "decision",
            "--today", TODAY]


def test_new_page_takes_the_path_as_the_shell_completed_it(site: Site, monkeypatch):
    minimal_site(site)
    monkeypatch.chdir(site.root)
    run = cli(_page_args("docs/guides/x.md"))  # tab completion from the project's root
    assert run.code == 0, run.err
    assert (site.root / "docs/guides/x.md").is_file()
    assert not (site.root / "docs/docs").exists()
    assert run.out.startswith("created docs/guides/x.md:")

    run = cli(_page_args("guides/y.md"))  # relative to the docs folder still works
    assert run.code == 0 and run.out.startswith("created docs/guides/y.md:")

    monkeypatch.chdir(site.root / "docs" / "guides")
    run = cli(["-f", "../../mkdocs.yml", *_page_args("z.md")])
    assert run.code == 0, run.err
    assert (site.root / "docs/guides/z.md").is_file()
    assert run.out.startswith("created z.md:")

    run = cli(["-f", "../../mkdocs.yml", *_page_args(str(site.root / "docs/abs.md"))])
    assert run.code == 0, run.err
    assert run.out.startswith("created ../abs.md:")

    run = cli(["-f", "../../mkdocs.yml", *_page_args("z.md")])
    assert run.code == 2
    assert "content-map: z.md already exists" in run.err and str(site.root) not in run.err

    run = cli(["-f", "../../mkdocs.yml", *_page_args(str(site.root / "elsewhere.md"))])
    assert run.code == 2 and "is outside the docs directory" in run.err
    assert not (site.root / "elsewhere.md").exists()


# -- 3. tabs ------------------------------------------------------------------------------


def test_a_tab_indented_list_is_named_as_tabs_with_the_fix(site: Site):
    minimal_site(site)
    site.write("docs/x.md", "---\nstage: awareness\npersonas:\n\t- reader\n---\n# X\n")
    site.write("personas/tabbed.yml", "name: T\ngoals:\n\t- Save time\n")
    found = {(f["file"], f["line"]): f["message"] for f in findings(site)
             if f["rule"] == "yaml-syntax"}
    for where in (("docs/x.md", 4), ("personas/tabbed.yml", 3)):
        assert "indented with a tab" in found[where] and "indent with spaces" in found[where]
        assert "cannot start any token" not in found[where]


# -- 4. one root cause, one finding -------------------------------------------------------


def test_a_broken_persona_file_is_one_finding_not_a_flood(site: Site):
    minimal_site(site, {"coverage": {"waivers": [
        {"persona": "ops", "stage": "advocacy", "reason": "later", "until": "2099-01-01"}]}})
    site.write("personas/ops.yml", "name: [Olivia\n")  # never closed
    for i in range(5):
        site.write(f"docs/ops-{i}.md", f"---\npersonas: [ops, reader]\nstage: awareness\n"
                   f"next: [decision.md]\n---\n# {i}\n")
    found = findings(site)
    assert not [f for f in found if f["rule"] == "unknown-persona"]
    assert not [f for f in found if f["file"] == "mkdocs.yml"]
    on_file = [(f["rule"], f["severity"]) for f in found if f["file"] == "personas/ops.yml"]
    assert on_file == [("yaml-syntax", "error"), ("yaml-syntax", "info")]
    note = next(f for f in found if f["severity"] == "info" and f["file"] == "personas/ops.yml")
    assert note["message"].startswith("and 5 pages that name `ops` and 1 waiver that names "
                                      "`ops`, not listed")

    build = site.build()
    assert build.code == 1
    assert "content-map found 1 problem" in build.err, build.err
    assert "unknown-persona" not in build.err


def test_a_persona_without_a_name_is_one_finding(site: Site):
    minimal_site(site)
    site.write("personas/cfo.yml", "summary: Signs off the budget.\n")
    found = [f for f in findings(site) if f["file"] == "personas/cfo.yml"]
    assert [(f["rule"], f["severity"]) for f in found] == [("schema", "error"),
                                                           ("schema", "info")]
    assert "has no `name`" in found[0]["message"]
    assert found[1]["message"].startswith("and 5 `coverage-gap` findings and 1 "
                                          "`orphan-persona` finding, not listed")


def test_a_broken_journey_file_sums_up_the_pages_that_name_its_stages(site: Site):
    support_site(site)
    site.write("journeys/support.yml", "name: Support\nstages: [{id: onboarding}\n")
    site.write("docs/a.md", "---\npersonas: [ops-lead]\nstage: support/onboarding\n---\n")
    site.write("docs/b.md", "---\npersonas: [cfo]\njourney: support\nstage: adoption\n---\n")
    found = findings(site)
    assert not [f for f in found if f["rule"] == "unknown-stage"]
    note = next(f for f in found if f["file"] == "journeys/support.yml"
                and f["severity"] == "info")
    assert note["message"].startswith("and 2 pages that name `support`")


def test_the_only_journey_file_broken_is_one_finding(site: Site):
    support_site(site)
    (site.root / "journeys/buyer.yml").unlink()
    site.write("journeys/support.yml", "name: Support\nstages: [{id: onboarding}\n")
    for i in range(3):
        site.write(f"docs/{i}.md", f"---\npersonas: [ops-lead]\nstage: onboarding\n---\n# {i}\n")
    found = findings(site)
    assert not [f for f in found if f["rule"] == "unknown-stage"]
    assert [f["severity"] for f in found if f["file"] == "journeys/support.yml"] == \
        ["error", "info"]
    note = found[[f["file"] for f in found].index("journeys/support.yml") + 1]
    assert note["message"].startswith("and 3 pages whose stages are unknown while `support` "
                                      "cannot be read")


# -- 5. hints that lead somewhere ---------------------------------------------------------


def test_a_comma_string_suggests_the_list(site: Site):
    support_site(site)
    site.write("docs/x.md", "---\npersonas: ops-lead, cfo\nstage: awareness\n---\n")
    (finding,) = [f for f in findings(site) if f["rule"] == "unknown-persona"]
    assert finding["suggestion"] == "[ops-lead, cfo]"
    assert "write `[ops-lead, cfo]`" in finding["message"]
    assert "did you mean `ops-lead`" not in finding["message"]


@pytest.mark.parametrize("front, suggestion", [
    ("stage: buyer/onboarding\n", "support/onboarding"),
    ("journey: buyer\nstage: adoption\n", "support/adoption"),
])
def test_a_stage_of_another_journey_suggests_journey_and_stage(site: Site, front, suggestion):
    support_site(site)
    site.write("docs/x.md", f"---\npersonas: [ops-lead]\n{front}---\n")
    (finding,) = [f for f in findings(site) if f["rule"] == "unknown-stage"]
    assert finding["suggestion"] == suggestion
    assert f"did you mean `{suggestion}`?" in finding["message"]
    assert "not a stage of the `buyer` journey" in finding["message"]


# -- 6. lines, and every configuration error at once --------------------------------------


def test_every_bad_option_is_reported_in_one_run(site: Site):
    minimal_site(site, {"fail_on": "erorr", "badges": "maybe",
                        "rules": {"stale": "loud", "dead-ends": "warn"},
                        "coverage": {"min_per_cell": "two", "count_status": ["done"]}})
    run = site.check()
    assert run.code == 2
    for expected in ("fail_on: Expected one of", "badges: `maybe` is not one of",
                     "rules: stale: Expected one of", "`dead-ends` is not a rule; did you "
                     "mean `dead-end`?", "Sub-option 'min_per_cell'",
                     "Sub-option 'count_status': [0]"):
        assert expected in run.err, (expected, run.err)
    build = site.build()
    assert build.code == 1
    for expected in ("option 'fail_on'", "`maybe`", "'loud'", "`dead-ends`", "min_per_cell"):
        assert expected in build.err, (expected, build.err)


def test_waiver_findings_name_their_line_in_mkdocs_yml(site: Site):
    minimal_site(site)
    site.write("docs/advocacy.md", "---\npersonas: [reader]\nstage: advocacy\n"
               "status: draft\n---\n")
    site.write("mkdocs.yml", """\
        site_name: Test
        docs_dir: docs
        plugins:
          - content-map:
              coverage:
                waivers:
                  - persona: reader
                    stage: advocacy
                    reason: later
                    until: 2020-01-01
                  - {persona: nobody, stage: advocacy, reason: gone}
        """)
    found = {f["rule"]: f for f in findings(site) if f["file"] == "mkdocs.yml"}
    assert found["waiver-expired"]["line"] == 7
    assert found["schema"]["line"] == 11
    text = site.check("--today", TODAY, "--color", "never").out
    assert re.search(r"^\s+7\s+error\s+the waiver for `reader`", text, re.M), text


def test_a_bad_waiver_names_its_line_in_mkdocs_yml(site: Site):
    minimal_site(site)
    site.write("mkdocs.yml", """\
        site_name: Test
        plugins:
          - content-map:
              coverage:
                waivers:
                  - persona: reader
                    stage: advocacy
                  - {persona: reader, stage: decision, reason: r, until: someday}
        """)
    run = site.check()
    assert run.code == 2
    assert "coverage.waivers[0]: needs reason (mkdocs.yml, line 6)" in run.err
    assert "coverage.waivers[1].until: `someday` is not a date; write YYYY-MM-DD " \
        "(mkdocs.yml, line 8)" in run.err


# -- 7. serve sees new folders ------------------------------------------------------------


def test_serve_watches_a_journeys_folder_created_after_it_started(site: Site):
    minimal_site(site)
    site.write("docs/onboarding.md", "---\npersonas: [reader]\nstage: support/onboarding\n"
               "---\n# Onboarding\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(site.root / "mkdocs.yml"),
         "-a", f"127.0.0.1:{_free_port()}"],
        cwd=site.root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        log = _read_until(proc, "Serving on", 60)
        assert "`support/onboarding` is not a stage" in log
        assert not (site.root / "journeys").exists()
        site.write("journeys/buyer.yml", "name: Buyer\nstages:\n  - id: awareness\n"
                   "  - id: consideration\n  - id: decision\n  - id: retention\n"
                   "  - id: advocacy\n")
        site.write("journeys/support.yml", "name: Support\nstages:\n  - id: onboarding\n")
        log = _read_until(proc, "Reloading browsers", 30)
        assert "`support/onboarding` is not a stage" not in log
        time.sleep(1.5)  # a later edit inside the new folder is seen too
        site.write("journeys/support.yml", "name: Support\nstages:\n  - id: onboarding\n"
                   "  - id: renewal\n")
        log = _read_until(proc, "Reloading browsers", 30)
        assert "at `support/renewal`" in log
        assert proc.poll() is None
        assert sorted(p.name for p in site.root.iterdir() if p.name != ".cache") == \
            ["docs", "journeys", "mkdocs.yml", "personas"]  # nothing made in the user's tree
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# -- 8. rough edges ----------------------------------------------------------------------


def test_export_refuses_a_table_with_the_json_format(site: Site):
    minimal_site(site)
    run = cli(["export", "-f", str(site.root / "mkdocs.yml"), "--format", "json",
               "--table", "cells"])
    assert run.code == 2 and "--table" in run.err and run.out == ""


def test_schema_prints_one_usable_schema(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = cli(["schema", "persona"])
    assert run.code == 0
    schema = json.loads(run.out)
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors({"name": "Olivia"}))
    assert list(validator.iter_errors({"summary": "no name"}))
    run = cli(["schema"])
    assert run.code == 2 and "--out DIR" in run.err and run.out == ""


def test_the_brief_asks_only_for_what_is_missing(site: Site):
    minimal_site(site)
    path = site.root / "docs/x.md"
    run = cli(["new", "page", str(path), "-f", str(site.root / "mkdocs.yml"), "--persona",
               "reader", "--stage", "decision", "--owner", "dana"])
    assert run.code == 0, run.err
    text = path.read_text(encoding="utf-8")
    assert "owner: dana" in text
    assert "Set `owner`" not in text and "Set `status: published` when the page is live" in text
    assert "questions above" not in text  # the built-in stage and the persona ask none


def test_one_piece_is_one_piece(site: Site):
    site.config()
    site.write("personas/reader.yml", "name: R\n")
    site.write("docs/x.md", "---\npersonas: [reader]\nstage: awareness\n---\n")
    summary = site.check("--color", "never").out.splitlines()[-1]
    assert "· 1 piece, 1 persona, 5 stages ·" in summary


def test_messages_name_pages_from_the_folder_of_mkdocs_yml(site: Site):
    minimal_site(site)
    site.write("docs/decision.md", "---\npersonas: [reader]\nstage: decision\n---\n")
    site.write("docs/retention.md", "---\npersonas: [reader]\nstage: retention\n"
               "status: draft\nnext: [advocacy.md]\n---\n")
    found = findings(site)
    gap = next(f for f in found if f["rule"] == "coverage-gap")
    assert "1 in progress: docs/retention.md" in gap["message"]
    site.write("docs/retention.md", "---\npersonas: [reader]\nstage: retention\n"
               "next: [advocacy.md]\n---\n")
    walk = next(f for f in findings(site) if f["rule"] == "journey-break")
    assert "(docs/decision.md)" in walk["message"]


def test_the_site_file_goes_before_the_command_too(site: Site, monkeypatch):
    minimal_site(site)
    (site.root / "sub").mkdir()
    monkeypatch.chdir(site.root / "sub")
    run = cli(["-f", "../mkdocs.yml", "check"])
    assert run.code == 0, run.err
    assert "no problems" in run.out.lower()


# -- 9. a README for users first ----------------------------------------------------------


def test_the_readme_is_for_users_first_and_contributors_have_their_own_file():
    headings = re.findall(r"^## (.+)$", README, flags=re.M)
    order = ["Install", "Use it on your site", "Options", "Command line", "Use in CI",
             "Troubleshooting"]
    assert [h for h in headings if h in order] == order
    assert headings.index("Install") == 0
    assert "### Rules" in README and "## Editor support (JSON Schema)" in README
    assert README.count("](CONTRIBUTING.md") >= 1
    for contributor in ("## Performance", "## Architecture", "## Testing", "## Quick start",
                        "| floor |", "CONTENT_MAP_UPDATE_GOLDEN"):
        assert contributor not in README, contributor
    assert "specification" not in README
    assert "`.cache/`" in README and "`.gitignore`" in README
    trouble = README.split("\n## Troubleshooting\n", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"^\d+\. \*\*", trouble, flags=re.M)) == 10

    contributing = CONTRIBUTING.read_text(encoding="utf-8")
    top = contributing[:1500]
    assert "make site" in top and "make test" in top
    assert re.search(r"`make test` takes about \d+ minutes", top)  # how long it takes
    for moved in ("## Performance", "## Architecture", "## Testing", "### Golden files",
                  "### Screenshots", "make bench"):
        assert moved in contributing, moved
