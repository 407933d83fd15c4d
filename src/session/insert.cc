// INSERT INTO | OVERWRITE [TABLE] t [PARTITION (p = v, q)] [(columns)] [REPLACE WHERE cond] query.
//
// Spark's rules: the query's columns go by position into the listed columns, or into every
// table column except the statically partitioned ones (in table order); columns not given are
// NULL. A static partition value fills its column on every row. Numbers are cast to the
// column's numeric type (ANSI store assignment: overflow is an error); other type differences
// are for the Delta writer's schema check. With spark.databricks.delta.schema.autoMerge.enabled,
// a query with more columns than the table adds its extra trailing columns to the table.
//
// What is replaced:
//  - INSERT INTO: nothing (an append);
//  - INSERT INTO .. REPLACE WHERE cond: the rows matching cond (every written row must match);
//  - INSERT OVERWRITE with static partition values: those partitions;
//  - INSERT OVERWRITE of a partitioned table with spark.sql.sources.partitionOverwriteMode =
//    dynamic (or Delta's partitionOverwriteMode): only the partitions the new rows fall in;
//  - INSERT OVERWRITE otherwise: the whole table.
// Each is one Delta commit.
#include <arrow/acero/api.h>
#include <arrow/api.h>
#include <arrow/compute/api.h>

#include "common/clock.h"
#include "delta/table.h"
#include "plan/functions.h"
#include "session/dml.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "session/store_assignment.h"
#include "sql/ast_printer.h"

