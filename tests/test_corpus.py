"""The bad-input corpus: every case in `corpus/cases.yml` is a small site, checked for its
exact findings (rule, file, line), or for being accepted with none.

Each case is written on top of a tiny valid base (one persona, the built-in journey,
an index page) with the coverage rules off, so a case's findings are its own. Files are
written exactly: text as UTF-8 (line endings kept), `bytes:` from a Python bytes
literal, `expr:` from a Python expression of literals (for huge or repeated content),
and links, folders, pipes and unreadable files from their own keys. See the README's
"Bad input and limits" section for what each limit is.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import re
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import cli

CORPUS = Path(__file__).parent / "corpus" / "cases.yml"
SECRET = "TOPSECRET-4f1c"
"""Planted in every file outside the project: no output may ever contain it."""

BASE_FILES = {
    "personas/reader.yml": "name: Rita Reader\n",
    "docs/index.md": "# Home\n",
}
BASE_OPTIONS: dict[str, Any] = {
    "rules": {"coverage-gap": "ignore", "orphan-persona": "ignore", "dead-end": "ignore",
              "backward-next": "ignore"},
}
OUTSIDE_FILES = {
    "secret.yml": f"name: {SECRET}\n{SECRET}: [\n",
    "secret.md": f"---\npersonas: [{SECRET}]\n{SECRET}: {{\n---\n{SECRET}\n",
    "docs/secret.md": f"---\n{SECRET}: [{SECRET}\n",
    "personas/secret.yml": f"name: {SECRET}\nid: {SECRET}\n{SECRET}: x\n",
}
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def load_cases() -> list[dict[str, Any]]:
    with open(CORPUS, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


CASES = load_cases()


def content(spec: Any) -> str | bytes:
    """The bytes or text a file spec stands for."""
    if isinstance(spec, str):
        return spec
    if "bytes" in spec:
        value = ast.literal_eval(spec["bytes"])
        assert isinstance(value, bytes)
        return value
    if "expr" in spec:  # literals, `+` and `*` only: the corpus is data, not code
        tree = ast.parse(spec["expr"], mode="eval")
        allowed = (ast.Expression, ast.BinOp, ast.Add, ast.Mult, ast.Constant)
        assert all(isinstance(node, allowed) for node in ast.walk(tree)), spec["expr"]
        return eval(compile(tree, "<corpus>", "eval"), {"__builtins__": {}}, {})  # noqa: S307
    raise AssertionError(f"unknown file spec {spec!r}")


def write_site(root: Path, outside: Path, case: dict[str, Any]) -> set[Path]:
    """Write the base and the case's files; return the files to make unreadable."""
    for name, text in OUTSIDE_FILES.items():
        target = outside / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    options = {**BASE_OPTIONS, **case.get("options", {})}
    config = {"site_name": "Corpus", "docs_dir": "docs", "plugins": [{"content-map": options}]}
    files: dict[str, Any] = {"mkdocs.yml": yaml.safe_dump(config, sort_keys=False)}
    if case.get("base", True):
        files.update(BASE_FILES)
    for name in case.get("remove", ()):
        files.pop(name)
    files.update(case.get("files", {}))
    generate = case.get("generate")
    if generate:
        for i in range(generate["count"]):
            files[generate["path"].format(i=i)] = generate["text"].format(i=i)
    unreadable: set[Path] = set()
    for name, spec in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(spec, dict) and "link" in spec:
            target.symlink_to(spec["link"].replace("{outside}", str(outside)))
        elif isinstance(spec, dict) and "folder" in spec:
            target.mkdir(exist_ok=True)
        elif isinstance(spec, dict) and "fifo" in spec:
            os.mkfifo(target)
        elif isinstance(spec, dict) and "unreadable" in spec:
            target.write_text(spec["unreadable"], encoding="utf-8")
            target.chmod(0)
            unreadable.add(target)
        else:
            data = content(spec)
            if isinstance(data, bytes):
                target.write_bytes(data)
            else:
                with open(target, "w", encoding="utf-8", newline="") as handle:
                    handle.write(data)
    return unreadable


def deny(monkeypatch: pytest.MonkeyPatch, paths: set[Path]) -> None:
    """Root reads any file whatever its mode: refuse these as the OS refuses others."""
    if not paths or os.geteuid() != 0:
        return
    denied = {os.path.realpath(p) for p in paths}
    real_open = builtins.open

    def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, os.PathLike)) and os.path.realpath(file) in denied:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    real_os_open = os.open

    def guarded_os_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, os.PathLike)) and os.path.realpath(file) in denied:
            raise PermissionError(13, "Permission denied", str(file))
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(os, "open", guarded_os_open)


def expected(case: dict[str, Any]) -> list[list[Any]]:
    expect = case["expect"]
    return [] if expect == "accepted" else [list(e) for e in expect]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, outside = tmp_path / "site", tmp_path / "outside"
    unreadable = write_site(root, outside, case)
    deny(monkeypatch, unreadable)
    config = str(root / "mkdocs.yml")
    try:
        started = time.perf_counter()
        run = cli(["check", "-f", config, "--format", "json", "--today", "2026-06-01"])
        elapsed = time.perf_counter() - started
        text = cli(["check", "-f", config, "--today", "2026-06-01", "--color", "never"])
    finally:
        for path in unreadable:
            path.chmod(0o644)

    assert run.code in (0, 1), run.err
    findings = run.json()["findings"]
    got = sorted((f["rule"], f["file"], f["line"]) for f in findings)
    want = sorted((e[0], e[1], e[2]) for e in expected(case))
    assert got == want, json.dumps(findings, indent=1, ensure_ascii=False)[:4000]
    for rule, file, line, *fragment in expected(case):
        if fragment:
            messages = [f["message"] for f in findings
                        if (f["rule"], f["file"], f["line"]) == (rule, file, line)]
            assert any(fragment[0] in m for m in messages), (fragment[0], messages)
    errors = any(f["severity"] == "error" for f in findings)
    assert run.code == (1 if errors else 0)
    assert text.code == run.code
    for output in (run.out, run.err, text.out, text.err):
        assert "Traceback" not in output
        assert SECRET not in output
    for finding in findings:  # values are quoted escaped: nothing hides or reorders text
        assert not _HIDDEN.search(finding["message"]), finding["message"]
        assert len(finding["message"]) < 2000
    assert elapsed < case.get("seconds", 10), f"took {elapsed:.1f}s"


def test_corpus_is_large_and_every_case_is_documented() -> None:
    assert len(CASES) >= 50
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    for case in CASES:
        assert case.get("about"), case["id"]
        assert case["expect"] == "accepted" or isinstance(case["expect"], list), case["id"]


def test_escaping_helper_agrees_with_unicode() -> None:
    """The corpus's own check for hidden characters covers what `shown` escapes."""
    for char in "\x1b\u200b\u202e\u2066\ufeff\x85":
        assert unicodedata.category(char) in {"Cc", "Cf"}
        assert _HIDDEN.search(char)
