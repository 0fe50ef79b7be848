"""A repository written by an attacker, run through every command and the real build.

For `check`, `export`, `generate`, `schema` and `history` a repository is untrusted input
(the README's trust model). The project built here plants a link at every temporary name
the tool ever used, folder links to a place outside, a code-running payload in every
cache file, FIFOs at inputs and outputs, and file names that are not UTF-8 or hold a
newline, ESC or a bidi override. Each command runs in its own process under a time limit
and must leave the outside untouched, run no payload, print no traceback and no workflow
command outside a fence, and exit with a documented code.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TIMEOUT = 60
PAYLOAD_SENTINEL = "payload-ran"
FORGED = "::error::forged"


class Payload:
    """Unpickling this runs a shell command that leaves a sentinel file."""

    def __init__(self, sentinel: Path):
        self.sentinel = sentinel

    def __reduce__(self):  # noqa: D105
        return (os.system, (f"touch {self.sentinel}",))


def _fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


class Repo:
    """The hostile project, the outside it must not touch, and how to run commands on it."""

    def __init__(self, base: Path):
        self.base = base
        self.root = base / "project"
        self.outside = base / "outside"
        self.secret = _write(self.outside / "secret.txt", "the user's own file\n")
        self.folder = self.outside / "folder"
        _write(self.folder / "kept.md", "kept\n")
        self.sentinel = base / PAYLOAD_SENTINEL
        self.before = self.snapshot()

    def snapshot(self) -> tuple[bytes, list[str], int]:
        listing = sorted(str(p.relative_to(self.outside)) for p in self.outside.rglob("*"))
        return self.secret.read_bytes(), listing, self.secret.stat().st_mode

    def run(self, *argv: str, github: bool = False, module: str = "content_map",
            cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        if github:
            env.update(GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(self.root),
                       GITHUB_STEP_SUMMARY=str(self.base / "summary.md"))
        return subprocess.run([sys.executable, "-m", module, *argv], cwd=cwd or self.root,
                              env=env, capture_output=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL)


def _plant(repo: Repo) -> None:
    root = repo.root
    stages = ["awareness", "consideration", "decision", "retention", "advocacy"]
    config = {"site_name": "Hostile", "docs_dir": "docs",
              "plugins": [{"content-map": {"fail_on": "never",
                                           "metrics": {"file": "analytics.csv"}}}]}
    _write(root / "mkdocs.yml", yaml.safe_dump(config, sort_keys=False))
    _write(root / "personas/reader.yml", "name: Rita Reader\npains: [Slow closes]\n")
    for stage in stages:
        _write(root / f"docs/{stage}.md",
               f"---\npersonas: [reader]\nstage: {stage}\n---\n# {stage.title()}\n")
    # A later-stage piece whose name would break out of the `new page` brief's comment.
    _write(root / "docs/--><img src=x onerror=alert(1)><!--.md",
           "---\npersonas: [reader]\nstage: decision\n---\n# Tricky\n")
    # Names that are not UTF-8, or that hold a newline, ESC, OSC, BEL or a bidi override.
    docs = os.fsencode(root / "docs")
    with open(docs + b"/caf\xe9.md", "wb") as handle:
        handle.write(b"---\npersonas: [nobody]\nstage: awareness\n---\n")
    _write(root / f"docs/a\n{FORGED}.md", "---\npersonas: [nobody]\nstage: awareness\n---\n")
    _write(root / "docs/\x1b]8;;http://evil\x07esc\x1b[31m.md",
           "---\npersonas: [nobody]\nstage: awareness\n---\n")
    _write(root / "docs/\u202egnp.md", "---\npersonas: [nobody]\nstage: awareness\n---\n")
    _write(root / "analytics.csv",
           f"page,views\n\"x\n{FORGED}\",3\n\x1b[2Jclear\u202e,4\nawareness.md,9\n")
    # Inputs that would block a reader forever.
    _fifo(root / "docs/pipe.md")
    _fifo(root / "personas/pipe.yml")
    _fifo(root / "baseline.json")
    _write(root / "inherit.yml", "INHERIT: pipe.yml\nsite_name: x\n")
    _fifo(root / "pipe.yml")
    # Folder links that lead outside.
    os.symlink(repo.folder, root / "docs/linked")
    os.symlink(repo.folder, root / "personas-out")
    # A link at every temporary name any version of the tool used, and at its outputs'
    # usual names, pointing at the user's own file.
    for name in ("report.sarif", "report.json", "report.xml", "report.md", "report.txt",
                 "export.json", "export.csv", "baseline-new.json", "persona.schema.json",
                 "journey.schema.json", "page.schema.json", "index.md", "gaps.md"):
        for folder in (root, root / "schemas", root / "docs/content-map"):
            folder.mkdir(parents=True, exist_ok=True)
            os.symlink(repo.secret, folder / f".{name}.tmp")
    # A payload in every cache file the tool ever read, and where Jinja's bytecode went.
    cache = root / ".cache/content-map"
    cache.mkdir(parents=True)
    blob = pickle.dumps(Payload(repo.sentinel))
    for name in ("pages", "settings", "across-pieces", "publication", "map", "badges",
                 "pages-v5", "analysis"):
        _write(cache / f"{name}.pickle", blob)
    for name in ("templates", "jinja"):
        _write(cache / name / "__jinja2_0.cache", blob)
    _write(cache / "__jinja2_0.cache", blob)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    made = Repo(tmp_path_factory.mktemp("hostile"))
    _plant(made)
    return made


def _fence_problems(output: str) -> list[str]:
    """Lines a GitHub runner would read as workflow commands that content-map did not mean:
    anything at a line start outside a `::stop-commands::` fence but its own annotations."""
    problems = []
    fence = None
    for line in output.splitlines():
        if fence is not None:
            if line == f"::{fence}::":
                fence = None
            continue
        started = re.match(r"::stop-commands::(\S+)$", line)
        if started:
            fence = started.group(1)
        elif line.startswith("::") and not re.match(
                r"::(error|warning|notice)( [a-z]+=[^:,\n]*(,[a-z]+=[^:,\n]*)*)?::", line):
            problems.append(line)
    return problems


_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def _assert_safe(repo: Repo, proc: subprocess.CompletedProcess[bytes],
                 codes: tuple[int, ...]) -> str:
    out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in out, out[-3000:]
    assert proc.returncode in codes, (proc.returncode, out[-3000:])
    assert repo.snapshot() == repo.before, "a file outside the project changed"
    assert not repo.sentinel.exists(), "a payload from the repository ran"
    assert not _RAW.search(out), repr(_RAW.search(out))
    assert not _fence_problems(out), _fence_problems(out)
    return out


FORMATS = ("text", "json", "junit", "github", "sarif", "markdown")


@pytest.mark.parametrize("github", [False, True], ids=["terminal", "github-actions"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_check_to_standard_output(repo: Repo, fmt: str, github: bool) -> None:
    proc = repo.run("check", "--format", fmt, github=github)
    _assert_safe(repo, proc, (0,))
    if github and (repo.base / "summary.md").exists():
        summary = (repo.base / "summary.md").read_text(encoding="utf-8", errors="replace")
        assert not _RAW.search(summary)


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_to_a_file_replaces_no_planted_link(repo: Repo, fmt: str) -> None:
    name = {"text": "report.txt", "json": "report.json", "junit": "report.xml",
            "github": "report.txt", "sarif": "report.sarif", "markdown": "report.md"}[fmt]
    target = repo.root / name
    target.unlink(missing_ok=True)
    proc = repo.run("check", "--format", fmt, "-o", name)
    _assert_safe(repo, proc, (0,))
    assert target.is_file() and not target.is_symlink()
    assert target.read_bytes()
    assert (repo.root / f".{name}.tmp").is_symlink()  # left as it was planted
    assert not [p for p in repo.root.iterdir() if p.name.startswith(".content-map-")]


def test_export_and_baseline_and_schema(repo: Repo) -> None:
    for argv in (("export", "-o", "export.json"),
                 ("export", "--format", "csv", "-o", "export.csv"),
                 ("check", "--write-baseline", "baseline-new.json"),
                 ("schema", "--out", "schemas")):
        _assert_safe(repo, repo.run(*argv), (0,))
    assert (repo.root / "schemas/page.schema.json").is_file()


def test_fifos_at_inputs_are_refused_without_hanging(repo: Repo) -> None:
    out = _assert_safe(repo, repo.run("check", "--baseline", "baseline.json"), (2,))
    assert "not a regular file" in out
    out = _assert_safe(repo, repo.run("check", "-f", "inherit.yml"), (2,))
    assert "not a regular file" in out
    out = _assert_safe(repo, repo.run("check"), (0,))
    assert "docs/pipe.md" in out and "personas/pipe.yml" in out


def test_a_fifo_at_a_generated_name_is_left_alone(repo: Repo) -> None:
    out_dir = repo.root / "docs/generated"
    _fifo(out_dir / "gaps.md")
    out = _assert_safe(repo, repo.run("generate", "--out", "docs/generated"), (2,))
    assert "gaps.md" in out
    assert not [p for p in out_dir.rglob(".content-map-*")]


def test_generate_writes_only_into_its_folder(repo: Repo) -> None:
    _assert_safe(repo, repo.run("generate", "--out", "docs/content-map"), (0,))
    assert (repo.root / "docs/content-map/index.md").is_file()
    for bad in (".", "docs", "personas", "..", "../outside", "docs/linked",
                "personas-out/x"):
        out = _assert_safe(repo, repo.run("generate", "--out", bad), (2,))
        assert "content-map:" in out


def test_new_page_brief_cannot_break_out_of_its_comment(repo: Repo) -> None:
    proc = repo.run("new", "page", "brief.md", "--persona", "reader", "--stage", "awareness")
    _assert_safe(repo, proc, (0,))
    text = (repo.root / "docs/brief.md").read_text(encoding="utf-8")
    body = text.split("<!--", 1)[1]
    assert body.count("-->") == 1 and body.rstrip().endswith("-->")
    assert "<img" not in text
    assert oct((repo.root / "docs/brief.md").stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    (repo.root / "docs/brief.md").unlink()


def test_new_refuses_folder_links_out(repo: Repo) -> None:
    proc = repo.run("new", "page", "linked/escape.md", "--persona", "reader", "--stage",
                    "awareness")
    _assert_safe(repo, proc, (2,))


def test_a_dotdot_map_path_is_a_configuration_error(repo: Repo, tmp_path: Path) -> None:
    config = yaml.safe_load((repo.root / "mkdocs.yml").read_text())
    config["plugins"][0]["content-map"]["map_path"] = "a/../.."
    _write(repo.root / "dotdot.yml", yaml.safe_dump(config))
    out = _assert_safe(repo, repo.run("check", "-f", "dotdot.yml"), (2,))
    assert "map_path" in out
    proc = repo.run("build", "-f", "dotdot.yml", "-d", str(tmp_path / "site"), module="mkdocs")
    out = _assert_safe(repo, proc, (1,))
    assert "map_path" in out
    assert not (repo.root / "content-map").exists()


def test_the_real_build(repo: Repo, tmp_path: Path) -> None:
    proc = repo.run("build", "-d", str(tmp_path / "site"), module="mkdocs")
    out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, out[-3000:]
    assert repo.snapshot() == repo.before
    assert not repo.sentinel.exists()
    assert "Traceback" not in out
    assert (tmp_path / "site/content-map/index.html").is_file()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
