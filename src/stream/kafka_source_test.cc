// The Kafka source against a real broker when TIDELAKE_KAFKA_BOOTSTRAP names one (scripts/test.sh
// starts Apache Kafka with scripts/kafka.sh), else against librdkafka's in-process mock cluster;
// each test prints which one it used.
#include <arrow/api.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/uuid.h"
#include "stream/kafka_source.h"
#include "stream/kafka_test_util.h"

namespace tidelake::stream {
namespace {

// KafkaTopicFixture (kafka_test_util.h) with the options of a source over its topic.
class KafkaFixture : public KafkaTopicFixture {
 protected:
  KafkaSourceOptions Options() const {
    KafkaSourceOptions options;
    options.bootstrap_servers = bootstrap_;
    options.topic = topic_;
    options.value_schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("kind", arrow::utf8())});
    options.timeout_ms = 20000;
    return options;
  }
};

std::string Cell(const arrow::Table& t, const std::string& column, int64_t row) {
  auto scalar = t.GetColumnByName(column)->GetScalar(row);
  return scalar.ok() ? (*scalar)->ToString() : "?";
}

TEST_F(KafkaFixture, ReadsRangesExactlyAndReplaysThem) {
  for (int i = 0; i < 6; ++i) {
    Produce(i % 2, "k" + std::to_string(i), R"({"id": )" + std::to_string(i) + R"(, "kind": "k)" + std::to_string(i) + R"(", "extra": 1})");
  }
  Produce(0, std::nullopt, std::nullopt);  // a tombstone
  Flush();
  auto source = KafkaSource::Make("events", Options());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto start = (*source)->InitialOffset();
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  auto end = (*source)->NextEnd(*start);
  ASSERT_TRUE(end.ok()) << end.status().ToString();
  ASSERT_TRUE(end->has_value());
  EXPECT_EQ(*KafkaSource::Positions(**end), (std::map<int32_t, int64_t>{{0, 4}, {1, 3}}));
  auto rows = (*source)->Read(*start, **end);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ((*rows)->num_rows(), 7);
  EXPECT_EQ((*rows)->schema()->field_names(),
            (std::vector<std::string>{"id", "kind", "_key", "_partition", "_offset", "_timestamp"}));
  // Sorted by partition and offset: partition 0 holds ids 0, 2, 4 and the tombstone.
  EXPECT_EQ(Cell(**rows, "id", 0), "0");
  EXPECT_EQ(Cell(**rows, "id", 2), "4");
  EXPECT_EQ(Cell(**rows, "id", 3), "null");
  EXPECT_EQ(Cell(**rows, "_key", 3), "null");
  EXPECT_EQ(Cell(**rows, "_offset", 3), "3");
  EXPECT_EQ(Cell(**rows, "kind", 4), "k1");
  EXPECT_EQ(Cell(**rows, "_partition", 4), "1");

  // Nothing new: no next batch. A re-read of the range gives the same rows.
  auto none = (*source)->NextEnd(**end);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto again = (*source)->Read(*start, **end);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->Equals(**rows));

  // Later messages form the next range; a limit splits it.
  for (int i = 6; i < 16; ++i) Produce(0, std::nullopt, R"({"id": )" + std::to_string(i) + "}");
  Flush();
  KafkaSourceOptions limited = Options();
  limited.max_offsets_per_trigger = 4;
  auto small = KafkaSource::Make("events", limited);
  ASSERT_TRUE(small.ok());
  auto next = (*small)->NextEnd(**end);
  ASSERT_TRUE(next.ok() && next->has_value()) << next.status().ToString();
  EXPECT_EQ(*KafkaSource::Positions(**next), (std::map<int32_t, int64_t>{{0, 8}, {1, 3}}));
  auto batch = (*small)->Read(**end, **next);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ((*batch)->num_rows(), 4);
  EXPECT_EQ(Cell(**batch, "id", 0), "6");
}

