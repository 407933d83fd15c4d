"""Tables written by tidelake are read by delta-rs and Spark with identical contents, and
tables they write are read by tidelake identically."""
import csv
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake


def sample_table(n: int = 1000) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "customer": pa.array([f"c{i % 17}" for i in range(n)]),
            "amount": pa.array([i * 1.25 for i in range(n)], pa.float64()),
            "region": pa.array([["north", "south", None][i % 3] for i in range(n)]),
        }
    )


def rows(table: pa.Table):
    return sorted(tuple(r.values()) for r in table.to_pylist())


def test_delta_rs_reads_partitioned_table_written_by_tidelake(tidelake, tmp_path):
    data = sample_table()
    src = tmp_path / "in.parquet"
    pq.write_table(data, src)
    tidelake("table", "load", "raw.sales", str(src), "--partition-by", "region")
    tidelake("table", "load", "raw.sales", str(src))
    table = DeltaTable(str(tidelake.lake / "raw" / "sales"))
    assert table.version() == 1
    got = table.to_pyarrow_table().select(data.column_names)
    assert rows(got) == sorted(rows(data) * 2)


def test_spark_reads_table_written_by_tidelake(tidelake, tmp_path, spark):
    data = sample_table(300)
    src = tmp_path / "in.parquet"
    pq.write_table(data, src)
    tidelake("table", "load", "refined.sales", str(src), "--partition-by", "region")
    df = spark.read.format("delta").load(str(tidelake.lake / "refined" / "sales"))
    got = sorted((r.id, r.customer, r.amount, r.region) for r in df.collect())
    assert got == rows(data)


def test_tidelake_reads_table_written_by_delta_rs(tidelake, tmp_path):
    data = sample_table(500)
    path = tmp_path / "by_delta_rs"
    write_deltalake(str(path), data, partition_by=["region"])
    write_deltalake(str(path), data.slice(0, 100), mode="append")
    out = tidelake("table", "scan", str(path), "--format", "json").stdout
    got = [json.loads(line) for line in out.splitlines()]
    expected = data.to_pylist() + data.slice(0, 100).to_pylist()
    key = lambda r: (r["id"], r["region"] or "")
    assert sorted(got, key=key) == sorted(expected, key=key)


def test_tidelake_reads_table_written_by_spark_after_merge(tidelake, tmp_path, spark):
    from delta.tables import DeltaTable as SparkDeltaTable

    path = str(tmp_path / "by_spark")
    spark.range(0, 100).selectExpr("id", "id * 2 as v").write.format("delta").save(path)
    updates = spark.range(50, 150).selectExpr("id", "id * 3 as v")
    (
        SparkDeltaTable.forPath(spark, path)
        .alias("t")
        .merge(updates.alias("s"), "t.id = s.id")
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute()
    )
    out = tidelake("table", "scan", path, "--format", "csv").stdout
    got = sorted((int(r["id"]), int(r["v"])) for r in csv.DictReader(io.StringIO(out)))
    expected = [(i, i * 2) for i in range(50)] + [(i, i * 3) for i in range(50, 150)]
    assert got == expected


def test_bad_input_is_a_clear_error_and_writes_nothing(tidelake, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,amount\n1,2.5\n2,3.5,extra\n")
    proc = tidelake("table", "load", "raw.bad", str(bad), check=False)
    assert proc.returncode != 0
    assert "bad.csv" in proc.stderr
    assert not (tidelake.lake / "raw" / "bad" / "_delta_log").exists()
    proc = tidelake("table", "scan", "raw.missing", check=False)
    assert proc.returncode != 0 and "no Delta table" in proc.stderr
    proc = tidelake("table", "scan", "raw.../etc", check=False)
    assert proc.returncode != 0
