// The file source over a real local directory: files appearing between batches, files
// arriving late with old modification times, restarts (a new source object re-reading recorded
// offsets), errors naming file and line, and a whole query through the micro-batch runner.
#include "stream/file_source.h"

#include <arrow/api.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/io/file.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/arrow_init.h"
#include "common/error.h"
#include "delta/scan.h"
#include "delta/snapshot.h"
#include "stream/checkpoint.h"
#include "stream/micro_batch.h"
#include "stream/sink.h"

namespace tidelake::stream {
namespace {

namespace fs = std::filesystem;

class FileSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(EnsureArrowInitialized().ok());
    root_ = fs::temp_directory_path() / ("tidelake-files-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    dir_ = root_ / "landing";
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Writes a file and sets its modification time (ms since the epoch).
  void Write(const std::string& name, const std::string& text, int64_t mtime_ms) {
    {
      std::ofstream out(dir_ / name, std::ios::binary);
      out << text;
    }
    SetMtime(name, mtime_ms);
  }
  void SetMtime(const std::string& name, int64_t mtime_ms) {
    timespec times[2];
    times[0].tv_sec = times[1].tv_sec = mtime_ms / 1000;
    times[0].tv_nsec = times[1].tv_nsec = (mtime_ms % 1000) * 1000000;
    ASSERT_EQ(::utimensat(AT_FDCWD, (dir_ / name).c_str(), times, 0), 0);
  }

  static std::shared_ptr<arrow::Schema> Columns() {
    return arrow::schema({arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())});
  }

  FileSourceOptions Options(plan::FileFormat format = plan::FileFormat::kCsv) {
    FileSourceOptions options;
    options.path = dir_.string();
    options.format = format;
    options.schema = Columns();
    return options;
  }

  std::unique_ptr<FileSource> Make(FileSourceOptions options) {
    auto source = FileSource::Make("files", std::move(options));
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    return source.ok() ? std::move(*source) : nullptr;
  }

  // The ids a read returns, in order.
  static std::vector<int64_t> Ids(const std::shared_ptr<arrow::Table>& table) {
    std::vector<int64_t> ids;
    for (const auto& chunk : table->GetColumnByName("id")->chunks()) {
      const auto& values = static_cast<const arrow::Int64Array&>(*chunk);
      for (int64_t i = 0; i < values.length(); ++i) ids.push_back(values.Value(i));
    }
    return ids;
  }

  std::vector<int64_t> ReadIds(FileSource& source, const std::string& start, const std::string& end) {
    auto table = source.Read(start, end);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    if (!table.ok()) return {};
    EXPECT_TRUE((*table)->schema()->Equals(*source.schema()));
    return Ids(*table);
  }

  // The next end offset, which must exist.
  std::string Next(FileSource& source, const std::string& start) {
    auto end = source.NextEnd(start);
    EXPECT_TRUE(end.ok()) << end.status().ToString();
    EXPECT_TRUE(end.ok() && end->has_value()) << "no new files";
    return end.ok() && end->has_value() ? **end : start;
  }

  void ExpectNothingNew(FileSource& source, const std::string& start) {
    auto end = source.NextEnd(start);
    ASSERT_TRUE(end.ok()) << end.status().ToString();
    EXPECT_FALSE(end->has_value()) << **end;
  }

  static constexpr int64_t kT = 1700000000000;  // a modification time, ms
  fs::path root_;
  fs::path dir_;
};

TEST_F(FileSourceTest, ReadsFilesThatAppearBetweenBatches) {
  Write("a.csv", "id,name\n1,one\n2,two\n", kT);
  auto source = Make(Options());
  ASSERT_TRUE(source);
  auto initial = source->InitialOffset();
  ASSERT_TRUE(initial.ok());
  std::string first = Next(*source, *initial);
  EXPECT_EQ(ReadIds(*source, *initial, first), (std::vector<int64_t>{1, 2}));
  ExpectNothingNew(*source, first);

  Write("b.csv", "id,name\n3,three\n", kT + 1000);
  std::string second = Next(*source, first);
  EXPECT_EQ(ReadIds(*source, first, second), (std::vector<int64_t>{3}));
  ExpectNothingNew(*source, second);
  auto log = source->Parse(second);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->next, 2);
}

