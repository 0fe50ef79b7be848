"""Benchmark content-map against baselines measured in the same run.

The machines this runs on are shared and noisy, so absolute seconds mean little:
every figure is reported as a ratio to a baseline timed in the same invocation,
interleaved with it, as the median of several repeats.

    python bench/run.py                       # N = 1,000, 5,000, 10,000, 100,000
    python bench/run.py --sizes 1000 --repeat 3 --no-build
    python bench/run.py --sizes "" --findings-sizes 10000 --repeat 5 --no-build

`check` is timed on two corpora (`bench/corpus.py`): the plain one, where a few pages in
a hundred carry a finding, and one where most pages carry one (`--findings-sizes`; about
16,000 findings at 10,000 pages), where writing the report weighs as much as reading.

Baselines:
- floor: a plain script that reads every page and parses its front-matter with
  PyYAML's C loader (`yaml.CSafeLoader`), the least any front-matter tool can do;
- build without the plugin, and with Material's tags plugin instead (the closest peer).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import NAV_CONFIG, write_site  # noqa: E402

FLOOR = r"""
import os, re, sys, yaml
pattern = re.compile(r'^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n', re.S)
count = 0
for folder, _, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith('.md'):
            with open(os.path.join(folder, name), encoding='utf-8-sig') as handle:
                match = pattern.match(handle.read())
            if match:
                yaml.load(match.group(1), Loader=yaml.CSafeLoader)
                count += 1
print(count)
"""


def timed(argv: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Run a command; return (seconds, peak resident memory in MB) of that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:  # every command here exits 0 (`--fail-on never`); 1 is a crash
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def sampled(repeat: int, *commands: list[str]) -> list[list[tuple[float, float]]]:
    """Interleave the commands `repeat` times; each one's (time, peak memory) per round."""
    samples: list[list[tuple[float, float]]] = [[] for _ in commands]
    for _ in range(repeat):
        for index, argv in enumerate(commands):
            samples[index].append(timed(argv))
    return samples


def median_of(repeat: int, *commands: list[str]) -> list[tuple[float, float]]:
    """Interleave the commands `repeat` times; medians of time and of peak memory."""
    return [(statistics.median(t for t, _ in s), statistics.median(m for _, m in s))
            for s in sampled(repeat, *commands)]


def paired_overhead(samples: list[tuple[float, float]], base: list[tuple[float, float]]) -> float:
    """The median, over rounds, of a command's time over the baseline's in the same round:
    runs seconds apart share the machine's load, so their ratio is steadier than the
    ratio of two medians."""
    return statistics.median(t / b for (t, _), (b, _) in zip(samples, base, strict=True)) - 1


def check_argv(config: Path, *extra: str, output: str = os.devnull) -> list[str]:
    return [sys.executable, "-m", "content_map", "check", "-f", str(config),
            "--format", "json", "-o", output, "--fail-on", "never", *extra]


def bench_check(root: Path, pages: int, repeat: int, findings: bool = False) -> dict:
    """`check` cold, warm and with one page edited, each over the floor. On the corpus
    with findings the cold run is timed once: its thousands of broken `next` links each
    look for a did-you-mean among all pages, which takes minutes, and what that corpus
    is for is the warm run, where writing the report weighs most."""
    config = write_site(root, pages, findings=findings)
    floor = [sys.executable, "-c", FLOOR, str(root / "docs")]
    cold_argv = check_argv(config, "--no-cache")
    (floor_t, floor_m), (cold_t, cold_m) = median_of(1 if findings else repeat, floor, cold_argv)
    result = {"pages": pages, "floor_s": floor_t, "cold_s": cold_t, "cold_ratio": cold_t / floor_t,
              "cold_peak_mb": cold_m, "floor_peak_mb": floor_m}
    warm_argv = check_argv(config)
    report = root / "report.json"
    timed(check_argv(config, output=str(report)))  # fill the cache
    result["findings"] = len(json.loads(report.read_text(encoding="utf-8"))["findings"])
    (floor_t2, _), (warm_t, _) = median_of(repeat, floor, warm_argv)
    result.update(warm_s=warm_t, warm_ratio=warm_t / floor_t2)
    # Edited: one page changes, as a writer would change it a few seconds before running
    # the check (its time set back 5 s: a file modified within the last 2 s is never
    # cached, which would spare the run writing its cache).
    edits = []
    victim = next((root / "docs").rglob("page-*.md"))
    for round_ in range(repeat):
        text = victim.read_text(encoding="utf-8")
        victim.write_text(text + f"\nEdited {round_}.\n", encoding="utf-8")
        earlier = time.time() - 5
        os.utime(victim, (earlier, earlier))
        edits.append(timed(warm_argv)[0])
    result.update(edited_s=statistics.median(edits),
                  edited_ratio=statistics.median(edits) / floor_t2)
    return result


