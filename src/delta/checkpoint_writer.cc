#include "delta/checkpoint_writer.h"

#include <arrow/array/builder_binary.h>
#include <arrow/array/builder_nested.h>
#include <arrow/array/builder_primitive.h>
#include <arrow/builder.h>
#include <arrow/io/memory.h>
#include <arrow/table.h>
#include <parquet/arrow/writer.h>
#include <parquet/properties.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "delta/interval.h"
#include "delta/log_segment.h"
#include "io/log_store.h"

namespace tidelake::delta {

namespace {

using arrow::field;
using arrow::int32;
using arrow::int64;
using arrow::utf8;

constexpr const char* kWriteStatsAsJson = "delta.checkpoint.writeStatsAsJson";
constexpr const char* kDeletedFileRetention = "delta.deletedFileRetentionDuration";
constexpr const char* kSetTransactionRetention = "delta.setTransactionRetentionDuration";

// ---------------------------------------------------------------------------------------------
// Schema. Every field is nullable, as in Spark's checkpoints (only map keys are required).

std::shared_ptr<arrow::DataType> StringMapType() { return arrow::map(utf8(), utf8()); }

std::shared_ptr<arrow::DataType> StringListType() {
  // Named "element" so the Arrow schema equals what a reader gets back from the Parquet file
  // (Parquet's LIST layout names the item "element").
  return arrow::list(field("element", utf8()));
}

std::shared_ptr<arrow::DataType> DeletionVectorType() {
  return arrow::struct_({field("storageType", utf8()), field("pathOrInlineDv", utf8()),
                         field("offset", int32()), field("sizeInBytes", int32()),
                         field("cardinality", int64())});
}

std::shared_ptr<arrow::DataType> TxnType() {
  return arrow::struct_(
      {field("appId", utf8()), field("version", int64()), field("lastUpdated", int64())});
}

std::shared_ptr<arrow::DataType> AddType(bool write_stats) {
  arrow::FieldVector fields = {field("path", utf8()),
                               field("partitionValues", StringMapType()),
                               field("size", int64()),
                               field("modificationTime", int64()),
                               field("dataChange", arrow::boolean()),
                               field("tags", StringMapType()),
                               field("deletionVector", DeletionVectorType()),
                               field("baseRowId", int64()),
                               field("defaultRowCommitVersion", int64()),
                               field("clusteringProvider", utf8())};
  if (write_stats) fields.push_back(field("stats", utf8()));
  return arrow::struct_(std::move(fields));
}

// The protocol says tombstones in a checkpoint carry neither stats nor tags.
std::shared_ptr<arrow::DataType> RemoveType() {
  return arrow::struct_({field("path", utf8()), field("deletionTimestamp", int64()),
                         field("dataChange", arrow::boolean()),
                         field("extendedFileMetadata", arrow::boolean()),
                         field("partitionValues", StringMapType()), field("size", int64()),
                         field("deletionVector", DeletionVectorType()),
                         field("baseRowId", int64()),
                         field("defaultRowCommitVersion", int64())});
}

std::shared_ptr<arrow::DataType> MetadataType() {
  return arrow::struct_(
      {field("id", utf8()), field("name", utf8()), field("description", utf8()),
       field("format",
             arrow::struct_({field("provider", utf8()), field("options", StringMapType())})),
       field("schemaString", utf8()), field("partitionColumns", StringListType()),
       field("configuration", StringMapType()), field("createdTime", int64())});
}

std::shared_ptr<arrow::DataType> ProtocolType() {
  return arrow::struct_({field("minReaderVersion", int32()), field("minWriterVersion", int32()),
                         field("readerFeatures", StringListType()),
                         field("writerFeatures", StringListType())});
}

std::shared_ptr<arrow::DataType> DomainMetadataType() {
  return arrow::struct_({field("domain", utf8()), field("configuration", utf8()),
                         field("removed", arrow::boolean())});
}

const Metadata* FindMetadata(const std::vector<Action>& actions) {
  for (const auto& action : actions) {
    if (const auto* m = std::get_if<Metadata>(&action)) return m;
  }
  return nullptr;
}

arrow::Result<bool> WriteStatsAsJson(const std::vector<Action>& actions) {
  const Metadata* metadata = FindMetadata(actions);
  if (metadata == nullptr) return true;
  auto value = metadata->Config(kWriteStatsAsJson);
  if (!value) return true;
  std::string lower = *value;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true") return true;
  if (lower == "false") return false;
  return arrow::Status::Invalid("table property ", kWriteStatsAsJson, " must be true or false, not '",
                                *value, "'");
}

// ---------------------------------------------------------------------------------------------
// Builders. Each top-level column is a StructBuilder made from the schema; the appenders below
// bind its children by name once and then append one action per row.

template <typename T>
arrow::Status Bind(arrow::StructBuilder* parent, const std::string& name, T** out,
                   bool optional = false) {
  // StructBuilder::type() builds a new DataType on each call: keep it alive while we look.
  std::shared_ptr<arrow::DataType> type = parent->type();
  int index = static_cast<const arrow::StructType&>(*type).GetFieldIndex(name);
  if (index < 0) {
    if (optional) {
      *out = nullptr;
      return arrow::Status::OK();
    }
    return arrow::Status::Invalid("checkpoint schema has no field '", name, "'");
  }
  *out = dynamic_cast<T*>(parent->field_builder(index));
  if (*out == nullptr) {
    return arrow::Status::Invalid("checkpoint field '", name, "' has an unexpected builder type");
  }
  return arrow::Status::OK();
}

arrow::Status AppendString(arrow::StringBuilder* b, const std::optional<std::string>& value) {
  return value ? b->Append(*value) : b->AppendNull();
}

arrow::Status AppendInt64(arrow::Int64Builder* b, const std::optional<int64_t>& value) {
  return value ? b->Append(*value) : b->AppendNull();
}

arrow::Status AppendBool(arrow::BooleanBuilder* b, const std::optional<bool>& value) {
  return value ? b->Append(*value) : b->AppendNull();
}

arrow::Status AppendStringMap(arrow::MapBuilder* b, const StringMap& map) {
  ARROW_RETURN_NOT_OK(b->Append());
  auto* keys = static_cast<arrow::StringBuilder*>(b->key_builder());
  auto* items = static_cast<arrow::StringBuilder*>(b->item_builder());
  for (const auto& [key, value] : map) {
    ARROW_RETURN_NOT_OK(keys->Append(key));
    ARROW_RETURN_NOT_OK(AppendString(items, value));
  }
  return arrow::Status::OK();
}

arrow::Status AppendStringMap(arrow::MapBuilder* b, const std::optional<StringMap>& map) {
  return map ? AppendStringMap(b, *map) : b->AppendNull();
}

arrow::Status AppendStringMap(arrow::MapBuilder* b, const std::map<std::string, std::string>& map) {
  ARROW_RETURN_NOT_OK(b->Append());
  auto* keys = static_cast<arrow::StringBuilder*>(b->key_builder());
  auto* items = static_cast<arrow::StringBuilder*>(b->item_builder());
  for (const auto& [key, value] : map) {
    ARROW_RETURN_NOT_OK(keys->Append(key));
    ARROW_RETURN_NOT_OK(items->Append(value));
  }
  return arrow::Status::OK();
}

arrow::Status AppendStringList(arrow::ListBuilder* b,
                               const std::optional<std::vector<std::string>>& list) {
  if (!list) return b->AppendNull();
  ARROW_RETURN_NOT_OK(b->Append());
  auto* values = static_cast<arrow::StringBuilder*>(b->value_builder());
  for (const auto& value : *list) ARROW_RETURN_NOT_OK(values->Append(value));
  return arrow::Status::OK();
}

class DvAppender {
 public:
  arrow::Status Init(arrow::StructBuilder* b) {
    b_ = b;
    ARROW_RETURN_NOT_OK(Bind(b, "storageType", &storage_type_));
    ARROW_RETURN_NOT_OK(Bind(b, "pathOrInlineDv", &path_or_inline_dv_));
    ARROW_RETURN_NOT_OK(Bind(b, "offset", &offset_));
    ARROW_RETURN_NOT_OK(Bind(b, "sizeInBytes", &size_in_bytes_));
    return Bind(b, "cardinality", &cardinality_);
  }
  arrow::Status Append(const std::optional<DeletionVectorDescriptor>& dv) {
    if (!dv) return b_->AppendNull();
    ARROW_RETURN_NOT_OK(b_->Append());
    ARROW_RETURN_NOT_OK(storage_type_->Append(dv->storage_type));
    ARROW_RETURN_NOT_OK(path_or_inline_dv_->Append(dv->path_or_inline_dv));
    ARROW_RETURN_NOT_OK(dv->offset ? offset_->Append(*dv->offset) : offset_->AppendNull());
    ARROW_RETURN_NOT_OK(size_in_bytes_->Append(dv->size_in_bytes));
    return cardinality_->Append(dv->cardinality);
  }

