"""TPC-H at scale factor 1, shared by tests/interop/test_tpch.py and bench/run_tpch_benchmark.py:
the data (generated once by tpchgen-cli into .deps/tpch/sf1), the 22 query texts
(tests/tpch/queries), loading the tables into a tidelake lake, and comparing two result sets.
"""

from __future__ import annotations

import decimal
import math
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUERY_DIR = ROOT / "tests" / "tpch" / "queries"
DEFAULT_DATA_DIR = ROOT / ".deps" / "tpch"
TABLES = ["region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"]
QUERIES = list(range(1, 23))
# The zone the tables are loaded into; queries run after `USE tpch` so that their
# unqualified table names resolve there.
ZONE = "tpch"

# The output columns (by position) of each query's ORDER BY, in order; a query not listed
# has no ORDER BY (it returns one row).
ORDER_BY = {
    1: [0, 1], 2: [0, 2, 1, 3], 3: [1, 2], 4: [0], 5: [1], 7: [0, 1, 2], 8: [0], 9: [0, 1],
    10: [2], 11: [1], 12: [0], 13: [1, 0], 15: [0], 16: [3, 0, 1, 2], 18: [4, 3], 20: [0],
    21: [1, 0], 22: [0],
}


def query_text(n: int) -> str:
    return (QUERY_DIR / f"q{n:02d}.sql").read_text()


def tpchgen_cli() -> str:
    beside_python = Path(sys.executable).parent / "tpchgen-cli"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("tpchgen-cli")
    if not found:
        raise RuntimeError("tpchgen-cli not found: run scripts/setup.sh")
    return found


def ensure_data(scale: int = 1, base: Path = DEFAULT_DATA_DIR) -> Path:
    """The directory of <table>.parquet files at `scale`, generated on first use."""
    out = base / f"sf{scale}"
    if all((out / f"{t}.parquet").exists() for t in TABLES):
        return out
    tmp = base / f"sf{scale}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    subprocess.run([tpchgen_cli(), "parquet", "-s", str(scale), f"--output-dir={tmp}"], check=True,
                   capture_output=True)
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out


def load_lake(binary: str, lake: Path, data: Path) -> None:
    """Creates tpch.<table> in `lake` as a Delta table from each Parquet file (one process)."""
    script = "".join(
        f"CREATE TABLE {ZONE}.{t} AS SELECT * FROM read_parquet('{data / (t + '.parquet')}');\n" for t in TABLES)
    proc = subprocess.run([binary, "sql", "--lake", str(lake), "-c", script], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"loading TPC-H into {lake} failed: {proc.stderr}")


def duckdb_connection(data: Path):
    """A DuckDB connection with one view per table over the Parquet files."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    for t in TABLES:
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{data / (t + '.parquet')}')")
    return con


# ---------------------------------------------------------------------------------------------
# Comparing result sets


def _numeric(v) -> bool:
    return isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool)


def values_equal(a, b, rel: float = 1e-9) -> bool:
    """Exact for everything but floating point. A double compares with a tolerance of `rel`
    relative; against a decimal of scale s, also half a unit of the s-th decimal place (the
    decimal side was rounded to s digits: Spark's avg of a decimal is a decimal, DuckDB's a
    double)."""
    if a is None or b is None:
        return a is None and b is None
    if _numeric(a) and _numeric(b):
        if isinstance(a, float) or isinstance(b, float):
            x, y = float(a), float(b)
            if math.isnan(x) or math.isnan(y):
                return math.isnan(x) and math.isnan(y)
            tolerance = rel * max(abs(x), abs(y))
            for d in (a, b):
                if isinstance(d, decimal.Decimal):
                    tolerance += 0.5 * 10.0 ** d.as_tuple().exponent
            return abs(x - y) <= tolerance
        return decimal.Decimal(a) == decimal.Decimal(b)
    return a == b


def rows_equal(r: tuple, s: tuple) -> bool:
    return len(r) == len(s) and all(values_equal(a, b) for a, b in zip(r, s))


def _sort_key(row: tuple):
    """A total order on rows for multiset comparison; numbers compare as floats rounded to 9
    significant digits, so that equal values of different types (and doubles within
    tolerance) sort alike."""
    key = []
    for v in row:
        if v is None:
            key.append((0, ""))
        elif _numeric(v):
            f = float(v)
            key.append((1, float(f"{f:.9g}")))
        else:
            key.append((2, str(v)))
    return key


def multiset_diff(got: list[tuple], want: list[tuple]) -> str | None:
    if len(got) != len(want):
        return f"{len(got)} rows, expected {len(want)}"
    for i, (r, s) in enumerate(zip(sorted(got, key=_sort_key), sorted(want, key=_sort_key))):
        if not rows_equal(r, s):
            return f"(sorted) row {i}: {r} != expected {s}"
    return None


def compare_results(got: list[tuple], want: list[tuple], order_by: list[int] | None) -> str | None:
    """None when `got` equals `want`, else what differs. With `order_by` (output column
    positions of the ORDER BY), rows must come in the same order of those columns; rows that
    tie on them compare as a multiset."""
    if len(got) != len(want):
        return f"{len(got)} rows, expected {len(want)}"
    if not order_by:
        return multiset_diff(got, want)
    start = 0
    for i in range(len(want) + 1):
        if i < len(want):
            g, w = got[i], want[i]
            if not all(values_equal(g[c], w[c]) for c in order_by):
                return f"row {i} out of order: {g} != expected {w}"
            if i > start and all(values_equal(want[i][c], want[start][c]) for c in order_by):
                continue
        if i > start:  # rows start..i-1 tie on the ORDER BY columns
            diff = multiset_diff(got[start:i], want[start:i])
            if diff:
                return f"rows {start}..{i - 1}: {diff}"
        start = i
    return None
