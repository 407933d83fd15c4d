#include "session/table_properties.h"

#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "common/uuid.h"
#include "delta/data_writer.h"
#include "delta/interval.h"
#include "delta/schema.h"
#include "session/results.h"

namespace tidelake::session {

namespace {

enum class PropertyType { kBoolean, kPositiveInteger, kInteger, kInterval, kSize, kString, kEnum };

struct KnownProperty {
  std::string_view key;  // without "delta."
  PropertyType type;
  std::array<std::string_view, 3> choices{};  // kEnum, compared case-insensitively
};

// The table properties Delta defines (DeltaConfigs), plus Databricks' auto-optimize flags that
// Spark tables commonly carry.
constexpr KnownProperty kKnown[] = {
    {"appendOnly", PropertyType::kBoolean},
    {"autoOptimize.autoCompact", PropertyType::kBoolean},
    {"autoOptimize.optimizeWrite", PropertyType::kBoolean},
    {"checkpoint.writeStatsAsJson", PropertyType::kBoolean},
    {"checkpoint.writeStatsAsStruct", PropertyType::kBoolean},
    {"checkpointInterval", PropertyType::kPositiveInteger},
    {"checkpointPolicy", PropertyType::kEnum, {"classic", "v2"}},
    {"checkpointRetentionDuration", PropertyType::kInterval},
    {"columnMapping.maxColumnId", PropertyType::kInteger},
    {"columnMapping.mode", PropertyType::kEnum, {"none", "name", "id"}},
    {"compatibility.symlinkFormatManifest.enabled", PropertyType::kBoolean},
    {"dataSkippingNumIndexedCols", PropertyType::kInteger},
    {"dataSkippingStatsColumns", PropertyType::kString},
    {"deletedFileRetentionDuration", PropertyType::kInterval},
    {"enableChangeDataFeed", PropertyType::kBoolean},
    {"enableDeletionVectors", PropertyType::kBoolean},
    {"enableExpiredLogCleanup", PropertyType::kBoolean},
    {"enableIcebergCompatV1", PropertyType::kBoolean},
    {"enableIcebergCompatV2", PropertyType::kBoolean},
    {"enableInCommitTimestamps", PropertyType::kBoolean},
    {"enableRowTracking", PropertyType::kBoolean},
    {"enableTypeWidening", PropertyType::kBoolean},
    {"isolationLevel", PropertyType::kEnum, {"Serializable", "WriteSerializable"}},
    {"logRetentionDuration", PropertyType::kInterval},
    {"randomizeFilePrefixes", PropertyType::kBoolean},
    {"randomPrefixLength", PropertyType::kPositiveInteger},
    {"setTransactionRetentionDuration", PropertyType::kInterval},
    {"targetFileSize", PropertyType::kSize},
    {"tuneFileSizesForRewrites", PropertyType::kBoolean},
    {"universalFormat.enabledFormats", PropertyType::kString},
};

bool ParseInt(std::string_view text, int64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

arrow::Status CheckValue(const KnownProperty& known, const sql::TableProperty& p) {
  auto bad = [&](std::string_view expected) {
    return InvalidAt(p.pos, "table property '", p.key, "' must be ", expected, ", got '", p.value, "'");
  };
  int64_t n = 0;
  switch (known.type) {
    case PropertyType::kBoolean:
      if (Lower(p.value) != "true" && Lower(p.value) != "false") return bad("true or false");
      break;
    case PropertyType::kPositiveInteger:
      if (!ParseInt(p.value, &n) || n <= 0) return bad("a positive integer");
      break;
    case PropertyType::kInteger:
      if (!ParseInt(p.value, &n) || n < -1) return bad("an integer (-1 or more)");
      break;
    case PropertyType::kInterval: {
      auto ms = delta::ParseIntervalMillis(p.value);
      if (!ms.ok()) return InvalidAt(p.pos, "table property '", p.key, "': ", ms.status().message());
      break;
    }
    case PropertyType::kSize:
      if (!delta::ParseTargetFileSize(p.value).ok()) return bad("a positive size in bytes (e.g. 134217728 or 128mb)");
      break;
    case PropertyType::kString:
      break;
    case PropertyType::kEnum: {
      std::string allowed;
      for (auto choice : known.choices) {
        if (choice.empty()) continue;
        if (Lower(choice) == Lower(p.value)) return arrow::Status::OK();
        allowed += (allowed.empty() ? "'" : ", '") + std::string(choice) + "'";
      }
      return bad("one of " + allowed);
    }
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<CheckedProperties> CheckTableProperties(const std::vector<sql::TableProperty>& properties,
                                                      bool allow_arbitrary) {
  CheckedProperties out;
  std::optional<int32_t> reader, writer;
  for (const auto& p : properties) {
    if (out.configuration.count(p.key)) return InvalidAt(p.pos, "table property '", p.key, "' is given twice");
    if (p.key.rfind("delta.", 0) != 0) {
      out.configuration[p.key] = p.value;
      continue;
    }
    std::string_view name = std::string_view(p.key).substr(6);
    if (name == "minReaderVersion" || name == "minWriterVersion") {
      int64_t version = 0;
      int64_t highest = name == "minReaderVersion" ? 3 : 7;
      if (!ParseInt(p.value, &version) || version < 1 || version > highest) {
        return InvalidAt(p.pos, "table property '", p.key, "' must be a protocol version from 1 to ", highest,
                         ", got '", p.value, "'");
      }
      (name == "minReaderVersion" ? reader : writer) = static_cast<int32_t>(version);
      continue;
    }
    if (name.rfind("constraints.", 0) == 0) {
      return InvalidAt(p.pos, "CHECK constraints cannot be set as table properties ('", p.key,
                       "'); tidelake does not support CHECK constraints yet");
    }
    const KnownProperty* known = nullptr;
    for (const auto& k : kKnown) {
      if (k.key == name) known = &k;
    }
    if (!known) {
      if (allow_arbitrary) {
        out.configuration[p.key] = p.value;
        continue;
      }
      return InvalidAt(p.pos, "unknown Delta table property '", p.key,
                       "' (Delta's properties are case-sensitive; to store it anyway, SET "
                       "spark.databricks.delta.allowArbitraryProperties.enabled = true)");
    }
    ARROW_RETURN_NOT_OK(CheckValue(*known, p));
    std::string value = p.value;
    if (known->type == PropertyType::kBoolean) value = Lower(value);
    if (known->type == PropertyType::kEnum && name == "columnMapping.mode") value = Lower(value);
    out.configuration[p.key] = value;
  }
  if (reader || writer) {
    delta::Protocol protocol;
    protocol.min_reader_version = reader.value_or(1);
    protocol.min_writer_version = writer.value_or(2);
    if (protocol.min_reader_version == 3) protocol.reader_features = std::vector<std::string>{};
    if (protocol.min_writer_version == 7) protocol.writer_features = std::vector<std::string>{};
    out.protocol_upgrade = protocol;
  }
  return out;
}

namespace {

arrow::Result<std::shared_ptr<arrow::DataType>> AssignInType(const std::shared_ptr<arrow::DataType>& type,
                                                             int64_t* max_id, bool keep_names);

arrow::Result<std::shared_ptr<arrow::Field>> AssignInField(const std::shared_ptr<arrow::Field>& field,
                                                           int64_t* max_id, bool keep_names) {
  ARROW_ASSIGN_OR_RAISE(auto type, AssignInType(field->type(), max_id, keep_names));
  auto out = field->WithType(type);
  if (!delta::FieldMetadataValue(*field, delta::kColumnMappingIdKey)) {
    out = delta::WithJsonMetadata(out, delta::kColumnMappingIdKey, std::to_string(++*max_id));
  }
  if (!delta::FieldMetadataValue(*field, delta::kPhysicalNameKey)) {
    std::string physical = keep_names ? field->name() : "col-" + RandomUuid();
    auto metadata = out->metadata() ? out->metadata()->Copy() : arrow::key_value_metadata({}, {});
    metadata->Append(std::string(delta::kPhysicalNameKey), physical);
    out = out->WithMetadata(metadata);
  }
  return out;
}

// Struct fields inside lists and maps are fields too; the list element and map key/value
// themselves are not (they have no name of their own).
arrow::Result<std::shared_ptr<arrow::DataType>> AssignInType(const std::shared_ptr<arrow::DataType>& type,
                                                             int64_t* max_id, bool keep_names) {
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      arrow::FieldVector fields;
      for (const auto& f : type->fields()) {
        ARROW_ASSIGN_OR_RAISE(auto assigned, AssignInField(f, max_id, keep_names));
        fields.push_back(assigned);
      }
      return arrow::struct_(fields);
    }
    case arrow::Type::LIST: {
      const auto& list = static_cast<const arrow::ListType&>(*type);
      ARROW_ASSIGN_OR_RAISE(auto element, AssignInType(list.value_type(), max_id, keep_names));
      return arrow::list(list.value_field()->WithType(element));
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      ARROW_ASSIGN_OR_RAISE(auto key, AssignInType(map.key_type(), max_id, keep_names));
      ARROW_ASSIGN_OR_RAISE(auto item, AssignInType(map.item_type(), max_id, keep_names));
      return std::make_shared<arrow::MapType>(map.key_field()->WithType(key), map.item_field()->WithType(item),
                                              map.keys_sorted());
    }
    default:
      return type;
  }
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Schema>> AssignColumnMapping(const arrow::Schema& schema,
                                                                  int64_t* max_column_id, bool keep_names) {
  arrow::FieldVector fields;
  for (const auto& f : schema.fields()) {
    ARROW_ASSIGN_OR_RAISE(auto assigned, AssignInField(f, max_column_id, keep_names));
    fields.push_back(assigned);
  }
  return arrow::schema(fields, schema.metadata());
}

int64_t MaxColumnId(const std::map<std::string, std::string>& configuration) {
  auto it = configuration.find("delta.columnMapping.maxColumnId");
  int64_t n = 0;
  if (it == configuration.end() || !ParseInt(it->second, &n)) return 0;
  return n;
}

}  // namespace tidelake::session
