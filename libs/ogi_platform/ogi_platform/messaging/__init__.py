"""The NATS bus: event envelopes on the wire, the outbox relay, the inbox, the streams."""
