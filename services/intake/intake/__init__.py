"""Intake: takes in applications, validates them (Art. 29), dates their receipt (Art. 31)."""
