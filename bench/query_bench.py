"""The query read model at scale: N applications (default 1,000,000) loaded through its writer
path, then the questions staff ask most, timed.

The load feeds synthetic public event records, as the bus delivers them to a supervision
bureau's read model (which keeps every agency's rows), in batches of a replay's size
(``REPLAY_BATCH``), each applied and committed with its tracking as the inbox does: the figure is
what a rebuild by replay can reach, without NATS. Then the arrivals of ``LIVE`` more
applications in batches of the live inbox's size (``INBOX_BATCH``), onto the full tables. An
application publishes its receipt, acceptance, assignment and due date on arrival; nine in ten
are later decided, replied, delivered and closed; one in three of the open ones is overdue.

Then, p50 and p99 over many runs: a work-queue page (50 rows of one agency, due date first,
with the total and each row's days left), a lookup by number, and a search for two Chinese words
of a description. On SQLite and on PostgreSQL (a fresh database), as ``run.py`` calls it, or
alone: ``python bench/query_bench.py -n 100000``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Tracking

from ogi_contracts.query import CONTRACT
from ogi_law.agencies import load_agencies
from ogi_platform.eventstore.store import creating, store_location
from ogi_platform.eventstore.writer import Writer
from ogi_platform.messaging import bus
from ogi_platform.messaging.bus import INBOX_BATCH, REPLAY_BATCH
from ogi_platform.messaging.envelope import EventRecord
from ogi_platform.messaging.inbox import inbox_of
from ogi_platform.messaging.wire import encode
from ogi_platform.natsserver import NatsServer
from ogi_platform.service.runtime import contract_subjects
from query import reads
from query.application import QueryApplication
from query.handlers import handlers
from query.reads import BY_DUE_DATE, ApplicationFilter
from query.views import application_summary
from query.words import query_words

BUREAU = "supervision-bureau"
#: Where the load's batches are tracked (the bus's positions are tracked apart, from 0).
LOADED = "bench:load"
#: The agencies whose applications the bureau's read model keeps.
AGENCIES = ("municipal-office", "archives-bureau", "natural-resources-bureau")
TODAY = date(2026, 11, 30)
FIRST_DAY = date(2024, 1, 1)
#: Days from receipt to the decision and reply.
HANDLING_DAYS = 15
PAGE = 50
#: Applications arriving after the rebuild, applied in the live inbox's batches.
LIVE = 20_000
#: The sustained load under which the read model is to stay within 5 s of the stores.
ARRIVALS_PER_SECOND = 200
LAG_SECONDS = 30.0
#: Words descriptions are made of (a request names a few subjects and documents).
WORDS = (
    "城市 更新 项目 批复 文件 国有 土地 使用权 出让 合同 财政 预算 执行 情况 报告 审计 意见 "
    "规划 许可 建设 工程 用地 征收 补偿 安置 方案 环境 影响 评价 批准 道路 交通 改造 计划 "
    "学校 医院 养老 机构 名单 补贴 资金 发放 明细 会议 纪要 政府 常务 通知 决定 公告 统计 "
    "数据 人口 普查 住房 保障 公租房 分配 结果 拆迁 协议 排污 许可证 监测 数据 河道 治理 "
    "绿化 公园 停车场 收费 标准 价格 听证 招标 投标 中标 采购 公示 行政 处罚 决定书 执法 "
    "检查 记录 档案 目录 历史 地图 不动产 登记 信息 权属 证明 林地 耕地 占用 审批 矿产 "
    "资源 开采 权证 水利 设施 防汛 应急 预案 疫情 防控 物资 储备 采购 清单 农村 宅基地 "
    "确权 集体 经济 收益 村务 公开 街道 社区 改造 老旧 小区 电梯 加装 专项 债券 使用"
)
VOCABULARY = list(dict.fromkeys(WORDS.split()))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
OUTCOMES = ("disclose", "already_public", "withhold", "not_held", "partial", "not_ours")


def description(i: int) -> tuple[str, list[str]]:
    """The description of application ``i`` and the words it is made of (the same every run)."""
    chosen = random.Random(i).sample(VOCABULARY, 5)
    return f"请公开{''.join(chosen[:3])}的{''.join(chosen[3:])}", chosen


def name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)]


PREFIXES = {a.code: a.number_prefix for a in load_agencies().all()}


def number(i: int) -> str:
    return f"{PREFIXES[AGENCIES[i % len(AGENCIES)]]}-{2024 + i % 3}-{i:07d}"


class Stream:
    """The public events of ``n`` applications in the order the bus has them: each day's
    arrivals, then the replies to those received ``HANDLING_DAYS`` earlier."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.per_day = max(1, n // 700)
        self.positions: Counter[tuple[str, str]] = Counter()

    def event(self, i: int, service: str, kind: str, on: date, **data: Any) -> EventRecord:
        agency = AGENCIES[i % len(AGENCIES)]
        self.positions[agency, service] += 1
        position = self.positions[agency, service]
        return EventRecord(
            event_id=f"{agency}-{service}-{position}", application_id=f"A{i:09d}",
            agency=agency, service=service, type=kind, schema_version=1,
            occurred_on=on.isoformat(), recorded_at=datetime.now(UTC), actor="bench",
            correlation_id="", causation_id="", to_agency=agency, position=position,
            aggregate_version=1, data=data,
        )  # fmt: skip

    def received_on(self, i: int) -> date:
        return FIRST_DAY + timedelta(days=i // self.per_day)

    def arrival(self, i: int) -> Iterator[EventRecord]:
        on = self.received_on(i)
        text, _ = description(i)
        applicant = {"name": name(i), "type": "natural_person", "id_doc": f"ID{i:012d}"}
        agency = AGENCIES[i % len(AGENCIES)]
        shot = {"application_id": f"A{i:09d}", "agency": agency, "applicant": applicant,
                "application_number": number(i), "description": text,
                "received_on": on.isoformat()}  # fmt: skip
        due = (on + timedelta(days=28)).isoformat()
        yield self.event(i, "intake", "ApplicationReceived", on, applicant=applicant,
                         description=text, received_on=on.isoformat())  # fmt: skip
        yield self.event(i, "intake", "ApplicationAccepted", on, application_number=number(i),
                         application=shot)  # fmt: skip
        yield self.event(i, "routing", "ApplicationAssigned", on, application=shot, office="办公室")
        yield self.event(i, "reply", "DueDateChanged", on, due_on=due, allowed_days=20)

    def settlement(self, i: int) -> Iterator[EventRecord]:
        on = self.received_on(i) + timedelta(days=HANDLING_DAYS)
        if i % 10 == 0:  # still open
            if i % 30 == 0:
                yield self.event(i, "reply", "ApplicationOverdue", on, due_on=on.isoformat())
            return
        outcome = OUTCOMES[i % len(OUTCOMES)]
        yield self.event(i, "review", "DecisionMade", on, outcome=outcome, reason="依据条例答复")
        yield self.event(i, "reply", "ReplyIssued", on, outcome=outcome,
                         letter_number=f"{number(i)}-答")  # fmt: skip
        yield self.event(i, "reply", "ReplyDelivered", on, delivered_on=on.isoformat(),
                         method="email")  # fmt: skip
        yield self.event(i, "reply", "ApplicationClosed", on, reason="replied")

    def __iter__(self) -> Iterator[EventRecord]:
        lag = HANDLING_DAYS * self.per_day
        for i in range(self.n + lag):
            if i < self.n:
                yield from self.arrival(i)
            if i >= lag:
                yield from self.settlement(i - lag)


def load(
    app: QueryApplication, records: Iterable[EventRecord], size: int, position: int = 0
) -> tuple[int, float]:
    """Apply ``records`` in batches of ``size``, each noted and committed with its tracking (on
    from ``position``) as the inbox does; returns the events and the seconds spent applying them
    (not making them)."""
    events, spent = 0, 0.0
    stream = iter(records)
    while batch := list(islice(stream, size)):
        events += len(batch)
        started = time.perf_counter()
        work = app.unit_of_work()
        for record in batch:
            work.note(record)
        work.commit(Tracking(LOADED, position + events))
        spent += time.perf_counter() - started
    return events, spent


async def behind(
    app: QueryApplication, nats_url: str, first: int, rate: int, seconds: float
) -> list[float]:
    """Applications arriving at ``rate`` a second for ``seconds``, published to the bus while the
    read model's inbox consumes it: how long after each publish (every tenth of a second) the
    read model had applied it, in seconds."""
    nc = await bus.connect(nats_url, "bench-query")
    js = nc.jetstream()
    await bus.ensure_streams(js)
    registry = load_agencies()
    writer = Writer("bench-query")
    subjects = contract_subjects(CONTRACT, registry.get(BUREAU))
    consumer = inbox_of(app, js, writer, handlers(app, registry), subjects)
    task = asyncio.create_task(consumer.run())
    stream = Stream(first + int(rate * seconds) + 2)
    marks: list[tuple[int, float]] = []
    lags: list[float] = []

    async def watch() -> None:
        while True:
            applied = await asyncio.to_thread(app.position, consumer.stores[0].tracking)
            now = time.perf_counter()
            while marks and marks[0][0] <= applied:
                lags.append(now - marks.pop(0)[1])
            await asyncio.sleep(0.01)

    # The inbox makes its consumer first: one arrival applied before the clock starts.
    warm = [
        await js.publish_async(record.subject, encode(record)) for record in stream.arrival(first)
    ]
    ready = max(ack.seq for ack in await asyncio.gather(*warm))
    while await asyncio.to_thread(app.position, consumer.stores[0].tracking) < ready:
        await asyncio.sleep(0.05)
    watcher = asyncio.create_task(watch())
    tick, started = 0.1, time.perf_counter()
    per_tick = int(rate * tick)
    for step in range(int(seconds / tick)):
        acks = [
            await js.publish_async(record.subject, encode(record))
            for i in range(first + 1 + step * per_tick, first + 1 + (step + 1) * per_tick)
            for record in stream.arrival(i)
        ]
        sent = time.perf_counter()
        marks.append((max(a.seq for a in await asyncio.gather(*acks)), sent))
        await asyncio.sleep(max(0.0, started + tick * (step + 1) - time.perf_counter()))
    while marks and time.perf_counter() - started < seconds + 60:
        await asyncio.sleep(0.05)
    for running in (watcher, task):
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    writer.shutdown()
    await nc.close()
    return lags


def percentiles(run: Callable[[int], object], times: int) -> tuple[float, float]:
    """p50 and p99 in milliseconds of ``run(k)`` for k in range(times), after a warm-up."""
    for k in range(min(times, 20)):
        run(k)
    spent = []
    for k in range(times):
        started = time.perf_counter()
        run(k)
        spent.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(spent, n=100)
    return cuts[49], cuts[98]


def bench_query(
    label: str, url: str | None, folder: Path, n: int, nats_url: str = "", times: int = 300
) -> None:
    location = store_location(url, folder, BUREAU, "query")
    with creating(location):
        app = QueryApplication(BUREAU, env=location.env)
    print(f"{label}, query read model of {n:,} applications:")
    stream = Stream(n)
    events, seconds = load(app, stream, REPLAY_BATCH)
    what = f"rebuild: events applied through the writer (batches of {REPLAY_BATCH:,})"
    print(f"  {what:<58} "
          f"{events / seconds:>9,.0f} /s  ({events:,} events in {seconds:.1f} s)")  # fmt: skip
    started = time.perf_counter()
    app.tidy()
    print(f"  {'after the rebuild: the tables tidied (QueryApplication.tidy)':<58} "
          f"{time.perf_counter() - started:>9.1f} s")  # fmt: skip
    arrivals = (record for i in range(n, n + LIVE) for record in stream.arrival(i))
    live, seconds = load(app, arrivals, INBOX_BATCH, events)
    what = f"live inbox after it: {LIVE:,} arrivals (batches of {INBOX_BATCH})"
    print(f"  {what:<58} "
          f"{live / seconds:>9,.0f} /s  ({live:,} events in {seconds:.1f} s)")  # fmt: skip
    picks = random.Random(7)
    numbers = [picks.randrange(n) for _ in range(times)]

    def queue(k: int) -> None:
        agency = AGENCIES[k % len(AGENCIES)]
        wanted = ApplicationFilter(agencies=(agency,), today=TODAY.isoformat())
        page = app.read(reads.applications, wanted, BY_DUE_DATE, PAGE, None)
        assert len(page.rows) == PAGE
        [application_summary(row, TODAY, app.calendars) for row in page.rows]

    def lookup(k: int) -> None:
        i = numbers[k]
        wanted = ApplicationFilter(agencies=(AGENCIES[i % len(AGENCIES)],), states=(),
                                   number=number(i))  # fmt: skip
        page = app.read(reads.applications, wanted, BY_DUE_DATE, 1, None)
        assert page.rows[0]["application_id"] == f"A{i:09d}"

    def search(k: int) -> None:
        i = numbers[k]
        words = tuple(query_words(" ".join(description(i)[1][1:3])))
        page = app.read(reads.search, words, AGENCIES[i % len(AGENCIES)], PAGE, None)
        assert page.total >= 1

    for what, run in (
        ("work-queue page (50 rows, one agency, due date first)", queue),
        ("lookup by number", lookup),
        ("two-word Chinese search (first page of 50, newest first)", search),
    ):
        p50, p99 = percentiles(run, times)
        print(f"  {what:<58} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    if nats_url:
        lags = asyncio.run(behind(app, nats_url, n + LIVE, ARRIVALS_PER_SECOND, LAG_SECONDS))
        cuts = statistics.quantiles(lags, n=100)
        what = f"behind the bus, {ARRIVALS_PER_SECOND} arrivals/s for {LAG_SECONDS:.0f} s"
        print(f"  {what:<58} p50 {cuts[49]:6.2f} s   max {max(lags):6.2f} s")
    app.close()


def main() -> None:
    import tempfile

    from run import drop, postgres_database

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000, help="applications")
    parser.add_argument("--times", type=int, default=300, help="runs of each question")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        nats = NatsServer(Path(tmp) / "nats").start()
        try:
            bench_query("SQLite", None, Path(tmp), args.n, nats.url, args.times)
            pg = postgres_database()
            if pg:
                try:
                    bench_query("PostgreSQL", pg, Path(tmp), args.n, nats.url, args.times)
                finally:
                    drop(pg)
        finally:
            nats.stop()


if __name__ == "__main__":
    main()
