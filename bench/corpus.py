"""A reproducible benchmark site: N pages with realistic front-matter and bodies.

Seeded, so every run of the benchmark measures the same files. The share of drafts,
stale pages, `next` links and gaps follows what a real content hub looks like.

With `findings`, most pages carry a finding as well, as on a site that adopts the tool
with years of content behind it: about 80% are past their review date, 45% link to a
page that was retired and 25% name a persona by a misspelt id, about 1.6 findings a
page in all. The report then holds tens of thousands of findings, so writing it weighs
as much as reading the pages.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

STAGES = ["awareness", "consideration", "decision", "retention", "advocacy"]
SUPPORT = ["onboarding", "adoption", "troubleshooting", "renewal"]
STATUSES = ["published"] * 80 + ["draft"] * 8 + ["review"] * 5 + ["planned"] * 4 + ["idea"] * 3
CHANNELS = ["blog", "docs", "email", "webinar", "social", "sales"]
FORMATS = ["article", "guide", "case-study", "checklist", "video", "faq", "comparison"]
INTENTS = ["learn", "research", "compare", "buy", "use", "fix", "share"]
OWNERS = ["dana", "sam", "priya", "leo", "mia", "noor", "ivan", "zoe"]
WORDS = [
    "reconciliation", "close", "ledger", "variance", "accrual", "journal", "approval", "audit",
    "trail", "matching", "exception", "workflow", "controller", "spreadsheet", "subsidiary",
    "intercompany", "balance", "sheet", "evidence", "checklist", "period", "automation",
    "review", "sign-off", "cash", "bank", "feed", "ERP",
]


NAV_CONFIG = ["nav:", "  - Home: index.md"] + [
    f"  - Section {i}: section-{i:02d}/index.md" for i in range(20)
] + ["validation:", "  nav:", "    omitted_files: ignore"]
"""An explicit navigation of the sections' index pages (see `write_site`)."""


def _paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def write_site(root: Path, pages: int, personas: int = 6, seed: int = 42,
               material: bool = False, plugin: bool = True, nav: bool = False,
               findings: bool = False) -> Path:
    """Write the site under `root`; return the path of its mkdocs.yml.

    With `nav`, the site gets an explicit navigation of its sections' index pages, as a
    large site has: without one, a theme renders every page's link into every page, so
    the build time grows with the square of the pages and drowns everything else.
    With `findings`, most pages also carry a finding (see the module's docstring).
    """
    rng = random.Random(seed)
    faults = random.Random(seed + 1) if findings else None  # the plain corpus stays as it was
    docs = root / "docs"
    (root / "personas").mkdir(parents=True, exist_ok=True)
    (root / "journeys").mkdir(exist_ok=True)
    docs.mkdir(exist_ok=True)
    persona_ids = [f"persona-{i}" for i in range(personas)]
    for pid in persona_ids:
        (root / "personas" / f"{pid}.yml").write_text(
            f"name: {pid.title()}\nsummary: A benchmark persona.\n"
            f"goals: [Close faster, Fewer errors]\npains: [Manual matching]\n"
            f"channels: [search, email]\n", encoding="utf-8")
    for jid, stages in (("buyer", STAGES), ("support", SUPPORT)):
        lines = [f"name: {jid.title()} journey", "stages:"]
        lines += [f"  - id: {s}\n    name: {s.title()}\n    goal: Goal of {s}.\n"
                  f"    questions: [What now?]" for s in stages]
        (root / "journeys" / f"{jid}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Plan every page first (journey, stage, personas), so `next` links can follow the
    # journey as real reading paths do: mostly to the next stage, for a shared persona.
    plans = []
    for i in range(pages):
        journey, stages = (("buyer", STAGES) if rng.random() < 0.7 else ("support", SUPPORT))
        who = rng.sample(persona_ids, k=rng.choice((1, 1, 2, 3)))
        plans.append((f"section-{i % 20:02d}/page-{i:06d}.md", journey, stages,
                      rng.randrange(len(stages)), who))
    by_cell: dict[tuple[str, int, str], list[str]] = {}
    for path, journey, _, stage, who in plans:
        for pid in who:
            by_cell.setdefault((journey, stage, pid), []).append(path)
    for i, (path, journey, stages, stage, who) in enumerate(plans):
        review = ("2020-01-01" if rng.random() < 0.03 else
                  f"20{rng.randint(27, 29)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
        nxt: list[str] = []
        if stage + 1 < len(stages) and rng.random() > 0.04:  # about 4% are dead ends
            for pid in who:
                options = by_cell.get((journey, stage + 1, pid))
                if options:
                    nxt.append(rng.choice(options))
        named = who
        if faults is not None:
            if faults.random() < 0.80:
                review = "2020-01-01"
            if faults.random() < 0.45:
                nxt.append(f"section-{i % 20:02d}/retired-{i:06d}.md")
            if faults.random() < 0.25:
                named = [who[0] + "x", *who[1:]]
        front = [
            "---",
            f"title: Page {i} about {rng.choice(WORDS)} {rng.choice(WORDS)}",
            f"personas: [{', '.join(named)}]",
            f"stage: {journey}/{stages[stage]}",
            f"status: {rng.choice(STATUSES)}",
            f"owner: {rng.choice(OWNERS)}",
            f"channel: {rng.choice(CHANNELS)}",
            f"format: {rng.choice(FORMATS)}",
            f"intent: {rng.choice(INTENTS)}",
            f"review_by: {review}",
            f"next: [{', '.join(dict.fromkeys(nxt))}]",
            "---",
        ]
        body = [f"# Page {i}", ""]
        for _ in range(rng.randint(3, 8)):
            body += [_paragraph(rng, rng.randint(40, 120)), ""]
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(front + body) + "\n", encoding="utf-8")
    (docs / "index.md").write_text("# Benchmark site\n", encoding="utf-8")
    config = ["site_name: Benchmark", "docs_dir: docs"]
    if material:
        config += ["theme:", "  name: material"]
    if nav:
        config += NAV_CONFIG
        for section in range(20):
            (docs / f"section-{section:02d}").mkdir(exist_ok=True)
            (docs / f"section-{section:02d}" / "index.md").write_text(
                f"# Section {section}\n\nThe pages of section {section}.\n", encoding="utf-8")
    config += ["plugins:", "  - search"]
    if plugin:
        config += ["  - content-map:", "      fail_on: never"]
    (root / "mkdocs.yml").write_text("\n".join(config) + "\n", encoding="utf-8")
    return root / "mkdocs.yml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", "--pages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--material", action="store_true")
    parser.add_argument("--nav", action="store_true",
                        help="an explicit navigation of the sections' index pages")
    parser.add_argument("--findings", action="store_true",
                        help="most pages carry a finding (stale, a retired next page, a "
                        "misspelt persona)")
    args = parser.parse_args()
    print(write_site(args.out, args.pages, seed=args.seed, material=args.material,
                     nav=args.nav, findings=args.findings))


if __name__ == "__main__":
    main()
