"""Every hostile corpus case in one site, through `content-map check` and the real
`mkdocs build`, each in its own process with a time limit and a memory cap: both must
finish in seconds, exit 1, print no traceback, leak no secret, and name every bad file.
A second site with `fail_on: never` shows that the build survives pages MkDocs's own
front-matter reader would crash on or render as text.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_corpus import BASE_FILES, BASE_OPTIONS, CASES, SECRET, expected, write_site

MEMORY_CAP = 2 * 1024**3  # address space of each child; a runaway fails instead of swapping
MAX_RSS_MB = 600
MAX_SECONDS = 60  # typically 2-5 s; generous for slow CI machines


@dataclass
class Child:
    code: int
    output: str
    seconds: float
    max_rss_mb: float


def run_child(argv: list[str], cwd: Path, timeout: float = 120) -> Child:
    """Run `argv` with a memory cap; return its exit code, output, time and peak memory."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    log = cwd / f".child-{time.monotonic_ns()}.log"
    started = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, preexec_fn=limit)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    output = log.read_text(encoding="utf-8", errors="replace")
    log.unlink()
    return Child(proc.returncode, output, seconds, usage.ru_maxrss / 1024)


def _merge_name(case_id: str, name: str, taken: set[str] | frozenset[str] = frozenset()
                ) -> str | None:
    """Where a case's file goes in the combined site; None when it cannot be moved.

    Pages move into a folder per case; a persona or journey keeps its name (`con.yml`
    means something) unless another case took it first.
    """
    top, _, rest = name.partition("/")
    if not rest:
        return None  # a whole folder (personas/ as a link): only meaningful on its own
    if top == "docs":
        return f"docs/{case_id}/{rest}"
    if top in ("personas", "journeys") and "/" not in rest:
        return name if name not in taken else f"{top}/{case_id}--{rest}"
    return f"{top}/{case_id}/{rest}"


def hostile_site(root: Path, outside: Path) -> dict[str, str]:
    """Write every case into one site; return each bad file and the case it comes from."""
    files: dict[str, Any] = {}
    bad: dict[str, str] = {}
    root_user = os.geteuid() == 0
    for case in CASES:
        taken = set(files) | set(BASE_FILES)
        moved = {name: _merge_name(case["id"], name, taken) for name in case.get("files", {})}
        if any(target is None for target in moved.values()):
            continue
        for name, spec in case.get("files", {}).items():
            files[moved[name]] = spec
        generate = case.get("generate")
        if generate:
            for i in range(generate["count"]):
                files[_merge_name(case["id"], generate["path"].format(i=i))] = \
                    generate["text"].format(i=i)
        for _, file, *_ in expected(case):
            spec = case.get("files", {}).get(file)
            if file in BASE_FILES or (root_user and isinstance(spec, dict)
                                      and "unreadable" in spec):
                continue  # the base file is shared; root reads any file
            target = moved.get(file)
            if target is not None:
                bad[target] = case["id"]
    write_site(root, outside, {"files": files, "options": {}})
    return bad


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    root = folder / "site"
    bad = hostile_site(root, folder / "outside")
    assert len(bad) >= 50
    return root, bad


@pytest.mark.parametrize("command", ["check", "build"])
def test_every_hostile_case_together(hostile: tuple[Path, dict[str, str]],
                                     command: str) -> None:
    root, bad = hostile
    config = str(root / "mkdocs.yml")
    argv = ([sys.executable, "-m", "content_map", "check", "-f", config, "--color", "never"]
            if command == "check" else
            [sys.executable, "-m", "mkdocs", "build", "-f", config, "-d", str(root.parent / "out")])
    child = run_child(argv, root)
    print(f"{command}: {child.seconds:.1f}s, {child.max_rss_mb:.0f} MB peak")
    assert child.code == 1, child.output[-3000:]
    assert "Traceback" not in child.output, child.output[-5000:]
    assert SECRET not in child.output
    missing = {file: case for file, case in bad.items() if file not in child.output}
    assert not missing
    assert child.seconds < MAX_SECONDS
    assert child.max_rss_mb < MAX_RSS_MB