 private:
  arrow::StructBuilder* b_ = nullptr;
  arrow::StringBuilder* storage_type_ = nullptr;
  arrow::StringBuilder* path_or_inline_dv_ = nullptr;
  arrow::Int32Builder* offset_ = nullptr;
  arrow::Int32Builder* size_in_bytes_ = nullptr;
  arrow::Int64Builder* cardinality_ = nullptr;
};

class TxnAppender {
 public:
  arrow::Status Init(arrow::StructBuilder* b) {
    b_ = b;
    ARROW_RETURN_NOT_OK(Bind(b, "appId", &app_id_));
    ARROW_RETURN_NOT_OK(Bind(b, "version", &version_));
    return Bind(b, "lastUpdated", &last_updated_);
  }
  arrow::Status Append(const Txn& t) {
    ARROW_RETURN_NOT_OK(b_->Append());
    ARROW_RETURN_NOT_OK(app_id_->Append(t.app_id));
    ARROW_RETURN_NOT_OK(version_->Append(t.version));
    return AppendInt64(last_updated_, t.last_updated);
  }

 private:
  arrow::StructBuilder* b_ = nullptr;
  arrow::StringBuilder* app_id_ = nullptr;
  arrow::Int64Builder* version_ = nullptr;
  arrow::Int64Builder* last_updated_ = nullptr;
};

class AddAppender {
 public:
  arrow::Status Init(arrow::StructBuilder* b) {
    b_ = b;
    ARROW_RETURN_NOT_OK(Bind(b, "path", &path_));
    ARROW_RETURN_NOT_OK(Bind(b, "partitionValues", &partition_values_));
    ARROW_RETURN_NOT_OK(Bind(b, "size", &size_));
    ARROW_RETURN_NOT_OK(Bind(b, "modificationTime", &modification_time_));
    ARROW_RETURN_NOT_OK(Bind(b, "dataChange", &data_change_));
    ARROW_RETURN_NOT_OK(Bind(b, "tags", &tags_));
    arrow::StructBuilder* dv = nullptr;
    ARROW_RETURN_NOT_OK(Bind(b, "deletionVector", &dv));
    ARROW_RETURN_NOT_OK(dv_.Init(dv));
    ARROW_RETURN_NOT_OK(Bind(b, "baseRowId", &base_row_id_));
    ARROW_RETURN_NOT_OK(Bind(b, "defaultRowCommitVersion", &default_row_commit_version_));
    ARROW_RETURN_NOT_OK(Bind(b, "clusteringProvider", &clustering_provider_));
    return Bind(b, "stats", &stats_, /*optional=*/true);
  }
  arrow::Status Append(const AddFile& a) {
    ARROW_RETURN_NOT_OK(b_->Append());
    ARROW_RETURN_NOT_OK(path_->Append(a.path));
    ARROW_RETURN_NOT_OK(AppendStringMap(partition_values_, a.partition_values));
    ARROW_RETURN_NOT_OK(size_->Append(a.size));
    ARROW_RETURN_NOT_OK(modification_time_->Append(a.modification_time));
    ARROW_RETURN_NOT_OK(data_change_->Append(a.data_change));
    ARROW_RETURN_NOT_OK(AppendStringMap(tags_, a.tags));
    ARROW_RETURN_NOT_OK(dv_.Append(a.deletion_vector));
    ARROW_RETURN_NOT_OK(AppendInt64(base_row_id_, a.base_row_id));
    ARROW_RETURN_NOT_OK(AppendInt64(default_row_commit_version_, a.default_row_commit_version));
    ARROW_RETURN_NOT_OK(AppendString(clustering_provider_, a.clustering_provider));
    if (stats_ != nullptr) ARROW_RETURN_NOT_OK(AppendString(stats_, a.stats));
    return arrow::Status::OK();
  }

