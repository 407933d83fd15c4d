// Table scans over Delta tables written into a temporary directory, and file scans.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/csv/api.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/io/api.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>

#include <fstream>

#include "delta/scan.h"
#include "delta/table.h"
#include "delta/transaction.h"
#include "exec/file_reader.h"
#include "exec/memory_limit.h"
#include "exec/exec_test_util.h"

namespace tidelake::exec {
namespace {

using namespace testutil;  // NOLINT
using V = std::vector<std::string>;

class ScanTest : public ::testing::Test {
 protected:
  delta::TableLocation Location(const std::string& name) {
    return delta::TableLocation{std::make_shared<arrow::fs::LocalFileSystem>(), dir_.path() + "/" + name, name};
  }

  std::shared_ptr<const delta::Snapshot> WriteTable(const std::string& name, std::shared_ptr<arrow::Table> data,
                                                    std::vector<std::string> partition_columns = {},
                                                    int64_t target_file_size = 0) {
    auto location = Location(name);
    arrow::TableBatchReader reader(*data);
    reader.set_chunksize(1000);
    delta::WriteOptions options;
    options.partition_columns = std::move(partition_columns);
    options.target_file_size = target_file_size;
    auto written = delta::DeltaTable::Write(location, reader, options);
    EXPECT_TRUE(written.ok()) << written.status().ToString();
    auto snapshot = delta::Snapshot::Load(location);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    return *snapshot;
  }

  // Sales: id, region (partition column), amount.
  std::shared_ptr<const delta::Snapshot> Sales() {
    return WriteTable("sales",
                      TableOf({{"id", arrow::int64(), "[1, 2, 3, 4, 5, 6]"},
                               {"region", arrow::utf8(), R"(["eu", "us", "eu", "us", "apac", null])"},
                               {"amount", arrow::float64(), "[1.5, 20, 3.5, 40, 5, 60]"}}),
                      {"region"});
  }

  static NodePtr Scan(std::shared_ptr<const delta::Snapshot> snapshot, std::vector<std::string> columns,
                      std::vector<std::string> unique_names, std::optional<cp::Expression> filter = std::nullopt) {
    auto node = std::make_shared<plan::TableScanNode>();
    node->table_name = snapshot->location().display_name;
    arrow::FieldVector fields;
    for (size_t i = 0; i < columns.size(); ++i) {
      fields.push_back(arrow::field(unique_names[i], snapshot->schema()->GetFieldByName(columns[i])->type()));
    }
    node->schema = arrow::schema(fields);
    node->snapshot = std::move(snapshot);
    node->columns = std::move(columns);
    if (filter) node->filter = Bound(*filter, *node->schema);
    return node;
  }

