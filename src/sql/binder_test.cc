// The binder over real Delta tables: names, types and plan shapes of the constructs it
// supports, and the positioned errors it gives for bad queries.
#include "sql/binder.h"

#include <arrow/api.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "delta/table.h"
#include "plan/explain.h"
#include "sql/parser.h"

namespace tidelake::sql {
namespace {

namespace fs = std::filesystem;

class MapCatalog : public BinderCatalog {
 public:
  std::map<std::string, delta::TableLocation> tables;
  std::map<std::string, ViewDefinition> views;

  static std::string Key(const std::vector<std::string>& name) {
    std::string key;
    for (const auto& p : name) {
      std::string lower = p;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      key += (key.empty() ? "" : ".") + lower;
    }
    return key;
  }
  arrow::Result<std::optional<delta::TableLocation>> FindTable(const std::vector<std::string>& name) override {
    auto it = tables.find(Key(name));
    if (it == tables.end()) return std::nullopt;
    return it->second;
  }
  arrow::Result<std::optional<ViewDefinition>> FindView(const std::vector<std::string>& name) override {
    auto it = views.find(Key(name));
    if (it == views.end()) return std::nullopt;
    return it->second;
  }
};

class BinderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tidelake-binder-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    MakeTable("raw.transactions",
              arrow::schema({arrow::field("transaction_id", arrow::int64()), arrow::field("customer_id", arrow::int64()),
                             arrow::field("amount", arrow::decimal128(10, 2)), arrow::field("status", arrow::utf8()),
                             arrow::field("transaction_date", arrow::date32())}),
              R"([{"transaction_id": 1, "customer_id": 10, "amount": "12.50", "status": "completed",
                   "transaction_date": 19700}])");
    MakeTable("raw.customers",
              arrow::schema({arrow::field("customer_id", arrow::int64()), arrow::field("name", arrow::utf8())}),
              R"([{"customer_id": 10, "name": "ann"}])");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void MakeTable(const std::string& name, const std::shared_ptr<arrow::Schema>& schema, const std::string& rows) {
    delta::TableLocation location{std::make_shared<arrow::fs::LocalFileSystem>(), (dir_ / name).string(), name};
    auto array = arrow::json::ArrayFromJSONString(arrow::struct_(schema->fields()), rows).ValueOrDie();
    auto batch = arrow::RecordBatch::FromStructArray(array).ValueOrDie();
    auto reader = arrow::RecordBatchReader::Make({batch}, schema).ValueOrDie();
    ASSERT_TRUE(delta::DeltaTable::Write(location, *reader, {}).ok());
    catalog_.tables[name] = location;
  }

  arrow::Result<plan::PlanRoot> BindSql(const std::string& sql) {
    ARROW_ASSIGN_OR_RAISE(auto statement, ParseStatement(sql));
    if (statement->kind != StatementKind::kQuery) return arrow::Status::Invalid("not a query");
    Binder binder(&catalog_, plan::FunctionContext{});
    return binder.BindQuery(*statement->As<QueryStatement>().query);
  }

  std::string Error(const std::string& sql) {
    auto bound = BindSql(sql);
    return bound.ok() ? "(bound)" : bound.status().message();
  }

  fs::path dir_;
  MapCatalog catalog_;
};

TEST_F(BinderTest, SelectWhereOrderLimit) {
  auto root = BindSql(
      "SELECT transaction_id, amount * 2 AS doubled FROM raw.transactions t WHERE t.status = 'completed' "
      "ORDER BY doubled DESC LIMIT 5");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->column_names, (std::vector<std::string>{"transaction_id", "doubled"}));
  EXPECT_TRUE(root->ordered);
  std::string plan = plan::Explain(*root);
  EXPECT_NE(plan.find("Limit 5"), std::string::npos) << plan;
  EXPECT_NE(plan.find("Sort ["), std::string::npos) << plan;
  EXPECT_NE(plan.find("DESC NULLS LAST"), std::string::npos) << plan;
  EXPECT_NE(plan.find("Filter"), std::string::npos) << plan;
  EXPECT_NE(plan.find("TableScan raw.transactions"), std::string::npos) << plan;
  EXPECT_TRUE(root->node->schema->field(0)->type()->Equals(arrow::int64()));
}

