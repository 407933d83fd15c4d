"""`tidelake stream`: streaming tables run by the command, end to end.

- `stream run --trigger available-now` processes what the sources hold and exits;
- `stream run` (interval trigger) keeps a table up to date while rows arrive, and
  `stream stop` ends it after the batch in progress;
- the hard way: a streaming table is run and SIGKILLed at random moments over and over while a
  writer keeps appending to its source; after a final run the table holds exactly the rows the
  same query gives in batch mode: none lost, none twice (a stateless query, a windowed
  aggregation, an interval join of two streams, a deduplication, an aggregation and a DISTINCT
  whose state is in RocksDB);
- an idle source (SET table.exec.source.idle-timeout) stops holding back the windows over a
  join, the progress log names it, and its late rows when it resumes are counted;
- a script that declares a Kafka source (CREATE SOURCE) and a streaming table over it, run
  against the real broker of TIDELAKE_KAFKA_BOOTSTRAP (scripts/test.sh starts one).
"""

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

import kafka_client


def sql(binary, lake, text, check=True):
    proc = subprocess.run([binary, "sql", "--lake", str(lake), "--format", "csv", "-c", text],
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"tidelake sql failed: {proc.stderr}")
    return proc


def rows(binary, lake, query):
    out = sql(binary, lake, query).stdout.strip().splitlines()
    return [tuple(line.split(",")) for line in out[1:]]  # skip the CSV header


def stream(binary, lake, *args, timeout=300):
    """Runs `tidelake stream ARGS --lake LAKE` and returns the completed process."""
    return subprocess.run([binary, "stream", *args, "--lake", str(lake)], capture_output=True, text=True,
                          timeout=timeout)


def stop_running(binary, lake, table, runner):
    """`tidelake stream stop TABLE`, which must end `runner` (a `stream run` process) cleanly."""
    stop = stream(binary, lake, "stop", table, timeout=120)
    assert stop.returncode == 0, stop.stderr
    runner.wait(timeout=60)
    assert runner.returncode == 0, runner.stderr.read()


QUERY = """CREATE OR REFRESH STREAMING TABLE refined.completed AS
SELECT id, amount FROM STREAM(raw.events) WHERE status = 'completed';
"""


def make_source(binary, lake):
    sql(binary, lake, "CREATE TABLE raw.events (id BIGINT, amount DOUBLE, status STRING)")


def append(binary, lake, first, n):
    values = ", ".join(f"({i}, {i * 1.5}, '{'completed' if i % 3 else 'failed'}')" for i in range(first, first + n))
    sql(binary, lake, f"INSERT INTO raw.events VALUES {values}")


def expected_ids(last):
    return sorted(i for i in range(last) if i % 3)


def test_available_now_then_incremental(tidelake_bin, tmp_path):
    lake = tmp_path / "lake"
    make_source(tidelake_bin, lake)
    append(tidelake_bin, lake, 0, 30)
    query = tmp_path / "q.sql"
    query.write_text(QUERY)
    run = stream(tidelake_bin, lake, "run", str(query), "--trigger", "available-now")
    assert run.returncode == 0, run.stderr
    got = sorted(int(r[0]) for r in rows(tidelake_bin, lake, "SELECT id FROM refined.completed"))
    assert got == expected_ids(30)

    append(tidelake_bin, lake, 30, 10)
    run = stream(tidelake_bin, lake, "run", str(query), "--trigger", "available-now")
    assert run.returncode == 0, run.stderr
    got = sorted(int(r[0]) for r in rows(tidelake_bin, lake, "SELECT id FROM refined.completed"))
    assert got == expected_ids(40)

    listing = stream(tidelake_bin, lake, "list")
    assert listing.returncode == 0, listing.stderr
    assert "refined.completed" in listing.stdout
    status = stream(tidelake_bin, lake, "status", "refined.completed")
    assert status.returncode == 0, status.stderr
    assert '"numInputRows"' in status.stdout and "not running" in status.stdout


