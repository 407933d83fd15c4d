#!/usr/bin/env python3
"""NEXMark (issue 4, section 6): tidelake's streaming engine against Apache Flink, in one run.

    .deps/venv/bin/python bench/run_nexmark_benchmark.py [--events 5000000] [--queries q0,q5]

Both engines run the same NEXMark SQL (bench/nexmark/queries: the nexmark project's queries,
sinks left out) over the same events: `nexmark_data` (bench/nexmark_data.cc) writes N events of
tidelake's NEXMark generator once as Parquet files, and each engine reads those files as a
bounded stream with the reference's watermark (event time - 4 s), so every window closes at the
end of the input.

- Flink (Maven Central, scripts/nexmark.sh; a local mini-cluster with --parallelism slots) runs
  each query as a streaming job into a blackhole table: one untimed run that warms the JIT and
  counts the query's rows, then --runs timed runs.
- tidelake runs each query over a declared source, `CREATE SOURCE events (...) WITH (connector =
  'files', ...)` + the views, with `tidelake stream run FILE --trigger available-now
  --end-of-input` in a fresh lake, --runs times, into two sinks: a streaming table,
  `CREATE STREAMING TABLE curated.qN AS <query>` (Delta), then a blackhole table as Flink's,
  `CREATE TABLE nexmark_qN (<the Delta table's columns>) WITH ('connector' = 'blackhole')` +
  `INSERT INTO nexmark_qN <query>`. The target is judged sink for sink, on the blackhole figure.

Throughput is events read / time: for Flink the job's own run time (JobExecutionResult's net
runtime: planning and submission excluded), for tidelake the whole `stream run` process (start,
planning, every batch and its write and checkpoint). A query an engine refuses is recorded as
not supported, with the engine's reason, never as a number. The row counts of both engines are
compared (tidelake's output table, and the rows its blackhole took, against Flink's net changelog
rows); a mismatch fails the run (exit status 1) and nothing is written. The report goes into the `## NEXMark`
section of bench/RESULTS.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from machine_info import build_type as build_type_of, machine_rows, replace_section, run_info  # noqa: E402

NEXMARK = ROOT / "bench" / "nexmark"
QUERIES_DIR = NEXMARK / "queries"
QUERIES = ["q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q11"]
SECTION = "## NEXMark"
TARGET = 5.0  # issue 4: at least 5x Flink's throughput on every query
BUILD_HINT = (
    "cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTIDELAKE_SANITIZE=OFF "
    "-DTIDELAKE_BUILD_BENCHMARKS=ON -DTIDELAKE_BUILD_TESTS=OFF \"-DCMAKE_CXX_FLAGS=-Wno-restrict\" && "
    "cmake --build build/bench --target tidelake_cli nexmark_data"
)


class AnswerError(Exception):
    """The engines disagree on a query's answer, or an engine did not read every event."""


# ---------------------------------------------------------------------------------------------
# Data


