#include "stream/source_factory.h"

#include <arrow/api.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>
#include <string_view>

#include "plan/functions.h"
#include "stream/connector_options.h"
#include "stream/file_source.h"
#include "stream/generators/ecommerce_source.h"
#include "stream/generators/nexmark_source.h"
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

// ---- files

arrow::Result<FileSourceOptions> FileOptionsOf(const catalog::SourceDefinition& source, std::string* bad_option) {
  ConnectorOptions options(source, "files", bad_option);
  FileSourceOptions out;
  out.schema = source.columns;
  ARROW_ASSIGN_OR_RAISE(auto path, options.Text({"path"}));
  ARROW_ASSIGN_OR_RAISE(auto format, options.Choice({"format"}, {"csv", "json", "parquet"}));
  ARROW_ASSIGN_OR_RAISE(auto header, options.Boolean({"header"}));
  ARROW_ASSIGN_OR_RAISE(auto delimiter, options.Character({"sep", "delimiter", "csv.field-delimiter"}));
  ARROW_ASSIGN_OR_RAISE(out.max_files_per_trigger, options.Integer({"maxfilespertrigger"}, 1));
  ARROW_ASSIGN_OR_RAISE(auto glob, options.Text({"pathglobfilter"}));
  ARROW_ASSIGN_OR_RAISE(auto min_age, options.DurationMillis({"minfileage"}));
  ARROW_ASSIGN_OR_RAISE(out.max_file_age_ms, options.DurationMillis({"maxfileage"}));
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
    return options.Invalid({"maxfileage"}, "must be at least one millisecond");
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

// The generated column each declared column reads (its index in `generated`), checked.
arrow::Result<std::vector<int>> DeclaredColumnIndices(const catalog::SourceDefinition& source,
                                                      const arrow::Schema& generated, const std::string& what) {
  std::vector<int> indices;
  for (const auto& declared : source.columns->fields()) {
    int found = -1;
    for (int i = 0; i < generated.num_fields(); ++i) {
      if (Lower(generated.field(i)->name()) == Lower(declared->name())) found = i;
    }
    auto columns = [&] {
      std::string listed;
      for (const auto& f : generated.fields()) {
        listed += (listed.empty() ? "" : ", ") + f->name() + " " + plan::SqlTypeName(*f->type());
      }
      return listed;
    };
    if (found < 0) {
      return arrow::Status::Invalid(what, " source '", source.name.ToString(), "' has no column '", declared->name(),
                                    "' (its columns: ", columns(), ")");
    }
    const auto& field = generated.field(found);
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

// A generator's rows as the declared columns: those of its columns, in declared order and
// with the declared names and types.
class DeclaredColumnsSource : public Source {
 public:
  DeclaredColumnsSource(std::unique_ptr<Source> generator, std::shared_ptr<arrow::Schema> declared,
                        std::vector<int> indices)
      : generator_(std::move(generator)), declared_(std::move(declared)), indices_(std::move(indices)) {}

  const std::string& name() const override { return generator_->name(); }
  const std::shared_ptr<arrow::Schema>& schema() const override { return declared_; }
  arrow::Result<std::string> InitialOffset() override { return generator_->InitialOffset(); }
  arrow::Result<std::optional<std::string>> NextEnd(const std::string& start) override {
    return generator_->NextEnd(start);
  }
  arrow::Result<std::shared_ptr<arrow::Table>> Read(const std::string& start, const std::string& end) override {
    ARROW_ASSIGN_OR_RAISE(auto rows, generator_->Read(start, end));
    arrow::ChunkedArrayVector columns;
    for (size_t i = 0; i < indices_.size(); ++i) {
      const auto& type = declared_->field(static_cast<int>(i))->type();
      arrow::ArrayVector chunks;
      for (const auto& chunk : rows->column(indices_[i])->chunks()) {
        chunks.push_back(arrow::MakeArray(Conformed(chunk->data(), type)));
      }
      columns.push_back(std::make_shared<arrow::ChunkedArray>(std::move(chunks), type));
    }
    return arrow::Table::Make(declared_, std::move(columns), rows->num_rows());
  }

 private:
  std::unique_ptr<Source> generator_;
  std::shared_ptr<arrow::Schema> declared_;
  std::vector<int> indices_;
};

arrow::Result<std::unique_ptr<Source>> WithDeclaredColumns(const catalog::SourceDefinition& source,
                                                           std::unique_ptr<Source> generator, const std::string& what) {
  ARROW_ASSIGN_OR_RAISE(auto indices, DeclaredColumnIndices(source, *generator->schema(), what));
  return std::unique_ptr<Source>(
      std::make_unique<DeclaredColumnsSource>(std::move(generator), source.columns, std::move(indices)));
}

// nexmark: Flink's NEXMark connector's option names where it has them.
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

arrow::FieldVector NoMetadataColumns() { return {}; }

// ---- the connectors

struct Connector {
  std::string_view name;
  arrow::FieldVector (*metadata_columns)();
  arrow::Status (*check)(const catalog::SourceDefinition& source, std::string* bad_option);
  arrow::Result<std::unique_ptr<Source>> (*make)(const catalog::SourceDefinition& source, std::string name);
};

// One entry per connector.
constexpr Connector kConnectors[] = {
    {"kafka", KafkaMetadataColumns, CheckKafka, MakeKafka},
    {"files", NoMetadataColumns, CheckFiles, MakeFiles},
    {"nexmark", NoMetadataColumns, CheckNexmark, MakeNexmark},
    {"ecommerce", NoMetadataColumns, CheckEcommerce, MakeEcommerce},
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
