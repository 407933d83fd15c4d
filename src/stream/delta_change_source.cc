#include "stream/delta_change_source.h"

#include <arrow/api.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "delta/change_data_feed.h"
#include "delta/scan.h"

namespace tidelake::stream {

using json = nlohmann::json;

arrow::FieldVector DeltaChangeSource::ChangeColumns() {
  return {arrow::field("_change_type", arrow::utf8()), arrow::field("_commit_version", arrow::int64()),
          arrow::field("_commit_timestamp", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"))};
}

DeltaChangeSource::DeltaChangeSource(std::string name, delta::TableLocation location,
                                     DeltaChangeSourceOptions options, std::shared_ptr<const delta::Snapshot> snapshot)
    : name_(std::move(name)), location_(std::move(location)), options_(options), snapshot_(std::move(snapshot)) {
  arrow::FieldVector fields = snapshot_->schema()->fields();
  for (auto& field : ChangeColumns()) fields.push_back(std::move(field));
  schema_ = arrow::schema(std::move(fields));
}

arrow::Result<std::unique_ptr<DeltaChangeSource>> DeltaChangeSource::Make(std::string name,
                                                                          delta::TableLocation location,
                                                                          DeltaChangeSourceOptions options) {
  if (options.max_versions_per_trigger < 1) {
    return arrow::Status::Invalid("change feed source '", name, "': at most N versions per trigger needs N >= 1");
  }
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(location));
  if (options.starting_version && (*options.starting_version < 0 || *options.starting_version > snapshot->version())) {
    return arrow::Status::Invalid("change feed source '", name, "': starting version ", *options.starting_version,
                                  " of table '", location.display_name, "' is outside 0..", snapshot->version());
  }
  return std::unique_ptr<DeltaChangeSource>(
      new DeltaChangeSource(std::move(name), std::move(location), options, std::move(snapshot)));
}

std::string DeltaChangeSource::Format(const Position& position) const {
  return json{{"reservoirId", snapshot_->metadata().id}, {"version", position.version},
              {"snapshot", position.snapshot}}
      .dump();
}

arrow::Result<DeltaChangeSource::Position> DeltaChangeSource::Parse(const std::string& offset) const {
  json j = json::parse(offset, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("reservoirId") || !j["reservoirId"].is_string() ||
      !j.contains("version") || !j["version"].is_number_integer() || !j.contains("snapshot") ||
      !j["snapshot"].is_boolean()) {
    return arrow::Status::Invalid("offset of change feed source '", name_, "' is not valid: ", offset.substr(0, 200));
  }
  if (j["reservoirId"].get<std::string>() != snapshot_->metadata().id) {
    return arrow::Status::Invalid("the checkpoint of change feed source '", name_, "' is for table id ",
                                  j["reservoirId"].get<std::string>(), ", but table '", location_.display_name,
                                  "' has id ", snapshot_->metadata().id,
                                  " (was it replaced?); restart the query from a new checkpoint");
  }
  return Position{j["version"].get<int64_t>(), j["snapshot"].get<bool>()};
}

arrow::Result<bool> DeltaChangeSource::CommitExists(int64_t version) const {
  ARROW_ASSIGN_OR_RAISE(auto info, location_.fs->GetFileInfo(delta::CommitPath(location_.LogDir(), version)));
  return info.type() == arrow::fs::FileType::File;
}

arrow::Result<std::string> DeltaChangeSource::InitialOffset() {
  if (options_.starting_version) return Format({*options_.starting_version, /*snapshot=*/false});
  return Format({snapshot_->version(), /*snapshot=*/true});
}

arrow::Status DeltaChangeSource::PrepareAvailableNow(const std::string&) {
  ARROW_ASSIGN_OR_RAISE(auto latest, delta::Snapshot::Load(location_));
  available_now_ = latest->version();
  return arrow::Status::OK();
}

arrow::Result<std::optional<std::string>> DeltaChangeSource::NextEnd(const std::string& start) {
  ARROW_ASSIGN_OR_RAISE(Position from, Parse(start));
  // The commits to read: from.version on (after it, when its snapshot is read instead), while
  // they exist, at most max_versions_per_trigger of them.
  int64_t next = from.snapshot ? from.version + 1 : from.version;
  int64_t limit = next + options_.max_versions_per_trigger;
  if (available_now_) limit = std::min(limit, *available_now_ + 1);
  while (next < limit) {
    ARROW_ASSIGN_OR_RAISE(bool exists, CommitExists(next));
    if (!exists) break;
    ++next;
  }
  if (!from.snapshot && next == from.version) return std::nullopt;
  return Format({next, /*snapshot=*/false});
}

arrow::Result<std::shared_ptr<arrow::Table>> DeltaChangeSource::SnapshotAsInserts(int64_t version) const {
  std::shared_ptr<const delta::Snapshot> snapshot = snapshot_;
  if (snapshot->version() != version) {
    ARROW_ASSIGN_OR_RAISE(snapshot, delta::Snapshot::Load(location_, version));
  }
  ARROW_ASSIGN_OR_RAISE(auto scan, delta::Scan::Make(snapshot, delta::ScanOptions{}));
  ARROW_ASSIGN_OR_RAISE(auto rows, scan->ToTable());
  ARROW_ASSIGN_OR_RAISE(auto timestamps, delta::Snapshot::CommitTimestamps(location_));
  int64_t timestamp_ms = 0;
  for (const auto& t : timestamps) {
    if (t.version == version) timestamp_ms = t.timestamp_ms;
  }
  const int64_t n = rows->num_rows();
  ARROW_ASSIGN_OR_RAISE(auto type, arrow::MakeArrayFromScalar(arrow::StringScalar("insert"), n));
  ARROW_ASSIGN_OR_RAISE(auto at, arrow::MakeArrayFromScalar(arrow::Int64Scalar(version), n));
  ARROW_ASSIGN_OR_RAISE(auto when,
                        arrow::MakeArrayFromScalar(arrow::TimestampScalar(timestamp_ms * 1000, ChangeColumns()[2]->type()),
                                                   n));
  arrow::ChunkedArrayVector columns = rows->columns();
  for (const auto& array : {type, at, when}) columns.push_back(std::make_shared<arrow::ChunkedArray>(array));
  arrow::FieldVector fields = rows->schema()->fields();
  for (auto& field : ChangeColumns()) fields.push_back(std::move(field));
  return arrow::Table::Make(arrow::schema(std::move(fields)), std::move(columns), n);
}

arrow::Result<std::shared_ptr<arrow::Table>> DeltaChangeSource::Conform(const std::shared_ptr<arrow::Table>& table) const {
  arrow::ChunkedArrayVector columns;
  for (const auto& field : schema_->fields()) {
    auto column = table->GetColumnByName(field->name());
    if (!column) {
      ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(), table->num_rows()));
      column = std::make_shared<arrow::ChunkedArray>(nulls);
    } else if (!column->type()->Equals(*field->type())) {
      return arrow::Status::Invalid("the schema of table '", location_.display_name, "' changed (column ",
                                    field->name(), " is now ", column->type()->ToString(), ", was ",
                                    field->type()->ToString(), "); restart the streaming query to read the new schema");
    }
    columns.push_back(std::move(column));
  }
  return arrow::Table::Make(schema_, std::move(columns), table->num_rows());
}

arrow::Result<std::shared_ptr<arrow::Table>> DeltaChangeSource::Read(const std::string& start, const std::string& end) {
  ARROW_ASSIGN_OR_RAISE(Position from, Parse(start));
  ARROW_ASSIGN_OR_RAISE(Position to, Parse(end));
  std::vector<std::shared_ptr<arrow::Table>> parts;
  if (from.snapshot) {
    ARROW_ASSIGN_OR_RAISE(auto inserts, SnapshotAsInserts(from.version));
    ARROW_ASSIGN_OR_RAISE(inserts, Conform(inserts));
    parts.push_back(std::move(inserts));
  }
  const int64_t first = from.snapshot ? from.version + 1 : from.version;
  if (first < to.version) {
    auto changes = delta::ReadChanges(location_, first, to.version - 1);
    if (!changes.ok()) {
      return changes.status().WithMessage("change feed source '", name_, "': ", changes.status().message());
    }
    ARROW_ASSIGN_OR_RAISE(auto conformed, Conform(*changes));
    parts.push_back(std::move(conformed));
  }
  if (parts.empty()) return arrow::Table::MakeEmpty(schema_);
  return arrow::ConcatenateTables(parts);
}

}  // namespace tidelake::stream
