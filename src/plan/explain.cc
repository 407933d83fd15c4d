#include "plan/explain.h"

#include <sstream>

namespace tidelake::plan {

namespace {

std::string Names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string Keys(const std::vector<SortKey>& keys) {
  std::string out;
  for (const auto& k : keys) {
    out += (out.empty() ? "" : ", ") + k.field + (k.ascending ? " ASC" : " DESC") +
           (k.nulls_first ? " NULLS FIRST" : " NULLS LAST");
  }
  return out;
}

const char* JoinName(JoinType type) {
  switch (type) {
    case JoinType::kInner: return "Inner";
    case JoinType::kLeft: return "LeftOuter";
    case JoinType::kRight: return "RightOuter";
    case JoinType::kFull: return "FullOuter";
    case JoinType::kLeftSemi: return "LeftSemi";
    case JoinType::kLeftAnti: return "LeftAnti";
    case JoinType::kCross: return "Cross";
  }
  return "?";
}

void Print(const LogicalNode& node, int depth, std::ostringstream& out) {
  out << std::string(static_cast<size_t>(depth) * 2, ' ');
  switch (node.kind) {
    case NodeKind::kTableScan: {
      const auto& scan = node.As<TableScanNode>();
      std::vector<std::string> fields;
      for (const auto& f : scan.schema->fields()) fields.push_back(f->name());
      out << "TableScan " << scan.table_name << " version " << scan.snapshot->version() << " [" << Names(fields) << "]";
      if (scan.filter) out << " filter: " << scan.filter->ToString();
      break;
    }
    case NodeKind::kFileScan: {
      const auto& scan = node.As<FileScanNode>();
      const char* format = scan.format == FileFormat::kCsv ? "csv" : scan.format == FileFormat::kJson ? "json" : "parquet";
      out << "FileScan " << format << " (" << scan.paths.size() << " files) [" << Names(scan.columns) << "]";
      if (scan.filter) out << " filter: " << scan.filter->ToString();
      break;
    }
    case NodeKind::kValues:
      out << "Values (" << node.As<ValuesNode>().rows->num_rows() << " rows)";
      break;
    case NodeKind::kFilter:
      out << "Filter " << node.As<FilterNode>().predicate.ToString();
      break;
    case NodeKind::kProject: {
      const auto& project = node.As<ProjectNode>();
      std::vector<std::string> items;
      for (size_t i = 0; i < project.exprs.size(); ++i) {
        std::string e = project.exprs[i].ToString();
        const std::string& name = project.schema->field(static_cast<int>(i))->name();
        items.push_back(e == name ? e : e + " AS " + name);
      }
      out << "Project [" << Names(items) << "]";
      break;
    }
    case NodeKind::kAggregate: {
      const auto& agg = node.As<AggregateNode>();
      std::vector<std::string> calls;
      for (size_t i = 0; i < agg.aggregates.size(); ++i) {
        const auto& a = agg.aggregates[i];
        calls.push_back(a.function + "(" + Names(a.args) + ") AS " +
                        agg.schema->field(static_cast<int>(agg.keys.size() + i))->name());
      }
      out << "Aggregate keys [" << Names(agg.keys) << "] [" << Names(calls) << "]";
      if (!agg.grouping_sets.empty()) out << " (" << agg.grouping_sets.size() << " grouping sets)";
      break;
    }
    case NodeKind::kJoin: {
      const auto& join = node.As<JoinNode>();
      out << "Join " << JoinName(join.type);
      std::vector<std::string> keys;
      for (size_t i = 0; i < join.left_keys.size(); ++i) {
        keys.push_back(join.left_keys[i] + (join.null_safe[i] ? " <=> " : " = ") + join.right_keys[i]);
      }
      if (!keys.empty()) out << " [" << Names(keys) << "]";
      if (join.residual) out << " residual: " << join.residual->ToString();
      break;
    }
    case NodeKind::kSort:
      out << "Sort [" << Keys(node.As<SortNode>().keys) << "]";
      break;
    case NodeKind::kLimit: {
      const auto& limit = node.As<LimitNode>();
      out << "Limit";
      if (limit.limit) out << " " << *limit.limit;
      if (limit.offset) out << " offset " << limit.offset;
      break;
    }
    case NodeKind::kSetOperation: {
      const auto& set = node.As<SetOperationNode>();
      out << (set.op == SetOpKind::kUnion ? "Union" : set.op == SetOpKind::kIntersect ? "Intersect" : "Except")
          << (set.all ? " All" : " Distinct");
      break;
    }
    case NodeKind::kWindow: {
      const auto& window = node.As<WindowNode>();
      std::vector<std::string> calls;
      for (const auto& c : window.calls) calls.push_back(c.function + "(" + Names(c.args) + ")");
      out << "Window [" << Names(calls) << "] partition [" << Names(window.partition_by) << "] order ["
          << Keys(window.order_by) << "]";
      break;
    }
  }
  out << "\n";
  for (const auto& input : node.inputs) Print(*input, depth + 1, out);
}

}  // namespace

std::string Explain(const NodePtr& node) {
  std::ostringstream out;
  Print(*node, 0, out);
  return out.str();
}

std::string Explain(const PlanRoot& root) {
  std::ostringstream out;
  out << "Output [" << Names(root.column_names) << "]" << (root.ordered ? " ordered" : "") << "\n";
  Print(*root.node, 1, out);
  return out.str();
}

}  // namespace tidelake::plan
