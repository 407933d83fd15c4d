#include "stream/source_factory.h"

#include <arrow/api.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <optional>
#include <string_view>

#include "common/strings.h"
#include "io/filesystem.h"
#include "plan/functions.h"
#include "stream/connector_options.h"
#include "stream/delta_change_source.h"
#include "stream/delta_source.h"
#include "stream/file_source.h"
#include "stream/generators/ecommerce_source.h"
#include "stream/generators/nexmark_source.h"
#include "stream/kafka_source.h"
#include "stream/sink_factory.h"

namespace tidelake::stream {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// ---- kafka

arrow::FieldVector KafkaMetadataColumns() {
  return {arrow::field("_key", arrow::utf8()), arrow::field("_partition", arrow::int32(), /*nullable=*/false),
          arrow::field("_offset", arrow::int64(), /*nullable=*/false),
          arrow::field("_timestamp", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"))};
}

// Flink's scan.startup.specific-offsets: "partition:0,offset:42;partition:1,offset:300".
std::optional<std::map<int32_t, int64_t>> ParseFlinkOffsets(const std::string& text) {
  std::map<int32_t, int64_t> out;
  size_t at = 0;
  while (at <= text.size()) {
    const size_t end = std::min(text.find(';', at), text.size());
    const std::string entry = text.substr(at, end - at);
    int32_t partition = 0;
    int64_t offset = 0;
    const size_t comma = entry.find(',');
    if (comma == std::string::npos || !StartsWith(entry, "partition:") ||
        !StartsWith(std::string_view(entry).substr(comma + 1), "offset:")) {
      return std::nullopt;
    }
    auto [p_end, p_error] = std::from_chars(entry.data() + 10, entry.data() + comma, partition);
    auto [o_end, o_error] = std::from_chars(entry.data() + comma + 8, entry.data() + entry.size(), offset);
    if (p_error != std::errc() || p_end != entry.data() + comma || o_error != std::errc() ||
        o_end != entry.data() + entry.size() || partition < 0 || offset < 0 || !out.emplace(partition, offset).second) {
      return std::nullopt;
    }
    at = end + 1;
  }
  return out;
}

// Spark's startingOffsets JSON: {"topic": {"0": 23, "1": -2}} (-2 earliest, -1 latest).
std::optional<std::map<int32_t, int64_t>> ParseSparkOffsets(const std::string& text, const std::string& topic) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || j.size() != 1 || !j.contains(topic) || !j[topic].is_object()) {
    return std::nullopt;
  }
  std::map<int32_t, int64_t> out;
  for (const auto& [key, value] : j[topic].items()) {
    int32_t partition = 0;
    auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), partition);
    if (error != std::errc() || end != key.data() + key.size() || partition < 0 || !value.is_number_integer() ||
        value.get<int64_t>() < -2) {
      return std::nullopt;
    }
    out[partition] = value.get<int64_t>();
  }
  return out;
}

