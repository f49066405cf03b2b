"""Routing: where an application is handled, the office of this agency it is assigned to."""
