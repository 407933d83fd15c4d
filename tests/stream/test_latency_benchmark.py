"""The latency arithmetic of bench/run_latency_benchmark.py, on synthetic progress logs (no
binary): which events are rows, the event ranges of the batches, and the exact ranks, checked
against a hand-worked case and against listing every event's latency.
"""

import json
import math
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import run_latency_benchmark as bench  # noqa: E402

STARTED = 1_780_000_000_000


def offset(event: int, started: int = STARTED) -> str:
    return json.dumps({"generator": "nexmark", "seed": 1, "event": event, "baseTimeMs": started,
                       "startedAtMs": started})


def progress_log(ends_and_times: list[tuple[int, int, int]], rows: bench.Rows, source: str = "bid") -> list[dict]:
    """Progress records for batches ending at event `end`, recorded at `timestamp`, taking `duration` ms."""
    records, previous = [], 0
    for k, (end, timestamp, duration) in enumerate(ends_and_times):
        n = rows.between(previous, end)
        records.append({"batchId": k, "timestamp": timestamp, "recovered": False, "numInputRows": n,
                        "numOutputRows": n, "writeSkipped": False, "durationMs": duration,
                        "endOffsets": {source: offset(end)}, "stateRows": 0, "lateRows": 0})
        previous = end
    return records


def brute_force(batches, rate, from_ms, until_ms, rows):
    """Every row's latency, listed."""
    out = []
    for b in batches:
        for i in range(b.first, b.end):
            since_start = i * 1000 / rate  # ms after STARTED (kept small: doubles near 1.8e12 ms are coarse)
            if i % rows.period >= rows.skip and from_ms <= STARTED + since_start < until_ms:
                out.append((b.timestamp_ms - STARTED) - since_start)
    return sorted(out)


@pytest.mark.parametrize("rows", [bench.Rows(), bench.Rows(1, 0), bench.Rows(7, 3)])
def test_rows_and_index_sums_match_counting(rows):
    for lo in [0, 1, 3, 4, 49, 50, 51, 123]:
        for hi in [0, 4, 5, 50, 54, 99, 100, 101, 1234]:
            members = [i for i in range(lo, hi) if i % rows.period >= rows.skip]
            assert rows.between(lo, hi) == len(members), (lo, hi)
            assert rows.index_sum_between(lo, hi) == sum(members), (lo, hi)
            if members:
                assert bench.first_row(rows, lo) == members[0]


def test_bids_are_46_of_50_events():
    assert bench.Rows().between(0, 50) == 46
    assert bench.Rows().between(0, 4) == 0
    assert bench.Rows().between(4, 5) == 1
    assert bench.Rows().before(1_000_000) == 920_000


def test_hand_worked_batch():
    # One event per ms; batch 0 reads events 0..99 and is visible at 150 ms: latencies 150 - i,
    # i.e. 51..150 ms. Nearest rank: p50 is the 50th smallest (100), p99 the 99th (149).
    rows = bench.Rows(1, 0)
    batches = bench.batches_of(progress_log([(100, STARTED + 150, 20)], rows), offset(0), "bid")
    stats = bench.latency_stats(batches, STARTED, 1000, STARTED, STARTED + 100, rows)
    assert stats["events"] == stats["visible"] == 100
    assert stats["quantiles"][0.5] == pytest.approx(100, abs=1e-5)
    assert stats["quantiles"][0.99] == pytest.approx(149, abs=1e-5)
    assert stats["max_ms"] == pytest.approx(150)
    assert stats["mean_ms"] == pytest.approx(100.5)
    assert stats["batch_mean_ms"] == pytest.approx(20)


def test_rows_are_visible_at_visible_at_and_never_after_the_progress_record():
    rows = bench.Rows(1, 0)
    log = progress_log([(100, STARTED + 150, 20)], rows)
    log[0]["visibleAt"] = STARTED + 140
    batch = bench.batches_of(log, offset(0), "bid")[0]
    assert (batch.timestamp_ms, batch.recorded_ms) == (STARTED + 140, STARTED + 150)
    log[0]["visibleAt"] = STARTED + 151
    with pytest.raises(bench.RunError, match="after its progress record"):
        bench.batches_of(log, offset(0), "bid")


def test_ranks_equal_listing_every_latency():
    rng = random.Random(7)
    rows = bench.Rows()
    rate = 3_000  # 1/3 ms per event: ingestion times are not whole milliseconds
    ends, end, now = [], 0, STARTED
    for _ in range(60):
        now += rng.randint(30, 90)
        end = max(end, int((now - rng.randint(0, 40) - STARTED) * rate / 1000))
        ends.append((end, now, rng.randint(1, 60)))
    batches = bench.batches_of(progress_log(ends, rows), offset(0), "bid")
    from_ms, until_ms = STARTED + 500, now - 300
    stats = bench.latency_stats(batches, STARTED, rate, from_ms, until_ms, rows, quantiles=(0.5, 0.9, 0.99, 1.0))
    listed = brute_force(batches, rate, from_ms, until_ms, rows)
    assert stats["events"] == stats["visible"] == len(listed) > 1000
    for q, value in stats["quantiles"].items():
        assert value == pytest.approx(listed[math.ceil(q * len(listed)) - 1], abs=1e-5), q
    assert stats["max_ms"] == pytest.approx(listed[-1])
    assert stats["mean_ms"] == pytest.approx(sum(listed) / len(listed))


def test_rows_no_batch_read_are_not_visible():
    # The window runs to 1 s, but the batches read only the first 100 ms of events: the
    # median falls on rows nobody saw, so it is unknown, never the median of what was seen.
    rows = bench.Rows(1, 0)
    batches = bench.batches_of(progress_log([(50, STARTED + 60, 5), (100, STARTED + 110, 5)], rows), offset(0), "bid")
    stats = bench.latency_stats(batches, STARTED, 1000, STARTED, STARTED + 1000, rows)
    assert stats["events"] == 1000 and stats["visible"] == 100
    assert stats["quantiles"][0.5] is None and stats["quantiles"][0.99] is None
    assert stats["max_ms"] == pytest.approx(60)


def test_warm_up_is_left_out():
    rows = bench.Rows(1, 0)
    batches = bench.batches_of(progress_log([(1000, STARTED + 1500, 5), (2000, STARTED + 2010, 5)], rows),
                               offset(0), "bid")
    stats = bench.latency_stats(batches, STARTED, 1000, STARTED + 1000, STARTED + 2000, rows)
    assert stats["visible"] == 1000
    assert stats["max_ms"] == pytest.approx(1010)  # event 1000, not the slow first batch's event 0


def test_batches_must_follow_each_other():
    rows = bench.Rows()
    log = progress_log([(100, STARTED + 60, 5), (200, STARTED + 110, 5)], rows)
    log[1]["endOffsets"]["bid"] = offset(50)
    with pytest.raises(bench.RunError, match="before its start"):
        bench.batches_of(log, offset(0), "bid")
    log = progress_log([(100, STARTED + 60, 5)], rows)
    log[0]["endOffsets"]["bid"] = offset(100, started=STARTED + 1)
    with pytest.raises(bench.RunError, match="generator started at"):
        bench.batches_of(log, offset(0), "bid")
    log = progress_log([(100, STARTED + 60, 5), (200, STARTED + 110, 5)], rows)
    del log[0]
    with pytest.raises(bench.RunError, match="where batch 0 was expected"):
        bench.batches_of(log, offset(0), "bid")
