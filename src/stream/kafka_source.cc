#include "stream/kafka_source.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/csv/api.h>
#include <arrow/io/memory.h>
#include <arrow/json/api.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/uuid.h"

namespace tidelake::stream {

namespace {

using nlohmann::json;

// Timestamps of `type` (with a time zone) from their text: with a zone offset as written (Z,
// +hh:mm, -hh:mm after the date), without one as UTC; an empty text is null.
arrow::Result<std::shared_ptr<arrow::Array>> TimestampsFromText(const arrow::ChunkedArray& text,
                                                                const std::shared_ptr<arrow::DataType>& type) {
  ARROW_ASSIGN_OR_RAISE(auto array, arrow::Concatenate(text.chunks()));
  const auto& strings = static_cast<const arrow::StringArray&>(*array);
  arrow::StringBuilder zoned;
  for (int64_t r = 0; r < strings.length(); ++r) {
    if (strings.IsNull(r) || strings.GetView(r).empty()) {
      ARROW_RETURN_NOT_OK(zoned.AppendNull());
      continue;
    }
    std::string value(strings.GetView(r));
    const bool has_offset =
        value.back() == 'Z' || value.back() == 'z' || value.find_first_of("+-", 10) != std::string::npos;
    ARROW_RETURN_NOT_OK(zoned.Append(has_offset ? value : value + "Z"));
  }
  ARROW_ASSIGN_OR_RAISE(auto with_zones, zoned.Finish());
  return arrow::compute::Cast(*with_zones, type);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct KafkaSource::Message {
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;  ///< nullopt: a tombstone
  std::optional<int64_t> timestamp_ms;
};

// One librdkafka consumer handle, used without a consumer group's rebalancing.
class KafkaSource::Client {
 public:
  ~Client() {
    if (rk_ != nullptr) {
      rd_kafka_consumer_close(rk_);
      rd_kafka_destroy(rk_);
    }
  }

  static arrow::Result<std::unique_ptr<Client>> Make(const KafkaSourceOptions& options) {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    std::map<std::string, std::string> settings = {
        {"bootstrap.servers", options.bootstrap_servers},
        {"group.id", "tidelake-" + RandomUuid()},  // required by the consumer API; never committed to
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"enable.partition.eof", "true"},
        {"auto.offset.reset", "earliest"},
    };
    for (const auto& [k, v] : options.properties) settings[k] = v;
    for (const auto& [k, v] : settings) {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return arrow::Status::Invalid("Kafka setting '", k, "': ", error);
      }
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
    if (rk == nullptr) {
      rd_kafka_conf_destroy(conf);
      return arrow::Status::IOError("cannot create a Kafka consumer: ", error);
    }
    rd_kafka_poll_set_consumer(rk);
    auto client = std::make_unique<Client>();
    client->rk_ = rk;
    return client;
  }

  rd_kafka_t* handle() const { return rk_; }

 private:
  rd_kafka_t* rk_ = nullptr;
};

KafkaSource::KafkaSource(std::string name, KafkaSourceOptions options, std::unique_ptr<Client> client)
    : name_(std::move(name)), options_(std::move(options)), client_(std::move(client)) {
  arrow::FieldVector fields = options_.value_schema->fields();
  fields.push_back(arrow::field("_key", arrow::utf8()));
  fields.push_back(arrow::field("_partition", arrow::int32(), /*nullable=*/false));
  fields.push_back(arrow::field("_offset", arrow::int64(), /*nullable=*/false));
  fields.push_back(arrow::field("_timestamp", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  schema_ = arrow::schema(std::move(fields));
}

KafkaSource::~KafkaSource() = default;

arrow::Status KafkaSource::CheckProperty(const std::string& key, const std::string& value) {
  if (key == "bootstrap.servers" || key == "enable.auto.commit" || key == "enable.auto.offset.store" ||
      key == "enable.partition.eof") {
    return arrow::Status::Invalid("tidelake sets '", key, "' itself (the offsets live in the query's checkpoint)");
  }
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const rd_kafka_conf_res_t result = rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error));
  rd_kafka_conf_destroy(conf);
  if (result != RD_KAFKA_CONF_OK) return arrow::Status::Invalid(error);
  return arrow::Status::OK();
}

arrow::Result<std::unique_ptr<KafkaSource>> KafkaSource::Make(std::string name, KafkaSourceOptions options) {
  if (options.bootstrap_servers.empty()) return arrow::Status::Invalid("Kafka source '", name, "' needs bootstrap servers");
  if (options.topic.empty()) return arrow::Status::Invalid("Kafka source '", name, "' needs a topic");
  if (!options.value_schema) return arrow::Status::Invalid("Kafka source '", name, "' needs its columns");
  if (options.starting_offsets != "earliest" && options.starting_offsets != "latest" &&
      options.starting_offsets != "offsets" && options.starting_offsets != "timestamp") {
    return arrow::Status::Invalid("Kafka source '", name,
                                  "': startingOffsets must be earliest, latest, offsets or timestamp, got '",
                                  options.starting_offsets, "'");
  }
  if (options.max_offsets_per_trigger && *options.max_offsets_per_trigger < 1) {
    return arrow::Status::Invalid("Kafka source '", name, "': maxOffsetsPerTrigger must be at least 1");
  }
  for (const auto& f : options.value_schema->fields()) {
    if (!f->name().empty() && f->name()[0] == '_' &&
        (f->name() == "_key" || f->name() == "_partition" || f->name() == "_offset" || f->name() == "_timestamp")) {
      return arrow::Status::Invalid("Kafka source '", name, "': column '", f->name(),
                                    "' is reserved for the message's metadata");
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto client, Client::Make(options));
  return std::unique_ptr<KafkaSource>(new KafkaSource(std::move(name), std::move(options), std::move(client)));
}

std::string KafkaSource::Format(const std::map<int32_t, int64_t>& positions) const {
  json partitions = json::object();
  for (const auto& [p, o] : positions) partitions[std::to_string(p)] = o;
  return json{{"topic", options_.topic}, {"partitions", partitions}}.dump();
}

arrow::Result<std::map<int32_t, int64_t>> KafkaSource::Positions(const std::string& offset) {
  json j = json::parse(offset, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("partitions") || !j["partitions"].is_object()) {
    return arrow::Status::Invalid("Kafka offset ", offset, " is not valid: no partitions");
  }
  std::map<int32_t, int64_t> out;
  for (const auto& [p, o] : j["partitions"].items()) {
    if (!o.is_number_integer() || p.empty() || p.find_first_not_of("0123456789") != std::string::npos) {
      return arrow::Status::Invalid("Kafka offset ", offset, " is not valid: partition ", p);
    }
    out[std::stoi(p)] = o.get<int64_t>();
  }
  return out;
}

arrow::Result<std::map<int32_t, int64_t>> KafkaSource::Parse(const std::string& offset) const {
  json j = json::parse(offset, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("topic") && j["topic"] != options_.topic) {
    return arrow::Status::Invalid("the checkpoint of Kafka source '", name_, "' is for topic ", j["topic"].dump(),
                                  ", not '", options_.topic, "'");
  }
  return Positions(offset);
}

arrow::Result<std::map<int32_t, std::pair<int64_t, int64_t>>> KafkaSource::Watermarks() {
  rd_kafka_t* rk = client_->handle();
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, options_.topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, topic, &metadata, static_cast<int>(options_.timeout_ms));
  rd_kafka_topic_destroy(topic);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return arrow::Status::IOError("Kafka source '", name_, "': cannot read the metadata of topic '", options_.topic,
                                  "' from ", options_.bootstrap_servers, ": ", rd_kafka_err2str(err));
  }
  std::vector<int32_t> partitions;
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    const auto& md = metadata->topics[t];
    if (options_.topic != md.topic) continue;
    topic_err = md.err;
    for (int p = 0; p < md.partition_cnt; ++p) partitions.push_back(md.partitions[p].id);
  }
  rd_kafka_metadata_destroy(metadata);
  if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR || partitions.empty()) {
    return arrow::Status::Invalid("Kafka source '", name_, "': topic '", options_.topic, "' does not exist on ",
                                  options_.bootstrap_servers,
                                  topic_err != RD_KAFKA_RESP_ERR_NO_ERROR ? std::string(" (") + rd_kafka_err2str(topic_err) + ")"
                                                                          : std::string());
  }
  std::map<int32_t, std::pair<int64_t, int64_t>> out;
  for (int32_t p : partitions) {
    int64_t low = 0, high = 0;
    err = rd_kafka_query_watermark_offsets(rk, options_.topic.c_str(), p, &low, &high,
                                           static_cast<int>(options_.timeout_ms));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return arrow::Status::IOError("Kafka source '", name_, "': cannot read the offsets of partition ", p, " of topic '",
                                    options_.topic, "': ", rd_kafka_err2str(err));
    }
    out[p] = {low, high};
  }
  return out;
}