// The KafkaSourceOptions `source` asks for: Flink's and Spark's option names, one meaning each.
arrow::Result<KafkaSourceOptions> KafkaOptionsOf(const catalog::SourceDefinition& source, std::string* bad_option) {
  ConnectorOptions options(source, "Kafka", bad_option);
  KafkaSourceOptions out;
  out.value_schema = source.columns;
  ARROW_ASSIGN_OR_RAISE(auto topic, options.Text({"topic", "subscribe"}));
  ARROW_ASSIGN_OR_RAISE(auto servers, options.Text({"properties.bootstrap.servers", "kafka.bootstrap.servers"}));
  ARROW_ASSIGN_OR_RAISE(auto format, options.Choice({"format", "value.format"}, {"json", "csv"}));
  ARROW_ASSIGN_OR_RAISE(auto delimiter, options.Character({"csv.field-delimiter"}));
  ARROW_ASSIGN_OR_RAISE(auto flink_mode, options.Choice({"scan.startup.mode"}, {"earliest-offset", "latest-offset",
                                                                                "specific-offsets", "timestamp",
                                                                                "group-offsets"}));
  ARROW_ASSIGN_OR_RAISE(auto spark_offsets, options.Text({"startingOffsets"}));
  ARROW_ASSIGN_OR_RAISE(auto flink_offsets, options.Text({"scan.startup.specific-offsets"}));
  ARROW_ASSIGN_OR_RAISE(auto timestamp, options.Integer({"scan.startup.timestamp-millis", "startingTimestamp"}, 0));
  ARROW_ASSIGN_OR_RAISE(out.max_offsets_per_trigger, options.Integer({"maxOffsetsPerTrigger"}, 1));
  ARROW_ASSIGN_OR_RAISE(auto fail_on_data_loss, options.Text({"failOnDataLoss"}));
  ARROW_ASSIGN_OR_RAISE(auto ignore_errors, options.Text({"json.ignore-parse-errors", "csv.ignore-parse-errors"}));
  ARROW_RETURN_NOT_OK(options.IdleTimeoutMillis().status());
  // After the settings named properties.* or kafka.* themselves.
  const auto properties = options.WithPrefix({"properties.", "kafka."}, "properties.* | kafka.*");
  ARROW_RETURN_NOT_OK(options.Finish());

  const std::string name = source.name.ToString();
  if (!topic) return arrow::Status::Invalid("Kafka source '", name, "' needs topic = '...' (or subscribe)");
  if (topic->empty() || topic->find_first_of(",;") != std::string::npos) {
    return options.Invalid({"topic", "subscribe"}, "must name one topic, got '", *topic, "'");
  }
  out.topic = *topic;
  if (!servers) {
    return arrow::Status::Invalid("Kafka source '", name,
                                  "' needs 'properties.bootstrap.servers' = 'host:port' (or kafka.bootstrap.servers)");
  }
  if (servers->empty()) {
    return options.Invalid({"properties.bootstrap.servers", "kafka.bootstrap.servers"},
                           "must name at least one broker (host:port)");
  }
  out.bootstrap_servers = *servers;
  for (const auto& property : properties) {
    auto checked = KafkaSource::CheckProperty(property.rest, property.value);
    if (!checked.ok()) {
      if (bad_option != nullptr) *bad_option = property.key;
      return arrow::Status::Invalid("option '", property.key, "' of Kafka source '", name,
                                    "' is refused: ", checked.message());
    }
    // librdkafka's setting names are lower case, as Kafka's are.
    out.properties[property.rest] = property.value;
  }
  out.format = format == "csv" ? KafkaValueFormat::kCsv : KafkaValueFormat::kJson;
  if (delimiter) {
    if (out.format != KafkaValueFormat::kCsv) {
      return options.Invalid({"csv.field-delimiter"}, "applies to format 'csv' only");
    }
    out.csv_delimiter = *delimiter;
  }

  // Where a new query starts: Flink's scan.startup.* or Spark's startingOffsets / startingTimestamp.
  if (flink_mode && spark_offsets) {
    return options.Invalid({"startingOffsets"}, "sets what option 'scan.startup.mode' already sets");
  }
  auto needs = [&](ConnectorOptions::Names names, const char* mode) {
    return options.Invalid(names, "applies to ", mode, " only");
  };
  if (flink_offsets && flink_mode != "specific-offsets") {
    return needs({"scan.startup.specific-offsets"}, "scan.startup.mode = 'specific-offsets'");
  }
  if (flink_mode == "group-offsets") {
    return options.Invalid({"scan.startup.mode"}, "cannot be 'group-offsets': a source's offsets live in the query's "
                                                  "checkpoint, never in a consumer group");
  } else if (flink_mode == "earliest-offset" || flink_mode == "latest-offset") {
    out.starting_offsets = flink_mode == "earliest-offset" ? "earliest" : "latest";
  } else if (flink_mode == "specific-offsets") {
    if (!flink_offsets) {
      return options.Invalid({"scan.startup.mode"},
                             "'specific-offsets' needs 'scan.startup.specific-offsets' = 'partition:0,offset:42;...'");
    }
    auto offsets = ParseFlinkOffsets(*flink_offsets);
    if (!offsets) {
      return options.Invalid({"scan.startup.specific-offsets"},
                             "must be 'partition:<n>,offset:<n>' entries separated by ';', got '", *flink_offsets, "'");
    }
    out.starting_offsets = "offsets";
    out.starting_partition_offsets = std::move(*offsets);
  } else if (spark_offsets) {
    const std::string lower = Lower(*spark_offsets);
    if (lower == "earliest" || lower == "latest") {
      out.starting_offsets = lower;
    } else {
      auto offsets = ParseSparkOffsets(*spark_offsets, out.topic);
      if (!offsets) {
        return options.Invalid({"startingOffsets"}, "must be 'earliest', 'latest' or JSON such as {\"", out.topic,
                               "\": {\"0\": 23, \"1\": -2}} (-2: earliest, -1: latest), got '", *spark_offsets, "'");
      }
      out.starting_offsets = "offsets";
      out.starting_partition_offsets = std::move(*offsets);
    }
  }
  // Spark's startingTimestamp wins over startingOffsets, as in Spark; Flink's needs its mode.
  if (flink_mode == "timestamp" && !timestamp) {
    return options.Invalid({"scan.startup.mode"}, "'timestamp' needs 'scan.startup.timestamp-millis' = <ms>");
  }
  if (timestamp) {
    if (flink_mode && flink_mode != "timestamp") {
      return needs({"scan.startup.timestamp-millis", "startingTimestamp"}, "scan.startup.mode = 'timestamp'");
    }
    out.starting_offsets = "timestamp";
    out.starting_timestamp_ms = *timestamp;
  }

  if (fail_on_data_loss && Lower(*fail_on_data_loss) != "true") {
    return options.Invalid({"failOnDataLoss"},
                           "must be 'true': a Kafka source always fails when messages it has not read were deleted");
  }
  if (ignore_errors) {
    return options.Invalid({"json.ignore-parse-errors", "csv.ignore-parse-errors"},
                           "is not supported: a message that does not parse fails the query, naming its partition and "
                           "offset, rather than being dropped unseen");
  }
  if (!source.columns || source.columns->num_fields() == 0) {
    return arrow::Status::Invalid("Kafka source '", name, "' needs its columns");
  }
  for (const auto& field : source.columns->fields()) {
    for (const auto& metadata : KafkaMetadataColumns()) {
      if (Lower(field->name()) == metadata->name()) {
        return arrow::Status::Invalid("Kafka source '", name, "': column '", field->name(),
                                      "' is reserved for the message's metadata");
      }
    }
    if (out.format == KafkaValueFormat::kCsv && arrow::is_nested(field->type()->id())) {
      return arrow::Status::Invalid("Kafka source '", name, "': a CSV record cannot hold column '", field->name(),
                                    "' of type ", field->type()->ToString(), "; use format 'json'");
    }
  }
  return out;
}

