"""Event-sourced stores: aggregates, the application base and its unit of work, locks."""
