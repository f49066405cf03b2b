"""What the end-to-end and reliability tests share: a running `ogi up` and the CLI pointed at it
(``ogisystem``), the processes it started (``processes``), PostgreSQL and NATS servers of a
system's own (``servers``), and service runtimes run in the test's process (``runtimes``).

A package of its own name, so that both test folders import it the same way (their conftest
modules share the name ``conftest`` and cannot import each other reliably).
"""
