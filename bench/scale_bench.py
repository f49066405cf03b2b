"""One instance serving many agencies (issue 13): `ogi up` with an agency file of 5, 100, 300
and 1,000 agencies (the four defaults and district offices), on SQLite (``--postgres``: a fresh
PostgreSQL database).

For each count: the time from starting `ogi up` to its ready description (the first start,
which makes every store, and a restart on the same data after the load, which opens them); the
CPU all its processes (services, web, nats-server) use over ``IDLE_SECONDS``, in % of one core
(utime + stime from /proc), once the start's last work after ready is done (each store's first
tick, the relay's and the inbox's first look at every store, which on a first start adopts the
stream in each: "busy s", the time from ready until ``SETTLED_WINDOW`` seconds used under
``SETTLED_CPU`` % with the PostgreSQL server's);
their resident memory together (VmRSS) after that; then ``-n``
applications spread over all the agencies, ``IN_FLIGHT`` at a time, applications/s from the first
submission until every one is open in review. A count that fails (not ready, or applications that
never reach review within the phase's time) is reported and the larger ones are skipped. Goals:
1,000 agencies at 80% or more of the 5-agency throughput, idle CPU under 5% of one core.
Figures are printed, not asserted: ``python bench/scale_bench.py --agencies 5 100 -n 500``;
on a machine whose speed drifts, ``--rounds 3`` measures the counts in turn three times and
prints the medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from statistics import median

import yaml
from databases import database
from review_watch import ReviewWatch
from running import PhaseTimeout, cpu_seconds, ogi_up, postgres_turn, rss_bytes, settle
from submitting import IN_FLIGHT, submit_all

from ogi_law.agencies import DEFAULT_AGENCIES

IDLE_SECONDS = 10.0


@dataclass
class Row:
    agencies: int
    ready: float = 0.0
    restart: float = 0.0
    idle_cpu: float = 0.0
    busy: float = 0.0
    memory: int = 0
    rate: float = 0.0
    failure: str = ""


def agency_file(folder: Path, count: int) -> Path:
    """The four default agencies and ``count - 4`` district offices, as an operator writes
    them (as tests/harness/agencyfile.py writes it for the tests)."""
    default_file = resources.files("ogi_law").joinpath("data/agencies.yaml")
    agencies = yaml.safe_load(default_file.read_text(encoding="utf-8"))["agencies"]
    agencies += [
        {
            "code": f"district-{n}-office",
            "name": f"第{n}区人民政府办公室",
            "kind": "department",
            "number_prefix": f"QZF{n}",
            "offices": ["政府信息公开办公室"],
            "reconsideration_body": "市人民政府",
        }
        for n in range(1, count - len(DEFAULT_AGENCIES) + 1)
    ]
    path = folder / f"agencies-{count}.yaml"
    path.write_text(yaml.safe_dump({"agencies": agencies}, allow_unicode=True), encoding="utf-8")
    return path


def measure(row: Row, url: str | None, folder: Path, n: int, timeout: float) -> None:
    """Fill ``row``: ready time, idle CPU and memory, then applications/s end to end."""
    folder.mkdir(parents=True)
    env = {"OGI_AGENCY_FILE": str(agency_file(folder, row.agencies))}
    if url:
        env["OGI_DATABASE_URL"] = url
    with ogi_up(folder / "up", env, timeout=60.0 + row.agencies * 0.5) as system:
        row.ready = system.ready_seconds
        row.busy = settle(system.pids)
        pids = system.pids()
        used = cpu_seconds(pids)
        time.sleep(IDLE_SECONDS)
        row.idle_cpu = (cpu_seconds(pids) - used) / IDLE_SECONDS * 100
        row.memory = rss_bytes(system.pids())
        agencies, intake = system.agencies, system.address("intake")
        stores = folder / "up" / "data" / "stores"
        interval = max(0.05, len(agencies) / 2000)
        with ReviewWatch(url, stores, agencies, interval) as watch:
            started = time.monotonic()
            submit_all(intake, agencies, 0, n, timeout, "applications")
            row.rate = n / (watch.wait_for(n, timeout, "applications") - started)
    with ogi_up(folder / "up", env, timeout=60.0 + row.agencies * 0.5) as again:
        row.restart = again.ready_seconds


def print_table(rounds: list[list[Row]]) -> None:
    """Each count's median over the rounds (and its applications/s in each round), and the
    1,000-agency throughput against the 5-agency one: of the medians, and round by round (the
    two measured minutes apart, so a machine's drift weighs less)."""
    print(
        f"  {'agencies':>8} {'ready s':>8} {'busy s':>7} {'restart s':>9} {'idle CPU %':>11} "
        f"{'memory MB':>10} {'apps/s':>8}"
    )
    counts = [row.agencies for row in rounds[0]]
    for index, count in enumerate(counts):
        rows = [measured[index] for measured in rounds if len(measured) > index]
        failed = next((row.failure for row in rows if row.failure), "")
        if failed:
            print(f"  {count:>8} {failed}")
            continue
        rates = [row.rate for row in rows]
        figures = (
            f"{median(r.ready for r in rows):>8.1f} {median(r.busy for r in rows):>7.1f} "
            f"{median(r.restart for r in rows):>9.1f} "
            f"{median(r.idle_cpu for r in rows):>11.1f} "
            f"{median(r.memory for r in rows) / 2**20:>10,.0f} {median(rates):>8,.0f}"
        )
        each = f"  ({', '.join(f'{rate:,.0f}' for rate in rates)})" if len(rates) > 1 else ""
        print(f"  {count:>8} {figures}{each}")
    ratios = []
    for rows in rounds:
        base = next((r.rate for r in rows if r.agencies == 5 and r.rate), 0.0)
        top = next((r.rate for r in rows if r.agencies == 1000 and r.rate), 0.0)
        if base and top:
            ratios.append(top / base)
    if ratios:
        rounds_text = ", ".join(f"{r:.0%}" for r in ratios)
        each = f" (round by round: {rounds_text})" if len(ratios) > 1 else ""
        share = f"{median(ratios):.0%}"
        print(f"  1,000 agencies at {share} of the 5-agency throughput{each}; goal 80%")


def bench_scale(
    counts: list[int],
    n: int,
    on_postgres: bool = False,
    timeout: float = 180.0,
    rounds: int = 1,
) -> None:
    """Measure each count, ``rounds`` times over (the counts in turn in each round)."""
    label = "PostgreSQL" if on_postgres else "SQLite"
    print(f"Agencies served by one `ogi up`, {label}, {n} applications, {IN_FLIGHT} in flight:")
    measured: list[list[Row]] = []
    with tempfile.TemporaryDirectory() as tmp, postgres_turn(on_postgres):
        for round_ in range(rounds):
            rows: list[Row] = []
            measured.append(rows)
            for count in counts:
                row = Row(count)
                rows.append(row)
                print(f"  {count} agencies ...", flush=True)
                folder = Path(tmp) / f"{round_}-{count}"
                try:
                    with database(on_postgres, f"scale{count}") as url:
                        measure(row, url, folder, n, timeout)
                except (PhaseTimeout, RuntimeError) as error:
                    row.failure = f"FAILED: {error}"
                    skipped = [c for c in counts if c > count]
                    if skipped:
                        print(f"  {count} agencies failed; skipping {skipped}")
                    break
                finally:
                    # The next count does not pay for writing out this one's files.
                    shutil.rmtree(folder, ignore_errors=True)
                    os.sync()
            if any(row.failure for row in rows):
                break
    print_table(measured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agencies", type=int, nargs="+", default=[5, 100, 300, 1000])
    parser.add_argument("-n", type=int, default=2000, help="applications per count")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per phase")
    parser.add_argument("--rounds", type=int, default=1, help="times each count is measured")
    args = parser.parse_args()
    bench_scale(sorted(args.agencies), args.n, args.postgres, args.timeout, args.rounds)


if __name__ == "__main__":
    main()
