"""The test harness itself: the fixture that fails a build test on unexpected warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

INNER = '''
import logging

def test_quiet():
    logging.getLogger("mkdocs.plugins.content-map").info("fine")

def test_unexpected():
    logging.getLogger("mkdocs.plugins.content-map").warning("docs/a.md:2: stale: late")

def test_expected(build_warnings):
    build_warnings.expect(r"stale: late")
    logging.getLogger("mkdocs.plugins.content-map").warning("docs/a.md:2: stale: late")

def test_an_error_counts_too():
    logging.getLogger("mkdocs").error("Error reading page")
'''


def test_a_build_that_logs_an_unexpected_warning_fails(pytester: pytest.Pytester) -> None:
    conftest = Path(__file__).with_name("conftest.py")
    pytester.makeconftest(conftest.read_text(encoding="utf-8"))
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 4, result.stdout.str()  # errors come at teardown
    assert outcomes.get("errors") == 2, result.stdout.str()
    result.stdout.fnmatch_lines(["unexpected warnings logged during the test:",
                                "  docs/a.md:2: stale: late"])
