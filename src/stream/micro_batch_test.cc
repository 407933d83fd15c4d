// The micro-batch runner end to end over real Delta tables: a Delta source, a transform, a
// Delta sink and a checkpoint directory. Crashes are simulated by sinks that fail before or
// after writing, and by restarting runners on the same checkpoint.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>

#include "common/arrow_init.h"
#include "delta/delete.h"
#include "delta/scan.h"
#include "delta/table.h"
#include "stream/checkpoint.h"
#include "stream/delta_source.h"
#include "stream/micro_batch.h"
#include "stream/sink.h"

namespace tidelake::stream {
namespace {

namespace cp = arrow::compute;
namespace fs = std::filesystem;

class MicroBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(EnsureArrowInitialized().ok());
    dir_ = fs::temp_directory_path() / ("tidelake-stream-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs_ = std::make_shared<arrow::fs::LocalFileSystem>();
    source_ = delta::TableLocation{fs_, (dir_ / "source").string(), "raw.events"};
    sink_ = delta::TableLocation{fs_, (dir_ / "sink").string(), "refined.events"};
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::shared_ptr<arrow::Table> Rows(int64_t first, int64_t n) {
    arrow::Int64Builder ids;
    arrow::StringBuilder kinds;
    for (int64_t i = first; i < first + n; ++i) {
      EXPECT_TRUE(ids.Append(i).ok());
      EXPECT_TRUE(kinds.Append(i % 2 == 0 ? "keep" : "drop").ok());
    }
    auto schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("kind", arrow::utf8())});
    return arrow::Table::Make(schema, {ids.Finish().ValueOrDie(), kinds.Finish().ValueOrDie()});
  }

  void Append(int64_t first, int64_t n) {
    auto rows = Rows(first, n);
    arrow::TableBatchReader reader(*rows);
    auto written = delta::DeltaTable::Write(source_, reader, delta::WriteOptions{});
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }

