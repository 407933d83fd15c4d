"""The per-file statistics tidelake writes (add.stats, from each data file's Parquet footer) are
true bounds for delta-rs and Spark: both parse them, and reads they prune with them return the
same rows as reads that do not prune."""
import datetime
import json

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

BASE = datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc)


def part(lo: int, hi: int, with_nan: bool) -> pa.Table:
    """Rows lo..hi-1: sub-millisecond timestamps, a NaN in one part, nulls at the top level, in
    a struct and in a list."""
    ids = list(range(lo, hi))
    value = [float("nan") if with_nan and i == lo + 3 else i * 0.5 for i in ids]
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "name": pa.array([None if i % 10 == 0 else f"name-{i:05d}" for i in ids]),
        "ts": pa.array([BASE + datetime.timedelta(seconds=i, microseconds=777) for i in ids],
                       pa.timestamp("us", tz="UTC")),
        "value": pa.array(value, pa.float64()),
        "nested": pa.array([None if i % 7 == 0 else {"k": None if i % 5 == 0 else i % 100} for i in ids],
                           pa.struct([("k", pa.int32())])),
        "tags": pa.array([None if i % 4 == 0 else [str(i)] for i in ids], pa.list_(pa.string())),
    })


@pytest.fixture
def parts_table(tidelake, tmp_path):
    """Three loads into one table: three files with disjoint id and ts ranges."""
    parts = [part(0, 100, False), part(100, 200, True), part(200, 300, False)]
    src = tmp_path / "part.parquet"
    for p in parts:
        pq.write_table(p, src)
        tidelake("table", "load", "raw.parts", str(src))
    return tidelake.lake / "raw" / "parts", parts


def logged_stats(path):
    adds = []
    for commit in sorted((path / "_delta_log").glob("*.json")):
        for line in commit.read_text().splitlines():
            action = json.loads(line)
            if "add" in action:
                adds.append(json.loads(action["add"]["stats"]))
    return sorted(adds, key=lambda s: s["minValues"]["id"])


def test_stats_are_the_bounds_of_each_file(parts_table):
    path, parts = parts_table
    stats = logged_stats(path)
    assert len(stats) == 3
    for s, p in zip(stats, parts):
        ids = p["id"].to_pylist()
        assert s["numRecords"] == p.num_rows
        assert (s["minValues"]["id"], s["maxValues"]["id"]) == (min(ids), max(ids))
        names = [n for n in p["name"].to_pylist() if n is not None]
        assert (s["minValues"]["name"], s["maxValues"]["name"]) == (min(names), max(names))
        # Milliseconds, truncated down (the protocol's rule; readers widen the max).
        assert s["minValues"]["ts"] == f"2024-03-01T00:{min(ids) // 60:02d}:{min(ids) % 60:02d}.000Z"
        assert s["maxValues"]["ts"] == f"2024-03-01T00:{max(ids) // 60:02d}:{max(ids) % 60:02d}.000Z"
        has_nan = any(v != v for v in p["value"].to_pylist())
        assert ("value" in s["minValues"]) == (not has_nan)
        assert s["nullCount"] == {
            "id": 0, "name": p["name"].null_count, "ts": 0, "value": 0,
            "nested": {"k": pc.sum(pc.is_null(pc.struct_field(p["nested"], "k"))).as_py()},
            "tags": p["tags"].null_count,
        }


def test_delta_rs_parses_the_stats_and_prunes_correctly(parts_table):
    path, parts = parts_table
    table = DeltaTable(str(path))
    actions = pa.table(table.get_add_actions(flatten=True))
    actions = actions.sort_by("min.id")
    assert actions["min.id"].to_pylist() == [0, 100, 200]
    assert actions["max.id"].to_pylist() == [99, 199, 299]
    assert actions["null_count.nested.k"].to_pylist() == [
        pc.sum(pc.is_null(pc.struct_field(p["nested"], "k"))).as_py() for p in parts]

    everything = table.to_pyarrow_table()
    dataset = table.to_pyarrow_dataset()
    last_ts_of_second = parts[1]["ts"][-1]  # 00:03:19.000777, above the logged max .000
    filters = [
        pc.field("id") == 199,
        pc.field("id") >= 150,
        pc.field("ts") == last_ts_of_second,
        pc.field("ts") >= last_ts_of_second,
        pc.field("name") == "name-00150",
        pc.field("name") > "name-00299",
        pc.field("value") > 120.0,
        pc.field("nested", "k") == 42,
        pc.field("name").is_null(),
    ]
    for expression in filters:
        pruned = dataset.to_table(filter=expression)
        expected = everything.filter(expression)
        assert sorted(pruned["id"].to_pylist()) == sorted(expected["id"].to_pylist()), str(expression)


def spark_files_read(df) -> int:
    """Files the scan of a collected DataFrame read (after Delta's data skipping)."""
    plan = df._jdf.queryExecution().executedPlan()
    leaves = plan.collectLeaves()
    total = 0
    for i in range(leaves.size()):
        metrics = leaves.apply(i).metrics()
        if metrics.contains("numFiles"):
            total += int(metrics.apply("numFiles").value())
    return total


def test_spark_prunes_with_the_stats_and_loses_no_row(parts_table, spark):
    path, _ = parts_table
    filters = {
        "id = 199": 1,
        "ts = timestamp'2024-03-01 00:03:19.000777'": 1,  # the second file's true max
        "ts > timestamp'2024-03-01 00:03:19.000'": 2,
        "name = 'name-00150'": 1,
        "value > 120.0": 2,  # Spark orders NaN above all: the NaN file (no bounds) is read
        "nested.k = 42": 3,
        "name IS NULL": 3,
        "id > 1000": 0,
    }
    spark.conf.set("spark.sql.adaptive.enabled", "false")
    try:
        for where, files in filters.items():
            spark.conf.set("spark.databricks.delta.stats.skipping", "false")
            expected = sorted(r.id for r in spark.read.format("delta").load(str(path)).where(where).collect())
            spark.conf.set("spark.databricks.delta.stats.skipping", "true")
            df = spark.read.format("delta").load(str(path)).where(where)
            got = sorted(r.id for r in df.collect())
            assert got == expected, where
            assert spark_files_read(df) == files, where
    finally:
        spark.conf.unset("spark.sql.adaptive.enabled")
        spark.conf.unset("spark.databricks.delta.stats.skipping")
