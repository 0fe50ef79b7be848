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
    return site.root / ".cache" / "content-map" / "pages.json"


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
    real = engine.across_pieces
    monkeypatch.setattr(engine, "across_pieces", lambda *a: runs.append(1) or real(*a))

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


def test_a_new_day_reads_no_page_again_and_judges_review_dates_anew(
        example: Site, monkeypatch: pytest.MonkeyPatch):
    """The day is not part of a page's outcome: `stale` is judged over all the pieces, so
    the first check of a new day takes every page from the cache."""
    from content_map.load import pieces, source

    reads, made = [], []
    read, make = source.read_header, pieces.PieceMaker.make
    monkeypatch.setattr(source, "read_header", lambda *a: reads.append(1) or read(*a))
    monkeypatch.setattr(pieces.PieceMaker, "make",
                        lambda *a: made.append(1) or make(*a))  # type: ignore[misc]

    def warm(day: str) -> tuple[int, int, list[str]]:
        """Pages read and pieces made by a check with the cache; the pages found stale."""
        reads.clear()
        made.clear()
        got = report(example, "--today", day)
        counts = len(reads), len(made)
        assert got == report(example, "--no-cache", "--today", day)
        return (*counts, [f["file"] for f in got["findings"] if f["rule"] == "stale"])

    pages, pieces_made, stale = warm("2020-01-01")  # the cache is filled
    assert pages > 10 and pieces_made > 10 and stale == []
    assert warm("2020-01-02") == (0, 0, [])  # the next day: every page from the cache
    reads_then, made_then, stale = warm("2099-01-01")  # every review date has passed
    assert (reads_then, made_then) == (0, 0) and len(stale) > 10


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


# What the cache holds, and how it is read back: JSON through declared shapes only.


def _same(a, b) -> None:
    """`a` and `b` are equal, of the same types all the way down, and YAML containers
    carry the same line numbers, source text and unbuilt scalars."""
    from content_map.load.safe_yaml import YamlList, YamlMap

    assert type(a) is type(b), (a, b)
    if isinstance(a, (YamlMap, YamlList)):
        assert (a.line, a.lines, a.raw, a.unbuilt) == (b.line, b.lines, b.raw, b.unbuilt)
        assert all(type(u) is tuple for u in b.unbuilt)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif hasattr(a, "__dataclass_fields__"):
        assert a == b
        for name in a.__dataclass_fields__:
            _same(getattr(a, name), getattr(b, name))
    else:
        assert a == b


def _round_trip(hint, value, table: bool = False):
    """`value` encoded, written as JSON text, read and decoded again, one by one and
    all at once (as the page cache reads its entries)."""
    from content_map.cachecodec import dumps, loads, shape
    from content_map.cachetable import Table

    shaped = shape(hint)
    store = Table()
    with store.active() if table else _nothing():
        text = dumps(shaped.encode(value))
    store = Table(loads(dumps(store.data)))
    with store.active() if table else _nothing():
        one = shaped.decode(loads(text))
        many = shaped.many([loads(text), loads(text)])
    _same(value, one)
    _same(value, many[0])
    _same(value, many[1])
    return one


def _nothing():
    import contextlib

    return contextlib.nullcontext()


YAML_TEXT = """\
title: "A page: with a colon"
personas: [cfo, controller]
stage: buyer/decision
review_by: 2027-08-11
published: 2024-01-31 10:30:00+02:00
local: 2024-01-31 10:30:00
draft: no
code: 007
version: 1.10
bad_date: 2027-13-45
ratio: .inf
empty:
nested:
  list:
    - one
    - {a: 1, b: [true, null, 2.5]}
  deeper: {x: {y: [1, [2, [3]]]}}
block:
  - first
  - 2026-01-01
"""


def test_front_matter_comes_back_with_its_lines_and_source_text():
    from content_map.load import safe_yaml
    from content_map.load.pages import Parsed
    from content_map.model import Finding

    data = safe_yaml.load(YAML_TEXT)
    assert data.unbuilt and data.raw and isinstance(data["nested"]["list"], safe_yaml.YamlList)
    parsed = ("Title", data, [Finding("schema", "docs/a.md", 11, "bad date", column=3)],
              "unbuilt")
    back = _round_trip(Parsed, parsed)
    assert back[1]["published"].utcoffset() is not None
    _round_trip(Parsed, (None, None, [], None))
    for text in ("a: [x]\n", "a:\n  - 1\n  - '2'\n", "k: v\n"):  # the simple loader too
        _round_trip(Parsed, (None, safe_yaml.load(text), [], None))