  TempDir dir_;
};

TEST_F(ScanTest, ProjectsAndRenames) {
  auto scan = Scan(Sales(), {"amount", "id"}, {"amount#7", "id#8"});
  EXPECT_EQ(RunOk(scan), (V{"1.5|1", "20|2", "3.5|3", "40|4", "5|5", "60|6"}));
  auto reader = Execute(Root(scan), {});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->schema()->ToString(), "amount: double\nid: int64");
}

TEST_F(ScanTest, FilterOverUniqueNamesReachesTheScan) {
  auto sales = Sales();
  auto filter = cp::and_(cp::greater(cp::field_ref("amount#2"), cp::literal(2.0)),
                         cp::equal(cp::field_ref("region#1"), cp::literal("eu")));
  auto scan = Scan(sales, {"region", "amount", "id"}, {"region#1", "amount#2", "id#3"}, filter);
  EXPECT_EQ(RunOk(scan), (V{"eu|3.5|3"}));
  // A filter on the partition column alone, including NULL partitions.
  auto nulls = Scan(sales, {"id", "region"}, {"id#1", "region#2"}, cp::is_null(cp::field_ref("region#2")));
  EXPECT_EQ(RunOk(nulls), (V{"6|null"}));
}

TEST_F(ScanTest, MoreScansThanIoThreadsInOnePlan) {
  // Each source blocks a thread while its files are read, and the reads themselves run on
  // Arrow's I/O pool; sources on that pool once starved it (TPC-H Q8 hung now and then).
  auto sales = Sales();
  const int scans = 3 * arrow::io::GetIOThreadPoolCapacity();
  NodePtr tree = Scan(sales, {"id"}, {"id#0"});
  for (int i = 1; i < scans; ++i) {
    auto u = std::make_shared<plan::SetOperationNode>();
    u->op = plan::SetOpKind::kUnion;
    u->all = true;
    u->schema = tree->schema;
    u->inputs = {tree, Scan(sales, {"id"}, {"id#" + std::to_string(i)})};
    tree = u;
  }
  for (int run = 0; run < 3; ++run) {
    EXPECT_EQ(RunOk(tree).size(), static_cast<size_t>(6 * scans));
  }
}

TEST_F(ScanTest, CountStarReadsNoColumns) {
  auto snapshot = Sales();
  auto scan = Scan(snapshot, {}, {});
  auto count = Aggregate(scan, {}, {{"n#1", Agg("count", {}, arrow::int64())}});
  EXPECT_EQ(RunOk(count), (V{"6"}));
  auto filtered = Scan(snapshot, {}, {}, cp::literal(true));
  EXPECT_EQ(RunOk(Aggregate(filtered, {}, {{"n#1", Agg("count", {}, arrow::int64())}})), (V{"6"}));
}

TEST_F(ScanTest, LimitOverAScanReadsTheFirstRows) {
  arrow::Int64Builder b;
  for (int64_t i = 0; i < 50000; ++i) ASSERT_TRUE(b.Append(i).ok());
  auto snapshot = WriteTable("numbers", arrow::Table::Make(arrow::schema({arrow::field("n", arrow::int64())}),
                                                           {*b.Finish()}));
  auto limited = Limit(Scan(snapshot, {"n"}, {"n#1"}), 3);
  EXPECT_EQ(RunOk(limited, true), (V{"0", "1", "2"}));
}

TEST_F(ScanTest, JoinAndAggregateOverTables) {
  auto sales = Sales();
  auto regions = WriteTable("regions", TableOf({{"code", arrow::utf8(), R"(["eu", "us"])"},
                                                {"name", arrow::utf8(), R"(["Europe", "United States"])"}}));
  auto join = std::make_shared<plan::JoinNode>();
  join->type = plan::JoinType::kInner;
  join->inputs = {Scan(sales, {"region", "amount"}, {"region#1", "amount#2"}),
                  Scan(regions, {"code", "name"}, {"code#3", "name#4"})};
  join->left_keys = {"region#1"};
  join->right_keys = {"code#3"};
  join->schema = arrow::schema({arrow::field("region#1", arrow::utf8()), arrow::field("amount#2", arrow::float64()),
                                arrow::field("code#3", arrow::utf8()), arrow::field("name#4", arrow::utf8())});
  auto agg = Aggregate(join, {"name#4"}, {{"total#5", Agg("hash_sum", {"amount#2"}, arrow::float64())}});
  EXPECT_EQ(RunOk(Sort(agg, {{"name#4", true, true}}), true), (V{"Europe|5", "United States|60"}));
}

TEST_F(ScanTest, SelectStarStreamsUnderAMemoryLimitSmallerThanTheTable) {
  // 2.5 M rows of two int64 columns: 40 MB in memory, read with a 24 MB limit. (delta::Scan
  // holds a whole data file in memory while it reads it, so the files are kept small.)
  constexpr int64_t kRows = 2500000, kFiles = 10;
  auto location = Location("big");
  for (int64_t f = 0; f < kFiles; ++f) {
    arrow::Int64Builder a, b;
    ASSERT_TRUE(a.Reserve(kRows / kFiles).ok());
    ASSERT_TRUE(b.Reserve(kRows / kFiles).ok());
    for (int64_t i = f * (kRows / kFiles); i < (f + 1) * (kRows / kFiles); ++i) {
      a.UnsafeAppend(i);
      b.UnsafeAppend(i * 3);
    }
    auto data = arrow::Table::Make(arrow::schema({arrow::field("a", arrow::int64()), arrow::field("b", arrow::int64())}),
                                   {*a.Finish(), *b.Finish()});
    arrow::TableBatchReader reader(*data);
    reader.set_chunksize(64 * 1024);
    ASSERT_TRUE(delta::DeltaTable::Write(location, reader, {}).ok());
  }
  auto snapshot = delta::Snapshot::Load(location);
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ((*snapshot)->files().size(), static_cast<size_t>(kFiles));

  ExecOptions exec_options;
  exec_options.memory_limit_bytes = 24 << 20;
  auto result = Execute(Root(Scan(*snapshot, {"a", "b"}, {"a#1", "b#2"})), exec_options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  int64_t rows = 0, sum = 0;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    auto st = (*result)->ReadNext(&batch);
    ASSERT_TRUE(st.ok()) << st.ToString();
    if (!batch) break;
    rows += batch->num_rows();
    const auto& col = static_cast<const arrow::Int64Array&>(*batch->column(0));
    for (int64_t i = 0; i < col.length(); ++i) sum += col.Value(i);
  }
  EXPECT_EQ(rows, kRows);
  EXPECT_EQ(sum, kRows * (kRows - 1) / 2);
  // Sorting it all does need the memory: a clean error.
  auto sorted = Sort(Scan(*snapshot, {"a", "b"}, {"a#1", "b#2"}), {{"b#2", false, false}});
  auto failed = RunPlan(Root(sorted, true), exec_options);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.status().IsOutOfMemory()) << failed.status().ToString();
}

