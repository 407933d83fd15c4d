#!/usr/bin/env python3
"""TPC-H at scale factor 1 (issue 3): tidelake against DuckDB, Polars and Spark, in one run.

    .deps/venv/bin/python bench/run_tpch_benchmark.py [--queries 1,3,6] [--no-spark]

The data is tpchgen-cli's Parquet (generated once into .deps/tpch/sf1). tidelake runs the 22
queries (tests/tpch/queries, the validation parameters) with `tidelake sql` over Delta tables
loaded from those files (`CREATE TABLE tpch.<t> AS SELECT * FROM read_parquet(...)`), under a
4 GB memory limit; DuckDB and Polars run the same text over the Parquet files; Spark (local
mode, pyspark + delta-spark) over tidelake's Delta tables. Every engine's answer is compared
with DuckDB's (tests/interop/tpch_common.compare_results); a wrong answer fails the run (exit
status 1), a query an engine cannot run is reported as such, and a missed target is recorded.

Timing: per query, the best of --runs (default 3) wall-clock runs; Spark runs each query
--spark-runs times (default 1: its first run includes JIT warm-up). tidelake's time is its
own `--timer` report of each statement (parse, plan, snapshot load, execution, writing the
few result rows) with the query repeated in one process, so process start and lake opening are
not counted; DuckDB's and Polars' are the time of execute + fetch in Python; Spark's of
`spark.sql(q).collect()`. The report goes into the `## TPC-H SF1` section of bench/RESULTS.md
(other sections are kept).
"""

from __future__ import annotations

import argparse
import math
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
sys.path.insert(0, str(ROOT / "tests" / "interop"))
import tpch_common as tpch  # noqa: E402

BUILD_HINT = (
    "cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTIDELAKE_SANITIZE=OFF "
    "-DTIDELAKE_BUILD_BENCHMARKS=ON -DTIDELAKE_BUILD_TESTS=OFF \"-DCMAKE_CXX_FLAGS=-Wno-restrict\" && "
    "cmake --build build/bench --target tidelake_cli"
)
MEMORY_LIMIT = "4GB"
SECTION = "## TPC-H SF1"


class AnswerError(Exception):
    """An engine returned a wrong answer."""


# ---------------------------------------------------------------------------------------------
# Engines: each returns (best seconds, rows) or raises NotSupported for a query it cannot run.


class NotSupported(Exception):
    pass


