"""Which agency holds the information asked for: a suggestion from the agencies' catalogues.

Staff confirm a suggestion by forwarding; nothing is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ogi_law.agencies import Agency, AgencyRegistry, CatalogueEntry


@dataclass(frozen=True)
class Suggestion:
    agency: Agency
    entry: CatalogueEntry
    matched: tuple[str, ...]

    @property
    def note(self) -> str:
        if self.entry.archives_law:
            return (
                "已移交国家档案馆的信息依照档案法律法规提供利用，不适用政府信息公开条例"
                "（最高人民法院关于审理政府信息公开行政案件若干问题的规定第七条；档案法第十五条）"
            )
        return f"该信息属于{self.agency.name}掌握的“{self.entry.subject}”"


def suggest_agency(description: str, registry: AgencyRegistry) -> Suggestion | None:
    """The agency whose catalogue matches the description best; None when none or a tie."""
    candidates = []
    for agency in registry.all():
        for entry in agency.catalogue:
            matched = tuple(k for k in entry.keywords if k in description)
            if matched:
                candidates.append(Suggestion(agency, entry, matched))
    candidates.sort(key=lambda s: len(s.matched), reverse=True)
    if not candidates:
        return None
    if len(candidates) > 1 and len(candidates[1].matched) == len(candidates[0].matched):
        return None  # a tie: staff decide
    return candidates[0]