TEST_F(ScanTest, RowGroupStatisticsSkipGroups) {
  // One data file of four row groups (k = 0..999, 1000..1999, ...), added to a table by hand.
  auto location = Location("groups");
  delta::CreateOptions create;
  create.schema = arrow::schema({arrow::field("k", arrow::int64())});
  ASSERT_TRUE(delta::DeltaTable::Create(location, create).ok());
  arrow::Int64Builder b;
  for (int64_t i = 0; i < 4000; ++i) ASSERT_TRUE(b.Append(i).ok());
  auto data = arrow::Table::Make(create.schema, {*b.Finish()});
  std::string file = location.root + "/part-0.parquet";
  {
    auto out = arrow::io::FileOutputStream::Open(file);
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE(parquet::arrow::WriteTable(*data, arrow::default_memory_pool(), *out, 1000).ok());
    ASSERT_TRUE((*out)->Close().ok());
  }
  auto before = delta::Snapshot::Load(location);
  ASSERT_TRUE(before.ok());
  auto txn = delta::Transaction::ForSnapshot(*before);
  delta::AddFile add;
  add.path = "part-0.parquet";
  add.size = static_cast<int64_t>(std::filesystem::file_size(file));
  txn->Add(std::vector<delta::AddFile>{add});
  ASSERT_TRUE(txn->Commit("WRITE").ok());
  auto snapshot = delta::Snapshot::Load(location);
  ASSERT_TRUE(snapshot.ok());

  // Reads k in [2500, 2503) and returns what the scan allocated.
  auto read = [&](const cp::Expression& filter, std::vector<std::string>* rows) -> int64_t {
    auto pool = QueryMemoryPool::Make(0, "test");
    delta::ScanOptions options;
    options.filter = filter;
    options.with_row_position = true;
    options.memory_pool = pool.get();
    auto scan = delta::Scan::Make(*snapshot, options);
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    auto table = (*scan)->ToTable();
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    for (const auto& row : RowsOf(**table)) rows->push_back(row.substr(0, row.rfind('|')));
    return pool->total_bytes_allocated();
  };
  auto k = cp::field_ref("k");
  std::vector<std::string> pruned_rows, full_rows;
  int64_t pruned = read(cp::and_(cp::greater_equal(k, cp::literal(int64_t{2500})), cp::less(k, cp::literal(int64_t{2503}))),
                        &pruned_rows);
  // The same rows through arithmetic the statistics cannot judge: every group is read.
  auto k_plus_0 = cp::call("add", {k, cp::literal(int64_t{0})});
  int64_t full = read(cp::and_(cp::greater_equal(k_plus_0, cp::literal(int64_t{2500})),
                               cp::less(k_plus_0, cp::literal(int64_t{2503}))),
                      &full_rows);
  // Row positions count the rows of the groups skipped before.
  EXPECT_EQ(pruned_rows, (V{"2500|2500", "2501|2501", "2502|2502"}));
  EXPECT_EQ(full_rows, pruned_rows);
  EXPECT_LT(pruned * 2, full) << pruned << " vs " << full;

  auto scan = Scan(*snapshot, {"k"}, {"k#1"}, cp::greater(cp::field_ref("k#1"), cp::literal(int64_t{3997})));
  EXPECT_EQ(RunOk(scan), (V{"3998", "3999"}));
}