def test_everything_the_cache_stores_comes_back_as_it_was(example: Site):
    """Each kind of value, as a real run makes it: settings, pages' outcomes, the rules'
    findings across pieces, and a build's rendered pages and badges."""
    import dataclasses
    import datetime as dt

    from content_map.cli import _settings
    from content_map.engine import Project, _AcrossPieces, analyse
    from content_map.load.pages import CACHED
    from content_map.load.siteconfig import read_site_config
    from content_map.model import Finding, Waiver
    from content_map.rules.links import DeadEnd
    from content_map.settings import Settings
    from content_map.site.output import Badges, Heading
    from content_map.site.publication import _KEPT

    site = read_site_config(str(example.root / "mkdocs.yml"))
    settings = _settings(site.path, site.options, None)
    _round_trip(Settings, settings)
    _round_trip(Settings, Settings())
    _round_trip(Settings, dataclasses.replace(
        settings, waivers=(Waiver("cfo", "advocacy", "later", "buyer", dt.date(2030, 1, 2)),
                           Waiver("cfo", "advocacy", "never")),
        fields={"stage": "step"}, rules={"stale": "warn"}, floors={"views": 1.5},
        ceilings={"bounce_rate": 1}, metrics_file=None, exclude=("drafts/*",)))

    analysis = analyse(Project(example.root, site.docs_dir, settings)).analysis
    assert analysis.pieces and analysis.cells and analysis.findings and analysis.continuity
    figures = {page: dict(values) for page, values in analysis.figures.items()}
    assert figures
    for table in (False, True):
        dead_ends = (DeadEnd("a.md", "docs/a.md", 3, "cfo", "buyer", "awareness"),)
        _round_trip(_AcrossPieces, _AcrossPieces(figures, analysis.cells, analysis.continuity,
                                                 dead_ends, analysis.findings), table)
        for piece in analysis.pieces:
            mine = [f for f in analysis.findings if f.file == piece.file]
            _round_trip(CACHED, ("context", piece, mine, None), table)
        _round_trip(CACHED, ("context", None, [Finding("yaml-syntax", "a.md", None, "x")],
                             "encoding"), table)
    _round_trip(_KEPT["pages"], ("<h1>x</h1>", (Heading(1, "x", "X"), Heading(2, "y", "Y &amp;"))))
    _round_trip(_KEPT["pages"], ("", ()))
    _round_trip(_KEPT["badges"], Badges("<p>top</p>", "<p>bottom</p>"))
    _round_trip(_KEPT["badges"], None)


def _mutations(data):
    """`data` with one part replaced by something of another type, each way in turn."""
    import copy

    others = [None, True, 0, 1, 2.5, "", "x", [], [1], {}, {"M": []}, {"L": 1}, {"d": "x"},
              {"q": 1}, [[]], 10**30]
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, (*path, i))
        elif isinstance(node, dict):
            for key, item in node.items():
                walk(item, (*path, key))

    walk(data, ())
    for path in paths:
        for other in others:
            changed = copy.deepcopy(data)
            if not path:
                yield other
                continue
            target = changed
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = other
            yield changed
        if path and isinstance(path[-1], int):  # the list holding it, one item shorter
            changed = copy.deepcopy(data)
            target = changed
            for step in path[:-1]:
                target = target[step]
            del target[-1]
            yield changed


