#include "exec/translate.h"

#include <arrow/acero/options.h>
#include <arrow/compute/api.h>

#include <limits>

#include "exec/common_subexpressions.h"
#include "exec/exec_nodes.h"
#include "exec/scan_source.h"
#include "exec/sort.h"
#include "exec/time_window.h"
#include "exec/window.h"
#include "plan/execution_form.h"

namespace tidelake::exec {

namespace acero = arrow::acero;
namespace cp = arrow::compute;

namespace {

// Rows a top-k keeps at most; a larger OFFSET + LIMIT sorts everything and fetches.
constexpr int64_t kMaxTopK = int64_t{1} << 26;

const char* KindName(plan::NodeKind kind) {
  switch (kind) {
    case plan::NodeKind::kTableScan: return "table scan";
    case plan::NodeKind::kFileScan: return "file scan";
    case plan::NodeKind::kSourceScan: return "source scan";
    case plan::NodeKind::kValues: return "values";
    case plan::NodeKind::kFilter: return "filter";
    case plan::NodeKind::kProject: return "project";
    case plan::NodeKind::kAggregate: return "aggregate";
    case plan::NodeKind::kJoin: return "join";
    case plan::NodeKind::kSort: return "sort";
    case plan::NodeKind::kLimit: return "limit";
    case plan::NodeKind::kSetOperation: return "set operation";
    case plan::NodeKind::kWindow: return "window";
    case plan::NodeKind::kWatermark: return "watermark";
    case plan::NodeKind::kTimeWindow: return "time window";
  }
  return "node";
}

size_t InputCount(plan::NodeKind kind) {
  switch (kind) {
    case plan::NodeKind::kTableScan:
    case plan::NodeKind::kFileScan:
    case plan::NodeKind::kSourceScan:
    case plan::NodeKind::kValues:
      return 0;
    case plan::NodeKind::kJoin:
    case plan::NodeKind::kSetOperation:
      return 2;
    default:
      return 1;
  }
}

cp::Ordering OrderingOf(const std::vector<plan::SortKey>& keys) {
  std::vector<cp::SortKey> sort_keys;
  for (const auto& key : keys) {
    sort_keys.emplace_back(arrow::FieldRef(key.field), key.ascending ? cp::SortOrder::Ascending : cp::SortOrder::Descending,
                           key.nulls_first ? cp::NullPlacement::AtStart : cp::NullPlacement::AtEnd);
  }
  return cp::Ordering(std::move(sort_keys));
}

}  // namespace

acero::Declaration ProjectDeclaration(acero::Declaration input, std::vector<cp::Expression> exprs,
                                      std::vector<std::string> names) {
  return acero::Declaration::Sequence(
      {std::move(input), {"project", acero::ProjectNodeOptions(std::move(exprs), std::move(names))}});
}

arrow::Result<acero::Declaration> PlanTranslator::Translate(const plan::NodePtr& node) {
  if (!node) return arrow::Status::Invalid("internal error: empty plan");
  if (!node->schema) return arrow::Status::Invalid("internal error: ", KindName(node->kind), " node without a schema");
  if (node->inputs.size() != InputCount(node->kind)) {
    return arrow::Status::Invalid("internal error: ", KindName(node->kind), " node has ", node->inputs.size(),
                                  " inputs, expected ", InputCount(node->kind));
  }
  for (const auto& input : node->inputs) {
    if (!input || !input->schema) {
      return arrow::Status::Invalid("internal error: ", KindName(node->kind), " node has an empty input");
    }
  }
  return TranslateNode(node);
}

arrow::Result<acero::Declaration> PlanTranslator::TranslateNode(const plan::NodePtr& node_ptr) {
  const plan::LogicalNode& node = *node_ptr;
  switch (node.kind) {
    case plan::NodeKind::kTableScan:
      return TableScanSource(node.As<plan::TableScanNode>(), SourceOptions{pool_, use_threads_});
    case plan::NodeKind::kFileScan:
      return FileScanSource(node.As<plan::FileScanNode>(), SourceOptions{pool_, use_threads_});
    case plan::NodeKind::kSourceScan:
      // The session reads sources (exec/ sits below stream/ and never opens one).
      return arrow::Status::Invalid("internal error: source '", node.As<plan::SourceScanNode>().source_name,
                                    "' was not read before execution");
    case plan::NodeKind::kValues:
      return ValuesSource(node.As<plan::ValuesNode>());
    case plan::NodeKind::kFilter: {
      ARROW_ASSIGN_OR_RAISE(auto input, Translate(node.inputs[0]));
      auto predicate = Unbind(plan::ExecutionForm(node.As<plan::FilterNode>().predicate), *node.inputs[0]->schema);
      return acero::Declaration::Sequence({std::move(input), {"filter", acero::FilterNodeOptions(predicate)}});
    }
    case plan::NodeKind::kProject: {
      const auto& project = node.As<plan::ProjectNode>();
      if (static_cast<int>(project.exprs.size()) != node.schema->num_fields()) {
        return arrow::Status::Invalid("internal error: projection of ", project.exprs.size(), " expressions into ",
                                      node.schema->num_fields(), " fields");
      }
      ARROW_ASSIGN_OR_RAISE(auto input, Translate(node.inputs[0]));
      const arrow::Schema& input_schema = *node.inputs[0]->schema;
      if (auto split = HoistCommonSubexpressions(project.exprs, input_schema, [this] { return Internal("cse"); })) {
        // Repeated calls first, once each; then the projection over them.
        arrow::FieldVector lower_fields = input_schema.fields();
        std::vector<cp::Expression> lower;
        for (size_t i = 0; i < split->lower.size(); ++i) {
          lower.push_back(Unbind(plan::ExecutionForm(split->lower[i]), input_schema));
          if (i >= lower_fields.size()) {
            lower_fields.push_back(arrow::field(split->lower_names[i], split->lower[i].type()->GetSharedPtr()));
          }
        }
        const arrow::Schema lower_schema(lower_fields);
        std::vector<cp::Expression> upper;
        for (const auto& e : split->upper) {
          ARROW_ASSIGN_OR_RAISE(auto bound, e.Bind(lower_schema));
          upper.push_back(Unbind(plan::ExecutionForm(bound), lower_schema));
        }
        input = ProjectDeclaration(std::move(input), std::move(lower), split->lower_names);
        return ProjectDeclaration(std::move(input), std::move(upper), node.schema->field_names());
      }
      std::vector<cp::Expression> exprs;
      for (const auto& e : project.exprs) exprs.push_back(Unbind(plan::ExecutionForm(e), input_schema));
      return ProjectDeclaration(std::move(input), std::move(exprs), node.schema->field_names());
    }
    case plan::NodeKind::kAggregate:
      return Aggregate(node.As<plan::AggregateNode>());
    case plan::NodeKind::kJoin:
      return Join(node.As<plan::JoinNode>());
    case plan::NodeKind::kSort:
      return Sort(node.As<plan::SortNode>());
    case plan::NodeKind::kLimit:
      return Limit(node.As<plan::LimitNode>());
    case plan::NodeKind::kSetOperation:
      return SetOperation(node.As<plan::SetOperationNode>());
    case plan::NodeKind::kWindow:
      return Window(std::static_pointer_cast<const plan::WindowNode>(node_ptr));
    case plan::NodeKind::kWatermark:  // event time matters to streams only
      return Translate(node.inputs[0]);
    case plan::NodeKind::kTimeWindow:
      return TimeWindow(node.As<plan::TimeWindowNode>());
  }
  return arrow::Status::NotImplemented("plan node kind ", static_cast<int>(node.kind));
}

arrow::Result<acero::Declaration> PlanTranslator::Sort(const plan::SortNode& node) {
  ARROW_ASSIGN_OR_RAISE(auto input, Translate(node.inputs[0]));
  if (node.keys.empty()) return input;
  auto input_schema = node.inputs[0]->schema;
  for (const auto& key : node.keys) {
    if (input_schema->GetFieldIndex(key.field) < 0) {
      return arrow::Status::Invalid("internal error: ORDER BY column '", key.field, "' is not in the input");
    }
  }
  auto keys = node.keys;
  MaterializeNodeOptions options(
      "sort", input_schema,
      [keys](const std::shared_ptr<arrow::Schema>& schema) -> arrow::Result<std::unique_ptr<MaterializingOperator>> {
        return std::make_unique<SortOperator>(schema, keys);
      },
      OrderingOf(node.keys));
  return acero::Declaration::Sequence({std::move(input), {kMaterializeNode, std::move(options)}});
}

arrow::Result<acero::Declaration> PlanTranslator::Limit(const plan::LimitNode& node) {
  if (node.offset < 0 || (node.limit && *node.limit < 0)) {
    return arrow::Status::Invalid("LIMIT and OFFSET must not be negative");
  }
  const auto& child = node.inputs[0];
  if (child->kind == plan::NodeKind::kSort && node.limit && !child->As<plan::SortNode>().keys.empty() &&
      *node.limit <= kMaxTopK && node.offset <= kMaxTopK) {
    // ORDER BY ... LIMIT k: keep only the best rows while the input streams in.
    const auto& sort = child->As<plan::SortNode>();
    ARROW_ASSIGN_OR_RAISE(auto input, Translate(child->inputs[0]));
    auto keys = sort.keys;
    int64_t offset = node.offset;
    int64_t limit = *node.limit;
    MaterializeNodeOptions options(
        "top-k", child->inputs[0]->schema,
        [keys, offset, limit](
            const std::shared_ptr<arrow::Schema>& schema) -> arrow::Result<std::unique_ptr<MaterializingOperator>> {
          return std::make_unique<TopKOperator>(schema, keys, offset, limit);
        },
        OrderingOf(sort.keys));
    return acero::Declaration::Sequence({std::move(input), {kMaterializeNode, std::move(options)}});
  }
  ARROW_ASSIGN_OR_RAISE(auto input, Translate(child));
  if (!node.limit && node.offset == 0) return input;
  int64_t count = node.limit.value_or(std::numeric_limits<int64_t>::max());
  return acero::Declaration::Sequence({std::move(input), {kLimitNode, LimitNodeOptions(node.offset, count)}});
}

arrow::Result<acero::Declaration> PlanTranslator::Window(const std::shared_ptr<const plan::WindowNode>& node) {
  ARROW_ASSIGN_OR_RAISE(auto input, Translate(node->inputs[0]));
  ARROW_RETURN_NOT_OK(ValidateWindowNode(*node));
  MaterializeNodeOptions options(
      "window", node->schema,
      [node](const std::shared_ptr<arrow::Schema>& schema) -> arrow::Result<std::unique_ptr<MaterializingOperator>> {
        return std::make_unique<WindowOperator>(node, schema);
      });
  return acero::Declaration::Sequence({std::move(input), {kMaterializeNode, std::move(options)}});
}

arrow::Result<acero::Declaration> PlanTranslator::TimeWindow(const plan::TimeWindowNode& node) {
  ARROW_ASSIGN_OR_RAISE(auto input, Translate(node.inputs[0]));
  const plan::TimeWindowSpec& spec = node.spec;
  if (spec.size <= 0 ||
      (spec.kind != plan::TimeWindowKind::kTumble && !plan::WindowsDependOnRows(spec) && spec.slide <= 0)) {
    return arrow::Status::Invalid("internal error: a time window without a positive size and slide");
  }
  if (plan::WindowsDependOnRows(spec)) {
    auto input_schema = node.inputs[0]->schema;
    MaterializeNodeOptions options(
        spec.kind == plan::TimeWindowKind::kSession ? "session window" : "sliding window", node.schema,
        [spec, input_schema, output = node.schema](
            const std::shared_ptr<arrow::Schema>&) -> arrow::Result<std::unique_ptr<MaterializingOperator>> {
          return std::make_unique<PartitionedWindowOperator>(spec, input_schema, output);
        });
    return acero::Declaration::Sequence({std::move(input), {kMaterializeNode, std::move(options)}});
  }
  MapNodeOptions options("time window", node.schema,
                         [spec, output = node.schema](const std::shared_ptr<arrow::RecordBatch>& batch,
                                                      arrow::MemoryPool* pool)
                             -> arrow::Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> {
                           ARROW_ASSIGN_OR_RAISE(auto assigned, AssignWindows(spec, batch, output, pool));
                           return std::vector<std::shared_ptr<arrow::RecordBatch>>{std::move(assigned)};
                         });
  return acero::Declaration::Sequence({std::move(input), {kMapNode, std::move(options)}});
}

}  // namespace tidelake::exec