namespace tidelake {

namespace cp = arrow::compute;
using session::At;
using session::InvalidAt;
using session::JoinNames;
using session::Lower;
using session::TableColumn;

namespace {

// `column = value` (or `column IS NULL`) for one partition value.
cp::Expression PartitionEquals(const std::string& column, const std::shared_ptr<arrow::Scalar>& value) {
  if (!value->is_valid) return cp::call("is_null", {cp::field_ref(column)});
  return cp::equal(cp::field_ref(column), cp::literal(value));
}

// The distinct combinations of `columns` in `table`, as a predicate matching exactly them.
arrow::Result<cp::Expression> PartitionsOf(const std::shared_ptr<arrow::Table>& table,
                                           const std::vector<std::string>& columns) {
  std::vector<arrow::FieldRef> keys;
  for (const auto& c : columns) keys.emplace_back(c);
  arrow::acero::Declaration plan = arrow::acero::Declaration::Sequence(
      {{"table_source", arrow::acero::TableSourceNodeOptions(table)},
       {"aggregate", arrow::acero::AggregateNodeOptions({}, keys)}});
  ARROW_ASSIGN_OR_RAISE(auto distinct, arrow::acero::DeclarationToTable(std::move(plan), /*use_threads=*/false));
  std::vector<cp::Expression> alternatives;
  for (int64_t row = 0; row < distinct->num_rows(); ++row) {
    std::vector<cp::Expression> parts;
    for (size_t c = 0; c < columns.size(); ++c) {
      ARROW_ASSIGN_OR_RAISE(auto value, distinct->column(static_cast<int>(c))->GetScalar(row));
      parts.push_back(PartitionEquals(columns[c], value));
    }
    alternatives.push_back(cp::and_(parts));
  }
  if (alternatives.empty()) return cp::literal(false);
  return cp::or_(alternatives);
}

}  // namespace

arrow::Result<StatementResult> Session::Impl::Insert(const sql::InsertStatement& insert) {
  ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(insert.table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, At(insert.table.pos, delta::Snapshot::Load(location)));
  auto table_schema = snapshot->schema();
  const auto& partitions = snapshot->partition_columns();
  if (insert.overwrite && insert.replace_where) {
    return InvalidAt(insert.replace_where->pos, "REPLACE WHERE goes with INSERT INTO, not INSERT OVERWRITE");
  }
  if (insert.replace_where && !insert.partition.empty()) {
    return InvalidAt(insert.pos, "INSERT .. REPLACE WHERE cannot be combined with a PARTITION clause");
  }

  // PARTITION (p = v, q): static values and dynamic columns.
  std::vector<std::pair<std::string, std::shared_ptr<arrow::Scalar>>> static_values;
  for (const auto& p : insert.partition) {
    auto column = TableColumn(*table_schema, p.column);
    if (!column || std::find(partitions.begin(), partitions.end(), *column) == partitions.end()) {
      return InvalidAt(p.pos, "'", p.column, "' is not a partition column of table '", location.display_name,
                       "' (partition columns: ", partitions.empty() ? "none" : JoinNames(partitions), ")");
    }
    for (const auto& [seen, _] : static_values) {
      if (seen == *column) return InvalidAt(p.pos, "PARTITION lists column '", *column, "' twice");
    }
    if (!p.value) continue;  // dynamic: the query supplies it
    ARROW_ASSIGN_OR_RAISE(auto value, EvaluateConstant(*p.value));
    auto type = table_schema->GetFieldByName(*column)->type();
    auto cast = value->CastTo(type);
    if (!cast.ok()) {
      return InvalidAt(p.value->pos, "partition value ", sql::ToString(*p.value), " cannot be cast to the type of column '",
                       *column, "' (", plan::SqlTypeName(*type), ")");
    }
    static_values.emplace_back(*column, *cast);
  }
  // The columns the query fills, in its order.
  std::vector<std::string> static_columns;
  for (const auto& [name, _] : static_values) static_columns.push_back(name);
  ARROW_ASSIGN_OR_RAISE(auto targets, At(insert.table.pos, session::InsertTargets(*table_schema, insert.columns,
                                                                                  static_columns,
                                                                                  location.display_name)));

  ARROW_ASSIGN_OR_RAISE(auto query, RunQuery(*insert.query));
  int width = query.rows->schema()->num_fields();
  bool merge_schema = BoolSetting("spark.databricks.delta.schema.autoMerge.enabled", false);
  if (merge_schema && insert.columns.empty() && static_cast<size_t>(width) > targets.size()) {
    // Schema evolution: the query's extra trailing columns become new table columns.
    for (int i = static_cast<int>(targets.size()); i < width; ++i) {
      const std::string& name = query.rows->schema()->field(i)->name();
      if (TableColumn(*table_schema, name)) {
        return InvalidAt(insert.query->pos, "the query's extra column ", i + 1, " is named '", name,
                         "', like an existing column of table '", location.display_name, "'; give it a new name");
      }
      targets.push_back(name);
    }
  }
  ARROW_ASSIGN_OR_RAISE(arrow::FieldVector renamed,
                        At(insert.query->pos, session::AssignedFields(*query.rows->schema(), targets, *table_schema,
                                                                      location.display_name)));
  for (const auto& [name, value] : static_values) renamed.push_back(arrow::field(name, value->type));
  auto schema = arrow::schema(renamed);
  auto source = query.rows;
  auto constants = static_values;
  auto relabeled = arrow::RecordBatchReader::MakeFromIterator(
      arrow::MakeFunctionIterator([source, schema, width, constants]() -> arrow::Result<std::shared_ptr<arrow::RecordBatch>> {
        ARROW_ASSIGN_OR_RAISE(auto batch, source->Next());
        if (!batch) return batch;
        arrow::ArrayVector columns = batch->columns();
        for (int i = 0; i < width; ++i) {
          ARROW_ASSIGN_OR_RAISE(auto assigned, session::AssignValues(columns[static_cast<size_t>(i)], *schema->field(i)));
          columns[static_cast<size_t>(i)] = assigned.make_array();
        }
        for (const auto& [_, value] : constants) {
          ARROW_ASSIGN_OR_RAISE(auto filled, arrow::MakeArrayFromScalar(*value, batch->num_rows()));
          columns.push_back(filled);
        }
        return arrow::RecordBatch::Make(schema, batch->num_rows(), std::move(columns));
      }),
      schema);
  ARROW_RETURN_NOT_OK(relabeled.status());
  std::shared_ptr<arrow::RecordBatchReader> data = *relabeled;

  delta::WriteOptions options;
  options.mode = insert.overwrite || insert.replace_where ? delta::SaveMode::kOverwrite : delta::SaveMode::kAppend;
  options.merge_schema = merge_schema;
  if (insert.replace_where) {
    // Bound over fields named as the table's columns, as the Delta writer expects.
    sql::Binder binder(this, plan::FunctionContext{NowMillis() * 1000});
    auto target = session::RelationOver(*table_schema, "", {insert.table.parts.back()});
    ARROW_ASSIGN_OR_RAISE(auto bound, binder.BindExpression(*insert.replace_where, target));
    options.replace_where = bound;
  } else if (insert.overwrite && !partitions.empty()) {
    auto mode = Get("spark.sql.sources.partitionOverwriteMode");
    if (!mode) mode = Get("partitionOverwriteMode");
    bool dynamic = mode && Lower(*mode) == "dynamic";
    if (mode && !dynamic && Lower(*mode) != "static") {
      return InvalidAt(insert.pos, "spark.sql.sources.partitionOverwriteMode must be STATIC or DYNAMIC, got '", *mode,
                       "'");
    }
    if (dynamic) {
      // Only the partitions the new rows fall in are replaced: read the rows first.
      ARROW_ASSIGN_OR_RAISE(auto rows, data->ToTable());
      ARROW_ASSIGN_OR_RAISE(options.replace_where, At(insert.pos, PartitionsOf(rows, partitions)));
      data = std::make_shared<arrow::TableBatchReader>(rows);
    } else if (!static_values.empty()) {
      std::vector<cp::Expression> parts;
      for (const auto& [name, value] : static_values) parts.push_back(PartitionEquals(name, value));
      options.replace_where = cp::and_(parts);
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto written, At(insert.pos, delta::DeltaTable::Write(location, *data, options)));
  StatementResult result;
  std::vector<std::vector<std::string>> counts{
      {std::to_string(written.rows_written), std::to_string(written.rows_written)}};
  ARROW_ASSIGN_OR_RAISE(result.rows, (session::StringRows({"num_affected_rows", "num_inserted_rows"}, counts)));
  return result;
}

}  // namespace tidelake