TEST_F(FileSourceTest, ARestartedSourceReadsTheSameRowsForTheSameOffsets) {
  Write("a.csv", "id,name\n1,one\n", kT);
  Write("b.csv", "id,name\n2,two\n", kT + 1000);
  std::string initial, first, second;
  {
    auto options = Options();
    options.max_files_per_trigger = 1;
    auto source = Make(options);
    ASSERT_TRUE(source);
    initial = *source->InitialOffset();
    first = Next(*source, initial);
    second = Next(*source, first);
    EXPECT_EQ(ReadIds(*source, initial, first), (std::vector<int64_t>{1}));
    EXPECT_EQ(ReadIds(*source, first, second), (std::vector<int64_t>{2}));
  }
  // More files arrive, one older than everything read; a new process re-runs the recorded batches.
  Write("c.csv", "id,name\n3,three\n", kT + 2000);
  Write("old.csv", "id,name\n4,four\n", kT - 60000);
  auto options = Options();
  options.max_files_per_trigger = 1;
  auto restarted = Make(options);
  ASSERT_TRUE(restarted);
  EXPECT_EQ(ReadIds(*restarted, initial, first), (std::vector<int64_t>{1}));
  EXPECT_EQ(ReadIds(*restarted, first, second), (std::vector<int64_t>{2}));
  // Then it goes on with the new files, oldest first, each once.
  std::string third = Next(*restarted, second);
  EXPECT_EQ(ReadIds(*restarted, second, third), (std::vector<int64_t>{4}));
  std::string fourth = Next(*restarted, third);
  EXPECT_EQ(ReadIds(*restarted, third, fourth), (std::vector<int64_t>{3}));
  ExpectNothingNew(*restarted, fourth);
}

TEST_F(FileSourceTest, AFileArrivingWithAnOlderModificationTimeIsReadOnce) {
  Write("a.csv", "id,name\n1,one\n", kT);
  Write("b.csv", "id,name\n2,two\n", kT + 5000);
  auto source = Make(Options());
  ASSERT_TRUE(source);
  std::string initial = *source->InitialOffset();
  std::string first = Next(*source, initial);
  EXPECT_EQ(ReadIds(*source, initial, first), (std::vector<int64_t>{1, 2}));

  // Copied in with its original modification time, older than both files read.
  Write("late.csv", "id,name\n3,three\n", kT - 3600 * 1000);
  std::string second = Next(*source, first);
  EXPECT_EQ(ReadIds(*source, first, second), (std::vector<int64_t>{3}));
  ExpectNothingNew(*source, second);
  // Touching a file that was read does not read it again.
  SetMtime("a.csv", kT + 10000);
  ExpectNothingNew(*source, second);
}

TEST_F(FileSourceTest, BatchesTakeFilesOldestFirstUpToTheLimit) {
  Write("z.csv", "id,name\n1,z\n", kT);
  Write("a.csv", "id,name\n2,a\n", kT + 1000);
  Write("m.csv", "id,name\n3,m\n", kT + 1000);
  auto options = Options();
  options.max_files_per_trigger = 2;
  auto source = Make(options);
  ASSERT_TRUE(source);
  std::string initial = *source->InitialOffset();
  std::string first = Next(*source, initial);
  EXPECT_EQ(ReadIds(*source, initial, first), (std::vector<int64_t>{1, 2}));  // by time, then name
  std::string second = Next(*source, first);
  EXPECT_EQ(ReadIds(*source, first, second), (std::vector<int64_t>{3}));
  ExpectNothingNew(*source, second);
}

TEST_F(FileSourceTest, TheNextFilesReadAheadGiveTheSameRowsAndAChangedFileIsReadAgain) {
  Write("a.csv", "id,name\n1,a\n", kT);
  Write("b.csv", "id,name\n2,b\n", kT + 1000);
  Write("c.csv", "id,name\n3,c\n", kT + 2000);
  auto options = Options();
  options.max_files_per_trigger = 1;
  auto source = Make(options);
  ASSERT_TRUE(source);
  std::string initial = *source->InitialOffset();
  std::string first = Next(*source, initial);
  EXPECT_EQ(ReadIds(*source, initial, first), (std::vector<int64_t>{1}));  // b.csv is read ahead
  std::string second = Next(*source, first);
  EXPECT_EQ(ReadIds(*source, first, second), (std::vector<int64_t>{2}));  // c.csv is read ahead
  // c.csv changes after it was read ahead (a writer that did not rename it in): the batch lists
  // it anew and reads what it holds now.
  Write("c.csv", "id,name\n3,c\n4,d\n", kT + 3000);
  std::string third = Next(*source, second);
  EXPECT_EQ(ReadIds(*source, second, third), (std::vector<int64_t>{3, 4}));
  // Re-reading a batch (after a restart) reads its files again.
  EXPECT_EQ(ReadIds(*source, first, second), (std::vector<int64_t>{2}));
  ExpectNothingNew(*source, third);
}