arrow::Status CheckKafka(const catalog::SourceDefinition& source, std::string* bad_option) {
  return KafkaOptionsOf(source, bad_option).status();
}

arrow::Result<std::unique_ptr<Source>> MakeKafka(const catalog::SourceDefinition& source, std::string name) {
  ARROW_ASSIGN_OR_RAISE(auto options, KafkaOptionsOf(source, nullptr));
  ARROW_ASSIGN_OR_RAISE(auto kafka, KafkaSource::Make(std::move(name), std::move(options)));
  return std::unique_ptr<Source>(std::move(kafka));
}

// ---- files

arrow::Result<FileSourceOptions> FileOptionsOf(const catalog::SourceDefinition& source, std::string* bad_option) {
  ConnectorOptions options(source, "files", bad_option);
  FileSourceOptions out;
  out.schema = source.columns;
  ARROW_ASSIGN_OR_RAISE(auto path, options.Text({"path"}));
  ARROW_ASSIGN_OR_RAISE(auto format, options.Choice({"format"}, {"csv", "json", "parquet"}));
  ARROW_ASSIGN_OR_RAISE(auto header, options.Boolean({"header"}));
  ARROW_ASSIGN_OR_RAISE(auto delimiter, options.Character({"sep", "delimiter", "csv.field-delimiter"}));
  ARROW_ASSIGN_OR_RAISE(out.max_files_per_trigger, options.Integer({"maxFilesPerTrigger"}, 1));
  ARROW_ASSIGN_OR_RAISE(auto glob, options.Text({"pathGlobFilter"}));
  ARROW_ASSIGN_OR_RAISE(auto min_age, options.DurationMillis({"minFileAge"}));
  ARROW_ASSIGN_OR_RAISE(out.max_file_age_ms, options.DurationMillis({"maxFileAge"}));
  ARROW_RETURN_NOT_OK(options.IdleTimeoutMillis().status());
  ARROW_RETURN_NOT_OK(options.Finish());

  if (!path || path->empty()) return options.SourceInvalid("needs path = '<directory>'");
  out.path = *path;
  if (!format) return options.SourceInvalid("needs format = 'csv', 'json' or 'parquet'");
  out.format = *format == "csv" ? plan::FileFormat::kCsv
               : *format == "json" ? plan::FileFormat::kJson
                                   : plan::FileFormat::kParquet;
  if (out.format != plan::FileFormat::kCsv) {
    if (header) return options.Invalid({"header"}, "applies to format 'csv' only");
    if (delimiter) return options.Invalid({"sep", "delimiter", "csv.field-delimiter"}, "applies to format 'csv' only");
  }
  out.csv_header = header.value_or(true);
  out.csv_delimiter = delimiter.value_or(',');
  out.path_glob_filter = glob.value_or("");
  out.min_file_age_ms = min_age.value_or(0);
  if (out.max_file_age_ms && *out.max_file_age_ms < 1) {
    return options.Invalid({"maxFileAge"}, "must be at least one millisecond");
  }
  return out;
}

