// The Delta table maintenance statements, run through the Delta engine:
//   OPTIMIZE t [WHERE partition predicate] [ZORDER BY (c1, c2)]   -> delta/optimize.h
//   VACUUM t [RETAIN n HOURS] [DRY RUN]                           -> delta/vacuum.h
//   RESTORE [TABLE] t TO VERSION AS OF n | TIMESTAMP AS OF ts     -> delta/restore.h
// Each returns what Delta on Databricks returns: OPTIMIZE a row of metrics (flattened), VACUUM
// the files it deletes (DRY RUN) or the table path, RESTORE a row of metrics.
//
// VACUUM's retention check follows Delta: a retention shorter than the table's
// delta.deletedFileRetentionDuration (168 hours by default) is refused unless the session sets
// spark.databricks.delta.retentionDurationCheck.enabled = false. The Delta engine takes the
// retention in whole hours, so a fractional RETAIN is rounded up (keeping more, never less).
#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <cmath>
#include <cstdio>

#include "common/clock.h"
#include "delta/optimize.h"
#include "delta/restore.h"
#include "delta/vacuum.h"
#include "session/dml.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "sql/ast_printer.h"
#include "sql/parser.h"

namespace tidelake {

using session::At;
using session::InvalidAt;
using session::Lower;

namespace {

constexpr int64_t kHourMs = 3600 * 1000;

std::string Hours(double hours) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", hours);
  return buffer;
}

// Where `expr` first refers to `column` (by its last name part), for an error that points at
// the column rather than at the whole condition.
const sql::Expr* FindColumn(const sql::Expr& expr, const std::string& column) {
  auto in = [&](const sql::ExprPtr& child) { return child ? FindColumn(*child, column) : nullptr; };
  auto first = [](std::initializer_list<const sql::Expr*> found) -> const sql::Expr* {
    for (const auto* f : found) {
      if (f) return f;
    }
    return nullptr;
  };
  switch (expr.kind) {
    case sql::ExprKind::kColumnRef:
      return Lower(expr.As<sql::ColumnRefExpr>().parts.back()) == Lower(column) ? &expr : nullptr;
    case sql::ExprKind::kBinary:
      return first({in(expr.As<sql::BinaryExpr>().left), in(expr.As<sql::BinaryExpr>().right)});
    case sql::ExprKind::kUnary:
      return in(expr.As<sql::UnaryExpr>().operand);
    case sql::ExprKind::kIs:
      return in(expr.As<sql::IsExpr>().operand);
    case sql::ExprKind::kIsDistinctFrom:
      return first({in(expr.As<sql::IsDistinctFromExpr>().left), in(expr.As<sql::IsDistinctFromExpr>().right)});
    case sql::ExprKind::kBetween: {
      const auto& b = expr.As<sql::BetweenExpr>();
      return first({in(b.operand), in(b.low), in(b.high)});
    }
    case sql::ExprKind::kInList: {
      const auto& l = expr.As<sql::InListExpr>();
      if (const auto* f = in(l.operand)) return f;
      for (const auto& e : l.list) {
        if (const auto* f = in(e)) return f;
      }
      return nullptr;
    }
    case sql::ExprKind::kLike:
      return first({in(expr.As<sql::LikeExpr>().operand), in(expr.As<sql::LikeExpr>().pattern)});
    case sql::ExprKind::kCast:
      return in(expr.As<sql::CastExpr>().operand);
    case sql::ExprKind::kFunctionCall:
      for (const auto& e : expr.As<sql::FunctionCallExpr>().args) {
        if (const auto* f = in(e)) return f;
      }
      return nullptr;
    default:
      return nullptr;
  }
}

std::string ColumnList(const arrow::Schema& schema) {
  std::string out;
  for (const auto& f : schema.fields()) out += (out.empty() ? "" : ", ") + f->name();
  return out;
}

}  // namespace

