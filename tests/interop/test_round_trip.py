"""Tables written by tidelake are read by delta-rs and Spark with identical contents, and
tables they write are read by tidelake identically."""
import csv
import datetime
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


def test_malformed_rows_name_file_and_line_or_go_to_quarantine(tidelake, tmp_path):
    bad_csv = tmp_path / "orders.csv"
    bad_csv.write_text("id,amount\n1,2.5\n2,3.5,extra\n3,4.5\n")
    proc = tidelake("table", "load", "raw.orders", str(bad_csv), check=False)
    assert proc.returncode != 0
    assert "orders.csv:3: expected 2 columns, got 3" in proc.stderr
    bad_json = tmp_path / "events.json"
    bad_json.write_text('{"id": 1}\n{"id": 2\n{"id": 3}\n')
    proc = tidelake("table", "load", "raw.events", str(bad_json), check=False)
    assert proc.returncode != 0
    assert "events.json:2: malformed JSON" in proc.stderr
    assert not (tidelake.lake / "raw" / "events" / "_delta_log").exists()

    tidelake("table", "load", "raw.events", str(bad_json), "--bad-rows=quarantine")
    ids = sorted(json.loads(l)["id"] for l in tidelake("table", "scan", "raw.events", "--format", "json").stdout.splitlines())
    assert ids == [1, 3]
    quarantined = [json.loads(l) for l in
                   tidelake("table", "scan", "raw.events_quarantine", "--format", "json").stdout.splitlines()]
    assert [(q["line"], q["row"]) for q in quarantined] == [(2, '{"id": 2')]
    assert "malformed JSON" in quarantined[0]["reason"]

    tidelake("table", "load", "raw.orders", str(bad_csv), "--bad-rows=quarantine")
    quarantined = [json.loads(l) for l in
                   tidelake("table", "scan", "raw.orders_quarantine", "--format", "json").stdout.splitlines()]
    assert [(q["line"], q["row"]) for q in quarantined] == [(3, "2,3.5,extra")]


def test_where_history_optimize_restore_vacuum_from_the_command(tidelake, tmp_path):
    data = sample_table(2000)
    src = tmp_path / "in.parquet"
    pq.write_table(data.slice(0, 1000), src)
    tidelake("table", "load", "curated.sales", str(src))
    pq.write_table(data.slice(1000, 1000), src)
    tidelake("table", "load", "curated.sales", str(src))
    out = tidelake("table", "scan", "curated.sales", "--where", "id >= 1990 AND region IS NOT NULL",
                   "--format", "json").stdout
    got = sorted(json.loads(l)["id"] for l in out.splitlines())
    assert got == [i for i in range(1990, 2000) if i % 3 != 2]
    bad = tidelake("table", "scan", "curated.sales", "--where", "idd = 3", check=False)
    assert bad.returncode != 0 and "unknown column 'idd'" in bad.stderr
    tidelake("table", "optimize", "curated.sales", "--zorder-by", "customer,amount")
    history = [json.loads(l) for l in tidelake("table", "history", "curated.sales", "--format", "json").stdout.splitlines()]
    assert [h["operation"] for h in history] == ["OPTIMIZE", "WRITE", "CREATE TABLE AS SELECT"]
    table = DeltaTable(str(tidelake.lake / "curated" / "sales"))
    assert rows(table.to_pyarrow_table().select(data.column_names)) == rows(data)
    tidelake("table", "restore", "curated.sales", "--version", "0")
    assert DeltaTable(str(tidelake.lake / "curated" / "sales")).to_pyarrow_table().num_rows == 1000
    refused = tidelake("table", "vacuum", "curated.sales", "--retain-hours", "0", check=False)
    assert refused.returncode != 0 and "--force" in refused.stderr
    tidelake("table", "vacuum", "curated.sales", "--retain-hours", "0", "--force")
    assert DeltaTable(str(tidelake.lake / "curated" / "sales")).to_pyarrow_table().num_rows == 1000


