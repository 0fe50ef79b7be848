"""Benchmark `content-map history` on a site with a long git history, against `check`
timed in the same run (the machine is shared and noisy: ratios, not seconds).

    python bench/history.py                          # 1,000 pages, 1,000 commits
    python bench/history.py --pages 300 --commits 60 # a quick look

The site is `bench/corpus.py`'s; its history is written with `git fast-import` (no
checkout, no hooks): the first commit adds every page, each later one edits one page
(its status, so coverage moves), a few commits a day. Figures:

- cold: the first `history` (nothing in the cache) over one `check --no-cache`, and how
  many days it analysed and how many files it read out of git;
- again: `history` once more, nothing new, over a warm `check`;
- one more commit: `history` after one more commit over a warm `check`, and the files it
  read (one: the page that changed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import write_site  # noqa: E402

STATUSES = ("published", "draft", "review", "planned")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return env


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def write_history(root: Path, commits: int, per_day: int, seed: int = 7) -> list[Path]:
    """Commit the site at `root` as `commits` commits, `per_day` a day, through one
    `git fast-import`; the files on disk end as the last commit has them."""
    rng = random.Random(seed)
    files = sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
    pages = [p for p in files if p.name.startswith("page-")]
    start = dt.datetime(2024, 1, 1, 9, tzinfo=dt.timezone.utc)
    stream = [b"reset refs/heads/main\n"]

    def commit(n: int, changed: list[Path]) -> None:
        when = start + dt.timedelta(days=n // per_day, minutes=n % per_day)
        stamp = int(when.timestamp())
        stream.append(b"commit refs/heads/main\n")
        stream.append(b"committer Bench <b@x> %d +0000\n" % stamp)
        stream.append(_data(b"change %d" % n))
        for path in changed:
            rel = path.relative_to(root).as_posix().encode()
            stream.append(b"M 100644 inline " + rel + b"\n" + _data(path.read_bytes()))

    commit(0, files)
    for n in range(1, commits):
        page = rng.choice(pages)
        text = page.read_text(encoding="utf-8")
        old = next(line for line in text.splitlines() if line.startswith("status: "))
        page.write_text(text.replace(old, f"status: {rng.choice(STATUSES)}", 1),
                        encoding="utf-8")
        commit(n, [page])
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=_env())
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream),
                   check=True, env=_env())
    subprocess.run(["git", "reset", "-q", "--mixed", "main"], cwd=root, check=True, env=_env())
    return pages


def aged(root: Path, seconds: int = 10) -> None:
    """Date every file of the site `seconds` back, as files edited a while before a run
    are (the page cache never keeps a file modified in the last two seconds)."""
    past = time.time() - seconds
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".git", ".cache")]
        for name in names:
            os.utime(os.path.join(folder, name), (past, past))


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def cli(config: Path, command: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "content_map", command, "-f", str(config), *extra]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--per-day", type=int, default=5, help="commits a day")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, help="where to write the site (default: temp)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="content-map-bench-history-"))
    root = work / f"history-{args.pages}-{args.commits}"
    if root.exists():
        shutil.rmtree(root)
    config = write_site(root, args.pages)
    pages = write_history(root, args.commits, args.per_day)
    aged(root)
    check_cold = cli(config, "check", "--no-cache", "--fail-on", "never", "-o", os.devnull)
    check_warm = cli(config, "check", "--fail-on", "never", "-o", os.devnull)
    history = cli(config, "history", "--format", "json", "-o", str(root / "history.json"))
    timed(check_warm)  # fill the check's cache
    colds = [timed(check_cold) for _ in range(args.repeat)]
    cold = timed(history)
    colds += [timed(check_cold) for _ in range(args.repeat)]  # around it: the same load
    base_cold = statistics.median(colds)
    points = len(json.loads((root / "history.json").read_text())["points"])
    rounds = [(timed(check_warm), timed(history)) for _ in range(args.repeat)]
    base_warm = statistics.median(w for w, _ in rounds)
    again = statistics.median(h for _, h in rounds)
    again_ratio = statistics.median(h / w for w, h in rounds)

    from content_map.cache import CACHE_DIR
    from content_map.history import history as read_history
    from content_map.load.siteconfig import read_site_config
    from content_map.settings import from_options

    grown = []
    for n in range(args.repeat):
        page = pages[n]
        page.write_text(page.read_text(encoding="utf-8") + f"\nMore {n}.\n", encoding="utf-8")
        env = {**_env(), "GIT_COMMITTER_DATE": "2030-01-01T09:00:00+00:00",
               "GIT_AUTHOR_DATE": "2030-01-01T09:00:00+00:00"}
        subprocess.run(["git", "-c", "user.name=B", "-c", "user.email=b@x", "commit", "-qam",
                        "one more"], cwd=root, check=True, env=env)
        aged(root)
        warm = timed(check_warm)
        grown.append((warm, timed(history)))
    page = pages[-1]
    page.write_text(page.read_text(encoding="utf-8") + "\nLast.\n", encoding="utf-8")
    subprocess.run(["git", "-c", "user.name=B", "-c", "user.email=b@x", "commit", "-qam",
                    "last"], cwd=root, check=True, env=_env())
    site = read_site_config(config)
    found = read_history(root, config.name, from_options(site.options or {}), site.docs_dir,
                         root / CACHE_DIR)
    figures = {
        "pages": args.pages, "commits": args.commits, "days": points,
        "check_cold_s": base_cold, "check_warm_s": base_warm,
        "history_cold_s": cold, "history_cold_ratio": cold / base_cold,
        "history_again_s": again, "history_again_ratio": again_ratio,
        "history_grown_s": statistics.median(h for _, h in grown),
        "history_grown_ratio": statistics.median(h / w for w, h in grown),
        "grown_days_analysed": found.analysed, "grown_blobs_read": found.blobs_read,
    }
    print(f"{args.pages:,} pages, {args.commits:,} commits, {points:,} days")
    print(f"  cold history:      {cold:7.2f} s = {figures['history_cold_ratio']:6.1f} × "
          f"check --no-cache ({base_cold:.2f} s): {cold / points * 1000:.0f} ms a day")
    print(f"  history again:     {again:7.2f} s = {figures['history_again_ratio']:6.2f} × "
          f"warm check, the same round ({base_warm:.2f} s)")
    print(f"  one more commit:   {figures['history_grown_s']:7.2f} s = "
          f"{figures['history_grown_ratio']:6.2f} × warm check, the same round; analysed "
          f"{found.analysed} day, read {found.blobs_read} file from git")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