arrow::Status CheckFiles(const catalog::SourceDefinition& source, std::string* bad_option) {
  return FileOptionsOf(source, bad_option).status();
}

arrow::Result<std::unique_ptr<Source>> MakeFiles(const catalog::SourceDefinition& source, std::string name) {
  ARROW_ASSIGN_OR_RAISE(auto options, FileOptionsOf(source, nullptr));
  ARROW_ASSIGN_OR_RAISE(auto files, FileSource::Make(std::move(name), std::move(options)));
  return std::unique_ptr<Source>(std::move(files));
}

// ---- generators (nexmark, ecommerce)

// The settings every generator takes (generator_source.h).
arrow::Result<GeneratorOptions> GeneratorOptionsOf(ConnectorOptions& options) {
  GeneratorOptions out;
  ARROW_ASSIGN_OR_RAISE(auto seed, options.Integer({"seed"}, 0));
  out.seed = static_cast<uint64_t>(seed.value_or(0));
  ARROW_ASSIGN_OR_RAISE(auto rate, options.Number({"rate", "first-event.rate"}, 1e-3, 1e12));
  if (rate) out.events_per_second = *rate;
  ARROW_ASSIGN_OR_RAISE(out.event_count, options.Integer({"events.num"}, 0));
  ARROW_ASSIGN_OR_RAISE(out.rate_limited, options.Boolean({"rate-limited"}));
  ARROW_ASSIGN_OR_RAISE(out.max_events_per_trigger, options.Integer({"max-events-per-trigger"}, 1));
  ARROW_ASSIGN_OR_RAISE(out.base_time_ms, options.TimestampMillis({"base-time"}));
  ARROW_ASSIGN_OR_RAISE(auto ooo_fraction, options.Number({"out-of-order.fraction"}, 0, 1));
  ARROW_ASSIGN_OR_RAISE(auto ooo_delay, options.DurationMillis({"out-of-order.max-delay"}));
  ARROW_ASSIGN_OR_RAISE(auto late_fraction, options.Number({"late.fraction"}, 0, 1));
  ARROW_ASSIGN_OR_RAISE(auto lateness, options.DurationMillis({"late.lateness"}));
  ARROW_ASSIGN_OR_RAISE(auto late_delay, options.DurationMillis({"late.max-delay"}));
  out.out_of_order_fraction = ooo_fraction.value_or(0);
  out.max_out_of_order_ms = ooo_delay.value_or(0);
  out.late_fraction = late_fraction.value_or(0);
  out.lateness_ms = lateness.value_or(0);
  out.max_late_delay_ms = late_delay.value_or(0);
  return out;
}

// ---- declared columns: some of a generator's or a table's, by name

// The field of struct type `type` called `name` (any case), or -1.
int FieldIndex(const arrow::DataType& type, const std::string& name) {
  for (int i = 0; i < type.num_fields(); ++i) {
    if (Lower(type.field(i)->name()) == Lower(name)) return i;
  }
  return -1;
}

// Whether values of type `have` can be read as type `want` as they are: the same type up to
// the names' case and the nullability of nested fields, where a struct may be declared with some
// of its fields (what a declared STRUCT<..> may differ in from the generator's).
bool Conforms(const arrow::DataType& have, const arrow::DataType& want) {
  if (have.id() != want.id()) return false;
  if (have.id() == arrow::Type::STRUCT) {
    for (const auto& field : want.fields()) {
      const int i = FieldIndex(have, field->name());
      if (i < 0 || !Conforms(*have.field(i)->type(), *field->type())) return false;
    }
    return want.num_fields() > 0;
  }
  if (have.num_fields() != want.num_fields()) return false;
  if (have.num_fields() == 0) return have.Equals(want);
  for (int i = 0; i < have.num_fields(); ++i) {
    if (!Conforms(*have.field(i)->type(), *want.field(i)->type())) return false;
  }
  return true;
}