# Pages that MkDocs's own reader crashes on or shows as text; none of them may reach it.
GUARDED = {
    "docs/deep.md": "---\ntitle: Deep\nx: " + "[" * 30000 + "]" * 30000 + "\n---\nDEEP-BODY\n",
    "docs/unclosed.md": "---\ntitle: Unclosed\npersonas: [reader]\nstage: awareness\n\nBODY\n",
    "docs/no-break.md": "---\ntitle: NoBreak\npersonas: [reader]\nstage: awareness\n---",
    "docs/bad-date.md": "---\ntitle: BadDate\npersonas: [reader]\nstage: awareness\n"
                        "review_by: 2027-02-30\n---\nDATE-BODY\n",
    "docs/anchors.md": "---\ntitle: &t Anchors\nalias: *t\n---\nANCHOR-BODY\n",
    "docs/list.md": "---\n- title: NotAMapping\n---\nLIST-BODY\n",
    "docs/tagged.md": "---\ntitle: !!python/name:os.system\n---\nTAG-BODY\n",
}


def test_broken_front_matter_never_reaches_mkdocs(site: Any) -> None:
    site.config({**BASE_OPTIONS, "fail_on": "never"})
    for name, text in {**BASE_FILES, **GUARDED}.items():
        path = site.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (site.root / "docs/latin.md").write_bytes(b"---\ntitle: Caf\xe9\n---\nLATIN-BODY\n")
    (site.root / "docs/bom2.md").write_bytes(
        b"\xef\xbb\xbf\xef\xbb\xbf---\ntitle: Hidden\n---\nBOM-BODY\n")
    child = run_child([sys.executable, "-m", "mkdocs", "build", "-f",
                       str(site.root / "mkdocs.yml")], site.root)
    assert child.code == 0, child.output[-3000:]  # no segmentation fault, no traceback
    assert "Traceback" not in child.output
    for name in [*GUARDED, "docs/latin.md", "docs/bom2.md"]:
        assert name in child.output  # reported as it went by
    built = {p.relative_to(site.root / "site").as_posix(): p.read_text(encoding="utf-8")
             for p in (site.root / "site").rglob("index.html")}
    for page in ("unclosed", "no-break", "anchors", "list", "tagged", "bom2", "deep"):
        html = built[f"{page}/index.html"]
        assert "title:" not in html and "personas:" not in html, page  # not shown as text
    assert "DATE-BODY" in built["bad-date/index.html"]  # the body is kept where it can be
    assert "DEEP-BODY" in built["deep/index.html"]


def test_outside_page_is_not_copied_into_the_site(site: Any, tmp_path: Path) -> None:
    """With `fail_on: never` a page linking outside the project must not be published."""
    site.config({**BASE_OPTIONS, "fail_on": "never"})
    for name, text in BASE_FILES.items():
        site.write(name, text)
    secret = tmp_path.parent / f"{tmp_path.name}-outside.md"
    secret.write_text(f"---\ntitle: x\n---\n{SECRET}\n", encoding="utf-8")
    (site.root / "docs/leak.md").symlink_to(secret)
    child = run_child([sys.executable, "-m", "mkdocs", "build", "-f",
                       str(site.root / "mkdocs.yml")], site.root)
    assert child.code == 0, child.output[-3000:]
    assert "docs/leak.md" in child.output
    html = (site.root / "site/leak/index.html").read_text(encoding="utf-8")
    assert SECRET not in html
    assert SECRET not in child.output


def test_the_example_limits_are_documented() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    from content_map.load.header import MAX_HEADER_BYTES
    from content_map.load.safe_yaml import MAX_DEPTH
    from content_map.load.source import MAX_FILE_BYTES

    section = readme.split("### Bad input and limits", 1)[1].split("\n## ", 1)[0]
    assert f"{MAX_FILE_BYTES // 1024 // 1024} MB" in section
    assert f"{MAX_HEADER_BYTES // 1024} KB" in section
    assert f"{MAX_DEPTH} levels" in section
    config = yaml.safe_dump(BASE_OPTIONS)  # the corpus's own settings are plain options
    assert "coverage-gap" in config