arrow::Result<std::string> KafkaSource::InitialOffset() {
  ARROW_ASSIGN_OR_RAISE(auto watermarks, Watermarks());
  std::map<int32_t, int64_t> positions;
  for (const auto& [p, lh] : watermarks) positions[p] = options_.starting_offsets == "latest" ? lh.second : lh.first;
  if (options_.starting_offsets == "offsets") {
    for (const auto& [p, offset] : options_.starting_partition_offsets) {
      auto it = watermarks.find(p);
      if (it == watermarks.end()) {
        return arrow::Status::Invalid("Kafka source '", name_, "': topic '", options_.topic, "' has no partition ", p,
                                      " to start at offset ", offset);
      }
      const auto [low, high] = it->second;
      const int64_t at = offset == -2 ? low : offset == -1 ? high : offset;
      if (at < low || at > high) {
        return arrow::Status::Invalid("Kafka source '", name_, "': partition ", p, " of topic '", options_.topic,
                                      "' holds offsets ", low, " to ", high, "; it cannot start at ", offset);
      }
      positions[p] = at;
    }
  } else if (options_.starting_offsets == "timestamp") {
    ARROW_ASSIGN_OR_RAISE(auto at, OffsetsForTime(watermarks));
    for (const auto& [p, offset] : at) positions[p] = offset;
  }
  return Format(positions);
}