def run_tidelake(binary: Path, lake: Path, n: int, runs: int, workdir: Path) -> tuple[float, list[tuple], float]:
    """Best --timer time of `runs` repetitions in one process, the rows, the process's peak RSS (MiB)."""
    import pyarrow.parquet as pq

    out = workdir / f"tidelake-q{n:02d}.parquet"
    sql = tpch.query_text(n).strip().rstrip(";")
    script = f"USE {tpch.ZONE};\n" + "".join(f"{sql};\n" for _ in range(runs))
    proc = subprocess.Popen([str(binary), "sql", "--lake", str(lake), "--memory-limit", MEMORY_LIMIT, "--timer",
                             "--format", "parquet", "--output", str(out), "-c", script],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = proc.stderr.read()
    proc.wait()
    if proc.returncode != 0:
        raise NotSupported(stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {proc.returncode}")
    times = [float(m) for m in re.findall(r"Run Time: ([0-9.eE+-]+) s", stderr)]
    if len(times) != runs + 1:  # USE, then the query `runs` times
        raise RuntimeError(f"q{n:02d}: expected {runs + 1} timings from tidelake, got: {stderr}")
    rows = [tuple(r.values()) for r in pq.read_table(out).to_pylist()]
    # The process's own peak (a child's ru_maxrss would include this Python process's memory).
    peak = re.search(r"Peak memory: ([0-9]+) MiB", stderr)
    return min(times[1:]), rows, float(peak.group(1)) if peak else None


def run_duckdb(con, n: int, runs: int) -> tuple[float, list[tuple]]:
    sql = tpch.query_text(n)
    best, rows = math.inf, None
    for _ in range(runs):
        start = time.perf_counter()
        rows = con.execute(sql).fetchall()
        best = min(best, time.perf_counter() - start)
    return best, rows


def run_polars(ctx, n: int, runs: int) -> tuple[float, list[tuple]]:
    sql = tpch.query_text(n)
    best, rows = math.inf, None
    for _ in range(runs):
        start = time.perf_counter()
        try:
            frame = ctx.execute(sql).collect()
        except Exception as e:  # noqa: BLE001 - Polars' SQL coverage differs; report it
            raise NotSupported(f"{type(e).__name__}: {str(e).splitlines()[0][:120]}") from e
        best = min(best, time.perf_counter() - start)
        rows = [tuple(r) for r in frame.rows()]
    return best, rows


def spark_session(lake: Path):
    from delta import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession

    cores = os.cpu_count() or 1
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("tidelake-tpch")
        .config("spark.jars.ivy", str(ROOT / ".deps" / "ivy"))
        .config("spark.jars.ivySettings", str(ROOT / "scripts" / "spark-ivysettings.xml"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        # Delta's snapshot state is 50 partitions by default, sized for clusters.
        .config("spark.databricks.delta.snapshotPartitions", str(max(2, cores)))
        .config("spark.sql.shuffle.partitions", str(max(2, cores)))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
    )
    spark = configure_spark_with_delta_pip(builder).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    for t in tpch.TABLES:
        spark.read.format("delta").load(str(lake / tpch.ZONE / t)).createOrReplaceTempView(t)
    return spark


def run_spark(spark, n: int, runs: int) -> tuple[float, list[tuple]]:
    sql = tpch.query_text(n).strip().rstrip(";")
    best, rows = math.inf, None
    for _ in range(runs):
        start = time.perf_counter()
        try:
            result = spark.sql(sql).collect()
        except Exception as e:  # noqa: BLE001
            raise NotSupported(f"{type(e).__name__}: {str(e).splitlines()[0][:120]}") from e
        best = min(best, time.perf_counter() - start)
        rows = [tuple(r) for r in result]
    return best, rows


# ---------------------------------------------------------------------------------------------
# Report


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


def fmt_time(t: float | None) -> str:
    if t is None:
        return "—"
    return f"{t * 1e3:,.0f} ms" if t < 10 else f"{t:,.1f} s"


def section_text(results: dict, info: dict, engines: list[str]) -> str:
    queries = sorted(results)
    lines = [
        SECTION,
        "",
        f"Generated by `bench/run_tpch_benchmark.py` on {info['date']}.",
        "",
        f"Command (from the repository root): `{info['command']}`",
        "",
        *machine_rows(info),
        f"| tidelake | commit {info['commit']}, {info['build']}, `--memory-limit {MEMORY_LIMIT}` |",
        f"| peers | {info['peers']} |",
        "",
        f"Wall-clock time per query: the best of {info['runs']} runs for tidelake, DuckDB and Polars"
        + (f", {info['spark_runs']} run(s) for Spark" if "spark" in engines else "")
        + ". Every answer was compared with DuckDB's (values exact, doubles to 1e-9 relative, "
        "ORDER BY order respected); — marks a query the engine could not run (reason below).",
        "",
    ]
    header = "| query | tidelake | DuckDB | Polars |" + (" Spark |" if "spark" in engines else "")
    header += " tidelake / DuckDB | tidelake / Polars |" + (" Spark / tidelake |" if "spark" in engines else "")
    header += " tidelake max RSS |"
    lines.append(header)
    lines.append("| --- " + "| ---: " * (header.count("|") - 2) + "|")
    ratios = {"duckdb": [], "polars": [], "spark": []}
    for n in queries:
        r = results[n]
        t = r.get("tidelake")
        cells = [f"Q{n}", fmt_time(t), fmt_time(r.get("duckdb")), fmt_time(r.get("polars"))]
        if "spark" in engines:
            cells.append(fmt_time(r.get("spark")))
        for peer in ("duckdb", "polars"):
            if t is not None and r.get(peer) is not None:
                ratio = t / r[peer]
                ratios[peer].append(ratio)
                cells.append(f"{ratio:.2f}")
            else:
                cells.append("—")
        if "spark" in engines:
            if t is not None and r.get("spark") is not None:
                ratio = r["spark"] / t
                ratios["spark"].append(ratio)
                cells.append(f"{ratio:.1f}")
            else:
                cells.append("—")
        cells.append(f"{r['rss_mib']:,.0f} MiB" if r.get("rss_mib") else "—")
        lines.append("| " + " | ".join(cells) + " |")
    summary = ["**geomean**", "", "", ""] + ([""] if "spark" in engines else [])
    for peer in ("duckdb", "polars"):
        summary.append(f"**{geomean(ratios[peer]):.2f}**" if ratios[peer] else "—")
    if "spark" in engines:
        summary.append(f"**{geomean(ratios['spark']):.1f}**" if ratios["spark"] else "—")
    summary.append("")
    lines.append("| " + " | ".join(summary) + " |")

    g_duck = geomean(ratios["duckdb"])
    g_spark = geomean(ratios["spark"]) if ratios["spark"] else None
    ran = [n for n in queries if results[n].get("tidelake") is not None]
    lines += ["", "### Targets (from issue 3)", ""]
    lines.append(f"- Geometric mean within 2x of DuckDB: {'met' if g_duck <= 2 else 'NOT met'} "
                 f"(tidelake / DuckDB = {g_duck:.2f} over the {len(ratios['duckdb'])} queries tidelake ran).")
    if g_spark is not None:
        lines.append(f"- At least 5x faster than Spark local mode: {'met' if g_spark >= 5 else 'NOT met'} "
                     f"(Spark / tidelake = {g_spark:.1f} over {len(ratios['spark'])} queries).")
    else:
        lines.append("- At least 5x faster than Spark local mode: not measured in this run.")
    peak = max((results[n].get("rss_mib") or 0) for n in queries)
    lines.append(f"- Every query within a 4 GB memory limit: {len(ran)} of {len(queries)} queries ran under "
                 f"`--memory-limit {MEMORY_LIMIT}` (largest process max RSS {peak:,.0f} MiB); "
                 + ("none failed for memory." if not any("memory" in (results[n].get("tidelake_error") or "")
                                                       for n in queries) else "some failed for memory (below)."))
    missing = [(n, e, results[n].get(f"{e}_error")) for n in queries for e in engines
               if results[n].get(f"{e}_error")]
    if missing:
        lines += ["", "Queries an engine could not run:", ""]
        for n, e, err in missing:
            lines.append(f"- Q{n}, {e}: {err}")
    if max(info["load_start"], info["load_end"]) > 1.0:
        lines += ["", f"The machine's {info['nproc']} CPUs were shared with other work during this run "
                  f"(load average up to {max(info['load_start'], info['load_end']):.1f}); each query's "
                  "engines ran back to back, but single ratios can move by tens of percent between runs."]
    lines += ["", "### Method", "", *METHOD, ""]
    return "\n".join(lines)


METHOD = [
    "- Data: `tpchgen-cli parquet -s 1` (tpchgen-cli 4.0.0; 8 Parquet files, snappy, strings as "
    "`string_view`), cached in `.deps/tpch/sf1`. DuckDB and Polars read these files; tidelake loads "
    "each into a Delta table with `CREATE TABLE tpch.<t> AS SELECT * FROM read_parquet(...)` "
    "(untimed); Spark reads tidelake's Delta tables.",
    "- Queries: the 22 TPC-H queries with the validation substitution parameters, as DuckDB's tpch "
    "extension has them (`tests/tpch/queries`); every engine runs the same text unchanged.",
    "- tidelake: one `tidelake sql --memory-limit 4GB --timer` process per query running "
    "`USE tpch;` and the query N times; its reported statement times count parsing, binding (which "
    "loads the tables' snapshots), optimizing, executing and writing the result rows (Parquet, "
    "for the answer check), not process start-up. Max RSS is the process's peak resident memory.",
    "- DuckDB: one connection with a view per table over `read_parquet`, `SET memory_limit='4GB'`, "
    "default threads (all cores); Polars: `SQLContext` over `scan_parquet` frames, `collect()`; "
    "Spark: local mode with all cores, driver memory 4 GB, shuffle partitions and Delta snapshot "
    "partitions = cores, temp views over `spark.read.format('delta')` created before timing.",
    "- Ratios: tidelake / peer per query (below 1: tidelake is faster), Spark / tidelake for the "
    "speed-up over Spark; the geometric means are over the queries both engines ran.",
]




# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, default=ROOT / "build/bench/tidelake")
    parser.add_argument("--queries", default="", help="comma-separated query numbers (default: all 22)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--spark-runs", type=int, default=1)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "tidelake-tpch-bench")
    parser.add_argument("--output", type=Path, default=ROOT / "bench/RESULTS.md")
    args = parser.parse_args()

    if not args.binary.exists():
        print(f"{args.binary} is missing; build it first:\n  {BUILD_HINT}", file=sys.stderr)
        return 2
    queries = [int(q) for q in args.queries.split(",") if q] or tpch.QUERIES
    engines = ["tidelake", "duckdb", "polars"] + ([] if args.no_spark else ["spark"])
    build_type = build_type_of(args.binary)

    import duckdb
    import polars as pl

    info = run_info("bench/run_tpch_benchmark.py", build=build_type, runs=args.runs, spark_runs=args.spark_runs)
    peers = [f"duckdb {duckdb.__version__}", f"polars {pl.__version__}"]

    data = tpch.ensure_data(1)
    args.workdir.mkdir(parents=True, exist_ok=True)
    lake = args.workdir / "lake"
    if lake.exists():
        shutil.rmtree(lake)
    print(f"loading TPC-H SF1 into {lake} ...", flush=True)
    tpch.load_lake(str(args.binary), lake, data)

    con = tpch.duckdb_connection(data)
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    ctx = pl.SQLContext({t: pl.scan_parquet(str(data / f"{t}.parquet")) for t in tpch.TABLES})
    spark = None
    if "spark" in engines:
        import pyspark

        print("starting Spark ...", flush=True)
        spark = spark_session(lake)
        peers.append(f"pyspark {pyspark.__version__} (local[{os.cpu_count()}]) + delta-spark")
    info["peers"] = ", ".join(peers)

    results: dict[int, dict] = {}
    wrong = []
    for n in queries:
        r = results.setdefault(n, {})
        t_duck, reference = run_duckdb(con, n, args.runs)
        r["duckdb"] = t_duck
        order = tpch.ORDER_BY.get(n)

        def measure(engine: str, label: str, run) -> None:
            """Times one engine on query n and checks its answer against DuckDB's."""
            try:
                t, rows, *rss = run()
            except NotSupported as e:
                r[f"{engine}_error"] = str(e)
                return
            r[engine] = t
            if rss:
                r["rss_mib"] = rss[0]
            diff = tpch.compare_results(rows, reference, order)
            if diff:
                wrong.append(f"{label} Q{n}: {diff}")

        measure("tidelake", "tidelake", lambda: run_tidelake(args.binary, lake, n, args.runs, args.workdir))
        measure("polars", "Polars", lambda: run_polars(ctx, n, args.runs))
        if spark is not None:
            measure("spark", "Spark", lambda: run_spark(spark, n, args.spark_runs))
        print(f"Q{n:02d}: " + ", ".join(f"{e} {fmt_time(r.get(e))}" for e in engines), flush=True)
    if spark is not None:
        spark.stop()
    info["load_end"] = os.getloadavg()[0]
    if wrong:
        print("WRONG ANSWERS:\n  " + "\n  ".join(wrong), file=sys.stderr)
        return 1
    replace_section(args.output, SECTION, section_text(results, info, engines))
    print(f"wrote the {SECTION} section of {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
