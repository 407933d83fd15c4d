// EXPLAIN [EXTENDED | FORMATTED] statement.
//
// A query prints its optimized plan. A statement with a query part prints the plan of that
// part: CREATE TABLE .. AS and INSERT .. SELECT their query; DELETE and UPDATE the scan of the
// rows they change (UPDATE with the new values projected); MERGE the join of target and
// source that matches rows (inner when only WHEN MATCHED clauses exist, right outer when
// unmatched source rows are inserted, full outer when unmatched target rows are changed).
// Nothing is executed or written. The first line names what the plan feeds ("Insert into
// raw.t", "Merge into raw.t", ...).
//
// EXTENDED prints, as Spark does, the parsed statement, the analyzed (bound) plan and the
// optimized plan; FORMATTED prints the optimized plan followed by the output columns.
#include <arrow/api.h>
#include <arrow/compute/api.h>

#include "common/clock.h"
#include "plan/explain.h"
#include "plan/optimizer.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "sql/ast_printer.h"

namespace tidelake {

namespace cp = arrow::compute;
using session::At;
using session::InvalidAt;

namespace {

// `node` filtered by `predicate`.
plan::NodePtr Filtered(plan::NodePtr node, cp::Expression predicate) {
  auto filter = std::make_shared<plan::FilterNode>();
  filter->schema = node->schema;
  filter->inputs = {std::move(node)};
  filter->predicate = std::move(predicate);
  return filter;
}

plan::PlanRoot RootOver(const sql::BoundRelation& relation) {
  plan::PlanRoot root;
  root.node = relation.node;
  for (const auto& c : relation.scope.columns) {
    if (!c.hidden) root.column_names.push_back(c.name);
  }
  return root;
}

// Splits `expr` into its top-level AND conjuncts.
void Conjuncts(const sql::Expr& expr, std::vector<const sql::Expr*>* out) {
  if (expr.kind == sql::ExprKind::kBinary && expr.As<sql::BinaryExpr>().op == sql::BinaryOp::kAnd) {
    Conjuncts(*expr.As<sql::BinaryExpr>().left, out);
    Conjuncts(*expr.As<sql::BinaryExpr>().right, out);
    return;
  }
  out->push_back(&expr);
}

bool AllIn(const cp::Expression& e, const arrow::Schema& schema) {
  auto fields = cp::FieldsInExpression(e);
  if (fields.empty()) return false;
  for (const auto& f : fields) {
    if (!f.name() || schema.GetFieldIndex(*f.name()) < 0) return false;
  }
  return true;
}

}  // namespace

arrow::Result<plan::PlanRoot> Session::Impl::PlanOfDml(const sql::Statement& statement) {
  sql::Binder binder(this, plan::FunctionContext{NowMillis() * 1000});
  if (statement.kind == sql::StatementKind::kDelete || statement.kind == sql::StatementKind::kUpdate) {
    bool is_delete = statement.kind == sql::StatementKind::kDelete;
    const auto& table = is_delete ? statement.As<sql::DeleteStatement>().table : statement.As<sql::UpdateStatement>().table;
    const auto& alias = is_delete ? statement.As<sql::DeleteStatement>().alias : statement.As<sql::UpdateStatement>().alias;
    const sql::Expr* where =
        is_delete ? statement.As<sql::DeleteStatement>().where.get() : statement.As<sql::UpdateStatement>().where.get();
    ARROW_RETURN_NOT_OK(RequireTable(table).status());
    ARROW_ASSIGN_OR_RAISE(auto relation, binder.BindTable(table, alias));
    if (where) {
      ARROW_ASSIGN_OR_RAISE(auto predicate, binder.BindExpression(*where, relation));
      relation.node = Filtered(relation.node, predicate);
    }
    if (!is_delete) {
      // The new row: each assigned column's value, the others as they are.
      const auto& update = statement.As<sql::UpdateStatement>();
      auto project = std::make_shared<plan::ProjectNode>();
      arrow::FieldVector fields;
      for (const auto& column : relation.scope.columns) {
        cp::Expression value = cp::field_ref(column.field);
        for (const auto& a : update.assignments) {
          if (sql::NamesEqual(a.column.back(), column.name)) {
            ARROW_ASSIGN_OR_RAISE(value, binder.BindExpression(*a.value, relation));
          }
        }
        fields.push_back(arrow::field(column.field, value.type() ? value.type()->GetSharedPtr() : column.type));
        project->exprs.push_back(std::move(value));
      }
      for (const auto& a : update.assignments) {
        bool known = false;
        for (const auto& column : relation.scope.columns) known = known || sql::NamesEqual(a.column.back(), column.name);
        if (!known) return InvalidAt(a.pos, "column '", a.column.back(), "' not found in table '", sql::ToString(table), "'");
      }
      project->schema = arrow::schema(fields);
      project->inputs = {relation.node};
      relation.node = project;
    }
    return RootOver(relation);
  }

  const auto& merge = statement.As<sql::MergeStatement>();
  ARROW_RETURN_NOT_OK(RequireTable(merge.target).status());
  ARROW_ASSIGN_OR_RAISE(auto target, binder.BindTable(merge.target, merge.target_alias));
  ARROW_ASSIGN_OR_RAISE(auto source, binder.BindRelation(*merge.source));
  sql::BoundRelation both;
  both.scope.columns = target.scope.columns;
  both.scope.columns.insert(both.scope.columns.end(), source.scope.columns.begin(), source.scope.columns.end());
  arrow::FieldVector fields = target.node->schema->fields();
  for (const auto& f : source.node->schema->fields()) fields.push_back(f);
  auto values = std::make_shared<plan::ValuesNode>();
  values->schema = arrow::schema(fields);
  both.node = values;

  bool inserts = false, by_source = false;
  for (const auto& clause : merge.clauses) {
    inserts = inserts || clause.match == sql::MergeMatch::kNotMatchedByTarget;
    by_source = by_source || clause.match == sql::MergeMatch::kNotMatchedBySource;
  }
  auto join = std::make_shared<plan::JoinNode>();
  join->type = by_source ? plan::JoinType::kFull : inserts ? plan::JoinType::kRight : plan::JoinType::kInner;
  // Equalities between a target column and a source column are the join keys; the rest of ON
  // is the residual condition.
  std::vector<const sql::Expr*> conjuncts;
  Conjuncts(*merge.condition, &conjuncts);
  std::vector<cp::Expression> residual;
  for (const sql::Expr* c : conjuncts) {
    if (c->kind == sql::ExprKind::kBinary && c->As<sql::BinaryExpr>().op == sql::BinaryOp::kEq) {
      const auto& eq = c->As<sql::BinaryExpr>();
      ARROW_ASSIGN_OR_RAISE(auto a, binder.BindExpression(*eq.left, both));
      ARROW_ASSIGN_OR_RAISE(auto b, binder.BindExpression(*eq.right, both));
      const auto* ra = a.field_ref();
      const auto* rb = b.field_ref();
      if (ra && rb && ra->name() && rb->name() && a.type() && b.type() && a.type()->Equals(*b.type())) {
        bool a_target = AllIn(a, *target.node->schema), b_source = AllIn(b, *source.node->schema);
        bool a_source = AllIn(a, *source.node->schema), b_target = AllIn(b, *target.node->schema);
        if ((a_target && b_source) || (a_source && b_target)) {
          join->left_keys.push_back(*(a_target ? ra : rb)->name());
          join->right_keys.push_back(*(a_target ? rb : ra)->name());
          join->null_safe.push_back(false);
          continue;
        }
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto bound, binder.BindExpression(*c, both));
    residual.push_back(std::move(bound));
  }
  if (!residual.empty()) {
    ARROW_ASSIGN_OR_RAISE(join->residual, cp::and_(residual).Bind(*values->schema));
  }
  arrow::FieldVector out;
  for (const auto& f : target.node->schema->fields()) out.push_back(join->type == plan::JoinType::kInner ? f : f->WithNullable(true));
  for (const auto& f : source.node->schema->fields()) out.push_back(join->type == plan::JoinType::kFull ? f->WithNullable(true) : f);
  join->schema = arrow::schema(out);
  join->inputs = {target.node, source.node};
  both.node = join;
  return RootOver(both);
}

arrow::Result<plan::PlanRoot> Session::Impl::PlanOfStatement(const sql::Statement& statement) {
  sql::Binder binder(this, plan::FunctionContext{NowMillis() * 1000});
  switch (statement.kind) {
    case sql::StatementKind::kQuery:
      return binder.BindQuery(*statement.As<sql::QueryStatement>().query);
    case sql::StatementKind::kCreateTable: {
      const auto& create = statement.As<sql::CreateTableStatement>();
      if (!create.as_query) break;
      return binder.BindQuery(*create.as_query);
    }
    case sql::StatementKind::kInsert: {
      const auto& insert = statement.As<sql::InsertStatement>();
      ARROW_ASSIGN_OR_RAISE(auto connector_table, At(insert.table.pos, FindConnectorTable(insert.table.parts)));
      if (!connector_table) ARROW_RETURN_NOT_OK(RequireTable(insert.table).status());
      return binder.BindQuery(*insert.query);
    }
    case sql::StatementKind::kDelete:
    case sql::StatementKind::kUpdate:
    case sql::StatementKind::kMerge:
      return PlanOfDml(statement);
    case sql::StatementKind::kExplain:
      return InvalidAt(statement.pos, "EXPLAIN of an EXPLAIN statement");
    default:
      break;
  }
  return At(statement.pos, arrow::Status::NotImplemented("EXPLAIN shows the plan of a query, CREATE TABLE .. AS, "
                                                         "INSERT, DELETE, UPDATE or MERGE; ",
                                                         sql::StatementKindName(statement.kind),
                                                         " has no query plan"));
}

arrow::Result<std::string> Session::Impl::ExplainText(const sql::Statement& statement, sql::ExplainMode mode) {
  ARROW_ASSIGN_OR_RAISE(auto analyzed, PlanOfStatement(statement));
  ARROW_ASSIGN_OR_RAISE(auto optimized, plan::Optimize(analyzed));
  std::string header;
  switch (statement.kind) {
    case sql::StatementKind::kCreateTable:
      header = "Create table " + sql::ToString(statement.As<sql::CreateTableStatement>().name) + " as\n";
      break;
    case sql::StatementKind::kInsert: {
      const auto& insert = statement.As<sql::InsertStatement>();
      header = std::string(insert.overwrite ? "Insert overwrite " : "Insert into ") + sql::ToString(insert.table) + "\n";
      break;
    }
    case sql::StatementKind::kDelete:
      header = "Delete from " + sql::ToString(statement.As<sql::DeleteStatement>().table) + " the rows of\n";
      break;
    case sql::StatementKind::kUpdate:
      header = "Update " + sql::ToString(statement.As<sql::UpdateStatement>().table) + " with\n";
      break;
    case sql::StatementKind::kMerge:
      header = "Merge into " + sql::ToString(statement.As<sql::MergeStatement>().target) + " by\n";
      break;
    default:
      break;
  }
  std::string plan = plan::Explain(optimized);
  if (mode == sql::ExplainMode::kExtended) {
    return "== Parsed Statement ==\n" + sql::ToString(statement) + "\n\n== Analyzed Logical Plan ==\n" + header +
           plan::Explain(analyzed) + "\n== Optimized Logical Plan ==\n" + header + plan;
  }
  if (mode == sql::ExplainMode::kFormatted) {
    std::string columns;
    for (const auto& c : optimized.column_names) columns += (columns.empty() ? "" : ", ") + c;
    return header + plan + "\nOutput: [" + columns + "]\n";
  }
  return header + plan;
}

}  // namespace tidelake