def ensure_data(tool: Path, directory: Path, events: int, seed: int, rate: float, per_file: int) -> dict:
    """The manifest of the events in `directory`, generated unless they are there already."""
    manifest_path = directory / "_nexmark.json"
    want = dict(events=events, seed=seed, events_per_second=rate, events_per_file=per_file)
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if all(manifest.get(k) == v for k, v in want.items()):
            print(f"data: {events:,} events in {directory} (generated before)", flush=True)
            return manifest
    print(f"data: generating {events:,} events into {directory} ...", flush=True)
    proc = subprocess.run([str(tool), "--dir", str(directory), "--events", str(events), "--seed", str(seed),
                           "--rate", repr(rate), "--events-per-file", str(per_file)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"nexmark_data failed: {proc.stderr.strip()}")
    manifest = json.loads(manifest_path.read_text())
    print(f"data: {manifest['bytes'] / 2**20:,.0f} MiB in {len(manifest['files'])} files, "
          f"{manifest['seconds']:.1f} s", flush=True)
    return manifest


# ---------------------------------------------------------------------------------------------
# Flink


# Flink refuses a query while planning it with one of these (a failure while running is an error).
FLINK_REFUSAL = re.compile(r"^(ValidationException|SqlParserException|TableException|UnsupportedOperationException)")


def run_flink(data: Path, queries: list[str], parallelism: int, runs: int, log: Path,
              queries_dir: Path = QUERIES_DIR, views: Path = QUERIES_DIR / "views.sql",
              extra_flags: tuple[str, ...] | list[str] = (), label: str = "flink") -> tuple[dict, dict]:
    """Flink's JSON line per query (by query), and its header line (events, version, state
    backend): NexmarkFlink runs `queries` (files QUERY.sql of `queries_dir`) over the views of
    `views`, with `extra_flags` (e.g. --state-backend rocksdb) added to its command line; `label`
    names the run in the progress lines."""
    install = subprocess.run([str(ROOT / "scripts" / "nexmark.sh"), "install"], capture_output=True, text=True)
    if install.returncode != 0:
        raise SystemExit(f"scripts/nexmark.sh install failed:\n{install.stdout}{install.stderr}")
    cmd = [str(ROOT / "scripts" / "nexmark.sh"), "flink", "--data", str(data), "--queries", str(queries_dir),
           "--views", str(views), "--events-ddl", str(NEXMARK / "flink" / "events.sql"),
           "--query", ",".join(queries), "--parallelism", str(parallelism), "--runs", str(runs), *extra_flags]
    print(f"{label}: {' '.join(cmd[1:])} (log: {log})", flush=True)
    results, header = {}, {}
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        for line in proc.stdout:
            line = line.strip()
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            if "query" not in record:
                header = record
                continue
            if record["status"] != "ok" and FLINK_REFUSAL.search(record.get("error", "")):
                record["status"] = "not supported"
            results[record["query"]] = record
            if record["status"] == "ok":
                print(f"{label} {record['query']}: {flink_events_per_s(record):,.0f} events/s "
                      f"(net runtimes {record['net_runtime_s']} s, rows {record.get('rows')})", flush=True)
            else:
                print(f"{label} {record['query']}: {record['status']}: {record['error'][:200]}", flush=True)
        proc.wait()
    if proc.returncode != 0 or not header:
        raise SystemExit(f"Flink exited with status {proc.returncode}; see {log}")
    return results, header


def flink_events_per_s(record: dict) -> float | None:
    """Events / the job's best net run time (see the module comment)."""
    if record.get("status") != "ok":
        return None
    return record["events"] / min(record["net_runtime_s"])


# ---------------------------------------------------------------------------------------------
# tidelake


def sql_statements(path: Path, data: Path | None = None) -> str:
    text = path.read_text()
    if data is not None:
        text = text.replace("${DATA_DIR}", str(data))
    return text.strip() + "\n"


def query_text(query: str, queries_dir: Path = QUERIES_DIR) -> str:
    return (queries_dir / f"{query}.sql").read_text().strip().rstrip(";").strip()


def tidelake_setup(source: Path, data: Path, views: Path = QUERIES_DIR / "views.sql",
                   settings: dict[str, str] | None = None) -> str:
    """The statements that set `settings` (SET key = 'value'), declare the events source (from
    `source`) and the views (from `views`)."""
    sets = "".join(f"SET {key} = '{value}';\n" for key, value in (settings or {}).items())
    return sets + sql_statements(source, data) + "\n" + sql_statements(views)


# How tidelake refuses a query while parsing, binding or planning it (its errors carry the
# statement's line:column either way, so the wording tells a refusal from a failure while running).
TIDELAKE_REFUSAL = re.compile(r"\byet\b|needs state|not supported|not implemented|unknown function|cannot use|"
                              r"^line \d+:\d+: expected |(column|table|view|function) .* not found", re.I)


def first_error(stderr: str) -> str:
    """tidelake's error line, without the `error: FILE: ` prefix (FILE is a generated script)."""
    lines = [l.strip() for l in stderr.strip().splitlines() if l.strip()]
    line = next((l for l in lines if l.lower().startswith("error")), lines[-1] if lines else "no message")
    line = re.sub(r"^error: (\S+\.sql: )?", "", line)
    return line if len(line) <= 400 else line[:400] + " ..."


def tidelake_check_setup(binary: Path, source: Path, data: Path, workdir: Path) -> str | None:
    """None when tidelake declares the source and the views, else its reason."""
    lake = workdir / "tidelake-setup-lake"
    shutil.rmtree(lake, ignore_errors=True)
    proc = subprocess.run([str(binary), "sql", "--lake", str(lake), "-c", tidelake_setup(source, data)],
                          capture_output=True, text=True)
    shutil.rmtree(lake, ignore_errors=True)
    return None if proc.returncode == 0 else first_error(proc.stderr)


def run_measured(cmd: list[str]) -> tuple[int, str, float, int]:
    """Runs `cmd` to its end: its exit status, its stderr, its wall time (s) and its own peak
    resident set (bytes, the kernel's maxrss of this child alone, from wait4)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4; Popen must not wait again
        err.seek(0)
        return proc.returncode, err.read().decode(errors="replace"), elapsed, usage.ru_maxrss * 1024


def table_columns(binary: Path, lake: Path, table: str) -> list[tuple[str, str]] | str:
    """The (name, type) columns of `table` as tidelake's DESCRIBE gives them (types in the
    spelling CREATE TABLE takes), or tidelake's error."""
    proc = subprocess.run([str(binary), "sql", "--lake", str(lake), "--format", "json", "-c", f"DESCRIBE {table}"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return first_error(proc.stderr)
    columns = []
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if not row["col_name"] or row["col_name"].startswith("#"):
            break  # the sections after the columns
        columns.append((row["col_name"], row["data_type"]))
    return columns


def blackhole_statements(query: str, columns: list[tuple[str, str]], queries_dir: Path = QUERIES_DIR) -> str:
    """The nexmark project's form of query `query`: a blackhole table with the query's schema and
    an INSERT of the query into it (what Flink runs, with the same schema)."""
    body = ",\n".join(f"    `{name}` {type_}" for name, type_ in columns)
    return (f"CREATE TABLE nexmark_{query} (\n{body}\n) WITH (\n    'connector' = 'blackhole'\n);\n\n"
            f"INSERT INTO nexmark_{query}\n{query_text(query, queries_dir)};\n")


def run_tidelake(binary: Path, source: Path, data: Path, query: str, runs: int, workdir: Path,
                 queries_dir: Path = QUERIES_DIR, views: Path = QUERIES_DIR / "views.sql",
                 settings: dict[str, str] | None = None, label: str | None = None,
                 blackhole_columns: list[tuple[str, str]] | None = None) -> dict:
    """Best wall time of `runs` `stream run`s of the query (QUERY.sql of `queries_dir`, over the
    views of `views`, after SET statements of `settings`), with the events read, the rows written,
    the process's peak resident set per run and the kinds of its last state checkpoint (the
    suffixes in its state directory: `.arrow` files of state kept in memory, `.rocksdb`
    checkpoints). `label` names the run's script and lake in `workdir` (default: the query).

    The query streams into a Delta table, `CREATE STREAMING TABLE curated.QUERY AS <query>`, whose
    rows are counted afterwards (`rows`) and whose columns are recorded (`columns`); or, given
    `blackhole_columns`, into a blackhole table of those columns as Flink's NEXMark does
    (blackhole_statements), whose rows are what its progress records say the sink took. Either
    way `rows_written` is the sum of the progress records' numRowsWritten: the rows the sink
    took, which for a query that updates its groups' results counts every update."""
    label = label or query
    script = workdir / f"tidelake-{label}.sql"
    blackhole = blackhole_columns is not None
    target = f"curated.nexmark_{query}" if blackhole else f"curated.{query}"
    statements = (blackhole_statements(query, blackhole_columns, queries_dir) if blackhole
                  else f"CREATE STREAMING TABLE curated.{query} AS\n{query_text(query, queries_dir)};\n")
    script.write_text(tidelake_setup(source, data, views, settings) + "\n" + statements)
    times, peaks, record = [], [], {}
    for _ in range(runs):
        lake = workdir / f"tidelake-lake-{label}"
        shutil.rmtree(lake, ignore_errors=True)
        returncode, stderr, elapsed, peak = run_measured(
            [str(binary), "stream", "run", str(script), "--trigger", "available-now", "--end-of-input",
             "--lake", str(lake)])
        if returncode != 0:
            message = first_error(stderr)
            status = "not supported" if TIDELAKE_REFUSAL.search(message) else "error"
            # The position is in the generated script; the message says what is refused.
            return dict(status=status, error=re.sub(r"^line \d+:\d+: ", "", message))
        times.append(elapsed)
        peaks.append(peak)
        checkpoints = lake / "_checkpoints" / target
        progress = [json.loads(l) for l in (checkpoints / "progress").read_text().splitlines() if l.strip()]
        state = checkpoints / "state"
        state_kinds = sorted({p.suffix for p in state.iterdir()}) if state.is_dir() else []
        record = dict(status="ok", events=sum(p["numInputRows"] for p in progress),
                      batches=len(progress), late_rows=max((p.get("lateRows", 0) for p in progress), default=0),
                      rows_written=sum(p["numRowsWritten"] for p in progress), state_kinds=state_kinds)
        if blackhole:
            record["rows"] = record["rows_written"]
        else:
            count = subprocess.run([str(binary), "sql", "--lake", str(lake), "--format", "csv", "-c",
                                    f"SELECT count(*) FROM {target}"], capture_output=True, text=True)
            if count.returncode != 0:
                return dict(status="error", error=first_error(count.stderr))
            record["rows"] = int(count.stdout.strip().splitlines()[1])
            columns = table_columns(binary, lake, target)
            if isinstance(columns, str):
                return dict(status="error", error=f"DESCRIBE {target}: {columns}")
            record["columns"] = columns
        shutil.rmtree(lake, ignore_errors=True)
    record.update(wall_s=times, best_s=min(times), max_rss_bytes=peaks)
    record["events_per_s"] = record["events"] / record["best_s"]
    return record


def blackhole_rows_mismatch(query: str, delta: dict, blackhole: dict, flink_rows: int | None) -> str | None:
    """Why the rows tidelake's blackhole run of `query` wrote are wrong, or None. A query that
    appends (its Delta run wrote as many rows as its table holds) writes its answer's rows:
    Flink's count, or its Delta table's without Flink. One that updates its groups' results
    writes every update, so as many rows as its Delta run's sink took."""
    if delta["rows_written"] == delta["rows"]:
        expected, whose = ((flink_rows, "Flink's answer has") if flink_rows is not None
                           else (delta["rows"], "its Delta table has"))
    else:
        expected, whose = delta["rows_written"], "its run into Delta wrote (updates of its groups' results)"
    if blackhole["rows"] == expected:
        return None
    return f"{query}: tidelake wrote {blackhole['rows']:,} rows into blackhole, {whose} {expected:,}"


# ---------------------------------------------------------------------------------------------
# Report


def fmt_rate(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v / 1e6:,.2f} M" if v >= 1e6 else f"{v / 1e3:,.0f} K"


def cell(record: dict | None, rate: float | None) -> str:
    if record is None:
        return "not run"
    if rate is not None:
        return fmt_rate(rate)
    if record.get("status") == "no source":
        return "no source"
    return "not supported" if record.get("status") == "not supported" else "failed"


def report_header(section: str, script: str, info: dict) -> list[str]:
    """A report section's title, how it was made, and the machine, builds and data it ran on."""
    m = info["manifest"]
    return [
        section,
        "",
        f"Generated by `{script}` on {info['date']}.",
        "",
        f"Command (from the repository root): `{info['command']}`",
        "",
        *machine_rows(info),
        f"| tidelake | {info['tidelake']} |",
        f"| peer | {info['peer']} |",
        f"| data | {m['events']:,} events ({m['persons']:,} persons, {m['auctions']:,} auctions, {m['bids']:,} bids), "
        f"seed {m['seed']}, {m['events_per_second']:,.0f} events/s of event time; "
        f"{len(m['files'])} Parquet files, {m['bytes'] / 2**20:,.0f} MiB |",
    ]


def section_text(results: dict, info: dict) -> str:
    lines = [
        *report_header(SECTION, "bench/run_nexmark_benchmark.py", info),
        "",
        "Throughput in events/s (every event of the input, persons and auctions included, as NEXMark "
        "counts it). tidelake runs each query twice: into a `blackhole` table, as Flink does (sink for "
        "sink: the rows are discarded), and into a Delta table (its streaming table, each batch a Delta "
        "commit); **/ Flink** is the ratio of throughputs (above 1: tidelake is faster), and the target "
        "is judged on the blackhole one. Rows: the rows of the query's result, counted for both engines "
        "and compared.",
        "",
        "| query | Flink events/s | tidelake → blackhole events/s | blackhole / Flink | tidelake → Delta events/s "
        "| Delta / Flink | rows |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    met, missed, unmeasured, refused_by_both = [], [], [], []

    def rate_of(record: dict | None) -> float | None:
        return record.get("events_per_s") if record and record.get("status") == "ok" else None

    def ratio_text(ratio: float | None) -> str:
        return f"{ratio:.2f}" if ratio is not None else "—"

    for q in results:
        r = results[q]
        f, t, b = r.get("flink"), r.get("tidelake"), r.get("blackhole")
        f_rate = flink_events_per_s(f) if f else None
        t_rate, b_rate = rate_of(t), rate_of(b)
        ratio = b_rate / f_rate if f_rate and b_rate else None
        delta_ratio = t_rate / f_rate if f_rate and t_rate else None
        refused = [x for x in (f, t, b) if x and x.get("status") == "not supported"]
        if ratio is None and len(refused) == 3:
            refused_by_both.append(q)  # not a query either engine runs (q6's text is not valid SQL)
        elif ratio is None:
            unmeasured.append(q)
        elif ratio >= TARGET:
            met.append(q)
        else:
            missed.append(q)
        rows = (f or {}).get("rows") if (f or {}).get("status") == "ok" else None
        if rows is None and t_rate is not None:
            rows = t.get("rows")
        lines.append(f"| {q} | {cell(f, f_rate)} | {cell(b, b_rate)} | {ratio_text(ratio)} | {cell(t, t_rate)} | "
                     f"{ratio_text(delta_ratio)} | {f'{rows:,}' if rows is not None else '—'} |")

    lines += ["", "### Target (from issue 4)", ""]
    verdict = "met" if met and not missed and not unmeasured else "not measured" if not met and not missed else "NOT met"
    lines.append(f"- At least {TARGET:g}x Flink's throughput on every query, tidelake into blackhole as Flink: "
                 + verdict
                 + f" ({len(met)} met, {len(missed)} missed"
                 + (f": {', '.join(missed)}" if missed else "")
                 + f", {len(unmeasured)} without a ratio"
                 + (f": {', '.join(unmeasured)}" if unmeasured else "") + ")"
                 + (f"; not counted, refused by both engines (the query's text is not valid SQL, as the nexmark "
                    f"project notes for q6): {', '.join(refused_by_both)}" if refused_by_both else "") + ".")
    lines.append("- End-to-end latency (p50/p99 at half of the maximum throughput): measured by `bench/run_latency_benchmark.py`, in the `## Streaming latency` section below.")

    notes = []
    engine_names = {"flink": "Flink", "tidelake": "tidelake into Delta", "blackhole": "tidelake into blackhole"}
    for q in results:
        for engine in ("flink", "tidelake", "blackhole"):
            r = results[q].get(engine)
            if engine != "flink" and info.get("tidelake_unavailable"):
                continue
            if r and r.get("status") != "ok":
                notes.append(f"- {q}, {engine_names[engine]}: {r.get('status')}: "
                             f"{r.get('error', '').replace('|', '/')}")
    if info.get("tidelake_unavailable"):
        notes.insert(0, f"- tidelake could not declare the events source or the views (`no source`), so it ran none "
                        f"of the queries: {info['tidelake_unavailable']}")
    if notes:
        lines += ["", "Queries an engine did not run:", "", *notes]

    lines += ["", "### Details", ""]
    for q in results:
        f, t = results[q].get("flink"), results[q].get("tidelake")
        parts = []
        if f and f.get("status") == "ok":
            parts.append(f"Flink net runtimes {', '.join(f'{s:.2f}' for s in f['net_runtime_s'])} s, wall (with "
                         f"planning and submission) {', '.join(f'{s:.2f}' for s in f['wall_s'])} s "
                         f"({fmt_rate(f['events'] / min(f['wall_s']))} events/s on the best wall time)")
        b = results[q].get("blackhole")
        if b and b.get("status") == "ok":
            parts.append(f"tidelake into blackhole wall {', '.join(f'{s:.2f}' for s in b['wall_s'])} s, "
                         f"{b['batches']} batches, {b['events']:,} events read, {b['rows']:,} rows written")
        if t and t.get("status") == "ok":
            parts.append(f"tidelake into Delta wall {', '.join(f'{s:.2f}' for s in t['wall_s'])} s, "
                         f"{t['batches']} batches, {t['events']:,} events read, {t['late_rows']:,} late rows, "
                         f"{t['rows']:,} rows in the table")
        if parts:
            lines.append(f"- **{q}**: " + "; ".join(parts))
    if max(info["load_start"], info["load_end"]) > 1.0:
        lines += ["", f"The machine's {info['nproc']} CPUs were shared with other work during this run (load "
                  f"average up to {max(info['load_start'], info['load_end']):.1f}); figures can move by tens of "
                  "percent between runs."]
    lines += ["", "### Method", "", *METHOD, ""]
    return "\n".join(lines)


METHOD = [
    "- Queries: q0–q8 and q11 as the nexmark project defines them for Flink SQL "
    "(`bench/nexmark/queries`, its `CREATE TABLE ... blackhole` and `INSERT INTO` lines left out of the "
    "files: the benchmark supplies the sink), over its `person`, `auction` and `bid` views of the `events` "
    "table (`views.sql`). Both engines run the same text.",
    "- Data: `nexmark_data` (bench/nexmark_data.cc) writes the events of tidelake's NEXMark generator "
    "(the reference generator's 1:3:46 mix, hot auctions and bidders, event time at the rate above, in "
    "order) as Parquet files (snappy, INT96 UTC timestamps, which Flink's nested Parquet reader requires), "
    "cached in the work directory; both engines read these files, declared with the reference's columns "
    "and `WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND` (`bench/nexmark/flink/events.sql`, "
    "`bench/nexmark/tidelake/events.sql`).",
    "- Flink: `scripts/nexmark.sh` (Flink from Maven Central, Java 17) runs `NexmarkFlink` "
    "(bench/nexmark/flink): one local mini-cluster (one task manager with one slot per core, default "
    "parallelism = cores) serving every job; streaming mode; the filesystem source reads the files as a "
    "bounded stream and ends with the final watermark, closing every window; the nexmark project's "
    "settings for object reuse, mini-batch (2 s / 50,000 rows) and split distinct aggregates; heap state, "
    "no checkpoints. Per query, one untimed run (JIT warm-up; its sink counts the net rows of the "
    "query's changelog) and then the timed runs into a `blackhole` table with the query's schema. "
    "Throughput = events / the job's net runtime as Flink reports it (from the job's start in the "
    "cluster to its end; client-side planning and submission are not counted, which favours Flink).",
    "- tidelake: per run a fresh lake and one `tidelake stream run FILE --trigger available-now "
    "--end-of-input` process, FILE holding `SET state.backend.type = 'hashmap'` (state in memory, as "
    "Flink's heap backend), the source declaration, the views and the query's sink; its wall time counts "
    "everything (process start, planning, reading, each micro-batch's write and checkpoint). Each query "
    "runs into two sinks:",
    "  - **blackhole**, the figure the target is judged on: the nexmark project's own form, "
    "`CREATE TABLE nexmark_qN (<the query's columns>) WITH ('connector' = 'blackhole')` and "
    "`INSERT INTO nexmark_qN <query>`, the same sink Flink writes to, with the same schema (the "
    "columns of the query's Delta table below, as Flink takes its blackhole's from the query). The "
    "rows are checked against the table's types and discarded; the query's checkpoint and progress "
    "records are kept as for any streaming query. Rows are the sum of the progress records' "
    "`numRowsWritten`.",
    "  - **Delta**: `CREATE STREAMING TABLE curated.qN AS <query>`, tidelake's own way of keeping a "
    "query's result: each micro-batch is written as Parquet and committed to the Delta log "
    "(exactly once, with its checkpoint), so the figure includes storing the answer, which Flink's "
    "blackhole does not; it is shown beside, not judged. Rows are `count(*)` of the table.",
    "  Events read are the sum of the query's progress records (`numInputRows`), checked against the data.",
    "- Answers: each engine must read every event; tidelake's Delta table must hold Flink's row count, "
    "and its blackhole run must write as many rows (for a query that updates its groups' results, "
    "whose every update reaches the sink, as many as its Delta run's sink took); otherwise the run "
    "fails and writes nothing.",
]


# ---------------------------------------------------------------------------------------------


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a run over NEXMark events that this benchmark shares with others built on it
    (bench/run_state_benchmark.py): the data, the engines' builds and parallelism, the runs."""
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--parallelism", type=int, default=os.cpu_count() or 2, help="Flink's (default: cores)")
    parser.add_argument("--runs", type=int, default=2, help="timed runs per query and engine (best reported)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rate", type=float, default=10_000_000, help="events per second of event time")
    parser.add_argument("--events-per-file", type=int, default=1_000_000)
    parser.add_argument("--binary", type=Path, default=ROOT / "build/bench/tidelake")
    parser.add_argument("--data-tool", type=Path, default=None, help="default: nexmark_data beside --binary")
    parser.add_argument("--tidelake-source", type=Path, default=NEXMARK / "tidelake" / "events.sql",
                        help="the statements that declare tidelake's `events` (${DATA_DIR}: the data directory)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_arguments(parser)
    parser.add_argument("--queries", default=",".join(QUERIES), help="comma-separated, e.g. q0,q5")
    parser.add_argument("--no-flink", action="store_true")
    parser.add_argument("--no-tidelake", action="store_true")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "tidelake-nexmark-bench")
    parser.add_argument("--output", type=Path, default=ROOT / "bench/RESULTS.md")
    args = parser.parse_args()

    queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    for q in queries:
        if not (QUERIES_DIR / f"{q}.sql").exists():
            parser.error(f"no query {q} in {QUERIES_DIR}")
    tool = args.data_tool or args.binary.parent / "nexmark_data"
    for path in [tool] + ([] if args.no_tidelake else [args.binary]):
        if not path.exists():
            print(f"{path} is missing; build it first:\n  {BUILD_HINT}", file=sys.stderr)
            return 2
    build_type = build_type_of(args.binary)

    info = run_info("bench/run_nexmark_benchmark.py")
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = args.workdir / "data"
    manifest = ensure_data(tool, data, args.events, args.seed, args.rate, args.events_per_file)
    info["manifest"] = manifest

    results: dict[str, dict] = {q: {} for q in queries}
    wrong = []
    if not args.no_flink:
        flink, header = run_flink(data, queries, args.parallelism, args.runs, args.workdir / "flink.log")
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
        info["peer"] = (f"Apache Flink {header.get('flink')} (Maven Central), local mini-cluster, parallelism "
                        f"{header.get('parallelism')}; {java}")
        if header.get("events") != manifest["events"]:
            wrong.append(f"Flink counted {header.get('events')} events in the files, not {manifest['events']}")
        for q in queries:
            results[q]["flink"] = flink.get(q, dict(status="error", error="no result line from Flink"))
    else:
        info["peer"] = "Apache Flink: not run (--no-flink)"

    info["tidelake"] = f"commit {info['commit']}, {build_type}"
    if not args.no_tidelake:
        reason = tidelake_check_setup(args.binary, args.tidelake_source, data, args.workdir)
        if reason:
            info["tidelake_unavailable"] = reason
            print(f"tidelake: cannot declare the source and views: {reason}", flush=True)
        for q in queries:
            if reason:
                results[q]["tidelake"] = dict(status="no source", error="the events source could not be declared")
                results[q]["blackhole"] = dict(results[q]["tidelake"])
                continue
            # State in memory, as Flink's heap backend keeps it (bench/run_state_benchmark.py
            # compares both engines' RocksDB backends).
            settings = {"state.backend.type": "hashmap"}
            r = run_tidelake(args.binary, args.tidelake_source, data, q, args.runs, args.workdir, settings=settings)
            results[q]["tidelake"] = r
            f = results[q].get("flink")
            flink_rows = f.get("rows") if f and f.get("status") == "ok" else None
            if r["status"] == "ok":
                print(f"tidelake {q} into Delta: {r['events_per_s']:,.0f} events/s (wall {r['wall_s']} s, "
                      f"rows {r['rows']})", flush=True)
                if r["events"] != manifest["events"]:
                    wrong.append(f"tidelake {q} read {r['events']:,} events, not {manifest['events']:,}")
                if flink_rows is not None and flink_rows != r["rows"]:
                    wrong.append(f"{q}: tidelake wrote {r['rows']:,} rows, Flink's answer has {flink_rows:,}")
            else:
                print(f"tidelake {q} into Delta: {r['status']}: {r['error']}", flush=True)
                results[q]["blackhole"] = dict(status=r["status"], error=r["error"])
                continue
            # The same query into a blackhole table of its result's columns, as Flink runs it.
            b = run_tidelake(args.binary, args.tidelake_source, data, q, args.runs, args.workdir, settings=settings,
                             label=f"{q}-blackhole", blackhole_columns=r["columns"])
            results[q]["blackhole"] = b
            if b["status"] != "ok":
                print(f"tidelake {q} into blackhole: {b['status']}: {b['error']}", flush=True)
                continue
            print(f"tidelake {q} into blackhole: {b['events_per_s']:,.0f} events/s (wall {b['wall_s']} s, "
                  f"rows {b['rows']})", flush=True)
            if b["events"] != manifest["events"]:
                wrong.append(f"tidelake {q} into blackhole read {b['events']:,} events, not {manifest['events']:,}")
            mismatch = blackhole_rows_mismatch(q, r, b, flink_rows)
            if mismatch:
                wrong.append(mismatch)
    else:
        info["tidelake"] += " (not run: --no-tidelake)"
    info["load_end"] = os.getloadavg()[0]
    (args.workdir / "results.json").write_text(json.dumps(dict(info=info, results=results), indent=1) + "\n")

    if wrong:
        print("WRONG ANSWERS:\n  " + "\n  ".join(wrong), file=sys.stderr)
        return 1
    replace_section(args.output, SECTION, section_text(results, info))
    print(f"wrote the {SECTION} section of {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