SHARE = r"""
import json, sys, time
import mkdocs.commands.build as build_module
from mkdocs.config import load_config
from mkdocs.structure.pages import Page
config = load_config(sys.argv[1], site_dir=sys.argv[2])
plugin = config.plugins.get("content-map")
spent = {"hooks": 0.0, "read_hook": 0.0, "map_pages": 0.0, "read_source": 0.0}
def timed(method, into):
    def call(*args, **kwargs):
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spent[into] += time.perf_counter() - start
    return call
for event, methods in config.plugins.events.items():
    into = "read_hook" if event == "page_read_source" else "hooks"
    methods[:] = [timed(m, into) if plugin is not None and getattr(m, "__self__", None) is plugin
                  else m for m in methods]
Page.read_source = timed(Page.read_source, "read_source")  # MkDocs reading each page
original = build_module._build_page
def build_page(page, *args, **kwargs):
    start = time.perf_counter()
    try:
        return original(page, *args, **kwargs)
    finally:
        if page.file.generated_by:
            spent["map_pages"] += time.perf_counter() - start
build_module._build_page = build_page
start = time.perf_counter()
build_module.build(config)
total = time.perf_counter() - start
print(json.dumps({"total_s": total, **spent}))
"""


RAM = Path("/dev/shm")
"""Where builds write their sites when the machine has a RAM disk: writing thousands of
files to a shared disk took anywhere from 1 to 6 s from one build to the next here,
which drowned the differences being measured (the same for every variant)."""


def output_dir(site: Path, name: str) -> Path:
    """The site folder a build of `site` writes: on the RAM disk when there is one."""
    if RAM.is_dir() and os.access(RAM, os.W_OK):
        return RAM / f"content-map-bench-{os.getpid()}" / f"{site.parent.name}-{name}"
    return site / "site"