arrow::Result<std::map<int32_t, int64_t>> KafkaSource::OffsetsForTime(
    const std::map<int32_t, std::pair<int64_t, int64_t>>& watermarks) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(watermarks.size()));
  for (const auto& [p, lh] : watermarks) {
    rd_kafka_topic_partition_list_add(list, options_.topic.c_str(), p)->offset = options_.starting_timestamp_ms;
  }
  rd_kafka_resp_err_t err =
      rd_kafka_offsets_for_times(client_->handle(), list, static_cast<int>(options_.timeout_ms));
  std::map<int32_t, int64_t> out;
  for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) {
    const auto& found = list->elems[i];
    if (found.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      err = found.err;
      break;
    }
    // -1: no message at or after the time; the partition starts at its end.
    out[found.partition] = found.offset >= 0 ? found.offset : watermarks.at(found.partition).second;
  }
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return arrow::Status::IOError("Kafka source '", name_, "': cannot find the offsets of time ",
                                  options_.starting_timestamp_ms, " ms in topic '", options_.topic, "': ",
                                  rd_kafka_err2str(err));
  }
  return out;
}

arrow::Status KafkaSource::PrepareAvailableNow(const std::string&) {
  ARROW_ASSIGN_OR_RAISE(auto watermarks, Watermarks());
  available_now_.emplace();
  for (const auto& [p, lh] : watermarks) (*available_now_)[p] = lh.second;
  return arrow::Status::OK();
}

arrow::Result<std::optional<std::string>> KafkaSource::NextEnd(const std::string& start) {
  ARROW_ASSIGN_OR_RAISE(auto from, Parse(start));
  ARROW_ASSIGN_OR_RAISE(auto watermarks, Watermarks());
  std::map<int32_t, int64_t> end;
  int64_t available = 0;
  for (const auto& [p, lh] : watermarks) {
    auto it = from.find(p);
    const int64_t begin = it == from.end() ? lh.first : it->second;  // a new partition: from its start
    if (begin < lh.first) {
      return arrow::Status::Invalid("Kafka source '", name_, "': messages ", begin, " to ", lh.first - 1, " of partition ",
                                    p, " of topic '", options_.topic,
                                    "' were deleted (retention) before the query read them; nothing is read past a loss");
    }
    int64_t high = lh.second;
    if (available_now_) {  // a partition made since the run started holds nothing for it
      auto cap = available_now_->find(p);
      high = std::min(high, cap == available_now_->end() ? begin : cap->second);
    }
    end[p] = std::max(begin, high);
    available += end[p] - begin;
  }
  if (available == 0) return std::nullopt;
  if (options_.max_offsets_per_trigger && available > *options_.max_offsets_per_trigger) {
    // Share the budget in proportion to what each partition has, at least one message each.
    int64_t budget = *options_.max_offsets_per_trigger;
    const int64_t total = available;
    for (auto& [p, e] : end) {
      auto it = from.find(p);
      const int64_t begin = it == from.end() ? watermarks[p].first : it->second;
      const int64_t has = e - begin;
      if (has == 0) continue;
      int64_t take = std::max<int64_t>(1, has * *options_.max_offsets_per_trigger / total);
      take = std::min({take, has, budget});
      e = begin + take;
      budget -= take;
    }
  }
  for (const auto& [p, o] : from) {
    if (end.count(p) == 0) end[p] = o;  // keep partitions the metadata no longer lists
  }
  return Format(end);
}