TEST_F(BinderTest, AggregatesWithGroupByAliasesAndHaving) {
  auto root = BindSql(
      "SELECT customer_id AS c, count(*) AS n, sum(amount) FROM raw.transactions GROUP BY c HAVING count(*) > 1 "
      "ORDER BY 2");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->column_names, (std::vector<std::string>{"c", "n", "sum(amount)"}));
  std::string plan = plan::Explain(*root);
  EXPECT_NE(plan.find("Aggregate keys"), std::string::npos) << plan;
  // Spark's sum of DECIMAL(10, 2) is DECIMAL(20, 2); count is BIGINT.
  EXPECT_TRUE(root->node->schema->field(1)->type()->Equals(arrow::int64())) << plan;
  EXPECT_TRUE(root->node->schema->field(2)->type()->Equals(arrow::decimal128(20, 2))) << plan;
}

TEST_F(BinderTest, JoinsResolveQualifiedNamesAndExtractKeys) {
  auto root = BindSql(
      "SELECT c.name, t.amount FROM raw.transactions t JOIN raw.customers c ON t.customer_id = c.customer_id "
      "AND t.amount > 0");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  std::string plan = plan::Explain(*root);
  EXPECT_NE(plan.find("Join Inner [customer_id#"), std::string::npos) << plan;
  EXPECT_NE(plan.find("residual"), std::string::npos) << plan;
  auto using_join = BindSql("SELECT customer_id, name FROM raw.transactions JOIN raw.customers USING (customer_id)");
  ASSERT_TRUE(using_join.ok()) << using_join.status().ToString();
}

TEST_F(BinderTest, SubqueriesBecomeJoins) {
  auto root = BindSql(
      "SELECT transaction_id FROM raw.transactions t WHERE EXISTS (SELECT 1 FROM raw.customers c WHERE "
      "c.customer_id = t.customer_id) AND customer_id NOT IN (SELECT customer_id FROM raw.customers) AND amount > "
      "(SELECT avg(amount) FROM raw.transactions)");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  std::string plan = plan::Explain(*root);
  EXPECT_NE(plan.find("Join LeftSemi [customer_id#"), std::string::npos) << plan;
  EXPECT_NE(plan.find("Join LeftAnti"), std::string::npos) << plan;
  EXPECT_NE(plan.find("Join LeftOuter"), std::string::npos) << plan;
}

TEST_F(BinderTest, SetOperationsCteAndSeedView) {
  auto root = BindSql(
      "WITH big AS (SELECT * FROM raw.transactions WHERE amount > 10) "
      "SELECT t.*, 'batch' AS source_layer FROM big t UNION ALL SELECT t.*, 'stream' AS source_layer FROM "
      "raw.transactions t");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->column_names.size(), 6u);
  EXPECT_EQ(root->column_names.back(), "source_layer");
}

TEST_F(BinderTest, WindowFunctions) {
  auto root = BindSql(
      "SELECT customer_id, row_number() OVER (PARTITION BY customer_id ORDER BY transaction_date DESC) AS rn "
      "FROM raw.transactions QUALIFY rn = 1");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  std::string plan = plan::Explain(*root);
  EXPECT_NE(plan.find("Window [row_number"), std::string::npos) << plan;
}

TEST_F(BinderTest, ErrorsArePositionedAndPrecise) {
  EXPECT_EQ(Error("SELECT amont FROM raw.transactions"), "line 1:8: column 'amont' not found");
  EXPECT_EQ(Error("SELECT x FROM raw.nothing"), "line 1:15: table or view 'raw.nothing' not found");
  EXPECT_EQ(Error("SELECT customer_id FROM raw.transactions t JOIN raw.customers c ON t.customer_id = c.customer_id"),
            "line 1:8: column 'customer_id' is ambiguous (t.customer_id, c.customer_id)");
  EXPECT_EQ(Error("SELECT status, count(*) FROM raw.transactions GROUP BY customer_id"),
            "line 1:8: column 'status' must appear in GROUP BY or be inside an aggregate function");
  EXPECT_EQ(Error("SELECT * FROM raw.transactions WHERE sum(amount) > 1"),
            "line 1:38: aggregate function sum(amount) is not allowed in WHERE");
  EXPECT_EQ(Error("SELECT a FROM (SELECT 1 AS a) UNION SELECT 1, 2"),
            "line 1:31: UNION needs the same number of columns on both sides (1 vs 2)");
  EXPECT_EQ(Error("SELECT 1 ORDER BY 3"), "line 1:19: ORDER BY position 3 is not in the select list (1..1)");
}

}  // namespace
}  // namespace tidelake::sql