arrow::Result<StatementResult> Session::Impl::Optimize(const sql::OptimizeStatement& optimize) {
  ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(optimize.table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, At(optimize.table.pos, delta::Snapshot::Load(location)));
  const auto& schema = *snapshot->schema();
  const auto& partitions = snapshot->partition_columns();
  delta::OptimizeOptions options;
  if (optimize.where) {
    sql::Binder binder(this, plan::FunctionContext{NowMillis() * 1000});
    auto relation = session::RelationOver(schema, "", {optimize.table.parts.back()});
    ARROW_ASSIGN_OR_RAISE(auto predicate, binder.BindExpression(*optimize.where, relation));
    for (const auto& ref : arrow::compute::FieldsInExpression(predicate)) {
      const std::string* name = ref.name();
      if (name && std::find(partitions.begin(), partitions.end(), *name) != partitions.end()) continue;
      std::string partition_list;
      for (const auto& p : partitions) partition_list += (partition_list.empty() ? "" : ", ") + p;
      const sql::Expr* at = name ? FindColumn(*optimize.where, *name) : nullptr;
      return InvalidAt(at ? at->pos : optimize.where->pos, "OPTIMIZE WHERE may only reference partition columns, but '",
                       name ? *name : ref.ToString(), "' is not one (partition columns of ", location.display_name,
                       ": ", partitions.empty() ? "none, the table is not partitioned" : partition_list, ")");
    }
    options.partition_filter = predicate;
  }
  for (const auto& e : optimize.zorder_by) {
    if (e->kind != sql::ExprKind::kColumnRef || e->As<sql::ColumnRefExpr>().parts.size() != 1) {
      return InvalidAt(e->pos, "ZORDER BY takes column names, got ", sql::ToString(*e));
    }
    const std::string& name = e->As<sql::ColumnRefExpr>().parts[0];
    std::shared_ptr<arrow::Field> field;
    for (const auto& f : schema.fields()) {
      if (Lower(f->name()) == Lower(name)) field = f;
    }
    if (!field) {
      return InvalidAt(e->pos, "ZORDER BY column '", name, "' does not exist in table '", location.display_name,
                       "' (columns: ", ColumnList(schema), ")");
    }
    options.zorder_by.push_back(field->name());
  }
  // Positioned at the ZORDER BY list for the engine's own checks (partition column, type, twice).
  sql::SourcePos where_failed = optimize.zorder_by.empty() ? optimize.pos : optimize.zorder_by.front()->pos;
  ARROW_ASSIGN_OR_RAISE(auto done, At(where_failed, delta::Optimize(location, options)));
  const auto& m = done.metrics;
  auto result_schema = arrow::schema({
      arrow::field("path", arrow::utf8()),
      arrow::field("numFilesAdded", arrow::int64()),
      arrow::field("numFilesRemoved", arrow::int64()),
      arrow::field("filesAddedSize", arrow::int64()),
      arrow::field("filesRemovedSize", arrow::int64()),
      arrow::field("partitionsOptimized", arrow::int64()),
      arrow::field("numBatches", arrow::int64()),
      arrow::field("totalConsideredFiles", arrow::int64()),
      arrow::field("totalFilesSkipped", arrow::int64()),
      arrow::field("numDeletionVectorsRemoved", arrow::int64()),
      arrow::field("version", arrow::int64()),
  });
  using session::Int64Value;
  session::ScalarRow row{session::StringValue(location.root),
                         Int64Value(m.files_added),
                         Int64Value(m.files_removed),
                         Int64Value(m.bytes_added),
                         Int64Value(m.bytes_removed),
                         Int64Value(m.partitions_optimized),
                         Int64Value(m.num_bins),
                         Int64Value(m.total_considered_files),
                         Int64Value(m.total_files_skipped),
                         Int64Value(m.deletion_vectors_removed),
                         done.version < 0 ? session::NullValue(arrow::int64()) : Int64Value(done.version)};
  StatementResult result;
  ARROW_ASSIGN_OR_RAISE(result.rows, session::MakeRows(result_schema, {row}));
  return result;
}

