"""Work made on another core: `Background` on its own, then a build that publishes the map
from a forked child, which must build exactly the site an in-process build does.

`Background` never forks a process that runs threads, and the browser tests' server runs
one for the whole session: each case here runs in a fresh Python process of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

from conftest import Site, age, minimal_site, same_tree

PRELUDE = """
import json, os, sys, threading, time
from content_map.background import Background
parent = os.getpid()
def made_where():
    return os.getpid(), "made"
"""


def fresh(code: str, *args: str) -> Any:
    """Run `code` (after `PRELUDE`) in a new Python process; what it printed last, as JSON."""
    proc = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code), *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_forked_child_makes_the_value_once():
    pid, value, again, forked, parent = fresh("""
        work = Background(made_where)
        pid, value = work.get()
        print(json.dumps([pid, value, work.get() == (pid, value), work.forked, parent]))
    """)
    assert forked and value == "made" and again
    assert pid != parent


def test_without_fork_the_value_is_made_here_when_asked():
    assert fresh("""
        calls = []
        def make():
            calls.append(os.getpid())
            return 42
        work = Background(make, fork=False)
        before = list(calls)
        print(json.dumps([work.forked, before, work.get(), work.get(), calls == [parent]]))
    """) == [False, [], 42, 42, True]


def test_a_child_that_fails_leaves_the_value_to_this_process():
    assert fresh("""
        def make():
            if os.getpid() != parent:
                raise RuntimeError("only in the child")
            return os.getpid()
        work = Background(make)
        print(json.dumps([work.forked, work.get() == parent]))
    """) == [True, True]


def test_an_error_raises_here_as_if_nothing_was_forked():
    assert fresh("""
        def make():
            raise ValueError("a real problem")
        work = Background(make)
        try:
            work.get()
        except ValueError as error:
            print(json.dumps([work.forked, str(error)]))
    """) == [True, "a real problem"]


def test_a_process_with_threads_is_never_forked():
    assert fresh("""
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        work = Background(made_where)
        print(json.dumps([work.forked, work.get()[0] == parent]))
        stop.set()
    """) == [False, True]


def test_close_stops_a_child_that_is_still_working():
    assert fresh("""
        def make():
            if os.getpid() != parent:
                time.sleep(60)
            return "here"
        work = Background(make)
        start = time.monotonic()
        work.close()
        print(json.dumps([work.forked, time.monotonic() - start < 10, work.get()]))
    """) == [True, True, "here"]


BUILD = """
import content_map.plugin
from content_map.site import renderer
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

content_map.plugin.BACKGROUND_FROM = int(sys.argv[2])
rendered = []  # what this process renders; a forked child's renders are not seen here
original = renderer.Renderer.render
def counted(self, *args):
    rendered.append(1)
    return original(self, *args)
renderer.Renderer.render = counted
try:
    build(load_config(sys.argv[1] + "/mkdocs.yml", site_dir=sys.argv[1] + "/" + sys.argv[3]))
    aborted = False
except Abort:  # MkDocs has logged why
    aborted = True
print(json.dumps([len(rendered), aborted]))
"""


def test_a_build_published_from_a_child_is_the_in_process_build(site: Site):
    minimal_site(site)
    site.config({"cache": False}, theme={"name": "material"})  # MkDocs's theme dates builds
    age(site.root)
    root = str(site.root)
    assert fresh(BUILD, root, "1000", "here") == [11, False]
    assert fresh(BUILD, root, "1", "forked") == [0, False]  # rendered in the child
    assert same_tree(site.root / "here", site.root / "forked")
    assert (site.root / "forked/content-map/content-map.json").read_text(encoding="utf-8") \
        .startswith('{"version":')


def test_a_failing_build_stops_once_pages_are_read_and_writes_none(site: Site):
    minimal_site(site)
    site.write("docs/decision.md", "---\npersonas: [nobody]\nstage: decision\n---\n# D\n")
    proc = subprocess.run([sys.executable, "-c", PRELUDE + BUILD, str(site.root), "1", "out"],
                          capture_output=True, text=True, timeout=120)
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [0, True]  # aborted
    assert "content-map found 2 problems at or above `error`:\n" \
        "  docs/decision.md:2: unknown-persona: `nobody` is not a persona" in proc.stderr
    assert not (site.root / "out/index.html").exists()
    assert not (site.root / "out/decision/index.html").exists()
    assert "Error reading page" not in proc.stderr
