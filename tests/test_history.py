"""`content-map history`: a repository built here with dated commits, its history equal to
`check` run at each commit, read again only where it grew, and honest about what it
could not read (a shallow clone, a folder outside git). The repository is untrusted:
nothing in its configuration runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import Run, Site, cli
from content_map.cache import CACHE_DIR
from content_map.history import history
from content_map.load.siteconfig import read_site_config
from content_map.settings import from_options

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(root: Path, *args: str, when: str = "2026-10-05T10:00:00+00:00") -> str:
    """Run git in `root` as a person would, with the author and committer date `when`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_CONFIG_GLOBAL=os.devnull,
               GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="Dana", GIT_AUTHOR_EMAIL="d@x",
               GIT_COMMITTER_NAME="Dana", GIT_COMMITTER_EMAIL="d@x")
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


class Repo:
    """A site in a git repository; each commit is also kept as a plain copy of the files,
    for `check` to run on."""

    def __init__(self, site: Site, snapshots: Path):
        self.site = site
        self.snapshots = snapshots
        self.commits: list[tuple[str, str, Path]] = []  # (sha, day, copy of the files)
        git(site.root, "init", "-q", "-b", "main")

    def commit(self, when: str, message: str = "change") -> str:
        root = self.site.root
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", message, when=when)
        sha = git(root, "rev-parse", "HEAD")
        copy = self.snapshots / sha
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".git", ".cache"))
        self.commits.append((sha, when[:10], copy))
        return sha


PAGE = "---\ntitle: {title}\npersonas: [{personas}]\nstage: {stage}\nstatus: {status}\n---\n# T\n"


def page(site: Site, name: str, personas: str, stage: str, status: str = "published") -> None:
    site.write(f"docs/{name}.md", PAGE.format(title=name.title(), personas=personas,
                                              stage=stage, status=status))