def test_spark_reads_tidelake_merge_and_delete_with_deletion_vectors(tidelake, tmp_path, spark):
    """The seed's upsert (whenMatchedUpdateAll + whenNotMatchedInsertAll) and a DELETE on a
    table with deletion vectors, written by tidelake, read by Spark (delta-rs 1.6 refuses to
    read deletion-vector tables at all, so it is not a peer here) and by tidelake."""
    path = tmp_path / "dv_table"
    spark.sql(f"CREATE TABLE delta.`{path}` (id BIGINT, kind STRING, v BIGINT) USING delta "
              "TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')")
    spark.range(0, 1000).selectExpr("id", "cast(id % 7 as string) as kind", "id * 2 as v").write.format(
        "delta").mode("append").save(str(path))
    updates = pa.table({"id": pa.array(list(range(900, 1100)), pa.int64()),
                        "kind": pa.array(["new"] * 200), "v": pa.array([-1] * 200, pa.int64())})
    src = tmp_path / "updates.parquet"
    pq.write_table(updates, src)
    tidelake("table", "merge", str(path), str(src), "--on", "id", "--update-all", "--insert-all")
    tidelake("table", "delete", str(path), "--where", "id < 100")
    expected = sorted([(i, str(i % 7), i * 2) for i in range(100, 900)] + [(i, "new", -1) for i in range(900, 1100)])
    spark_rows = sorted((r.id, r.kind, r.v) for r in spark.read.format("delta").load(str(path)).collect())
    assert spark_rows == expected
    ours = [json.loads(l) for l in tidelake("table", "scan", str(path), "--format", "json").stdout.splitlines()]
    assert sorted((r["id"], r["kind"], r["v"]) for r in ours) == expected
    # tidelake marked rows in deletion vectors rather than rewriting whole files.
    log = "".join(p.read_text() for p in sorted((path / "_delta_log").glob("*.json")))
    assert '"deletionVector"' in log


def test_spark_reads_tidelake_table_after_schema_evolution_optimize_and_checkpoint(tidelake, tmp_path, spark):
    base = sample_table(100)
    src = tmp_path / "in.parquet"
    for i in range(11):  # 11 commits: a checkpoint is written at version 10
        pq.write_table(base.slice(i * 9, 9), src)
        tidelake("table", "load", "curated.evolving", str(src))
    wider = base.slice(99, 1).append_column("note", pa.array(["late"]))
    pq.write_table(wider, src)
    tidelake("table", "load", "curated.evolving", str(src), "--merge-schema")
    tidelake("table", "optimize", "curated.evolving")
    path = tidelake.lake / "curated" / "evolving"
    assert (path / "_delta_log" / "00000000000000000010.checkpoint.parquet").exists()
    df = spark.read.format("delta").load(str(path))
    got = sorted((r.id, r.note) for r in df.collect())
    assert got == [(i, None) for i in range(99)] + [(99, "late")]
    assert DeltaTable(str(path)).to_pyarrow_table().num_rows == 100


def test_create_then_change_data_feed_from_the_command(tidelake, tmp_path):
    tidelake("table", "create", "refined.orders", "--columns", "id long not null, status string, day date",
             "--partition-by", "day", "--property", "delta.enableChangeDataFeed=true")
    bad = tidelake("table", "create", "refined.orders", "--columns", "id long", check=False)
    assert bad.returncode != 0 and "already exists" in bad.stderr
    data = pa.table({"id": pa.array(range(6), pa.int64()), "status": ["new"] * 6,
                     "day": pa.array([datetime.date(2024, 1, 1 + i % 2) for i in range(6)])})
    src = tmp_path / "orders.parquet"
    pq.write_table(data, src)
    tidelake("table", "load", "refined.orders", str(src))
    tidelake("table", "delete", "refined.orders", "--where", "id >= 4")
    changes = [json.loads(l) for l in
               tidelake("table", "changes", "refined.orders", "--format", "json").stdout.splitlines()]
    kinds = sorted((c["_commit_version"], c["_change_type"], c["id"]) for c in changes)
    assert kinds == [(1, "insert", i) for i in range(6)] + [(2, "delete", 4), (2, "delete", 5)]
    spark_free = DeltaTable(str(tidelake.lake / "refined" / "orders"))
    assert sorted(spark_free.to_pyarrow_table()["id"].to_pylist()) == [0, 1, 2, 3]


def test_spark_reads_a_column_widened_by_merge_schema(tidelake, tmp_path, spark):
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": pa.array([1, 2], pa.int32()), "v": ["a", "b"]}), src)
    tidelake("table", "load", "raw.widened", str(src))
    pq.write_table(pa.table({"id": pa.array([5_000_000_000], pa.int64()), "v": ["c"]}), src)
    refused = tidelake("table", "load", "raw.widened", str(src), check=False)
    assert refused.returncode != 0 and "id" in refused.stderr
    tidelake("table", "load", "raw.widened", str(src), "--merge-schema")
    path = tidelake.lake / "raw" / "widened"
    protocol = [json.loads(l)["protocol"] for l in (path / "_delta_log" / "00000000000000000001.json")
                .read_text().splitlines() if l.startswith('{"protocol"')][0]
    assert "typeWidening" in protocol["readerFeatures"]
    rows = spark.read.format("delta").load(str(path)).collect()
    assert sorted((r.id, r.v) for r in rows) == [(1, "a"), (2, "b"), (5_000_000_000, "c")]
