"""A decision as the Regulations allow it: one reply type, its grounds, reasons and form."""

from __future__ import annotations

from dataclasses import dataclass

from ogi_errors import InvalidInput
from ogi_law.rules import EXEMPTION_GROUNDS, FORMS, OUTCOMES, choose

#: Outcomes that provide information: a confidentiality review must come first (Art. 17).
DISCLOSING = frozenset({"already_public", "disclose", "partial"})
#: Outcomes whose letter must say why, though no exemption ground applies.
EXPLAINED = frozenset({"unclear_after_correction", "confirm_or_reissue"})


@dataclass(frozen=True)
class Decision:
    outcome: str
    grounds: tuple[str, ...]
    reason: str
    form_of_provision: str
    competent_organ: str
    competent_organ_contact: str
    where_published: str

    @classmethod
    def checked(
        cls,
        outcome: str,
        grounds: list[str],
        reason: str,
        form_of_provision: str,
        requested_form: str,
        competent_organ: str = "",
        competent_organ_contact: str = "",
        where_published: str = "",
    ) -> Decision:
        """A decision as the Regulations allow it; InvalidInput names the field at fault."""
        kind = OUTCOMES[choose("outcome", outcome, OUTCOMES)]
        for ground in grounds:
            choose("grounds", ground, EXEMPTION_GROUNDS)
        if kind.needs_grounds and not grounds:
            raise InvalidInput("grounds", f"{outcome} needs at least one exemption ground")
        if grounds and not kind.needs_grounds:
            raise InvalidInput("grounds", f"{outcome} takes no exemption ground")
        if kind.needs_grounds and not reason.strip():
            raise InvalidInput("reason", f"{outcome} must state the reasons (Art. 36(3), 37)")
        if outcome in EXPLAINED and not reason.strip():
            raise InvalidInput("reason", f"{outcome} must say what the applicant asked and why")
        provides = outcome in DISCLOSING
        form = choose("form_of_provision", form_of_provision, FORMS, requested_form)
        return cls(
            outcome=outcome,
            grounds=tuple(dict.fromkeys(grounds)),
            reason=reason.strip(),
            form_of_provision=form if provides else "",
            competent_organ=competent_organ.strip(),
            competent_organ_contact=competent_organ_contact.strip(),
            where_published=where_published.strip(),
        )