// `data` (which Conforms to `type`) as `type`: the same buffers, a struct's declared fields.
std::shared_ptr<arrow::ArrayData> Conformed(const std::shared_ptr<arrow::ArrayData>& data,
                                            const std::shared_ptr<arrow::DataType>& type) {
  auto out = data->Copy();
  out->type = type;
  if (type->id() == arrow::Type::STRUCT) {
    out->child_data.clear();
    for (const auto& field : type->fields()) {
      const int i = FieldIndex(*data->type, field->name());
      out->child_data.push_back(Conformed(data->child_data[static_cast<size_t>(i)], field->type()));
    }
    return out;
  }
  for (size_t i = 0; i < out->child_data.size(); ++i) {
    out->child_data[i] = Conformed(out->child_data[i], type->field(static_cast<int>(i))->type());
  }
  return out;
}

// The source's own column each declared column reads (its index in `own`: a generator's or a
// Delta table's columns), checked.
arrow::Result<std::vector<int>> DeclaredColumnIndices(const catalog::SourceDefinition& source,
                                                      const arrow::Schema& own, const std::string& what) {
  std::vector<int> indices;
  for (const auto& declared : source.columns->fields()) {
    int found = -1;
    for (int i = 0; i < own.num_fields(); ++i) {
      if (Lower(own.field(i)->name()) == Lower(declared->name())) found = i;
    }
    auto columns = [&] {
      std::string listed;
      for (const auto& f : own.fields()) {
        listed += (listed.empty() ? "" : ", ") + f->name() + " " + plan::SqlTypeName(*f->type());
      }
      return listed;
    };
    if (found < 0) {
      return arrow::Status::Invalid(what, " source '", source.name.ToString(), "' has no column '", declared->name(),
                                    "' (its columns: ", columns(), ")");
    }
    const auto& field = own.field(found);
    if (!Conforms(*field->type(), *declared->type())) {
      return arrow::Status::Invalid(what, " source '", source.name.ToString(), "': column '", declared->name(),
                                    "' is declared ", plan::SqlTypeName(*declared->type()), " but holds ",
                                    plan::SqlTypeName(*field->type()));
    }
    if (!declared->nullable() && field->nullable()) {
      return arrow::Status::Invalid(what, " source '", source.name.ToString(), "': column '", declared->name(),
                                    "' is declared NOT NULL but may be null");
    }
    indices.push_back(found);
  }
  return indices;
}

// A source's rows as the declared columns, then its metadata columns: those of its columns, in
// that order, with the declared names and types (a generator's or a table's columns, of which
// a declaration names some).
class DeclaredColumnsSource : public Source {
 public:
  DeclaredColumnsSource(std::unique_ptr<Source> inner, std::shared_ptr<arrow::Schema> schema, std::vector<int> indices)
      : inner_(std::move(inner)), schema_(std::move(schema)), indices_(std::move(indices)) {}

  const std::string& name() const override { return inner_->name(); }
  const std::shared_ptr<arrow::Schema>& schema() const override { return schema_; }
  arrow::Result<std::string> InitialOffset() override { return inner_->InitialOffset(); }
  arrow::Result<std::optional<std::string>> NextEnd(const std::string& start) override {
    return inner_->NextEnd(start);
  }
  arrow::Status PrepareAvailableNow(const std::string& start) override { return inner_->PrepareAvailableNow(start); }
  void ReadAhead(const std::string& start, std::chrono::steady_clock::time_point until) override {
    inner_->ReadAhead(start, until);
  }
  // The inner source's columns behind the declared ones read, by the inner source's names.
  void ReadOnly(const ColumnSubset& read) override {
    ColumnSubset inner_read;
    for (size_t i = 0; i < indices_.size(); ++i) {
      const std::string& declared = schema_->field(static_cast<int>(i))->name();
      if (read.columns.count(declared) == 0) continue;
      const auto& inner_field = *inner_->schema()->field(indices_[i]);
      inner_read.columns.insert(inner_field.name());
      if (auto fields = read.struct_fields.find(declared); fields != read.struct_fields.end()) {
        auto& inner_fields = inner_read.struct_fields[inner_field.name()];
        for (const auto& name : fields->second) {
          const int k = FieldIndex(*inner_field.type(), name);
          if (k >= 0) inner_fields.insert(inner_field.type()->field(k)->name());
        }
      }
    }
    inner_->ReadOnly(inner_read);
  }
  arrow::Result<std::shared_ptr<arrow::Table>> Read(const std::string& start, const std::string& end) override {
    ARROW_ASSIGN_OR_RAISE(auto rows, inner_->Read(start, end));
    arrow::ChunkedArrayVector columns;
    for (size_t i = 0; i < indices_.size(); ++i) {
      const auto& type = schema_->field(static_cast<int>(i))->type();
      arrow::ArrayVector chunks;
      for (const auto& chunk : rows->column(indices_[i])->chunks()) {
        chunks.push_back(arrow::MakeArray(Conformed(chunk->data(), type)));
      }
      columns.push_back(std::make_shared<arrow::ChunkedArray>(std::move(chunks), type));
    }
    return arrow::Table::Make(schema_, std::move(columns), rows->num_rows());
  }

