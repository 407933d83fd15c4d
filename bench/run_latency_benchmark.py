#!/usr/bin/env python3
"""Streaming latency (issue 4, section 6): from an event's ingestion to its row being visible in
the Delta sink, p50 / p99 / max, at half of the query's maximum throughput and at a lower rate.

    .deps/venv/bin/python bench/run_latency_benchmark.py [--queries q0,q1,q2] [--duration 20] [--interval 50ms]

Each query (bench/nexmark/queries: q0 pass-through, q1 currency conversion, q2 selection, the
same text as the NEXMark throughput benchmark) reads a `bid` source declared over tidelake's
NEXMark generator, `CREATE SOURCE bid (...) WITH (connector = 'nexmark', 'table' = 'bid', ...)`,
and runs as `CREATE STREAMING TABLE curated.qN AS <query>`, each run in a fresh lake.

1. Maximum throughput: `tidelake stream run FILE --trigger available-now` over a bounded
   generator (`events.num` = --throughput-events); events/s = events / the process's wall time
   (start, planning, reading, the query, the Delta commit and the checkpoint), best of --runs,
   as bench/run_nexmark_benchmark.py measures tidelake. Events are NEXMark events (persons and
   auctions included, as `rate` counts them); 46 in 50 are bids.
2. Latency: the same query over an unbounded generator, which is rate limited on the wall
   clock (event i becomes available at startedAtMs + i * 1000 / rate, startedAtMs being
   recorded in its offsets), at half of that maximum and at --low-rate, with
   `tidelake stream run FILE --interval 50ms` for --duration seconds, then
   `tidelake stream stop curated.qN`. (FILE creates the table over the generator bounded to no
   events, then declares the source again, unbounded: `stream run` refreshes the table once
   with the available-now trigger before its interval trigger starts, and over a rate-limited
   source that refresh never ended before main's 1533ed0; see rate_limited_script_for.)

Latency is computed from the query's checkpoint (`<lake>/_checkpoints/curated.qN`), exactly,
for every bid (every input row) ingested between --warmup seconds after the generator started
and 1 s before the stop: batch k reads the events from the end offset of batch k-1 (the
`sources` file for batch 0) to its own (`offsets/<k>`, repeated in the progress log), and its
progress record's `visibleAt` is taken when the sink's write returned, its Delta commit
published: its rows are visible from then. An event's latency = that time - its ingestion time.
It includes the wait for the next trigger (during which the generator generates the events
already due, as a consumer fetches ahead: Source::ReadAhead), generating the rest of the batch's
events, running the query, writing and syncing the Parquet file and the Delta commit (the
batch's plan, offsets/<k>, is made durable meanwhile; the Delta checkpoint due every 10th
commit is written in the background, and the checkpoint's commits/<k> after the rows are visible). The same ranks to the
progress record's `timestamp` (after commits/<k>) bound the latency from above. The percentiles are ranks over
all those events (no sampling): the latencies of a batch's events form an arithmetic sequence,
so counting the events below a bound is a formula per batch, and a binary search on the bound
finds each rank. An event of the window that no batch read before the stop counts as not
visible (a run that falls behind says so rather than report its backlog as fast). The same
ranks to the Delta commit's commitInfo.timestamp (taken before the commit file is published)
bound the latency from below.

On a machine shared with other work, --max-load makes each run wait (at most --max-wait s)
for the 1-min load average to fall below it; each run's load is reported.

Cross-checks (any failure fails the run, exit status 1, and nothing is written): the batches'
offset ranges follow each other and equal `offsets/<k>`; each batch read as many rows as there
are bids in its range; each commit in the sink's `_delta_log` names its batch (txn appId/version)
and its commitInfo.timestamp is not after that batch's progress timestamp; the sink's count(*)
equals the rows the batches wrote (for q0 and q1: every bid read). The report goes into the
`## Streaming latency` section of bench/RESULTS.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from machine_info import build_type as build_type_of, machine_rows, replace_section, run_info  # noqa: E402

QUERIES_DIR = ROOT / "bench" / "nexmark" / "queries"
QUERIES = ["q0", "q1", "q2"]
SECTION = "## Streaming latency"
TARGET_P99_MS = 100.0  # issue 4: p99 under 100 ms with a 50 ms trigger
# The generator's event mix (nexmark_source.h): of every 50 events the first is a person, the
# next 3 auctions, the other 46 bids.
EVENT_PERIOD, NON_BIDS = 50, 4
BUILD_HINT = "cmake --preset release && cmake --build build/release --target tidelake_cli"


class RunError(Exception):
    """tidelake failed, or its checkpoint, log or table disagree with each other."""


# ---------------------------------------------------------------------------------------------
# Latency from a checkpoint (pure: tests/stream/test_latency_benchmark.py)


@dataclass(frozen=True)
class Rows:
    """Which events give an input row: those with (i mod period) >= skip (bids: 50, 4)."""
    period: int = EVENT_PERIOD
    skip: int = NON_BIDS

    def before(self, n: int) -> int:
        """Rows among events [0, n)."""
        if n <= 0:
            return 0
        q, r = divmod(n, self.period)
        return q * (self.period - self.skip) + max(0, r - self.skip)

    def between(self, lo: int, hi: int) -> int:
        """Rows among events [lo, hi)."""
        return self.before(hi) - self.before(lo) if hi > lo else 0

    def index_sum_before(self, n: int) -> int:
        """The sum of the event numbers of the rows among events [0, n)."""
        if n <= 0:
            return 0
        p, s = self.period, self.skip
        per = p - s
        q, r = divmod(n, p)
        # Period j holds events j*p + o for o in [s, p).
        offsets = (s + p - 1) * per // 2
        full = per * p * (q * (q - 1) // 2) + q * offsets
        cnt = max(0, r - s)
        return full + cnt * q * p + (2 * s + cnt - 1) * cnt // 2

    def index_sum_between(self, lo: int, hi: int) -> int:
        return self.index_sum_before(hi) - self.index_sum_before(lo) if hi > lo else 0


@dataclass(frozen=True)
class Batch:
    batch_id: int
    first: int         # the first event it read
    end: int           # one past the last event it read
    timestamp_ms: int  # when its rows became visible: its Delta commit was published
    duration_ms: int
    input_rows: int
    output_rows: int
    write_skipped: bool
    recorded_ms: int = 0  # its progress record: after the checkpoint's commits/<k> too


def offset_fields(offset: str) -> dict:
    """A generator offset: {"generator", "seed", "event", "baseTimeMs", "startedAtMs"}."""
    fields = json.loads(offset)
    for key in ("event", "startedAtMs"):
        if not isinstance(fields.get(key), int):
            raise RunError(f"generator offset {offset} has no integer {key}")
    return fields


def batches_of(progress: list[dict], initial_offset: str, source: str) -> list[Batch]:
    """The event range each batch read, from the progress log (batch k starts where batch k-1
    ended; batch 0 at the source's initial offset). Ranges that do not follow each other, or
    offsets of another run of the generator, are errors."""
    start = offset_fields(initial_offset)
    position, started_at = start["event"], start["startedAtMs"]
    batches = []
    for expected_id, record in enumerate(sorted(progress, key=lambda r: r["batchId"])):
        if record["batchId"] != expected_id:
            raise RunError(f"the progress log has batch {record['batchId']} where batch {expected_id} was expected")
        end = offset_fields(record["endOffsets"][source])
        if end["startedAtMs"] != started_at:
            raise RunError(f"batch {expected_id} ends at an offset of a generator started at {end['startedAtMs']} "
                           f"ms, not {started_at} ms")
        if end["event"] < position:
            raise RunError(f"batch {expected_id} ends at event {end['event']}, before its start {position}")
        # visibleAt: when the sink's write returned (its commit published); older binaries
        # record only the progress timestamp, later still.
        visible = record.get("visibleAt", record["timestamp"])
        if visible > record["timestamp"]:
            raise RunError(f"batch {expected_id} became visible at {visible} ms, after its progress record "
                           f"({record['timestamp']} ms)")
        batches.append(Batch(record["batchId"], position, end["event"], visible, record["durationMs"],
                             record["numInputRows"], record["numOutputRows"], bool(record.get("writeSkipped")),
                             record["timestamp"]))
        position = end["event"]
    return batches


def latency_stats(batches: list[Batch], started_at_ms: int, rate: float, from_ms: float, until_ms: float,
                  rows: Rows = Rows(), quantiles: tuple = (0.5, 0.99)) -> dict:
    """Latencies (ms) of the rows whose events were ingested in [from_ms, until_ms): event i at
    started_at_ms + i * 1000 / rate, visible at the timestamp of the batch that read it. Returns
    events (rows in the window), visible (those some batch read), mean and max of the visible
    ones, batch_mean_ms (the mean duration of the batch that read a row, over the rows), and the nearest-rank quantiles ({q: ms}), None when that rank falls on rows no batch
    read (the query fell behind)."""
    ms_per_event = 1000.0 / rate
    lo = max(0, math.ceil((from_ms - started_at_ms) / ms_per_event))
    hi = max(lo, math.ceil((until_ms - started_at_ms) / ms_per_event))
    events = rows.between(lo, hi)
    # Per batch: its events inside the window, and the latency of event i, T - w - i * m.
    parts, spans = [], []
    for b in batches:
        a, e = max(b.first, lo), min(b.end, hi)
        if rows.between(a, e) > 0:
            parts.append((a, e, b.timestamp_ms - started_at_ms))
            spans.append((a, e, b.duration_ms))
    visible = sum(rows.between(a, e) for a, e, _ in parts)

    def count_at_most(x: float) -> int:
        total = 0
        for a, e, t in parts:
            # L_i <= x  <=>  i >= (t - x) / m
            c = math.ceil((t - x) / ms_per_event - 1e-9)
            total += rows.between(max(a, c), e)
        return total

    def rank(k: int) -> float | None:
        """The k-th smallest latency (k from 1), None if no batch read it."""
        if k > visible:
            return None
        low = min(t - (e - 1) * ms_per_event for a, e, t in parts) - 1.0
        high = max(t - a * ms_per_event for a, e, t in parts)
        while high - low > 1e-6:
            mid = (low + high) / 2
            if count_at_most(mid) >= k:
                high = mid
            else:
                low = mid
        return high

    stats = dict(events=events, visible=visible, mean_ms=None, max_ms=None, batch_mean_ms=None,
                 quantiles={q: None for q in quantiles})
    if visible == 0:
        return stats
    total = sum(rows.between(a, e) * t - ms_per_event * rows.index_sum_between(a, e) for a, e, t in parts)
    stats["mean_ms"] = total / visible
    # The mean duration of the batch that made a row visible: the rest of its latency was the
    # wait until that batch started.
    stats["batch_mean_ms"] = sum(rows.between(a, e) * d for a, e, d in spans) / visible
    stats["max_ms"] = max(t - ms_per_event * first_row(rows, a) for a, e, t in parts)
    stats["quantiles"] = {q: rank(max(1, math.ceil(q * events))) for q in quantiles}
    return stats


def first_row(rows: Rows, a: int) -> int:
    """The first event at or after `a` that is a row."""
    r = a % rows.period
    return a if r >= rows.skip else a - r + rows.skip


# ---------------------------------------------------------------------------------------------
# tidelake


def query_text(query: str) -> str:
    return (QUERIES_DIR / f"{query}.sql").read_text().strip().rstrip(";").strip()


def source_sql(options: dict) -> str:
    """The `bid` source: the reference's bid columns, over tidelake's NEXMark generator."""
    with_ = ", ".join(f"'{k}' = '{v}'" for k, v in {"connector": "nexmark", "table": "bid", **options}.items())
    return ("CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, "
            f"`dateTime` TIMESTAMP, extra STRING)\nWITH ({with_});\n")


def script_for(query: str, options: dict) -> str:
    return source_sql(options) + f"\nCREATE STREAMING TABLE curated.{query} AS\n{query_text(query)};\n"


def rate_limited_script_for(query: str, options: dict) -> str:
    """The script of a latency run. `stream run` first runs its script, whose CREATE STREAMING
    TABLE refreshes the table with the available-now trigger, and only then starts the interval
    trigger; over a rate-limited source that refresh never ended before main's 1533ed0 (each
    batch found the events that fell due while it ran). So the table is created over the same
    generator bounded to no events (its refresh reads nothing, and records the generator's
    start, startedAtMs, in the checkpoint), and the source is then declared again, unbounded,
    for the interval trigger; with either binary the generator starts when the table does."""
    return (script_for(query, {"events.num": 0, **options})
            + "\nDROP SOURCE bid;\n" + source_sql(options))


def first_error(stderr: str) -> str:
    lines = [l.strip() for l in stderr.strip().splitlines() if l.strip()]
    line = next((l for l in lines if l.lower().startswith("error")), lines[-1] if lines else "no message")
    return line if len(line) <= 600 else line[:600] + " ..."


def read_progress(checkpoint: Path) -> list[dict]:
    path = checkpoint / "progress"
    if not path.exists():
        raise RunError(f"{path} does not exist: the query ran no batch")
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def count_rows(binary: Path, lake: Path, table: str) -> int:
    proc = subprocess.run([str(binary), "sql", "--lake", str(lake), "--format", "csv", "-c",
                           f"SELECT count(*) FROM {table}"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RunError(f"count(*) of {table} failed: {first_error(proc.stderr)}")
    return int(proc.stdout.strip().splitlines()[1])


def run_throughput(binary: Path, query: str, events: int, runs: int, workdir: Path) -> dict:
    """Best events/s of `runs` available-now runs over `events` generated events."""
    script = workdir / f"throughput-{query}.sql"
    script.write_text(script_for(query, {"events.num": events, "seed": 1}))
    rows = Rows()
    times, batches = [], 0
    for _ in range(runs):
        lake = workdir / f"lake-throughput-{query}"
        shutil.rmtree(lake, ignore_errors=True)
        start = time.perf_counter()
        proc = subprocess.run([str(binary), "stream", "run", str(script), "--trigger", "available-now",
                               "--lake", str(lake)], capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise RunError(f"{query}: `stream run --trigger available-now` failed (status {proc.returncode}):\n"
                           f"{proc.stderr.strip()}")
        progress = read_progress(lake / "_checkpoints" / f"curated.{query}")
        read = sum(p["numInputRows"] for p in progress)
        if read != rows.before(events):
            raise RunError(f"{query}: read {read:,} rows of {events:,} events, not their {rows.before(events):,} bids")
        times.append(elapsed)
        batches = len(progress)
        shutil.rmtree(lake, ignore_errors=True)
    return dict(events=events, wall_s=times, best_s=min(times), batches=batches, events_per_s=events / min(times))


def run_latency(binary: Path, query: str, rate: int, interval: str, duration: float, warmup: float,
                workdir: Path, keep_lake: bool) -> dict:
    """One rate-limited run of `query` at `rate` events/s; its latencies and cross-checks. The run's
    lake (gigabytes at high rates) is deleted once measured unless `keep_lake`: a disk filling up
    across runs slows the later runs' writes."""
    lake = workdir / f"lake-latency-{query}-{rate}"
    shutil.rmtree(lake, ignore_errors=True)
    script = workdir / f"latency-{query}-{rate}.sql"
    script.write_text(rate_limited_script_for(query, {"rate": rate, "seed": 1}))
    log = workdir / f"latency-{query}-{rate}.log"
    checkpoint = lake / "_checkpoints" / f"curated.{query}"
    table = f"curated.{query}"
    cmd = [str(binary), "stream", "run", str(script), "--lake", str(lake), "--interval", interval]
    load_start = os.getloadavg()[0]
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    try:
        # The interval trigger runs once the script (which creates the table and refreshes it
        # once) is done and the pid file is written.
        deadline = time.monotonic() + 120
        while not (checkpoint / "run.pid").exists():
            if proc.poll() is not None:
                raise RunError(f"{query} at {rate:,} events/s: `stream run` exited with status {proc.returncode} "
                               f"before its interval trigger started:\n{log.read_text().strip()}")
            if time.monotonic() > deadline:
                raise RunError(f"{query} at {rate:,} events/s: `stream run` did not start its interval trigger "
                               f"within 120 s (stderr in {log})")
            time.sleep(0.02)
        time.sleep(duration)
        stop_ms = time.time() * 1000
        stop = subprocess.run([str(binary), "stream", "stop", table, "--lake", str(lake)],
                              capture_output=True, text=True)
        if stop.returncode != 0:
            raise RunError(f"`tidelake stream stop {table}` failed: {first_error(stop.stderr)}")
        proc.wait(timeout=120)
        load_end = os.getloadavg()[0]
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    if proc.returncode != 0:
        raise RunError(f"{query} at {rate:,} events/s: `stream run` failed (status {proc.returncode}):\n"
                       f"{log.read_text().strip()}")

    progress = read_progress(checkpoint)
    initial = json.loads((checkpoint / "sources").read_text())
    if len(initial) != 1:
        raise RunError(f"expected one source in {checkpoint / 'sources'}, found {sorted(initial)}")
    source, initial_offset = next(iter(initial.items()))
    batches = batches_of(progress, initial_offset, source)
    started_at = offset_fields(initial_offset)["startedAtMs"]
    rows = Rows()
    check_batches(batches, checkpoint, source, rows)
    commits = check_delta_log(lake / "curated" / query, batches)
    written = sum(b.output_rows for b in batches if not b.write_skipped)
    count = count_rows(binary, lake, table)
    if count != written:
        raise RunError(f"{table} holds {count:,} rows; its batches wrote {written:,}")
    read = sum(b.input_rows for b in batches)
    if query in ("q0", "q1") and count != read:
        raise RunError(f"{table} holds {count:,} rows, not the {read:,} bids its batches read")

    window = (started_at + warmup * 1000, stop_ms - 1000)
    stats = latency_stats(batches, started_at, rate, *window, rows)
    # Bounds: the commit file is published after its commitInfo.timestamp, and the batch's
    # progress record comes after the checkpoint's commits/<k> too.
    at_commit = {b.batch_id: c for b, v, c in commits}
    commit_stats = latency_stats([dataclasses.replace(b, timestamp_ms=at_commit.get(b.batch_id, b.timestamp_ms))
                                  for b in batches], started_at, rate, *window, rows)
    recorded_stats = latency_stats([dataclasses.replace(b, timestamp_ms=b.recorded_ms) for b in batches],
                                   started_at, rate, *window, rows)
    # The batches that read events of the window (the warm-up's and the last second's are left out).
    lo_event = math.ceil((window[0] - started_at) * rate / 1000)
    hi_event = math.ceil((window[1] - started_at) * rate / 1000)
    measured = [b for b in batches if b.end > lo_event and b.first < hi_event and b.end > b.first]
    durations = sorted(b.duration_ms for b in measured)
    # Where an event's time goes: the wait until its batch started, then the batch.
    wait = stats["mean_ms"] - stats["batch_mean_ms"] if stats["visible"] else None
    # A batch's time before its Delta commit (read, query, Parquet file, snapshot) and after it
    # (the commit file, every 10th version a Delta checkpoint, the checkpoint's commits/<k>).
    ids = {b.batch_id for b in measured}
    committed = [(b, v, c) for b, v, c in commits if b.batch_id in ids]
    before = [c - (b.recorded_ms - b.duration_ms) for b, v, c in committed]
    after = [b.recorded_ms - c for b, v, c in committed]
    with_checkpoint = [b.duration_ms for b, v, c in committed if v % 10 == 0]
    without = [b.duration_ms for b, v, c in committed if v % 10 != 0]
    starts = [b.recorded_ms - b.duration_ms for b in measured]
    # Between batches: the trigger's sleep, then the next batch's plan (offsets/<k>) and the
    # previous one's progress line, none of which durationMs counts.
    pauses = [b.recorded_ms - b.duration_ms - a.recorded_ms for a, b in zip(measured, measured[1:])]
    # Batches slow down as the table grows (more files in each snapshot and Delta checkpoint).
    quarter = max(1, len(measured) // 4)
    delta_checkpoints = len(list((lake / "curated" / query / "_delta_log").glob("*.checkpoint.parquet")))
    if not keep_lake:
        shutil.rmtree(lake, ignore_errors=True)
        os.sync()  # the deletion's writes, done now rather than during the next run
    return dict(query=query, rate=rate, interval=interval, duration_s=duration, warmup_s=warmup,
                load=(load_start, load_end), commit_stats=commit_stats, recorded_stats=recorded_stats,
                batches=len(batches), measured_batches=len(measured), rows_read=read, rows_written=count,
                stats=stats, wait_mean_ms=wait,
                duration_mean_ms=sum(durations) / len(durations) if durations else None,
                duration_p99_ms=durations[min(len(durations) - 1, math.ceil(0.99 * len(durations)) - 1)]
                if durations else None,
                duration_max_ms=durations[-1] if durations else None,
                pause_max_ms=max(pauses, default=None),
                batch_spacing_ms=(starts[-1] - starts[0]) / (len(starts) - 1) if len(starts) > 1 else None,
                rows_per_batch=sum(b.input_rows for b in measured) / len(measured) if measured else None,
                commits=len(commits), delta_checkpoints=delta_checkpoints,
                before_commit_median_ms=median(before), after_commit_median_ms=median(after),
                after_commit_max_ms=max(after, default=None),
                checkpoint_batch_mean_ms=mean(with_checkpoint), other_batch_mean_ms=mean(without),
                first_quarter_batch_mean_ms=mean([b.duration_ms for b in measured[:quarter]]),
                last_quarter_batch_mean_ms=mean([b.duration_ms for b in measured[-quarter:]]))


def median(values: list) -> float | None:
    values = sorted(values)
    return values[len(values) // 2] if values else None


def mean(values: list) -> float | None:
    return sum(values) / len(values) if values else None


def check_batches(batches: list[Batch], checkpoint: Path, source: str, rows: Rows) -> None:
    """Each batch's range equals its plan (offsets/<k>), and it read the bids of that range."""
    for b in batches:
        plan = json.loads((checkpoint / "offsets" / str(b.batch_id)).read_text())
        first, end = offset_fields(plan["start"][source])["event"], offset_fields(plan["end"][source])["event"]
        if (first, end) != (b.first, b.end):
            raise RunError(f"batch {b.batch_id}: offsets/{b.batch_id} plans events [{first}, {end}), the progress "
                           f"log implies [{b.first}, {b.end})")
        if b.input_rows != rows.between(b.first, b.end):
            raise RunError(f"batch {b.batch_id} read {b.input_rows} rows; events [{b.first}, {b.end}) hold "
                           f"{rows.between(b.first, b.end)} bids")


def check_delta_log(table_dir: Path, batches: list[Batch]) -> list[tuple[Batch, int, int]]:
    """Each sink commit names a batch (txn version) and is timed no later than that batch's
    progress record. Returns (batch, table version, commitInfo.timestamp) for the batches that
    committed."""
    log_dir = table_dir / "_delta_log"
    if not log_dir.is_dir():
        raise RunError(f"{log_dir} does not exist")
    by_id = {b.batch_id: b for b in batches}
    found = {}
    for path in sorted(log_dir.glob("*.json")):
        actions = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        txn = next((a["txn"] for a in actions if "txn" in a), None)
        info = next((a["commitInfo"] for a in actions if "commitInfo" in a), {})
        if txn is None:
            continue  # the table's creation
        batch = by_id.get(txn["version"])
        if batch is None:
            raise RunError(f"{path.name} commits batch {txn['version']}, which the progress log does not have")
        if txn["version"] in found:
            raise RunError(f"batch {txn['version']} was committed twice ({path.name})")
        timestamp = info.get("timestamp")
        if not isinstance(timestamp, int):
            raise RunError(f"{path.name} has no commitInfo.timestamp")
        if timestamp > batch.timestamp_ms:
            raise RunError(f"{path.name} (batch {batch.batch_id}) is timed {timestamp} ms, after the batch "
                           f"became visible ({batch.timestamp_ms} ms)")
        found[txn["version"]] = (int(path.name.split(".")[0]), timestamp)
    for b in batches:
        if b.output_rows > 0 and not b.write_skipped and b.batch_id not in found:
            raise RunError(f"batch {b.batch_id} wrote {b.output_rows} rows but no commit of {log_dir} names it")
    return [(by_id[k], version, timestamp) for k, (version, timestamp) in sorted(found.items())]


def binary_source(binary: Path, commit: str, build_type: str) -> str:
    """What the binary was built from: this checkout's commit, or, for a binary of another
    worktree (--binary), that worktree's HEAD when the benchmark ran and the binary's build time."""
    top = subprocess.run(["git", "-C", str(binary.resolve().parent), "rev-parse", "--show-toplevel"],
                         capture_output=True, text=True).stdout.strip()
    if not top or Path(top).resolve() == ROOT.resolve():
        return f"commit {commit}, {build_type}"
    head = subprocess.run(["git", "-C", top, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    built = datetime.datetime.fromtimestamp(binary.stat().st_mtime, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"{binary}, {build_type}, built {built} in {top} (its HEAD when this ran: {head.stdout.strip() or 'unknown'})"


def wait_for_quiet(max_load: float | None, max_wait: float) -> None:
    """On a machine shared with other work, waits (at most max_wait s) until the 1-min load
    average is below max_load; a run's load is reported with it either way."""
    if max_load is None:
        return
    deadline = time.monotonic() + max_wait
    while os.getloadavg()[0] >= max_load and time.monotonic() < deadline:
        time.sleep(5)
    if os.getloadavg()[0] >= max_load:
        print(f"load average still {os.getloadavg()[0]:.1f} after {max_wait:g} s; running anyway", flush=True)


# ---------------------------------------------------------------------------------------------
# Report


def fmt_rate(v: float) -> str:
    return f"{v / 1e6:,.2f} M" if v >= 1e6 else f"{v / 1e3:,.0f} K"


def fmt_ms(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def verdict(r: dict) -> str:
    p99 = r["stats"]["quantiles"][0.99]
    if p99 is None:
        return "no (fell behind)"
    return "yes" if p99 < TARGET_P99_MS else "no"


def section_text(throughput: dict, latency: list[dict], info: dict) -> str:
    lines = [
        SECTION,
        "",
        f"Generated by `bench/run_latency_benchmark.py` on {info['date']}.",
        "",
        f"Command (from the repository root): `{info['command']}`",
        "",
        *machine_rows(info),
        f"| tidelake | {info['tidelake']} |",
        "",
        "End-to-end latency of each bid: from the moment the rate-limited NEXMark generator makes it "
        "available (its ingestion) to the moment its row is visible in the Delta sink: the micro-batch that "
        "read it has published its Delta commit (`visibleAt` in the progress record). It includes the wait "
        "for the next trigger (while it waits, the generator generates the events already due, as a consumer "
        "fetches ahead), generating the rest of the batch's events, running the query, writing and syncing the "
        "Parquet file and the Delta commit; the batch's plan (`offsets/<k>`) is made durable meanwhile. The "
        "streaming checkpoint's files after the commit, and the Delta checkpoint due every 10th commit "
        "(written in the background), come after the row is visible. Every bid "
        f"ingested from {info['warmup']:g} s after the start to 1 s before the stop is counted (exact ranks, "
        "no sampling).",
        "",
        "Maximum throughput (events/s, NEXMark events, 46 in 50 are bids) of each query: "
        + "; ".join(f"{q} {fmt_rate(t['events_per_s'])} ({t['events']:,} events, "
                    f"best wall {t['best_s']:.2f} s of {len(t['wall_s'])})" for q, t in throughput.items())
        + ". The first rate of each query is half of it.",
        "",
        "| query | rate (events/s) | trigger | batches | bids measured | p50 ms | p99 ms | max ms | mean batch ms "
        f"| p99 < {TARGET_P99_MS:g} ms |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in latency:
        s = r["stats"]
        lines.append(f"| {r['query']} | {fmt_rate(r['rate'])} | {r['interval']} interval | {r['measured_batches']} "
                     f"| {s['visible']:,} | {fmt_ms(s['quantiles'][0.5])} | {fmt_ms(s['quantiles'][0.99])} "
                     f"| {fmt_ms(s['max_ms'])} | {fmt_ms(r['duration_mean_ms'])} | {verdict(r)} |")
    met = [r for r in latency if verdict(r) == "yes"]
    half = [r for r in latency if r.get("half_of_max")]
    lines += ["", "### Target (from issue 4)", ""]
    lines.append(f"- p99 under {TARGET_P99_MS:g} ms with a 50 ms trigger at half of the maximum throughput: "
                 + ("met" if half and all(verdict(r) == "yes" for r in half) else "NOT met")
                 + f" ({sum(1 for r in half if verdict(r) == 'yes')} of {len(half)} queries at half of their maximum; "
                 f"{len(met)} of {len(latency)} runs in all).")
    lines += ["", "### Details", ""]
    for r in latency:
        s = r["stats"]
        behind = s["events"] - s["visible"]
        lines.append(
            f"- **{r['query']} at {r['rate']:,} events/s**: {r['batches']} batches in {r['duration_s']:g} s "
            f"({r['measured_batches']} measured, one every {fmt_ms(r['batch_spacing_ms'])} ms, "
            f"{fmt_ms(r['rows_per_batch'], 0)} rows each); to the Delta commit's commitInfo.timestamp "
            f"(a lower bound), p50 {fmt_ms(r['commit_stats']['quantiles'][0.5])} ms and p99 "
            f"{fmt_ms(r['commit_stats']['quantiles'][0.99])} ms; to the batch's progress record (after the "
            f"checkpoint's commit too), p50 {fmt_ms(r['recorded_stats']['quantiles'][0.5])} ms and p99 "
            f"{fmt_ms(r['recorded_stats']['quantiles'][0.99])} ms; mean latency {fmt_ms(s['mean_ms'])} ms = "
            f"{fmt_ms(r['wait_mean_ms'])} ms waiting for the batch to start + {fmt_ms(s['batch_mean_ms'])} ms "
            f"of batch (batch p99 {fmt_ms(r['duration_p99_ms'], 0)} ms, max {fmt_ms(r['duration_max_ms'], 0)} ms; "
            f"longest pause between two batches {fmt_ms(r['pause_max_ms'], 0)} ms); "
            f"of a batch, {fmt_ms(r['before_commit_median_ms'], 0)} ms (median) until its Delta commit's "
            f"commitInfo.timestamp and {fmt_ms(r['after_commit_median_ms'], 0)} ms (median; max "
            f"{fmt_ms(r['after_commit_max_ms'], 0)} ms) after it; batches writing a Delta checkpoint (every "
            f"10th version) take {fmt_ms(r['checkpoint_batch_mean_ms'])} ms on average, the others "
            f"{fmt_ms(r['other_batch_mean_ms'])} ms; batches of the first quarter of the run take "
            f"{fmt_ms(r['first_quarter_batch_mean_ms'])} ms on average, of the last quarter "
            f"{fmt_ms(r['last_quarter_batch_mean_ms'])} ms; "
            f"{r['commits']} Delta commits, {r['delta_checkpoints']} Delta checkpoints; "
            f"{r['rows_read']:,} bids read, {r['rows_written']:,} rows in the table; load average "
            f"{r['load'][0]:.1f} / {r['load'][1]:.1f} at the run's start / end"
            + (f"; **{behind:,} bids of the window were not visible when the query stopped**" if behind else "")
            + ".")
    peak = max([info["load_start"], info["load_end"]] + [max(r["load"]) for r in latency])
    if peak > 1.0:
        lines += ["", f"The machine's {info['nproc']} CPUs were shared with other work during this run (load "
                  f"average up to {peak:.1f} at a run's start or end); latencies, their tails above all, move "
                  "with it: a pause of a few hundred ms (a busy CPU, a slow fsync) in a 20 s run is enough to "
                  "move p99."]
    lines += ["", "### Method", "", *METHOD, ""]
    return "\n".join(lines)


METHOD = [
    "- Source: `CREATE SOURCE bid (auction, bidder, price, channel, url, dateTime, extra) WITH "
    "(connector = 'nexmark', 'table' = 'bid', rate = R, seed = '1')`: tidelake's NEXMark generator, "
    "unbounded and so rate limited on the wall clock: event i becomes available at "
    "startedAtMs + i * 1000 / R (startedAtMs is in the source's offsets); the bids are 46 of every 50 "
    "events.",
    "- Queries: q0, q1, q2 of `bench/nexmark/queries` (the text the NEXMark benchmark runs), each as "
    "`CREATE STREAMING TABLE curated.qN AS ...` run by `tidelake stream run FILE --interval 50ms` in a "
    "fresh lake, stopped after the run's duration with `tidelake stream stop curated.qN`. FILE creates the "
    "table over the generator with `'events.num' = '0'` and then declares `bid` again without it: "
    "`stream run` refreshes the table with the available-now trigger before it starts the interval "
    "trigger, and over a rate-limited source that refresh never ended before main's 1533ed0 (each "
    "batch found the events that fell due while it ran), so the interval trigger never started. The "
    "generator's start (startedAtMs) is the time of that first refresh, a few ms before the first "
    "interval batch.",
    "- Maximum throughput: the same query over `events.num` generated events with "
    "`tidelake stream run FILE --trigger available-now`; events / the process's wall time, best of the runs. "
    "This is what one large batch sustains; at 50 ms triggers each batch also pays its fixed costs "
    "(Delta commit, checkpoint files).",
    "- Latency: from the checkpoint (`_checkpoints/curated.qN`): batch k read the events between the end "
    "offsets of batches k-1 and k; its progress record's `visibleAt` is taken when the sink's write "
    "returned, its Delta commit published; a bid's latency is that time - its ingestion time. The ranks are exact "
    "(per batch the latencies are an arithmetic sequence; a binary search finds each rank). Bids of the "
    "window that no batch read by the stop would count as not visible (none did, unless the details say so).",
    "- Checks: the ranges equal `offsets/<k>`; each batch read the bids of its range; each Delta commit "
    "of the sink names its batch (txn) and is timed no later than `visibleAt`, itself no later than the "
    "batch's progress record; the "
    "table's count(*) equals the rows written (q0, q1: the bids read).",
]


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", default=",".join(QUERIES), help="comma-separated, e.g. q0,q2")
    parser.add_argument("--binary", type=Path, default=ROOT / "build/release/tidelake")
    parser.add_argument("--interval", default="50ms", help="the interval trigger's period")
    parser.add_argument("--duration", type=float, default=20, help="seconds each latency run lasts")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of events left out at the start")
    parser.add_argument("--low-rate", type=int, default=10_000, help="the second rate, events/s (0: none)")
    parser.add_argument("--rate", type=int, default=None,
                        help="the first rate, events/s, instead of half of the measured maximum")
    parser.add_argument("--throughput-events", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=3,
                        help="throughput runs per query (best reported: the first is often slow, its memory new)")
    parser.add_argument("--max-load", type=float, default=None,
                        help="before each run, wait for the 1-min load average to fall below this (a shared machine)")
    parser.add_argument("--max-wait", type=float, default=180, help="seconds to wait for --max-load, at most")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "tidelake-latency-bench")
    parser.add_argument("--keep-lakes", action="store_true",
                        help="keep each latency run's lake in the work directory (deleted once measured)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench/RESULTS.md")
    args = parser.parse_args()

    queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    for q in queries:
        if not (QUERIES_DIR / f"{q}.sql").exists():
            parser.error(f"no query {q} in {QUERIES_DIR}")
    if not re.fullmatch(r"\d+(ms|s)", args.interval):
        parser.error(f"--interval {args.interval}: expected e.g. 50ms or 1s")
    if not args.binary.exists():
        print(f"{args.binary} is missing; build it first:\n  {BUILD_HINT}", file=sys.stderr)
        return 2
    build_type = build_type_of(args.binary)

    info = run_info("bench/run_latency_benchmark.py", warmup=args.warmup)
    info["tidelake"] = binary_source(args.binary, info["commit"], build_type)
    args.workdir.mkdir(parents=True, exist_ok=True)

    throughput, latency = {}, []
    try:
        for q in queries:
            rates = []
            if args.rate is None:
                wait_for_quiet(args.max_load, args.max_wait)
                t = run_throughput(args.binary, q, args.throughput_events, args.runs, args.workdir)
                throughput[q] = t
                print(f"{q}: maximum {t['events_per_s']:,.0f} events/s (wall {t['wall_s']} s, {t['batches']} batches)",
                      flush=True)
                rates.append((int(t["events_per_s"] / 2), True))
            else:
                rates.append((args.rate, False))
            if args.low_rate:
                rates.append((args.low_rate, False))
            for rate, half in rates:
                wait_for_quiet(args.max_load, args.max_wait)
                r = run_latency(args.binary, q, rate, args.interval, args.duration, args.warmup, args.workdir,
                                args.keep_lakes)
                r["half_of_max"] = half
                latency.append(r)
                s = r["stats"]
                print(f"{q} at {rate:,} events/s: {r['measured_batches']} batches, {s['visible']:,} of "
                      f"{s['events']:,} bids visible; latency p50 {fmt_ms(s['quantiles'][0.5])} ms, p99 "
                      f"{fmt_ms(s['quantiles'][0.99])} ms, max {fmt_ms(s['max_ms'])} ms; batch mean "
                      f"{fmt_ms(r['duration_mean_ms'])} ms", flush=True)
    except RunError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1
    info["load_end"] = os.getloadavg()[0]
    (args.workdir / "results.json").write_text(
        json.dumps(dict(info=info, throughput=throughput, latency=latency), indent=1, default=str) + "\n")
    replace_section(args.output, SECTION, section_text(throughput, latency, info))
    print(f"wrote the {SECTION} section of {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