 private:
  arrow::StructBuilder* b_ = nullptr;
  arrow::StringBuilder* path_ = nullptr;
  arrow::MapBuilder* partition_values_ = nullptr;
  arrow::Int64Builder* size_ = nullptr;
  arrow::Int64Builder* modification_time_ = nullptr;
  arrow::BooleanBuilder* data_change_ = nullptr;
  arrow::MapBuilder* tags_ = nullptr;
  DvAppender dv_;
  arrow::Int64Builder* base_row_id_ = nullptr;
  arrow::Int64Builder* default_row_commit_version_ = nullptr;
  arrow::StringBuilder* clustering_provider_ = nullptr;
  arrow::StringBuilder* stats_ = nullptr;  ///< null when stats are not written
};

class RemoveAppender {
 public:
  arrow::Status Init(arrow::StructBuilder* b) {
    b_ = b;
    ARROW_RETURN_NOT_OK(Bind(b, "path", &path_));
    ARROW_RETURN_NOT_OK(Bind(b, "deletionTimestamp", &deletion_timestamp_));
    ARROW_RETURN_NOT_OK(Bind(b, "dataChange", &data_change_));
    ARROW_RETURN_NOT_OK(Bind(b, "extendedFileMetadata", &extended_file_metadata_));
    ARROW_RETURN_NOT_OK(Bind(b, "partitionValues", &partition_values_));
    ARROW_RETURN_NOT_OK(Bind(b, "size", &size_));
    arrow::StructBuilder* dv = nullptr;
    ARROW_RETURN_NOT_OK(Bind(b, "deletionVector", &dv));
    ARROW_RETURN_NOT_OK(dv_.Init(dv));
    ARROW_RETURN_NOT_OK(Bind(b, "baseRowId", &base_row_id_));
    return Bind(b, "defaultRowCommitVersion", &default_row_commit_version_);
  }
  arrow::Status Append(const RemoveFile& r) {
    ARROW_RETURN_NOT_OK(b_->Append());
    ARROW_RETURN_NOT_OK(path_->Append(r.path));
    ARROW_RETURN_NOT_OK(AppendInt64(deletion_timestamp_, r.deletion_timestamp));
    ARROW_RETURN_NOT_OK(data_change_->Append(r.data_change));
    ARROW_RETURN_NOT_OK(AppendBool(extended_file_metadata_, r.extended_file_metadata));
    ARROW_RETURN_NOT_OK(AppendStringMap(partition_values_, r.partition_values));
    ARROW_RETURN_NOT_OK(AppendInt64(size_, r.size));
    ARROW_RETURN_NOT_OK(dv_.Append(r.deletion_vector));
    ARROW_RETURN_NOT_OK(AppendInt64(base_row_id_, r.base_row_id));
    return AppendInt64(default_row_commit_version_, r.default_row_commit_version);
  }

