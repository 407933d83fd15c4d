#include "plan/explain.h"

#include <arrow/compute/api.h>

#include <map>
#include <sstream>

#include "plan/functions.h"

namespace tidelake::plan {

namespace {

// The SQL operator an Arrow or tidelake function name stands for, if it is one.
const char* InfixOperator(std::string_view function) {
  static const std::map<std::string, const char*, std::less<>> kOperators = {
      {"add", "+"}, {"add_checked", "+"}, {"tidelake_checked_add", "+"}, {"tidelake_decimal_add", "+"},
      {"subtract", "-"}, {"subtract_checked", "-"}, {"tidelake_checked_subtract", "-"},
      {"tidelake_decimal_subtract", "-"}, {"multiply", "*"}, {"multiply_checked", "*"},
      {"tidelake_checked_multiply", "*"}, {"tidelake_decimal_multiply", "*"}, {"divide", "/"},
      {"tidelake_divide", "/"}, {"tidelake_decimal_divide", "/"}, {"tidelake_int_divide", "DIV"},
      {"tidelake_decimal_int_divide", "DIV"}, {"equal", "="}, {"not_equal", "!="}, {"less", "<"},
      {"less_equal", "<="}, {"greater", ">"}, {"greater_equal", ">="}, {"and", "AND"}, {"and_kleene", "AND"},
      {"or", "OR"}, {"or_kleene", "OR"}, {"tidelake_like", "LIKE"},
  };
  auto it = kOperators.find(function);
  return it == kOperators.end() ? nullptr : it->second;
}

std::string LiteralText(const arrow::Datum& datum) {
  if (!datum.is_scalar()) return datum.ToString();
  const auto& scalar = *datum.scalar();
  if (!scalar.is_valid) return "NULL";
  if (scalar.type->id() == arrow::Type::STRING || scalar.type->id() == arrow::Type::LARGE_STRING ||
      scalar.type->id() == arrow::Type::STRING_VIEW) {
    std::string quoted = "'";
    for (char c : scalar.ToString()) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    return quoted + "'";
  }
  std::string text = scalar.ToString();
  // Dates, times and decimals print bare in Arrow; name their type as SQL would.
  if (arrow::is_temporal(scalar.type->id())) return SqlTypeName(*scalar.type) + " '" + text + "'";
  return text;
}

// An expression as SQL-like text: operators infix, casts as CAST(x AS type), functions without
// Arrow's option dumps. For people reading EXPLAIN; not meant to be parsed back.
std::string ExpressionText(const cp::Expression& e) {
  if (const auto* ref = e.field_ref()) return ref->name() ? *ref->name() : ref->ToString();
  if (e.literal()) return LiteralText(*e.literal());
  const auto* call = e.call();
  if (call == nullptr) return e.ToString();
  std::vector<std::string> args;
  for (const auto& a : call->arguments) args.push_back(ExpressionText(a));
  const std::string& name = call->function_name;
  if (const char* op = InfixOperator(name); op != nullptr && args.size() == 2) {
    return "(" + args[0] + " " + op + " " + args[1] + ")";
  }
  if ((name == "cast" || name == "tidelake_cast") && args.size() == 1) {
    const auto* options = dynamic_cast<const cp::CastOptions*>(call->options.get());
    if (options && options->to_type.type) return "CAST(" + args[0] + " AS " + SqlTypeName(*options->to_type.type) + ")";
  }
  if (name == "invert" && args.size() == 1) return "(NOT " + args[0] + ")";
  if (name == "is_null" && args.size() == 1) return "(" + args[0] + " IS NULL)";
  if (name == "is_valid" && args.size() == 1) return "(" + args[0] + " IS NOT NULL)";
  if (name == "is_in" && args.size() == 1) {
    const auto* options = dynamic_cast<const cp::SetLookupOptions*>(call->options.get());
    if (options && options->value_set.is_array()) {
      const auto& values = *options->value_set.make_array();
      std::string list;
      for (int64_t i = 0; i < values.length(); ++i) {
        auto scalar = values.GetScalar(i);
        list += (i ? ", " : "") + (scalar.ok() ? LiteralText(arrow::Datum(*scalar)) : std::string("?"));
      }
      return "(" + args[0] + " IN (" + list + "))";
    }
  }
  std::string shown = name.rfind("tidelake_", 0) == 0 ? name.substr(9) : name;
  std::string out = shown + "(";
  for (size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + args[i];
  return out + ")";
}

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
      if (scan.filter) out << " filter: " << ExpressionText(*scan.filter);
      break;
    }
    case NodeKind::kFileScan: {
      const auto& scan = node.As<FileScanNode>();
      const char* format = scan.format == FileFormat::kCsv ? "csv" : scan.format == FileFormat::kJson ? "json" : "parquet";
      out << "FileScan " << format << " (" << scan.paths.size() << " files) [" << Names(scan.columns) << "]";
      if (scan.filter) out << " filter: " << ExpressionText(*scan.filter);
      break;
    }
    case NodeKind::kSourceScan: {
      const auto& scan = node.As<SourceScanNode>();
      out << "SourceScan " << scan.definition->name.ToString() << " " << scan.definition->connector << " ["
          << Names(scan.columns) << "]";
      break;
    }
    case NodeKind::kValues:
      out << "Values (" << node.As<ValuesNode>().rows->num_rows() << " rows)";
      break;
    case NodeKind::kFilter:
      out << "Filter " << ExpressionText(node.As<FilterNode>().predicate);
      break;
    case NodeKind::kProject: {
      const auto& project = node.As<ProjectNode>();
      std::vector<std::string> items;
      for (size_t i = 0; i < project.exprs.size(); ++i) {
        std::string e = ExpressionText(project.exprs[i]);
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
      if (join.residual) out << " residual: " << ExpressionText(*join.residual);
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
    case NodeKind::kWatermark: {
      const auto& watermark = node.As<WatermarkNode>();
      out << "Watermark " << watermark.time_field << " delay " << watermark.delay_us;
      break;
    }
    case NodeKind::kTimeWindow: {
      const auto& window = node.As<TimeWindowNode>();
      out << "TimeWindow " << ToString(window.spec);
      if (!window.spec.partition_by.empty()) out << " partition [" << Names(window.spec.partition_by) << "]";
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