@pytest.fixture
def repo(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """Five days of history: personas and pages arrive, a waiver is added, a stage is
    written; a README change and a second commit on one day make no day of their own."""
    made = Repo(site, tmp_path_factory.mktemp("snapshots"))
    site.config()
    site.write("personas/cfo.yml", "name: Catherine\n")
    site.write("docs/index.md", "# Home\n")
    page(site, "aware", "cfo", "awareness")
    made.commit("2026-10-01T09:00:00+00:00")
    site.write("personas/ops.yml", "name: Olivia\n")
    page(site, "decide", "cfo, ops", "decision")
    made.commit("2026-10-02T09:00:00+00:00")
    page(site, "consider", "ops", "consideration", status="draft")
    made.commit("2026-10-02T17:30:00+00:00")  # the day's last commit stands for the day
    site.write("README.md", "Not part of the site.\n")
    made.commit("2026-10-03T09:00:00+00:00")  # changes nothing history follows
    site.config({"coverage": {"waivers": [{"persona": "ops", "stage": "advocacy",
                                           "reason": "later", "until": "2027-01-01"}]}})
    made.commit("2026-10-04T09:00:00+00:00")
    page(site, "consider", "ops, cfo", "consideration")
    (site.root / "docs" / "aware.md").unlink()
    made.commit("2026-10-05T09:00:00+00:00")
    return made


def run(site: Site, *args: str) -> Run:
    return cli(["history", "-f", str(site.root / "mkdocs.yml"), *args])


def test_history_equals_check_at_each_day(repo: Repo) -> None:
    result = run(repo.site, "--format", "json")
    assert result.code == 0, result.err
    document = result.json()
    assert document["complete"] is True
    points = document["points"]
    days = [day for _, day, _ in repo.commits]
    expected = [c for n, c in enumerate(repo.commits)
                if c[1] != "2026-10-03" and (n + 1 == len(days) or days[n + 1] != c[1])]
    assert [(p["date"], p["commit"]) for p in points] == [(d, s) for s, d, _ in expected]
    for point, (_, day, copy) in zip(points, expected, strict=True):
        check = cli(["check", "-f", str(copy / "mkdocs.yml"), "--format", "json",
                     "--today", day, "--no-cache"]).json()
        summary = check["summary"]
        assert point["coverage"] == summary["coverage"]
        assert point["gaps"] == summary["gaps"] == sum(c["state"] == "gap"
                                                       for c in check["matrix"])
        assert point["pieces"] == summary["pieces"]
        for persona, coverage in point["personas"].items():
            cells = [c for c in check["matrix"] if c["persona"] == persona
                     and c["state"] != "skipped"]
            assert coverage == round(sum(c["state"] == "covered" for c in cells) / len(cells), 4)
    # The history moves: the example is not a flat line.
    assert len({(p["coverage"], p["gaps"]) for p in points}) >= 3


def test_a_second_run_reads_only_the_new_commit(repo: Repo) -> None:
    site = repo.site
    config = read_site_config(site.root / "mkdocs.yml")
    settings = from_options(config.options or {})

    def again() -> object:
        return history(site.root, "mkdocs.yml", settings, config.docs_dir,
                       site.root / CACHE_DIR)

    first = again()
    assert first.analysed == 4 and first.blobs_read >= 8
    unchanged = again()
    assert (unchanged.analysed, unchanged.blobs_read) == (0, 0)
    assert unchanged.points == first.points
    page(site, "advocate", "cfo", "advocacy")
    repo.commit("2026-10-06T09:00:00+00:00")
    grown = again()
    assert (grown.analysed, grown.blobs_read) == (1, 1)  # the one new page
    assert grown.points[:-1] == first.points
    assert grown.points[-1].pieces == first.points[-1].pieces + 1


def test_csv_and_text_and_since(repo: Repo) -> None:
    table = run(repo.site, "--format", "csv", "--since", "2026-10-04")
    header, *rows = table.out.splitlines()
    assert header == "date,commit,coverage,gaps,pieces,coverage:cfo,coverage:ops"
    assert [row.split(",")[0] for row in rows] == ["2026-10-04", "2026-10-05"]
    text = run(repo.site, "--since", "2026-10-05")
    assert text.code == 0
    lines = text.out.splitlines()
    assert lines[0].split() == ["date", "coverage", "open", "gaps", "pieces", "commit"]
    assert lines[1].startswith("2026-10-05") and len(lines) == 2  # no note: it is whole


def test_output_file(repo: Repo, tmp_path: Path) -> None:
    out = tmp_path / "history.json"
    assert run(repo.site, "--format", "json", "-o", str(out)).code == 0
    assert json.loads(out.read_text())["complete"] is True


def test_a_shallow_clone_says_so(repo: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", repo.site.root.as_uri(), str(clone))
    document = cli(["history", "-f", str(clone / "mkdocs.yml"), "--format", "json"]).json()
    assert document["complete"] is False
    assert "shallow clone" in document["note"]
    assert [p["date"] for p in document["points"]] == ["2026-10-04", "2026-10-05"]
    text = cli(["history", "-f", str(clone / "mkdocs.yml")])
    assert text.code == 0
    assert "note: this is a shallow clone" in text.out and "fetch-depth: 0" in text.out
    # The clone's oldest day is still what `check` says of it.
    last = repo.commits[-1]
    check = cli(["check", "-f", str(last[2] / "mkdocs.yml"), "--format", "json",
                 "--today", last[1], "--no-cache"]).json()
    assert document["points"][-1]["coverage"] == check["summary"]["coverage"]


def test_outside_git_says_so(site: Site) -> None:
    site.config()
    site.write("docs/index.md", "# Home\n")
    document = run(site, "--format", "json").json()
    text = run(site)
    assert document == {"complete": False, "points": [], "note": document["note"]}
    assert "not in a git repository" in document["note"]
    assert text.code == 0 and "note: no history" in text.out


def test_the_repository_cannot_make_git_run_anything(repo: Repo, tmp_path: Path) -> None:
    """Hooks, fsmonitor, an external diff, textconv, filters, a pager and a signature
    program in the repository's own config would each touch a file if git ran them (as a
    checkout, a status or a patch would)."""
    site = repo.site
    marker = tmp_path / "ran"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\ncat\n")
    script.chmod(0o755)
    for key, value in [("core.fsmonitor", str(script)), ("diff.external", str(script)),
                       ("diff.evil.textconv", str(script)), ("filter.evil.smudge", str(script)),
                       ("filter.evil.clean", str(script)), ("core.pager", str(script)),
                       ("log.showSignature", "true"), ("gpg.program", str(script))]:
        git(site.root, "config", key, value)
    hooks = site.root / ".git" / "hooks"
    for name in ("post-checkout", "pre-commit", "reference-transaction", "post-index-change"):
        (hooks / name).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / name).chmod(0o755)
    (site.root / ".gitattributes").write_text("*.md diff=evil filter=evil\n*.yml diff=evil\n")
    result = run(site, "--format", "json", "--no-cache")
    assert result.code == 0, result.err
    assert len(result.json()["points"]) == 4
    assert not marker.exists()


def test_an_oversized_or_hostile_file_in_history_is_a_finding_not_a_crash(repo: Repo) -> None:
    site = repo.site
    site.write("personas/big.yml", "name: Big\nsummary: " + "x" * (3 << 20) + "\n")
    site.write("docs/bad.md", "---\npersonas: [cfo\nstage: [&a [*a]]\n---\n")
    sha = repo.commit("2026-10-07T09:00:00+00:00")
    document = run(site, "--format", "json").json()
    assert document["points"][-1]["commit"] == sha
    copy = repo.commits[-1][2]
    check = cli(["check", "-f", str(copy / "mkdocs.yml"), "--format", "json",
                 "--today", "2026-10-07", "--no-cache"]).json()
    assert document["points"][-1]["gaps"] == check["summary"]["gaps"]
    assert document["points"][-1]["coverage"] == check["summary"]["coverage"]


def test_a_site_in_a_folder_of_its_repository(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    site = Site(top / "web")
    site.config()
    site.write("personas/cfo.yml", "name: Catherine\n")
    page(site, "aware", "cfo", "awareness")
    (top / "elsewhere.md").write_text("---\npersonas: [cfo]\nstage: decision\n---\n")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "one", when="2026-10-01T09:00:00+00:00")
    page(site, "decide", "cfo", "decision")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "two", when="2026-10-02T09:00:00+00:00")
    (top / "elsewhere.md").write_text("changed\n")
    git(top, "commit", "-qam", "outside the site", when="2026-10-03T09:00:00+00:00")
    document = run(site, "--format", "json").json()
    assert [(p["date"], p["pieces"], p["gaps"]) for p in document["points"]] == [
        ("2026-10-01", 1, 4), ("2026-10-02", 2, 3)]


def test_the_callers_git_variables_do_not_redirect_it(repo: Repo, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    document = run(repo.site, "--format", "json", "--no-cache").json()
    assert document["complete"] is True and len(document["points"]) == 4
