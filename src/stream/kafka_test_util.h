// A Kafka cluster for tests: the real broker TIDELAKE_KAFKA_BOOTSTRAP names (scripts/test.sh
// starts Apache Kafka with scripts/kafka.sh), else librdkafka's in-process mock cluster, which
// lives as long as the fixture's producer. Each test prints which one it used. The fixture makes
// a fresh topic of two partitions (topic_) and can make more; bootstrap_ is where to connect.
#pragma once

#include <arrow/api.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "common/arrow_init.h"
#include "common/uuid.h"

namespace tidelake::stream {

class KafkaTopicFixture : public ::testing::Test {
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
    if (rd_kafka_mock_cluster_t* mock = rd_kafka_handle_mock_cluster(producer_)) {
      mock_ = true;
      bootstrap_ = rd_kafka_mock_cluster_bootstraps(mock);
    }
    topic_ = NewTopic(2);
  }

  void TearDown() override {
    if (producer_ != nullptr) rd_kafka_destroy(producer_);
  }

  /// Creates a topic of `partitions` partitions with a fresh name, and returns the name.
  std::string NewTopic(int partitions) {
    std::string name = "t-" + RandomUuid().substr(0, 8);
    if (rd_kafka_mock_cluster_t* mock = rd_kafka_handle_mock_cluster(producer_)) {
      EXPECT_EQ(rd_kafka_mock_topic_create(mock, name.c_str(), partitions, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
      return name;
    }
    char error[512];
    rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(name.c_str(), partitions, 1, error, sizeof(error));
    EXPECT_NE(topic, nullptr) << error;
    if (topic == nullptr) return name;
    rd_kafka_queue_t* queue = rd_kafka_queue_new(producer_);
    rd_kafka_CreateTopics(producer_, &topic, 1, nullptr, queue);
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30000);
    EXPECT_NE(event, nullptr) << "no answer from the broker to CreateTopics";
    if (event != nullptr) {
      const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
      size_t n = 0;
      const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(result, &n);
      EXPECT_EQ(n, 1u);
      if (n == 1) {
        EXPECT_EQ(rd_kafka_topic_result_error(topics[0]), RD_KAFKA_RESP_ERR_NO_ERROR)
            << rd_kafka_topic_result_error_string(topics[0]);
      }
      rd_kafka_event_destroy(event);
    }
    rd_kafka_queue_destroy(queue);
    rd_kafka_NewTopic_destroy(topic);
    return name;
  }

  /// Sends one message to `partition` of `topic` (topic_ when empty); a null value is a tombstone.
  void Produce(int32_t partition, const std::optional<std::string>& key, const std::optional<std::string>& value,
               const std::string& topic = "") {
    const std::string& to = topic.empty() ? topic_ : topic;
    const void* key_data = key ? key->data() : nullptr;
    const size_t key_size = key ? key->size() : 0;
    void* value_data = value ? const_cast<char*>(value->data()) : nullptr;
    const size_t value_size = value ? value->size() : 0;
    rd_kafka_resp_err_t err = rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(to.c_str()),
                                                RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_KEY(key_data, key_size),
                                                RD_KAFKA_V_VALUE(value_data, value_size),
                                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  }

  void Flush() { ASSERT_EQ(rd_kafka_flush(producer_, 30000), RD_KAFKA_RESP_ERR_NO_ERROR); }

  rd_kafka_t* producer_ = nullptr;
  bool mock_ = false;
  std::string bootstrap_;
  std::string topic_;
};

}  // namespace tidelake::stream