def test_errors_are_clear(tidelake_bin, tmp_path):
    lake = tmp_path / "lake"
    make_source(tidelake_bin, lake)
    plain = tmp_path / "plain.sql"
    plain.write_text("SELECT 1;")
    run = stream(tidelake_bin, lake, "run", str(plain))
    assert run.returncode != 0
    assert "creates or refreshes no streaming table" in run.stderr
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE STREAMING TABLE refined.c AS SELECT status, avg(amount) FROM STREAM(raw.events) GROUP BY status;")
    run = stream(tidelake_bin, lake, "run", str(bad))
    assert run.returncode != 0
    assert "bad.sql: line 1:37: a streaming query cannot use mean in an aggregation without a window" in run.stderr
    stop = stream(tidelake_bin, lake, "stop", "refined.c")
    assert stop.returncode != 0 and "is not running" in stop.stderr


def wait_for(predicate, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_interval_trigger_follows_the_source_until_stopped(tidelake_bin, tmp_path):
    lake = tmp_path / "lake"
    make_source(tidelake_bin, lake)
    append(tidelake_bin, lake, 0, 6)
    query = tmp_path / "q.sql"
    query.write_text(QUERY)
    runner = subprocess.Popen([tidelake_bin, "stream", "run", str(query), "--lake", str(lake), "--interval", "100ms"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def count():
            # The runner creates the table first thing; until then there is nothing to count.
            proc = sql(tidelake_bin, lake, "SELECT count(*) FROM refined.completed", check=False)
            if proc.returncode != 0:
                assert "not found" in proc.stderr, proc.stderr
                return -1
            return int(proc.stdout.strip().splitlines()[1])

        assert wait_for(lambda: count() == 4), "the first rows never arrived"
        # A continuous query keeps the memory it frees for reuse (cli/long_run_memory.h): it
        # started itself again, same process, with mimalloc's purge delay set.
        environ = (Path("/proc") / str(runner.pid) / "environ").read_bytes().split(b"\0")
        assert b"MIMALLOC_PURGE_DELAY=-1" in environ
        append(tidelake_bin, lake, 6, 6)
        assert wait_for(lambda: count() == 8), "rows appended while running never arrived"
        again = stream(tidelake_bin, lake, "run", str(query))
        assert again.returncode != 0 and "is already running" in again.stderr
        stop_running(tidelake_bin, lake, "refined.completed", runner)
    finally:
        if runner.poll() is None:
            runner.kill()


def kill_at_random_moments(binary, lake, query, rng, append_rows, before, during, runs=12):
    """Runs `query` with the interval trigger `runs` times, SIGKILLing each run at a random
    moment while a writer keeps appending (`append_rows(first, n)`: `before` rows before each run
    starts and `during` while it runs). Returns how many rows were appended in all."""
    written = 0
    kills = 0
    for _ in range(runs):
        append_rows(written, before)
        written += before
        runner = subprocess.Popen([binary, "stream", "run", str(query), "--lake", str(lake), "--interval", "20ms"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.5))
        append_rows(written, during)
        written += during
        time.sleep(rng.uniform(0.0, 0.3))
        if runner.poll() is None:
            os.kill(runner.pid, signal.SIGKILL)  # without warning, mid-batch or between batches
            kills += 1
        runner.wait()
    assert kills >= runs // 2, "the runs ended before they could be killed; the test proves nothing"
    return written


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tidelake_bin, tmp_path):
    lake = tmp_path / "lake"
    make_source(tidelake_bin, lake)
    query = tmp_path / "q.sql"
    query.write_text(QUERY)
    written = kill_at_random_moments(tidelake_bin, lake, query, random.Random(20261125),
                                     lambda first, n: append(tidelake_bin, lake, first, n), before=15, during=5)
    final = stream(tidelake_bin, lake, "run", str(query), "--trigger", "available-now")
    assert final.returncode == 0, final.stderr
    got = sorted(int(r[0]) for r in rows(tidelake_bin, lake, "SELECT id FROM refined.completed"))
    assert len(got) == len(set(got)), "rows were written twice"
    assert got == expected_ids(written)
    batch = sorted(int(r[0]) for r in rows(
        tidelake_bin, lake, "SELECT id FROM STREAM(raw.events) WHERE status = 'completed'"))
    assert got == batch


def test_a_flink_style_insert_streams_into_an_existing_table_through_sigkills(tidelake_bin, tmp_path):
    # Flink's way: a source, a sink table, and INSERT INTO sink SELECT ... FROM source, which
    # `stream run` runs as a stream (execution.runtime-mode = streaming), into the table's
    # own columns (amount DOUBLE into a DECIMAL column, id into the last column).
    lake = tmp_path / "lake"
    make_source(tidelake_bin, lake)
    sql(tidelake_bin, lake, "CREATE TABLE refined.completed_copy (amount DECIMAL(12,2), note STRING, id BIGINT)")
    script = tmp_path / "flow.sql"
    script.write_text(f"""CREATE SOURCE IF NOT EXISTS raw.event_feed (id BIGINT, amount DOUBLE, status STRING)
  WITH (connector = 'delta', path = '{lake}/raw/events');
INSERT INTO refined.completed_copy (id, amount)
SELECT id, amount FROM raw.event_feed WHERE status = 'completed';
""")
    written = kill_at_random_moments(tidelake_bin, lake, script, random.Random(20261126),
                                     lambda first, n: append(tidelake_bin, lake, first, n), before=15, during=5,
                                     runs=6)
    final = stream(tidelake_bin, lake, "run", str(script), "--trigger", "available-now")
    assert final.returncode == 0, final.stderr
    got = sorted((int(r[0]), int(r[1]), r[2]) for r in rows(
        tidelake_bin, lake, "SELECT id, CAST(amount * 100 AS BIGINT), note IS NULL FROM refined.completed_copy"))
    assert len(got) == len(set(got)), "rows were written twice"
    assert got == [(i, i * 150, "true") for i in expected_ids(written)]
    status = stream(tidelake_bin, lake, "status", "refined.completed_copy")
    assert status.returncode == 0, status.stderr
    assert "INSERT INTO refined.completed_copy" in status.stdout


WINDOWED = """CREATE OR REFRESH STREAMING TABLE curated.per_10s AS
SELECT window.start AS w, count(*) AS n, sum(id) AS ids
FROM STREAM(raw.ticks) WATERMARK ts DELAY OF INTERVAL 5 SECONDS
GROUP BY window(ts, '10 seconds');
"""


def append_ticks(binary, lake, first, n):
    # Event i happens at second i, arriving in order; the windows hold ten seconds each.
    values = ", ".join(f"({i}, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL {i} SECONDS)" for i in range(first, first + n))
    sql(binary, lake, f"INSERT INTO raw.ticks VALUES {values}")


def test_sigkill_of_a_windowed_query_restores_its_state(tidelake_bin, tmp_path):
    """Windows half-filled when the process dies are completed from the checkpoint's state:
    every window is written once, with every row, whatever moment the kills came at."""
    lake = tmp_path / "lake"
    sql(tidelake_bin, lake, "CREATE TABLE raw.ticks (id BIGINT, ts TIMESTAMP)")
    query = tmp_path / "windowed.sql"
    query.write_text(WINDOWED)
    written = kill_at_random_moments(tidelake_bin, lake, query, random.Random(7),
                                     lambda first, n: append_ticks(tidelake_bin, lake, first, n), before=7, during=6)
    final = stream(tidelake_bin, lake, "run", str(query), "--trigger", "available-now", "--end-of-input")
    assert final.returncode == 0, final.stderr
    got = sorted(rows(tidelake_bin, lake, "SELECT w, n, ids FROM curated.per_10s"))
    starts = [r[0] for r in got]
    assert len(starts) == len(set(starts)), "a window was written twice"
    expected = sorted(rows(tidelake_bin, lake, "SELECT window.start, count(*), sum(id) FROM raw.ticks "
                                               "GROUP BY window(ts, '10 seconds')"))
    assert got == expected
    assert sum(int(r[1]) for r in got) == written


JOINED = """CREATE OR REFRESH STREAMING TABLE curated.matched AS
SELECT a.id AS a_id, b.id AS b_id
FROM STREAM(raw.ticks) WATERMARK ts DELAY OF INTERVAL 3 SECONDS a
JOIN STREAM(raw.tocks) WATERMARK ts DELAY OF INTERVAL 3 SECONDS b
ON a.id % 2 = b.id % 2 AND b.ts BETWEEN a.ts AND a.ts + INTERVAL 4 SECONDS;
"""


def append_ticks_and_tocks(binary, lake, first, n):
    # Tick i at second i, tock i two seconds later, in two commits: a batch may see one without
    # the other. Tick i matches tocks i - 2, i and i + 2.
    append_ticks(binary, lake, first, n)
    values = ", ".join(f"({i}, TIMESTAMP '2024-01-01 00:00:02' + INTERVAL {i} SECONDS)" for i in range(first, first + n))
    sql(binary, lake, f"INSERT INTO raw.tocks VALUES {values}")


def test_sigkill_of_a_stream_join_restores_its_state(tidelake_bin, tmp_path):
    """Both sides' rows and watermarks survive the kills: every pair is written once, and the
    rows the join forgot were ones no later row matched."""
    lake = tmp_path / "lake"
    sql(tidelake_bin, lake, "CREATE TABLE raw.ticks (id BIGINT, ts TIMESTAMP); "
                            "CREATE TABLE raw.tocks (id BIGINT, ts TIMESTAMP)")
    query = tmp_path / "joined.sql"
    query.write_text(JOINED)
    written = kill_at_random_moments(tidelake_bin, lake, query, random.Random(11),
                                     lambda first, n: append_ticks_and_tocks(tidelake_bin, lake, first, n),
                                     before=5, during=4)
    final = stream(tidelake_bin, lake, "run", str(query), "--trigger", "available-now")
    assert final.returncode == 0, final.stderr
    got = sorted(rows(tidelake_bin, lake, "SELECT a_id, b_id FROM curated.matched"))
    assert len(got) == len(set(got)), "a pair was written twice"
    expected = sorted(rows(tidelake_bin, lake, "SELECT a.id, b.id FROM raw.ticks a JOIN raw.tocks b "
                                               "ON a.id % 2 = b.id % 2 AND b.ts BETWEEN a.ts AND a.ts + INTERVAL 4 SECONDS"))
    assert got == expected
    assert len(got) == 3 * written - 4  # ticks 0 and 1 have no tock two before, the last two none two after


DEDUPLICATED = """CREATE OR REFRESH STREAMING TABLE curated.firsts AS
SELECT id, ts FROM STREAM(raw.ticks) WATERMARK ts DELAY OF INTERVAL 5 SECONDS
QUALIFY ROW_NUMBER() OVER (PARTITION BY id % 3, floor(id / 30) ORDER BY ts) = 1;
"""


def test_sigkill_of_a_deduplication_restores_its_state(tidelake_bin, tmp_path):
    """The keys written and the first rows waiting for the watermark survive the kills: each
    key's first row is written once, whatever moment the kills came at. A key (id % 3, id / 30)
    has ten rows over 30 seconds: most come after its first row was written."""
    lake = tmp_path / "lake"
    sql(tidelake_bin, lake, "CREATE TABLE raw.ticks (id BIGINT, ts TIMESTAMP)")
    query = tmp_path / "deduplicated.sql"
    query.write_text(DEDUPLICATED)
    written = kill_at_random_moments(tidelake_bin, lake, query, random.Random(13),
                                     lambda first, n: append_ticks(tidelake_bin, lake, first, n), before=7, during=6)
    final = stream(tidelake_bin, lake, "run", str(query), "--trigger", "available-now", "--end-of-input")
    assert final.returncode == 0, final.stderr
    got = sorted(rows(tidelake_bin, lake, "SELECT id, ts FROM curated.firsts"))
    ids = [int(r[0]) for r in got]
    assert len(ids) == len(set(ids)), "a key was written twice"
    assert sorted(ids) == [i for i in range(written) if i % 30 < 3]
    expected = sorted(rows(tidelake_bin, lake, "SELECT id, ts FROM raw.ticks QUALIFY ROW_NUMBER() "
                                               "OVER (PARTITION BY id % 3, floor(id / 30) ORDER BY ts) = 1"))
    assert got == expected


ROCKSDB_STATE = """SET state.backend.type = 'rocksdb';
CREATE OR REFRESH STREAMING TABLE curated.per_bucket AS
SELECT status, id % 50 AS bucket, count(*) AS n, sum(amount) AS total, max(id) AS last
FROM STREAM(raw.events) GROUP BY status, id % 50;
CREATE OR REFRESH STREAMING TABLE curated.distinct_buckets AS SELECT DISTINCT id % 40 AS bucket FROM STREAM(raw.events);
"""


def test_sigkill_of_queries_with_rocksdb_state_restores_it(tidelake_bin, tmp_path):
    """Keyed state in RocksDB (an update-mode aggregation's groups, a DISTINCT's keys) survives
    the kills: every run restores the RocksDB checkpoint the last commit names, so the tables end
    equal to the batch answer, and the working directories of killed runs are cleaned up."""
    lake = tmp_path / "lake"
    make_source(tidelake_bin, lake)
    query = tmp_path / "rocksdb.sql"
    query.write_text(ROCKSDB_STATE)
    kill_at_random_moments(tidelake_bin, lake, query, random.Random(7),
                           lambda first, n: append(tidelake_bin, lake, first, n), before=20, during=10)
    final = stream(tidelake_bin, lake, "run", str(query), "--trigger", "available-now")
    assert final.returncode == 0, final.stderr
    got = sorted(rows(tidelake_bin, lake, "SELECT status, bucket, n, total, last FROM curated.per_bucket"))
    expected = sorted(rows(tidelake_bin, lake, "SELECT status, id % 50, count(*), sum(amount), max(id) "
                                               "FROM raw.events GROUP BY status, id % 50"))
    assert got and got == expected
    buckets = sorted(rows(tidelake_bin, lake, "SELECT bucket FROM curated.distinct_buckets"))
    assert buckets == sorted(rows(tidelake_bin, lake, "SELECT DISTINCT id % 40 FROM raw.events"))
    for table in ("curated.per_bucket", "curated.distinct_buckets"):
        checkpoint = lake / "_checkpoints" / table
        assert any(p.suffix == ".rocksdb" for p in (checkpoint / "state").iterdir()), "the state is not in RocksDB"
        assert list((checkpoint / "state-work").iterdir()) == [], "a working directory was left behind"


IDLE = """SET table.exec.source.idle-timeout = '1 second';
CREATE OR REFRESH STREAMING TABLE curated.clicks_per_minute AS
SELECT window.start AS minute, count(*) AS clicks
FROM STREAM(raw.impressions) WATERMARK ts DELAY OF INTERVAL 0 SECONDS i
JOIN STREAM(raw.ad_clicks) WATERMARK ts DELAY OF INTERVAL 0 SECONDS c
ON i.ad = c.ad AND c.ts BETWEEN i.ts AND i.ts + INTERVAL 1 MINUTE
GROUP BY window(c.ts, '1 minute');
"""


def progress_records(lake, table):
    path = lake / "_checkpoints" / table / "progress"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run_in_background(binary, lake, path, script):
    """`stream run` of `script` (written to `path`) with a 100 ms trigger, as a process."""
    path.write_text(script)
    return subprocess.Popen([binary, "stream", "run", str(path), "--lake", str(lake), "--interval", "100ms"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def rows_once_created(binary, lake, query):
    """The rows of `query`, or none while its table does not exist yet (the runner creates it)."""
    proc = sql(binary, lake, query, check=False)
    if proc.returncode != 0:
        assert "not found" in proc.stderr, proc.stderr
        return []
    return [tuple(line.split(",")) for line in proc.stdout.strip().splitlines()[1:]]


def test_an_idle_source_does_not_hold_back_the_windows_of_a_join(tidelake_bin, tmp_path):
    """The impressions stop; the clicks go on. Without an idle timeout the clicks' minute would
    never close (the impressions' watermark holds the join back); with it the impressions are
    idle after a second, the join follows the clicks' time, and the minute closes. An impression
    arriving afterwards, behind that time, is late: counted, not lost silently."""
    lake = tmp_path / "lake"
    sql(tidelake_bin, lake, "CREATE TABLE raw.impressions (ad STRING, ts TIMESTAMP); "
                            "CREATE TABLE raw.ad_clicks (ad STRING, ts TIMESTAMP)")
    sql(tidelake_bin, lake, "INSERT INTO raw.impressions VALUES ('x', TIMESTAMP '2024-01-01 10:00:00')")
    sql(tidelake_bin, lake, "INSERT INTO raw.ad_clicks VALUES ('x', TIMESTAMP '2024-01-01 10:00:30'), "
                            "('x', TIMESTAMP '2024-01-01 10:00:40')")
    runner = run_in_background(tidelake_bin, lake, tmp_path / "idle.sql", IDLE)
    try:
        def minutes():
            return rows_once_created(tidelake_bin, lake, "SELECT minute, clicks FROM curated.clicks_per_minute")

        # Clicks keep coming (for an ad without impressions: they join nothing), so batches run.
        second = 0
        deadline = time.time() + 120
        while not minutes() and time.time() < deadline:
            sql(tidelake_bin, lake, f"INSERT INTO raw.ad_clicks VALUES "
                                    f"('y', TIMESTAMP '2024-01-01 10:05:00' + INTERVAL {second} SECONDS)")
            second += 1
            time.sleep(0.3)
        assert minutes() == [("2024-01-01 10:00:00.000000Z", "2")]
        records = progress_records(lake, "curated.clicks_per_minute")
        idle = [r for r in records if r.get("idleInputs")]
        assert idle and idle[-1]["idleInputs"] == ["raw.impressions"], records[-3:]
        assert all(not r.get("idleInputs") for r in records[:1])  # active at the start

        # The impressions resume behind the clicks' time: late, and counted.
        late_before = records[-1]["lateRows"]
        sql(tidelake_bin, lake, "INSERT INTO raw.impressions VALUES ('y', TIMESTAMP '2024-01-01 10:01:00')")
        assert wait_for(lambda: progress_records(lake, "curated.clicks_per_minute")[-1]["lateRows"] > late_before), \
            "the late impression was never counted"
        stop_running(tidelake_bin, lake, "curated.clicks_per_minute", runner)
    finally:
        if runner.poll() is None:
            runner.kill()


def test_an_enrichment_join_reads_its_table_as_it_is_now(tidelake_bin, tmp_path):
    """A long-running stream joined with a Delta table sees the table's new versions: each
    batch reads it as it is when the batch runs (not as it was when the query started)."""
    lake = tmp_path / "lake"
    sql(tidelake_bin, lake, "CREATE TABLE raw.clicks (id BIGINT, user STRING); "
                            "CREATE TABLE raw.users (user STRING, segment STRING); "
                            "INSERT INTO raw.users VALUES ('a', 'gold')")
    query = tmp_path / "enrich.sql"
    query.write_text("CREATE OR REFRESH STREAMING TABLE curated.enriched AS SELECT c.id, u.segment "
                     "FROM STREAM(raw.clicks) c JOIN raw.users u ON c.user = u.user;\n")
    runner = subprocess.Popen([tidelake_bin, "stream", "run", str(query), "--lake", str(lake), "--interval", "100ms"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def enriched():
            proc = sql(tidelake_bin, lake, "SELECT id, segment FROM curated.enriched", check=False)
            if proc.returncode != 0:
                return []
            return sorted(tuple(v.strip('"') for v in line.split(",")) for line in proc.stdout.strip().splitlines()[1:])

        sql(tidelake_bin, lake, "INSERT INTO raw.clicks VALUES (1, 'a'), (2, 'b')")
        assert wait_for(lambda: enriched() == [("1", "gold")]), enriched()
        sql(tidelake_bin, lake, "INSERT INTO raw.users VALUES ('b', 'silver')")
        sql(tidelake_bin, lake, "INSERT INTO raw.clicks VALUES (3, 'b')")
        assert wait_for(lambda: enriched() == [("1", "gold"), ("3", "silver")]), enriched()
        stop_running(tidelake_bin, lake, "curated.enriched", runner)
    finally:
        if runner.poll() is None:
            runner.kill()


@pytest.fixture
def kafka():
    """(bootstrap servers, producer) of the real broker TIDELAKE_KAFKA_BOOTSTRAP names (scripts/test.sh
    starts one); tests that need it are skipped without one."""
    bootstrap = os.environ.get("TIDELAKE_KAFKA_BOOTSTRAP")
    if not bootstrap:
        pytest.skip("needs a real Kafka broker: scripts/kafka.sh start DIR, then set TIDELAKE_KAFKA_BOOTSTRAP")
    producer = kafka_client.Producer(bootstrap)
    yield bootstrap, producer
    producer.close()


def test_a_kafka_source_declared_in_the_script_feeds_a_streaming_table(tidelake_bin, tmp_path, kafka):
    bootstrap, producer = kafka
    topic = producer.create_topic(2)

    def send(first, n):
        for i in range(first, first + n):
            event = {"id": i, "amount": i * 1.5, "status": "completed" if i % 3 else "failed",
                     "ts": f"2024-01-01T10:{i // 60:02d}:{i % 60:02d}Z"}
            producer.produce(topic, i % 2, json.dumps(event), key=f"k{i}")
        producer.flush()

    lake = tmp_path / "lake"
    query = tmp_path / "q.sql"
    # IF NOT EXISTS and OR REFRESH: the same script starts the query again after a stop.
    query.write_text(f"""CREATE SOURCE IF NOT EXISTS raw.events (
  id BIGINT, amount DOUBLE, status STRING, ts TIMESTAMP,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'kafka', topic = '{topic}', 'properties.bootstrap.servers' = '{bootstrap}',
    format = 'json', 'scan.startup.mode' = 'earliest-offset');
CREATE OR REFRESH STREAMING TABLE refined.completed AS
SELECT id, amount, _partition AS part FROM raw.events WHERE status = 'completed';
""")
    send(0, 30)
    run = stream(tidelake_bin, lake, "run", str(query), "--trigger", "available-now")
    assert run.returncode == 0, run.stderr
    got = sorted(int(r[0]) for r in rows(tidelake_bin, lake, "SELECT id FROM refined.completed"))
    assert got == expected_ids(30)

    # Running: messages produced meanwhile arrive, each once.
    runner = subprocess.Popen([tidelake_bin, "stream", "run", str(query), "--lake", str(lake),
                               "--interval", "100ms"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def count():
            return int(sql(tidelake_bin, lake, "SELECT count(*) FROM refined.completed").stdout.splitlines()[1])

        send(30, 15)
        assert wait_for(lambda: count() == len(expected_ids(45))), "messages produced while running never arrived"
        stop_running(tidelake_bin, lake, "refined.completed", runner)
    finally:
        if runner.poll() is None:
            runner.kill()
    table = rows(tidelake_bin, lake, "SELECT id, part FROM refined.completed")
    assert sorted(int(r[0]) for r in table) == expected_ids(45)
    assert all(int(part) == int(i) % 2 for i, part in table)
    # The same query over the source in batch mode gives the same rows.
    batch = sorted(int(r[0]) for r in rows(tidelake_bin, lake,
                                            "SELECT id FROM raw.events WHERE status = 'completed'"))
    assert batch == expected_ids(45)
    listed = rows(tidelake_bin, lake, "SHOW SOURCES")
    assert [tuple(value.strip('"') for value in row) for row in listed] == [("raw", "events")]


# The seed's Stream Analytics query, as written there; only its input and output are declared
# (EventHubInput is a Kafka topic, with the job's out-of-order tolerance as its watermark).
SEED_QUERY = """WITH EnrichedEvents AS (
SELECT
event_id,
customer_id,
event_type,
event_timestamp,
System.Timestamp() AS processing_timestamp
FROM
EventHubInput TIMESTAMP BY event_timestamp
)
-- Real-time aggregation
SELECT
customer_id,
COUNT(*) as event_count,
System.Timestamp() AS window_end
INTO
CosmosDBOutput
FROM
EnrichedEvents
GROUP BY
customer_id,
TumblingWindow(minute, 5)
"""


def seed_script(topic, bootstrap):
    return f"""CREATE SOURCE IF NOT EXISTS EventHubInput (
  event_id STRING, customer_id STRING, event_type STRING, event_timestamp TIMESTAMP,
  WATERMARK FOR event_timestamp AS event_timestamp - INTERVAL '10' MINUTE
) WITH (connector = 'kafka', topic = '{topic}', 'properties.bootstrap.servers' = '{bootstrap}',
        'scan.startup.mode' = 'earliest-offset', maxOffsetsPerTrigger = '40');
{SEED_QUERY};
"""


def test_the_seed_query_over_kafka_killed_dozens_of_times_equals_one_uninterrupted_run(tidelake_bin, tmp_path, kafka):
    """The hard way, over a real broker: the seed's windowed query reads a 3-partition topic
    while a producer keeps writing; the process is SIGKILLed at random moments 24 times and
    restarted each time. Its output must equal, row for row, one uninterrupted run's over the
    same topic, and the batch-mode answer of the same SQL."""
    bootstrap, producer = kafka
    topic = producer.create_topic(3)

    def send(first, n):
        # Event i happens 7 s after event i-1, for one of 5 customers; the 5-minute windows
        # close as time moves on.
        for i in range(first, first + n):
            second = 7 * i
            event = {"event_id": f"e{i}", "customer_id": f"c{i * 7 % 5}", "event_type": "view",
                     "event_timestamp": f"2024-01-01T{10 + second // 3600:02d}:{second // 60 % 60:02d}:"
                                        f"{second % 60:02d}Z"}
            producer.produce(topic, i % 3, json.dumps(event))
        producer.flush()

    script = tmp_path / "seed.sql"
    script.write_text(seed_script(topic, bootstrap))
    killed = tmp_path / "killed"
    written = kill_at_random_moments(tidelake_bin, killed, script, random.Random(2024), send,
                                     before=30, during=20, runs=24)
    final = stream(tidelake_bin, killed, "run", str(script), "--trigger", "available-now", "--end-of-input")
    assert final.returncode == 0, final.stderr

    whole = tmp_path / "whole"
    once = stream(tidelake_bin, whole, "run", str(script), "--trigger", "available-now", "--end-of-input")
    assert once.returncode == 0, once.stderr

    query = "SELECT customer_id, event_count, window_end FROM CosmosDBOutput"
    got = sorted(rows(tidelake_bin, killed, query))
    assert len(got) == len(set(got)), "a window was written twice"
    assert got == sorted(rows(tidelake_bin, whole, query))
    assert sum(int(r[1]) for r in got) == written, "events were lost"
    batch = sorted(rows(tidelake_bin, whole, SEED_QUERY.replace("INTO\nCosmosDBOutput\n", "")))
    assert got == batch
