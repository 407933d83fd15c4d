// Sources declared in SQL, end to end against Kafka (the real broker when
// TIDELAKE_KAFKA_BOOTSTRAP names one, else librdkafka's mock cluster; see kafka_test_util.h):
// CREATE SOURCE, batch queries over what the topic holds, and a streaming table that a refresh
// brings up to date with the new messages, exactly once.
#include <arrow/api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "stream/kafka_test_util.h"
#include "tidelake/session.h"

namespace tidelake {
namespace {

namespace fs = std::filesystem;

class SourcesTest : public stream::KafkaTopicFixture {
 protected:
  void SetUp() override {
    KafkaTopicFixture::SetUp();
    dir_ = fs::temp_directory_path() / ("tidelake-sources-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    session_ = Session::Open(dir_.string()).ValueOrDie();
  }
  void TearDown() override {
    session_.reset();
    fs::remove_all(dir_);
    KafkaTopicFixture::TearDown();
  }

  arrow::Result<StatementResult> Execute(const std::string& sql) { return session_->Execute(sql); }

  void Run(const std::string& sql) {
    auto result = Execute(sql);
    ASSERT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
  }

  // The rows of a query, each as its values joined by '|', sorted.
  std::vector<std::string> Rows(const std::string& sql) {
    auto result = Execute(sql);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    if (!result.ok() || !result->rows) return {};
    auto table = result->rows->ToTable();
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    if (!table.ok()) return {};
    std::vector<std::string> rows;
    for (int64_t r = 0; r < (*table)->num_rows(); ++r) {
      std::string row;
      for (int c = 0; c < (*table)->num_columns(); ++c) {
        auto value = (*table)->column(c)->GetScalar(r);
        row += (c ? "|" : "") + (value.ok() && (*value)->is_valid ? (*value)->ToString() : std::string("NULL"));
      }
      rows.push_back(row);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  std::string Event(int id, const std::string& customer, double amount, const std::string& status,
                    const std::string& ts) {
    return R"({"id": )" + std::to_string(id) + R"(, "customer": ")" + customer + R"(", "amount": )" +
           std::to_string(amount) + R"(, "status": ")" + status + R"(", "ts": ")" + ts + R"("})";
  }

  void CreateEvents(const std::string& name, const std::string& topic, const std::string& more_options = "") {
    Run("CREATE SOURCE " + name +
        " (id BIGINT, customer STRING, amount DOUBLE, status STRING, ts TIMESTAMP,\n"
        "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)\n"
        "WITH (connector = 'kafka', topic = '" + topic + "', 'properties.bootstrap.servers' = '" + bootstrap_ +
        "', format = 'json', 'scan.startup.mode' = 'earliest-offset'" + more_options + ")");
  }

  fs::path dir_;
  std::unique_ptr<Session> session_;
};

TEST_F(SourcesTest, AStreamingTableOverAKafkaSourceFollowsTheTopic) {
  Produce(0, "c1", Event(1, "c1", 10.5, "completed", "2024-01-01T10:00:00Z"));
  Produce(1, "c2", Event(2, "c2", 20, "pending", "2024-01-01T10:00:01Z"));
  Produce(0, "c1", Event(3, "c1", 30, "completed", "2024-01-01T10:00:02Z"));
  Produce(1, "c3", Event(4, "c3", 5.25, "completed", "2024-01-01T10:00:03Z"));
  Flush();
  CreateEvents("raw.events", topic_);

  // A batch query reads what the topic holds now.
  EXPECT_EQ(Rows("SELECT count(*), sum(amount) FROM raw.events"), (std::vector<std::string>{"4|65.75"}));
  EXPECT_EQ(Rows("SELECT id, _partition, _offset, _key FROM raw.events WHERE customer = 'c1'"),
            (std::vector<std::string>{"1|0|0|c1", "3|0|1|c1"}));
  // The metadata columns are read by name only, not by *.
  auto star = Execute("SELECT * FROM raw.events");
  ASSERT_TRUE(star.ok()) << star.status().ToString();
  EXPECT_EQ(star->rows->schema()->field_names(),
            (std::vector<std::string>{"id", "customer", "amount", "status", "ts"}));
  EXPECT_EQ(Rows("SELECT CAST(ts AS STRING) FROM raw.events WHERE id = 4"),
            (std::vector<std::string>{"2024-01-01 10:00:03"}));

  Run("CREATE STREAMING TABLE refined.completed AS\n"
      "SELECT id, customer, amount, _partition AS part FROM raw.events WHERE status = 'completed'");
  EXPECT_EQ(Rows("SELECT * FROM refined.completed"),
            (std::vector<std::string>{"1|c1|10.5|0", "3|c1|30|0", "4|c3|5.25|1"}));

  Produce(1, "c2", Event(5, "c2", 7, "completed", "2024-01-01T10:00:04Z"));
  Produce(0, "c4", Event(6, "c4", 1, "failed", "2024-01-01T10:00:05Z"));
  Produce(0, "c4", Event(7, "c4", 2, "completed", "2024-01-01T10:00:06Z"));
  Flush();
  auto refreshed = Execute("REFRESH STREAMING TABLE refined.completed");
  ASSERT_TRUE(refreshed.ok()) << refreshed.status().ToString();
  EXPECT_EQ(refreshed->message, "Refreshed streaming table refined.completed: 1 batch, 3 rows read, 2 rows written");
  EXPECT_EQ(Rows("SELECT * FROM refined.completed"),
            (std::vector<std::string>{"1|c1|10.5|0", "3|c1|30|0", "4|c3|5.25|1", "5|c2|7|1", "7|c4|2|0"}));

  // Nothing new: nothing read, nothing written twice.
  refreshed = Execute("REFRESH STREAMING TABLE refined.completed");
  ASSERT_TRUE(refreshed.ok()) << refreshed.status().ToString();
  EXPECT_EQ(refreshed->message, "Refreshed streaming table refined.completed: 0 batches, 0 rows read, 0 rows written");
  EXPECT_EQ(Rows("SELECT count(*) FROM refined.completed"), (std::vector<std::string>{"5"}));

  // The same query in batch mode gives the same rows.
  EXPECT_EQ(Rows("SELECT id, customer, amount, _partition FROM raw.events WHERE status = 'completed'"),
            Rows("SELECT * FROM refined.completed"));

  // A message that is not an event stops the stream, naming where it is; nothing is skipped.
  Produce(1, std::nullopt, R"({"id": "seven"})");
  Flush();
  auto bad = Execute("REFRESH STREAMING TABLE refined.completed");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 1:25: Kafka source 'raw.events': the message at partition 1 offset 3 "
                                        "of topic '" + topic_ + "' is not a JSON object with the columns"),
            std::string::npos)
      << bad.status().message();
  EXPECT_EQ(Rows("SELECT count(*) FROM refined.completed"), (std::vector<std::string>{"5"}));
}

TEST_F(SourcesTest, AWindowedAggregationOverASourceUsesItsWatermark) {
  Produce(0, std::nullopt, Event(1, "c1", 1, "completed", "2024-01-01T10:00:05Z"));
  Produce(1, std::nullopt, Event(2, "c2", 2, "completed", "2024-01-01T10:00:30Z"));
  Produce(0, std::nullopt, Event(3, "c1", 3, "completed", "2024-01-01T10:00:50Z"));
  Flush();
  CreateEvents("raw.events", topic_);  // WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
  Run("CREATE STREAMING TABLE curated.per_minute AS\n"
      "SELECT window.start AS minute, customer, count(*) AS n, sum(amount) AS total FROM raw.events\n"
      "GROUP BY window(ts, '1 minute'), customer");
  // The watermark is 10:00:45: the minute from 10:00 is still open.
  EXPECT_EQ(Rows("SELECT count(*) FROM curated.per_minute"), (std::vector<std::string>{"0"}));

  // 10:00:58 is out of order but within the delay; 10:01:06 moves the watermark past 10:01.
  Produce(1, std::nullopt, Event(4, "c2", 4, "completed", "2024-01-01T10:01:06Z"));
  Produce(0, std::nullopt, Event(5, "c1", 5, "completed", "2024-01-01T10:00:58Z"));
  Flush();
  Run("REFRESH STREAMING TABLE curated.per_minute");
  EXPECT_EQ(Rows("SELECT CAST(minute AS STRING), customer, n, total FROM curated.per_minute"),
            (std::vector<std::string>{"2024-01-01 10:00:00|c1|3|9", "2024-01-01 10:00:00|c2|1|2"}));

  // A late message (its minute has closed) is dropped, not written again.
  Produce(0, std::nullopt, Event(6, "c1", 100, "completed", "2024-01-01T10:00:59Z"));
  Flush();
  Run("REFRESH STREAMING TABLE curated.per_minute");
  EXPECT_EQ(Rows("SELECT count(*) FROM curated.per_minute"), (std::vector<std::string>{"2"}));
}

TEST_F(SourcesTest, CsvValuesLatestOffsetsAndSparkOptionNames) {
  const std::string csv_topic = NewTopic(1);
  Produce(0, std::nullopt, "1,c1,10.5,2024-01-01 10:00:00", csv_topic);
  Produce(0, std::nullopt, "2,\"c, two\",,2024-01-01T12:00:00+02:00", csv_topic);
  Produce(0, std::nullopt, std::nullopt, csv_topic);  // a tombstone: a row of nulls
  Flush();
  Run("CREATE SOURCE raw.orders (id INT, customer STRING, amount DOUBLE, at TIMESTAMP) WITH (connector = 'kafka', "
      "subscribe = '" + csv_topic + "', kafka.bootstrap.servers = '" + bootstrap_ +
      "', format = 'csv', startingOffsets = 'earliest')");
  // A timestamp without a zone offset is UTC, as in JSON values.
  EXPECT_EQ(Rows("SELECT id, customer, amount, CAST(at AS STRING), _offset FROM raw.orders"),
            (std::vector<std::string>{"1|c1|10.5|2024-01-01 10:00:00|0", "2|c, two|NULL|2024-01-01 10:00:00|1",
                                      "NULL|NULL|NULL|NULL|2"}));

  // A source that starts at the latest offsets holds nothing yet for a batch query; a
  // streaming table over it sees only what comes after it started.
  for (int i = 0; i < 3; ++i) Produce(i % 2, std::nullopt, Event(i, "c1", 1, "completed", "2024-01-01T00:00:00Z"));
  Flush();
  // maxOffsetsPerTrigger limits a streaming batch; a batch query reads everything anyway.
  CreateEvents("raw.latest", topic_, ", maxOffsetsPerTrigger = 1");
  EXPECT_EQ(Rows("SELECT count(*) FROM raw.latest"), (std::vector<std::string>{"3"}));
  Run("DROP SOURCE raw.latest");
  Run("CREATE SOURCE raw.latest (id BIGINT) WITH (connector = 'kafka', topic = '" + topic_ +
      "', 'properties.bootstrap.servers' = '" + bootstrap_ + "', 'scan.startup.mode' = 'latest-offset')");
  EXPECT_EQ(Rows("SELECT count(*) FROM raw.latest"), (std::vector<std::string>{"0"}));
  Run("CREATE STREAMING TABLE refined.latest AS SELECT id FROM STREAM(raw.latest)");
  EXPECT_EQ(Rows("SELECT count(*) FROM refined.latest"), (std::vector<std::string>{"0"}));
  Produce(1, std::nullopt, Event(10, "c2", 2, "completed", "2024-01-01T00:00:01Z"));
  Produce(0, std::nullopt, Event(11, "c2", 3, "completed", "2024-01-01T00:00:02Z"));
  Flush();
  Run("REFRESH STREAMING TABLE refined.latest");
  EXPECT_EQ(Rows("SELECT id FROM refined.latest"), (std::vector<std::string>{"10", "11"}));

  // A CSV record of the wrong shape is named too.
  Produce(0, std::nullopt, "3,c3", csv_topic);
  Flush();
  auto bad = Execute("SELECT * FROM raw.orders");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("the message at partition 0 offset 3 of topic '" + csv_topic +
                                        "' is not a CSV record with the columns"),
            std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace tidelake
