#include "plan/same_computation.h"

#include <map>

#include "catalog/source_definition.h"

namespace tidelake::plan {

namespace {

// Compares two plans, mapping the column names of the first to those of the second as it
// goes up from the leaves (a node's output field i in `a` is field i in `b`).
class Comparison {
 public:
  bool Nodes(const LogicalNode& a, const LogicalNode& b) {
    if (&a == &b) return MapFields(*a.schema, *b.schema);
    if (a.kind != b.kind || a.inputs.size() != b.inputs.size()) return false;
    for (size_t i = 0; i < a.inputs.size(); ++i) {
      if (!Nodes(*a.inputs[i], *b.inputs[i])) return false;
    }
    if (!Parameters(a, b)) return false;
    return MapFields(*a.schema, *b.schema);
  }

 private:
  // Maps a's output names to b's; false when the types differ.
  bool MapFields(const arrow::Schema& a, const arrow::Schema& b) {
    if (a.num_fields() != b.num_fields()) return false;
    for (int i = 0; i < a.num_fields(); ++i) {
      const auto& fa = *a.field(i);
      const auto& fb = *b.field(i);
      if (!fa.type()->Equals(*fb.type()) || fa.nullable() != fb.nullable()) return false;
      names_[fa.name()] = fb.name();
    }
    return true;
  }

  bool Name(const std::string& a, const std::string& b) const {
    auto it = names_.find(a);
    return it != names_.end() && it->second == b;
  }

  bool Names(const std::vector<std::string>& a, const std::vector<std::string>& b) const {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!Name(a[i], b[i])) return false;
    }
    return true;
  }

  bool Expressions(const cp::Expression& a, const cp::Expression& b) const {
    if (const auto* ref = a.field_ref()) {
      const auto* other = b.field_ref();
      return other && ref->name() && other->name() && Name(*ref->name(), *other->name());
    }
    if (const auto* literal = a.literal()) {
      const auto* other = b.literal();
      return other && literal->Equals(*other) && literal->type()->Equals(*other->type());
    }
    const auto* call = a.call();
    const auto* other = b.call();
    if (!call || !other || call->function_name != other->function_name ||
        call->arguments.size() != other->arguments.size()) {
      return false;
    }
    if ((call->options == nullptr) != (other->options == nullptr)) return false;
    if (call->options && !call->options->Equals(*other->options)) return false;
    for (size_t i = 0; i < call->arguments.size(); ++i) {
      if (!Expressions(call->arguments[i], other->arguments[i])) return false;
    }
    return true;
  }

  bool Parameters(const LogicalNode& a, const LogicalNode& b) const {
    switch (a.kind) {
      case NodeKind::kSourceScan: {
        const auto& x = a.As<SourceScanNode>();
        const auto& y = b.As<SourceScanNode>();
        return x.definition && y.definition && x.definition->name.ToString() == y.definition->name.ToString() &&
               x.columns == y.columns;
      }
      case NodeKind::kTableScan: {
        const auto& x = a.As<TableScanNode>();
        const auto& y = b.As<TableScanNode>();
        return x.table_name == y.table_name && x.snapshot == y.snapshot && x.columns == y.columns &&
               x.streaming == y.streaming && !x.filter && !y.filter;
      }
      case NodeKind::kFilter:
        return Expressions(a.As<FilterNode>().predicate, b.As<FilterNode>().predicate);
      case NodeKind::kProject: {
        const auto& x = a.As<ProjectNode>().exprs;
        const auto& y = b.As<ProjectNode>().exprs;
        if (x.size() != y.size()) return false;
        for (size_t i = 0; i < x.size(); ++i) {
          if (!Expressions(x[i], y[i])) return false;
        }
        return true;
      }
      case NodeKind::kWatermark: {
        const auto& x = a.As<WatermarkNode>();
        const auto& y = b.As<WatermarkNode>();
        return Name(x.time_field, y.time_field) && x.delay_us == y.delay_us;
      }
      case NodeKind::kTimeWindow: {
        const auto& x = a.As<TimeWindowNode>().spec;
        const auto& y = b.As<TimeWindowNode>().spec;
        return x.kind == y.kind && Name(x.time_field, y.time_field) && x.size == y.size && x.slide == y.slide &&
               x.offset == y.offset && x.end_inclusive == y.end_inclusive && x.max_duration == y.max_duration &&
               Names(x.partition_by, y.partition_by);
      }
      case NodeKind::kAggregate: {
        const auto& x = a.As<AggregateNode>();
        const auto& y = b.As<AggregateNode>();
        if (!Names(x.keys, y.keys) || x.grouping_sets != y.grouping_sets ||
            x.aggregates.size() != y.aggregates.size()) {
          return false;
        }
        for (size_t i = 0; i < x.aggregates.size(); ++i) {
          const auto& f = x.aggregates[i];
          const auto& g = y.aggregates[i];
          if (f.function != g.function || !Names(f.args, g.args)) return false;
          if ((f.options == nullptr) != (g.options == nullptr) || (f.options && !f.options->Equals(*g.options))) {
            return false;
          }
          if ((f.result_type == nullptr) != (g.result_type == nullptr) ||
              (f.result_type && !f.result_type->Equals(*g.result_type))) {
            return false;
          }
        }
        return true;
      }
      default:  // joins, sorts, window functions, ...: not compared (yet), so never the same
        return false;
    }
  }

  std::map<std::string, std::string> names_;  // a's column names -> b's
};

}  // namespace

bool SameComputation(const LogicalNode& a, const LogicalNode& b) { return Comparison().Nodes(a, b); }

}  // namespace tidelake::plan
