#include "stream/source_factory.h"

#include <arrow/api.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>

#include "stream/kafka_source.h"

namespace tidelake::stream {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// An error about one option: its key goes to *bad_option.
arrow::Status OptionError(std::string* bad_option, const std::string& key, arrow::Status status) {
  if (bad_option != nullptr) *bad_option = key;
  return status;
}

// ---- kafka

arrow::FieldVector KafkaMetadataColumns() {
  return {arrow::field("_key", arrow::utf8()), arrow::field("_partition", arrow::int32(), /*nullable=*/false),
          arrow::field("_offset", arrow::int64(), /*nullable=*/false),
          arrow::field("_timestamp", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"))};
}

constexpr const char* kKafkaOptions =
    "topic | subscribe, properties.bootstrap.servers | kafka.bootstrap.servers, properties.* | kafka.*, format, "
    "csv.field-delimiter, scan.startup.mode | startingOffsets, maxOffsetsPerTrigger, failOnDataLoss";

// The KafkaSourceOptions `source` asks for: Flink's and Spark's option names, one meaning each.
arrow::Result<KafkaSourceOptions> KafkaOptionsOf(const catalog::SourceDefinition& source, std::string* bad_option) {
  KafkaSourceOptions out;
  out.value_schema = source.columns;
  // Which key set each setting, to refuse one setting given under two names.
  std::map<std::string, std::string> given;
  std::optional<std::string> format_key, delimiter_key;
  for (const auto& [key, value] : source.options) {
    const std::string k = Lower(key);
    auto invalid = [&](auto&&... args) {
      return OptionError(bad_option, key,
                         arrow::Status::Invalid("option '", key, "' of Kafka source '", source.name.ToString(), "' ",
                                                std::forward<decltype(args)>(args)...));
    };
    auto once = [&](const std::string& setting) -> arrow::Status {
      auto [it, inserted] = given.emplace(setting, key);
      if (!inserted) return invalid("sets the ", setting, " that option '", it->second, "' already sets");
      return arrow::Status::OK();
    };
    if (k == "topic" || k == "subscribe") {
      ARROW_RETURN_NOT_OK(once("topic"));
      if (value.empty() || value.find_first_of(",;") != std::string::npos) {
        return invalid("must name one topic, got '", value, "'");
      }
      out.topic = value;
    } else if (k == "properties.bootstrap.servers" || k == "kafka.bootstrap.servers") {
      ARROW_RETURN_NOT_OK(once("bootstrap servers"));
      if (value.empty()) return invalid("must name at least one broker (host:port)");
      out.bootstrap_servers = value;
    } else if ((StartsWith(k, "properties.") || StartsWith(k, "kafka.")) && k.back() != '.') {
      // librdkafka's setting names are lower case, as Kafka's are.
      const std::string setting = k.substr(k.find('.') + 1);
      ARROW_RETURN_NOT_OK(once("Kafka setting " + setting));
      auto checked = KafkaSource::CheckProperty(setting, value);
      if (!checked.ok()) return invalid("is refused: ", checked.message());
      out.properties[setting] = value;
    } else if (k == "format" || k == "value.format") {
      ARROW_RETURN_NOT_OK(once("format"));
      const std::string f = Lower(value);
      if (f == "json") {
        out.format = KafkaValueFormat::kJson;
      } else if (f == "csv") {
        out.format = KafkaValueFormat::kCsv;
      } else {
        return invalid("must be 'json' or 'csv', got '", value, "'");
      }
      format_key = key;
    } else if (k == "csv.field-delimiter") {
      ARROW_RETURN_NOT_OK(once("CSV delimiter"));
      if (value.size() != 1 || value == "\n" || value == "\r" || value == "\"") {
        return invalid("must be one character (not a quote or a line break), got '", value, "'");
      }
      out.csv_delimiter = value[0];
      delimiter_key = key;
    } else if (k == "scan.startup.mode" || k == "startingoffsets") {
      ARROW_RETURN_NOT_OK(once("starting offsets"));
      const std::string mode = Lower(value);
      if (mode == "earliest-offset" || mode == "earliest") {
        out.starting_offsets = "earliest";
      } else if (mode == "latest-offset" || mode == "latest") {
        out.starting_offsets = "latest";
      } else {
        const char* allowed =
            k == "scan.startup.mode" ? "'earliest-offset' or 'latest-offset'" : "'earliest' or 'latest'";
        return invalid("must be ", allowed, ", got '", value,
                       "' (starting from group offsets, a timestamp or given offsets is not supported yet)");
      }
    } else if (k == "maxoffsetspertrigger") {
      ARROW_RETURN_NOT_OK(once("maxOffsetsPerTrigger"));
      int64_t n = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (error != std::errc() || end != value.data() + value.size() || n < 1) {
        return invalid("must be a positive whole number, got '", value, "'");
      }
      out.max_offsets_per_trigger = n;
    } else if (k == "failondataloss") {
      if (Lower(value) != "true") {
        return invalid("must be 'true': a Kafka source always fails when messages it has not read were deleted");
      }
    } else if (k == "json.ignore-parse-errors" || k == "csv.ignore-parse-errors") {
      return invalid("is not supported: a message that does not parse fails the query, naming its partition and "
                     "offset, rather than being dropped unseen");
    } else if (k == "connector") {
      return invalid("is given twice");
    } else {
      return invalid("is unknown (a Kafka source takes ", kKafkaOptions, ")");
    }
  }
  if (delimiter_key && out.format != KafkaValueFormat::kCsv) {
    return OptionError(bad_option, *delimiter_key,
                       arrow::Status::Invalid("option '", *delimiter_key, "' of Kafka source '", source.name.ToString(),
                                              "' applies to format 'csv' only"));
  }
  const std::string name = source.name.ToString();
  if (out.topic.empty()) return arrow::Status::Invalid("Kafka source '", name, "' needs topic = '...' (or subscribe)");
  if (out.bootstrap_servers.empty()) {
    return arrow::Status::Invalid("Kafka source '", name,
                                  "' needs 'properties.bootstrap.servers' = 'host:port' (or kafka.bootstrap.servers)");
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

// ---- the connectors

struct Connector {
  std::string_view name;
  arrow::FieldVector (*metadata_columns)();
  arrow::Status (*check)(const catalog::SourceDefinition& source, std::string* bad_option);
  arrow::Result<std::unique_ptr<Source>> (*make)(const catalog::SourceDefinition& source, std::string name);
};

// One entry per connector ('files', 'nexmark' and 'ecommerce' come with their sources).
constexpr Connector kConnectors[] = {
    {"kafka", KafkaMetadataColumns, CheckKafka, MakeKafka},
};

arrow::Result<const Connector*> Find(const std::string& connector) {
  const std::string name = Lower(connector);
  for (const auto& c : kConnectors) {
    if (c.name == name) return &c;
  }
  std::string known;
  for (const auto& c : kConnectors) known += (known.empty() ? "'" : ", '") + std::string(c.name) + "'";
  return arrow::Status::Invalid("unknown connector '", connector, "' (tidelake has ", known, ")");
}

}  // namespace

arrow::Result<arrow::FieldVector> SourceMetadataColumns(const std::string& connector) {
  ARROW_ASSIGN_OR_RAISE(const Connector* c, Find(connector));
  return c->metadata_columns();
}

arrow::Status CheckSource(const catalog::SourceDefinition& source, std::string* bad_option) {
  ARROW_ASSIGN_OR_RAISE(const Connector* c, Find(source.connector));
  return c->check(source, bad_option);
}

arrow::Result<std::unique_ptr<Source>> MakeSource(const catalog::SourceDefinition& source, std::string name) {
  ARROW_ASSIGN_OR_RAISE(const Connector* c, Find(source.connector));
  return c->make(source, std::move(name));
}

}  // namespace tidelake::stream
