"""One logic, two modes: every query of a corpus, run as a streaming table over an out-of-order
stream, writes exactly the rows the same SQL gives in batch mode over the same data: filters,
projections, enrichment joins, every window kind of the three dialects, aggregation without
a window (update mode: the table holds each group's latest result), and joins of two streams
(unbounded, interval and window joins, whose state is pruned by the watermarks; outer interval and
window joins, whose rows without a partner are written padded when pruned; EXISTS and NOT
EXISTS over a stream), Top-N per window
(over windowed aggregations and over window table functions), deduplication (per window, per key
in append and update mode) and DISTINCT.

The stateful queries run a second time with their keyed state in RocksDB (SET
state.backend.type = 'rocksdb': the groups of windowed and update-mode aggregations, the rows
waiting for session and sliding windows and for aggregates that do not merge, the keys of
deduplications, the rows joins of two streams hold), which must not change a row.

The events' times advance with occasional gaps; they arrive shuffled within a bounded delay
(20 s), in 12 appends to the source table. Each streaming table is refreshed after every append
(each refresh is one or more micro-batches), then run once more with the input declared ended
(`--trigger available-now --end-of-input`), which closes the windows still open. The watermark
delay (30 s) exceeds the disorder, so no event is late and nothing may be lost.

Each query is written once with `{src}` for its input: `STREAM(raw.events) WATERMARK ts DELAY
OF INTERVAL 30 SECONDS` in streaming mode, `raw.events` in batch mode. Joins of two streams read
`{pay}` too: payments for the 'buy' events, a few seconds after them, as out of order as the
events and arriving interleaved with them. The joins bounded in time read the events as
`{tight}`, with a delay (21 s) just above the disorder, as the payments: their pairs span
appends and their state is pruned close to what later rows need, so a pruning rule off by a few
seconds (a bound's sign, the wrong side's watermark) loses pairs here.
"""

import json
import random
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

EVENTS = 1200
APPENDS = 12
DISORDER_S = 20

STREAM_SRC = "STREAM(raw.events) WATERMARK ts DELAY OF INTERVAL 30 SECONDS"
BATCH_SRC = "raw.events"
# The joins bounded in time read both streams with a delay just above their disorder, so that a
# pruning rule off by a few seconds forgets rows a later row matches.
STREAM_TIGHT = "STREAM(raw.events) WATERMARK ts DELAY OF INTERVAL 21 SECONDS"
STREAM_PAY = "STREAM(raw.payments) WATERMARK pts DELAY OF INTERVAL 21 SECONDS"
BATCH_PAY = "raw.payments"

