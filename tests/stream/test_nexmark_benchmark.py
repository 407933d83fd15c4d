"""bench/run_nexmark_benchmark.py's own logic, without running an engine: the blackhole script it
writes for tidelake, the row check of a blackhole run, and the report's two tidelake figures with
the target judged on the blackhole one."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import run_nexmark_benchmark as bench  # noqa: E402

# The run a report describes, and a Flink run of 1,000 events in 1 s.
INFO = dict(date="2026-01-01", command="x", tidelake="commit abc", peer="Flink", nproc=2, load_start=0.1,
            load_end=0.1, cpu="cpu", memory="1 GiB", kernel="k",
            manifest=dict(events=1000, persons=20, auctions=60, bids=920, seed=0, events_per_second=1e7,
                          files=["a"], bytes=2**20))
FLINK = dict(status="ok", events=1000, net_runtime_s=[1.0], wall_s=[1.5], rows=920)


def test_the_blackhole_script_is_the_nexmark_projects_form():
    text = bench.blackhole_statements("q0", [("auction", "bigint"), ("dateTime", "timestamp")])
    assert text.startswith("CREATE TABLE nexmark_q0 (\n    `auction` bigint,\n    `dateTime` timestamp\n"
                           ") WITH (\n    'connector' = 'blackhole'\n);\n\nINSERT INTO nexmark_q0\n")
    assert text.rstrip().endswith("FROM bid;")


def test_blackhole_rows_are_checked_against_flink_or_the_delta_run():
    appending = dict(rows=100, rows_written=100)
    assert bench.blackhole_rows_mismatch("q0", appending, dict(rows=100), flink_rows=100) is None
    assert bench.blackhole_rows_mismatch("q0", appending, dict(rows=99), flink_rows=100) == \
        "q0: tidelake wrote 99 rows into blackhole, Flink's answer has 100"
    # Without Flink, the Delta table's count.
    assert bench.blackhole_rows_mismatch("q0", appending, dict(rows=100), flink_rows=None) is None
    assert "its Delta table has 100" in bench.blackhole_rows_mismatch("q0", appending, dict(rows=7), None)
    # A query that updates its groups' results: each update reaches the sink, as in its Delta run.
    updating = dict(rows=10, rows_written=35)
    assert bench.blackhole_rows_mismatch("q4", updating, dict(rows=35), flink_rows=10) is None
    assert "its run into Delta wrote (updates of its groups' results) 35" in \
        bench.blackhole_rows_mismatch("q4", updating, dict(rows=10), flink_rows=10)


def test_the_report_shows_both_figures_and_judges_the_target_on_the_blackhole():
    results = {
        # 6x Flink into blackhole, 2x into Delta: the target is met.
        "q0": dict(flink=FLINK, blackhole=dict(status="ok", events_per_s=6000.0, wall_s=[0.2], batches=1, events=1000,
                                               rows=920),
                   tidelake=dict(status="ok", events_per_s=2000.0, wall_s=[0.5], batches=1, events=1000, late_rows=0,
                                 rows=920)),
        # Into Delta only 8x; into blackhole 4x: missed, though the Delta figure is higher.
        "q1": dict(flink=FLINK, blackhole=dict(status="ok", events_per_s=4000.0, wall_s=[0.25], batches=1, events=1000,
                                               rows=920),
                   tidelake=dict(status="ok", events_per_s=8000.0, wall_s=[0.125], batches=1, events=1000, late_rows=0,
                                 rows=920)),
    }
    text = bench.section_text(results, INFO)
    assert "| q0 | 1 K | 6 K | 6.00 | 2 K | 2.00 | 920 |" in text, text
    assert "| q1 | 1 K | 4 K | 4.00 | 8 K | 8.00 | 920 |" in text, text
    assert "NOT met (1 met, 1 missed: q1, 0 without a ratio)" in text, text
    assert "tidelake into blackhole wall 0.20 s" in text and "tidelake into Delta wall 0.50 s" in text


def test_a_query_both_engines_refuse_is_not_counted_against_the_target():
    ok = dict(status="ok", events_per_s=6000.0, wall_s=[0.2], batches=1, events=1000, rows=920, late_rows=0)
    refused = dict(status="not supported", error="column 'rownum' not found")
    results = {"q0": dict(flink=FLINK, blackhole=ok, tidelake=ok),
               "q6": dict(flink=dict(refused, query="q6", events=1000), blackhole=refused, tidelake=refused)}
    text = bench.section_text(results, INFO)
    assert "met (1 met, 0 missed, 0 without a ratio); not counted, refused by both engines" in text, text
    # Refused by tidelake alone, it is a query without a ratio: the target is not met.
    results["q6"]["flink"] = FLINK
    text = bench.section_text(results, INFO)
    assert "NOT met (1 met, 0 missed, 1 without a ratio: q6)" in text, text
