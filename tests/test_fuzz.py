"""Property tests: whatever the input, the only outcome is findings, and nothing a file
holds reaches the map's HTML unescaped.

The example counts are fixed and the search is derandomised, so a CI run is
reproducible and bounded (CONTRIBUTING.md's "Testing" section lists the counts). Set
`CONTENT_MAP_FUZZ_SCALE=10` to search ten times as long on a workstation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content_map.engine import Project, analyse
from content_map.load import safe_yaml
from content_map.load.header import Header, TextProblem, decode, read_header, split_header
from content_map.model import Analysis
from content_map.reports.text import text_report, to_json
from content_map.rules.catalogue import RULES
from content_map.settings import Settings

SCALE = int(os.environ.get("CONTENT_MAP_FUZZ_SCALE", "1"))
EXAMPLES = {"loader": 300, "header": 300, "read": 150, "site": 150, "render": 100}
"""Examples per property in CI; quoted in the README."""


def fuzz(name: str) -> Any:
    return settings(max_examples=EXAMPLES[name] * SCALE, deadline=None, derandomize=True,
                    database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# Pieces of YAML and front-matter that make parsers take unusual paths.
YAML_BITS = [
    "---", "...", "\n", "  ", "\t", "- ", ": ", "? ", "[", "]", "{", "}", ",", "#", "&a ", "*a",
    "<<: ", "!!python/object:os.system ", "!x ", "! ", "!!str ", "!!int ", "%YAML 1.1\n",
    '"', "'", "\\", "|", ">", "personas", "stage", "name", "stages", "id", "no", "on", "007",
    "1.10", "0x1F", "1:30", "2027-13-45", "2027-01-01", ".nan", "~", "=", "9" * 60,
    "\u2028", "\x85", "\r", "\r\n", "\ufeff", "\x00", "\x1b", "\u202e", "\u200b", "é", "e\u0301",
    "<script>", "javascript:",
]
yaml_text = st.lists(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=4)),
                     max_size=40).map("".join)
SCALARS = (str, int, float, bool, dt.date, type(None))


def check_value(value: Any) -> None:
    """A loaded value is made of YamlMap, YamlList and plain scalars, lines included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, safe_yaml.YamlMap):
            assert all(isinstance(k, str) for k in item)
            assert set(item.lines) == set(item)
            stack.extend(item.values())
        elif isinstance(item, safe_yaml.YamlList):
            assert len(item.lines) == len(item)
            stack.extend(item)
        else:
            assert isinstance(item, SCALARS), type(item)


@fuzz("loader")
@given(yaml_text)
def test_loader_returns_values_or_problems(text: str) -> None:
    try:
        value = safe_yaml.load(text)
    except safe_yaml.YamlProblem as problem:
        lines = text.count("\n") + 1
        assert problem.line is None or 1 <= problem.line <= lines + 1, (problem.line, lines)
        assert problem.message
        return
    check_value(value)
    if isinstance(value, (safe_yaml.YamlMap, safe_yaml.YamlList)):
        for line, written, _ in value.unbuilt:
            assert 1 <= line <= text.count("\n") + 1 and written


@fuzz("loader")
@given(st.text(max_size=200))
def test_loader_on_any_text(text: str) -> None:
    with contextlib.suppress(safe_yaml.YamlProblem):
        check_value(safe_yaml.load(text))


page_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from([b"---", b"...", b"\n", b"\r\n", b"\r", b" ", b"\t", b"a: b",
                              b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\xe9", b"\xc3\xa9",
                              b"-\x00", b"\xe2\x80\x8b", b"# Title", b"x" * 100]),
             max_size=30).map(b"".join),
)
STATES = {"none", "ok", "unclosed", "too-large", "no-break", "hidden"}


@fuzz("header")
@given(page_bytes)
def test_header_splitter_only_reports_text_problems(data: bytes) -> None:
    try:
        text = decode(data)
    except TextProblem as problem:
        assert problem.line is None or problem.line >= 1
        return
    assert "\r" not in text
    header, body = split_header(text)
    assert header.state in STATES
    if header.state == "ok":
        assert header.end_line == header.yaml.count("\n") + 2
        assert text.endswith(body)