 private:
  std::unique_ptr<Source> inner_;
  std::shared_ptr<arrow::Schema> schema_;
  std::vector<int> indices_;
};

arrow::Result<std::unique_ptr<Source>> WithDeclaredColumns(const catalog::SourceDefinition& source,
                                                           std::unique_ptr<Source> inner, const std::string& what,
                                                           const arrow::FieldVector& metadata = {}) {
  const arrow::Schema& has = *inner->schema();
  ARROW_ASSIGN_OR_RAISE(auto indices, DeclaredColumnIndices(source, has, what));
  arrow::FieldVector fields = source.columns->fields();
  for (const auto& field : metadata) {
    const int i = has.GetFieldIndex(field->name());
    if (i < 0) {
      return arrow::Status::Invalid("internal error: ", what, " source '", source.name.ToString(),
                                    "' reads no column ", field->name());
    }
    indices.push_back(i);
    fields.push_back(field);
  }
  return std::unique_ptr<Source>(
      std::make_unique<DeclaredColumnsSource>(std::move(inner), arrow::schema(std::move(fields)), std::move(indices)));
}

// ---- delta: a Delta table as a stream (Spark's readStream.format("delta") options)

bool ReadsChangeFeed(const catalog::SourceDefinition& source) {
  for (const auto& [key, value] : source.options) {
    if (Lower(key) == "readchangefeed") return Lower(value) == "true";
  }
  return false;
}

arrow::FieldVector DeltaMetadataColumns(const catalog::SourceDefinition& source) {
  return ReadsChangeFeed(source) ? DeltaChangeSource::ChangeColumns() : arrow::FieldVector{};
}

struct DeltaConnectorOptions {
  std::string path;
  bool change_feed = false;
  DeltaSourceOptions table;
  DeltaChangeSourceOptions changes;
};

arrow::Result<DeltaConnectorOptions> DeltaOptionsOf(const catalog::SourceDefinition& source,
                                                    std::string* bad_option) {
  ConnectorOptions options(source, "delta", bad_option);
  DeltaConnectorOptions out;
  ARROW_ASSIGN_OR_RAISE(auto path, options.Text({"path"}));
  ARROW_ASSIGN_OR_RAISE(auto change_feed, options.Boolean({"readChangeFeed"}));
  ARROW_ASSIGN_OR_RAISE(auto version, options.Integer({"startingVersion"}, 0));
  ARROW_ASSIGN_OR_RAISE(auto timestamp, options.TimestampMillis({"startingTimestamp"}));
  ARROW_ASSIGN_OR_RAISE(auto max_files, options.Integer({"maxFilesPerTrigger"}, 1));
  ARROW_ASSIGN_OR_RAISE(auto max_bytes, options.Integer({"maxBytesPerTrigger"}, 1));
  ARROW_ASSIGN_OR_RAISE(auto ignore_deletes, options.Boolean({"ignoreDeletes"}));
  ARROW_ASSIGN_OR_RAISE(auto ignore_changes, options.Boolean({"ignoreChanges"}));
  ARROW_RETURN_NOT_OK(options.IdleTimeoutMillis().status());
  ARROW_RETURN_NOT_OK(options.Finish());
  if (!path || path->empty()) return options.SourceInvalid("needs path = '<the table's directory or URI>'");
  out.path = *path;
  out.change_feed = change_feed.value_or(false);
  if (version && timestamp) {
    return options.Invalid({"startingTimestamp"}, "cannot be given with option 'startingVersion'");
  }
  if (out.change_feed) {
    // Every change is read; what the others filter or bound does not apply.
    if (timestamp) return options.Invalid({"startingTimestamp"}, "applies without readChangeFeed only; use startingVersion");
    if (max_bytes) return options.Invalid({"maxBytesPerTrigger"}, "applies without readChangeFeed only");
    if (ignore_deletes) return options.Invalid({"ignoreDeletes"}, "applies without readChangeFeed only");
    if (ignore_changes) return options.Invalid({"ignoreChanges"}, "applies without readChangeFeed only");
    out.changes.starting_version = version;
    if (max_files) out.changes.max_versions_per_trigger = *max_files;
    return out;
  }
  out.table.starting_version = version;
  out.table.starting_timestamp_ms = timestamp;
  if (max_files) out.table.max_files_per_trigger = *max_files;
  out.table.max_bytes_per_trigger = max_bytes;
  out.table.ignore_deletes = ignore_deletes.value_or(false);
  out.table.ignore_changes = ignore_changes.value_or(false);
  return out;
}