def bench_share(root: Path, pages: int) -> dict:
    """The plugin's net cost inside MkDocs's process, timed inside one build: its hooks,
    the theme rendering its pages, and MkDocs reading the pages (which the plugin does
    for it), less MkDocs reading the same pages in a build without the plugin. Measured
    within each build, so steadier than comparing two builds' times on a busy machine;
    what a child process makes on another core is not in it."""
    runs = {}
    for name, plugin in (("share", True), ("share-without", False)):
        site = root / name
        if not site.exists():
            write_site(site, pages, material=True, plugin=plugin, nav=True)
            if plugin:
                config = (site / "mkdocs.yml").read_text(encoding="utf-8")
                (site / "mkdocs.yml").write_text(config + "      cache: false\n",
                                                 encoding="utf-8")
        proc = subprocess.run([sys.executable, "-c", SHARE, str(site / "mkdocs.yml"),
                               str(output_dir(site, name))],
                              capture_output=True, text=True, check=True)
        runs[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    row, without = runs["share"], runs["share-without"]
    # `read_source` holds the plugin's own read hook: MkDocs calls it from there.
    ours = row["hooks"] + row["map_pages"] + row["read_source"] - without["read_source"]
    row.update(pages=pages, without_read_source=without["read_source"], net_s=ours,
               share=ours / (row["total_s"] - ours))
    return row


def bench_build(root: Path, pages: int, repeat: int) -> dict:
    base = root / "base"
    write_site(base, pages, material=True, plugin=False, nav=True)
    plugin = "  - search\n  - content-map:\n      fail_on: never\n"
    variants = {}
    for name, plugins in (("without", "  - search\n"),
                          ("plugin", plugin + "      cache: false\n"),
                          ("plugin_warm", plugin),
                          ("tags", "  - search\n  - tags\n")):
        target = root / name
        if not target.exists():
            shutil.copytree(base, target, symlinks=True)
        (target / "mkdocs.yml").write_text(
            "site_name: Benchmark\ndocs_dir: docs\ntheme:\n  name: material\n"
            + "\n".join(NAV_CONFIG) + "\nplugins:\n" + plugins, encoding="utf-8")
        variants[name] = [sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                          str(target / "mkdocs.yml"), "-d", str(output_dir(target, name))]
    timed(variants["plugin_warm"])  # fill the cache that the warm variant then uses
    samples = dict(zip(variants, sampled(repeat, *variants.values()), strict=True))
    seconds = {name: statistics.median(t for t, _ in runs) for name, runs in samples.items()}
    base = samples["without"]
    return {"pages": pages, "without_s": seconds["without"], "plugin_s": seconds["plugin"],
            "plugin_warm_s": seconds["plugin_warm"], "tags_s": seconds["tags"],
            "plugin_overhead": paired_overhead(samples["plugin"], base),
            "plugin_warm_overhead": paired_overhead(samples["plugin_warm"], base),
            "tags_overhead": paired_overhead(samples["tags"], base),
            "rounds": {name: [round(t, 3) for t, _ in runs] for name, runs in samples.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,10000,100000",
                        help="page counts for `check` (comma-separated)")
    parser.add_argument("--findings-sizes", default="10000",
                        help="page counts for `check` on the corpus where most pages carry "
                        "a finding (comma-separated)")
    parser.add_argument("--build-sizes", default="1000,5000",
                        help="page counts for `mkdocs build` (comma-separated)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-build", action="store_true", help="skip the build benchmarks")
    parser.add_argument("--share-only", action="store_true",
                        help="of the build benchmarks, only the plugin's share of one build")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--work", type=Path, help="where to write the sites (default: a temp dir)")
    args = parser.parse_args()

    # Bytecode as an installed package has it (pip compiles wheels when it installs them);
    # an editable install under PYTHONDONTWRITEBYTECODE would compile on every run.
    import compileall

    import content_map
    compileall.compile_dir(Path(content_map.__file__).parent, quiet=1)
    work = args.work or Path(tempfile.mkdtemp(prefix="content-map-bench-"))
    results: dict = {"python": platform.python_version(), "machine": platform.machine(),
                     "cpus": os.cpu_count(), "repeat": args.repeat, "check": [],
                     "check_findings": [], "build": []}
    print(f"{'pages':>8}  {'floor s':>8}  {'cold s':>7}  {'cold×':>6}  {'warm×':>6}  "
          f"{'edited×':>7}  {'peak MB':>7}  {'findings':>8}")
    for corpus, sizes in (("check", args.sizes), ("check_findings", args.findings_sizes)):
        for size in (int(s) for s in sizes.split(",") if s):
            row = bench_check(work / f"{corpus.replace('_', '-')}-{size}", size,
                              args.repeat if size < 100000 else 1,
                              findings=corpus == "check_findings")
            results[corpus].append(row)
            print(f"{size:>8}  {row['floor_s']:>8.2f}  {row['cold_s']:>7.2f}  "
                  f"{row['cold_ratio']:>6.2f}  {row['warm_ratio']:>6.2f}  "
                  f"{row['edited_ratio']:>7.2f}  {row['cold_peak_mb']:>7.0f}  "
                  f"{row['findings']:>8}", flush=True)
    if not args.no_build:
        print(f"\n{'pages':>8}  {'without s':>9}  {'plugin s':>8}  {'overhead':>8}  "
              f"{'warm':>7}  {'tags s':>7}  {'tags overhead':>13}")
        for size in (int(s) for s in args.build_sizes.split(",") if s):
            share = bench_share(work / f"build-{size}", size)
            results.setdefault("share", []).append(share)
            print(f"{size:>8}  inside one build, without the cache, in MkDocs's process: "
                  f"hooks {share['hooks']:.2f} s + map pages through the theme "
                  f"{share['map_pages']:.2f} s + reading the pages {share['read_source']:.2f} s"
                  f" (without the plugin: {share['without_read_source']:.2f} s) = net "
                  f"{share['net_s']:.2f} s of {share['total_s']:.2f} s ({share['share']:.1%})",
                  flush=True)
            if args.share_only:
                continue
            row = bench_build(work / f"build-{size}", size, args.repeat)
            results["build"].append(row)
            print(f"{size:>8}  {row['without_s']:>9.2f}  {row['plugin_s']:>8.2f}  "
                  f"{row['plugin_overhead']:>8.1%}  {row['plugin_warm_overhead']:>7.1%}  "
                  f"{row['tags_s']:>7.2f}  {row['tags_overhead']:>13.1%}", flush=True)
    checks = {r["pages"]: r for r in results["check"]}
    if 10000 in checks and 100000 in checks:
        results["scaling_100k_over_10k"] = checks[100000]["cold_s"] / checks[10000]["cold_s"]
        print(f"\n100,000 pages / 10,000 pages (cold check): "
              f"{results['scaling_100k_over_10k']:.1f}×")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.out}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(RAM / f"content-map-bench-{os.getpid()}", ignore_errors=True)


if __name__ == "__main__":
    main()