@fuzz("read")
@given(page_bytes, st.integers(0, 40_000), st.sampled_from([b"\n", b"\r\n", b"\r"]))
def test_reading_only_the_header_agrees_with_reading_everything(
        head: bytes, padding: int, newline: bytes) -> None:
    """The chunked reader sees the same front-matter as a whole read, at any size."""
    data = head + (b"Body text." + newline) * (padding // 11)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "page.md")
        path.write_bytes(data)
        try:
            whole: Header = split_header(decode(data))[0]
        except TextProblem:
            whole = Header("encoding")
        try:
            partial = read_header(path)
        except TextProblem:
            partial = Header("encoding")
    if whole.state == "encoding" or partial.state == "encoding":
        # an undecodable byte past the header is only seen by the whole read
        assert partial.state in ("encoding", whole.state) or whole.state == "encoding"
        return
    if whole.state == "unclosed" and partial.state == "too-large":
        return  # a never-closed block in a large page: the reader stops at its cap
    assert (partial.state, partial.yaml, partial.end_line) == \
        (whole.state, whole.yaml, whole.end_line)


# -- whole sites ------------------------------------------------------------------------

HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
PAGE_HEAD = b"---\npersonas: [reader]\nstage: awareness\n"
file_bytes = st.one_of(
    page_bytes,
    yaml_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    yaml_text.map(lambda t: PAGE_HEAD + t.encode("utf-8", "surrogatepass") + b"\n---\n"),
)


def run_site(files: dict[str, bytes]) -> Analysis:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "docs").mkdir()
        for name, data in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        result = analyse(Project(root=root, docs_dir=root / "docs"), today=dt.date(2026, 6, 1))
    analysis = result.analysis
    names = set(files) | {"mkdocs.yml"}
    for finding in analysis.findings:
        assert finding.rule in RULES
        assert finding.file in names, finding
        assert finding.line is None or finding.line >= 1
        assert not HIDDEN.search(finding.message), finding.message
    text_report(analysis)
    json.dumps(to_json(analysis), ensure_ascii=False).encode("utf-8")
    return analysis


@fuzz("site")
@given(file_bytes, file_bytes, file_bytes, file_bytes)
def test_rules_on_any_files_give_only_findings(persona: bytes, journey: bytes, page: bytes,
                                               other: bytes) -> None:
    run_site({"personas/reader.yml": persona, "journeys/buyer.yml": journey,
              "docs/page.md": page, "docs/other.md": other,
              "personas/ok.yml": b"name: Okay\n"})


# -- rendering --------------------------------------------------------------------------

# Each hostile value carries a probe: a tag, attribute break-outs and a script URL.
PROBE = "<cmfuzz>\"' onfuzz=\"1\" ' onfuzz='1' javascript:cmfuzz() &amp; &#60;"
hostile = st.builds(
    lambda a, b: a + PROBE + b,
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)


def quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


class LinkAudit(HTMLParser):
    """Collects what an injection would create: unknown tags, event attributes, bad URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if "cmfuzz" in tag:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if "fuzz" in name or name.startswith("on"):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                squashed = re.sub(r"[\x00-\x20]", "", value).lower()
                if squashed.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")


@fuzz("render")
@given(st.lists(hostile, min_size=12, max_size=12))
def test_no_input_character_reaches_the_map_unescaped(values: list[str]) -> None:
    from content_map.site.renderer import Renderer

    v = [quoted(x) for x in values]
    files = {
        "personas/reader.yml": (
            f"name: {v[0]}\nsummary: {v[1]}\ngoals: [{v[2]}]\npains: [{v[3]}]\n"
            f"motivations: [{v[4]}]\nchannels: [{v[5]}]\ndemographics: {{age: {v[6]}}}\n"
            f"stages:\n  awareness: {{emotion: {v[7]}, questions: [{v[8]}]}}\n"
        ).encode(),
        "journeys/buyer.yml": (
            f"name: {v[9]}\ndescription: {v[10]}\nstages:\n"
            f"  - {{id: awareness, name: {v[11]}, goal: {v[0]}, questions: [{v[1]}],"
            f" emotions: [{v[2]}], channels: [{v[3]}], kpis: [{v[4]}]}}\n"
            f"  - {{id: decision}}\n"
        ).encode(),
        "docs/page.md": (
            f"---\ntitle: {v[5]}\npersonas: [reader]\nstage: awareness\nstatus: draft\n"
            f"owner: {v[6]}\nchannel: {v[7]}\nformat: {v[8]}\nintent: {v[9]}\n"
            f"next: [done.md]\n---\n"
        ).encode(),
        "docs/done.md": f"---\ntitle: {v[10]}\npersonas: [reader]\nstage: decision\n---\n"
                        .encode(),
    }
    analysis = run_site(files)
    assert len(analysis.pieces) == 2, analysis.findings  # the values were all accepted
    renderer = Renderer(analysis, Settings())
    pages = [r.html for r in renderer.render_all()]
    for piece in analysis.pieces:
        badges = renderer.badges(piece.path)
        if badges is not None:
            pages += [badges.top, badges.bottom]
    for html in pages:
        assert "<cmfuzz" not in html
        audit = LinkAudit()
        audit.feed(html)
        audit.close()
        assert not audit.problems, audit.problems