arrow::Result<StatementResult> Session::Impl::Vacuum(const sql::VacuumStatement& vacuum) {
  ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(vacuum.table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, At(vacuum.table.pos, delta::Snapshot::Load(location)));
  ARROW_ASSIGN_OR_RAISE(int64_t table_retention_ms,
                        At(vacuum.pos, delta::DeletedFileRetentionMillis(snapshot->metadata())));
  bool check = BoolSetting("spark.databricks.delta.retentionDurationCheck.enabled", true);
  delta::VacuumOptions options;
  options.dry_run = vacuum.dry_run;
  options.force = !check;
  if (vacuum.retain_hours) {
    double hours = *vacuum.retain_hours;
    if (!std::isfinite(hours) || hours < 0 || hours > 1e9) {
      return InvalidAt(vacuum.pos, "VACUUM RETAIN takes a number of hours from 0 to 1000000000, got ", Hours(hours));
    }
    if (check && hours * kHourMs < static_cast<double>(table_retention_ms)) {
      return InvalidAt(vacuum.pos, "VACUUM ", location.display_name, " RETAIN ", Hours(hours),
                       " HOURS: the retention is shorter than the table's delta.deletedFileRetentionDuration (",
                       table_retention_ms / kHourMs,
                       " hours). Files removed more recently may still be read by queries of older versions "
                       "(time travel, long-running reads) or be needed by writers committing now. If no operation "
                       "uses the table, SET spark.databricks.delta.retentionDurationCheck.enabled = false; otherwise "
                       "RETAIN at least ",
                       table_retention_ms / kHourMs, " HOURS");
    }
    options.retention_hours = static_cast<int64_t>(std::ceil(hours));
  }
  ARROW_ASSIGN_OR_RAISE(auto done, At(vacuum.pos, delta::Vacuum(location, options, NowMillis())));
  StatementResult result;
  if (vacuum.dry_run) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& path : done.paths) rows.push_back({path});
    ARROW_ASSIGN_OR_RAISE(result.rows, session::StringRows({"path"}, rows));
    result.message = "Found " + std::to_string(done.files_deleted) + " files (" + std::to_string(done.bytes) +
                     " bytes) to delete";
    return result;
  }
  auto schema = arrow::schema({arrow::field("path", arrow::utf8()), arrow::field("numDeletedFiles", arrow::int64()),
                               arrow::field("numDeletedBytes", arrow::int64()),
                               arrow::field("numVacuumedDirectories", arrow::int64())});
  ARROW_ASSIGN_OR_RAISE(result.rows, session::MakeRows(schema, {{session::StringValue(location.root),
                                                                  session::Int64Value(done.files_deleted),
                                                                  session::Int64Value(done.bytes),
                                                                  session::Int64Value(done.directories_deleted)}}));
  return result;
}

arrow::Result<StatementResult> Session::Impl::Restore(const sql::RestoreStatement& restore) {
  ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(restore.table));
  const sql::Expr& target = *restore.target.value;
  ARROW_ASSIGN_OR_RAISE(auto value, EvaluateConstant(target));
  arrow::Result<delta::RestoreResult> done;
  if (restore.target.kind == sql::TimeTravelKind::kVersion) {
    auto as_int = value->CastTo(arrow::int64());
    if (!value->is_valid || !arrow::is_integer(value->type->id()) || !as_int.ok()) {
      return InvalidAt(target.pos, "RESTORE .. VERSION AS OF needs an integer version, got ", sql::ToString(target));
    }
    int64_t version = std::static_pointer_cast<arrow::Int64Scalar>(*as_int)->value;
    done = delta::RestoreToVersion(location, version);
  } else {
    // Strings are read as Spark's CAST(.. AS TIMESTAMP) reads them (session time zone, any
    // precision), not by Arrow's stricter ISO-8601 cast.
    if (value->is_valid && value->type->id() == arrow::Type::STRING) {
      ARROW_ASSIGN_OR_RAISE(auto cast, sql::ParseExpression("CAST(" + sql::ToString(target) + " AS TIMESTAMP)"));
      auto converted = EvaluateConstant(*cast);
      if (!converted.ok()) {
        return InvalidAt(target.pos, "RESTORE .. TIMESTAMP AS OF needs a timestamp, got ", sql::ToString(target));
      }
      value = *converted;
    }
    auto as_ts = value->CastTo(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"));
    if (!value->is_valid || !as_ts.ok()) {
      return InvalidAt(target.pos, "RESTORE .. TIMESTAMP AS OF needs a timestamp, got ", sql::ToString(target));
    }
    int64_t micros = std::static_pointer_cast<arrow::TimestampScalar>(*as_ts)->value;
    done = delta::RestoreToTimestamp(location, micros / 1000);
  }
  if (!done.ok()) return At(target.pos, done.status());
  auto schema = arrow::schema({
      arrow::field("table_size_after_restore", arrow::int64()),
      arrow::field("num_of_files_after_restore", arrow::int64()),
      arrow::field("num_removed_files", arrow::int64()),
      arrow::field("num_restored_files", arrow::int64()),
      arrow::field("removed_files_size", arrow::int64()),
      arrow::field("restored_files_size", arrow::int64()),
  });
  using session::Int64Value;
  StatementResult result;
  ARROW_ASSIGN_OR_RAISE(result.rows,
                        session::MakeRows(schema, {{Int64Value(done->table_size_after), Int64Value(done->num_files_after),
                                                    Int64Value(done->num_removed_files),
                                                    Int64Value(done->num_restored_files),
                                                    Int64Value(done->removed_files_size),
                                                    Int64Value(done->restored_files_size)}}));
  result.message = "Restored " + location.display_name + " to version " + std::to_string(done->restored_version) +
                   " (version " + std::to_string(done->version) + ")";
  return result;
}

}  // namespace tidelake