CORPUS = [
    # stateless: filters and projections
    "SELECT id, user, amount FROM {src} WHERE amount > 50",
    "SELECT id, upper(user) AS u, amount * 2 AS doubled, ts FROM {src}",
    "SELECT id, kind FROM {src} WHERE kind IN ('view', 'click') AND amount % 3 = 0",
    "SELECT id, CASE WHEN amount >= 70 THEN 'high' WHEN amount >= 30 THEN 'mid' ELSE 'low' END AS band FROM {src}",
    "SELECT id, date_format(ts, 'HH:mm') AS minute, concat(user, '/', kind) AS tag FROM {src} WHERE user <> 'u3'",
    # stateless: enrichment joins with a table
    "SELECT e.id, u.segment, e.amount FROM {src} e JOIN raw.users u ON e.user = u.user",
    "SELECT e.id, u.segment FROM {src} e LEFT JOIN raw.users u ON e.user = u.user AND u.segment = 'gold'",
    # stateless: window assignment without aggregation
    "WITH s AS (SELECT * FROM {src}) SELECT id, window_start, window_end "
    "FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTE))",
    "WITH s AS (SELECT * FROM {src}) SELECT id, window_start "
    "FROM TABLE(HOP(TABLE s, DESCRIPTOR(ts), INTERVAL '30' SECONDS, INTERVAL '1' MINUTE)) WHERE amount < 20",
    # Spark: window() and session_window()
    "SELECT window.start, window.end, user, count(*) AS n FROM {src} GROUP BY window(ts, '1 minute'), user",
    "SELECT window.start, sum(amount) AS total, min(amount) AS lo, max(amount) AS hi, count(*) AS n "
    "FROM {src} GROUP BY window(ts, '2 minutes')",
    "SELECT window.end, kind, count(*) AS n FROM {src} GROUP BY window(ts, '2 minutes', '1 minute'), kind",
    "SELECT window.start, count(*) AS n FROM {src} GROUP BY window(ts, '1 minute', '1 minute', '15 seconds')",
    "SELECT user, session_window.start, session_window.end, count(*) AS n, sum(amount) AS total "
    "FROM {src} GROUP BY user, session_window(ts, '10 seconds')",
    "SELECT window.start, user, count(*) AS n FROM {src} WHERE kind = 'buy' GROUP BY window(ts, '90 seconds'), user",
    "SELECT window.start, count(DISTINCT user) AS users FROM {src} GROUP BY window(ts, '1 minute')",
    "SELECT window.start, upper(user) AS u, count(*) AS n FROM {src} GROUP BY window(ts, '1 minute'), upper(user)",
    "SELECT window.start, user, count(*) AS n FROM {src} GROUP BY window(ts, '1 minute'), user HAVING count(*) > 2",
    "SELECT window.start, count(*) FILTER (WHERE amount > 50) AS big, count(*) AS n "
    "FROM {src} GROUP BY window(ts, '1 minute')",
    "SELECT window.start, round(avg(amount), 6) AS mean, sum(amount) / count(*) AS ratio "
    "FROM {src} GROUP BY window(ts, '3 minutes')",
    "SELECT window.start, u.segment, sum(e.amount) AS total FROM {src} e JOIN raw.users u ON e.user = u.user "
    "GROUP BY window(e.ts, '1 minute'), u.segment",
    "SELECT window.end, max(amount) - min(amount) AS spread FROM {src} GROUP BY window(ts, '45 seconds')",
    # Flink: windowing table functions
    "WITH s AS (SELECT * FROM {src}) SELECT window_start, window_end, count(*) AS n "
    "FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
    "WITH s AS (SELECT * FROM {src}) SELECT window_start, window_end, user, sum(amount) AS total "
    "FROM TABLE(HOP(TABLE s, DESCRIPTOR(ts), INTERVAL '30' SECONDS, INTERVAL '2' MINUTES)) "
    "GROUP BY window_start, window_end, user",
    "WITH s AS (SELECT * FROM {src}) SELECT window_start, window_end, count(*) AS n "
    "FROM TABLE(CUMULATE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '3' MINUTES)) "
    "GROUP BY window_start, window_end",
    "WITH s AS (SELECT * FROM {src}) SELECT user, window_start, window_end, count(*) AS n "
    "FROM TABLE(SESSION(TABLE s PARTITION BY user, DESCRIPTOR(ts), INTERVAL '8' SECONDS)) "
    "GROUP BY user, window_start, window_end",
    "WITH s AS (SELECT * FROM {src} WHERE kind <> 'view') SELECT window_end, kind, max(amount) AS hi "
    "FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '30' SECONDS)) "
    "GROUP BY window_end, kind",
    # Flink's group window functions (NEXMark q11's SESSION, and TUMBLE / HOP with their properties)
    "SELECT user, count(*) AS n, SESSION_START(ts, INTERVAL '10' SECOND) AS s, "
    "SESSION_ROWTIME(ts, INTERVAL '10' SECOND) AS r FROM {src} GROUP BY user, SESSION(ts, INTERVAL '10' SECOND)",
    "SELECT kind, TUMBLE_START(ts, INTERVAL '1' MINUTE) AS s, TUMBLE_END(ts, INTERVAL '1' MINUTE) AS e, "
    "sum(amount) AS total FROM {src} GROUP BY kind, TUMBLE(ts, INTERVAL '1' MINUTE)",
    "SELECT HOP_END(ts, INTERVAL '30' SECOND, INTERVAL '2' MINUTE) AS e, min(amount) AS lo, count(*) AS n "
    "FROM {src} GROUP BY HOP(ts, INTERVAL '30' SECOND, INTERVAL '2' MINUTE)",
    # Stream Analytics: TIMESTAMP BY, TumblingWindow / HoppingWindow / SlidingWindow / SessionWindow,
    # System.Timestamp()
    "SELECT user, COUNT(*) AS n, System.Timestamp() AS window_end FROM {src} TIMESTAMP BY ts "
    "GROUP BY user, TumblingWindow(minute, 1)",
    "SELECT kind, SUM(amount) AS total, System.Timestamp() AS window_end FROM {src} TIMESTAMP BY ts "
    "GROUP BY kind, HoppingWindow(second, 120, 60)",
    "SELECT user, COUNT(*) AS n, System.Timestamp() AS window_end FROM {src} TIMESTAMP BY ts "
    "GROUP BY user, SessionWindow(second, 10, 60)",
    "SELECT System.Timestamp() AS window_end, user, COUNT(*) AS n, SUM(amount) AS total FROM {src} TIMESTAMP BY ts "
    "GROUP BY user, SlidingWindow(second, 10)",
    "SELECT System.Timestamp() AS window_end, COUNT(*) AS n, MAX(amount) AS top FROM {src} TIMESTAMP BY ts "
    "WHERE kind = 'buy' GROUP BY SlidingWindow(second, 30) HAVING COUNT(*) > 1",
    # the seed's query shape: a CTE that carries the event time, then a tumbling window
    "WITH enriched AS (SELECT id, user, kind, ts, System.Timestamp() AS processing_timestamp "
    "FROM {src} TIMESTAMP BY ts) SELECT user, COUNT(*) AS event_count, System.Timestamp() AS window_end "
    "FROM enriched GROUP BY user, TumblingWindow(minute, 5)",
    "SELECT System.Timestamp() AS window_end, COUNT(*) AS n FROM {src} TIMESTAMP BY ts WHERE amount % 2 = 0 "
    "GROUP BY TumblingWindow(second, 30)",
    # aggregation without a window: each group's latest result, upserted
    "SELECT user, count(*) AS n, sum(amount) AS total, min(amount) AS lo, max(ts) AS last FROM {src} GROUP BY user",
    "SELECT kind, user, count(*) AS n FROM {src} WHERE amount > 30 GROUP BY kind, user",
    "SELECT u.segment, count(*) AS n, sum(e.amount) AS total FROM {src} e LEFT JOIN raw.users u ON e.user = u.user "
    "GROUP BY u.segment",
    # over it, grouped by some of its keys (NEXMark q4's shape): regrouped, upserted
    "SELECT Q.user, avg(Q.top) AS avg_top, count(*) AS kinds, min(Q.n) AS fewest "
    "FROM (SELECT user, kind, max(amount) AS top, count(*) AS n FROM {src} GROUP BY user, kind) Q GROUP BY Q.user",
    # joins of two streams: unbounded (every row kept)
    "SELECT e.id, e.user, p.pid, p.paid FROM {src} e JOIN {pay} p ON e.id = p.event_id",
    "SELECT e.id, u.segment, p.paid FROM {src} e JOIN {pay} p ON e.id = p.event_id JOIN raw.users u ON e.user = u.user",
    "SELECT e.user, count(*) AS n, sum(p.paid) AS paid FROM {src} e JOIN {pay} p ON e.id = p.event_id GROUP BY e.user",
    # interval joins: state pruned by both watermarks
    "SELECT e.id, p.pid FROM {tight} e JOIN {pay} p ON p.pts BETWEEN e.ts AND e.ts + INTERVAL 10 SECONDS",
    "SELECT p.pid, e.id, e.kind FROM {pay} p JOIN {tight} e "
    "ON e.ts >= p.pts - INTERVAL 5 SECONDS AND e.ts < p.pts + INTERVAL 5 SECONDS WHERE e.kind <> 'view'",
    "SELECT e.id, p.pid FROM {tight} e JOIN {pay} p "
    "ON e.user = p.user AND p.pts BETWEEN e.ts - INTERVAL 2 SECONDS AND e.ts + INTERVAL 12 SECONDS",
    # window joins: of two windowed aggregations, and of rows in window table functions
    "SELECT a.ws, a.user, a.n, b.paid FROM (SELECT window.start AS ws, window.end AS we, user, count(*) AS n "
    "FROM {tight} GROUP BY window(ts, '1 minute'), user) a JOIN (SELECT window.end AS we, user, sum(paid) AS paid "
    "FROM {pay} GROUP BY window(pts, '1 minute'), user) b ON a.user = b.user AND a.we = b.we",
    "WITH s AS (SELECT * FROM {tight}), q AS (SELECT * FROM {pay}) SELECT x.id, y.pid, x.window_start "
    "FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '30' SECONDS)) x "
    "JOIN TABLE(TUMBLE(TABLE q, DESCRIPTOR(pts), INTERVAL '30' SECONDS)) y "
    "ON x.user = y.user AND x.window_end = y.window_end",
    # windowed aggregations over an interval join, on either side's time
    "SELECT window.start, count(*) AS n, sum(p.paid) AS paid FROM {tight} e JOIN {pay} p "
    "ON p.pts BETWEEN e.ts AND e.ts + INTERVAL 10 SECONDS GROUP BY window(p.pts, '1 minute')",
    "SELECT window.start, e.user, count(*) AS n FROM {tight} e JOIN {pay} p "
    "ON e.user = p.user AND p.pts BETWEEN e.ts AND e.ts + INTERVAL 10 SECONDS GROUP BY window(e.ts, '30 seconds'), e.user",
    # outer joins bounded in time: an event without its payment (a view, a click) is written padded
    # with NULLs once the payments' watermark passes its ten seconds; a payment of a small buy once
    # the events' watermark passes it; both sides' windows without a partner in a FULL window join;
    # and a windowed aggregation over a LEFT join, whose padded rows must not be behind its watermark
    "SELECT e.id, e.kind, p.pid, p.paid FROM {tight} e LEFT JOIN {pay} p "
    "ON e.id = p.event_id AND p.pts BETWEEN e.ts AND e.ts + INTERVAL 10 SECONDS",
    "SELECT p.pid, p.paid, e.id FROM {tight} e RIGHT JOIN {pay} p "
    "ON e.id = p.event_id AND e.amount > 50 AND e.ts BETWEEN p.pts - INTERVAL 8 SECONDS AND p.pts",
    "SELECT coalesce(a.we, b.we) AS we, coalesce(a.user, b.user) AS user, a.n, b.paid "
    "FROM (SELECT window.end AS we, user, count(*) AS n FROM {tight} WHERE kind = 'view' "
    "GROUP BY window(ts, '30 seconds'), user) a FULL JOIN (SELECT window.end AS we, user, sum(paid) AS paid "
    "FROM {pay} GROUP BY window(pts, '30 seconds'), user) b ON a.user = b.user AND a.we = b.we",
    "SELECT window.start, count(*) AS n, count(p.pid) AS paid FROM {tight} e LEFT JOIN {pay} p "
    "ON e.id = p.event_id AND p.pts BETWEEN e.ts AND e.ts + INTERVAL 10 SECONDS GROUP BY window(e.ts, '1 minute')",
    # EXISTS and NOT EXISTS over a stream, bounded in time (semi and anti joins of two streams)
    "SELECT e.id, e.kind FROM {tight} e WHERE EXISTS (SELECT 1 FROM {pay} p "
    "WHERE p.event_id = e.id AND p.pts BETWEEN e.ts AND e.ts + INTERVAL 10 SECONDS)",
    "SELECT e.id, e.user FROM {tight} e WHERE NOT EXISTS (SELECT 1 FROM {pay} p "
    "WHERE p.user = e.user AND p.pts BETWEEN e.ts AND e.ts + INTERVAL 3 SECONDS)",
    # a stream joined with its own windowed aggregate (NEXMark q7: bounded by the WHERE) and with
    # the maximum of its windows' counts (NEXMark q5)
    "WITH b AS (SELECT * FROM {tight}) SELECT B.id, B.amount FROM b B JOIN (SELECT max(amount) AS top, "
    "window_end AS we FROM TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '30' SECONDS)) GROUP BY window_start, "
    "window_end) T ON B.amount = T.top WHERE B.ts BETWEEN T.we - INTERVAL 30 SECONDS AND T.we",
    "WITH s AS (SELECT * FROM {tight}), c AS (SELECT user, count(*) AS n, window_start AS ws, window_end AS we "
    "FROM TABLE(HOP(TABLE s, DESCRIPTOR(ts), INTERVAL '10' SECONDS, INTERVAL '30' SECONDS)) "
    "GROUP BY user, window_start, window_end) SELECT c.user, c.n, c.ws FROM c "
    "JOIN (SELECT max(n) AS top, ws, we FROM c GROUP BY ws, we) m ON c.ws = m.ws AND c.we = m.we AND c.n >= m.top",
    # Top-N per window: over a windowed aggregation's results (Flink's and Spark's forms), and over
    # the rows of window table functions (ties ranked by RANK() all stay)
    "WITH s AS (SELECT * FROM {src}) SELECT window_start, user, n FROM (SELECT *, ROW_NUMBER() OVER "
    "(PARTITION BY window_start, window_end ORDER BY n DESC, user) AS rn FROM (SELECT window_start, window_end, user, "
    "count(*) AS n FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
    "GROUP BY window_start, window_end, user)) WHERE rn <= 2",
    "SELECT window.start AS ws, kind, sum(amount) AS total FROM {src} GROUP BY window(ts, '2 minutes'), kind "
    "QUALIFY DENSE_RANK() OVER (PARTITION BY window ORDER BY sum(amount) DESC) = 1",
    "WITH s AS (SELECT * FROM {src}) SELECT window_start, id, amount FROM (SELECT *, ROW_NUMBER() OVER "
    "(PARTITION BY window_start, window_end ORDER BY amount DESC, id) AS rn "
    "FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn <= 3",
    "WITH s AS (SELECT * FROM {src}) SELECT window_start, window_end, id, user, amount "
    "FROM TABLE(HOP(TABLE s, DESCRIPTOR(ts), INTERVAL '30' SECONDS, INTERVAL '1' MINUTE)) "
    "QUALIFY RANK() OVER (PARTITION BY window_start, window_end, user ORDER BY amount DESC) <= 2",
    # window deduplication: each user's first event of each minute
    "WITH s AS (SELECT * FROM {src}) SELECT window_start, user, id, ts FROM (SELECT *, ROW_NUMBER() OVER "
    "(PARTITION BY window_start, window_end, user ORDER BY ts) AS rn "
    "FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn = 1",
    # deduplication by key: the first row by event time (append mode), with QUALIFY too, and
    # feeding a windowed aggregation; the last row, or the top row by a value (update mode)
    "SELECT user, kind, id, amount, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user, kind ORDER BY ts) AS rn "
    "FROM {src}) WHERE rn = 1",
    "SELECT id, user, amount FROM {src} QUALIFY ROW_NUMBER() OVER (PARTITION BY floor(id / 4) ORDER BY ts) = 1",
    "SELECT window.start, count(*) AS first_events FROM (SELECT * FROM {src} "
    "QUALIFY ROW_NUMBER() OVER (PARTITION BY user, floor(id / 10) ORDER BY ts) = 1) GROUP BY window(ts, '1 minute')",
    "SELECT user, kind, id, ts FROM {src} QUALIFY ROW_NUMBER() OVER (PARTITION BY user, kind ORDER BY ts DESC) = 1",
    "SELECT kind, id, amount FROM {src} QUALIFY ROW_NUMBER() OVER (PARTITION BY kind ORDER BY amount DESC, id) = 1",
    # DISTINCT, and a GROUP BY without aggregates: each row once, when first seen
    "SELECT DISTINCT user, kind FROM {src}",
    "SELECT user, amount % 10 AS digit FROM {src} WHERE kind = 'buy' GROUP BY user, amount % 10",
]


