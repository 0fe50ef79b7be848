"""A small site with at least one finding of every rule, for the report formats."""

from __future__ import annotations

from conftest import Site
from content_map.rules.catalogue import RULES

TODAY = "2025-06-01"

# A persona id typed with the characters GitHub's workflow commands must escape.
AWKWARD = "50%, odd: value\nsecond line"


def every_finding_site(site: Site) -> Site:
    site.config({
        "rules": {"unmapped-page": "warn", "low-engagement": "warn"},
        "metrics": {"file": "metrics.csv", "floors": {"views": 10}},
        "coverage": {"waivers": [
            {"persona": "writer", "stage": "advocacy", "reason": "Launch | in Q3",
             "until": "2999-01-01"},
            {"persona": "writer", "stage": "decision", "reason": "Old plan",
             "until": "2020-01-01"},
        ]},
    })
    site.write("journeys/buyer.yml", """\
        name: Buyer journey
        descripton: typo of description
        stages:
          - id: awareness
            questions: ["Why is <b>this</b> slow?"]
          - id: decision
          - id: advocacy
        """)
    site.write("journeys/support.yml", """\
        name: Support journey
        stages:
          - id: onboarding
          - id: renewal
        """)
    site.write("journeys/broken.yml", "name: Broken\nstages: [\n")
    site.write("personas/reader.yml", """\
        name: Rita Reader
        journeys: [buyer]
        pains: ["Too many tabs", "Reports arrive late"]
        """)
    site.write("personas/writer.yml", """\
        name: Walt Writer
        type: externl
        """)
    site.write("personas/dup.yml", "name: Dup\naliases: [reader]\n")
    site.write("docs/awareness.md", """\
        ---
        title: Awareness
        personas: [reader, writer]
        stage: awareness
        review_by: 2020-01-01
        next: [decision.md]
        ---
        # Awareness
        """)
    site.write("docs/decision.md", """\
        ---
        title: Decision
        personas: [reader, writer]
        stage: decision
        next: [awareness.md]
        ---
        # Decision
        """)
    site.write("docs/unknown.md", f"""\
        ---
        title: Unknown things
        personas: [nobody, {AWKWARD!r}]
        stage: awarenes
        next: [missing.md]
        ---
        # Unknown
        """.replace("'", '"'))
    site.write("docs/support.md", """\
        ---
        personas: [reader]
        stage: support/onboarding
        ---
        # Support
        """)
    site.write("docs/broken.md", "---\ntitle: never closed\npersonas: [reader]\n")
    site.write("docs/plain.md", "# Plain page\n")
    site.write("personas/walker.yml", "name: Wendy Walker\njourneys: [support]\n")
    site.write("docs/walk-1.md", "---\npersonas: [walker]\nstage: support/onboarding\n---\n")
    site.write("docs/walk-2.md", "---\npersonas: [walker]\nstage: support/renewal\n---\n")
    site.write("docs/late.md", "---\npersonas: [walker]\nstage: support/renewal\n"
               "status: draft\nowner: dana\ndue: 2020-01-01\n---\n")
    site.write("metrics.csv", "page,views\nawareness.md,3\n/gone/,12\n")
    return site


ALL_RULES = set(RULES)