TEST_F(ScanTest, CsvAndParquetFiles) {
  std::string csv_path = dir_.path() + "/people.csv";
  {
    std::ofstream out(csv_path);
    out << "name;age\nann;31\nbob;17\ncid;45\n";
  }
  auto csv = std::make_shared<plan::FileScanNode>();
  csv->format = plan::FileFormat::kCsv;
  csv->csv_delimiter = ';';
  csv->paths = {csv_path};
  csv->columns = {"age", "name"};
  csv->schema = arrow::schema({arrow::field("age#1", arrow::int64()), arrow::field("name#2", arrow::utf8())});
  csv->filter = Bound(cp::greater(cp::field_ref("age#1"), cp::literal(int64_t{18})), *csv->schema);
  EXPECT_EQ(RunOk(csv), (V{"31|ann", "45|cid"}));

  // Headerless CSV: columns _c0, _c1 as in Spark; the plan may ask for other types.
  std::string raw_path = dir_.path() + "/raw.csv";
  {
    std::ofstream out(raw_path);
    out << "1,x\n2,y\n";
  }
  auto raw = std::make_shared<plan::FileScanNode>();
  raw->format = plan::FileFormat::kCsv;
  raw->csv_header = false;
  raw->paths = {raw_path};
  raw->columns = {"_c1", "_c0"};
  raw->schema = arrow::schema({arrow::field("c1#1", arrow::utf8()), arrow::field("c0#2", arrow::float64())});
  EXPECT_EQ(RunOk(raw), (V{"x|1", "y|2"}));

  std::string parquet_path = dir_.path() + "/t.parquet";
  auto table = TableOf({{"k", arrow::int32(), "[1, 2, 3]"}, {"v", arrow::utf8(), R"(["a", null, "c"])"}});
  {
    auto out = arrow::io::FileOutputStream::Open(parquet_path);
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), *out, 2).ok());
    ASSERT_TRUE((*out)->Close().ok());
  }
  auto pq = std::make_shared<plan::FileScanNode>();
  pq->format = plan::FileFormat::kParquet;
  pq->paths = {parquet_path};
  pq->columns = {"v", "k"};
  pq->schema = arrow::schema({arrow::field("v#1", arrow::utf8()), arrow::field("k#2", arrow::int32())});
  pq->filter = Bound(cp::not_equal(cp::field_ref("k#2"), cp::literal(2)), *pq->schema);
  EXPECT_EQ(RunOk(pq), (V{"a|1", "c|3"}));

  auto missing = std::make_shared<plan::FileScanNode>(*pq);
  missing->paths = {dir_.path() + "/nope.parquet"};
  auto status = Execute(Root(missing), {}).status();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("nope.parquet"), std::string::npos) << status.ToString();

  // Several files in order; count(*) reads no column data.
  auto two = std::make_shared<plan::FileScanNode>(*pq);
  two->paths = {parquet_path, parquet_path};
  two->filter.reset();
  EXPECT_EQ(RunOk(two, true), (V{"a|1", "null|2", "c|3", "a|1", "null|2", "c|3"}));
  auto counted = std::make_shared<plan::FileScanNode>();
  counted->format = plan::FileFormat::kParquet;
  counted->paths = {parquet_path, parquet_path};
  counted->schema = arrow::schema(arrow::FieldVector{});
  EXPECT_EQ(RunOk(Aggregate(counted, {}, {{"n#1", Agg("count", {}, arrow::int64())}})), (V{"6"}));

  // JSON lines, with a column missing from some rows; a bad value names the file.
  std::string json_path = dir_.path() + "/events.json";
  {
    std::ofstream out(json_path);
    out << R"({"id": 1, "kind": "click", "extra": true})" << '\n'
        << R"({"id": 2})" << '\n'
        << R"({"id": 3, "kind": "view"})" << '\n';
  }
  auto json = std::make_shared<plan::FileScanNode>();
  json->format = plan::FileFormat::kJson;
  json->paths = {json_path};
  json->columns = {"kind", "id"};
  json->schema = arrow::schema({arrow::field("kind#1", arrow::utf8()), arrow::field("id#2", arrow::int64())});
  EXPECT_EQ(RunOk(json), (V{"click|1", "null|2", "view|3"}));
  std::string bad_csv = dir_.path() + "/bad.csv";
  {
    std::ofstream out(bad_csv);
    out << "n\n1\nxyz\n";
  }
  auto bad = std::make_shared<plan::FileScanNode>();
  bad->format = plan::FileFormat::kCsv;
  bad->paths = {bad_csv};
  bad->columns = {"n"};
  bad->schema = arrow::schema({arrow::field("n#1", arrow::int64())});
  auto bad_rows = RunPlan(Root(bad));
  ASSERT_FALSE(bad_rows.ok());
  EXPECT_NE(bad_rows.status().message().find("bad.csv"), std::string::npos) << bad_rows.status().ToString();
}