  // Keeps the rows whose kind is 'keep'.
  static BatchTransform KeepFilter() {
    return [](const std::map<std::string, std::shared_ptr<arrow::Table>>& inputs)
               -> arrow::Result<std::shared_ptr<arrow::Table>> {
      const auto& rows = inputs.at("events");
      ARROW_ASSIGN_OR_RAISE(auto mask, cp::CallFunction("equal", {rows->GetColumnByName("kind"),
                                                                 arrow::Datum(std::string("keep"))}));
      ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(rows, mask));
      return kept.table();
    };
  }

  arrow::Result<std::unique_ptr<MicroBatchRunner>> Runner(DeltaSourceOptions options = {},
                                                          std::unique_ptr<Sink> sink = nullptr) {
    std::vector<std::unique_ptr<Source>> sources;
    ARROW_ASSIGN_OR_RAISE(auto source, DeltaSource::Make("events", source_, options));
    sources.push_back(std::move(source));
    ARROW_ASSIGN_OR_RAISE(auto checkpoint, Checkpoint::Open(fs_, (dir_ / "checkpoint").string()));
    if (!sink) sink = std::make_unique<DeltaAppendSink>(sink_);
    return MicroBatchRunner::Make(std::move(sources), KeepFilter(), std::move(sink), std::move(checkpoint));
  }

  // The ids in the sink table, sorted.
  std::vector<int64_t> SinkIds() {
    auto snapshot = delta::Snapshot::Load(sink_);
    if (!snapshot.ok()) return {};
    auto scan = delta::Scan::Make(*snapshot, delta::ScanOptions{});
    EXPECT_TRUE(scan.ok());
    auto table = (*scan)->ToTable();
    EXPECT_TRUE(table.ok());
    std::vector<int64_t> ids;
    for (const auto& chunk : (*table)->GetColumnByName("id")->chunks()) {
      const auto& values = static_cast<const arrow::Int64Array&>(*chunk);
      for (int64_t i = 0; i < values.length(); ++i) ids.push_back(values.Value(i));
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  static std::vector<int64_t> EvenIds(int64_t first, int64_t end) {
    std::vector<int64_t> ids;
    for (int64_t i = first; i < end; ++i) {
      if (i % 2 == 0) ids.push_back(i);
    }
    return ids;
  }

  fs::path dir_;
  std::shared_ptr<arrow::fs::FileSystem> fs_;
  delta::TableLocation source_;
  delta::TableLocation sink_;
};

// A sink that fails: before writing (a crash before the Delta commit), or after writing (a
// crash between the Delta commit and the checkpoint's commit record).
class FailingSink : public Sink {
 public:
  FailingSink(delta::TableLocation location, bool write_first) : inner_(std::move(location)), write_first_(write_first) {}
  arrow::Result<SinkResult> Write(const std::string& query_id, int64_t batch_id,
                                  const std::shared_ptr<arrow::Table>& rows) override {
    if (write_first_) ARROW_RETURN_NOT_OK(inner_.Write(query_id, batch_id, rows).status());
    return arrow::Status::IOError("simulated crash in batch ", batch_id);
  }

 private:
  DeltaAppendSink inner_;
  bool write_first_;
};

TEST_F(MicroBatchTest, AvailableNowProcessesTheSnapshotThenNewCommitsOnce) {
  Append(0, 10);
  Append(10, 10);
  {
    auto runner = Runner();
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    std::vector<BatchProgress> batches;
    ASSERT_TRUE((*runner)->Run(Trigger{TriggerKind::kAvailableNow}, [&](const BatchProgress& p) { batches.push_back(p); }).ok());
    ASSERT_EQ(batches.size(), 1u);
    EXPECT_EQ(batches[0].input_rows, 20);
    EXPECT_EQ(batches[0].output_rows, 10);
  }
  EXPECT_EQ(SinkIds(), EvenIds(0, 20));

  // A restarted query reads only what was committed since.
  Append(20, 6);
  {
    auto runner = Runner();
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    auto batch = (*runner)->RunBatch();
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_TRUE(batch->has_value());
    EXPECT_EQ((*batch)->batch_id, 1);
    EXPECT_EQ((*batch)->input_rows, 6);
    auto nothing = (*runner)->RunBatch();
    ASSERT_TRUE(nothing.ok());
    EXPECT_FALSE(nothing->has_value());
  }
  EXPECT_EQ(SinkIds(), EvenIds(0, 26));
}

// A blackhole sink: the query's progress is checkpointed as for a Delta sink, each batch's
// progress record says how many rows the sink took, and nothing is written anywhere.
TEST_F(MicroBatchTest, BlackholeSinkKeepsTheQuerysProgressAndNoRows) {
  auto columns = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("kind", arrow::utf8())});
  Append(0, 10);
  Append(10, 10);
  {
    auto runner = Runner({}, std::make_unique<BlackholeSink>(columns));
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    std::vector<BatchProgress> batches;
    ASSERT_TRUE((*runner)->Run(Trigger{TriggerKind::kAvailableNow}, [&](const BatchProgress& p) {
                          batches.push_back(p);
                        }).ok());
    ASSERT_EQ(batches.size(), 1u);
    EXPECT_EQ(batches[0].input_rows, 20);
    EXPECT_EQ(batches[0].output_rows, 10);
    EXPECT_EQ(batches[0].rows_written, 10);
    EXPECT_FALSE(batches[0].write_skipped);
  }
  // A restarted query starts where the checkpoint says, not from the beginning.
  Append(20, 6);
  {
    auto runner = Runner({}, std::make_unique<BlackholeSink>(columns));
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    auto batch = (*runner)->RunBatch();
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_TRUE(batch->has_value());
    EXPECT_EQ((*batch)->batch_id, 1);
    EXPECT_EQ((*batch)->input_rows, 6);
    EXPECT_EQ((*batch)->rows_written, 3);
  }
  EXPECT_FALSE(fs::exists(sink_.root));
  std::ifstream progress(dir_ / "checkpoint" / "progress");
  std::vector<std::string> lines;
  for (std::string line; std::getline(progress, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(R"("numInputRows":20)"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(R"("numRowsWritten":10)"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(R"("numRowsWritten":3)"), std::string::npos) << lines[1];
}

TEST_F(MicroBatchTest, MaxFilesPerTriggerSplitsBatches) {
  for (int i = 0; i < 5; ++i) Append(i * 4, 4);
  DeltaSourceOptions options;
  options.max_files_per_trigger = 2;
  auto runner = Runner(options);
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  std::vector<int64_t> inputs;
  ASSERT_TRUE((*runner)->Run(Trigger{TriggerKind::kAvailableNow}, [&](const BatchProgress& p) {
                        inputs.push_back(p.input_rows);
                      }).ok());
  EXPECT_EQ(inputs, (std::vector<int64_t>{8, 8, 4}));
  EXPECT_EQ(SinkIds(), EvenIds(0, 20));
}

TEST_F(MicroBatchTest, StartingVersionSkipsEarlierCommits) {
  Append(0, 4);
  Append(4, 4);
  Append(8, 4);
  DeltaSourceOptions options;
  options.starting_version = 1;
  auto runner = Runner(options);
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  ASSERT_TRUE((*runner)->Run(Trigger{TriggerKind::kAvailableNow}).ok());
  EXPECT_EQ(SinkIds(), EvenIds(4, 12));

  options.starting_version = 9;
  auto bad = DeltaSource::Make("events", source_, options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "startingVersion 9 is not a version of table 'raw.events' (its versions are 0 to 2)");
}

TEST_F(MicroBatchTest, CrashBeforeTheSinkCommitReRunsTheSameBatch) {
  Append(0, 10);
  {
    auto runner = Runner({}, std::make_unique<FailingSink>(sink_, /*write_first=*/false));
    ASSERT_TRUE(runner.ok());
    auto batch = (*runner)->RunBatch();
    ASSERT_FALSE(batch.ok());
    EXPECT_EQ(batch.status().message(), "simulated crash in batch 0");
  }
  EXPECT_TRUE(SinkIds().empty());
  // Rows that arrive meanwhile are not part of the re-run batch, but of the next one.
  Append(10, 10);
  auto runner = Runner();
  ASSERT_TRUE(runner.ok());
  auto rerun = (*runner)->RunBatch();
  ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
  EXPECT_TRUE((*rerun)->recovered);
  EXPECT_EQ((*rerun)->input_rows, 10);
  auto next = (*runner)->RunBatch();
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ((*next)->batch_id, 1);
  EXPECT_EQ((*next)->input_rows, 10);
  EXPECT_EQ(SinkIds(), EvenIds(0, 20));
}

TEST_F(MicroBatchTest, CrashAfterTheSinkCommitWritesNothingTwice) {
  Append(0, 10);
  {
    auto runner = Runner({}, std::make_unique<FailingSink>(sink_, /*write_first=*/true));
    ASSERT_TRUE(runner.ok());
    EXPECT_FALSE((*runner)->RunBatch().ok());
  }
  EXPECT_EQ(SinkIds(), EvenIds(0, 10));
  auto runner = Runner();
  ASSERT_TRUE(runner.ok());
  auto rerun = (*runner)->RunBatch();
  ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
  EXPECT_TRUE((*rerun)->recovered);
  EXPECT_TRUE((*rerun)->write_skipped);
  EXPECT_EQ((*rerun)->rows_written, 0);
  EXPECT_EQ(SinkIds(), EvenIds(0, 10));
}

TEST_F(MicroBatchTest, DeletesInTheSourceStopTheQueryUnlessIgnored) {
  Append(0, 10);
  {
    auto runner = Runner();
    ASSERT_TRUE(runner.ok());
    ASSERT_TRUE((*runner)->Run(Trigger{TriggerKind::kAvailableNow}).ok());
  }
  ASSERT_TRUE(delta::DeleteRows(source_, std::nullopt).ok());  // removes the file: version 1
  Append(10, 4);
  {
    auto runner = Runner();
    ASSERT_TRUE(runner.ok());
    auto batch = (*runner)->RunBatch();
    ASSERT_FALSE(batch.ok());
    EXPECT_EQ(batch.status().message(),
              "table 'raw.events' deleted rows at version 1, which a stream of appended rows cannot express; set "
              "ignoreDeletes to skip such commits (Delta source 'events')");
  }
  DeltaSourceOptions options;
  options.ignore_deletes = true;
  auto runner = Runner(options);
  ASSERT_TRUE(runner.ok());
  ASSERT_TRUE((*runner)->Run(Trigger{TriggerKind::kAvailableNow}).ok());
  EXPECT_EQ(SinkIds(), EvenIds(0, 14));
}

// A source that starts at its newest row, as Kafka's latest offsets do: its offset is the number
// of rows it has read past (kept by the test in `rows`).
class LatestSource : public Source {
 public:
  explicit LatestSource(std::shared_ptr<arrow::Table>* rows) : rows_(rows), schema_((*rows)->schema()) {}
  const std::string& name() const override { return name_; }
  const std::shared_ptr<arrow::Schema>& schema() const override { return schema_; }
  arrow::Result<std::string> InitialOffset() override { return std::to_string((*rows_)->num_rows()); }
  arrow::Result<std::optional<std::string>> NextEnd(const std::string& start) override {
    if ((*rows_)->num_rows() <= std::stoll(start)) return std::nullopt;
    return std::to_string((*rows_)->num_rows());
  }
  arrow::Result<std::shared_ptr<arrow::Table>> Read(const std::string& start, const std::string& end) override {
    const int64_t from = std::stoll(start);
    return (*rows_)->Slice(from, std::stoll(end) - from);
  }
  arrow::Status PrepareAvailableNow(const std::string&) override { return arrow::Status::OK(); }

 private:
  std::shared_ptr<arrow::Table>* rows_;
  std::shared_ptr<arrow::Schema> schema_;
  std::string name_ = "events";
};

// A LatestSource that records where it is asked to read ahead, and receives rows meanwhile.
class ReadAheadSource : public LatestSource {
 public:
  ReadAheadSource(std::shared_ptr<arrow::Table>* rows, std::function<void()> arrive)
      : LatestSource(rows), arrive_(std::move(arrive)) {}
  void ReadAhead(const std::string& start, std::chrono::steady_clock::time_point until) override {
    starts.push_back(start);
    arrive_();
  }
  std::vector<std::string> starts;

 private:
  std::function<void()> arrive_;
};

TEST_F(MicroBatchTest, WhileWaitingForItsNextTriggerAQueryLetsItsSourcesReadAhead) {
  std::shared_ptr<arrow::Table> rows = Rows(0, 4);
  bool arrived = false;
  auto owned = std::make_unique<ReadAheadSource>(&rows, [&] {
    if (!arrived) rows = arrow::ConcatenateTables({rows, Rows(4, 4)}).ValueOrDie();
    arrived = true;
  });
  ReadAheadSource* source = owned.get();
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::move(owned));
  auto checkpoint = Checkpoint::Open(fs_, (dir_ / "checkpoint").string());
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  auto runner = MicroBatchRunner::Make(std::move(sources), KeepFilter(), std::make_unique<DeltaAppendSink>(sink_),
                                       std::move(*checkpoint));
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  std::atomic<bool> stop{false};
  Trigger every_20ms{TriggerKind::kProcessingTime};
  every_20ms.interval_ms = 20;
  auto status = (*runner)->Run(
      every_20ms, [&](const BatchProgress& progress) { stop = progress.input_rows > 0; }, &stop);
  ASSERT_TRUE(status.ok()) << status.ToString();
  // The first trigger found nothing; the rows came while the query waited for the second, which
  // read them.
  EXPECT_EQ(SinkIds(), EvenIds(4, 8));
  ASSERT_FALSE(source->starts.empty());
  EXPECT_EQ(source->starts.front(), "4");
}

TEST_F(MicroBatchTest, ASourceStartsWhereItFirstStartedAcrossRestarts) {
  std::shared_ptr<arrow::Table> rows = Rows(0, 4);  // there before the query: never read
  auto run = [&] {
    std::vector<std::unique_ptr<Source>> sources;
    sources.push_back(std::make_unique<LatestSource>(&rows));
    auto checkpoint = Checkpoint::Open(fs_, (dir_ / "checkpoint").string());
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    auto runner = MicroBatchRunner::Make(std::move(sources), KeepFilter(), std::make_unique<DeltaAppendSink>(sink_),
                                         std::move(*checkpoint));
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    auto status = (*runner)->Run(Trigger{TriggerKind::kAvailableNow});
    ASSERT_TRUE(status.ok()) << status.ToString();
  };
  run();  // starts, finds nothing new: no batch, but the start is recorded
  EXPECT_EQ(SinkIds(), std::vector<int64_t>{});
  rows = arrow::ConcatenateTables({rows, Rows(4, 4)}).ValueOrDie();
  run();  // a restart reads from where the query started, not from the newest row
  EXPECT_EQ(SinkIds(), EvenIds(4, 8));
  auto checkpoint = Checkpoint::Open(fs_, (dir_ / "checkpoint").string());
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ((*checkpoint)->InitialOffsets().ValueOrDie(), (std::map<std::string, std::string>{{"events", "4"}}));
  EXPECT_FALSE((*checkpoint)->WriteInitialOffset("events", "0").ok());
}

TEST_F(MicroBatchTest, APlanThatCannotBeMadeDurableStopsTheBatchBeforeItsSinkWrites) {
  Append(0, 10);
  auto runner = Runner();
  ASSERT_TRUE(runner.ok());
  auto first = (*runner)->RunBatch();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // Rows are visible when the sink's write returns, before the batch's checkpoint commit.
  EXPECT_GT((*first)->visible_ms, 0);
  EXPECT_LE((*first)->visible_ms, (*first)->timestamp_ms);
  // Its time, by phase, adds up to its duration.
  int64_t phases = 0;
  for (const char* name : {"read", "transform", "planWait", "write", "checkpoint"}) {
    ASSERT_EQ((*first)->phase_ms.count(name), 1u) << name;
    phases += (*first)->phase_ms.at(name);
  }
  EXPECT_EQ(phases, (*first)->duration_ms);
  // The next plan cannot be written: `offsets` is no longer a directory. The batch reads and
  // transforms its rows meanwhile, but writes nothing.
  fs::remove_all(dir_ / "checkpoint" / "offsets");
  std::ofstream(dir_ / "checkpoint" / "offsets") << "not a directory";
  Append(10, 10);
  auto second = (*runner)->RunBatch();
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("checkpoint/offsets/"), std::string::npos) << second.status().ToString();
  EXPECT_EQ(SinkIds(), EvenIds(0, 10));
}