arrow::Result<std::shared_ptr<arrow::Table>> KafkaSource::ParseValues(const std::vector<Message>& messages) const {
  const bool csv = options_.format == KafkaValueFormat::kCsv;
  const char* format = csv ? "CSV record" : "JSON object";
  // Many values at once: one per line (a CSV record or a JSON object may span lines).
  auto parse = [&](const std::string& lines) -> arrow::Result<std::shared_ptr<arrow::Table>> {
    auto input = std::make_shared<arrow::io::BufferReader>(arrow::Buffer::FromString(lines));
    if (csv) {
      auto read_options = arrow::csv::ReadOptions::Defaults();
      read_options.use_threads = false;
      read_options.column_names = options_.value_schema->field_names();
      auto parse_options = arrow::csv::ParseOptions::Defaults();
      parse_options.delimiter = options_.csv_delimiter;
      parse_options.newlines_in_values = true;
      auto convert_options = arrow::csv::ConvertOptions::Defaults();
      for (const auto& f : options_.value_schema->fields()) {
        // Arrow wants a zone offset in the text of a timestamp with a time zone; JSON values
        // (and Spark) read one without an offset as UTC. Such columns are read as text first.
        const bool zoned = f->type()->id() == arrow::Type::TIMESTAMP &&
                           !static_cast<const arrow::TimestampType&>(*f->type()).timezone().empty();
        convert_options.column_types[f->name()] = zoned ? arrow::utf8() : f->type();
      }
      ARROW_ASSIGN_OR_RAISE(auto reader, arrow::csv::TableReader::Make(arrow::io::default_io_context(), input,
                                                                       read_options, parse_options, convert_options));
      ARROW_ASSIGN_OR_RAISE(auto table, reader->Read());
      for (int i = 0; i < table->num_columns(); ++i) {
        const auto& field = options_.value_schema->field(i);
        if (table->column(i)->type()->Equals(*field->type())) continue;
        ARROW_ASSIGN_OR_RAISE(auto times, TimestampsFromText(*table->column(i), field->type()));
        ARROW_ASSIGN_OR_RAISE(table, table->SetColumn(i, field, std::make_shared<arrow::ChunkedArray>(times)));
      }
      return table;
    }
    auto read_options = arrow::json::ReadOptions::Defaults();
    read_options.use_threads = false;
    auto parse_options = arrow::json::ParseOptions::Defaults();
    parse_options.explicit_schema = options_.value_schema;
    parse_options.unexpected_field_behavior = arrow::json::UnexpectedFieldBehavior::Ignore;
    parse_options.newlines_in_values = true;
    ARROW_ASSIGN_OR_RAISE(auto reader, arrow::json::TableReader::Make(arrow::default_memory_pool(), input, read_options,
                                                                      parse_options));
    return reader->Read();
  };
  // Tombstones are not parsed: they take a null row (a null index of the Take below).
  std::string lines;
  std::vector<const Message*> parsed_messages;
  arrow::Int64Builder rows;
  for (const auto& m : messages) {
    if (!m.value) {
      ARROW_RETURN_NOT_OK(rows.AppendNull());
      continue;
    }
    if (m.value->find_first_not_of(" \t\r\n") == std::string::npos) {
      return arrow::Status::Invalid("Kafka source '", name_, "': the message at partition ", m.partition, " offset ",
                                    m.offset, " of topic '", options_.topic, "' has an empty value, not a ", format);
    }
    ARROW_RETURN_NOT_OK(rows.Append(static_cast<int64_t>(parsed_messages.size())));
    parsed_messages.push_back(&m);
    lines += *m.value;
    lines += '\n';
  }
  const auto expected = static_cast<int64_t>(parsed_messages.size());
  auto parsed = parsed_messages.empty() ? arrow::Table::MakeEmpty(options_.value_schema) : parse(lines);
  if (!parsed.ok() || (*parsed)->num_rows() != expected) {
    // Find the message at fault, to name it.
    for (const Message* m : parsed_messages) {
      auto one = parse(*m->value + "\n");
      if (!one.ok() || (*one)->num_rows() != 1) {
        return arrow::Status::Invalid("Kafka source '", name_, "': the message at partition ", m->partition, " offset ",
                                      m->offset, " of topic '", options_.topic, "' is not a ", format,
                                      " with the columns ", options_.value_schema->ToString(/*show_metadata=*/false),
                                      ": ", one.ok() ? "it holds several values" : one.status().message());
      }
    }
    return parsed.ok() ? arrow::Status::Invalid("Kafka source '", name_, "': the values gave ", (*parsed)->num_rows(),
                                                 " rows for ", expected, " messages")
                       : parsed.status();
  }
  if (expected == static_cast<int64_t>(messages.size())) return *parsed;
  ARROW_ASSIGN_OR_RAISE(auto indices, rows.Finish());
  ARROW_ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(*parsed, indices));
  return taken.table();
}

