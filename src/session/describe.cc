// DESCRIBE [TABLE] [EXTENDED] t [column], DESCRIBE DETAIL t, DESCRIBE HISTORY t [LIMIT n],
// DESCRIBE SOURCE s (and DESCRIBE s of a source), and SHOW TABLES | VIEWS | SOURCES [IN zone]
// [LIKE 'pattern'], SHOW COLUMNS IN t, SHOW CREATE TABLE t, SHOW TBLPROPERTIES t [(key)].
//
// Column layouts follow Spark and Delta: DESCRIBE gives (col_name, data_type, comment) rows
// with Spark's type names and, for a partitioned table, the "# Partition Information" section;
// EXTENDED adds "# Detailed Table Information" (and the statistics ANALYZE TABLE stored);
// DETAIL gives Delta's one-row table summary; HISTORY gives one row per commit, newest first.
// A LIKE pattern is Spark's: '*' matches any characters, '|' separates alternatives, and the
// match ignores case.
#include <arrow/api.h>

#include <algorithm>
#include <cstdio>
#include <type_traits>

#include "delta/history.h"
#include "delta/schema.h"
#include "delta/table.h"
#include "plan/functions.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "sql/ast_printer.h"
#include "stream/sink_factory.h"
#include "stream/source_factory.h"