TEST_F(FileSourceTest, HiddenTemporaryAndUnmatchedFilesAreNotRead) {
  Write("a.csv", "id,name\n1,one\n", kT);
  Write(".b.csv.tmp", "id,name\n2,two\n", kT);
  Write("_SUCCESS", "", kT);
  Write("c.csv._COPYING_", "id,name\n3,three\n", kT);
  Write("notes.txt", "id,name\n4,four\n", kT);
  auto options = Options();
  options.path_glob_filter = "*.csv";
  auto source = Make(options);
  ASSERT_TRUE(source);
  std::string initial = *source->InitialOffset();
  std::string first = Next(*source, initial);
  EXPECT_EQ(ReadIds(*source, initial, first), (std::vector<int64_t>{1}));
  // The writer renames its finished file in.
  fs::rename(dir_ / ".b.csv.tmp", dir_ / "b.csv");
  std::string second = Next(*source, first);
  EXPECT_EQ(ReadIds(*source, first, second), (std::vector<int64_t>{2}));
}

TEST_F(FileSourceTest, FilesStillBeingWrittenWaitForTheMinimumAge) {
  int64_t now = kT;
  auto options = Options();
  options.min_file_age_ms = 2000;
  options.now_ms = [&now] { return now; };
  Write("a.csv", "id,name\n1,one\n", kT - 500);
  auto source = Make(options);
  ASSERT_TRUE(source);
  std::string initial = *source->InitialOffset();
  ExpectNothingNew(*source, initial);
  now = kT + 1500;
  std::string first = Next(*source, initial);
  EXPECT_EQ(ReadIds(*source, initial, first), (std::vector<int64_t>{1}));
}

TEST_F(FileSourceTest, ABadCsvValueNamesTheFileAndLine) {
  Write("good.csv", "id,name\n1,one\n", kT);
  Write("bad.csv", "id,name\n2,two\n3,three\nfour,4\n", kT + 1000);
  auto source = Make(Options());
  ASSERT_TRUE(source);
  std::string initial = *source->InitialOffset();
  std::string first = Next(*source, initial);
  auto read = source->Read(initial, first);
  ASSERT_FALSE(read.ok());
  const std::string message = read.status().ToString();
  EXPECT_NE(message.find((dir_ / "bad.csv").string() + ":4"), std::string::npos) << message;
  EXPECT_NE(message.find("column 'id': CSV conversion error to int64: invalid value 'four'"), std::string::npos)
      << message;
  EXPECT_NE(message.find("file source 'files'"), std::string::npos) << message;
  auto context = GetErrorContext(read.status());
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->file, (dir_ / "bad.csv").string());
  EXPECT_EQ(context->line, 4);
}

TEST_F(FileSourceTest, ABadJsonValueNamesTheFileAndLine) {
  Write("a.json", "{\"id\": 1, \"name\": \"one\"}\n\n{\"id\": 2, \"extra\": true}\n{\"id\": \"x\", \"name\": \"three\"}\n",
        kT);
  auto source = Make(Options(plan::FileFormat::kJson));
  ASSERT_TRUE(source);
  std::string initial = *source->InitialOffset();
  std::string first = Next(*source, initial);
  auto read = source->Read(initial, first);
  ASSERT_FALSE(read.ok());
  auto context = GetErrorContext(read.status());
  ASSERT_TRUE(context.has_value()) << read.status().ToString();
  EXPECT_EQ(context->line, 4) << read.status().ToString();
  EXPECT_NE(read.status().ToString().find("a.json:4: JSON parse error: Column(/id) changed from number to string "
                                         "(file source 'files')"),
            std::string::npos)
      << read.status().ToString();
}

