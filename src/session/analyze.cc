// ANALYZE TABLE t COMPUTE STATISTICS [NOSCAN | FOR COLUMNS a, b | FOR ALL COLUMNS], and the
// statistics the planner asks for (BinderCatalog::TableStatistics).
//
// What is computed, at the table's latest version (recorded with the statistics):
//  - always: size in bytes and number of files (from the Delta log);
//  - without NOSCAN: the row count — from the log's per-file numRecords when every file has
//    them (exact: Delta writers count the rows they write, deletion vectors subtracted), else
//    by counting the rows;
//  - FOR COLUMNS / FOR ALL COLUMNS, in one scan of the table: per column the null count and the
//    number of distinct non-null values (exact, by hashing: no HyperLogLog estimate); min and
//    max for numbers, decimals, dates, timestamps and booleans; average and maximum length in
//    bytes for strings and binaries; only the null count for nested types. As in Spark,
//    strings get no min/max (they can be arbitrarily long and rarely help a planner).
// The scan is an ordinary query (SELECT count(DISTINCT c), ... FROM t VERSION AS OF v), so it
// runs on the executor with the session's memory limit.
//
// Statistics are stored in the lake catalog beside the table (catalog::Lake::WriteStatistics);
// column statistics computed earlier at the same table version are kept when other columns are
// analyzed. A table given by path has no catalog entry, so it cannot be analyzed.
#include <arrow/api.h>

#include "common/clock.h"
#include "delta/schema.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "session/statistics.h"
#include "sql/ast_printer.h"
#include "sql/parser.h"

namespace tidelake {

using session::At;
using session::InvalidAt;
using session::Lower;

namespace {

enum class StatsKind { kOrdered, kLength, kNullsOnly };

StatsKind KindOf(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
      return StatsKind::kLength;
    case arrow::Type::STRUCT:
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::MAP:
    case arrow::Type::NA:
      return StatsKind::kNullsOnly;
    default:
      return StatsKind::kOrdered;
  }
}

std::optional<int64_t> AsInt(const std::shared_ptr<arrow::Scalar>& s) {
  if (!s || !s->is_valid) return std::nullopt;
  auto cast = s->CastTo(arrow::int64());
  if (!cast.ok()) return std::nullopt;
  return std::static_pointer_cast<arrow::Int64Scalar>(*cast)->value;
}

std::optional<double> AsDouble(const std::shared_ptr<arrow::Scalar>& s) {
  if (!s || !s->is_valid) return std::nullopt;
  auto cast = s->CastTo(arrow::float64());
  if (!cast.ok()) return std::nullopt;
  return std::static_pointer_cast<arrow::DoubleScalar>(*cast)->value;
}

}  // namespace

