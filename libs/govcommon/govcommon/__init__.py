"""The shared kernel of the OGI services: identifiers, events, stores, the bus, gRPC scaffolding."""
