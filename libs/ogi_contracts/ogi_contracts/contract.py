"""The shape of a service's contract: what it publishes and what it handles, from whom."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ogi_contracts.ports import DEFAULT_PORTS

#: Who may send an event type a service handles: its own agency only, any agency, or only a
#: supervision bureau (an agency always may send to its own services).
OWN = "own"
ANY = "any"
BUREAU = "supervision_bureau"
#: The kinds of agency whose instance of a service handles events ("" : every agency).
EVERY_AGENCY = ""


@dataclass(frozen=True)
class Contract:
    """One service's contract with the rest of the system and outside subscribers."""

    service: str
    #: Stored event types published on the bus, for any subscriber.
    public: frozenset[str]
    #: Stored event types that stay in the service's store (bookkeeping; shown by the trace).
    internal: frozenset[str] = frozenset()
    #: Event types the service handles, and who may send each (OWN, ANY or BUREAU).
    handles: Mapping[str, str] = field(default_factory=dict)
    #: Handled types heard from every agency, not only addressed to the agency: the service
    #: that publishes each.
    heard_everywhere: Mapping[str, str] = field(default_factory=dict)
    #: Only agencies of this kind handle events (EVERY_AGENCY: all of them).
    served_kind: str = EVERY_AGENCY
    #: Only agencies of this kind hear the ``heard_everywhere`` types from every agency; the
    #: others hear them as any handled type, addressed to them or sent by them (EVERY_AGENCY:
    #: every agency served hears them from everywhere).
    everywhere_kind: str = EVERY_AGENCY

    @property
    def default_port(self) -> int:
        """The port of the service's gRPC server unless OGI_GRPC_PORT says otherwise."""
        return DEFAULT_PORTS[self.service]

    def handled_for(self, agency_kind: str) -> frozenset[str]:
        """The event types this service handles for an agency of the given kind."""
        if self.served_kind not in (EVERY_AGENCY, agency_kind):
            return frozenset()
        return frozenset(self.handles)

    def heard_everywhere_for(self, agency_kind: str) -> Mapping[str, str]:
        """The handled types an agency of the given kind hears from every agency, with the
        service that publishes each."""
        if self.everywhere_kind not in (EVERY_AGENCY, agency_kind):
            return {}
        return self.heard_everywhere

    def check_handlers(self, agency_kind: str, handled: set[str] | frozenset[str]) -> None:
        """Refuse to run handlers that differ from the contract (a programming error)."""
        wanted = self.handled_for(agency_kind)
        if set(handled) != wanted:
            raise RuntimeError(
                f"{self.service} handles {sorted(set(handled) ^ wanted)} against its contract"
            )