 private:
  arrow::StructBuilder* b_ = nullptr;
  arrow::StringBuilder* path_ = nullptr;
  arrow::Int64Builder* deletion_timestamp_ = nullptr;
  arrow::BooleanBuilder* data_change_ = nullptr;
  arrow::BooleanBuilder* extended_file_metadata_ = nullptr;
  arrow::MapBuilder* partition_values_ = nullptr;
  arrow::Int64Builder* size_ = nullptr;
  DvAppender dv_;
  arrow::Int64Builder* base_row_id_ = nullptr;
  arrow::Int64Builder* default_row_commit_version_ = nullptr;
};

class MetadataAppender {
 public:
  arrow::Status Init(arrow::StructBuilder* b) {
    b_ = b;
    ARROW_RETURN_NOT_OK(Bind(b, "id", &id_));
    ARROW_RETURN_NOT_OK(Bind(b, "name", &name_));
    ARROW_RETURN_NOT_OK(Bind(b, "description", &description_));
    ARROW_RETURN_NOT_OK(Bind(b, "format", &format_));
    ARROW_RETURN_NOT_OK(Bind(format_, "provider", &provider_));
    ARROW_RETURN_NOT_OK(Bind(format_, "options", &options_));
    ARROW_RETURN_NOT_OK(Bind(b, "schemaString", &schema_string_));
    ARROW_RETURN_NOT_OK(Bind(b, "partitionColumns", &partition_columns_));
    ARROW_RETURN_NOT_OK(Bind(b, "configuration", &configuration_));
    return Bind(b, "createdTime", &created_time_);
  }
  arrow::Status Append(const Metadata& m) {
    ARROW_RETURN_NOT_OK(b_->Append());
    ARROW_RETURN_NOT_OK(id_->Append(m.id));
    ARROW_RETURN_NOT_OK(AppendString(name_, m.name));
    ARROW_RETURN_NOT_OK(AppendString(description_, m.description));
    ARROW_RETURN_NOT_OK(format_->Append());
    ARROW_RETURN_NOT_OK(provider_->Append(m.format.provider));
    ARROW_RETURN_NOT_OK(AppendStringMap(options_, m.format.options));
    ARROW_RETURN_NOT_OK(schema_string_->Append(m.schema_string));
    ARROW_RETURN_NOT_OK(AppendStringList(partition_columns_, m.partition_columns));
    ARROW_RETURN_NOT_OK(AppendStringMap(configuration_, m.configuration));
    return AppendInt64(created_time_, m.created_time);
  }

