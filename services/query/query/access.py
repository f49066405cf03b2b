"""Who may read which lists, and which agency unit's read model answers (``ogi_platform.rpc.auth``).

Lists are read as the commands read an application: staff of an agency read their agency's,
staff of a supervision bureau and operators read every agency's. The portal (the applicants'
channel) reads one application by its id through the services, never lists of them; it finds
an application by its number only with the last characters of the applicant's identity
document (``may_find``, ``tail_matches``). The
bureau's own boards (complaint cases, overdue reports, figures) are its staff's and the
operators' (``supervise``).

An agency's lists are answered by its own unit if this process serves it, else by a supervision
bureau's unit (which keeps every agency's rows); a list of every agency only by a bureau's unit.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from ogi_contracts.contract import BUREAU
from ogi_errors import IllegalStep, InvalidInput, PermissionDenied
from ogi_law.agencies import AgencyRegistry
from ogi_platform.rpc import auth
from ogi_platform.service.runtime import AgencyUnit, ServiceRuntime
from query.application import QueryApplication


@dataclass(frozen=True)
class Reader:
    """The unit whose read model answers, and the agencies the answer is confined to (empty:
    every agency the read model keeps)."""

    unit: AgencyUnit
    agencies: tuple[str, ...]

    @property
    def app(self) -> QueryApplication:
        assert isinstance(self.unit.app, QueryApplication)
        return self.unit.app


def may_list(runtime: ServiceRuntime[AgencyRegistry], agency: str) -> bool:
    """Whether the caller may read the lists of ``agency``."""
    principal = auth.caller()
    if principal.role == "portal":
        return False
    return auth.allowed(principal, "read", agency, runtime.supervisors)


#: The fewest last characters of the applicant's identity document the portal finds an
#: application by its number with.
MIN_ID_DOC_TAIL = 4


def may_find(runtime: ServiceRuntime[AgencyRegistry], agency: str) -> bool:
    """Whether the caller may be told whom a number ``agency`` gave belongs to: whoever may read
    its lists, and the portal, which must give the last characters of the applicant's identity
    document (``tail_matches``)."""
    return auth.caller().role == "portal" or may_list(runtime, agency)


def tail_matches(id_doc: str, tail: str) -> bool:
    """Whether the identity document ends in ``tail`` (letters in either case), in constant
    time."""
    end = id_doc.upper()[-len(tail) :] if tail and len(tail) <= len(id_doc) else ""
    return hmac.compare_digest(end.encode(), tail.upper().encode())


def finder(runtime: ServiceRuntime[AgencyRegistry], agency: str) -> Reader:
    """The read model answering for the numbers ``agency`` gave (``may_find`` decides who may
    ask): its own unit, else a supervision bureau's."""
    unit = runtime.units.get(agency) or _bureau_unit(runtime) or _served(runtime, agency, "number")
    return Reader(unit, (agency,))


def _served(runtime: ServiceRuntime[AgencyRegistry], agency: str, field: str) -> AgencyUnit:
    unit = runtime.units.get(agency)
    if unit is not None:
        return unit
    if not runtime.active:
        raise IllegalStep(f"this {runtime.spec.name} instance is a standby: another one serves")
    raise InvalidInput(field, f"agency {agency!r} is not served by this {runtime.spec.name}")


def _bureau_unit(runtime: ServiceRuntime[AgencyRegistry]) -> AgencyUnit | None:
    return next(
        (u for code, u in sorted(runtime.units.items()) if code in runtime.supervisors), None
    )


def reader(runtime: ServiceRuntime[AgencyRegistry], agency: str, field: str = "agency") -> Reader:
    """The read model answering for ``agency`` ("" : the caller's own agency, or every agency
    for bureau staff and operators), if the caller may read it."""
    principal = auth.caller()
    if principal.role == "portal":
        raise PermissionDenied(f"{principal.actor} may not list applications")
    if not agency and principal.role == "staff" and principal.agency not in runtime.supervisors:
        agency = principal.agency
    if not agency:
        bureau = _bureau_unit(runtime)
        if bureau is None:
            raise InvalidInput(
                field, "name an agency: no supervision bureau's read model is served here"
            )
        return Reader(bureau, ())
    runtime.registry.get(agency, field)
    if not may_list(runtime, agency):
        raise PermissionDenied(f"{principal.actor} may not read the lists of {agency}")
    unit = runtime.units.get(agency) or _bureau_unit(runtime) or _served(runtime, agency, field)
    return Reader(unit, (agency,))


def bureau_reader(runtime: ServiceRuntime[AgencyRegistry], bureau: str) -> Reader:
    """A supervision bureau's own read model ("" : the caller's bureau), if the caller may
    supervise for it (its staff, operators)."""
    principal = auth.caller()
    bureau = bureau or principal.agency
    if not bureau:
        raise InvalidInput("bureau", "is required (a supervision bureau)")
    if runtime.registry.get(bureau, "bureau").kind != BUREAU:
        raise InvalidInput("bureau", f"{bureau} is not a supervision bureau")
    auth.require("supervise", bureau, runtime.supervisors)
    return Reader(_served(runtime, bureau, "bureau"), ())
