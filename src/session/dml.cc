#include "session/dml.h"

#include <arrow/api.h>

#include "common/clock.h"
#include "common/error.h"
#include "delta/delete.h"
#include "delta/merge.h"
#include "delta/update.h"
#include "plan/optimizer.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "sql/ast_printer.h"

namespace tidelake::session {

namespace {

namespace cp = arrow::compute;

std::vector<std::string> QualifierFor(const sql::ObjectName& name, const std::string& alias) {
  return alias.empty() ? std::vector<std::string>{name.parts.back()} : std::vector<std::string>{alias};
}

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> Metrics(const std::vector<std::string>& names,
                                                                 const std::vector<int64_t>& values) {
  arrow::FieldVector fields;
  arrow::ArrayVector arrays;
  for (size_t i = 0; i < names.size(); ++i) {
    arrow::Int64Builder builder;
    ARROW_RETURN_NOT_OK(builder.Append(values[i]));
    ARROW_ASSIGN_OR_RAISE(auto array, builder.Finish());
    fields.push_back(arrow::field(names[i], arrow::int64(), false));
    arrays.push_back(array);
  }
  auto schema = arrow::schema(fields);
  return arrow::RecordBatchReader::Make({arrow::RecordBatch::Make(schema, 1, arrays)}, schema);
}

std::string AssignedColumn(const sql::Assignment& a) {
  std::string out;
  for (const auto& p : a.column) out += (out.empty() ? "" : ".") + p;
  return out;
}

}  // namespace

sql::BoundRelation RelationOver(const arrow::Schema& schema, const std::string& prefix,
                                const std::vector<std::string>& qualifier) {
  sql::BoundRelation relation;
  arrow::FieldVector fields;
  for (const auto& f : schema.fields()) {
    fields.push_back(f->WithName(prefix + f->name()));
    relation.scope.columns.push_back({qualifier, f->name(), prefix + f->name(), f->type()});
  }
  auto node = std::make_shared<plan::ValuesNode>();
  node->schema = arrow::schema(fields);
  relation.node = node;
  return relation;
}

arrow::Result<StatementResult> RunDelete(const sql::DeleteStatement& statement, const delta::TableLocation& table,
                                         sql::Binder& binder) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(table));
  auto relation = RelationOver(*snapshot->schema(), "", QualifierFor(statement.table, statement.alias));
  std::optional<cp::Expression> predicate;
  if (statement.where) {
    ARROW_ASSIGN_OR_RAISE(predicate, binder.BindExpression(*statement.where, relation));
  }
  ARROW_ASSIGN_OR_RAISE(auto done, At(statement.pos, delta::DeleteRows(table, predicate)));
  StatementResult result;
  ARROW_ASSIGN_OR_RAISE(result.rows, (Metrics({"num_affected_rows"}, {done.first.rows_deleted})));
  return result;
}

arrow::Result<StatementResult> RunUpdate(const sql::UpdateStatement& statement, const delta::TableLocation& table,
                                         sql::Binder& binder) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(table));
  auto relation = RelationOver(*snapshot->schema(), "", QualifierFor(statement.table, statement.alias));
  std::optional<cp::Expression> predicate;
  if (statement.where) {
    ARROW_ASSIGN_OR_RAISE(predicate, binder.BindExpression(*statement.where, relation));
  }
  delta::Assignments assignments;
  for (const auto& a : statement.assignments) {
    ARROW_ASSIGN_OR_RAISE(auto value, binder.BindExpression(*a.value, relation));
    std::string column = AssignedColumn(a);
    // `t.col = ...`: drop the target's qualifier.
    if (a.column.size() == 2 && sql::NamesEqual(a.column[0], QualifierFor(statement.table, statement.alias)[0])) {
      column = a.column[1];
    }
    assignments.emplace_back(column, value);
  }
  ARROW_ASSIGN_OR_RAISE(auto done, At(statement.pos, delta::UpdateRows(table, predicate, assignments)));
  StatementResult result;
  ARROW_ASSIGN_OR_RAISE(result.rows, (Metrics({"num_affected_rows"}, {done.first.rows_updated})));
  return result;
}