TEST_F(FileSourceTest, ReadsJsonLinesHeaderlessCsvAndParquet) {
  // JSON lines: fields by name, missing ones null, unknown ones ignored.
  Write("a.json", "{\"id\": 1, \"name\": \"one\", \"other\": 5}\n{\"id\": 2}\n", kT);
  {
    auto source = Make(Options(plan::FileFormat::kJson));
    ASSERT_TRUE(source);
    std::string initial = *source->InitialOffset();
    std::string first = Next(*source, initial);
    auto table = source->Read(initial, first);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    EXPECT_EQ(Ids(*table), (std::vector<int64_t>{1, 2}));
    EXPECT_EQ((*table)->GetColumnByName("name")->null_count(), 1);
  }
  fs::remove(dir_ / "a.json");

  // Headerless CSV: columns by position, with another delimiter.
  Write("b.csv", "7|seven\n8|eight\n", kT);
  {
    auto options = Options();
    options.csv_header = false;
    options.csv_delimiter = '|';
    auto source = Make(options);
    ASSERT_TRUE(source);
    std::string initial = *source->InitialOffset();
    std::string first = Next(*source, initial);
    auto table = source->Read(initial, first);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    EXPECT_EQ(Ids(*table), (std::vector<int64_t>{7, 8}));
    EXPECT_TRUE((*table)->schema()->Equals(*Columns()));
  }
  fs::remove(dir_ / "b.csv");

  // Parquet: stored int32 ids are cast to the declared int64, columns matched by name.
  arrow::Int32Builder ids;
  arrow::StringBuilder names;
  ASSERT_TRUE(ids.AppendValues({10, 11}).ok());
  ASSERT_TRUE(names.AppendValues({"ten", "eleven"}).ok());
  auto stored = arrow::Table::Make(arrow::schema({arrow::field("name", arrow::utf8()), arrow::field("ID", arrow::int32())}),
                                   {names.Finish().ValueOrDie(), ids.Finish().ValueOrDie()});
  auto out = arrow::io::FileOutputStream::Open((dir_ / "c.parquet").string());
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(parquet::arrow::WriteTable(*stored, arrow::default_memory_pool(), *out, 1024).ok());
  ASSERT_TRUE((*out)->Close().ok());
  {
    auto source = Make(Options(plan::FileFormat::kParquet));
    ASSERT_TRUE(source);
    std::string initial = *source->InitialOffset();
    std::string first = Next(*source, initial);
    auto table = source->Read(initial, first);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    EXPECT_TRUE((*table)->schema()->Equals(*Columns()));
    EXPECT_EQ(Ids(*table), (std::vector<int64_t>{10, 11}));
    // A query that reads only the ids: the names are left null, the ids still read and cast.
    source->ReadOnly({.columns = {"id"}});
    auto ids_only = source->Read(initial, first);
    ASSERT_TRUE(ids_only.ok()) << ids_only.status().ToString();
    EXPECT_TRUE((*ids_only)->schema()->Equals(*Columns()));
    EXPECT_EQ(Ids(*ids_only), (std::vector<int64_t>{10, 11}));
    EXPECT_EQ((*ids_only)->GetColumnByName("name")->null_count(), 2);
    EXPECT_EQ((*table)->GetColumnByName("name")->null_count(), 0);
  }
}

