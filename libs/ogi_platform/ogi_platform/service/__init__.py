"""A service process: its configuration and runtime (stores, relays, inboxes, ticks)."""