 private:
  arrow::StructBuilder* b_ = nullptr;
  arrow::StringBuilder* id_ = nullptr;
  arrow::StringBuilder* name_ = nullptr;
  arrow::StringBuilder* description_ = nullptr;
  arrow::StructBuilder* format_ = nullptr;
  arrow::StringBuilder* provider_ = nullptr;
  arrow::MapBuilder* options_ = nullptr;
  arrow::StringBuilder* schema_string_ = nullptr;
  arrow::ListBuilder* partition_columns_ = nullptr;
  arrow::MapBuilder* configuration_ = nullptr;
  arrow::Int64Builder* created_time_ = nullptr;
};

class ProtocolAppender {
 public:
  arrow::Status Init(arrow::StructBuilder* b) {
    b_ = b;
    ARROW_RETURN_NOT_OK(Bind(b, "minReaderVersion", &min_reader_version_));
    ARROW_RETURN_NOT_OK(Bind(b, "minWriterVersion", &min_writer_version_));
    ARROW_RETURN_NOT_OK(Bind(b, "readerFeatures", &reader_features_));
    return Bind(b, "writerFeatures", &writer_features_);
  }
  // The protocol's rule for checkpoints: readerFeatures is non-null exactly when the reader
  // version is 3 (table features), writerFeatures exactly when the writer version is 7.
  arrow::Status Append(const Protocol& p) {
    ARROW_RETURN_NOT_OK(b_->Append());
    ARROW_RETURN_NOT_OK(min_reader_version_->Append(p.min_reader_version));
    ARROW_RETURN_NOT_OK(min_writer_version_->Append(p.min_writer_version));
    ARROW_RETURN_NOT_OK(AppendStringList(reader_features_, Features(p.reader_features,
                                                                    p.min_reader_version >= 3)));
    return AppendStringList(writer_features_,
                            Features(p.writer_features, p.min_writer_version >= 7));
  }

