// The Kafka source against a real broker when TIDELAKE_KAFKA_BOOTSTRAP names one (scripts/test.sh
// starts Apache Kafka with scripts/kafka.sh), else against librdkafka's in-process mock cluster;
// each test prints which one it used.
#include <arrow/api.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "common/arrow_init.h"
#include "common/uuid.h"
#include "stream/kafka_source.h"

namespace tidelake::stream {
namespace {

// A producer, on the real broker or on its own mock cluster, and a fresh topic.
class KafkaFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(EnsureArrowInitialized().ok());
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const char* real = std::getenv("TIDELAKE_KAFKA_BOOTSTRAP");
    if (real != nullptr && *real != '\0') {
      bootstrap_ = real;
      ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", real, error, sizeof(error)), RD_KAFKA_CONF_OK) << error;
      std::cout << "[ kafka    ] the real broker at " << real << "\n";
    } else {
      ASSERT_EQ(rd_kafka_conf_set(conf, "test.mock.num.brokers", "1", error, sizeof(error)), RD_KAFKA_CONF_OK) << error;
      std::cout << "[ kafka    ] librdkafka's mock cluster (TIDELAKE_KAFKA_BOOTSTRAP is not set)\n";
    }
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    ASSERT_NE(producer_, nullptr) << error;
    topic_ = "t-" + RandomUuid().substr(0, 8);
    if (rd_kafka_mock_cluster_t* mock = rd_kafka_handle_mock_cluster(producer_)) {
      mock_ = true;
      bootstrap_ = rd_kafka_mock_cluster_bootstraps(mock);
      ASSERT_EQ(rd_kafka_mock_topic_create(mock, topic_.c_str(), 2, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    } else {
      CreateTopic(2);
    }
  }

  void TearDown() override {
    if (producer_ != nullptr) rd_kafka_destroy(producer_);
  }

  void CreateTopic(int partitions) {
    char error[512];
    rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(topic_.c_str(), partitions, 1, error, sizeof(error));
    ASSERT_NE(topic, nullptr) << error;
    rd_kafka_queue_t* queue = rd_kafka_queue_new(producer_);
    rd_kafka_CreateTopics(producer_, &topic, 1, nullptr, queue);
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30000);
    ASSERT_NE(event, nullptr) << "no answer from the broker to CreateTopics";
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
    size_t n = 0;
    const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(result, &n);
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(rd_kafka_topic_result_error(topics[0]), RD_KAFKA_RESP_ERR_NO_ERROR)
        << rd_kafka_topic_result_error_string(topics[0]);
    rd_kafka_event_destroy(event);
    rd_kafka_queue_destroy(queue);
    rd_kafka_NewTopic_destroy(topic);
  }

  void Produce(int32_t partition, const std::optional<std::string>& key, const std::optional<std::string>& value) {
    const void* key_data = key ? key->data() : nullptr;
    const size_t key_size = key ? key->size() : 0;
    void* value_data = value ? const_cast<char*>(value->data()) : nullptr;
    const size_t value_size = value ? value->size() : 0;
    rd_kafka_resp_err_t err = rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(topic_.c_str()),
                                                RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_KEY(key_data, key_size),
                                                RD_KAFKA_V_VALUE(value_data, value_size),
                                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  }

  void Flush() { ASSERT_EQ(rd_kafka_flush(producer_, 30000), RD_KAFKA_RESP_ERR_NO_ERROR); }

  KafkaSourceOptions Options() const {
    KafkaSourceOptions options;
    options.bootstrap_servers = bootstrap_;
    options.topic = topic_;
    options.value_schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("kind", arrow::utf8())});
    options.timeout_ms = 20000;
    return options;
  }

  rd_kafka_t* producer_ = nullptr;
  bool mock_ = false;
  std::string bootstrap_;
  std::string topic_;
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
