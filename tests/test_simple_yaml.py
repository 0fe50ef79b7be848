"""The shortcut for simple front-matter must agree exactly with the full loader."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content_map.load import safe_yaml
from content_map.load.simple_yaml import load_simple

SETTINGS = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def full(text: str) -> Any:
    """The full loader alone, with the shortcut switched off."""
    shortcut = safe_yaml.load_simple
    safe_yaml.load_simple = lambda text: None  # type: ignore[assignment]
    try:
        return safe_yaml.load(text)
    finally:
        safe_yaml.load_simple = shortcut  # type: ignore[assignment]


def same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, (safe_yaml.YamlMap, safe_yaml.YamlList)):
        keys = a.keys() if isinstance(a, dict) else range(len(a))
        return (a == b and a.line == b.line and a.lines == b.lines and a.raw == b.raw
                and a.unbuilt == b.unbuilt and all(same(a[k], b[k]) for k in keys))
    return a == b


WORD = st.text(alphabet="abcXYZ019 -_.:#/'\"@%&*!,[]{}|>?é", min_size=0, max_size=12)
SCALAR = st.one_of(
    WORD,
    st.sampled_from(["no", "yes", "on", "Off", "~", "null", "007", "1.10", "0x1F", "1e3",
                     "2027-01-31", "2027-13-45", "12:30", "-5", ".inf", "true", "=", "<<"]),
    WORD.map(lambda w: f'"{w}"'), WORD.map(lambda w: f"'{w}'"),
)
KEY = st.one_of(st.sampled_from(["title", "personas", "stage", "next", "on", "a-b", "x_y"]),
                st.text(alphabet="abAB_-1:# ", min_size=1, max_size=6))


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 7))):
        kind = draw(st.sampled_from(["scalar", "flow", "block", "comment", "blank", "odd"]))
        key = draw(KEY)
        if kind == "scalar":
            lines.append(f"{key}: {draw(SCALAR)}" + draw(st.sampled_from(["", " ", " # c"])))
        elif kind == "flow":
            items = draw(st.lists(SCALAR, max_size=4))
            lines.append(f"{key}: [" + draw(st.sampled_from([", ", ",", " , "])).join(items) + "]")
        elif kind == "block":
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["", "  ", "    "]))
            for item in draw(st.lists(SCALAR, max_size=3)):
                lines.append(f"{indent}- {item}")
        elif kind == "comment":
            lines.append(draw(st.sampled_from(["# note", "  # indented", "#"])))
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", "   "])))
        else:
            lines.append(draw(st.text(alphabet="ab: -[]#\t'\"", max_size=10)))
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


CLEAN_WORD = st.text(alphabet="abcXYZ019 -_./é", min_size=1, max_size=12)


@st.composite
def clean_documents(draw: st.DrawFn) -> str:
    """Front-matter as editors write it: nearly always the shortcut's shape."""
    keys = draw(st.lists(st.sampled_from(["title", "personas", "stage", "status", "next",
                                          "review_by", "owner", "on"]), unique=True,
                         max_size=6))
    lines = []
    for key in keys:
        value = draw(st.one_of(CLEAN_WORD, SCALAR, st.lists(CLEAN_WORD, max_size=3)))
        if isinstance(value, list):
            if draw(st.booleans()):
                lines.append(f"{key}: [{', '.join(value)}]")
            else:
                lines.append(f"{key}:")
                lines.extend(f"  - {item}" for item in value)
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(st.one_of(documents(), clean_documents()))
def test_the_shortcut_agrees_with_the_full_loader(text: str) -> None:
    fast = load_simple(text)
    if fast is None:
        return  # not the simple shape: the full loader decides alone
    try:
        expected = full(text)
    except safe_yaml.YamlProblem as problem:
        raise AssertionError(f"the shortcut accepted what the loader refuses: {problem}") from None
    assert same(fast, expected), (fast, expected)


def test_typical_front_matter_takes_the_shortcut() -> None:
    text = ("title: Comparing tools\npersonas: [ops-lead, cfo]\nstage: consideration\n"
            "status: published\nreview_by: 2027-03-01\nnext:\n  - pricing.md\n")
    fast = load_simple(text)
    assert fast is not None and same(fast, full(text))
    assert load_simple("a: &x 1\n") is None
    assert load_simple("a: 1\na: 2\n") is None  # duplicates: the full loader says so
    assert load_simple("a:\n  b: 1\n") is None  # nested mappings
