"""`ogi nats provision`: what the NATS administrator creates for agencies whose services connect
as their own NATS user, which may not create streams or consumers (deploy/nats).

The streams, and for every agency and service that handles events the durable consumer
``<code>__<service>`` with the filters of ``provisioned_filters``: everything addressed to the
agency and everything it sent (its services hear of their own forwards, addressed elsewhere), and
for a supervision bureau's complaint service also what it hears of every agency; a supervision
bureau's query read model hears every event. A service bound to such a consumer ignores the event
types it does not handle. What each service handles, and for which agencies, comes from its
contract (ogi_contracts), never from server code.
"""

from __future__ import annotations

from collections.abc import Sequence

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from ogi_contracts import contract_of
from ogi_contracts.contract import Contract
from ogi_law.agencies import Agency, AgencyRegistry
from ogi_platform.messaging import bus
from ogi_platform.messaging.envelope import EVENT_STREAM, SUBJECT_ROOT, consumer_name
from ogi_platform.service.runtime import contract_subjects, heard_everywhere


def inbox_subjects(contract: Contract, registry: AgencyRegistry, agency: str) -> list[str]:
    """The filter subjects of the service's inbox for ``agency`` ([] when it handles nothing)."""
    return sorted(contract_subjects(contract, registry.get(agency)))


#: What a supervision bureau's query read model hears: every agency's events.
BUREAU_QUERY_FILTERS = (f"{SUBJECT_ROOT}.>",)


def provisioned_filters(agency: Agency, service: str) -> list[str]:
    """The filter subjects of the consumer ``<agency>__<service>`` that the admin creates:
    what is addressed to the agency, what it sent, and what its service's contract has it hear
    from every agency (a supervision bureau's complaint service: every accepted and overdue
    application)."""
    if agency.kind == "supervision_bureau" and service == "query":
        return list(BUREAU_QUERY_FILTERS)
    own = [f"{SUBJECT_ROOT}.*.*.*.{agency.code}", f"{SUBJECT_ROOT}.{agency.code}.>"]
    return own + heard_everywhere(contract_of(service), agency)


async def provision(
    js: JetStreamContext,
    registry: AgencyRegistry,
    agencies: list[str],
    contracts: Sequence[Contract],
) -> list[dict[str, object]]:
    """Create the streams and every missing consumer; correct a consumer's filters if they
    differ. Returns what was done, per consumer."""
    await bus.ensure_streams(js)
    done: list[dict[str, object]] = []
    for agency in agencies:
        registry.get(agency, "agency")
        for contract in contracts:
            if not inbox_subjects(contract, registry, agency):
                continue  # the service handles nothing for this agency
            subjects = sorted(provisioned_filters(registry.get(agency), contract.service))
            durable = consumer_name(agency, contract.service)
            try:
                info = await js.consumer_info(EVENT_STREAM, durable)
            except NotFoundError:
                await js.add_consumer(EVENT_STREAM, bus.consumer_config(durable, subjects))
                action = "created"
            else:
                if bus.consumer_filters(info) == subjects:
                    action = "unchanged"
                else:
                    config = info.config
                    config.filter_subjects, config.filter_subject = subjects, None
                    await js.add_consumer(EVENT_STREAM, config)
                    action = "filters updated"
            done.append({"consumer": durable, "action": action, "filter_subjects": subjects})
    return done
