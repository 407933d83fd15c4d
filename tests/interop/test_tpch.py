"""TPC-H at scale factor 1: each of the 22 queries returns the same result in tidelake (over
Delta tables loaded from tpchgen-cli's Parquet files) as in DuckDB (over those Parquet files).

Both engines run the same query text (tests/tpch/queries, the validation parameters). tidelake
writes its result as Parquet (`--format parquet`), so the comparison sees its result types:
values compare exactly, except doubles (1e-9 relative; against a decimal, also half a unit of
its last place). Decimal result types differ between the engines (Spark's rules vs DuckDB's),
so values are compared, not types. Rows must follow the ORDER BY; rows that tie on it compare
as a multiset.

The data is generated once into .deps/tpch/sf1 (about 15 s) and loaded into one lake per
test session.
"""

import subprocess

import pyarrow.parquet as pq
import pytest

import tpch_common as tpch

@pytest.fixture(scope="module")
def tpch_data():
    return tpch.ensure_data(1)


@pytest.fixture(scope="module")
def tpch_lake(tidelake_bin, tpch_data, tmp_path_factory):
    lake = tmp_path_factory.mktemp("tpch") / "lake"
    tpch.load_lake(tidelake_bin, lake, tpch_data)
    return lake


@pytest.fixture(scope="module")
def duckdb_con(tpch_data):
    con = tpch.duckdb_connection(tpch_data)
    yield con
    con.close()


def test_loaded_tables_match_the_parquet_files(tidelake_bin, tpch_lake, tpch_data, tmp_path):
    script = f"USE {tpch.ZONE}; " + " UNION ALL ".join(
        f"SELECT '{t}' AS t, count(*) AS n FROM {t}" for t in tpch.TABLES)
    out = tmp_path / "counts.parquet"
    proc = subprocess.run([tidelake_bin, "sql", "--lake", str(tpch_lake), "--format", "parquet", "--output",
                           str(out), "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    got = {r["t"]: r["n"] for r in pq.read_table(out).to_pylist()}
    want = {t: pq.read_metadata(tpch_data / f"{t}.parquet").num_rows for t in tpch.TABLES}
    assert got == want


@pytest.mark.parametrize("n", tpch.QUERIES, ids=[f"q{n:02d}" for n in tpch.QUERIES])
def test_tpch_query_matches_duckdb(n, tidelake_bin, tpch_lake, duckdb_con, tmp_path):
    sql = tpch.query_text(n)
    out = tmp_path / f"q{n:02d}.parquet"
    proc = subprocess.run([tidelake_bin, "sql", "--lake", str(tpch_lake), "--format", "parquet", "--output",
                           str(out), "-c", f"USE {tpch.ZONE};\n{sql}"], capture_output=True, text=True)
    assert proc.returncode == 0, f"q{n:02d} failed in tidelake: {proc.stderr}"
    table = pq.read_table(out)
    got = [tuple(r.values()) for r in table.to_pylist()]
    want = duckdb_con.execute(sql).fetchall()
    assert table.num_columns == len(duckdb_con.description)
    assert got, "tidelake returned no rows"  # every TPC-H query has rows at SF1
    diff = tpch.compare_results(got, want, tpch.ORDER_BY.get(n))
    assert diff is None, f"q{n:02d}: {diff}"
