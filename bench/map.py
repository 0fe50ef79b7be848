"""The content map's weight and speed at scale: a 100-persona × 8-stage site.

Builds a site with 100 personas, one 8-stage journey and N pieces each serving two
personas (Material, a small explicit nav), prints the size of the overview, gap report and
Needs attention pages, then serves it on 127.0.0.1 and opens the overview in Debian's
Chromium (Playwright with /usr/bin/chromium; no browser is ever downloaded) to time:

- ready: from navigation start to the filters being ready (content-map.js sets
  `data-cm-ready` on the map's root once it has read the page's data and applied the URL),
  and the same from the page's first byte (without the wait for the local server);
- DOMContentLoaded and load, from navigation start;
- a filter: choosing an owner until the counts and the list have followed (script time,
  and time to the next frame).

As a baseline measured in the same run, the site's home page (the same theme, no map) is
timed the same way; the ready figure is also given as a ratio to its load time, which is
what to compare between machines. Medians of --repeat runs, each in a fresh browser
context (a first visit). Speed is reported here and never asserted by a test; the page
sizes are deterministic and `tests/test_map_weight.py` asserts them.

    python bench/map.py                          # 2,000 pieces, 5 runs
    python bench/map.py --pieces 5000 --repeat 3 --metrics
    python bench/map.py --site path/to/built/site   # time a site built elsewhere
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import random
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PAGES = {"overview": "content-map/index.html", "gaps": "content-map/gaps/index.html",
         "attention": "content-map/attention/index.html"}
OWNERS = 7


def write_site(root: Path, pieces: int = 2000, personas: int = 100, stages: int = 8,
               seed: int = 1, metrics: bool = False, draft_every: int = 0) -> Path:
    """The site of the issue: `personas` personas, one journey of `stages` stages, and
    `pieces` pages, each for two personas at one stage (with `draft_every`, every so many
    is a draft). Returns its mkdocs.yml."""
    rng = random.Random(seed)
    for folder in ("personas", "journeys", "docs"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    ids = [f"s{i}" for i in range(stages)]
    (root / "journeys" / "buyer.yml").write_text(
        "name: Buyer\nstages:\n" + "".join(f"  - id: {s}\n    name: Stage {s}\n" for s in ids),
        "utf-8")
    for i in range(personas):
        (root / "personas" / f"p{i:03d}.yml").write_text(
            f"name: Persona {i}\nsummary: Someone.\n", "utf-8")
    rows = ["page,views,avg_time_on_page,bounce_rate,conversions,rating"]
    for i in range(pieces):
        who = rng.sample(range(personas), 2)
        stage = ids[rng.randrange(stages)]
        status = "status: draft\n" if draft_every and i % draft_every == draft_every - 1 else ""
        (root / "docs" / f"page-{i}.md").write_text(
            f"---\ntitle: Page {i}\npersonas: [p{who[0]:03d}, p{who[1]:03d}]\n"
            f"stage: {stage}\nowner: o{i % OWNERS}\nchannel: blog\n{status}---\n"
            f"# Page {i}\n", "utf-8")
        rows.append(f"page-{i}.md,{rng.randrange(10, 20000)},{rng.uniform(20, 400):.1f},"
                    f"{rng.uniform(0.1, 0.9):.3f},{rng.randrange(0, 40)},"
                    f"{rng.uniform(2, 5):.2f}")
    (root / "docs" / "index.md").write_text("# Home\n", "utf-8")
    options = "      fail_on: never\n"
    if metrics:
        (root / "analytics").mkdir(exist_ok=True)
        (root / "analytics" / "metrics.csv").write_text("\n".join(rows) + "\n", "utf-8")
        options += "      metrics:\n        file: analytics/metrics.csv\n        color_by: views\n"
    config = root / "mkdocs.yml"
    config.write_text("site_name: Big\ntheme: material\nplugins:\n  - search\n"
                      f"  - content-map:\n{options}"
                      "nav: [index.md, {Content map: content-map/index.md}]\n", "utf-8")
    return config


def build(config: Path, out: Path) -> Path:
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config),
                          "-d", str(out)], cwd=config.parent, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(run.stderr[-4000:])
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser context closed mid-request: not the page's problem


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(root))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# When the map gets `data-cm-ready`, in ms from navigation start. The observer runs once the
# script's set-up has returned, so older builds, which mark the form as set-up begins (and
# then apply the URL in the same call), are timed to the same point: `--site` compares them.
WATCH_READY = """
window.__cmReady = null;
new MutationObserver(function (records, observer) {
  window.__cmReady = performance.now();
  observer.disconnect();
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-cm-ready"]});
"""

TIMINGS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return {ready: window.__cmReady, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
          fcp: paint ? paint.startTime : null, first_byte: nav.responseStart};
}"""

FILTER = """async (owner) => {
  const select = document.querySelector("#cm-filter-owner");
  const start = performance.now();
  select.value = owner;
  select.dispatchEvent(new Event("change", {bubbles: true}));
  const script = performance.now() - start;
  await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
  const frame = performance.now() - start;
  const listed = [...document.querySelectorAll("[data-cm-list] tbody tr, tr[data-cm-item]")]
    .filter(row => row.offsetParent !== null).length;
  select.value = "";
  select.dispatchEvent(new Event("change", {bubbles: true}));
  return {script, frame, listed};
}"""


def visit(browser: Any, url: str, map_page: bool) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    origin = url.split("/", 3)[:3]
    try:
        context.add_init_script(WATCH_READY)
        context.route(lambda target: not target.startswith("/".join(origin)),
                      lambda route: route.fulfill(status=200, body=""))  # web fonts: offline
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url, wait_until="load")
        if map_page:
            page.wait_for_selector("[data-cm-ready]", state="attached")
        timings = page.evaluate(TIMINGS)
        if map_page:
            timings.update(page.evaluate(FILTER, "o0"))
        if errors:
            raise SystemExit(f"{url}: {errors}")
        return timings
    finally:
        context.close()


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def measure(site: Path, repeat: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    sizes = {name: (site / path).stat().st_size for name, path in PAGES.items()}
    with serve(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            visit(browser, url + "content-map/", True)  # warm the server and the disk cache
            maps, homes = [], []
            for _ in range(repeat):  # interleaved, so both see the same machine
                homes.append(visit(browser, url, False))
                maps.append(visit(browser, url + "content-map/", True))
        finally:
            browser.close()
    return {"sizes": sizes, "map": maps, "home": homes}


def report(result: dict[str, Any], label: str) -> None:
    sizes, maps, homes = result["sizes"], result["map"], result["home"]
    print(f"\n{label}")
    print("  page        HTML")
    for name, size in sizes.items():
        print(f"  {name:<10} {size / 1024:8.1f} KB  ({size:,} bytes)")
    ready, home = median(maps, "ready"), median(homes, "load")
    print(f"  overview    ready {ready:7.0f} ms   DOMContentLoaded {median(maps, 'dcl'):6.0f} ms"
          f"   load {median(maps, 'load'):6.0f} ms   first paint {median(maps, 'fcp'):6.0f} ms")
    since = statistics.median(run["ready"] - run["first_byte"] for run in maps)
    print(f"              ready {since:7.0f} ms from the first byte of the page "
          f"(first byte at {median(maps, 'first_byte'):.0f} ms)")
    print(f"  home page   load  {home:7.0f} ms   (baseline: the same theme, no map)")
    print(f"  ready / home-page load: {ready / home:.2f}×")
    print(f"  a filter (owner o0): {median(maps, 'script'):.1f} ms of script, next frame at "
          f"{median(maps, 'frame'):.1f} ms; {maps[0]['listed']} pieces listed")
    print(f"  runs: {len(maps)}; ready per run: "
          + ", ".join(f"{run['ready']:.0f}" for run in maps) + " ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pieces", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--metrics", action="store_true",
                        help="give every piece figures and colour the matrix by views")
    parser.add_argument("--site", type=Path, help="time this built site instead of building")
    parser.add_argument("--work", type=Path, help="where to write the site (default: a temp dir)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is not installed (make browser)", file=sys.stderr)
        return 2
    if args.site:
        report(measure(args.site, args.repeat), f"site {args.site}")
        return 0
    with tempfile.TemporaryDirectory() as temp:
        root = args.work or Path(temp)
        config = write_site(root, args.pieces, metrics=args.metrics)
        site = build(config, root / "site")
        label = (f"100 personas × 8 stages, {args.pieces:,} pieces"
                 + (", with metrics" if args.metrics else ""))
        report(measure(site, args.repeat), label)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