namespace tidelake {

using session::At;
using session::DottedPath;
using session::InvalidAt;
using session::Lower;

namespace {

std::string CommentOf(const arrow::Field& field) {
  if (!field.metadata()) return "";
  auto c = field.metadata()->Get("comment");
  return c.ok() ? *c : "";
}

// Spark's LIKE for SHOW: '*' is any sequence, '|' separates alternatives, case-insensitive.
bool MatchesShowPattern(const std::string& name, const std::string& pattern) {
  std::string subject = Lower(name);
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t bar = pattern.find('|', start);
    std::string alternative = Lower(pattern.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    // Glob match with '*' by the classic two-pointer walk.
    size_t s = 0, p = 0, star = std::string::npos, mark = 0;
    while (s < subject.size()) {
      if (p < alternative.size() && alternative[p] == '*') {
        star = p++;
        mark = s;
      } else if (p < alternative.size() && alternative[p] == subject[s]) {
        ++p;
        ++s;
      } else if (star != std::string::npos) {
        p = star + 1;
        s = ++mark;
      } else {
        break;
      }
    }
    while (p < alternative.size() && alternative[p] == '*') ++p;
    if (s == subject.size() && p == alternative.size()) return true;
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return false;
}

// The table features a protocol has: its lists (reader/writer version 3/7), or those its
// legacy versions imply.
std::vector<std::string> TableFeatures(const delta::Protocol& protocol) {
  std::vector<std::string> out;
  if (protocol.reader_features) out = *protocol.reader_features;
  if (protocol.writer_features) {
    for (const auto& f : *protocol.writer_features) out.push_back(f);
  } else {
    int w = protocol.min_writer_version;
    if (w >= 2) out.insert(out.end(), {"appendOnly", "invariants"});
    if (w >= 3) out.emplace_back("checkConstraints");
    if (w >= 4) out.insert(out.end(), {"changeDataFeed", "generatedColumns"});
    if (w >= 5) out.emplace_back("columnMapping");
    if (w >= 6) out.emplace_back("identityColumns");
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string FormatTimestamp(int64_t ms) {
  auto scalar = session::TimestampValue(ms);
  return scalar->ToString();
}

std::string PropertiesText(const std::map<std::string, std::string>& configuration) {
  std::string out = "[";
  for (const auto& [k, v] : configuration) out += (out.size() > 1 ? "," : "") + k + "=" + v;
  return out + "]";
}

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6g", value);
  return buffer;
}

// The type as CREATE TABLE spells it (atomic types upper case, as Spark prints them).
std::string DdlTypeName(const arrow::DataType& type) {
  std::string name = plan::SqlTypeName(type);
  if (arrow::is_nested(type.id())) return name;
  for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

// A watermark delay as SQL writes it: INTERVAL '5' SECOND, INTERVAL '250' MILLISECOND.
std::string DelayText(int64_t delay_us) {
  if (delay_us % 1000000 == 0) return "INTERVAL '" + std::to_string(delay_us / 1000000) + "' SECOND";
  if (delay_us % 1000 == 0) return "INTERVAL '" + std::to_string(delay_us / 1000) + "' MILLISECOND";
  return "INTERVAL '" + std::to_string(delay_us) + "' MICROSECOND";
}

// Source options as DESCRIBE shows them: secrets (passwords, JAAS configurations) masked.
std::map<std::string, std::string> ShownOptions(const std::map<std::string, std::string>& options) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : options) {
    const std::string key = Lower(k);
    const bool secret = key.find("password") != std::string::npos || key.find("secret") != std::string::npos ||
                        key.find("jaas") != std::string::npos;
    out[k] = secret ? "*********(redacted)" : v;
  }
  return out;
}

}  // namespace

// DESCRIBE SOURCE s: its columns (the declared ones, then the connector's metadata columns) and
// what it reads: connector, watermark and options. DESCRIBE of a connector table (which is kept
// as a source is: connector_tables.cc) shows its columns and its connector the same way.
arrow::Result<StatementResult> Session::Impl::DescribeSource(const sql::DescribeStatement& describe) {
  ARROW_ASSIGN_OR_RAISE(auto found, At(describe.table.pos, FindConnectorDefinition(describe.table.parts)));
  if (!found) return InvalidAt(describe.table.pos, "source '", sql::ToString(describe.table), "' not found");
  const catalog::SourceDefinition& source = *found;
  const bool written = stream::IsSinkConnector(source.connector);
  std::vector<std::vector<std::string>> rows;
  for (const auto& field : source.columns->fields()) {
    rows.push_back({field->name(), plan::SqlTypeName(*field->type()), CommentOf(*field)});
  }
  if (!written) {
    ARROW_ASSIGN_OR_RAISE(auto metadata, At(describe.table.pos, stream::SourceMetadataColumns(source)));
    for (const auto& field : metadata) {
      rows.push_back({field->name(), plan::SqlTypeName(*field->type()), "metadata (not in *)"});
    }
  }
  rows.push_back({"", "", ""});
  rows.push_back({written ? "# Connector Table Information" : "# Source Information", "", ""});
  rows.push_back({"Name", source.name.ToString(), ""});
  rows.push_back({"Connector", source.connector, ""});
  if (source.watermark) {
    rows.push_back({"Watermark", source.watermark->column + " - " + DelayText(source.watermark->delay_us), ""});
  }
  rows.push_back({"Options", PropertiesText(ShownOptions(source.options)), ""});
  StatementResult result;
  ARROW_ASSIGN_OR_RAISE(result.rows, (session::StringRows({"col_name", "data_type", "comment"}, rows)));
  return result;
}

// DESCRIBE t col: Spark's (info_name, info_value) rows for one column (a struct's field by its
// path); EXTENDED adds the statistics ANALYZE TABLE ... FOR COLUMNS stored, when they describe
// the table's current version (Spark prints NULL for each one it lacks).
arrow::Result<StatementResult> Session::Impl::DescribeColumn(const sql::DescribeStatement& describe,
                                                             const delta::Snapshot& snapshot) {
  const auto& path = describe.column->parts;
  std::shared_ptr<arrow::Field> field;
  arrow::FieldVector candidates = snapshot.schema()->fields();
  std::string spelled;
  for (size_t depth = 0; depth < path.size(); ++depth) {
    field = nullptr;
    for (const auto& f : candidates) {
      if (Lower(f->name()) == Lower(path[depth])) field = f;
    }
    if (!field) {
      return InvalidAt(describe.column->pos, "table '", snapshot.location().display_name, "' has no column '",
                       DottedPath(path), "'");
    }
    spelled += (depth ? "." : "") + field->name();
    if (depth + 1 < path.size()) {
      if (field->type()->id() != arrow::Type::STRUCT) {
        return InvalidAt(describe.column->pos, "column '", spelled, "' is not a struct, so it has no field '",
                         path[depth + 1], "'");
      }
      candidates = field->type()->fields();
    }
  }
  std::vector<std::vector<std::string>> rows{{"col_name", spelled},
                                             {"data_type", plan::SqlTypeName(*field->type())},
                                             {"comment", CommentOf(*field).empty() ? "NULL" : CommentOf(*field)}};
  if (describe.extended) {
    std::optional<catalog::Lake::TableStatistics> stats;
    if (auto lake_name = LakeNameOf(snapshot.location())) {
      ARROW_ASSIGN_OR_RAISE(stats, At(describe.table.pos, lake_->ReadStatistics(*lake_name)));
    }
    const catalog::Lake::ColumnStatistics* column = nullptr;
    if (stats && stats->table_version == snapshot.version() && path.size() == 1) {
      for (const auto& c : stats->columns) {
        if (Lower(c.name) == Lower(field->name())) column = &c;
      }
    }
    auto text = [&](auto member) -> std::string {
      if (column == nullptr || !(column->*member)) return "NULL";
      const auto& value = *(column->*member);
      if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::string>) {
        return value;
      } else if constexpr (std::is_same_v<std::decay_t<decltype(value)>, double>) {
        return Number(value);
      } else {
        return std::to_string(value);
      }
    };
    using Stats = catalog::Lake::ColumnStatistics;
    rows.push_back({"min", text(&Stats::min)});
    rows.push_back({"max", text(&Stats::max)});
    rows.push_back({"num_nulls", text(&Stats::null_count)});
    rows.push_back({"distinct_count", text(&Stats::distinct_count)});
    rows.push_back({"avg_col_len", text(&Stats::avg_length)});
    rows.push_back({"max_col_len", text(&Stats::max_length)});
  }
  StatementResult result;
  ARROW_ASSIGN_OR_RAISE(result.rows, (session::StringRows({"info_name", "info_value"}, rows)));
  return result;
}

arrow::Result<StatementResult> Session::Impl::Describe(const sql::DescribeStatement& describe) {
  if (describe.what == sql::DescribeKind::kSource) return DescribeSource(describe);
  if (describe.what == sql::DescribeKind::kTable && !describe.column) {
    ARROW_ASSIGN_OR_RAISE(auto table, At(describe.table.pos, FindTable(describe.table.parts)));
    if (!table) {
      ARROW_ASSIGN_OR_RAISE(auto source, At(describe.table.pos, FindConnectorDefinition(describe.table.parts)));
      if (source) return DescribeSource(describe);
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(describe.table));
  StatementResult result;
  if (describe.what == sql::DescribeKind::kHistory) {
    ARROW_ASSIGN_OR_RAISE(auto history, At(describe.table.pos, delta::History(location, describe.limit)));
    auto schema = arrow::schema({arrow::field("version", arrow::int64()), arrow::field("timestamp", session::TimestampType()),
                                 arrow::field("operation", arrow::utf8()),
                                 arrow::field("operationParameters", session::StringMapType()),
                                 arrow::field("readVersion", arrow::int64()),
                                 arrow::field("isolationLevel", arrow::utf8()),
                                 arrow::field("isBlindAppend", arrow::boolean()),
                                 arrow::field("operationMetrics", session::StringMapType()),
                                 arrow::field("engineInfo", arrow::utf8())});
    std::vector<session::ScalarRow> rows;
    for (const auto& h : history) {
      rows.push_back({session::Int64Value(h.version), session::TimestampValue(h.timestamp_ms),
                      session::StringValue(h.operation), session::StringMapValue(h.operation_parameters),
                      h.read_version ? session::Int64Value(*h.read_version) : nullptr,
                      h.isolation_level ? session::StringValue(*h.isolation_level) : nullptr,
                      h.is_blind_append ? std::make_shared<arrow::BooleanScalar>(*h.is_blind_append) : nullptr,
                      session::StringMapValue(h.operation_metrics),
                      h.engine_info.empty() ? nullptr : session::StringValue(h.engine_info)});
    }
    ARROW_ASSIGN_OR_RAISE(result.rows, session::MakeRows(schema, rows));
    return result;
  }

  ARROW_ASSIGN_OR_RAISE(auto snapshot, At(describe.table.pos, delta::Snapshot::Load(location)));
  const auto& metadata = snapshot->metadata();
  auto lake_name = LakeNameOf(location);
  if (describe.what == sql::DescribeKind::kDetail) {
    auto schema = arrow::schema({
        arrow::field("format", arrow::utf8()),
        arrow::field("id", arrow::utf8()),
        arrow::field("name", arrow::utf8()),
        arrow::field("description", arrow::utf8()),
        arrow::field("location", arrow::utf8()),
        arrow::field("createdAt", session::TimestampType()),
        arrow::field("lastModified", session::TimestampType()),
        arrow::field("partitionColumns", session::StringListType()),
        arrow::field("clusteringColumns", session::StringListType()),
        arrow::field("numFiles", arrow::int64()),
        arrow::field("sizeInBytes", arrow::int64()),
        arrow::field("properties", session::StringMapType()),
        arrow::field("minReaderVersion", arrow::int32()),
        arrow::field("minWriterVersion", arrow::int32()),
        arrow::field("tableFeatures", session::StringListType()),
    });
    session::ScalarRow row{
        session::StringValue("delta"),
        session::StringValue(metadata.id),
        lake_name ? session::StringValue(lake_name->ToString()) : nullptr,
        metadata.description ? session::StringValue(*metadata.description) : nullptr,
        session::StringValue(location.root),
        metadata.created_time ? session::TimestampValue(*metadata.created_time) : nullptr,
        session::TimestampValue(snapshot->timestamp_ms()),
        session::StringListValue(metadata.partition_columns),
        session::StringListValue({}),
        session::Int64Value(static_cast<int64_t>(snapshot->files().size())),
        session::Int64Value(snapshot->SizeInBytes()),
        session::StringMapValue(metadata.configuration),
        session::Int32Value(snapshot->protocol().min_reader_version),
        session::Int32Value(snapshot->protocol().min_writer_version),
        session::StringListValue(TableFeatures(snapshot->protocol())),
    };
    ARROW_ASSIGN_OR_RAISE(result.rows, session::MakeRows(schema, {row}));
    return result;
  }

  if (describe.column) return DescribeColumn(describe, *snapshot);

  std::vector<std::vector<std::string>> rows;
  for (const auto& field : snapshot->schema()->fields()) {
    rows.push_back({field->name(), plan::SqlTypeName(*field->type()), CommentOf(*field)});
  }
  if (!metadata.partition_columns.empty()) {
    rows.push_back({"# Partition Information", "", ""});
    rows.push_back({"# col_name", "data_type", "comment"});
    for (const auto& p : metadata.partition_columns) {
      auto field = snapshot->schema()->GetFieldByName(p);
      rows.push_back({p, field ? plan::SqlTypeName(*field->type()) : "", field ? CommentOf(*field) : ""});
    }
  }
  if (describe.extended) {
    rows.push_back({"", "", ""});
    rows.push_back({"# Detailed Table Information", "", ""});
    rows.push_back({"Name", lake_name ? lake_name->ToString() : location.display_name, ""});
    bool external = !lake_name;
    if (lake_name) {
      ARROW_ASSIGN_OR_RAISE(auto registered, At(describe.table.pos, lake_->ExternalLocation(*lake_name)));
      external = registered.has_value();
    }
    rows.push_back({"Type", external ? "EXTERNAL" : "MANAGED", ""});
    rows.push_back({"Location", location.root, ""});
    rows.push_back({"Provider", "delta", ""});
    rows.push_back({"Version", std::to_string(snapshot->version()), ""});
    if (metadata.created_time) rows.push_back({"Created Time", FormatTimestamp(*metadata.created_time), ""});
    rows.push_back({"Last Modified", FormatTimestamp(snapshot->timestamp_ms()), ""});
    if (metadata.description) rows.push_back({"Comment", *metadata.description, ""});
    rows.push_back({"Table Properties", PropertiesText(metadata.configuration), ""});
    std::optional<catalog::Lake::TableStatistics> stats;
    if (lake_name) {
      ARROW_ASSIGN_OR_RAISE(stats, At(describe.table.pos, lake_->ReadStatistics(*lake_name)));
    }
    if (stats) {
      std::string text = std::to_string(stats->size_in_bytes) + " bytes";
      if (stats->row_count) text += ", " + std::to_string(*stats->row_count) + " rows";
      text += stats->table_version == snapshot->version()
                  ? ""
                  : " (stale: analyzed at version " + std::to_string(stats->table_version) + ")";
      rows.push_back({"Statistics", text, ""});
      if (!stats->columns.empty()) {
        rows.push_back({"", "", ""});
        rows.push_back({"# Column Statistics", "", ""});
        for (const auto& c : stats->columns) {
          std::string text;
          auto add = [&](const std::string& key, const std::string& value) {
            text += (text.empty() ? "" : ", ") + key + "=" + value;
          };
          if (c.min) add("min", *c.min);
          if (c.max) add("max", *c.max);
          if (c.null_count) add("num_nulls", std::to_string(*c.null_count));
          if (c.distinct_count) add("distinct_count", std::to_string(*c.distinct_count));
          if (c.avg_length) add("avg_col_len", Number(*c.avg_length));
          if (c.max_length) add("max_col_len", std::to_string(*c.max_length));
          rows.push_back({c.name, text, ""});
        }
      }
    }
  }
  ARROW_ASSIGN_OR_RAISE(result.rows, (session::StringRows({"col_name", "data_type", "comment"}, rows)));
  return result;
}

arrow::Result<StatementResult> Session::Impl::Show(const sql::ShowStatement& show) {
  StatementResult result;
  const bool tables = show.what == sql::ShowKind::kTables, views = show.what == sql::ShowKind::kViews;
  if (tables || views || show.what == sql::ShowKind::kSources) {
    const char* what = tables ? "TABLES" : views ? "VIEWS" : "SOURCES";
    std::optional<std::string> zone;
    if (!show.object.empty()) {
      if (show.object.parts.size() != 1) {
        return InvalidAt(show.object.pos, "SHOW ", what, " IN takes a zone name (raw, refined, curated, ...), got '",
                         sql::ToString(show.object), "'");
      }
      zone = Lower(show.object.parts[0]);
    } else if (!current_zone_.empty()) {
      zone = current_zone_;  // as Spark lists the current database
    }
    const sql::SourcePos& at = show.object.empty() ? show.pos : show.object.pos;
    std::vector<std::string> names;
    if (tables) {
      ARROW_ASSIGN_OR_RAISE(names, At(at, lake_->ListTables(zone)));
    } else if (views) {
      ARROW_ASSIGN_OR_RAISE(names, At(at, lake_->ListViews(zone)));
    }
    if (!views) {
      // Connector definitions are tables when their connector writes (connector_tables.cc),
      // sources otherwise.
      ARROW_ASSIGN_OR_RAISE(auto definitions, At(at, lake_->ListSources(zone)));
      for (const auto& n : definitions) {
        ARROW_ASSIGN_OR_RAISE(auto name, At(at, catalog::TableName::Parse(n)));
        ARROW_ASSIGN_OR_RAISE(auto definition, At(at, lake_->FindSource(name)));
        if (definition && stream::IsSinkConnector(definition->connector) == tables) names.push_back(n);
      }
      std::sort(names.begin(), names.end());
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& n : names) {
      auto dot = n.find('.');
      rows.push_back({n.substr(0, dot), n.substr(dot + 1)});
    }
    // Temporary views belong to no zone; Spark lists them with every SHOW VIEWS.
    if (show.what == sql::ShowKind::kViews) {
      for (const auto& [_, view] : temp_views_) rows.push_back({"", view.name});
    }
    if (show.pattern) {
      std::erase_if(rows, [&](const std::vector<std::string>& row) { return !MatchesShowPattern(row[1], *show.pattern); });
    }
    const char* column = tables ? "table" : views ? "view" : "source";
    ARROW_ASSIGN_OR_RAISE(result.rows, (session::StringRows({"zone", column}, rows)));
    return result;
  }

  ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(show.object));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, At(show.object.pos, delta::Snapshot::Load(location)));
  if (show.what == sql::ShowKind::kTblProperties) {
    // As Delta shows them: the table's configuration, then its protocol versions and features.
    std::map<std::string, std::string> properties = snapshot->metadata().configuration;
    const auto& protocol = snapshot->protocol();
    properties["delta.minReaderVersion"] = std::to_string(protocol.min_reader_version);
    properties["delta.minWriterVersion"] = std::to_string(protocol.min_writer_version);
    if (protocol.writer_features) {
      for (const auto& f : TableFeatures(protocol)) properties["delta.feature." + f] = "supported";
    }
    std::vector<std::vector<std::string>> rows;
    if (show.pattern) {
      auto it = properties.find(*show.pattern);
      rows.push_back({*show.pattern, it != properties.end() ? it->second
                                                           : "Table " + location.display_name +
                                                                 " does not have property: " + *show.pattern});
      ARROW_ASSIGN_OR_RAISE(result.rows, (session::StringRows({"key", "value"}, rows)));
      return result;
    }
    for (const auto& [k, v] : properties) rows.push_back({k, v});
    ARROW_ASSIGN_OR_RAISE(result.rows, (session::StringRows({"key", "value"}, rows)));
    return result;
  }
  if (show.what == sql::ShowKind::kColumns) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : snapshot->schema()->fields()) rows.push_back({f->name()});
    ARROW_ASSIGN_OR_RAISE(result.rows, (session::StringRows({"col_name"}, rows)));
    return result;
  }

  // SHOW CREATE TABLE: a statement that creates an empty table like this one.
  const auto& metadata = snapshot->metadata();
  auto lake_name = LakeNameOf(location);
  std::string text = "CREATE TABLE " + (lake_name ? sql::QuoteIdentifier(lake_name->zone) + "." +
                                                        sql::QuoteIdentifier(lake_name->table)
                                                  : "delta.`" + location.display_name + "`");
  text += " (\n";
  const auto& fields = snapshot->schema()->fields();
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i];
    text += "  " + sql::QuoteIdentifier(f->name()) + " " + DdlTypeName(*f->type());
    if (!f->nullable()) text += " NOT NULL";
    std::string comment = CommentOf(*f);
    if (!comment.empty()) text += " COMMENT " + sql::QuoteString(comment);
    text += i + 1 < fields.size() ? ",\n" : ")\n";
  }
  text += "USING delta";
  if (!metadata.partition_columns.empty()) {
    text += "\nPARTITIONED BY (";
    for (size_t i = 0; i < metadata.partition_columns.size(); ++i) {
      text += (i ? ", " : "") + sql::QuoteIdentifier(metadata.partition_columns[i]);
    }
    text += ")";
  }
  if (metadata.description) text += "\nCOMMENT " + sql::QuoteString(*metadata.description);
  // Column mapping's bookkeeping is not the user's to set.
  std::map<std::string, std::string> properties = metadata.configuration;
  properties.erase("delta.columnMapping.maxColumnId");
  if (!properties.empty()) {
    text += "\nTBLPROPERTIES (";
    bool first = true;
    for (const auto& [k, v] : properties) {
      text += (first ? "\n  " : ",\n  ") + sql::QuoteString(k) + " = " + sql::QuoteString(v);
      first = false;
    }
    text += ")";
  }
  ARROW_ASSIGN_OR_RAISE(result.rows, (session::StringRows({"createtab_stmt"}, {{text}})));
  return result;
}

}  // namespace tidelake
