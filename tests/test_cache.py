"""The on-disk cache: a repeated check re-reads only what changed, and is never wrong."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from conftest import REPO, Site


@pytest.fixture
def example(tmp_path) -> Site:
    for name in ("content", "personas", "journeys", "analytics"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    age_files(tmp_path)
    return Site(tmp_path)


def age_files(root, seconds: int = 3600) -> None:
    """Give every file an old timestamp: fresh ones are never cached (they may change
    again within the same timestamp tick)."""
    past = time.time() - seconds
    for folder, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), (past, past))


def report(site: Site, *args: str) -> dict:
    run = site.check("--format", "json", *args)
    assert run.code in (0, 1), run.err
    return run.json()


def cache_file(site: Site):
    return site.root / ".cache" / "content-map" / "pages.pickle"


def test_warm_check_equals_a_cold_one(example: Site):
    cold = report(example, "--no-cache")
    assert not cache_file(example).exists()  # --no-cache neither reads nor writes
    first = report(example)
    assert cache_file(example).is_file()
    warm = report(example)
    assert cold == first == warm


def test_edits_renames_and_deletions_are_seen(example: Site):
    report(example)
    page = example.root / "content/guides/pilot-checklist.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("personas: [", "personas: [nobody, ", 1), encoding="utf-8")
    age_files(example.root / "content/guides", 1800)  # an old edit, not a racy one
    found = report(example)["findings"]
    assert [f["message"] for f in found if f["rule"] == "unknown-persona"] == [
        "`nobody` is not a persona; add a file to personas/ or fix the id"]

    page.rename(example.root / "content/guides/pilot.md")
    after_rename = report(example)
    paths = {p for cell in after_rename["matrix"] for p in cell["pieces"]}
    assert "guides/pilot.md" in paths  # its known personas still count it
    assert "guides/pilot-checklist.md" not in paths
    assert any(f["file"] == "content/guides/pilot.md" for f in after_rename["findings"])
    # pages that linked to it now point at nothing
    assert any(f["rule"] == "unknown-next" and "pilot-checklist.md" in f["message"]
               for f in after_rename["findings"])

    (example.root / "content/guides/pilot.md").unlink()
    after_delete = report(example)
    assert not any("pilot" in f["file"] for f in after_delete["findings"])
    assert after_delete == report(example, "--no-cache")


def test_a_persona_change_re_resolves_unchanged_pages(example: Site):
    report(example)
    persona = example.root / "personas/it-admin.yml"
    persona.write_text(persona.read_text(encoding="utf-8") + "aliases: [itops]\n",
                       encoding="utf-8")
    page = example.root / "content/product/integrations.md"
    old = os.stat(page)
    warm = report(example)
    assert warm == report(example, "--no-cache")
    assert os.stat(page).st_mtime_ns == old.st_mtime_ns


def test_a_fresh_edit_is_never_missed_even_with_the_same_size_and_time(site: Site):
    from conftest import minimal_site

    minimal_site(site)
    page = site.root / "docs/advocacy.md"
    first = site.check("--format", "json").json()
    assert first["findings"] == []
    stat = os.stat(page)
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("[reader]", "[readr]"), encoding="utf-8")  # same size
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same timestamp
    again = site.check("--format", "json").json()
    assert [f["rule"] for f in again["findings"]][:1] == ["unknown-persona"]


def test_a_damaged_cache_is_ignored(example: Site):
    expected = report(example)
    cache_file(example).write_bytes(b"not a pickle")
    assert report(example) == expected
    cache_file(example).write_bytes(b"")
    assert report(example) == expected


def test_an_unwritable_cache_folder_is_no_failure(example: Site):
    (example.root / ".cache").write_text("a file where the folder would go")
    assert report(example) == report(example, "--no-cache")


def edit(path, old: str, new: str) -> None:
    """Change a file as a writer would, a while before the next run."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    age_files(path.parent, 600)


def test_a_repeated_check_skips_the_rules_across_pieces_until_an_input_changes(
        example: Site, monkeypatch: pytest.MonkeyPatch):
    from content_map import engine

    runs = []
    real = engine.flow_findings
    monkeypatch.setattr(engine, "flow_findings", lambda *a: runs.append(1) or real(*a))

    def warm_equals_cold(*args: str) -> int:
        """Run warm, check it against a run without the cache; how often the rules ran."""
        before = len(runs)
        warm = report(example, *args)
        ran = len(runs) - before
        assert warm == report(example, "--no-cache", *args)
        return ran

    assert warm_equals_cold() == 1
    assert warm_equals_cold() == 0  # nothing changed: the rules' findings are remembered
    page = example.root / "content/guides/pilot-checklist.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more paragraph.\n",
                    encoding="utf-8")
    age_files(page.parent, 600)
    assert warm_equals_cold() == 0  # the text changed, not the front-matter

    # Each input the rules read makes them run again, and the result is the cold one.
    edit(page, "status: published", "status: draft")
    assert warm_equals_cold() == 1
    edit(example.root / "personas/cfo.yml", "Chief Financial Officer", "CFO")
    assert warm_equals_cold() == 1
    edit(example.root / "journeys/buyer.yml", "name: Buyer journey", "name: Buyers' journey")
    assert warm_equals_cold() == 1
    edit(example.root / "mkdocs.yml", "min_per_cell: 1", "min_per_cell: 2")
    assert warm_equals_cold() == 1
    edit(example.root / "analytics/metrics.csv", ",3170,", ",3171,")
    assert warm_equals_cold() == 1
    assert warm_equals_cold("--today", "2031-01-01") == 1
    assert warm_equals_cold("--today", "2031-01-01") == 0
    (example.root / "content/guides/pilot-checklist.md").unlink()
    assert warm_equals_cold() == 1


def test_a_few_changes_are_appended_and_a_torn_record_is_ignored(example: Site):
    report(example)
    whole = cache_file(example).stat().st_size
    page = example.root / "content/guides/pilot-checklist.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more paragraph.\n",
                    encoding="utf-8")
    age_files(page.parent, 600)
    assert report(example) == report(example, "--no-cache")
    grown = cache_file(example).stat().st_size
    assert whole < grown < whole + whole // 4  # a change record, not the file again

    # A record torn in half is ignored with what follows it: those pages are read again.
    edit(page, "status: published", "status: draft")
    report(example)
    with open(cache_file(example), "r+b") as handle:
        handle.truncate(cache_file(example).stat().st_size - 40)
    cold = report(example, "--no-cache")
    assert report(example) == cold
    assert report(example) == cold
