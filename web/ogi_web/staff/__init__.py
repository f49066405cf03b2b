"""The staff console (signed in): the agency's work queue, the case file of one application
with every action the CLI has, the consultations addressed to the agency."""