arrow::Status CheckDelta(const catalog::SourceDefinition& source, std::string* bad_option) {
  return DeltaOptionsOf(source, bad_option).status();
}

arrow::Result<std::unique_ptr<Source>> MakeDelta(const catalog::SourceDefinition& source, std::string name) {
  ARROW_ASSIGN_OR_RAISE(auto options, DeltaOptionsOf(source, nullptr));
  ARROW_ASSIGN_OR_RAISE(auto where, io::ResolveLocation(options.path));
  delta::TableLocation location{where.fs, where.path, options.path};
  std::unique_ptr<Source> inner;
  if (options.change_feed) {
    ARROW_ASSIGN_OR_RAISE(auto changes, DeltaChangeSource::Make(name, std::move(location), options.changes));
    inner = std::move(changes);
  } else {
    ARROW_ASSIGN_OR_RAISE(auto table, DeltaSource::Make(name, std::move(location), options.table));
    inner = std::move(table);
  }
  return WithDeclaredColumns(source, std::move(inner), "delta", DeltaMetadataColumns(source));
}

// ---- nexmark: Flink's NEXMark connector's option names where it has them
arrow::Result<std::unique_ptr<Source>> MakeNexmarkSource(const catalog::SourceDefinition& source, std::string name,
                                                         std::string* bad_option) {
  ConnectorOptions options(source, "nexmark", bad_option);
  NexmarkOptions nexmark;
  ARROW_ASSIGN_OR_RAISE(nexmark.generator, GeneratorOptionsOf(options));
  ARROW_ASSIGN_OR_RAISE(auto table, options.Choice({"table"}, {"events", "person", "auction", "bid"}));
  nexmark.table = table == "person"    ? NexmarkTable::kPerson
                  : table == "auction" ? NexmarkTable::kAuction
                  : table == "bid"     ? NexmarkTable::kBid
                                       : NexmarkTable::kEvents;
  ARROW_ASSIGN_OR_RAISE(auto person, options.Integer({"person.proportion"}, 1));
  ARROW_ASSIGN_OR_RAISE(auto auction, options.Integer({"auction.proportion"}, 1));
  ARROW_ASSIGN_OR_RAISE(auto bid, options.Integer({"bid.proportion"}, 1));
  // NexmarkSource::Make refuses proportions adding up to more than a million.
  auto proportion = [](int64_t n) { return static_cast<int>(std::min<int64_t>(n, 1000000)); };
  if (person) nexmark.person_proportion = proportion(*person);
  if (auction) nexmark.auction_proportion = proportion(*auction);
  if (bid) nexmark.bid_proportion = proportion(*bid);
  ARROW_RETURN_NOT_OK(options.IdleTimeoutMillis().status());
  ARROW_RETURN_NOT_OK(options.Finish());
  ARROW_ASSIGN_OR_RAISE(auto generator, NexmarkSource::Make(std::move(name), std::move(nexmark)));
  return WithDeclaredColumns(source, std::move(generator), "nexmark");
}

arrow::Status CheckNexmark(const catalog::SourceDefinition& source, std::string* bad_option) {
  return MakeNexmarkSource(source, source.name.ToString(), bad_option).status();
}

arrow::Result<std::unique_ptr<Source>> MakeNexmark(const catalog::SourceDefinition& source, std::string name) {
  return MakeNexmarkSource(source, std::move(name), nullptr);
}