TEST_F(FileSourceTest, AParquetStructReadInPartHasItsOtherFieldsNull) {
  // Stored: the struct's fields in another order, `bidder` as int32.
  auto stored_type = arrow::struct_({arrow::field("url", arrow::utf8()), arrow::field("bidder", arrow::int32()),
                                     arrow::field("auction", arrow::int64()), arrow::field("price", arrow::int64())});
  auto WriteBids = [&](const fs::path& path, const std::string& json) {
    auto bids = arrow::json::ArrayFromJSONString(stored_type, json).ValueOrDie();
    auto ids = arrow::MakeArrayOfNull(arrow::int64(), bids->length()).ValueOrDie();
    auto stored = arrow::Table::Make(
        arrow::schema({arrow::field("id", arrow::int64()), arrow::field("bid", stored_type)}), {ids, bids});
    auto out = arrow::io::FileOutputStream::Open(path.string());
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE(parquet::arrow::WriteTable(*stored, arrow::default_memory_pool(), *out, 1024).ok());
    ASSERT_TRUE((*out)->Close().ok());
  };
  // The struct column `bid` of what `source` reads (of `type`), checking the declared schema.
  auto Bids = [&](FileSource& source, const std::shared_ptr<arrow::DataType>& type) -> std::shared_ptr<arrow::Array> {
    std::string initial = *source.InitialOffset();
    std::string first = Next(source, initial);
    auto table = source.Read(initial, first);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    if (!table.ok()) return nullptr;
    EXPECT_TRUE((*table)->schema()->Equals(*source.schema())) << (*table)->schema()->ToString();
    EXPECT_TRUE((*table)->GetColumnByName("bid")->type()->Equals(*type));
    auto combined = (*table)->CombineChunks();
    EXPECT_TRUE(combined.ok());
    return combined.ok() ? (*combined)->GetColumnByName("bid")->chunk(0) : nullptr;
  };
  auto ExpectBids = [](const std::shared_ptr<arrow::Array>& read, const std::shared_ptr<arrow::DataType>& type,
                       const std::string& json) {
    ASSERT_TRUE(read);
    auto expected = arrow::json::ArrayFromJSONString(type, json).ValueOrDie();
    EXPECT_TRUE(read->Equals(*expected)) << read->ToString() << "\nexpected " << expected->ToString();
  };

  WriteBids(dir_ / "a.parquet", R"([{"url": "a", "bidder": 1, "auction": 10, "price": 100}, null,
                                    {"url": "c", "bidder": null, "auction": 30, "price": 300}])");
  auto type = arrow::struct_({arrow::field("auction", arrow::int64()), arrow::field("bidder", arrow::int64()),
                              arrow::field("price", arrow::int64()), arrow::field("url", arrow::utf8())});
  auto options = Options(plan::FileFormat::kParquet);
  options.schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("bid", type)});

  // Whole, as stored.
  auto source = Make(options);
  ASSERT_TRUE(source);
  ExpectBids(Bids(*source, type), type, R"([{"auction": 10, "bidder": 1, "price": 100, "url": "a"}, null,
                                            {"auction": 30, "bidder": null, "price": 300, "url": "c"}])");
  // Only bid.bidder: the struct keeps its declared type and its nulls, the other fields are null.
  source->ReadOnly({.columns = {"id", "bid"}, .struct_fields = {{"bid", {"bidder"}}}});
  ExpectBids(Bids(*source, type), type, R"([{"auction": null, "bidder": 1, "price": null, "url": null}, null,
                                            {"auction": null, "bidder": null, "price": null, "url": null}])");
  // Two fields.
  source->ReadOnly({.columns = {"bid"}, .struct_fields = {{"bid", {"auction", "url"}}}});
  ExpectBids(Bids(*source, type), type, R"([{"auction": 10, "bidder": null, "price": null, "url": "a"}, null,
                                            {"auction": 30, "bidder": null, "price": null, "url": "c"}])");

  // A NOT NULL field is read (and checked) even when the query does not read it.
  fs::create_directories(root_ / "strict");
  WriteBids(root_ / "strict" / "a.parquet", R"([{"url": "a", "bidder": 1, "auction": 10, "price": 100}])");
  auto strict_type = arrow::struct_({arrow::field("auction", arrow::int64()), arrow::field("bidder", arrow::int64()),
                                     arrow::field("price", arrow::int64(), /*nullable=*/false),
                                     arrow::field("url", arrow::utf8())});
  options.path = (root_ / "strict").string();
  options.schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("bid", strict_type)});
  auto strict = Make(options);
  ASSERT_TRUE(strict);
  strict->ReadOnly({.columns = {"bid"}, .struct_fields = {{"bid", {"bidder"}}}});
  ExpectBids(Bids(*strict, strict_type), strict_type,
             R"([{"auction": null, "bidder": 1, "price": 100, "url": null}])");
}

