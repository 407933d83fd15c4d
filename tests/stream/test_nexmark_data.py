"""The NEXMark benchmark's data tool (bench/nexmark_data.cc, built beside the tidelake binary):
the Parquet files it writes hold exactly the generator's events, in the shape both engines of
bench/run_nexmark_benchmark.py declare (Flink's nexmark table), and tidelake reads them.
"""

import json
import subprocess
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

EVENTS = 10_000
PER_FILE = 4_000
RATE = 1_000  # one event per ms of event time
BASE_MS = 1_735_689_600_000


@pytest.fixture(scope="module")
def data_tool(tidelake_bin) -> Path:
    path = Path(tidelake_bin).parent / "nexmark_data"
    if not path.exists():
        pytest.fail(f"{path} not found: the release build makes it (TIDELAKE_BUILD_BENCHMARKS)")
    return path


def generate(tool: Path, directory: Path, events: int) -> dict:
    proc = subprocess.run([str(tool), "--dir", str(directory), "--events", str(events), "--seed", "3",
                           "--rate", str(RATE), "--events-per-file", str(PER_FILE), "--base-time-ms", str(BASE_MS)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_files_hold_the_events(data_tool, tmp_path):
    summary = generate(data_tool, tmp_path, EVENTS)
    files = sorted(p.name for p in tmp_path.glob("*.parquet"))
    assert files == ["events-00000.parquet", "events-00001.parquet", "events-00002.parquet"]
    manifest = json.loads((tmp_path / "_nexmark.json").read_text())
    assert [f["events"] for f in manifest["files"]] == [4_000, 4_000, 2_000]
    # The reference mix: of every 50 ids one person, three auctions, 46 bids.
    assert (summary["persons"], summary["auctions"], summary["bids"]) == (200, 600, 9_200)

    table = ds.dataset(tmp_path, format="parquet").to_table()  # `_nexmark.json` is skipped as hidden
    assert table.column_names == ["event_type", "person", "auction", "bid", "dateTime"]
    assert table.num_rows == EVENTS
    kinds = table.column("event_type").to_pylist()
    assert [kinds.count(k) for k in (0, 1, 2)] == [200, 600, 9_200]
    for kind, column in enumerate(["person", "auction", "bid"]):
        is_set = pc.is_valid(table.column(column)).to_pylist()
        assert is_set == [k == kind for k in kinds], column
        # The top-level time is the set struct's time.
        rows = table.filter(pc.equal(table.column("event_type"), kind))
        assert rows.column("dateTime").to_pylist() == pc.struct_field(rows.column(column), "dateTime").to_pylist()
    # In order, at the rate, from the base time.
    nanos = pc.cast(table.column("dateTime"), "int64").to_pylist()  # INT96 reads as nanoseconds
    assert nanos == [(BASE_MS + i) * 1_000_000 for i in range(EVENTS)]

    # Flink's Parquet reader takes timestamps inside a ROW only as INT96.
    schema = pq.ParquetFile(tmp_path / files[0]).schema
    times = [schema.column(i) for i in range(len(schema)) if schema.column(i).name in ("dateTime", "expires")]
    assert len(times) == 5 and all(c.physical_type == "INT96" for c in times)


def test_a_smaller_run_replaces_the_files(data_tool, tmp_path):
    generate(data_tool, tmp_path, EVENTS)
    generate(data_tool, tmp_path, 1_000)
    assert sorted(p.name for p in tmp_path.glob("*.parquet")) == ["events-00000.parquet"]
    assert ds.dataset(tmp_path, format="parquet").count_rows() == 1_000


def test_tidelake_reads_the_files(data_tool, tidelake_bin, tmp_path):
    data = tmp_path / "data"
    generate(data_tool, data, EVENTS)
    proc = subprocess.run([tidelake_bin, "sql", "--lake", str(tmp_path / "lake"), "--format", "csv", "-c",
                           f"SELECT count(*), count(bid.price), min(`dateTime`) FROM read_parquet('{data}') "
                           "WHERE event_type = 2"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    count, prices, first = proc.stdout.strip().splitlines()[1].split(",")
    assert (int(count), int(prices)) == (9_200, 9_200)
    assert first.startswith("2025-01-01")


ROOT = Path(__file__).resolve().parents[2]
NEXMARK = ROOT / "bench" / "nexmark"


def rows(tidelake_bin: str, lake: Path, sql: str) -> list[str]:
    proc = subprocess.run([tidelake_bin, "sql", "--lake", str(lake), "--format", "csv", "-c", sql],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return sorted(proc.stdout.strip().splitlines()[1:])


@pytest.mark.parametrize("stream,batch", [
    # NEXMark q2 over the view `bid`: reads bid.auction and bid.price of the struct, not its strings.
    ("SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0",
     "SELECT bid.auction, bid.price FROM read_parquet('{data}') WHERE event_type = 2 AND MOD(bid.auction, 123) = 0"),
    # Fields of two structs, null where the event is of another kind; and a struct read whole.
    ("SELECT event_type, person.name, bid.url, auction IS NULL AS no_auction FROM events",
     "SELECT event_type, person.name, bid.url, auction IS NULL FROM read_parquet('{data}')"),
], ids=["q2", "fields-and-whole"])
def test_a_streaming_query_over_the_files_reads_the_fields_it_uses(data_tool, tidelake_bin, tmp_path, stream, batch):
    # The files source reads only the struct fields a streaming query uses (the others are left
    # null): its rows must be those of the same query over all the columns in batch mode.
    data = tmp_path / "data"
    generate(data_tool, data, EVENTS)
    lake = tmp_path / "lake"
    script = tmp_path / "query.sql"
    script.write_text((NEXMARK / "tidelake" / "events.sql").read_text().replace("${DATA_DIR}", str(data)) + "\n"
                      + (NEXMARK / "queries" / "views.sql").read_text() + "\n"
                      + f"CREATE STREAMING TABLE curated.out AS {stream};\n")
    proc = subprocess.run([tidelake_bin, "stream", "run", str(script), "--trigger", "available-now",
                           "--end-of-input", "--lake", str(lake)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    streamed = rows(tidelake_bin, lake, "SELECT * FROM curated.out")
    expected = rows(tidelake_bin, lake, batch.format(data=data))
    assert len(expected) > 20
    assert streamed == expected
