#!/usr/bin/env python3
"""Keyed state: tidelake's streaming engine against Apache Flink, each with its state in memory
and in RocksDB, in one run.

    .deps/venv/bin/python bench/run_state_benchmark.py [--events 5000000] [--queries bidders,pairs]

The queries (bench/state/queries, Flink SQL that both engines run unchanged, over the NEXMark
views of bench/nexmark/queries/views.sql) keep state per key with no window to bound it: an
aggregation in update mode, a SELECT DISTINCT and a ROW_NUMBER() = 1 deduplication. NEXMark's
own queries do not exercise this state (their windows and joins are bounded by the watermark).

Each query runs four times over the same events, with the machinery of the NEXMark benchmark
(bench/run_nexmark_benchmark.py: its data, its Flink runner and its tidelake runs):
- Flink with `--state-backend hashmap` (heap) and `--state-backend rocksdb` (Flink's embedded
  RocksDB backend), one untimed run that counts the answer and --runs timed runs each;
- tidelake with `SET state.backend.type = 'hashmap'` (memory) and `= 'rocksdb'` (RocksDB from
  the first row), --runs runs each, recording the process's own peak resident set.

Throughput is events read / time, measured as the NEXMark benchmark measures it. The four runs
of a query must read every event and agree on its number of rows, and each tidelake run's state
checkpoint must be of the backend it was given; otherwise the run fails (exit status 1) and
nothing is written. The report goes into the `## Keyed state (RocksDB)` section of
bench/RESULTS.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import run_nexmark_benchmark as nexmark  # noqa: E402
from machine_info import build_type as build_type_of, replace_section, run_info  # noqa: E402

QUERIES_DIR = ROOT / "bench" / "state" / "queries"
VIEWS = nexmark.QUERIES_DIR / "views.sql"
QUERIES = ["bidders", "pairs", "first_bids"]
BACKENDS = ["hashmap", "rocksdb"]
BACKEND_NAMES = {"hashmap": "hashmap", "rocksdb": "RocksDB"}
SECTION = "## Keyed state (RocksDB)"


def fmt_mib(v: int | None) -> str:
    return "—" if v is None else f"{v / 2**20:,.0f} MiB"


def rate_of(engine: str, record: dict | None) -> float | None:
    if not record or record.get("status") != "ok":
        return None
    return nexmark.flink_events_per_s(record) if engine == "flink" else record["events_per_s"]


def check_answers(results: dict, events: int) -> list[str]:
    """What is wrong with the runs' answers: events not all read, row counts that differ, a
    tidelake state checkpoint of another backend than the one it was given."""
    wrong = []
    for q, runs in results.items():
        counts = {}
        for (engine, backend), r in runs.items():
            if r.get("status") != "ok":
                continue
            name = f"{engine} {backend}"
            if r["events"] != events:
                wrong.append(f"{q}, {name}: read {r['events']:,} events, not {events:,}")
            if r.get("rows") is not None:
                counts[name] = r["rows"]
            # A RocksDB checkpoint in the state directory (run_tidelake's state_kinds) is what
            # tells that the keyed state was in RocksDB; with 'hashmap' there must be none.
            in_rocksdb = ".rocksdb" in r.get("state_kinds", [])
            if engine == "tidelake" and in_rocksdb != (backend == "rocksdb"):
                wrong.append(f"{q}, {name}: its state checkpoint holds {r.get('state_kinds')}: the keyed state "
                             f"was {'' if in_rocksdb else 'not '}in RocksDB")
        if len(set(counts.values())) > 1:
            wrong.append(f"{q}: the row counts differ: " + ", ".join(f"{n} {c:,}" for n, c in counts.items()))
    return wrong


def section_text(results: dict, info: dict) -> str:
    lines = [
        *nexmark.report_header(SECTION, "bench/run_state_benchmark.py", info),
        "",
        "Throughput in events/s (every event of the input, as NEXMark counts it) with each engine's state "
        "in memory (Flink's `hashmap` backend, tidelake's `SET state.backend.type = 'hashmap'`) and in "
        "RocksDB (Flink's embedded RocksDB backend, tidelake's `'rocksdb'`); **tidelake / Flink** is the "
        "ratio of throughputs on the same backend (above 1: tidelake is faster). Rows: the rows of the "
        "query's result (its keys), the same in all four runs. Peak RSS: the `tidelake stream run` "
        "process's own maximum resident set, largest of its runs.",
        "",
        "| query | rows | Flink hashmap | tidelake hashmap | tidelake / Flink | Flink RocksDB | tidelake RocksDB "
        "| tidelake / Flink | tidelake peak RSS, hashmap / RocksDB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for q, runs in results.items():
        cells, rows, peaks = [], None, []
        for backend in BACKENDS:
            f, t = runs.get(("flink", backend)), runs.get(("tidelake", backend))
            f_rate, t_rate = rate_of("flink", f), rate_of("tidelake", t)
            ratio = t_rate / f_rate if f_rate and t_rate else None
            cells += [nexmark.cell(f, f_rate), nexmark.cell(t, t_rate), f"{ratio:.2f}" if ratio is not None else "—"]
            for r in (f, t):
                if rows is None and r and r.get("status") == "ok":
                    rows = r.get("rows")
            peaks.append(fmt_mib(max(t["max_rss_bytes"])) if t_rate is not None else "—")
        lines.append(f"| {q} | {f'{rows:,}' if rows is not None else '—'} | " + " | ".join(cells)
                     + f" | {' / '.join(peaks)} |")

    notes = []
    for q, runs in results.items():
        for (engine, backend), r in runs.items():
            if r.get("status") != "ok":
                notes.append(f"- {q}, {'Flink' if engine == 'flink' else 'tidelake'} {BACKEND_NAMES[backend]}: "
                             f"{r.get('status')}: {r.get('error', '').replace('|', '/')}")
    if notes:
        lines += ["", "Runs that did not give a figure:", "", *notes]

    lines += ["", "### Details", ""]
    for q, runs in results.items():
        parts = []
        for backend in BACKENDS:
            f, t = runs.get(("flink", backend)), runs.get(("tidelake", backend))
            name = BACKEND_NAMES[backend]
            if f and f.get("status") == "ok":
                parts.append(f"Flink {name} net runtimes {', '.join(f'{s:.2f}' for s in f['net_runtime_s'])} s, "
                             f"wall (with planning and submission) {', '.join(f'{s:.2f}' for s in f['wall_s'])} s")
            if t and t.get("status") == "ok":
                parts.append(f"tidelake {name} wall {', '.join(f'{s:.2f}' for s in t['wall_s'])} s, peak RSS "
                             f"{', '.join(fmt_mib(b) for b in t['max_rss_bytes'])}, {t['batches']} batches")
        for engine, label in (("flink", "Flink"), ("tidelake", "tidelake")):
            memory, rocksdb = (rate_of(engine, runs.get((engine, b))) for b in BACKENDS)
            if memory and rocksdb:
                parts.append(f"{label} RocksDB / hashmap {rocksdb / memory:.2f}")
        if parts:
            lines.append(f"- **{q}**: " + "; ".join(parts))
    if max(info["load_start"], info["load_end"]) > 1.0:
        lines += ["", f"The machine's {info['nproc']} CPUs were shared with other work during this run (load "
                  f"average up to {max(info['load_start'], info['load_end']):.1f}); figures can move by tens of "
                  "percent between runs."]
    lines += ["", "### Method", "", *METHOD, ""]
    return "\n".join(lines)


METHOD = [
    "- Queries (`bench/state/queries`, over the NEXMark views of `bench/nexmark/queries/views.sql`): "
    "`bidders`, an aggregation without a window (`GROUP BY bidder`: count, sum, max; update mode); "
    "`pairs`, `SELECT DISTINCT auction, bidder`; `first_bids`, each (auction, bidder)'s first bid in "
    "event time (`ROW_NUMBER() OVER (PARTITION BY auction, bidder ORDER BY dateTime) = 1`). Their "
    "state grows with the keys seen, with no window or watermark to end it. Both engines run the same text.",
    "- Data, Flink and tidelake as in the `## NEXMark` section's method (the same generator, files, "
    "events declarations, Flink runner and settings, and `tidelake stream run`), with the state backend "
    "as the only change: Flink's `state.backend.type` (`--state-backend` of `NexmarkFlink`; RocksDB with "
    "Flink's default options, no checkpoints) and tidelake's `SET state.backend.type` in the script "
    "(`rocksdb`: the keyed state lives in RocksDB from the first row, and each batch's checkpoint is a "
    "RocksDB checkpoint). Flink runs with one JVM per backend serving all the queries.",
    "- Peak RSS is measured for tidelake only (`wait4` of its `stream run` process); Flink's mini-cluster "
    "is one JVM with a fixed maximum heap serving every job, so its resident set says little about one "
    "query's state.",
    "- Answers: every run must read every event, the four runs of a query must give the same number of "
    "rows (Flink's net changelog rows, tidelake's output table), and each tidelake run's state checkpoint "
    "must be of its backend (a `.rocksdb` checkpoint with `rocksdb`, none with `hashmap`); otherwise the "
    "run fails and writes nothing.",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    nexmark.add_run_arguments(parser)
    parser.add_argument("--queries", default=",".join(QUERIES), help="comma-separated, e.g. bidders,pairs")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "tidelake-state-bench")
    parser.add_argument("--data", type=Path, default=None,
                        help="the events' directory (default WORKDIR/data); the NEXMark benchmark's "
                             "(its WORKDIR/data) can be shared, as the generator's settings are the same")
    parser.add_argument("--output", type=Path, default=ROOT / "bench/RESULTS.md")
    args = parser.parse_args()

    queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    for q in queries:
        if not (QUERIES_DIR / f"{q}.sql").exists():
            parser.error(f"no query {q} in {QUERIES_DIR}")
    tool = args.data_tool or args.binary.parent / "nexmark_data"
    for path in (tool, args.binary):
        if not path.exists():
            print(f"{path} is missing; build it first:\n  {nexmark.BUILD_HINT}", file=sys.stderr)
            return 2

    info = run_info("bench/run_state_benchmark.py")
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = args.data or args.workdir / "data"
    manifest = nexmark.ensure_data(tool, data, args.events, args.seed, args.rate, args.events_per_file)
    info["manifest"] = manifest

    results: dict[str, dict] = {q: {} for q in queries}
    wrong = []
    versions = {}
    for backend in BACKENDS:
        flink, header = nexmark.run_flink(data, queries, args.parallelism, args.runs,
                                          args.workdir / f"flink-{backend}.log", queries_dir=QUERIES_DIR,
                                          views=VIEWS, extra_flags=["--state-backend", backend],
                                          label=f"flink {backend}")
        if header.get("events") != manifest["events"]:
            wrong.append(f"Flink ({backend}) counted {header.get('events')} events in the files, "
                         f"not {manifest['events']}")
        if header.get("state_backend") != backend:
            wrong.append(f"Flink ran with the state backend {header.get('state_backend')}, not {backend}")
        versions = header
        for q in queries:
            results[q][("flink", backend)] = flink.get(q, dict(status="error", error="no result line from Flink"))
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    info["peer"] = (f"Apache Flink {versions.get('flink')} (Maven Central), local mini-cluster, parallelism "
                    f"{versions.get('parallelism')}, hashmap and embedded RocksDB state backends; {java}")
    info["tidelake"] = f"commit {info['commit']}, {build_type_of(args.binary)}"

    reason = nexmark.tidelake_check_setup(args.binary, args.tidelake_source, data, args.workdir)
    if reason:
        print(f"tidelake: cannot declare the source and views: {reason}", file=sys.stderr)
        return 2
    for q in queries:
        for backend in BACKENDS:
            r = nexmark.run_tidelake(args.binary, args.tidelake_source, data, q, args.runs, args.workdir,
                                     queries_dir=QUERIES_DIR, views=VIEWS,
                                     settings={"state.backend.type": backend}, label=f"{q}-{backend}")
            results[q][("tidelake", backend)] = r
            if r["status"] == "ok":
                print(f"tidelake {backend} {q}: {r['events_per_s']:,.0f} events/s (wall {r['wall_s']} s, "
                      f"rows {r['rows']}, peak RSS {fmt_mib(max(r['max_rss_bytes']))})", flush=True)
            else:
                print(f"tidelake {backend} {q}: {r['status']}: {r['error']}", flush=True)
    info["load_end"] = os.getloadavg()[0]
    wrong += check_answers(results, manifest["events"])
    (args.workdir / "results.json").write_text(json.dumps(dict(
        info=info, results={q: {f"{e} {b}": r for (e, b), r in runs.items()} for q, runs in results.items()}),
        indent=1) + "\n")

    if wrong:
        print("WRONG ANSWERS:\n  " + "\n  ".join(wrong), file=sys.stderr)
        return 1
    replace_section(args.output, SECTION, section_text(results, info))
    print(f"wrote the {SECTION} section of {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