TEST_F(FileSourceTest, AFileChangedOrRemovedAfterListingFailsItsBatch) {
  Write("a.csv", "id,name\n1,one\n", kT);
  auto source = Make(Options());
  ASSERT_TRUE(source);
  std::string initial = *source->InitialOffset();
  std::string first = Next(*source, initial);
  Write("a.csv", "id,name\n1,one\n2,two\n", kT);
  auto read = source->Read(initial, first);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().ToString().find("changed after file source 'files' listed it"), std::string::npos)
      << read.status().ToString();
  fs::remove(dir_ / "a.csv");
  read = source->Read(initial, first);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().ToString().find("the file is gone"), std::string::npos) << read.status().ToString();
}

TEST_F(FileSourceTest, MaxFileAgeIgnoresAndForgetsOldFiles) {
  Write("a.csv", "id,name\n1,one\n", kT);
  Write("b.csv", "id,name\n2,two\n", kT + 10000);
  auto options = Options();
  options.max_file_age_ms = 5000;
  auto source = Make(options);
  ASSERT_TRUE(source);
  std::string initial = *source->InitialOffset();
  std::string first = Next(*source, initial);
  EXPECT_EQ(ReadIds(*source, initial, first), (std::vector<int64_t>{2}));  // a.csv is too old
  Write("c.csv", "id,name\n3,three\n", kT + 20000);
  std::string second = Next(*source, first);
  EXPECT_EQ(ReadIds(*source, first, second), (std::vector<int64_t>{3}));
  auto log = source->Parse(second);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->files.size(), 1u);  // b.csv is past the age now and forgotten
  EXPECT_EQ(log->files[0].name, "c.csv");
  EXPECT_EQ(log->next, 2);
  ExpectNothingNew(*source, second);
}

TEST_F(FileSourceTest, RejectsBadOptionsAndForeignOffsets) {
  auto options = Options();
  options.schema = nullptr;
  EXPECT_FALSE(FileSource::Make("files", options).ok());
  options = Options();
  options.path = (root_ / "missing").string();
  auto missing = FileSource::Make("files", options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().ToString().find("does not exist"), std::string::npos);
  options = Options();
  options.max_files_per_trigger = 0;
  EXPECT_FALSE(FileSource::Make("files", options).ok());

  auto source = Make(Options());
  ASSERT_TRUE(source);
  auto foreign = source->NextEnd(R"({"path": "/elsewhere", "next": 0, "files": []})");
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().ToString().find("is for directory '/elsewhere'"), std::string::npos);
  EXPECT_FALSE(source->NextEnd("not json").ok());
}

// Files -> identity -> Delta table through the micro-batch runner, restarted between arrivals.
TEST_F(FileSourceTest, AQueryReadsEveryFileOnceAcrossRestarts) {
  auto fs = std::make_shared<arrow::fs::LocalFileSystem>();
  delta::TableLocation sink{fs, (root_ / "sink").string(), "refined.files"};
  auto run = [&] {
    std::vector<std::unique_ptr<Source>> sources;
    auto options = Options();
    options.max_files_per_trigger = 2;
    sources.push_back(Make(options));
    auto checkpoint = Checkpoint::Open(fs, (root_ / "checkpoint").string());
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    auto runner = MicroBatchRunner::Make(
        std::move(sources),
        [](const std::map<std::string, std::shared_ptr<arrow::Table>>& in)
            -> arrow::Result<std::shared_ptr<arrow::Table>> { return in.at("files"); },
        std::make_unique<DeltaAppendSink>(sink), std::move(*checkpoint));
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    ASSERT_TRUE((*runner)->Run(Trigger{TriggerKind::kAvailableNow}).ok());
  };
  for (int i = 0; i < 5; ++i) Write("f" + std::to_string(i) + ".csv", "id,name\n" + std::to_string(i) + ",x\n", kT + i);
  run();
  Write("late.csv", "id,name\n100,late\n", kT - 100000);
  Write("new.csv", "id,name\n101,new\n", kT + 100000);
  run();
  run();  // nothing new

  auto snapshot = delta::Snapshot::Load(sink);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  auto scan = delta::Scan::Make(*snapshot, delta::ScanOptions{});
  ASSERT_TRUE(scan.ok());
  auto table = (*scan)->ToTable();
  ASSERT_TRUE(table.ok());
  auto ids = Ids(*table);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<int64_t>{0, 1, 2, 3, 4, 100, 101}));
}

}  // namespace
}  // namespace tidelake::stream
