#!/usr/bin/env python3
"""The Delta engine benchmarks of issue 2: tidelake against named peers, in one run.

    .deps/venv/bin/python bench/run_delta_benchmarks.py [--quick]

Each benchmark runs tidelake (bench/delta_benchmark.cc, built in build/bench) and its peers on
the same data, checks every contender's answer (row counts, sums, and for tidelake's 10 M-row
write the full contents read back through delta-rs), then reports tidelake's time divided by
the peer's. A wrong answer fails the run (exit status 1); a missed target does not.

  (a) append 10 M mixed-type rows into a new table: tidelake DeltaTable::Write vs
      pyarrow.parquet.write_table (the physical floor, snappy) vs delta-rs write_deltalake
  (b) snapshot load of a table of 10,000 commits with a checkpoint every 10: tidelake
      Snapshot::Load vs delta-rs DeltaTable(path)
  (c) filtered scan with data skipping over 1,000 files (~1 % of the rows): tidelake Scan vs
      DuckDB read_parquet over the same files
  (d) 1,000 appends of 100 rows, one commit each: tidelake vs delta-rs write_deltalake

The source data is generated once, deterministically, into a Parquet file in the work
directory and reused by later runs. The full run writes bench/RESULTS.md; --quick writes
RESULTS-quick.md in the work directory unless --output is given.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import deltalake
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from machine_info import build_type as build_type_of, machine_rows, run_info  # noqa: E402
BUILD_HINT = (
    "cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTIDELAKE_SANITIZE=OFF "
    "-DTIDELAKE_BUILD_BENCHMARKS=ON -DTIDELAKE_BUILD_TESTS=OFF \"-DCMAKE_CXX_FLAGS=-Wno-restrict\" && "
    "cmake --build build/bench --target delta_benchmark"
)

SIZES = {
    "full": dict(write_rows=10_000_000, write_reps=5, commits=10_000, load_reps=15,
                 scan_files=1_000, scan_rows_per_file=10_000, scan_reps=15,
                 appends=1_000, append_rows=100),
    "quick": dict(write_rows=1_000_000, write_reps=2, commits=1_000, load_reps=6,
                  scan_files=200, scan_rows_per_file=5_000, scan_reps=6,
                  appends=200, append_rows=100),
}
# Repeated measurements alternate between contenders in rounds of this many runs each, so
# that load from other processes on the machine falls on every contender alike.
ROUND = 3

# Bump when generate_source changes, so cached source files are not reused.
GENERATOR_VERSION = 1
CATEGORIES = ["bronze", "silver", "gold", "platinum", "web", "store", "mobile", "partner"]


class AnswerError(Exception):
    """A contender returned a wrong answer."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AnswerError(message)


# ---------------------------------------------------------------------------------------------
# Data and helpers


def generate_source(rows: int, seed: int = 20240611) -> pa.Table:
    """Mixed types: int64 id 0..rows-1 (ascending), double with 1 % nulls, a high-cardinality
    string, a UTC microsecond timestamp, a bool and a low-cardinality string."""
    rng = np.random.default_rng(seed)
    ids = np.arange(rows, dtype=np.int64)
    value = pa.array(rng.normal(100.0, 25.0, rows), mask=rng.random(rows) < 0.01)
    name = pc.binary_join_element_wise(
        "customer-", pc.cast(pa.array(rng.integers(0, 5_000_000, rows)), pa.string()), "")
    base_us = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z
    ts = pa.array(base_us + ids * 250_000 + rng.integers(0, 250_000, rows),
                  type=pa.timestamp("us", tz="UTC"))
    flag = pa.array(rng.random(rows) < 0.3)
    category = pc.take(pa.array(CATEGORIES), pa.array(rng.integers(0, len(CATEGORIES), rows)))
    return pa.table({"id": ids, "value": value, "name": name, "ts": ts, "flag": flag,
                     "category": category})