arrow::Result<StatementResult> Session::Impl::Analyze(const sql::AnalyzeStatement& analyze) {
  ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(analyze.table));
  auto name = LakeNameOf(location);
  if (!name) {
    return InvalidAt(analyze.table.pos, "ANALYZE TABLE keeps statistics in the lake catalog, which has no entry for "
                                        "a table given by path ('",
                     location.display_name, "'); analyze a lake table (zone.table)");
  }
  ARROW_ASSIGN_OR_RAISE(auto snapshot, At(analyze.table.pos, delta::Snapshot::Load(location)));
  const auto& schema = *snapshot->schema();

  // The columns to analyze, in the table's spelling.
  std::vector<std::shared_ptr<arrow::Field>> columns;
  if (analyze.mode == sql::AnalyzeMode::kForAllColumns) {
    columns = schema.fields();
  } else if (analyze.mode == sql::AnalyzeMode::kForColumns) {
    for (const auto& c : analyze.columns) {
      std::shared_ptr<arrow::Field> field;
      for (const auto& f : schema.fields()) {
        if (Lower(f->name()) == Lower(c)) field = f;
      }
      if (!field) {
        std::string names;
        for (const auto& f : schema.fields()) names += (names.empty() ? "" : ", ") + f->name();
        return InvalidAt(analyze.pos, "column '", c, "' not found in table '", location.display_name, "' (columns: ",
                         names, ")");
      }
      if (std::find(columns.begin(), columns.end(), field) == columns.end()) columns.push_back(field);
    }
  }

  catalog::Lake::TableStatistics stats;
  stats.table_version = snapshot->version();
  stats.computed_at_ms = NowMillis();
  stats.size_in_bytes = snapshot->SizeInBytes();
  stats.num_files = static_cast<int64_t>(snapshot->files().size());
  if (analyze.mode != sql::AnalyzeMode::kNoScan) {
    int64_t from_log = snapshot->NumRecords();
    if (from_log >= 0 && columns.empty()) stats.row_count = from_log;
  }

  bool scan = analyze.mode != sql::AnalyzeMode::kNoScan && (!stats.row_count || !columns.empty());
  if (scan) {
    // One query computes the row count and every column's statistics.
    std::string select = "SELECT count(*)";
    for (const auto& f : columns) {
      std::string c = sql::QuoteIdentifier(f->name());
      select += ", count(" + c + ")";
      switch (KindOf(*f->type())) {
        case StatsKind::kOrdered:
          select += ", count(DISTINCT " + c + "), min(" + c + "), max(" + c + ")";
          break;
        case StatsKind::kLength: {
          std::string length = f->type()->id() == arrow::Type::STRING || f->type()->id() == arrow::Type::LARGE_STRING
                                   ? "octet_length(" + c + ")"
                                   : "length(" + c + ")";
          select += ", count(DISTINCT " + c + "), avg(" + length + "), max(" + length + ")";
          break;
        }
        case StatsKind::kNullsOnly:
          break;
      }
    }
    select += " FROM " + sql::QuoteIdentifier(name->zone) + "." + sql::QuoteIdentifier(name->table) +
              " VERSION AS OF " + std::to_string(snapshot->version());
    ARROW_ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(select));
    ARROW_ASSIGN_OR_RAISE(auto query, At(analyze.pos, RunQuery(*statement->As<sql::QueryStatement>().query)));
    ARROW_ASSIGN_OR_RAISE(auto table, At(analyze.pos, query.rows->ToTable()));
    if (table->num_rows() != 1) return arrow::Status::Invalid("ANALYZE: the statistics query returned no row");
    int next = 0;
    auto value = [&]() -> arrow::Result<std::shared_ptr<arrow::Scalar>> { return table->column(next++)->GetScalar(0); };
    ARROW_ASSIGN_OR_RAISE(auto count, value());
    stats.row_count = AsInt(count);
    for (const auto& f : columns) {
      catalog::Lake::ColumnStatistics column;
      column.name = f->name();
      column.data_type = delta::DeltaTypeName(*f->type());
      ARROW_ASSIGN_OR_RAISE(auto non_null, value());
      if (stats.row_count && AsInt(non_null)) column.null_count = *stats.row_count - *AsInt(non_null);
      switch (KindOf(*f->type())) {
        case StatsKind::kOrdered: {
          ARROW_ASSIGN_OR_RAISE(auto distinct, value());
          ARROW_ASSIGN_OR_RAISE(auto min, value());
          ARROW_ASSIGN_OR_RAISE(auto max, value());
          column.distinct_count = AsInt(distinct);
          column.min = session::StatisticText(min);
          column.max = session::StatisticText(max);
          break;
        }
        case StatsKind::kLength: {
          ARROW_ASSIGN_OR_RAISE(auto distinct, value());
          ARROW_ASSIGN_OR_RAISE(auto avg, value());
          ARROW_ASSIGN_OR_RAISE(auto max, value());
          column.distinct_count = AsInt(distinct);
          // An all-null column has lengths of nothing: Spark reports 0 (its default size).
          column.avg_length = AsDouble(avg).value_or(0);
          column.max_length = AsInt(max).value_or(0);
          break;
        }
        case StatsKind::kNullsOnly:
          break;
      }
      stats.columns.push_back(std::move(column));
    }
  }

  // Column statistics of the same table version stay valid for the columns not analyzed now.
  ARROW_ASSIGN_OR_RAISE(auto previous, At(analyze.pos, lake_->ReadStatistics(*name)));
  if (previous && previous->table_version == stats.table_version) {
    for (const auto& old : previous->columns) {
      bool recomputed = false;
      for (const auto& c : stats.columns) recomputed = recomputed || c.name == old.name;
      if (!recomputed && schema.GetFieldByName(old.name)) stats.columns.push_back(old);
    }
    if (!stats.row_count) stats.row_count = previous->row_count;
  }
  ARROW_RETURN_NOT_OK(At(analyze.pos, lake_->WriteStatistics(*name, stats)));
  std::string message = "Analyzed " + location.display_name + " at version " + std::to_string(stats.table_version) +
                        ": " + std::to_string(stats.size_in_bytes) + " bytes";
  if (stats.row_count) message += ", " + std::to_string(*stats.row_count) + " rows";
  return StatementResult{{}, message};
}

arrow::Result<std::optional<plan::TableStatistics>> Session::Impl::TableStatistics(const delta::Snapshot& snapshot) {
  auto name = LakeNameOf(snapshot.location());
  if (!name) return session::PlannerStatistics(snapshot, nullptr);
  // Statistics are a hint: a stats file that cannot be read must not fail the query.
  auto stored = lake_->ReadStatistics(*name);
  if (!stored.ok() || !*stored) return session::PlannerStatistics(snapshot, nullptr);
  return session::PlannerStatistics(snapshot, &**stored);
}

}  // namespace tidelake
