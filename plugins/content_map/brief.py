"""The brief of a page `content-map new page` scaffolds: what the reader needs at the
stage, from the journey and the personas, inside an HTML comment (hidden on the site)."""

from __future__ import annotations

from collections.abc import Mapping

from .model import Analysis, Journey, Persona, Stage

__all__ = ["brief", "next_candidates"]


def next_candidates(analysis: Analysis, personas: list[Persona], journey: Journey,
                    stage: Stage) -> list[str]:
    """Pages at a later stage of the journey for the same readers, for `next`."""
    later = {s.id for s in journey.stages if s.index > stage.index}
    ids = {p.id for p in personas}
    return [
        piece.path for piece in analysis.pieces
        if ids & set(piece.personas)
        and any(r.journey == journey.id and r.stage in later for r in piece.stages)
    ][:5]


def _safe(value: str) -> str:
    """Text that cannot close the HTML comment the brief lives in."""
    return " ".join(value.replace("--", "- -").replace("<", "‹").replace(">", "›").split())


def brief(personas: list[Persona], journey: Journey, stage: Stage, title: str,
          next_pages: list[str], key: Mapping[str, str], owner: str | None = None) -> str:
    """The page's heading and its brief; the closing list asks only for what is missing."""
    lines = [
        "<!--",
        "BRIEF (delete this comment when the page is written; it does not show on the site)",
        "",
        f"Stage: {_safe(stage.name)} ({journey.id}/{stage.id}), stage {stage.index + 1} of "
        f"{len(journey.stages)} of the {_safe(journey.name)}",
    ]
    if stage.goal:
        lines.append(f"The reader's goal here: {_safe(stage.goal)}")
    if stage.emotions:
        lines.append(f"How readers tend to feel: {_safe(', '.join(stage.emotions))}")
    if stage.channels:
        lines.append(f"Where they look: {_safe(', '.join(stage.channels))}")
    if stage.kpis:
        lines.append(f"How this page is measured: {_safe(', '.join(stage.kpis))}")
    if stage.questions:
        lines += ["", "What readers ask at this stage:"]
        lines += [f"- {_safe(q)}" for q in stage.questions]
    for persona in personas:
        lines += ["", f"For: {_safe(persona.name)} ({persona.id})"]
        if persona.summary:
            lines.append(_safe(persona.summary))
        if persona.pains:
            lines += ["Their pains (answer at least one):"]
            lines += [f"- {_safe(p)}" for p in persona.pains]
        mood = persona.stages.get(f"{journey.id}/{stage.id}")
        if mood and mood.questions:
            lines += ["What they ask at this stage:"]
            lines += [f"- {_safe(q)}" for q in mood.questions]
        if mood and mood.emotion:
            lines.append(f"How they feel here: {_safe(mood.emotion)}")
        if persona.channels:
            lines.append(f"Where they look: {_safe(', '.join(persona.channels))}")
    asked = bool(stage.questions) or any(
        (mood := p.stages.get(f"{journey.id}/{stage.id}")) and mood.questions for p in personas)
    lines += ["", "Before publishing:"]
    if asked:
        lines.append("- Answer the questions above in the reader's words.")
    lines.append((f"- Set `{key['status']}: published`" if owner else
                  f"- Set `{key['owner']}`, and `{key['status']}: published`")
                 + " when the page is live.")
    if stage is not journey.last:
        lines.append(f"- Add `{key['next']}:` pages at a later stage for the same readers"
                     + (", e.g. " + _safe(", ".join(next_pages)) if next_pages else "") + ".")
    lines.append("-->")
    return f"# {title}\n\n" + "\n".join(lines) + "\n"