TEST_F(MicroBatchTest, CheckpointKeepsItsQueryIdAndRefusesRewrites) {
  auto first = Checkpoint::Open(fs_, (dir_ / "cp").string());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto again = Checkpoint::Open(fs_, (dir_ / "cp").string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*first)->query_id(), (*again)->query_id());
  EXPECT_EQ((*first)->query_id().size(), 36u);

  BatchPlan plan;
  plan.batch_id = 0;
  plan.start["s"] = "a";
  plan.end["s"] = "b";
  plan.end_of_input = true;
  EXPECT_FALSE((*first)->WriteCommit(BatchCommit{0, ""}).ok());
  ASSERT_TRUE((*first)->WritePlan(plan).ok());
  auto twice = (*first)->WritePlan(plan);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.message().find("batch 0 of the streaming query in"), std::string::npos) << twice.message();
  auto latest = (*again)->LatestPlan();
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->end.at("s"), "b");
  EXPECT_TRUE((*latest)->end_of_input);
  ASSERT_TRUE((*first)->WriteCommit(BatchCommit{0, "state"}).ok());
  auto commit = (*again)->LatestCommit();
  ASSERT_TRUE(commit.ok());
  EXPECT_EQ((*commit)->state, "state");

  // A corrupt plan is reported with its path.
  {
    std::ofstream out(dir_ / "cp" / "offsets" / "1");
    out << "{not json";
  }
  auto corrupt = (*again)->LatestPlan();
  ASSERT_FALSE(corrupt.ok());
  EXPECT_NE(corrupt.status().message().find("offsets/1 is not a JSON object"), std::string::npos);
}

