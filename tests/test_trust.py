"""The trust boundary, case by case: the one writer, the one reader, bounded reports,
and refusals that are messages rather than tracebacks."""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

import pytest

from conftest import Site, cli, minimal_site
from content_map import writer
from content_map.load import safe_yaml
from content_map.model import MAX_PER_FILE, Finding, capped
from content_map.reader import NotRegular, open_regular

# --- The writer: `-o FILE` behaves like the shell's `>` -----------------------------------


def test_output_replaces_a_regular_file_whole_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old\n")
    target.chmod(0o640)
    writer.write_output(str(target), "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_output_writes_into_a_link_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    writer.write_output(str(link), "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"


def test_output_to_a_device_writes_into_it(tmp_path: Path) -> None:
    before = os.stat("/dev/null")
    writer.write_output("/dev/null", "discarded\n")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_output_to_a_fifo_writes_into_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    writer.write_output(str(fifo), "through the pipe\n")
    reader.join(10)
    assert got == [b"through the pipe\n"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_link_at_an_old_temporary_name_is_never_opened(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("mine\n")
    (tmp_path / ".report.json.tmp").symlink_to(secret)
    writer.write_output(str(tmp_path / "report.json"), "{}\n")
    assert secret.read_text() == "mine\n"
    assert (tmp_path / "report.json").read_text() == "{}\n"


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(writer.WriteProblem, match="No space left"):
        writer.write_output(str(tmp_path / "report.json"), "{}\n")
    with pytest.raises(writer.WriteProblem):
        writer.replace(tmp_path / "map/index.md", "x", tmp_path)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_255_byte_name_can_be_written(tmp_path: Path) -> None:
    name = "a" * 252 + ".md"
    writer.write_output(str(tmp_path / name), "x\n")
    writer.create(tmp_path / ("b" * 252 + ".md"), "x\n", tmp_path)
    assert len(list(tmp_path.iterdir())) == 2


def test_tool_chosen_targets_stay_in_their_folder(tmp_path: Path) -> None:
    home, outside = tmp_path / "home", tmp_path / "outside"
    home.mkdir()
    outside.mkdir()
    (home / "out").symlink_to(outside)
    (home / "page.md").symlink_to(outside / "page.md")
    for target in (home / "out/x.md", home / "out/deeper/x.md", home / "page.md",
                   tmp_path / "x.md"):
        with pytest.raises(writer.WriteProblem):
            writer.replace(target, "x", home)
        with pytest.raises((writer.WriteProblem, FileExistsError)):
            writer.create(target, "x", home)
    assert list(outside.iterdir()) == []


def test_new_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        writer.create(tmp_path / "new.md", "x", tmp_path)
        writer.write_output(str(tmp_path / "out.txt"), "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o640


# --- The reader: regular files only, never a hang -----------------------------------------


def test_the_reader_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegular):
        open_regular(tmp_path / "pipe")
    with pytest.raises(NotRegular):
        open_regular(tmp_path)


# --- YAML: the tool's limits fire first, whatever libyaml's own ---------------------------


@pytest.mark.parametrize(("deep", "shallow"), [
    ("k: " + "[" * 30000 + "]" * 30000, "k: " + "[" * 40 + "]" * 40),
    ("a: '[[[['\nk: " + "[" * 2000 + "]" * 2000, "a: '[[[['\nk: " + "[" * 40 + "]" * 40),
    ("k: " + "{" * 1500 + "}" * 1500, "k: " + "{" * 40 + "}" * 40),
    ("title: " + "[" * 30000, "title: " + "[" * 40),
])
def test_deep_flow_nesting_is_refused_where_the_tool_s_limit_is(deep: str, shallow: str) -> None:
    """libyaml 0.2.6 (PyYAML 6.0.4) refuses 1,000 levels itself, before this tool's limit
    is reached: the finding is the same as for a text libyaml reads to the limit."""
    found = []
    for text in (deep, shallow):
        with pytest.raises(safe_yaml.YamlProblem) as raised:
            safe_yaml.load(text)
        found.append((raised.value.message, raised.value.line, raised.value.column))
    assert found[0] == found[1]
    assert found[0][0] == f"values are nested more than {safe_yaml.MAX_DEPTH} levels deep"


# --- Hostile baselines and dates: usage errors, not tracebacks ----------------------------


@pytest.mark.parametrize("content", [
    "[" * 100_000 + "]" * 100_000,
    '{"version": 1, "findings": [{"rule": "stale", "file": "x", "count": ' + "9" * 5000 + "}]}",
    "\ufeff\x00\x01",
])
def test_hostile_baselines_are_usage_errors(site: Site, content: str) -> None:
    minimal_site(site)
    (site.root / "baseline.json").write_text(content, encoding="utf-8")
    run = site.check("--baseline", str(site.root / "baseline.json"))
    assert run.code == 2
    assert "not a content-map baseline" in run.err


def test_new_page_at_the_end_of_the_calendar(site: Site) -> None:
    minimal_site(site)
    run = cli(["new", "page", "late.md", "--persona", "reader", "--stage", "awareness",
               "--today", "9999-12-31", "-f", str(site.root / "mkdocs.yml")])
    assert run.code == 0, run.err
    assert "review_by: 9999-12-31" in (site.root / "docs/late.md").read_text()


def test_new_page_refuses_a_case_twin(site: Site) -> None:
    minimal_site(site)
    run = cli(["new", "page", "Awareness.md", "--persona", "reader", "--stage", "awareness",
               "-f", str(site.root / "mkdocs.yml")])
    assert run.code == 2 and "only in case" in run.err
    assert not (site.root / "docs/Awareness.md").exists()


# --- generate: a folder of its own, and only its own files removed -------------------------


def test_generate_removes_only_what_it_wrote_in_that_folder(site: Site) -> None:
    minimal_site(site)
    site.write("personas/other.yml", "name: Otto Other\n")
    config = str(site.root / "mkdocs.yml")
    assert cli(["generate", "-f", config, "--out", str(site.root / "docs/guides/map")]).code == 0
    (site.root / "personas/other.yml").unlink()
    assert cli(["generate", "-f", config, "--out", str(site.root / "docs/guides")]).code == 0
    # The first folder's pages are its own: a run elsewhere leaves them alone.
    assert (site.root / "docs/guides/map/personas/other.md").is_file()
    run = cli(["generate", "-f", config, "--out", str(site.root / "docs/guides/map")])
    assert run.code == 0 and "personas/other.md" in run.out
    assert not (site.root / "docs/guides/map/personas/other.md").exists()


@pytest.mark.parametrize("out", [".", "docs", "personas", "journeys", "personas/map", ".."])
def test_generate_refuses_folders_that_are_not_its_own(site: Site, out: str) -> None:
    minimal_site(site)
    before = sorted(p.relative_to(site.root.parent) for p in site.root.parent.rglob("*"))
    run = cli(["generate", "-f", str(site.root / "mkdocs.yml"), "--out",
               str(site.root / out)])
    assert run.code == 2, run.out
    assert sorted(p.relative_to(site.root.parent) for p in site.root.parent.rglob("*")) == before


# --- Bounded output ------------------------------------------------------------------------


def test_one_rule_in_one_file_is_listed_a_hundred_times_then_counted(site: Site) -> None:
    minimal_site(site, {"metrics": {"file": "analytics.csv"}})
    rows = "".join(f"missing-{n}.md,{n}\n" for n in range(5000))
    site.write("analytics.csv", "page,views\n" + rows)
    run = site.check("--format", "json")
    found = [f for f in run.json()["findings"] if f["rule"] == "metrics-data"]
    assert len(found) == MAX_PER_FILE + 1
    assert found[-1]["message"].startswith(f"and {5000 - MAX_PER_FILE:,} more `metrics-data`")


def test_capping_is_idempotent() -> None:
    many = [Finding("unknown-persona", "docs/a.md", n, "m") for n in range(MAX_PER_FILE * 3)]
    once = capped(many)
    assert len(once) == MAX_PER_FILE + 1 and capped(once) == once
    assert f"and {MAX_PER_FILE * 2:,} more" in once[-1].message
    few = many[:MAX_PER_FILE]
    assert capped(few) == few


def test_map_path_must_stay_inside_the_site(site: Site) -> None:
    for bad in ("a/../..", "..", "/../x", "a\\b", "", "/", ".hidden", "c:/x"):
        minimal_site(site, {"map_path": bad})
        run = site.check()
        assert run.code == 2 and "map_path" in run.err, (bad, run.err)
    minimal_site(site, {"map_path": "/planning/map/"})
    assert site.check().code == 0

