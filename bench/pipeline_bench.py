"""End to end through `ogi up` (issue 13), beside the eventsourcing library's own ``System``.

The whole system (`ogi up`: nats-server, the seven services, the web) on a fresh PostgreSQL
database (``--sqlite``: SQLite files), serving the four default agencies. Applications are
submitted to intake over gRPC, spread over the agencies, and counted once review opened them
(``review_watch``: read from review's stores, so that waiting costs the system nothing):

1. the maximum rate: ``-n`` applications with ``IN_FLIGHT`` submissions at a time, from the
   first submission until the last one is open in review;
2. submit-to-review latency at half that rate: once the system settled after the maximum (the
   services off the way still work through its events after review opened the last one),
   ``--latency-n`` applications paced evenly, each from the moment it was sent until review's
   store held it (seen within 5 ms), p50 and p99, and the share of the machine's CPU the
   system (with the PostgreSQL server) used meanwhile.

Then the peer (``peer_system``): the same four stages in the library's ``MultiThreadedRunner``,
on its own fresh database of the same server (or SQLite), fed as many applications by
``IN_FLIGHT`` threads, until its last stage holds them all. Goals: at least 3x the peer on
PostgreSQL; p99 under 50 ms. Figures are printed, not asserted:
``python bench/pipeline_bench.py -n 500 --latency-n 200``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from databases import database
from peer_system import peer_rate
from review_watch import ReviewWatch, review_of
from running import (
    PhaseTimeout,
    RunningSystem,
    cpu_seconds,
    ogi_up,
    postgres_server,
    postgres_turn,
    settle,
)
from submitting import IN_FLIGHT, submit_all, submit_paced

POLL_SECONDS = 0.005
CORES = os.cpu_count() or 1


def line(label: str, figure: str) -> None:
    print(f"  {label:<58} {figure}")


def _machine_seconds(system: RunningSystem) -> float:
    """CPU seconds used so far by the system's processes and the PostgreSQL server's."""
    return cpu_seconds(system.pids()) + cpu_seconds(postgres_server())


def through_ogi_up(
    url: str | None, folder: Path, n: int, latency_n: int, timeout: float
) -> tuple[float, list[float]]:
    """Applications/s end to end at the maximum, and each latency (s) at half of it."""
    with ogi_up(folder, {"OGI_DATABASE_URL": url} if url else {}) as system:
        line("`ogi up` ready", f"{system.ready_seconds:>9.1f} s")
        intake, agencies = system.address("intake"), system.agencies
        stores = folder / "data" / "stores"
        with ReviewWatch(url, stores, agencies, POLL_SECONDS) as watch:
            submit_all(intake, agencies, 0, IN_FLIGHT, timeout, "warm-up")
            watch.wait_for(IN_FLIGHT, timeout, "warm-up")
            started = time.monotonic()
            submit_all(intake, agencies, IN_FLIGHT, n, timeout, "maximum rate")
            rate = n / (watch.wait_for(IN_FLIGHT + n, timeout, "maximum rate") - started)
            line(f"submitted, {IN_FLIGHT} in flight, until open in review",
                 f"{rate:>9,.0f} /s  ({n} applications)")  # fmt: skip
            # the services off the way (query, reply, report, complaint) are still at the
            # maximum phase's events: the half rate starts on a settled system
            line("settled after the maximum (every process, PostgreSQL's)",
                 f"{settle(system.pids):>9.1f} s")  # fmt: skip
            first = IN_FLIGHT + n
            used, paced_from = _machine_seconds(system), time.monotonic()
            paced = submit_paced(intake, agencies, first, latency_n, rate / 2, timeout, "half rate")
            watch.wait_for(first + latency_n, timeout, "half rate")
            wall = time.monotonic() - paced_from
            share = (_machine_seconds(system) - used) / wall / CORES * 100
            line("CPU the system used at half rate, % of the machine", f"{share:>9.0f} %")
            return rate, [watch.opened[review_of(app)] - sent for app, sent in paced]


def bench_pipeline(
    n: int, latency_n: int = 1000, on_postgres: bool = True, timeout: float = 300.0
) -> None:
    label = "PostgreSQL" if on_postgres else "SQLite"
    print(f"End to end through `ogi up`, {label}, 4 agencies:")
    with tempfile.TemporaryDirectory() as tmp, postgres_turn(on_postgres):
        try:
            with database(on_postgres, "system") as url:
                rate, latencies = through_ogi_up(url, Path(tmp) / "up", n, latency_n, timeout)
            latencies.sort()
            p50 = statistics.median(latencies) * 1000
            p99 = latencies[int(len(latencies) * 0.99)] * 1000
            line(f"submit to review at {rate / 2:,.0f}/s (half), goal p99 < 50 ms",
                 f"{p50:>6.1f} ms p50, {p99:.1f} ms p99 ({latency_n})")  # fmt: skip
            with database(on_postgres, "peer") as url:
                peer = peer_rate(url, Path(tmp) / "peer", n, ["a", "b", "c", "d"], timeout)
        except PhaseTimeout as error:
            print(f"  FAILED: {error}")
            return
    line(f"eventsourcing System, MultiThreadedRunner, {IN_FLIGHT} threads",
         f"{peer:>9,.0f} /s  ({n} applications)")  # fmt: skip
    line("`ogi up` / the library's System (goal: 3x or more)", f"{rate / peer:>9.2f} x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=2000, help="applications at the maximum rate")
    parser.add_argument("--latency-n", type=int, default=1000, help="applications at half rate")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per phase")
    args = parser.parse_args()
    bench_pipeline(args.n, args.latency_n, not args.sqlite, args.timeout)


if __name__ == "__main__":
    main()
