#include "plan/optimizer_stats.h"

#include <arrow/scalar.h>
#include <arrow/util/decimal.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "delta/file_stats.h"
#include "delta/schema.h"

namespace tidelake::plan {

namespace {

// Selectivities where nothing better is known.
constexpr double kEqualityGuess = 0.1;
constexpr double kRangeGuess = 1.0 / 3;
constexpr double kLikeGuess = 0.1;
constexpr double kUnknownGuess = 0.5;
// The least fraction a predicate keeps: estimates never reach zero rows.
constexpr double kMinSelectivity = 1e-4;
// Files whose statistics a scan folds into its min/max (beyond it: row counts only).
constexpr size_t kMaxStatsFiles = 4096;

// A number, decimal, date or timestamp as a double on one scale per type (days for dates).
std::optional<double> NumericValue(const arrow::Scalar& scalar) {
  if (!scalar.is_valid) return std::nullopt;
  switch (scalar.type->id()) {
    case arrow::Type::INT8: return static_cast<const arrow::Int8Scalar&>(scalar).value;
    case arrow::Type::INT16: return static_cast<const arrow::Int16Scalar&>(scalar).value;
    case arrow::Type::INT32: return static_cast<const arrow::Int32Scalar&>(scalar).value;
    case arrow::Type::INT64: return static_cast<double>(static_cast<const arrow::Int64Scalar&>(scalar).value);
    case arrow::Type::UINT8: return static_cast<const arrow::UInt8Scalar&>(scalar).value;
    case arrow::Type::UINT16: return static_cast<const arrow::UInt16Scalar&>(scalar).value;
    case arrow::Type::UINT32: return static_cast<const arrow::UInt32Scalar&>(scalar).value;
    case arrow::Type::UINT64: return static_cast<double>(static_cast<const arrow::UInt64Scalar&>(scalar).value);
    case arrow::Type::FLOAT: return static_cast<const arrow::FloatScalar&>(scalar).value;
    case arrow::Type::DOUBLE: return static_cast<const arrow::DoubleScalar&>(scalar).value;
    case arrow::Type::DATE32: return static_cast<const arrow::Date32Scalar&>(scalar).value;
    case arrow::Type::DATE64:
      return static_cast<double>(static_cast<const arrow::Date64Scalar&>(scalar).value) / 86400000.0;
    case arrow::Type::TIMESTAMP:
      return static_cast<double>(static_cast<const arrow::TimestampScalar&>(scalar).value);
    case arrow::Type::DECIMAL128: {
      const auto& d = static_cast<const arrow::Decimal128Scalar&>(scalar);
      return d.value.ToDouble(static_cast<const arrow::Decimal128Type&>(*scalar.type).scale());
    }
    case arrow::Type::DECIMAL256: {
      const auto& d = static_cast<const arrow::Decimal256Scalar&>(scalar);
      return d.value.ToDouble(static_cast<const arrow::Decimal256Type&>(*scalar.type).scale());
    }
    default: return std::nullopt;
  }
}

// Types whose value range bounds the number of distinct values.
bool Countable(const arrow::DataType& type) {
  return arrow::is_integer(type.id()) || type.id() == arrow::Type::DATE32;
}

// The field `e` reads, looking through casts.
const std::string* FieldOf(const cp::Expression& e) {
  if (const auto* ref = e.field_ref()) return ref->name();
  if (const auto* call = e.call(); call && call->function_name == "cast" && call->arguments.size() == 1) {
    return FieldOf(call->arguments[0]);
  }
  return nullptr;
}

std::optional<double> LiteralValue(const cp::Expression& e) {
  if (const auto* datum = e.literal(); datum && datum->is_scalar()) return NumericValue(*datum->scalar());
  return std::nullopt;
}

const FieldEstimate* Find(const Estimate& input, const std::string& name) {
  auto it = input.fields.find(name);
  return it == input.fields.end() ? nullptr : &it->second;
}

double Clamp(double s) { return std::clamp(s, kMinSelectivity, 1.0); }

// The fraction of values of `f` for which `field op value` holds, `op` one of <, <=, >, >=.
double RangeFraction(const FieldEstimate* f, const std::string& op, double value) {
  if (!f || !f->min || !f->max) return kRangeGuess;
  double lo = *f->min, hi = *f->max;
  if (hi <= lo) {
    bool holds = op == "less" ? lo < value : op == "less_equal" ? lo <= value : op == "greater" ? lo > value : lo >= value;
    return holds ? 1.0 : kMinSelectivity;
  }
  double below = (value - lo) / (hi - lo);
  return Clamp(op == "less" || op == "less_equal" ? below : 1.0 - below);
}

std::string Flipped(const std::string& op) {
  if (op == "less") return "greater";
  if (op == "less_equal") return "greater_equal";
  if (op == "greater") return "less";
  if (op == "greater_equal") return "less_equal";
  return op;
}

double EqualitySelectivity(const cp::Expression& a, const cp::Expression& b, const Estimate& input) {
  const std::string* fa = FieldOf(a);
  const std::string* fb = FieldOf(b);
  auto da = fa ? input.Distinct(*fa) : std::nullopt;
  auto db = fb ? input.Distinct(*fb) : std::nullopt;
  if (fa && fb) {
    if (!da && !db) return kEqualityGuess;
    return Clamp(1.0 / std::max(da.value_or(1.0), db.value_or(1.0)));
  }
  if (da) return Clamp(1.0 / *da);
  if (db) return Clamp(1.0 / *db);
  return kEqualityGuess;
}

// Output estimate of a field that passes through a filter keeping `rows` rows.
FieldEstimate Thinned(FieldEstimate f, double rows) {
  if (f.distinct) f.distinct = std::max(1.0, std::min(*f.distinct, rows));
  return f;
}

void SplitAnd(const cp::Expression& e, std::vector<cp::Expression>* out) {
  if (const auto* call = e.call(); call && (call->function_name == "and_kleene" || call->function_name == "and")) {
    for (const auto& arg : call->arguments) SplitAnd(arg, out);
    return;
  }
  out->push_back(e);
}

}  // namespace

std::optional<double> Estimate::Distinct(const std::string& field) const {
  auto it = fields.find(field);
  if (it == fields.end() || !it->second.distinct) return std::nullopt;
  return std::max(1.0, std::min(*it->second.distinct, rows));
}

double Estimator::Selectivity(const cp::Expression& predicate, const Estimate& input) {
  if (const auto* datum = predicate.literal()) {
    if (!datum->is_scalar() || !datum->scalar()->is_valid) return kMinSelectivity;
    if (datum->type()->id() == arrow::Type::BOOL) {
      return static_cast<const arrow::BooleanScalar&>(*datum->scalar()).value ? 1.0 : kMinSelectivity;
    }
    return kUnknownGuess;
  }
  const auto* call = predicate.call();
  if (!call) return kUnknownGuess;  // a boolean column
  const std::string& fn = call->function_name;
  const auto& args = call->arguments;
  if (fn == "and_kleene" || fn == "and") {
    double s = 1.0;
    for (const auto& a : args) s *= Selectivity(a, input);
    return Clamp(s);
  }
  if (fn == "or_kleene" || fn == "or") {
    double none = 1.0;
    for (const auto& a : args) none *= 1.0 - Selectivity(a, input);
    return Clamp(1.0 - none);
  }
  if (fn == "invert" && args.size() == 1) return Clamp(1.0 - Selectivity(args[0], input));
  if (fn == "equal" && args.size() == 2) return EqualitySelectivity(args[0], args[1], input);
  if (fn == "not_equal" && args.size() == 2) return Clamp(1.0 - EqualitySelectivity(args[0], args[1], input));
  if ((fn == "less" || fn == "less_equal" || fn == "greater" || fn == "greater_equal") && args.size() == 2) {
    const std::string* field = FieldOf(args[0]);
    auto value = LiteralValue(args[1]);
    std::string op = fn;
    if (!field || !value) {
      field = FieldOf(args[1]);
      value = LiteralValue(args[0]);
      op = Flipped(fn);
    }
    if (!field || !value) return kRangeGuess;
    return RangeFraction(Find(input, *field), op, *value);
  }
  if (fn == "is_in" && args.size() == 1) {
    const auto* options = static_cast<const cp::SetLookupOptions*>(call->options.get());
    double n = options && options->value_set.is_array() ? static_cast<double>(options->value_set.length()) : 1.0;
    const std::string* field = FieldOf(args[0]);
    auto distinct = field ? input.Distinct(*field) : std::nullopt;
    return Clamp(distinct ? n / *distinct : n * kEqualityGuess);
  }
  if (fn == "is_null") return kEqualityGuess;
  if (fn == "is_valid") return 1.0 - kEqualityGuess;
  if (fn == "match_like" || fn == "match_substring" || fn == "match_substring_regex" || fn == "starts_with" ||
      fn == "ends_with" || fn == "tidelake_like") {
    return kLikeGuess;
  }
  return kUnknownGuess;
}

Estimate Estimator::Filtered(const Estimate& input, const cp::Expression& predicate) {
  Estimate out;
  out.rows = std::max(1.0, input.rows * Selectivity(predicate, input));
  for (const auto& [name, f] : input.fields) out.fields[name] = Thinned(f, out.rows);
  // A column compared equal to a constant holds one value.
  std::vector<cp::Expression> conjuncts;
  SplitAnd(predicate, &conjuncts);
  for (const auto& c : conjuncts) {
    const auto* call = c.call();
    if (!call || call->function_name != "equal" || call->arguments.size() != 2) continue;
    for (int side = 0; side < 2; ++side) {
      const std::string* field = FieldOf(call->arguments[side]);
      if (field && call->arguments[1 - side].literal()) {
        auto& f = out.fields[*field];
        f.distinct = 1.0;
      }
    }
  }
  return out;
}

Estimate Estimator::Join(const Estimate& left, const Estimate& right, const std::vector<KeyPair>& keys) {
  double divisor = 1.0;
  for (const auto& [l, r] : keys) {
    const FieldEstimate* lf = Find(left, l);
    const FieldEstimate* rf = Find(right, r);
    // A key whose distinct count is unknown is taken to be unique on its side.
    double ld = left.Distinct(l).value_or(left.rows);
    double rd = right.Distinct(r).value_or(right.rows);
    // Containment: a side holds at most the other side's base values that can match.
    if (rf && rf->domain) ld = std::min(ld, *rf->domain);
    if (lf && lf->domain) rd = std::min(rd, *lf->domain);
    divisor = std::max(divisor, std::max(ld, rd));
  }
  Estimate out;
  out.rows = std::max(1.0, left.rows * right.rows / divisor);
  for (const auto& [name, f] : left.fields) out.fields[name] = Thinned(f, out.rows);
  for (const auto& [name, f] : right.fields) out.fields[name] = Thinned(f, out.rows);
  for (const auto& [l, r] : keys) {
    auto ld = left.Distinct(l), rd = right.Distinct(r);
    if (ld && rd) {
      double both = std::min({*ld, *rd, out.rows});
      out.fields[l].distinct = both;
      out.fields[r].distinct = both;
    }
  }
  return out;
}

const Estimate& Estimator::Of(const NodePtr& node) {
  auto it = cache_.find(node.get());
  if (it != cache_.end()) return it->second;
  Estimate estimate = Compute(node);
  keep_alive_.push_back(node);
  return cache_.emplace(node.get(), std::move(estimate)).first->second;
}

Estimate Estimator::Scan(const TableScanNode& scan) {
  Estimate out;
  const auto& snapshot = *scan.snapshot;
  int64_t records = snapshot.NumRecords();
  double base = records >= 0 ? static_cast<double>(records) : static_cast<double>(snapshot.SizeInBytes()) / 64.0;
  out.rows = std::max(1.0, base);

  // Fold the files' min/max per column.
  std::map<std::string, std::pair<std::optional<double>, std::optional<double>>> bounds;
  bool complete = snapshot.files().size() <= kMaxStatsFiles;
  if (complete) {
    auto mode = delta::ColumnMappingModeFrom(snapshot.metadata().configuration);
    auto name_of = [mode](const arrow::Field& f) {
      return mode == delta::ColumnMappingMode::kNone ? f.name() : delta::PhysicalName(f);
    };
    std::map<std::string, std::pair<std::optional<double>, std::optional<double>>> folded;
    std::map<std::string, size_t> seen;
    for (const auto& file : snapshot.files()) {
      if (!file.stats) {
        complete = false;
        break;
      }
      auto stats = delta::ParseStats(*file.stats, *snapshot.schema(), name_of);
      if (!stats.ok()) {
        complete = false;
        break;
      }
      for (const auto& column : stats->columns) {
        if (column.path.size() != 1 || !column.min || !column.max) continue;
        auto lo = NumericValue(*column.min), hi = NumericValue(*column.max);
        if (!lo || !hi) continue;
        auto& [min, max] = folded[column.path[0]];
        min = min ? std::min(*min, *lo) : *lo;
        max = max ? std::max(*max, *hi) : *hi;
        ++seen[column.path[0]];
      }
    }
    // Bounds hold only when every file had them.
    for (const auto& [name, count] : seen) {
      if (complete && count == snapshot.files().size()) bounds[name] = folded[name];
    }
  }
  for (size_t i = 0; i < scan.columns.size() && static_cast<int>(i) < scan.schema->num_fields(); ++i) {
    const auto& field = scan.schema->field(static_cast<int>(i));
    FieldEstimate f;
    auto it = bounds.find(scan.columns[i]);
    if (it != bounds.end()) {
      f.min = it->second.first;
      f.max = it->second.second;
      if (Countable(*field->type())) {
        f.domain = std::min(out.rows, *f.max - *f.min + 1.0);
        f.distinct = f.domain;
      }
    }
    // ANALYZE TABLE's exact distinct count, for any type (still a fair guess when stale).
    if (scan.statistics) {
      auto c = scan.statistics->columns.find(scan.columns[i]);
      if (c != scan.statistics->columns.end() && c->second.distinct_count) {
        f.domain = std::clamp(static_cast<double>(*c->second.distinct_count), 1.0, out.rows);
        f.distinct = f.domain;
      }
    }
    out.fields[field->name()] = f;
  }
  if (scan.filter) return Filtered(out, *scan.filter);
  return out;
}

Estimate Estimator::Compute(const NodePtr& node) {
  switch (node->kind) {
    case NodeKind::kTableScan:
      return Scan(node->As<TableScanNode>());
    case NodeKind::kFileScan: {
      Estimate out;
      out.rows = 1e6;  // unknown until the files are opened
      const auto& scan = node->As<FileScanNode>();
      return scan.filter ? Filtered(out, *scan.filter) : out;
    }
    case NodeKind::kSourceScan: {
      Estimate out;
      out.rows = 1e6;  // unknown until the source is read
      return out;
    }
    case NodeKind::kValues: {
      Estimate out;
      out.rows = std::max<double>(1.0, static_cast<double>(node->As<ValuesNode>().rows->num_rows()));
      return out;
    }
    case NodeKind::kFilter:
      return Filtered(Of(node->inputs[0]), node->As<FilterNode>().predicate);
    case NodeKind::kProject: {
      const auto& project = node->As<ProjectNode>();
      const Estimate& input = Of(node->inputs[0]);
      Estimate out;
      out.rows = input.rows;
      for (size_t i = 0; i < project.exprs.size(); ++i) {
        const std::string* from = FieldOf(project.exprs[i]);
        if (!from) continue;
        if (const FieldEstimate* f = Find(input, *from)) out.fields[node->schema->field(static_cast<int>(i))->name()] = *f;
      }
      return out;
    }
    case NodeKind::kAggregate: {
      const auto& agg = node->As<AggregateNode>();
      const Estimate& input = Of(node->inputs[0]);
      Estimate out;
      if (agg.keys.empty()) {
        out.rows = 1;
        return out;
      }
      double groups = 1.0;
      bool known = true;
      for (const auto& k : agg.keys) {
        auto d = input.Distinct(k);
        if (!d) known = false;
        groups *= d.value_or(1.0);
      }
      // Unknown keys: a tenth of the rows form groups.
      out.rows = std::max(1.0, std::min(input.rows, known ? groups : std::max(groups, input.rows / 10)));
      if (!agg.grouping_sets.empty()) out.rows *= static_cast<double>(agg.grouping_sets.size());
      for (const auto& k : agg.keys) {
        if (const FieldEstimate* f = Find(input, k)) out.fields[k] = Thinned(*f, out.rows);
      }
      return out;
    }
    case NodeKind::kJoin: {
      const auto& join = node->As<JoinNode>();
      const Estimate& left = Of(node->inputs[0]);
      const Estimate& right = Of(node->inputs[1]);
      std::vector<KeyPair> keys;
      for (size_t i = 0; i < join.left_keys.size(); ++i) keys.emplace_back(join.left_keys[i], join.right_keys[i]);
      Estimate joined = Join(left, right, keys);
      if (join.residual) joined = Filtered(joined, *join.residual);
      switch (join.type) {
        case JoinType::kInner:
        case JoinType::kCross:
          return joined;
        case JoinType::kLeft:
          joined.rows = std::max(joined.rows, left.rows);
          return joined;
        case JoinType::kRight:
          joined.rows = std::max(joined.rows, right.rows);
          return joined;
        case JoinType::kFull:
          joined.rows = std::max({joined.rows, left.rows, right.rows});
          return joined;
        case JoinType::kLeftSemi:
        case JoinType::kLeftAnti: {
          // The fraction of left rows with a match: the right's share of the left's key values.
          double matched = 1.0;
          for (const auto& [l, r] : keys) {
            auto ld = left.Distinct(l), rd = right.Distinct(r);
            if (ld && rd) matched = std::min(matched, *rd / *ld);
          }
          if (keys.empty() || (join.residual && matched >= 1.0)) matched = kUnknownGuess;
          Estimate out = left;
          double keep = join.type == JoinType::kLeftSemi ? matched : std::max(0.1, 1.0 - matched);
          out.rows = std::max(1.0, left.rows * keep);
          for (auto& [name, f] : out.fields) f = Thinned(f, out.rows);
          return out;
        }
      }
      return joined;
    }
    case NodeKind::kLimit: {
      const auto& limit = node->As<LimitNode>();
      Estimate out = Of(node->inputs[0]);
      if (limit.limit) out.rows = std::max(1.0, std::min(out.rows, static_cast<double>(*limit.limit)));
      return out;
    }
    case NodeKind::kSetOperation: {
      const auto& left = Of(node->inputs[0]);
      const auto& right = Of(node->inputs[1]);
      Estimate out;
      out.rows = node->As<SetOperationNode>().op == SetOpKind::kUnion ? left.rows + right.rows : left.rows;
      return out;
    }
    case NodeKind::kSort:
    case NodeKind::kWindow:
    case NodeKind::kWatermark:
      return Of(node->inputs[0]);
    case NodeKind::kTimeWindow: {
      // A hopping window repeats each row once per window holding it.
      const auto& spec = node->As<TimeWindowNode>().spec;
      Estimate out = Of(node->inputs[0]);
      if (spec.kind == TimeWindowKind::kHop && spec.slide > 0) {
        out.rows *= std::max<double>(1.0, static_cast<double>(spec.size) / static_cast<double>(spec.slide));
      }
      return out;
    }
  }
  return Estimate{};
}

}  // namespace tidelake::plan