arrow::Result<std::shared_ptr<arrow::Table>> KafkaSource::Read(const std::string& start, const std::string& end) {
  ARROW_ASSIGN_OR_RAISE(auto from, Parse(start));
  ARROW_ASSIGN_OR_RAISE(auto to, Parse(end));
  rd_kafka_t* rk = client_->handle();
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(static_cast<int>(to.size()));
  std::map<int32_t, int64_t> next;  // per partition still to read: the next offset expected
  for (const auto& [p, e] : to) {
    auto it = from.find(p);
    const int64_t b = it == from.end() ? 0 : it->second;
    if (e <= b) continue;
    rd_kafka_topic_partition_list_add(assignment, options_.topic.c_str(), p)->offset = b;
    next[p] = b;
  }
  std::vector<Message> messages;
  if (!next.empty()) {
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return arrow::Status::IOError("Kafka source '", name_, "': cannot assign partitions: ", rd_kafka_err2str(err));
    }
    int64_t deadline = NowMs() + options_.timeout_ms;
    arrow::Status status;
    while (!next.empty() && status.ok()) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
      if (m == nullptr) {
        if (NowMs() > deadline) {
          const auto& [p, o] = *next.begin();
          status = arrow::Status::IOError("Kafka source '", name_, "': timed out reading partition ", p, " of topic '",
                                          options_.topic, "' at offset ", o, " (the batch needs up to offset ",
                                          to[p] - 1, ")");
        }
        continue;
      }
      deadline = NowMs() + options_.timeout_ms;
      const int32_t p = m->partition;
      auto it = next.find(p);
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        // The partition holds nothing more: offsets past its end were compacted or aborted.
        if (it != next.end() && m->offset >= to[p]) next.erase(it);
      } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        status = arrow::Status::IOError("Kafka source '", name_, "': reading topic '", options_.topic, "': ",
                                        rd_kafka_message_errstr(m));
      } else if (it != next.end() && m->offset < to[p]) {
        Message message;
        message.partition = p;
        message.offset = m->offset;
        if (m->key != nullptr) message.key = std::string(static_cast<const char*>(m->key), m->key_len);
        if (m->payload != nullptr) message.value = std::string(static_cast<const char*>(m->payload), m->len);
        rd_kafka_timestamp_type_t type;
        const int64_t ts = rd_kafka_message_timestamp(m, &type);
        if (type != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && ts >= 0) message.timestamp_ms = ts;
        messages.push_back(std::move(message));
        it->second = m->offset + 1;
        if (it->second >= to[p]) next.erase(it);
      } else if (it != next.end() && m->offset >= to[p]) {
        next.erase(it);
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(rk, nullptr);
    ARROW_RETURN_NOT_OK(status);
  } else {
    rd_kafka_topic_partition_list_destroy(assignment);
  }
  // The same rows in the same order on every read of this range.
  std::sort(messages.begin(), messages.end(), [](const Message& a, const Message& b) {
    return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
  });

  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Table> values, ParseValues(messages));
  ARROW_ASSIGN_OR_RAISE(values, values->CombineChunks());

  arrow::StringBuilder keys;
  arrow::Int32Builder partitions;
  arrow::Int64Builder offsets;
  arrow::TimestampBuilder timestamps(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), arrow::default_memory_pool());
  for (const auto& m : messages) {
    ARROW_RETURN_NOT_OK(m.key ? keys.Append(*m.key) : keys.AppendNull());
    ARROW_RETURN_NOT_OK(partitions.Append(m.partition));
    ARROW_RETURN_NOT_OK(offsets.Append(m.offset));
    ARROW_RETURN_NOT_OK(m.timestamp_ms ? timestamps.Append(*m.timestamp_ms * 1000) : timestamps.AppendNull());
  }
  arrow::ChunkedArrayVector columns = values->columns();
  for (arrow::ArrayBuilder* b : std::initializer_list<arrow::ArrayBuilder*>{&keys, &partitions, &offsets, &timestamps}) {
    ARROW_ASSIGN_OR_RAISE(auto array, b->Finish());
    columns.push_back(std::make_shared<arrow::ChunkedArray>(array));
  }
  return arrow::Table::Make(schema_, std::move(columns), static_cast<int64_t>(messages.size()));
}

}  // namespace tidelake::stream
