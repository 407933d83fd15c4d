#include "stream/plan_rows.h"

#include "plan/optimizer.h"

namespace tidelake::stream {

plan::NodePtr Replace(const plan::NodePtr& node, const Replacements& replacements) {
  auto it = replacements.find(node.get());
  if (it != replacements.end()) return it->second;
  std::vector<plan::NodePtr> inputs;
  bool changed = false;
  for (const auto& input : node->inputs) {
    inputs.push_back(Replace(input, replacements));
    changed = changed || inputs.back() != input;
  }
  return changed ? plan::WithInputs(*node, std::move(inputs)) : node;
}

plan::NodePtr Values(const std::shared_ptr<arrow::Schema>& schema, std::shared_ptr<arrow::Table> rows) {
  auto values = std::make_shared<plan::ValuesNode>();
  values->schema = schema;
  values->rows = std::move(rows);
  return values;
}

arrow::Result<std::shared_ptr<arrow::Table>> WithSchema(const std::shared_ptr<arrow::Table>& table,
                                                        const std::shared_ptr<arrow::Schema>& schema,
                                                        const std::string& what) {
  if (table->num_columns() != schema->num_fields()) {
    return arrow::Status::Invalid(what, " has ", table->num_columns(), " columns, the query expects ",
                                  schema->num_fields());
  }
  for (int i = 0; i < schema->num_fields(); ++i) {
    if (!table->column(i)->type()->Equals(*schema->field(i)->type())) {
      return arrow::Status::Invalid(what, ": column ", plan::DisplayName(schema->field(i)->name()), " is ",
                                    table->column(i)->type()->ToString(), ", the query expects ",
                                    schema->field(i)->type()->ToString());
    }
  }
  return arrow::Table::Make(schema, table->columns(), table->num_rows());
}

arrow::Result<std::shared_ptr<arrow::Table>> Evaluate(const plan::NodePtr& node, const Replacements& replacements,
                                                      const std::vector<std::string>& names,
                                                      const exec::ExecOptions& options) {
  plan::PlanRoot batch{Replace(node, replacements), names, false};
  ARROW_ASSIGN_OR_RAISE(batch, plan::Optimize(std::move(batch)));
  ARROW_ASSIGN_OR_RAISE(auto reader, exec::Execute(batch, options));
  ARROW_ASSIGN_OR_RAISE(auto table, reader->ToTable());
  return table->RenameColumns(names);
}

arrow::Result<std::shared_ptr<arrow::Table>> EvaluateNode(const plan::NodePtr& node, const Replacements& replacements,
                                                          const exec::ExecOptions& options, const std::string& what) {
  ARROW_ASSIGN_OR_RAISE(auto rows, Evaluate(node, replacements, node->schema->field_names(), options));
  ARROW_ASSIGN_OR_RAISE(rows, WithSchema(rows, node->schema, what));
  return rows->CombineChunks();
}

std::string PassedThrough(const plan::LogicalNode& node, std::string field, const plan::LogicalNode& target) {
  const plan::LogicalNode* at = &node;
  while (at != &target) {
    if (at->kind == plan::NodeKind::kFilter) {
      at = at->inputs[0].get();
      continue;
    }
    if (at->kind != plan::NodeKind::kProject) return "";
    const int i = at->schema->GetFieldIndex(field);
    if (i < 0) return "";
    const auto* ref = at->As<plan::ProjectNode>().exprs[static_cast<size_t>(i)].field_ref();
    if (ref == nullptr || ref->name() == nullptr) return "";
    field = *ref->name();
    at = at->inputs[0].get();
  }
  return field;
}

arrow::Result<std::shared_ptr<arrow::Table>> AppendRows(const std::shared_ptr<arrow::Table>& a,
                                                        const std::shared_ptr<arrow::Table>& b) {
  if (!a || a->num_rows() == 0) return b;
  if (b->num_rows() == 0) return a;
  return arrow::ConcatenateTables({a, b});
}

arrow::Result<std::shared_ptr<arrow::Table>> RowsByKeys(const std::shared_ptr<arrow::Table>& rows,
                                                        const std::shared_ptr<arrow::Schema>& schema,
                                                        const std::vector<std::string>& keys,
                                                        const std::shared_ptr<arrow::Table>& other,
                                                        const std::shared_ptr<arrow::Schema>& other_schema,
                                                        const std::vector<std::string>& other_keys, bool matching,
                                                        const exec::ExecOptions& options) {
  // The other side is projected to its keys, renamed so that they cannot clash with the rows'.
  auto right = std::make_shared<plan::ProjectNode>();
  arrow::FieldVector right_fields;
  auto join = std::make_shared<plan::JoinNode>();
  join->type = matching ? plan::JoinType::kLeftSemi : plan::JoinType::kLeftAnti;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string renamed = other_keys[i] + "~match";
    ARROW_ASSIGN_OR_RAISE(auto e, arrow::compute::field_ref(other_keys[i]).Bind(*other_schema));
    right->exprs.push_back(std::move(e));
    right_fields.push_back(other_schema->GetFieldByName(other_keys[i])->WithName(renamed));
    join->left_keys.push_back(keys[i]);
    join->right_keys.push_back(renamed);
    join->null_safe.push_back(true);
  }
  right->schema = arrow::schema(right_fields);
  right->inputs = {Values(other_schema, other)};
  join->schema = schema;
  join->inputs = {Values(schema, rows), right};
  return EvaluateNode(join, {}, options, matching ? "the rows with matching keys" : "the rows with new keys");
}

arrow::Status NeedsState(const std::string& what) {
  return arrow::Status::Invalid("a streaming query cannot use ", what,
                                " over a stream yet: it needs state kept across batches. Supported: filters, "
                                "projections, UNION ALL, joins of a stream (left) with tables, inner joins of two "
                                "streams, aggregations grouped by an event-time window, window functions "
                                "partitioned by one (Top-N per window), DISTINCT, and deduplication (ROW_NUMBER() "
                                "... = 1 ordered by event time)");
}

}  // namespace tidelake::stream
