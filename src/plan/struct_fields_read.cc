#include "plan/struct_fields_read.h"

#include <arrow/compute/api.h>

namespace tidelake::plan {

namespace {

// The uses of some struct columns, found node by node.
class StructUses {
 public:
  explicit StructUses(const std::set<std::string>& columns) : columns_(columns) {}

  void Node(const LogicalNode& node) {
    switch (node.kind) {
      case NodeKind::kTableScan:
        if (const auto& filter = node.As<TableScanNode>().filter) Expression(*filter);
        break;
      case NodeKind::kFileScan:
        if (const auto& filter = node.As<FileScanNode>().filter) Expression(*filter);
        break;
      case NodeKind::kSourceScan:
      case NodeKind::kValues:
      case NodeKind::kLimit:
        break;
      case NodeKind::kFilter:
        Expression(node.As<FilterNode>().predicate);
        break;
      case NodeKind::kProject: {
        const auto& exprs = node.As<ProjectNode>().exprs;
        for (size_t i = 0; i < exprs.size(); ++i) {
          // A column passed on under its own name is no use of it: its uses above are found by
          // that name.
          const auto* ref = exprs[i].field_ref();
          if (ref && ref->name() && *ref->name() == node.schema->field(static_cast<int>(i))->name()) continue;
          Expression(exprs[i]);
        }
        break;
      }
      case NodeKind::kAggregate: {
        const auto& aggregate = node.As<AggregateNode>();
        Whole(aggregate.keys);
        for (const auto& call : aggregate.aggregates) Whole(call.args);
        break;
      }
      case NodeKind::kJoin: {
        const auto& join = node.As<JoinNode>();
        Whole(join.left_keys);
        Whole(join.right_keys);
        if (join.residual) Expression(*join.residual);
        break;
      }
      case NodeKind::kSort:
        for (const auto& key : node.As<SortNode>().keys) Whole(key.field);
        break;
      case NodeKind::kSetOperation:
        // Every column takes part, and the right input's come out under the left's names.
        for (const auto& input : node.inputs) Whole(input->schema->field_names());
        break;
      case NodeKind::kWindow: {
        const auto& window = node.As<WindowNode>();
        Whole(window.partition_by);
        for (const auto& key : window.order_by) Whole(key.field);
        for (const auto& call : window.calls) Whole(call.args);
        break;
      }
      case NodeKind::kWatermark:
        Whole(node.As<WatermarkNode>().time_field);
        break;
      case NodeKind::kTimeWindow: {
        const auto& spec = node.As<TimeWindowNode>().spec;
        Whole(spec.time_field);
        Whole(spec.partition_by);
        break;
      }
    }
    for (const auto& input : node.inputs) Node(*input);
  }

  void Whole(const std::string& name) {
    if (columns_.count(name)) whole_.insert(name);
  }
  void Whole(const std::vector<std::string>& names) {
    for (const auto& name : names) Whole(name);
  }

  std::map<std::string, std::set<int>> Read() const {
    std::map<std::string, std::set<int>> out;
    if (unknown_) return out;
    for (const auto& [name, fields] : fields_) {
      if (!whole_.count(name)) out[name] = fields;
    }
    return out;
  }

 private:
  void Expression(const cp::Expression& e) {
    if (const auto* ref = e.field_ref()) {
      Reference(*ref);
      return;
    }
    const auto* call = e.call();
    if (call == nullptr) return;  // a literal
    if (call->function_name == "struct_field" && call->arguments.size() == 1 && call->options) {
      const auto* ref = call->arguments[0].field_ref();
      const auto* path = static_cast<const cp::StructFieldOptions*>(call->options.get())->field_ref.field_path();
      if (ref && ref->name() && columns_.count(*ref->name()) && path && !path->indices().empty()) {
        fields_[*ref->name()].insert(path->indices()[0]);
        return;
      }
    }
    for (const auto& argument : call->arguments) Expression(argument);
  }

  // A column referenced other than through a field access.
  void Reference(const arrow::FieldRef& ref) {
    if (const auto* name = ref.name()) {
      Whole(*name);
    } else if (const auto* nested = ref.nested_refs(); nested && !nested->empty() && nested->front().name()) {
      Whole(*nested->front().name());  // a path into the column: at least one field, maybe all
    } else {
      unknown_ = true;  // by position: no telling which column it is
    }
  }

  const std::set<std::string>& columns_;
  std::map<std::string, std::set<int>> fields_;  ///< fields read by field accesses
  std::set<std::string> whole_;                  ///< used otherwise
  bool unknown_ = false;
};

}  // namespace

std::map<std::string, std::set<int>> StructFieldsRead(const LogicalNode& root, const std::set<std::string>& columns) {
  StructUses uses(columns);
  uses.Whole(root.schema->field_names());  // the plan's answer holds them
  uses.Node(root);
  return uses.Read();
}

}  // namespace tidelake::plan