def run(binary, *args, check=True):
    proc = subprocess.run([binary, *args], capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"tidelake {' '.join(args[:2])} failed:\n{proc.stderr[-4000:]}")
    return proc


def query_rows(binary, lake, text):
    out = run(binary, "sql", "--lake", str(lake), "--format", "json", "-c", text).stdout
    text = out.strip()
    if not text:
        return []
    records = json.loads(text) if text.startswith("[") else [json.loads(line) for line in text.splitlines()]
    return sorted((tuple(normalise(v) for v in record.values()) for record in records), key=repr)


def normalise(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return tuple(sorted((k, normalise(v)) for k, v in value.items()))
    return value


def events():
    """(id, user, kind, amount, event time) in event-time order, then their arrival order."""
    rng = random.Random(20261125)
    base = datetime(2024, 1, 1, 10, 0, 0, tzinfo=timezone.utc)
    rows = []
    for i in range(EVENTS):
        t = base + timedelta(milliseconds=700 * i) + timedelta(seconds=40 * (i // 150))
        user = f"u{(i * 7 + i // 11) % 6}"
        kind = ("view", "click", "buy")[(i * 5 + i // 7) % 3]
        rows.append((i, user, kind, (i * 37) % 100, t))
    arrival = sorted(rows, key=lambda r: r[4] + timedelta(seconds=rng.uniform(0, DISORDER_S)))
    return arrival


def payments(rows):
    """A payment per 'buy' event, 0 to 8 s after it: (pid, event id, user, paid, time, arrival)."""
    rng = random.Random(20261126)
    out = []
    for i, user, kind, amount, t in sorted(rows):
        if kind == "buy":
            pts = t + timedelta(milliseconds=rng.randrange(0, 8000))
            out.append((len(out), i, user, amount + 1, pts, pts + timedelta(seconds=rng.uniform(0, DISORDER_S))))
    return out


def stamp(t):
    return f"TIMESTAMP '{t.strftime('%Y-%m-%d %H:%M:%S.%f')}'"


def values(rows):
    return ", ".join(f"({i}, '{u}', '{k}', {a}, {stamp(t)})" for i, u, k, a, t in rows)


def payment_values(rows):
    return ", ".join(f"({p}, {e}, '{u}', {a}, {stamp(t)})" for p, e, u, a, t, _ in rows)


# The queries with keyed state (stream/keyed_rows.h).
KEYED = [q for q in CORPUS if any(word in q for word in ("GROUP BY", "ROW_NUMBER", "DISTINCT", "{pay}"))]


@pytest.mark.parametrize("backend,corpus", [("hashmap", CORPUS), ("rocksdb", KEYED)], ids=["memory", "rocksdb"])
def test_streaming_equals_batch(tidelake_bin, tmp_path, backend, corpus):
    assert len(corpus) >= (30 if backend == "hashmap" else 20)
    lake = tmp_path / "lake"
    settings = f"SET state.backend.type = '{backend}';\n"
    setup = ["CREATE TABLE raw.events (id BIGINT, user STRING, kind STRING, amount INT, ts TIMESTAMP)",
             "CREATE TABLE raw.users (user STRING, segment STRING)",
             "INSERT INTO raw.users VALUES ('u0', 'gold'), ('u1', 'silver'), ('u2', 'gold'), ('u3', 'bronze'), "
             "('u4', 'silver')",
             "CREATE TABLE raw.payments (pid BIGINT, event_id BIGINT, user STRING, paid INT, pts TIMESTAMP)"]
    tables = [f"curated.q{k}" for k in range(len(corpus))]
    for table, query in zip(tables, corpus):
        setup.append(f"CREATE STREAMING TABLE {table} AS {query.format(src=STREAM_SRC, tight=STREAM_TIGHT, pay=STREAM_PAY)}")
    run(tidelake_bin, "sql", "--lake", str(lake), "-c", settings + ";\n".join(setup))

    arrival = events()
    paid = payments(arrival)
    chunk = len(arrival) // APPENDS
    refresh_all = ";\n".join(f"REFRESH STREAMING TABLE {t}" for t in tables)
    for n in range(APPENDS):
        part = arrival[n * chunk:(n + 1) * chunk if n < APPENDS - 1 else len(arrival)]
        # The payments that arrive before this append's last event (the rest with the last).
        until = max(r[4] for r in part) + timedelta(seconds=DISORDER_S / 2)
        pay = [p for p in paid if p[5] <= until or n == APPENDS - 1]
        paid = [p for p in paid if p not in pay]
        inserts = f"INSERT INTO raw.events VALUES {values(part)};\n"
        if pay:
            inserts += f"INSERT INTO raw.payments VALUES {payment_values(pay)};\n"
        run(tidelake_bin, "sql", "--lake", str(lake), "-c", settings + inserts + refresh_all)

    final = tmp_path / "final.sql"
    final.write_text(settings + refresh_all + ";\n")
    run(tidelake_bin, "stream", "run", str(final), "--trigger", "available-now", "--end-of-input", "--lake", str(lake))

    mismatches = []
    for k, (table, query) in enumerate(zip(tables, corpus)):
        streamed = query_rows(tidelake_bin, lake, f"SELECT * FROM {table}")
        batch = query_rows(tidelake_bin, lake, query.format(src=BATCH_SRC, tight=BATCH_SRC, pay=BATCH_PAY))
        assert batch, f"query {k} gives no rows in batch mode; the corpus should exercise it: {query}"
        if streamed != batch:
            missing = [r for r in batch if r not in streamed][:3]
            extra = [r for r in streamed if r not in batch][:3]
            mismatches.append(f"q{k}: {query}\n  batch {len(batch)} rows, stream {len(streamed)} rows; "
                              f"missing e.g. {missing}; extra e.g. {extra}")
    assert not mismatches, "\n".join(mismatches)