arrow::Result<std::unique_ptr<Source>> MakeEcommerceSource(const catalog::SourceDefinition& source, std::string name,
                                                           std::string* bad_option) {
  ConnectorOptions options(source, "ecommerce", bad_option);
  EcommerceOptions ecommerce;
  ARROW_ASSIGN_OR_RAISE(ecommerce.generator, GeneratorOptionsOf(options));
  ARROW_ASSIGN_OR_RAISE(auto stream, options.Choice({"stream"}, {"orders", "inventory", "clickstream"}));
  ARROW_ASSIGN_OR_RAISE(auto customers, options.Integer({"customers"}, 1));
  ARROW_ASSIGN_OR_RAISE(auto products, options.Integer({"products"}, 1));
  ARROW_ASSIGN_OR_RAISE(auto warehouses, options.Integer({"warehouses"}, 1));
  ARROW_RETURN_NOT_OK(options.IdleTimeoutMillis().status());
  ARROW_RETURN_NOT_OK(options.Finish());
  if (!stream) return options.SourceInvalid("needs stream = 'orders', 'inventory' or 'clickstream'");
  ecommerce.stream = *stream == "orders"      ? EcommerceStream::kOrders
                     : *stream == "inventory" ? EcommerceStream::kInventory
                                              : EcommerceStream::kClickstream;
  if (customers) ecommerce.customers = *customers;
  if (products) ecommerce.products = *products;
  if (warehouses) {
    if (*warehouses > std::numeric_limits<int32_t>::max()) {
      return options.Invalid({"warehouses"}, "must be at most ", std::numeric_limits<int32_t>::max());
    }
    ecommerce.warehouses = static_cast<int32_t>(*warehouses);
  }
  ARROW_ASSIGN_OR_RAISE(auto generator, EcommerceSource::Make(std::move(name), std::move(ecommerce)));
  return WithDeclaredColumns(source, std::move(generator), "ecommerce");
}

arrow::Status CheckEcommerce(const catalog::SourceDefinition& source, std::string* bad_option) {
  return MakeEcommerceSource(source, source.name.ToString(), bad_option).status();
}

arrow::Result<std::unique_ptr<Source>> MakeEcommerce(const catalog::SourceDefinition& source, std::string name) {
  return MakeEcommerceSource(source, std::move(name), nullptr);
}

arrow::FieldVector NoMetadataColumns(const catalog::SourceDefinition&) { return {}; }

arrow::FieldVector KafkaColumnsOf(const catalog::SourceDefinition&) { return KafkaMetadataColumns(); }

// ---- the connectors

struct Connector {
  std::string_view name;
  arrow::FieldVector (*metadata_columns)(const catalog::SourceDefinition& source);
  arrow::Status (*check)(const catalog::SourceDefinition& source, std::string* bad_option);
  arrow::Result<std::unique_ptr<Source>> (*make)(const catalog::SourceDefinition& source, std::string name);
};

// One entry per connector.
constexpr Connector kConnectors[] = {
    {"kafka", KafkaColumnsOf, CheckKafka, MakeKafka},
    {"delta", DeltaMetadataColumns, CheckDelta, MakeDelta},
    {"files", NoMetadataColumns, CheckFiles, MakeFiles},
    {"nexmark", NoMetadataColumns, CheckNexmark, MakeNexmark},
    {"ecommerce", NoMetadataColumns, CheckEcommerce, MakeEcommerce},
};

arrow::Result<const Connector*> Find(const std::string& connector) {
  const std::string name = Lower(connector);
  for (const auto& c : kConnectors) {
    if (c.name == name) return &c;
  }
  if (IsSinkConnector(name)) {
    return arrow::Status::Invalid("connector '", name, "' is written, never read: declare a table with CREATE TABLE t "
                                  "(columns) WITH ('connector' = '", name, "') and INSERT INTO it");
  }
  std::string known;
  for (const auto& c : kConnectors) known += (known.empty() ? "'" : ", '") + std::string(c.name) + "'";
  return arrow::Status::Invalid("unknown connector '", connector, "' (tidelake has ", known, ")");
}

}  // namespace

arrow::Result<arrow::FieldVector> SourceMetadataColumns(const catalog::SourceDefinition& source) {
  ARROW_ASSIGN_OR_RAISE(const Connector* c, Find(source.connector));
  return c->metadata_columns(source);
}

arrow::Status CheckSource(const catalog::SourceDefinition& source, std::string* bad_option) {
  ARROW_ASSIGN_OR_RAISE(const Connector* c, Find(source.connector));
  return c->check(source, bad_option);
}

arrow::Result<std::optional<int64_t>> SourceIdleTimeoutMillis(const catalog::SourceDefinition& source) {
  ConnectorOptions options(source, source.connector, nullptr);
  return options.IdleTimeoutMillis();
}

arrow::Result<std::unique_ptr<Source>> MakeSource(const catalog::SourceDefinition& source, std::string name) {
  ARROW_ASSIGN_OR_RAISE(const Connector* c, Find(source.connector));
  return c->make(source, std::move(name));
}

}  // namespace tidelake::stream
