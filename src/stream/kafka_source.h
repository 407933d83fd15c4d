// A Kafka topic read as a stream, through librdkafka. Offsets are owned by tidelake's
// checkpoint, never committed to Kafka: the consumer is assigned partitions at explicit offsets
// (no consumer group rebalancing, no auto commit), so a batch re-run after a crash reads exactly
// the same messages.
//
// An offset is {"topic": t, "partitions": {"0": n0, "1": n1, ...}}: per partition, the offset of
// the next message to read. A batch reads, per partition, the messages in [start, end). New
// partitions are read from their beginning.
//
// Each message value is a JSON object mapped to the declared columns (missing fields are null,
// unknown fields ignored), or one CSV record of the declared columns in order; a null value (a
// tombstone) gives a row of nulls. A value that does not parse into those columns fails the
// batch with its partition and offset (never skipped). Every row also carries the message's
// `_key` (string), `_partition`, `_offset` and `_timestamp` (UTC, in microseconds as SQL's
// TIMESTAMP; Kafka's are milliseconds).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stream/source.h"

namespace tidelake::stream {

enum class KafkaValueFormat { kJson, kCsv };

struct KafkaSourceOptions {
  std::string bootstrap_servers;
  std::string topic;
  /// The columns of the values.
  std::shared_ptr<arrow::Schema> value_schema;
  KafkaValueFormat format = KafkaValueFormat::kJson;
  /// kCsv: the field delimiter (a record has no header; fields are the columns in order).
  char csv_delimiter = ',';
  /// Where a new query starts: "earliest", "latest", "offsets" (starting_partition_offsets) or
  /// "timestamp" (starting_timestamp_ms).
  std::string starting_offsets = "earliest";
  /// "offsets": per partition, the offset of the first message to read; -2 means the
  /// partition's earliest and -1 its latest (Spark's convention). Partitions not listed start at
  /// their earliest; a listed partition the topic lacks, or an offset outside the partition's
  /// [earliest, latest], is an error.
  std::map<int32_t, int64_t> starting_partition_offsets;
  /// "timestamp": each partition starts at its first message whose timestamp is at or after
  /// this (ms since the epoch), or at its end when it has none.
  int64_t starting_timestamp_ms = 0;
  /// At most this many messages per batch, over all partitions.
  std::optional<int64_t> max_offsets_per_trigger;
  /// How long one request to the broker may take before the batch fails.
  int64_t timeout_ms = 30000;
  /// More librdkafka settings (e.g. security.protocol), passed as they are.
  std::map<std::string, std::string> properties;
};

class KafkaSource : public Source {
 public:
  static arrow::Result<std::unique_ptr<KafkaSource>> Make(std::string name, KafkaSourceOptions options);
  ~KafkaSource() override;

  const std::string& name() const override { return name_; }
  const std::shared_ptr<arrow::Schema>& schema() const override { return schema_; }
  arrow::Result<std::string> InitialOffset() override;
  arrow::Result<std::optional<std::string>> NextEnd(const std::string& start) override;
  arrow::Result<std::shared_ptr<arrow::Table>> Read(const std::string& start, const std::string& end) override;
  arrow::Status PrepareAvailableNow(const std::string& start) override;

  /// The per-partition positions an offset holds (for tests and status lines).
  static arrow::Result<std::map<int32_t, int64_t>> Positions(const std::string& offset);

  /// Checks a librdkafka consumer setting (`properties` above) without connecting: Invalid with
  /// the reason (librdkafka's) when it does not know the key or refuses the value, or when the
  /// key is one the source sets itself to keep offsets in the checkpoint.
  static arrow::Status CheckProperty(const std::string& key, const std::string& value);

 private:
  class Client;
  KafkaSource(std::string name, KafkaSourceOptions options, std::unique_ptr<Client> client);

  std::string Format(const std::map<int32_t, int64_t>& positions) const;
  arrow::Result<std::map<int32_t, int64_t>> Parse(const std::string& offset) const;
  /// One row of the declared columns per message, parsed from its value (`parse` reads many
  /// values at once; a failure is retried value by value to name the message at fault).
  struct Message;
  arrow::Result<std::shared_ptr<arrow::Table>> ParseValues(const std::vector<Message>& messages) const;
  /// Per partition of the topic: its low and high watermarks.
  arrow::Result<std::map<int32_t, std::pair<int64_t, int64_t>>> Watermarks();
  /// Per partition, the first offset whose message is at or after starting_timestamp_ms.
  arrow::Result<std::map<int32_t, int64_t>> OffsetsForTime(
      const std::map<int32_t, std::pair<int64_t, int64_t>>& watermarks);

  std::string name_;
  KafkaSourceOptions options_;
  std::unique_ptr<Client> client_;
  std::shared_ptr<arrow::Schema> schema_;
  /// Available-now: per partition, the end of what it held when the run started.
  std::optional<std::map<int32_t, int64_t>> available_now_;
};

}  // namespace tidelake::stream
