"""`tidelake stream run` of a Flink-style script into a blackhole table: CREATE TABLE t (...)
WITH ('connector' = 'blackhole') and INSERT INTO t SELECT ... FROM a files source. The query
runs as a streaming query with its checkpoint and progress records; the rows go nowhere; a
second run continues where the first stopped.
"""

import json
import subprocess


def write_orders(directory, index, first, n):
    """Orders first .. first + n - 1, order i of amount i, as CSV file `index`."""
    lines = ["id,amount,status"] + [f"{i},{i}.5,{'paid' if i % 4 else 'open'}" for i in range(first, first + n)]
    (directory / f"orders-{index:03d}.csv").write_text("\n".join(lines) + "\n")


def paid_over_5(first, last):
    return sum(1 for i in range(first, last) if i % 4 and i + 0.5 > 5)


def progress(lake, table):
    path = lake / "_checkpoints" / table / "progress"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run(binary, lake, *args):
    return subprocess.run([binary, *args, "--lake", str(lake)], capture_output=True, text=True, timeout=300)


def test_stream_run_into_a_blackhole_table_counts_progress(tidelake_bin, tmp_path):
    lake, landing = tmp_path / "lake", tmp_path / "landing"
    landing.mkdir()
    for k in range(3):
        write_orders(landing, k, 10 * k, 10)
    script = tmp_path / "q.sql"
    script.write_text(f"""CREATE SOURCE IF NOT EXISTS raw.orders (id BIGINT, amount DOUBLE, status STRING)
  WITH (connector = 'files', path = '{landing}', format = 'csv', header = 'true', maxFilesPerTrigger = '1');
CREATE TABLE IF NOT EXISTS paid_orders (
  id BIGINT,
  amount DOUBLE
) WITH (
  'connector' = 'blackhole'
);
INSERT INTO paid_orders
SELECT id, amount FROM raw.orders WHERE status = 'paid' AND amount > 5;
""")
    first = run(tidelake_bin, lake, "stream", "run", str(script), "--trigger", "available-now")
    assert first.returncode == 0, first.stderr
    records = progress(lake, "curated.paid_orders")
    # One batch per file, every order read, the paid ones over 5 written (and discarded).
    assert [r["numInputRows"] for r in records] == [10, 10, 10]
    assert sum(r["numRowsWritten"] for r in records) == paid_over_5(0, 30)
    assert sum(r["numOutputRows"] for r in records) == paid_over_5(0, 30)
    assert not any(r["writeSkipped"] for r in records)
    # Nothing is kept: no Delta table, and the table cannot be read.
    assert not (lake / "curated" / "paid_orders").exists()
    select = run(tidelake_bin, lake, "sql", "-c", "SELECT count(*) FROM paid_orders")
    assert select.returncode != 0
    assert "'curated.paid_orders' is a blackhole table" in select.stderr

    # The stream commands name it.
    listing = run(tidelake_bin, lake, "stream", "list")
    assert listing.returncode == 0, listing.stderr
    assert any(line.startswith("curated.paid_orders\t3\t") for line in listing.stdout.splitlines()), listing.stdout
    status = run(tidelake_bin, lake, "stream", "status", "curated.paid_orders")
    assert status.returncode == 0, status.stderr
    assert "INSERT INTO paid_orders" in status.stdout and "not running" in status.stdout

    # A new file: the next run reads only it, from the checkpoint.
    write_orders(landing, 3, 30, 8)
    second = run(tidelake_bin, lake, "stream", "run", str(script), "--trigger", "available-now")
    assert second.returncode == 0, second.stderr
    records = progress(lake, "curated.paid_orders")
    assert [r["batchId"] for r in records] == [0, 1, 2, 3]
    assert records[3]["numInputRows"] == 8
    assert records[3]["numRowsWritten"] == paid_over_5(30, 38)


def test_stream_run_streams_an_insert_that_reads_a_source_through_a_view(tidelake_bin, tmp_path):
    # NEXMark's shape: the query reads a view (`bid`) over the source (`events`).
    lake, landing = tmp_path / "lake", tmp_path / "landing"
    landing.mkdir()
    for k in range(2):
        write_orders(landing, k, 10 * k, 10)
    script = tmp_path / "q.sql"
    script.write_text(f"""CREATE SOURCE raw.orders (id BIGINT, amount DOUBLE, status STRING)
  WITH (connector = 'files', path = '{landing}', format = 'csv', header = 'true', maxFilesPerTrigger = '1');
CREATE VIEW paid AS SELECT id, amount FROM raw.orders WHERE status = 'paid';
CREATE TABLE nexmark_paid (id BIGINT, amount DOUBLE) WITH ('connector' = 'blackhole');
INSERT INTO nexmark_paid SELECT id, amount FROM paid;
""")
    result = run(tidelake_bin, lake, "stream", "run", str(script), "--trigger", "available-now", "--end-of-input")
    assert result.returncode == 0, result.stderr
    records = progress(lake, "curated.nexmark_paid")
    assert sum(r["numInputRows"] for r in records) == 20
    assert sum(r["numRowsWritten"] for r in records) == sum(1 for i in range(20) if i % 4)