TEST_F(KafkaFixture, StartsAtGivenOffsetsOrAtATime) {
  for (int i = 0; i < 5; ++i) Produce(0, std::nullopt, R"({"id": )" + std::to_string(i) + "}");
  Produce(1, std::nullopt, R"({"id": 100})");
  Flush();

  // Given offsets: partition 0 from offset 3, partition 1 from its latest (-1, Spark's form).
  KafkaSourceOptions given = Options();
  given.starting_offsets = "offsets";
  given.starting_partition_offsets = {{0, 3}, {1, -1}};
  auto source = KafkaSource::Make("events", given);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto start = (*source)->InitialOffset();
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  EXPECT_EQ(*KafkaSource::Positions(*start), (std::map<int32_t, int64_t>{{0, 3}, {1, 1}}));

  // An offset the partition does not hold, or a partition the topic lacks, is an error.
  given.starting_partition_offsets = {{0, 9}};
  auto beyond = KafkaSource::Make("events", given);
  ASSERT_TRUE(beyond.ok());
  auto refused = (*beyond)->InitialOffset();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("partition 0 of topic '" + topic_ + "' holds offsets 0 to 5; it cannot "
                                            "start at 9"),
            std::string::npos)
      << refused.status().message();
  given.starting_partition_offsets = {{7, 0}};
  auto missing = KafkaSource::Make("events", given);
  ASSERT_TRUE(missing.ok());
  auto no_partition = (*missing)->InitialOffset();
  ASSERT_FALSE(no_partition.ok());
  EXPECT_NE(no_partition.status().message().find("has no partition 7"), std::string::npos);

  if (mock_) {
    std::cout << "[ kafka    ] starting at a time needs the real broker (the mock cluster has no time index)\n";
    return;
  }
  // A time: each partition from its first message at or after it; a partition with none starts
  // at its end.
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  Produce(0, std::nullopt, R"({"id": 5})");
  Flush();
  KafkaSourceOptions timed = Options();
  timed.starting_offsets = "timestamp";
  timed.starting_timestamp_ms = now_ms;
  auto by_time = KafkaSource::Make("events", timed);
  ASSERT_TRUE(by_time.ok());
  auto from_time = (*by_time)->InitialOffset();
  ASSERT_TRUE(from_time.ok()) << from_time.status().ToString();
  EXPECT_EQ(*KafkaSource::Positions(*from_time), (std::map<int32_t, int64_t>{{0, 5}, {1, 1}}));
}

TEST_F(KafkaFixture, BadValuesAndTopicsAreNamed) {
  Produce(1, std::nullopt, R"({"id": 1})");
  Produce(1, std::nullopt, R"({"id": "not a number"})");
  Flush();
  auto source = KafkaSource::Make("events", Options());
  ASSERT_TRUE(source.ok());
  auto start = (*source)->InitialOffset();
  ASSERT_TRUE(start.ok());
  auto end = (*source)->NextEnd(*start);
  ASSERT_TRUE(end.ok() && end->has_value());
  auto rows = (*source)->Read(*start, **end);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("the message at partition 1 offset 1 of topic '" + topic_ +
                                         "' is not a JSON object with the columns"),
            std::string::npos)
      << rows.status().message();

  // The mock cluster creates any topic it is asked about; a real broker (topics are not
  // auto-created, see scripts/kafka.sh) says the topic does not exist.
  if (!mock_) {
    KafkaSourceOptions missing = Options();
    missing.topic = "no-such-topic-" + RandomUuid().substr(0, 8);
    missing.timeout_ms = 5000;
    auto nowhere = KafkaSource::Make("events", missing);
    ASSERT_TRUE(nowhere.ok());
    auto initial = (*nowhere)->InitialOffset();
    ASSERT_FALSE(initial.ok());
    EXPECT_NE(initial.status().message().find("topic '" + missing.topic + "' does not exist"), std::string::npos)
        << initial.status().message();
  }

  KafkaSourceOptions reserved = Options();
  reserved.value_schema = arrow::schema({arrow::field("_offset", arrow::int64())});
  auto refused = KafkaSource::Make("events", reserved);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "Kafka source 'events': column '_offset' is reserved for the message's metadata");
}

}  // namespace
}  // namespace tidelake::stream