 private:
  static std::optional<std::vector<std::string>> Features(
      const std::optional<std::vector<std::string>>& features, bool uses_features) {
    if (!uses_features) return std::nullopt;
    return features.value_or(std::vector<std::string>{});
  }

  arrow::StructBuilder* b_ = nullptr;
  arrow::Int32Builder* min_reader_version_ = nullptr;
  arrow::Int32Builder* min_writer_version_ = nullptr;
  arrow::ListBuilder* reader_features_ = nullptr;
  arrow::ListBuilder* writer_features_ = nullptr;
};

class DomainMetadataAppender {
 public:
  arrow::Status Init(arrow::StructBuilder* b) {
    b_ = b;
    ARROW_RETURN_NOT_OK(Bind(b, "domain", &domain_));
    ARROW_RETURN_NOT_OK(Bind(b, "configuration", &configuration_));
    return Bind(b, "removed", &removed_);
  }
  arrow::Status Append(const DomainMetadata& d) {
    ARROW_RETURN_NOT_OK(b_->Append());
    ARROW_RETURN_NOT_OK(domain_->Append(d.domain));
    ARROW_RETURN_NOT_OK(configuration_->Append(d.configuration));
    return removed_->Append(d.removed);
  }

 private:
  arrow::StructBuilder* b_ = nullptr;
  arrow::StringBuilder* domain_ = nullptr;
  arrow::StringBuilder* configuration_ = nullptr;
  arrow::BooleanBuilder* removed_ = nullptr;
};

const char* ActionName(const Action& action) {
  struct Visitor {
    const char* operator()(const Protocol&) const { return "protocol"; }
    const char* operator()(const Metadata&) const { return "metaData"; }
    const char* operator()(const AddFile&) const { return "add"; }
    const char* operator()(const RemoveFile&) const { return "remove"; }
    const char* operator()(const AddCDCFile&) const { return "cdc"; }
    const char* operator()(const Txn&) const { return "txn"; }
    const char* operator()(const CommitInfo&) const { return "commitInfo"; }
    const char* operator()(const DomainMetadata&) const { return "domainMetadata"; }
    const char* operator()(const Sidecar&) const { return "sidecar"; }
    const char* operator()(const CheckpointMetadata&) const { return "checkpointMetadata"; }
  };
  return std::visit(Visitor{}, action);
}

// Reads an interval property, falling back to `fallback` when it is absent or unparsable.
std::optional<int64_t> RetentionMillis(const Metadata& metadata, const char* key,
                                       std::optional<int64_t> fallback) {
  auto value = metadata.Config(key);
  if (!value) return fallback;
  auto millis = ParseIntervalMillis(*value);
  return millis.ok() ? std::optional<int64_t>(*millis) : fallback;
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Schema>> CheckpointSchema(const std::vector<Action>& actions) {
  ARROW_ASSIGN_OR_RAISE(bool write_stats, WriteStatsAsJson(actions));
  bool has_domains = std::any_of(actions.begin(), actions.end(), [](const Action& a) {
    return std::holds_alternative<DomainMetadata>(a);
  });
  arrow::FieldVector fields = {field("txn", TxnType()), field("add", AddType(write_stats)),
                               field("remove", RemoveType()), field("metaData", MetadataType()),
                               field("protocol", ProtocolType())};
  if (has_domains) fields.push_back(field("domainMetadata", DomainMetadataType()));
  return arrow::schema(std::move(fields));
}

arrow::Result<std::shared_ptr<arrow::Table>> CheckpointTable(const std::vector<Action>& actions) {
  ARROW_ASSIGN_OR_RAISE(auto schema, CheckpointSchema(actions));
  std::vector<std::unique_ptr<arrow::ArrayBuilder>> builders;
  for (const auto& f : schema->fields()) {
    ARROW_ASSIGN_OR_RAISE(auto builder, arrow::MakeBuilder(f->type()));
    builders.push_back(std::move(builder));
  }
  auto column = [&](const char* name) -> arrow::StructBuilder* {
    int index = schema->GetFieldIndex(name);
    return index < 0 ? nullptr : static_cast<arrow::StructBuilder*>(builders[index].get());
  };
  TxnAppender txn;
  AddAppender add;
  RemoveAppender remove;
  MetadataAppender metadata;
  ProtocolAppender protocol;
  DomainMetadataAppender domain;
  ARROW_RETURN_NOT_OK(txn.Init(column("txn")));
  ARROW_RETURN_NOT_OK(add.Init(column("add")));
  ARROW_RETURN_NOT_OK(remove.Init(column("remove")));
  ARROW_RETURN_NOT_OK(metadata.Init(column("metaData")));
  ARROW_RETURN_NOT_OK(protocol.Init(column("protocol")));
  if (column("domainMetadata") != nullptr) {
    ARROW_RETURN_NOT_OK(domain.Init(column("domainMetadata")));
  }

  for (auto& builder : builders) ARROW_RETURN_NOT_OK(builder->Reserve(actions.size()));
  for (size_t row = 0; row < actions.size(); ++row) {
    const Action& action = actions[row];
    arrow::StructBuilder* target = column(ActionName(action));
    // Append the action to its own column first, then a null to every other column.
    arrow::Status st = std::visit(
        [&](const auto& a) -> arrow::Status {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, Txn>) return txn.Append(a);
          if constexpr (std::is_same_v<T, AddFile>) return add.Append(a);
          if constexpr (std::is_same_v<T, RemoveFile>) return remove.Append(a);
          if constexpr (std::is_same_v<T, Metadata>) return metadata.Append(a);
          if constexpr (std::is_same_v<T, Protocol>) return protocol.Append(a);
          if constexpr (std::is_same_v<T, DomainMetadata>) return domain.Append(a);
          return arrow::Status::Invalid("a V1 checkpoint cannot hold a '", ActionName(action),
                                        "' action (action ", row, ")");
        },
        action);
    ARROW_RETURN_NOT_OK(st);
    for (auto& builder : builders) {
      if (builder.get() != target) ARROW_RETURN_NOT_OK(builder->AppendNull());
    }
  }

  arrow::ArrayVector columns;
  for (size_t i = 0; i < builders.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto array, builders[i]->Finish());
    if (!array->type()->Equals(*schema->field(static_cast<int>(i))->type())) {
      return arrow::Status::Invalid("checkpoint column '", schema->field(static_cast<int>(i))->name(),
                                    "' was built as ", array->type()->ToString());
    }
    columns.push_back(std::move(array));
  }
  return arrow::Table::Make(schema, std::move(columns), static_cast<int64_t>(actions.size()));
}

std::string LastCheckpointJson(const CheckpointResult& result) {
  nlohmann::ordered_json j;
  j["version"] = result.version;
  j["size"] = result.num_actions;
  j["sizeInBytes"] = result.size_in_bytes;
  j["numOfAddFiles"] = result.num_add_files;
  return j.dump();
}

arrow::Result<CheckpointResult> WriteCheckpoint(arrow::fs::FileSystem& fs,
                                                const std::string& log_dir, int64_t version,
                                                const std::vector<Action>& actions) {
  const std::string path = ClassicCheckpointPath(log_dir, version);
  ErrorContext context{.table = {}, .version = version, .file = path};
  if (version < 0) {
    return ErrorAt(arrow::StatusCode::Invalid, context, "a checkpoint version must be >= 0");
  }
  CheckpointResult result;
  result.version = version;
  result.num_actions = static_cast<int64_t>(actions.size());
  int64_t num_protocols = 0;
  int64_t num_metadata = 0;
  for (const auto& action : actions) {
    num_protocols += std::holds_alternative<Protocol>(action);
    num_metadata += std::holds_alternative<Metadata>(action);
    result.num_add_files += std::holds_alternative<AddFile>(action);
  }
  if (num_protocols != 1 || num_metadata != 1) {
    return ErrorAt(arrow::StatusCode::Invalid, context,
                   "a checkpoint must hold exactly one protocol and one metaData action, got " +
                       std::to_string(num_protocols) + " and " + std::to_string(num_metadata));
  }

  auto table = CheckpointTable(actions);
  if (!table.ok()) return AddContext(table.status(), context);

  // Serialize in memory, then publish with one atomic rename: the final name never holds a
  // partly written file, whatever happens to this process.
  auto sink_result = arrow::io::BufferOutputStream::Create();
  if (!sink_result.ok()) return AddContext(sink_result.status(), context);
  std::shared_ptr<arrow::io::BufferOutputStream> sink = *sink_result;
  auto properties = parquet::WriterProperties::Builder()
                        .compression(parquet::Compression::SNAPPY)
                        ->build();
  arrow::Status st = parquet::arrow::WriteTable(**table, arrow::default_memory_pool(), sink,
                                                parquet::DEFAULT_MAX_ROW_GROUP_LENGTH, properties);
  if (!st.ok()) return AddContext(st, context);
  auto buffer = sink->Finish();
  if (!buffer.ok()) return AddContext(buffer.status(), context);
  result.size_in_bytes = (*buffer)->size();

  // LogStore wants shared ownership; borrow the caller's if it has one, else alias without
  // owning (the store does not outlive this call).
  std::shared_ptr<arrow::fs::FileSystem> shared_fs = fs.weak_from_this().lock();
  if (!shared_fs) shared_fs = std::shared_ptr<arrow::fs::FileSystem>(std::shared_ptr<void>(), &fs);
  io::LogStore store(shared_fs);
  st = store.PutAtomic(path, std::string_view(reinterpret_cast<const char*>((*buffer)->data()),
                                              static_cast<size_t>((*buffer)->size())));
  if (!st.ok()) return AddContext(st, context);

  const std::string last_checkpoint = log_dir + "/_last_checkpoint";
  st = store.PutAtomic(last_checkpoint, LastCheckpointJson(result));
  if (!st.ok()) {
    return AddContext(st, ErrorContext{.table = {}, .version = version, .file = last_checkpoint});
  }
  return result;
}

std::vector<Action> CheckpointActions(const Protocol& protocol, const Metadata& metadata,
                                      const std::vector<AddFile>& adds,
                                      const std::vector<RemoveFile>& tombstones,
                                      const std::map<std::string, Txn>& txns,
                                      const std::map<std::string, DomainMetadata>& domains,
                                      int64_t now_ms) {
  static const int64_t kDefaultRetention = *ParseIntervalMillis(kDefaultDeletedFileRetention);
  const int64_t file_retention =
      *RetentionMillis(metadata, kDeletedFileRetention, kDefaultRetention);
  const std::optional<int64_t> txn_retention =
      RetentionMillis(metadata, kSetTransactionRetention, std::nullopt);

  std::vector<Action> actions;
  actions.reserve(2 + txns.size() + domains.size() + adds.size() + tombstones.size());
  actions.emplace_back(protocol);
  actions.emplace_back(metadata);
  for (const auto& [app_id, txn] : txns) {
    if (txn_retention &&
        (!txn.last_updated || *txn.last_updated <= now_ms - *txn_retention)) {
      continue;
    }
    actions.emplace_back(txn);
  }
  for (const auto& [name, domain] : domains) {
    if (domain.removed) continue;
    actions.emplace_back(domain);
  }
  for (const auto& add : adds) {
    AddFile copy = add;
    copy.data_change = false;
    actions.emplace_back(std::move(copy));
  }
  const int64_t min_deletion_timestamp = now_ms - file_retention;
  for (const auto& remove : tombstones) {
    if (remove.deletion_timestamp.value_or(0) <= min_deletion_timestamp) continue;
    RemoveFile copy = remove;
    copy.data_change = false;
    actions.emplace_back(std::move(copy));
  }
  return actions;
}

}  // namespace tidelake::delta