def test_data_that_does_not_fit_its_shape_is_unreadable_never_an_error():
    import contextlib

    from content_map.cachecodec import Unreadable, shape
    from content_map.cachetable import Table
    from content_map.load import safe_yaml
    from content_map.load.pages import CACHED, Parsed
    from content_map.model import Finding, Piece, StageRef

    piece = Piece("a.md", "docs/a.md", "A", ("p",), (StageRef("j", "s"),), "draft", "o",
                  None, None, None, None, ("b.md",), 1, {"title": 2})
    cases = [
        (CACHED, ("c", piece, [Finding("r", "docs/a.md", 2, "m", "warn")], None)),
        (Parsed, ("T", safe_yaml.load(YAML_TEXT), [], "unbuilt")),
    ]
    for hint, value in cases:
        shaped = shape(hint)
        for table in (Table(), None):
            with table.active() if table is not None else _nothing():
                good = shaped.encode(value)
                for data in _mutations(good):
                    with contextlib.suppress(Unreadable):
                        shaped.decode(data)
                    with contextlib.suppress(Unreadable):
                        shaped.many([good, data, data])


def test_a_value_the_cache_cannot_hold_is_refused_when_written():
    from content_map.cachecodec import Unreadable, shape
    from content_map.model import StageRef

    for hint, value in [(str, 1), (int, True), (tuple[str, ...], ["a"]), (list[int], (1,)),
                        (StageRef, ("j", "s")), (dict[str, int], {1: 1}),
                        (tuple[str, int], ("a",))]:
        with pytest.raises(Unreadable):
            shape(hint).encode(value)
    for hint in (set[str], object, int | str, dict[int, str]):
        with pytest.raises(TypeError):
            shape(hint)


def test_a_damaged_or_forged_pages_file_is_read_again(example: Site):
    """Torn anywhere, or with parts of the wrong type, the pages file costs a re-read of
    what it no longer holds, and the result is the cold one."""
    import json

    cold = report(example, "--no-cache")
    report(example)
    data = cache_file(example).read_bytes()
    head, texts, rest = data.split(b"\n", 2)
    parsed = json.loads(head)
    path = next(iter(parsed[6]))
    forged = []
    for part in (0, 1, 2, 3):
        changed = json.loads(head)
        entry = changed[6][path]
        entry[1][1][part] = {"M": [1, {}, {}, [], {}]}
        forged.append(json.dumps(changed).encode() + b"\n" + texts + b"\n" + rest)
    changed = json.loads(head)
    changed[5] = [{"title": "two"}]  # a shared field layout of the wrong type
    forged.append(json.dumps(changed).encode() + b"\n" + texts + b"\n" + rest)
    forged.append(head + b"\n" + b"[" * 100000 + b"\n")  # nested too deep to read
    forged.append(head + b"\n" + texts + b"\n" + b'["x", "y", {}, [], []]\n')  # another history
    for cut in (1, len(head) // 2, len(head), len(head) + 1, len(head) + len(texts) // 2,
                len(data) - 1):
        forged.append(data[:cut])
    for text in forged:
        cache_file(example).write_bytes(text)
        assert report(example) == cold


def test_an_edit_that_keeps_the_size_and_sets_the_time_back_is_seen(example: Site):
    """The change time is part of a page's identity: a same-size edit whose modification
    time is put back (as `touch -r` or a checkout can do) is still read again."""
    first = report(example)
    page = example.root / "content/guides/pilot-checklist.md"
    before = os.stat(page)
    text = page.read_text(encoding="utf-8")
    edited = text.replace("personas: [", "personas: [nbdy, ", 1).replace("\n\n", "\n", 6)
    assert len(edited.encode()) == len(text.encode())
    with open(page, "r+", encoding="utf-8") as handle:  # in place: the same inode
        handle.write(edited)
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(page)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == \
        (before.st_size, before.st_mtime_ns, before.st_ino)
    warm = report(example)
    assert warm != first
    assert any("`nbdy` is not a persona" in f["message"] for f in warm["findings"])
    assert warm == report(example, "--no-cache")


def test_a_renamed_docs_folder_is_a_new_cache(example: Site):
    edit(example.root / "content/guides/pilot-checklist.md", "personas: [", "personas: [nobody, ")
    first = report(example)
    assert any(f["file"].startswith("content/") for f in first["findings"])
    (example.root / "content").rename(example.root / "pages")
    config = example.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("docs_dir: content",
                                                                "docs_dir: pages"),
                      encoding="utf-8")
    warm = report(example)  # the pages' files are as they were: only their folder moved
    assert not any(f["file"].startswith("content/") for f in warm["findings"])
    assert any(f["file"].startswith("pages/") for f in warm["findings"])
    assert warm == report(example, "--no-cache")