// Records the sources each batch is told are idle; writes the rows of "events".
class IdleRecorder : public Transform {
 public:
  explicit IdleRecorder(std::map<int64_t, std::set<std::string>>* seen) : seen_(seen) {}
  arrow::Result<std::shared_ptr<arrow::Table>> Run(const std::map<std::string, std::shared_ptr<arrow::Table>>& inputs,
                                                   const BatchContext& context) override {
    (*seen_)[context.batch_id] = context.idle_inputs;
    return inputs.at("events");
  }

 private:
  std::map<int64_t, std::set<std::string>>* seen_;
};

// A sink that fails in one batch, before writing (a crash after the plan was recorded).
class CrashInBatch : public Sink {
 public:
  CrashInBatch(delta::TableLocation location, int64_t batch) : inner_(std::move(location)), batch_(batch) {}
  arrow::Result<SinkResult> Write(const std::string& query_id, int64_t batch_id,
                                  const std::shared_ptr<arrow::Table>& rows) override {
    if (batch_id == batch_) return arrow::Status::IOError("simulated crash in batch ", batch_id);
    return inner_.Write(query_id, batch_id, rows);
  }

 private:
  DeltaAppendSink inner_;
  int64_t batch_;
};

TEST_F(MicroBatchTest, IdleSourcesAreDecidedWhenABatchIsPlannedAndReplayedAsRecorded) {
  const delta::TableLocation quiet{fs_, (dir_ / "quiet").string(), "raw.quiet"};
  auto append_quiet = [&] {
    auto rows = Rows(1000, 1);
    arrow::TableBatchReader reader(*rows);
    ASSERT_TRUE(delta::DeltaTable::Write(quiet, reader, delta::WriteOptions{}).ok());
  };
  std::map<int64_t, std::set<std::string>> seen;
  int64_t now = 0;  // the runner's clock, in ms
  auto make = [&](std::unique_ptr<Sink> sink) -> arrow::Result<std::unique_ptr<MicroBatchRunner>> {
    std::vector<std::unique_ptr<Source>> sources;
    ARROW_ASSIGN_OR_RAISE(auto events, DeltaSource::Make("events", source_, {}));
    ARROW_ASSIGN_OR_RAISE(auto quiet_source, DeltaSource::Make("quiet", quiet, {}));
    sources.push_back(std::move(events));
    sources.push_back(std::move(quiet_source));
    ARROW_ASSIGN_OR_RAISE(auto checkpoint, Checkpoint::Open(fs_, (dir_ / "checkpoint").string()));
    ARROW_ASSIGN_OR_RAISE(auto runner, MicroBatchRunner::Make(std::move(sources), std::make_unique<IdleRecorder>(&seen),
                                                              std::move(sink), std::move(checkpoint)));
    runner->set_idle_timeouts({{"quiet", 1000}});  // "events" has none: never idle
    runner->set_clock([&now] { return now; });
    return runner;
  };
  const std::set<std::string> none, idle{"quiet"};

  Append(0, 2);
  append_quiet();
  {
    auto runner = make(std::make_unique<CrashInBatch>(sink_, 2));
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    auto batch = (*runner)->RunBatch();
    ASSERT_TRUE(batch.ok() && *batch) << batch.status().ToString();
    EXPECT_EQ((*batch)->idle_inputs, none);
    // No rows from "quiet" for 999 ms: not yet idle.
    Append(2, 2);
    now = 999;
    batch = (*runner)->RunBatch();
    ASSERT_TRUE(batch.ok() && *batch) << batch.status().ToString();
    EXPECT_EQ((*batch)->idle_inputs, none);
    // 1000 ms: idle in batch 2, which crashes after its plan is recorded.
    Append(4, 2);
    now = 1000;
    EXPECT_FALSE((*runner)->RunBatch().ok());
    EXPECT_EQ(seen[2], idle);
  }
  auto checkpoint = Checkpoint::Open(fs_, (dir_ / "checkpoint").string());
  ASSERT_TRUE(checkpoint.ok());
  auto plan = (*checkpoint)->LatestPlan();
  ASSERT_TRUE(plan.ok() && *plan);
  EXPECT_EQ((*plan)->batch_id, 2);
  EXPECT_EQ((*plan)->idle, idle);

  // After the restart the clock alone would not call "quiet" idle (a restarted runner counts
  // every source as active), but the re-run batch uses what its plan recorded.
  seen.clear();
  now = 0;
  auto runner = make(std::make_unique<DeltaAppendSink>(sink_));
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  auto rerun = (*runner)->RunBatch();
  ASSERT_TRUE(rerun.ok() && *rerun) << rerun.status().ToString();
  EXPECT_TRUE((*rerun)->recovered);
  EXPECT_EQ((*rerun)->idle_inputs, idle);
  EXPECT_EQ(seen[2], idle);
  EXPECT_EQ(SinkIds(), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));

  // The source resumes: active again, and for a whole timeout after its last rows.
  Append(6, 1);
  append_quiet();
  now = 5000;
  auto batch = (*runner)->RunBatch();
  ASSERT_TRUE(batch.ok() && *batch);
  EXPECT_EQ((*batch)->idle_inputs, none);
  Append(7, 1);
  now = 5999;
  batch = (*runner)->RunBatch();
  ASSERT_TRUE(batch.ok() && *batch);
  EXPECT_EQ((*batch)->idle_inputs, none);

  // Quiet for long enough again.
  Append(8, 1);
  now = 100'000;
  batch = (*runner)->RunBatch();
  ASSERT_TRUE(batch.ok() && *batch);
  EXPECT_EQ((*batch)->idle_inputs, idle);
  // Idle batches are visible in the progress log.
  {
    std::ifstream progress(dir_ / "checkpoint" / "progress");
    std::string line, last;
    while (std::getline(progress, line)) last = line;
    EXPECT_NE(last.find(R"("idleInputs":["quiet"])"), std::string::npos) << last;
  }

  // A bounded run never calls a source idle, however long it has been quiet.
  Append(9, 1);
  now = 200'000;
  std::vector<BatchProgress> bounded;
  ASSERT_TRUE((*runner)->Run(Trigger{TriggerKind::kAvailableNow}, [&](const BatchProgress& p) { bounded.push_back(p); })
                  .ok());
  ASSERT_EQ(bounded.size(), 1u);
  EXPECT_EQ(bounded[0].idle_inputs, none);
}

}  // namespace
}  // namespace tidelake::stream