def ensure_source(workdir: Path, rows: int) -> Path:
    path = workdir / f"source-v{GENERATOR_VERSION}-{rows}.parquet"
    if path.exists() and pq.read_metadata(path).num_rows == rows:
        return path
    print(f"generating {rows:,} rows into {path}", flush=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(generate_source(rows), tmp, compression="snappy")
    tmp.rename(path)
    return path


def fresh(path: Path) -> Path:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    return path


def run_tidelake(binary: Path, *args) -> dict:
    command = [str(binary), *[str(a) for a in args]]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median(values) -> float:
    return statistics.median(values)


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*.parquet") if "_delta_log" not in p.parts)


def id_sum(lo: int, hi: int) -> int:
    """Sum of lo..hi-1."""
    return (lo + hi - 1) * (hi - lo) // 2


def deltars_summary(path: Path) -> tuple[int, int, int]:
    """(version, rows, sum(id)) of a table as delta-rs reads it."""
    dt = DeltaTable(str(path))
    ids = dt.to_pyarrow_dataset().to_table(columns=["id"]).column("id")
    return dt.version(), len(ids), pc.sum(ids).as_py() or 0


def assert_same_contents(path: Path, expected: pa.Table) -> None:
    """Reads a table through delta-rs and compares every column with `expected`."""
    got = DeltaTable(str(path)).to_pyarrow_dataset().to_table()
    check(got.num_rows == expected.num_rows,
          f"{path}: delta-rs reads {got.num_rows} rows, {expected.num_rows} were written")
    got = got.select(expected.schema.names).cast(expected.schema).sort_by("id")
    for name in expected.schema.names:
        same = got.column(name).equals(expected.column(name))
        check(same, f"{path}: column '{name}' read back through delta-rs differs from what was written")


# ---------------------------------------------------------------------------------------------
# The benchmarks. Each returns a list of result rows for the report.


def bench_write(binary: Path, workdir: Path, source: Path, size: dict) -> list[dict]:
    rows = size["write_rows"]
    data = pq.read_table(source)  # in memory, untimed; the C++ side loads it the same way
    check(data.num_rows == rows, f"source has {data.num_rows} rows, expected {rows}")
    times = {"tidelake": [], "pyarrow": [], "delta-rs": []}
    tl_dir, pa_file, rs_dir = workdir / "a_tidelake", workdir / "a_pyarrow.parquet", workdir / "a_deltars"
    tl = None
    # One untimed write per peer first: the timed ones then run in a warm process (allocator
    # pools, page mappings), as tidelake's do (delta_benchmark write --warmup 1).
    pq.write_table(data, fresh(workdir / "a_warmup.parquet"), compression="snappy")
    write_deltalake(str(fresh(workdir / "a_warmup")), data, mode="error")
    fresh(workdir / "a_warmup.parquet"), fresh(workdir / "a_warmup")
    # Interleaved repetitions, so a noisy neighbour affects every contender alike.
    for rep in range(size["write_reps"]):
        tl = run_tidelake(binary, "write", "--source", source, "--table", fresh(tl_dir))
        check(tl["rows"] == rows, f"tidelake wrote {tl['rows']} rows, expected {rows}")
        times["tidelake"].append(tl["seconds"])

        fresh(pa_file)
        start = time.perf_counter()
        pq.write_table(data, pa_file, compression="snappy")
        times["pyarrow"].append(time.perf_counter() - start)

        fresh(rs_dir)
        start = time.perf_counter()
        write_deltalake(str(rs_dir), data, mode="error")
        times["delta-rs"].append(time.perf_counter() - start)
        print(f"  (a) rep {rep + 1}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in times.items()), flush=True)

    # Answers: tidelake's table in full through delta-rs; the peers by count and sum.
    assert_same_contents(tl_dir, data)
    check(pq.read_metadata(pa_file).num_rows == rows, "pyarrow file has the wrong row count")
    rs = run_tidelake(binary, "count", "--table", rs_dir)  # tidelake reads delta-rs's table
    check(rs["rows"] == rows and rs["id_sum"] == id_sum(0, rows),
          f"delta-rs table: {rs['rows']} rows / sum {rs['id_sum']} as read by tidelake")

    t, p, r = (median(times[k]) for k in ("tidelake", "pyarrow", "delta-rs"))
    detail = (f"{rows:,} rows; bytes written: tidelake {tl['bytes']:,} ({tl['files']} files), "
              f"pyarrow {pa_file.stat().st_size:,}, delta-rs {directory_bytes(rs_dir):,}; "
              f"median of {size['write_reps']}")
    return [
        dict(bench="(a) append 10 M rows" if rows == 10_000_000 else f"(a) append {rows:,} rows",
             peer="pyarrow.parquet.write_table", tidelake=t, peer_value=p, unit="s",
             ratio=t / p, target="<= 1.1", met=t / p <= 1.1, detail=detail),
        dict(bench="", peer="delta-rs write_deltalake", tidelake=t, peer_value=r, unit="s",
             ratio=t / r, target="< 1", met=t / r < 1, detail=""),
    ]


def bench_load(binary: Path, workdir: Path, source: Path, size: dict) -> list[dict]:
    commits, reps = size["commits"], size["load_reps"]
    table = fresh(workdir / "b_log")
    built = run_tidelake(binary, "build-log", "--source", source, "--table", table,
                         "--commits", commits, "--interval", 10)
    print(f"  (b) built {commits:,} commits, {built['checkpoints']} checkpoints in {built['seconds']:.1f}s",
          flush=True)
    DeltaTable(str(table)).file_uris()  # untimed warm-up, as delta_benchmark does
    tl_times, rs_times, list_times, checkpoint_times = [], [], [], []
    for _ in range(reps // ROUND):  # interleaved rounds, see ROUND
        tl = run_tidelake(binary, "load", "--table", table, "--repeat", ROUND)
        check(tl["version"] == commits - 1 and tl["files"] == commits,
              f"tidelake loaded version {tl['version']} with {tl['files']} files, "
              f"expected {commits - 1} / {commits}")
        tl_times += tl["seconds"]
        list_times += tl["list_seconds"]
        checkpoint_times += tl["checkpoint_seconds"]
        for _ in range(ROUND):
            start = time.perf_counter()
            dt = DeltaTable(str(table))
            version, files = dt.version(), len(dt.file_uris())
            rs_times.append(time.perf_counter() - start)
            check(version == commits - 1 and files == commits,
                  f"delta-rs loaded version {version} with {files} files, expected {commits - 1} / {commits}")
    t, r = median(tl_times), median(rs_times)
    return [dict(bench=f"(b) snapshot load, {commits:,} commits", peer="delta-rs DeltaTable(path)",
                 tidelake=t, peer_value=r, unit="s", ratio=t / r, target="< 1", met=t / r < 1,
                 detail=f"checkpoint every 10 (last at {(commits - 1) // 10 * 10}), {commits:,} live files; "
                        f"median of {reps}; of tidelake's load, listing `_delta_log` takes "
                        f"{median(list_times) * 1e3:.1f} ms and reading the checkpoint "
                        f"{median(checkpoint_times) * 1e3:.1f} ms (measured separately)")]


def bench_scan(binary: Path, workdir: Path, source: Path, size: dict) -> list[dict]:
    files, per_file, reps = size["scan_files"], size["scan_rows_per_file"], size["scan_reps"]
    total = files * per_file
    table = fresh(workdir / "c_scan")
    built = run_tidelake(binary, "build-scan", "--source", source, "--table", table,
                         "--files", files, "--rows-per-file", per_file)
    check(built["files"] == files, f"build-scan wrote {built['files']} files, expected {files}")
    lo = total * 42 // 100 + per_file // 3  # not aligned to file boundaries
    hi = lo + total // 100
    expected = (hi - lo, id_sum(lo, hi))
    query = (f"SELECT count(*), sum(id) FROM read_parquet('{table}/*.parquet') "
             f"WHERE id >= {lo} AND id < {hi}")
    duckdb.connect().execute(query).fetchone()  # untimed warm-up, as delta_benchmark does
    tl = {"seconds": [], "load_seconds": [], "plan_seconds": [], "read_seconds": []}
    db_times = []
    for _ in range(reps // ROUND):  # interleaved rounds, see ROUND
        run = run_tidelake(binary, "scan", "--table", table, "--lo", lo, "--hi", hi, "--repeat", ROUND)
        check((run["count"], run["id_sum"]) == expected,
              f"tidelake scan returned {run['count']} rows / sum {run['id_sum']}, expected {expected}")
        for key in tl:
            tl[key] += run[key]
        tl["files_read"], tl["files_total"] = run["files_read"], run["files_total"]
        for _ in range(ROUND):
            con = duckdb.connect()  # a fresh database each time: no cached footers or file data
            start = time.perf_counter()
            got = con.execute(query).fetchone()
            db_times.append(time.perf_counter() - start)
            con.close()
            check((got[0], int(got[1])) == expected, f"DuckDB returned {got}, expected {expected}")
    t, d = median(tl["seconds"]), median(db_times)
    detail = (f"{files:,} files x {per_file:,} rows, {lo:,} <= id < {hi:,} ({hi - lo:,} rows); tidelake read "
              f"{tl['files_read']} of {tl['files_total']} files; tidelake median split: load "
              f"{median(tl['load_seconds']) * 1e3:.1f} ms, plan (skipping) {median(tl['plan_seconds']) * 1e3:.1f} ms, "
              f"read {median(tl['read_seconds']) * 1e3:.1f} ms; median of {reps}")
    return [dict(bench=f"(c) filtered scan, {files:,} files", peer="DuckDB read_parquet + WHERE",
                 tidelake=t, peer_value=d, unit="s", ratio=t / d, target="none set", met=None, detail=detail)]


def bench_appends(binary: Path, workdir: Path, source: Path, size: dict) -> list[dict]:
    count, rows = size["appends"], size["append_rows"]
    data = pq.read_table(source).slice(0, (count + 1) * rows).combine_chunks()
    batches = [data.slice(i * rows, rows) for i in range(count + 1)]
    expected = ((count + 1) * rows, id_sum(0, (count + 1) * rows))

    tl_dir = fresh(workdir / "d_tidelake")
    tl = run_tidelake(binary, "appends", "--source", source, "--table", tl_dir, "--count", count, "--rows", rows)

    # delta-rs twice: by path, as tidelake's DeltaTable::Write(location, ...) is called (the
    # table is opened for every write), and through one DeltaTable handle whose state it
    # updates in place after each commit (what a long-running delta-rs sink would do).
    rs_seconds = {}
    for variant in ("path", "handle"):
        rs_dir = fresh(workdir / f"d_deltars_{variant}")
        write_deltalake(str(rs_dir), batches[0], mode="error")  # creates the table, untimed
        target = str(rs_dir) if variant == "path" else DeltaTable(str(rs_dir))
        start = time.perf_counter()
        for batch in batches[1:]:
            write_deltalake(target, batch, mode="append")
        rs_seconds[variant] = time.perf_counter() - start
        rs = run_tidelake(binary, "count", "--table", rs_dir)  # read by tidelake
        check((rs["version"], rs["rows"], rs["id_sum"]) == (count, *expected),
              f"delta-rs's append table ({variant}) as read by tidelake: {rs}")
    version, n, s = deltars_summary(tl_dir)  # tidelake's table read by delta-rs
    check((version, n, s) == (count, *expected),
          f"tidelake's append table as read by delta-rs: version {version}, {n} rows, sum {s}")

    detail = (f"{count:,} commits of {rows} rows into an existing table; tidelake latency p50 "
              f"{tl['p50_seconds'] * 1e3:.1f} ms, p99 {tl['p99_seconds'] * 1e3:.1f} ms, max "
              f"{tl['max_seconds'] * 1e3:.1f} ms; ratio is tidelake's total time / delta-rs's")
    rows_out = []
    for variant, label in (("path", "delta-rs write_deltalake(path)"),
                           ("handle", "delta-rs write_deltalake(DeltaTable)")):
        rows_out.append(dict(bench=f"(d) {count:,} appends of {rows} rows" if not rows_out else "",
                             peer=label, tidelake=count / tl["seconds"], peer_value=count / rs_seconds[variant],
                             unit="commits/s", ratio=tl["seconds"] / rs_seconds[variant], target="none set",
                             met=None, detail=detail if not rows_out else ""))
    return rows_out


# ---------------------------------------------------------------------------------------------
# Report


def format_value(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1e3:,.1f} ms" if value < 1 else f"{value:,.3f} s"
    return f"{value:,.1f} {unit}"


def write_report(path: Path, results: list[dict], info: dict) -> None:
    lines = [
        "# Delta engine benchmarks (issue 2)",
        "",
        f"Generated by `bench/run_delta_benchmarks.py` on {info['date']}.",
        "",
        f"Command (from the repository root): `{info['command']}`",
        "",
        *machine_rows(info),
        f"| tidelake | commit {info['commit']}, {info['build']} |",
        f"| peers | pyarrow {pa.__version__}, deltalake (delta-rs) {deltalake.__version__}, "
        f"duckdb {duckdb.__version__} |",
        "",
        "Times are wall-clock medians (each contender's time covers only the operation, never loading "
        "the input). **ratio = tidelake / peer** for times (below 1: tidelake is faster); for (d) it is "
        "the ratio of the total times of the appends. Every answer was verified before it was reported.",
        "",
        "| benchmark | peer | tidelake | peer | tidelake / peer | target | met |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        met = "—" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(f"| {r['bench']} | {r['peer']} | {format_value(r['tidelake'], r['unit'])} | "
                     f"{format_value(r['peer_value'], r['unit'])} | {r['ratio']:.2f} | {r['target']} | {met} |")
    lines += ["", "## Targets (from issue 2)", ""]
    for r, bench in _with_bench_names(results):
        if r["met"] is None:
            continue
        verdict = "met" if r["met"] else "NOT met"
        lines.append(f"- {bench} vs {r['peer']}: tidelake / peer {r['target']} — {verdict} "
                     f"(measured {r['ratio']:.2f}).")
    lines.append("- (c) and (d): no target was set; the ratios are recorded.")
    if max(info["load_start"], info["load_end"]) > 1.0:
        lines += ["", f"The machine's {info['nproc']} CPUs were shared with other work during this run "
                  f"(load average up to {max(info['load_start'], info['load_end']):.1f}); repetitions were "
                  "interleaved between contenders, but single ratios can move by about 10 % between runs."]
    lines += ["", "## Details", ""]
    for r in results:
        if r["detail"]:
            lines.append(f"- **{r['bench']}**: {r['detail']}")
    lines += ["", "## Method", "", *METHOD, ""]
    path.write_text("\n".join(lines))


def _with_bench_names(results: list[dict]):
    """Pairs each row with its benchmark name (continuation rows have an empty one)."""
    name = ""
    for r in results:
        name = r["bench"] or name
        yield r, name


METHOD = [
    "- Source data: generated once with numpy (seed 20240611) and stored as Parquet (snappy): "
    "`id` int64 ascending, `value` double (1 % nulls), `name` string (high cardinality), "
    "`ts` timestamp(us, UTC), `flag` bool, `category` string (8 values).",
    "- (a) Each contender first reads the source into memory (untimed), then times only the write "
    "into a new location, after one untimed warm-up write each: tidelake `DeltaTable::Write` (Parquet + Delta statistics + commit), "
    "`pyarrow.parquet.write_table(compression='snappy')` (no Delta log: the physical floor, same "
    "Parquet library as tidelake), delta-rs `write_deltalake(mode='error')`. Repetitions are "
    "interleaved. tidelake's table is then read back in full through delta-rs and compared column "
    "by column; delta-rs's table is read by tidelake (count and sum of `id`). Threads: tidelake "
    "encodes a file's columns in parallel on Arrow's CPU pool (all cores) and takes its `add.stats` "
    "from the Parquet footer; `write_table` encodes on one thread (its default); each contender runs "
    "as it does by default.",
    "- (b) The table is built by tidelake: version 0 is a real write, versions 1..N-1 each append "
    "one 10-row file (hard links of the first) with a commit file as tidelake's transaction "
    "writes it, and a classic checkpoint plus `_last_checkpoint` every 10 versions. Timed: "
    "`Snapshot::Load` (list the log, read the newest checkpoint and the commits after it, "
    "replay) vs `DeltaTable(path)` followed by `.version()` and `.file_uris()`. Both must report "
    "the last version and N live files.",
    "- (c) tidelake writes the first rows of the source as N files of P rows each (disjoint, "
    "ascending `id` ranges; one commit). The filter `lo <= id < hi` selects 1 % of the rows, not "
    "aligned to file boundaries. tidelake's time is snapshot load + data skipping on `add.stats` "
    "+ reading column `id` of the surviving files and counting; DuckDB runs "
    "`SELECT count(*), sum(id) FROM read_parquet('<table>/*.parquet') WHERE ...` on a fresh "
    "connection each time (footer statistics prune row groups). Both counts and sums are checked.",
    "- (d) Each engine creates its table with one untimed 100-row write, then appends N batches "
    "of 100 rows one commit at a time (the streaming-sink pattern); tidelake uses "
    "`DeltaTable::Write(kAppend)` (a fresh snapshot each time), delta-rs "
    "`write_deltalake(..., mode='append')`, both by path (the table is opened for every write, as "
    "tidelake does) and through one `DeltaTable` handle it keeps up to date. Each engine checkpoints at its own default "
    "interval (tidelake 10, delta-rs 100). Each table is then read by the other engine and "
    "its version, row count and sum of `id` checked.",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for smoke testing")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "tidelake-delta-bench")
    parser.add_argument("--binary", type=Path, default=ROOT / "build/bench/delta_benchmark")
    parser.add_argument("--output", type=Path, help="report path (default: bench/RESULTS.md, "
                        "or RESULTS-quick.md in the work directory with --quick)")
    parser.add_argument("--only", default="abcd", help="run only these benchmarks, e.g. 'bd'")
    args = parser.parse_args()

    if not args.binary.exists():
        print(f"{args.binary} is missing; build it first:\n  {BUILD_HINT}", file=sys.stderr)
        return 2
    size = SIZES["quick" if args.quick else "full"]
    output = args.output or (args.workdir / "RESULTS-quick.md" if args.quick else ROOT / "bench/RESULTS.md")
    args.workdir.mkdir(parents=True, exist_ok=True)
    build_type = build_type_of(args.binary)

    info = run_info("bench/run_delta_benchmarks.py", build=build_type)
    rows_needed = max(size["write_rows"], size["scan_files"] * size["scan_rows_per_file"],
                      (size["appends"] + 1) * size["append_rows"])
    source = ensure_source(args.workdir, rows_needed)
    if size["write_rows"] != rows_needed:
        raise SystemExit("the write benchmark reads the whole source; write_rows must be the largest size")

    benches = {"a": bench_write, "b": bench_load, "c": bench_scan, "d": bench_appends}
    results = []
    try:
        for key in args.only:
            print(f"running ({key}) ...", flush=True)
            results += benches[key](args.binary, args.workdir, source, size)
    except AnswerError as e:
        print(f"WRONG ANSWER: {e}", file=sys.stderr)
        return 1
    info["load_end"] = os.getloadavg()[0]
    write_report(output, results, info)
    print(output.read_text())
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