arrow::Result<StatementResult> RunMerge(const sql::MergeStatement& statement, const delta::TableLocation& table,
                                        const std::shared_ptr<arrow::Table>& source, sql::Binder& binder,
                                        bool merge_schema) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(table));
  auto target = RelationOver(*snapshot->schema(), "target.", QualifierFor(statement.target, statement.target_alias));
  std::string source_alias = statement.source->alias;
  if (source_alias.empty() && statement.source->kind == sql::RelationKind::kTable) {
    source_alias = statement.source->As<sql::TableRelation>().name.parts.back();
  }
  auto from = RelationOver(*source->schema(), "source.",
                           source_alias.empty() ? std::vector<std::string>{} : std::vector<std::string>{source_alias});
  // ON and clause conditions see both sides; INSERT values see the source only.
  sql::BoundRelation both = target;
  both.scope.columns.insert(both.scope.columns.end(), from.scope.columns.begin(), from.scope.columns.end());
  arrow::FieldVector fields = target.node->schema->fields();
  for (const auto& f : from.node->schema->fields()) fields.push_back(f);
  auto node = std::make_shared<plan::ValuesNode>();
  node->schema = arrow::schema(fields);
  both.node = node;

  ARROW_ASSIGN_OR_RAISE(auto on, binder.BindExpression(*statement.condition, both));
  delta::MergeOptions options;
  options.merge_schema = merge_schema;
  for (const auto& clause : statement.clauses) {
    std::optional<cp::Expression> condition;
    if (clause.condition) {
      ARROW_ASSIGN_OR_RAISE(condition, binder.BindExpression(*clause.condition,
                                                             clause.match == sql::MergeMatch::kNotMatchedByTarget ? from : both));
    }
    delta::MergeClause out;
    switch (clause.action) {
      case sql::MergeAction::kUpdateAll: out = delta::MergeClause::UpdateAll(condition); break;
      case sql::MergeAction::kInsertAll: out = delta::MergeClause::InsertAll(condition); break;
      case sql::MergeAction::kDelete: out = delta::MergeClause::Delete(condition); break;
      case sql::MergeAction::kUpdate: {
        delta::Assignments set;
        for (const auto& a : clause.assignments) {
          ARROW_ASSIGN_OR_RAISE(auto value, binder.BindExpression(*a.value, both));
          std::string column = AssignedColumn(a);
          if (a.column.size() == 2) column = a.column[1];
          set.emplace_back(column, value);
        }
        out = delta::MergeClause::Update(std::move(set), condition);
        break;
      }
      case sql::MergeAction::kInsert: {
        if (clause.insert_columns.size() != clause.insert_values.size()) {
          return At(clause.pos, arrow::Status::Invalid("INSERT lists ", clause.insert_columns.size(), " columns and ",
                                                       clause.insert_values.size(), " values"));
        }
        delta::Assignments values;
        for (size_t i = 0; i < clause.insert_columns.size(); ++i) {
          ARROW_ASSIGN_OR_RAISE(auto value, binder.BindExpression(*clause.insert_values[i], from));
          values.emplace_back(clause.insert_columns[i].back(), value);
        }
        out = delta::MergeClause::Insert(std::move(values), condition);
        break;
      }
    }
    switch (clause.match) {
      case sql::MergeMatch::kMatched: options.matched.push_back(std::move(out)); break;
      case sql::MergeMatch::kNotMatchedByTarget: options.not_matched.push_back(std::move(out)); break;
      case sql::MergeMatch::kNotMatchedBySource: options.not_matched_by_source.push_back(std::move(out)); break;
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto done, At(statement.pos, delta::Merge(table, source, on, options)));
  const auto& m = done.first;
  StatementResult result;
  std::vector<int64_t> values{m.rows_updated + m.rows_deleted + m.rows_inserted, m.rows_updated, m.rows_deleted,
                              m.rows_inserted};
  ARROW_ASSIGN_OR_RAISE(result.rows,
                        Metrics({"num_affected_rows", "num_updated_rows", "num_deleted_rows", "num_inserted_rows"}, values));
  return result;
}

}  // namespace tidelake::session

namespace tidelake {

arrow::Result<StatementResult> Session::Impl::RunDml(const sql::Statement& statement) {
  const sql::ObjectName& name = statement.kind == sql::StatementKind::kDelete
                                    ? statement.As<sql::DeleteStatement>().table
                                : statement.kind == sql::StatementKind::kUpdate
                                    ? statement.As<sql::UpdateStatement>().table
                                    : statement.As<sql::MergeStatement>().target;
  ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(name));
  sql::Binder binder(this, plan::FunctionContext{NowMillis() * 1000});
  switch (statement.kind) {
    case sql::StatementKind::kDelete:
      return session::RunDelete(statement.As<sql::DeleteStatement>(), location, binder);
    case sql::StatementKind::kUpdate:
      return session::RunUpdate(statement.As<sql::UpdateStatement>(), location, binder);
    default: {
      const auto& merge = statement.As<sql::MergeStatement>();
      ARROW_ASSIGN_OR_RAISE(auto source_plan, binder.BindRelationAsQuery(*merge.source));
      ARROW_ASSIGN_OR_RAISE(source_plan, plan::Optimize(std::move(source_plan)));
      ARROW_ASSIGN_OR_RAISE(source_plan, ReadSourcesNow(std::move(source_plan)));
      ARROW_ASSIGN_OR_RAISE(auto reader, exec::Execute(source_plan, ExecutionOptions()));
      ARROW_ASSIGN_OR_RAISE(auto source, reader->ToTable());
      return session::RunMerge(merge, location, source, binder,
                               BoolSetting("spark.databricks.delta.schema.autoMerge.enabled", false));
    }
  }
}

}  // namespace tidelake
