"""A site's own taxonomy: the labels its pages already carry, mapped to personas and
stages, so a site adopts content-map without editing a page.

A persona or a journey's stage lists its `labels` (any text, such as `Get started`),
and `fields` names the front-matter key the pages use (`fields: {stages: tags}`). A
value of that key is then a persona or stage id, an alias or a label. Once the site
declares labels, a renamed key is read as the site's own taxonomy, which has other
values too: values that name no persona or stage are left alone, and a page whose
renamed keys name none is not a piece. `unmatched_labels: error` reports them instead,
as for keys that were not renamed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..model import Journey, Persona, Piece, Stage

__all__ = ["MAPPING_FIELDS", "Labels", "label_of"]

MAPPING_FIELDS = ("personas", "stage", "stages")
"""The fields that make a page a piece."""


@dataclass(frozen=True)
class Labels:
    personas: Mapping[str, str] = field(default_factory=dict)  # label -> persona id
    stages: Mapping[str, tuple[Stage, ...]] = field(default_factory=dict)  # label -> stages
    lenient: frozenset[str] = frozenset()  # fields whose unmatched values are left alone

    @classmethod
    def of(cls, personas: list[Persona], journeys: list[Journey], names: Mapping[str, str],
           unmatched: str = "ignore") -> Labels:
        """The labels of `personas` and of `journeys`' stages; `names` are the site's keys
        for the standard fields, and `unmatched` the `unmatched_labels` option."""
        by_persona: dict[str, str] = {}
        for persona in personas:
            for label in persona.labels:
                by_persona.setdefault(label, persona.id)
        by_stage: dict[str, tuple[Stage, ...]] = {}
        for journey in journeys:
            for stage in journey.stages:
                for label in stage.labels:
                    by_stage[label] = (*by_stage.get(label, ()), stage)
        lenient = frozenset(name for name in MAPPING_FIELDS
                            if names.get(name, name) != name) \
            if (by_persona or by_stage) and unmatched == "ignore" else frozenset()
        return cls(by_persona, by_stage, lenient)

    def persona(self, value: str) -> str | None:
        return self.personas.get(value)

    def stage(self, value: str, journey: str | None = None) -> list[Stage]:
        """The stages `value` is a label of (in `journey`, when the page names one)."""
        return [s for s in self.stages.get(value, ()) if journey in (None, s.journey)]

    def unlabelled(self, piece: Piece, keys: set[str]) -> bool:
        """Whether a page that names no persona and no stage carries only renamed keys
        (`keys`: the mapping fields it has), none of whose values is a label: then it is
        not a piece."""
        if not self.lenient or piece.personas or piece.stages:
            return False
        return all(name in self.lenient for name in MAPPING_FIELDS if name in keys)


def label_of(named: Persona | Stage, renamed: bool, written: str | None = None) -> str:
    """How a new page names a persona or stage: in a renamed field, by its first label
    (the site's own taxonomy) when it has labels; otherwise as `written`, or by its id."""
    return named.labels[0] if renamed and named.labels else written or named.id