TEST_F(ScanTest, ParquetFileRowGroupsSkippedByStatistics) {
  std::string path = dir_.path() + "/groups.parquet";
  arrow::Int64Builder b;
  for (int64_t i = 0; i < 4000; ++i) ASSERT_TRUE(b.Append(i).ok());
  auto data = arrow::Table::Make(arrow::schema({arrow::field("k", arrow::int64())}), {*b.Finish()});
  {
    auto out = arrow::io::FileOutputStream::Open(path);
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE(parquet::arrow::WriteTable(*data, arrow::default_memory_pool(), *out, 1000).ok());
    ASSERT_TRUE((*out)->Close().ok());
  }
  auto node = std::make_shared<plan::FileScanNode>();
  node->format = plan::FileFormat::kParquet;
  node->paths = {path};
  node->columns = {"k"};
  node->schema = arrow::schema({arrow::field("k#1", arrow::int64())});
  node->filter = Bound(cp::and_(cp::greater_equal(cp::field_ref("k#1"), cp::literal(int64_t{1998})),
                                cp::less(cp::field_ref("k#1"), cp::literal(int64_t{2001}))),
                       *node->schema);
  auto pool = QueryMemoryPool::Make(0, "test");
  auto reader = OpenFiles(*node, pool.get());
  ASSERT_TRUE(reader.ok());
  int64_t rows = 0;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ASSERT_TRUE((*reader)->ReadNext(&batch).ok());
    if (!batch) break;
    rows += batch->num_rows();
  }
  EXPECT_EQ(rows, 2000);  // groups 1 and 2 of 4; the plan's filter keeps 3 rows
  EXPECT_EQ(RunOk(node), (V{"1998", "1999", "2000"}));
}

}  // namespace
}  // namespace tidelake::exec
