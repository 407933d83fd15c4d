#include "stream/stream_join.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <limits>

namespace tidelake::stream {

namespace {

namespace cp = arrow::compute;

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return sum;
}

int64_t SaturatingNegate(int64_t a) {
  return a == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : -a;
}

// The conjuncts of a boolean expression.
void Conjuncts(const cp::Expression& e, std::vector<cp::Expression>* out) {
  if (const auto* call = e.call(); call && (call->function_name == "and_kleene" || call->function_name == "and")) {
    for (const auto& arg : call->arguments) Conjuncts(arg, out);
    return;
  }
  out->push_back(e);
}

// A column plus a constant interval (in nanoseconds): `t`, `t + INTERVAL ...`, `t - INTERVAL ...`.
struct Shifted {
  std::string field;
  int64_t nanos = 0;
};

std::optional<Shifted> AsShifted(const cp::Expression& e) {
  if (const auto* ref = e.field_ref(); ref && ref->name()) return Shifted{*ref->name(), 0};
  const auto* call = e.call();
  if (call == nullptr || call->arguments.size() != 2) return std::nullopt;
  const bool add = call->function_name == "tidelake_add_interval";
  if (!add && call->function_name != "tidelake_subtract_interval") return std::nullopt;
  const auto* ref = call->arguments[0].field_ref();
  const auto* literal = call->arguments[1].literal();
  if (ref == nullptr || !ref->name() || literal == nullptr || !literal->is_scalar()) return std::nullopt;
  const auto& scalar = *literal->scalar();
  if (scalar.type->id() != arrow::Type::INTERVAL_MONTH_DAY_NANO || !scalar.is_valid) return std::nullopt;
  const auto value = static_cast<const arrow::MonthDayNanoIntervalScalar&>(scalar).value;
  if (value.months != 0) return std::nullopt;  // months have no fixed length
  int64_t nanos = 0;
  if (__builtin_mul_overflow(static_cast<int64_t>(value.days), int64_t{86'400'000'000'000}, &nanos) ||
      __builtin_add_overflow(nanos, value.nanoseconds, &nanos)) {
    return std::nullopt;
  }
  return Shifted{*ref->name(), add ? nanos : -nanos};
}

// Nanoseconds per unit of a timestamp type; 0 for other types.
int64_t NanosPerUnit(const arrow::DataType& type) {
  if (type.id() != arrow::Type::TIMESTAMP) return 0;
  switch (static_cast<const arrow::TimestampType&>(type).unit()) {
    case arrow::TimeUnit::SECOND: return 1'000'000'000;
    case arrow::TimeUnit::MILLI: return 1'000'000;
    case arrow::TimeUnit::MICRO: return 1'000;
    case arrow::TimeUnit::NANO: return 1;
  }
  return 0;
}

// The internal columns of an outer join: whether a held row of a padded side has found a
// partner (kept with it in the state), and each input row's number in a join that marks which
// rows paired.
constexpr const char* kMatchedColumn = "__tidelake_join_matched";
constexpr const char* kRowColumn[2] = {"__tidelake_join_left_row", "__tidelake_join_right_row"};

// The values of a boolean column without nulls, one byte per row.
std::vector<uint8_t> Flags(const arrow::ChunkedArray& column) {
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(column.length()));
  for (const auto& chunk : column.chunks()) {
    const auto& flags = static_cast<const arrow::BooleanArray&>(*chunk);
    for (int64_t i = 0; i < flags.length(); ++i) out.push_back(flags.IsValid(i) && flags.Value(i) ? 1 : 0);
  }
  return out;
}

arrow::Result<std::shared_ptr<arrow::Array>> FlagArray(const std::vector<uint8_t>& flags) {
  arrow::BooleanBuilder builder;
  ARROW_RETURN_NOT_OK(builder.Reserve(static_cast<int64_t>(flags.size())));
  for (uint8_t flag : flags) builder.UnsafeAppend(flag != 0);
  return builder.Finish();
}

// The rows of `rows` whose flag is `keep`.
arrow::Result<std::shared_ptr<arrow::Table>> RowsFlagged(const std::shared_ptr<arrow::Table>& rows,
                                                         const std::vector<uint8_t>& flags, bool keep) {
  std::vector<uint8_t> mask(flags.size());
  for (size_t i = 0; i < flags.size(); ++i) mask[i] = (flags[i] != 0) == keep ? 1 : 0;
  ARROW_ASSIGN_OR_RAISE(auto array, FlagArray(mask));
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(rows, array));
  return kept.table();
}

// `rows` with a last column `name` of `values`.
arrow::Result<std::shared_ptr<arrow::Table>> WithColumn(const std::shared_ptr<arrow::Table>& rows,
                                                        const std::string& name,
                                                        std::shared_ptr<arrow::Array> values) {
  auto field = arrow::field(name, values->type(), /*nullable=*/false);
  return rows->AddColumn(rows->num_columns(), std::move(field), std::make_shared<arrow::ChunkedArray>(std::move(values)));
}

arrow::Result<std::shared_ptr<arrow::Table>> WithRowNumbers(const std::shared_ptr<arrow::Table>& rows,
                                                            const std::string& name) {
  arrow::Int64Builder numbers;
  ARROW_RETURN_NOT_OK(numbers.Reserve(rows->num_rows()));
  for (int64_t i = 0; i < rows->num_rows(); ++i) numbers.UnsafeAppend(i);
  ARROW_ASSIGN_OR_RAISE(auto array, numbers.Finish());
  return WithColumn(rows, name, std::move(array));
}

const char* JoinName(plan::JoinType type) {
  switch (type) {
    case plan::JoinType::kLeft: return "a LEFT OUTER join";
    case plan::JoinType::kRight: return "a RIGHT OUTER join";
    case plan::JoinType::kFull: return "a FULL OUTER join";
    case plan::JoinType::kLeftSemi: return "a semi join (IN or EXISTS)";
    case plan::JoinType::kLeftAnti: return "an anti join (NOT IN or NOT EXISTS)";
    default: return "a join";
  }
}

}  // namespace

std::vector<TimeConstraint> TimeConstraints(const plan::JoinNode& join,
                                            const std::optional<arrow::compute::Expression>& filter) {
  std::vector<TimeConstraint> out;
  const bool inner = join.type == plan::JoinType::kInner || join.type == plan::JoinType::kCross;
  // Outer, semi and anti joins' conditions bound the pairs they find (not what they emit).
  const bool outer = !inner;
  const arrow::Schema& left = *join.inputs[0]->schema;
  const arrow::Schema& right = *join.inputs[1]->schema;
  // left_field - right_field in [lo, hi], both fields timestamps of one unit, the bounds in nanoseconds.
  auto add = [&](const std::string& l, const std::string& r, std::optional<int64_t> lo, std::optional<int64_t> hi) {
    const auto lf = left.GetFieldByName(l), rf = right.GetFieldByName(r);
    if (!lf || !rf || !lf->type()->Equals(*rf->type())) return;
    const int64_t unit = NanosPerUnit(*lf->type());
    if (unit == 0 || (lo && *lo % unit != 0) || (hi && *hi % unit != 0)) return;
    if (lo) lo = *lo / unit;
    if (hi) hi = *hi / unit;
    for (auto& c : out) {
      if (c.left_field == l && c.right_field == r) {
        if (lo && (!c.lo || *lo > *c.lo)) c.lo = lo;
        if (hi && (!c.hi || *hi < *c.hi)) c.hi = hi;
        return;
      }
    }
    out.push_back({l, r, lo, hi});
  };
  for (size_t i = 0; i < join.left_keys.size(); ++i) {
    // `a <=> b` matches NULL with NULL: rows without a time still match, so it bounds nothing.
    if (!join.null_safe[i]) add(join.left_keys[i], join.right_keys[i], 0, 0);
  }
  std::vector<cp::Expression> conjuncts;
  if (join.residual) Conjuncts(*join.residual, &conjuncts);
  // A WHERE over another join filters its padded (or kept) rows too: it is no part of the condition.
  if (filter && !outer) Conjuncts(*filter, &conjuncts);
  for (const auto& conjunct : conjuncts) {
    const auto* call = conjunct.call();
    if (call == nullptr || call->arguments.size() != 2) continue;
    // As `a >= b` (strict comparisons bound as their non-strict forms do).
    const std::string& name = call->function_name;
    const bool greater = name == "greater_equal" || name == "greater";
    if (!greater && name != "less_equal" && name != "less") continue;
    auto a = AsShifted(call->arguments[greater ? 0 : 1]);
    auto b = AsShifted(call->arguments[greater ? 1 : 0]);
    if (!a || !b) continue;
    if (left.GetFieldIndex(a->field) >= 0 && right.GetFieldIndex(b->field) >= 0) {
      add(a->field, b->field, b->nanos - a->nanos, std::nullopt);  // l + oa >= r + ob
    } else if (right.GetFieldIndex(a->field) >= 0 && left.GetFieldIndex(b->field) >= 0) {
      add(b->field, a->field, std::nullopt, a->nanos - b->nanos);  // r + oa >= l + ob
    }
  }
  return out;
}

arrow::Result<std::unique_ptr<StreamJoin>> StreamJoin::Make(plan::NodePtr node, plan::NodePtr filter,
                                                            const ColumnWatermarkOf& watermark_of,
                                                            exec::ExecOptions options,
                                                            std::shared_ptr<StateBudget> budget) {
  const auto& join = node->As<plan::JoinNode>();
  const bool existence = join.type == plan::JoinType::kLeftSemi || join.type == plan::JoinType::kLeftAnti;
  // The sides whose rows carry whether they found a partner; those that must be pruned by a
  // bound, as their rows without one are written when they go.
  const bool marked[2] = {join.type == plan::JoinType::kLeft || join.type == plan::JoinType::kFull || existence,
                          join.type == plan::JoinType::kRight || join.type == plan::JoinType::kFull};
  const bool pads[2] = {marked[0] && join.type != plan::JoinType::kLeftSemi, marked[1]};
  // A WHERE over an outer, semi or anti join runs above it, as a filter of its rows.
  if (marked[0] || marked[1]) filter = nullptr;
  std::optional<cp::Expression> where;
  if (filter) where = filter->As<plan::FilterNode>().predicate;
  std::unique_ptr<StreamJoin> out(new StreamJoin(std::move(node), std::move(filter), options));
  out->type_ = join.type;
  // Each side's rows by its join keys, when both sides' keys have the same types (a lookup by
  // the other side's values then finds every row they may match); else unkeyed.
  bool keyed = join.left_keys.size() == join.right_keys.size();
  for (size_t i = 0; keyed && i < join.left_keys.size(); ++i) {
    auto left = out->join_->inputs[0]->schema->GetFieldByName(join.left_keys[i]);
    auto right = out->join_->inputs[1]->schema->GetFieldByName(join.right_keys[i]);
    keyed = left && right && left->type()->Equals(right->type());
  }
  for (int s = 0; s < 2; ++s) {
    Side& side = out->sides_[s];
    side.marked = marked[s];
    auto schema = out->join_->inputs[static_cast<size_t>(s)]->schema;
    for (const char* internal : {kMatchedColumn, kRowColumn[0], kRowColumn[1]}) {
      if ((marked[0] || marked[1]) && schema->GetFieldIndex(internal) >= 0) {
        return arrow::Status::Invalid("a stream joined by ", JoinName(join.type), " has a column named ", internal,
                                      ", a name the join uses for itself; rename it");
      }
    }
    if (side.marked) schema = *schema->AddField(schema->num_fields(), arrow::field(kMatchedColumn, arrow::boolean(), false));
    if (keyed) side.keys = s == 0 ? join.left_keys : join.right_keys;
    side.rows = std::make_unique<KeyedRows>(std::move(schema), side.keys, budget, options, /*order=*/"",
                                            /*unique=*/false);
  }
  for (const auto& constraint : TimeConstraints(join, where)) {
    // A lower bound prunes left rows by the right side's watermark; an upper bound, right rows
    // by the left side's.
    Bound bound{constraint};
    if (constraint.hi) bound.left_column = out->Track(0, constraint.left_field, watermark_of);
    if (constraint.lo) bound.right_column = out->Track(1, constraint.right_field, watermark_of);
    if (bound.left_column < 0 && bound.right_column < 0) continue;
    out->constraints_.push_back(constraint);
    out->bounds_.push_back(std::move(bound));
  }
  // A padded side's row is written once the other side's watermark shows that no partner can
  // come any more: a bound must prune the side's rows.
  for (int s = 0; s < 2; ++s) {
    if (!pads[s]) continue;
    const bool pruned = std::any_of(out->bounds_.begin(), out->bounds_.end(), [&](const Bound& bound) {
      return (s == 0 ? bound.right_column : bound.left_column) >= 0;
    });
    if (pruned) continue;
    const char* side = s == 0 ? "left" : "right";
    const char* other = s == 0 ? "right" : "left";
    if (join.type == plan::JoinType::kLeftAnti) {
      return arrow::Status::Invalid(
          "a streaming query cannot use ", JoinName(join.type),
          " of two streams without a time bound: a row without a match is written once the subquery's watermark "
          "shows no match can come any more. Bound the event times in the condition (such as s.t BETWEEN o.t AND "
          "o.t + INTERVAL 1 MINUTE), with a watermark on the subquery's time column, so that its rows later than "
          "some time after a row cannot match it");
    }
    return arrow::Status::Invalid(
        "a streaming query cannot use ", JoinName(join.type), " of two streams without a time bound on its ", side,
        " side: a ", side, " row without a match is written, padded with NULLs, once the ", other,
        " side's watermark shows no match can come any more. Bound the join's event times in its ON condition "
        "(an interval, such as r.t BETWEEN l.t - INTERVAL 1 MINUTE AND l.t + INTERVAL 1 MINUTE, or equal window "
        "ends), with a watermark on the ",
        other, " side's time column, so that ", other, " rows later than some time after a ", side,
        " row cannot match it");
  }
  return out;
}

int StreamJoin::Track(int s, const std::string& field, const ColumnWatermarkOf& watermark_of) {
  auto& columns = sides_[s].columns;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].field == field) return static_cast<int>(i);
  }
  auto source = watermark_of(*join_->inputs[static_cast<size_t>(s)], field);
  if (!source) return -1;
  columns.push_back(TrackedColumn{field, *source, std::nullopt, std::nullopt});
  return static_cast<int>(columns.size()) - 1;
}

arrow::Result<std::shared_ptr<arrow::Table>> StreamJoin::KeepFrom(const std::shared_ptr<arrow::Table>& rows,
                                                                   const std::string& field, int64_t threshold,
                                                                   bool keep_nulls) {
  auto column = rows->GetColumnByName(field);
  // Nothing goes when no row is behind the threshold (and none is without a time): the common
  // case while the held rows are all recent. Found without a pass over the other columns.
  if (column->null_count() == 0) {
    ARROW_ASSIGN_OR_RAISE(auto range, cp::MinMax(column));
    const auto& min = *range.scalar_as<arrow::StructScalar>().value[0];
    if (!min.is_valid || static_cast<const arrow::TimestampScalar&>(min).value >= threshold) return rows;
  }
  ARROW_ASSIGN_OR_RAISE(auto mask, cp::CallFunction("greater_equal", {column, std::make_shared<arrow::TimestampScalar>(
                                                                                  threshold, column->type())}));
  if (keep_nulls && column->null_count() > 0) {
    ARROW_ASSIGN_OR_RAISE(mask, cp::CallFunction("coalesce", {mask, arrow::Datum(true)}));
  }
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(rows, mask));  // else a null comparison drops the row
  // The same table when nothing goes, so that unchanged state is not written again.
  if (kept.table()->num_rows() == rows->num_rows()) return rows;
  return kept.table()->CombineChunks();
}

arrow::Result<std::shared_ptr<arrow::Table>> StreamJoin::DropLate(int s, const std::shared_ptr<arrow::Table>& rows) {
  // A row of this side is late for a bound that prunes the other side by this side's watermark
  // when it is below that watermark: the other side's rows it could match may be gone.
  std::shared_ptr<arrow::Table> kept = rows;
  for (const auto& bound : bounds_) {
    const int column = s == 0 ? bound.left_column : bound.right_column;
    if (column < 0) continue;
    const TrackedColumn& tracked = sides_[s].columns[static_cast<size_t>(column)];
    if (!tracked.watermark) continue;
    // Rows without a time match nothing (the condition is NULL): not late; dropped, or kept on a
    // marked side (PadTimeless writes them).
    const bool padded = sides_[s].marked;
    ARROW_ASSIGN_OR_RAISE(auto next, KeepFrom(kept, tracked.field, *tracked.watermark, padded));
    const auto times = kept->GetColumnByName(tracked.field);
    const int64_t late = kept->num_rows() - (padded ? 0 : times->null_count()) - next->num_rows();
    late_rows_ += late;
    if (late > 0 && late_ != nullptr) {
      ARROW_ASSIGN_OR_RAISE(auto mask, cp::CallFunction("less", {times, std::make_shared<arrow::TimestampScalar>(
                                                                            *tracked.watermark, times->type())}));
      ARROW_ASSIGN_OR_RAISE(auto late_rows, cp::Filter(kept, mask));
      const char* side = s == 0 ? "left" : "right";
      const char* other = s == 0 ? "right" : "left";
      ARROW_RETURN_NOT_OK(late_->Add(*late_rows.table(),
                                     std::string("late for the ") + side + " side of a stream join: its " +
                                         plan::DisplayName(tracked.field) + " was behind the " + side +
                                         " side's watermark, so " + other + "-side rows it could match may be gone",
                                     *tracked.watermark, *times->type()));
    }
    kept = std::move(next);
  }
  return kept;
}

void StreamJoin::FollowActiveSide(const BatchContext& context) {
  bool idle[2];
  for (int s = 0; s < 2; ++s) {
    idle[s] = !side_sources_[s].empty();
    for (const auto& source : side_sources_[s]) idle[s] = idle[s] && context.idle_inputs.count(source) > 0;
  }
  if (idle[0] == idle[1]) return;  // both active, or both idle: nothing moves time on
  const int s = idle[0] ? 0 : 1;
  for (const auto& bound : bounds_) {
    if (bound.left_column < 0 || bound.right_column < 0) continue;
    auto& mine = sides_[s].columns[static_cast<size_t>(s == 0 ? bound.left_column : bound.right_column)].watermark;
    const auto& theirs =
        sides_[1 - s].columns[static_cast<size_t>(s == 0 ? bound.right_column : bound.left_column)].watermark;
    if (theirs && (!mine || *theirs > *mine)) mine = theirs;
  }
}

void StreamJoin::AdvanceWatermarks(int s, const arrow::Table& fresh) {
  for (auto& tracked : sides_[s].columns) {
    std::optional<int64_t> candidate;
    if (tracked.source.from != nullptr) {
      candidate = tracked.source.from->OutputWatermark(tracked.source.field);
    } else {
      for (const auto& chunk : fresh.GetColumnByName(tracked.field)->chunks()) {
        const auto& times = static_cast<const arrow::TimestampArray&>(*chunk);
        for (int64_t i = 0; i < times.length(); ++i) {
          if (times.IsValid(i) && (!tracked.max_seen || times.Value(i) > *tracked.max_seen)) {
            tracked.max_seen = times.Value(i);
          }
        }
      }
      if (tracked.max_seen) candidate = SaturatingAdd(*tracked.max_seen, SaturatingNegate(tracked.source.delay));
    }
    if (candidate && (!tracked.watermark || *candidate > *tracked.watermark)) tracked.watermark = candidate;
  }
}

arrow::Status StreamJoin::Prune(std::vector<std::shared_ptr<arrow::Table>>* out) {
  // Rows kept longer only cost memory: the join's condition holds the bound, so they match
  // nothing. In RocksDB a prune reads every row, so it runs every 16th batch; but a marked
  // side's rows are written (padded, or kept by an anti join) when they go, so that side is
  // pruned every batch.
  ++prunes_;
  auto prune = [&](int s, const std::string& field, int64_t threshold) -> arrow::Status {
    Side& side = sides_[s];
    if (side.rows->num_rows() == 0) return arrow::Status::OK();
    if (side.marked) {
      if (!side.rows->in_rocksdb()) {  // most batches take nothing: found without a copy
        ARROW_ASSIGN_OR_RAISE(auto kept, KeepFrom(side.rows->memory_rows(), field, threshold));
        if (kept == side.rows->memory_rows()) return arrow::Status::OK();
      }
      ARROW_ASSIGN_OR_RAISE(auto gone, side.rows->TakeBefore(field, threshold));
      return PadUnmatched(s, gone, out);
    }
    if (side.rows->in_rocksdb()) return prunes_ % 16 == 0 ? side.rows->EraseBefore(field, threshold) : arrow::Status::OK();
    ARROW_ASSIGN_OR_RAISE(auto kept, KeepFrom(side.rows->memory_rows(), field, threshold));
    return side.rows->ReplaceAll(kept);
  };
  for (const auto& bound : bounds_) {
    const TimeConstraint& c = bound.constraint;
    if (bound.right_column >= 0) {
      // left < right watermark + lo: no right row to come can match it.
      const auto& watermark = sides_[1].columns[static_cast<size_t>(bound.right_column)].watermark;
      if (watermark) ARROW_RETURN_NOT_OK(prune(0, c.left_field, SaturatingAdd(*watermark, *c.lo)));
    }
    if (bound.left_column >= 0) {
      // right < left watermark - hi: no left row to come can match it.
      const auto& watermark = sides_[0].columns[static_cast<size_t>(bound.left_column)].watermark;
      if (watermark) ARROW_RETURN_NOT_OK(prune(1, c.right_field, SaturatingAdd(*watermark, SaturatingNegate(*c.hi))));
    }
  }
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> StreamJoin::Padded(int s, const std::shared_ptr<arrow::Table>& rows) const {
  const int64_t n = rows->num_rows();
  const auto& schema = join_->schema;
  if (Existence()) return arrow::Table::Make(schema, rows->columns(), n);  // the left rows, as they are
  const int left_width = join_->inputs[0]->schema->num_fields();
  std::vector<std::shared_ptr<arrow::ChunkedArray>> columns;
  for (int i = 0; i < schema->num_fields(); ++i) {
    const bool own = (i < left_width) == (s == 0);
    if (own) {
      columns.push_back(rows->column(s == 0 ? i : i - left_width));
    } else {
      ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(schema->field(i)->type(), n));
      columns.push_back(std::make_shared<arrow::ChunkedArray>(std::move(nulls)));
    }
  }
  return arrow::Table::Make(schema, std::move(columns), n);
}

arrow::Status StreamJoin::PadUnmatched(int s, const std::shared_ptr<arrow::Table>& held,
                                       std::vector<std::shared_ptr<arrow::Table>>* out) const {
  if (held->num_rows() == 0 || type_ == plan::JoinType::kLeftSemi) return arrow::Status::OK();
  const int flag = held->num_columns() - 1;
  ARROW_ASSIGN_OR_RAISE(auto unmatched, RowsFlagged(held, Flags(*held->column(flag)), /*keep=*/false));
  if (unmatched->num_rows() == 0) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(unmatched, unmatched->RemoveColumn(flag));
  ARROW_ASSIGN_OR_RAISE(auto padded, Padded(s, unmatched));
  out->push_back(std::move(padded));
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> StreamJoin::PadTimeless(int s, const std::shared_ptr<arrow::Table>& rows,
                                                                     std::vector<std::shared_ptr<arrow::Table>>* out) const {
  // A NULL in a bounded column makes the condition NULL: the row can never match.
  std::vector<uint8_t> timeless(static_cast<size_t>(rows->num_rows()), 0);
  bool any = false;
  for (const auto& bound : bounds_) {
    const auto& times = *rows->GetColumnByName(s == 0 ? bound.constraint.left_field : bound.constraint.right_field);
    if (times.null_count() == 0) continue;
    int64_t row = 0;
    for (const auto& chunk : times.chunks()) {
      for (int64_t i = 0; i < chunk->length(); ++i, ++row) {
        if (chunk->IsNull(i)) timeless[static_cast<size_t>(row)] = 1;
      }
    }
    any = true;
  }
  if (!any) return rows;
  if (type_ != plan::JoinType::kLeftSemi) {
    ARROW_ASSIGN_OR_RAISE(auto never, RowsFlagged(rows, timeless, /*keep=*/true));
    ARROW_ASSIGN_OR_RAISE(auto padded, Padded(s, never));
    out->push_back(std::move(padded));
  }
  return RowsFlagged(rows, timeless, /*keep=*/false);
}

arrow::Result<std::shared_ptr<arrow::Table>> StreamJoin::StoredMatching(int s, const std::shared_ptr<arrow::Table>& probe) {
  const Side& side = sides_[s];
  if (!side.rows->in_rocksdb()) {
    if (side.rows->memory_rows()) return side.rows->memory_rows();
    return arrow::Table::MakeEmpty(side.rows->schema());
  }
  return side.rows->Lookup(probe, sides_[1 - s].keys);
}

arrow::Result<std::shared_ptr<arrow::Table>> StreamJoin::Join(std::shared_ptr<arrow::Table> left,
                                                              std::shared_ptr<arrow::Table> right) {
  plan::NodePtr join = plan::WithInputs(*join_, {Values(join_->inputs[0]->schema, std::move(left)),
                                                Values(join_->inputs[1]->schema, std::move(right))});
  if (filter_) join = plan::WithInputs(*filter_, {join});
  return EvaluateNode(join, {}, options_, "the joined rows");
}

arrow::Result<StreamJoin::MarkedPairs> StreamJoin::JoinMarked(const std::shared_ptr<arrow::Table>& left,
                                                               const std::shared_ptr<arrow::Table>& right) {
  // The inner join of the rows, each side numbered: the pairs, and which rows they hold.
  auto inner = std::make_shared<plan::JoinNode>(join_->As<plan::JoinNode>());
  inner->type = plan::JoinType::kInner;
  inner->inputs.clear();
  std::shared_ptr<arrow::Table> numbered[2];
  std::vector<std::shared_ptr<arrow::Field>> fields;
  int widths[2];
  for (int s = 0; s < 2; ++s) {
    ARROW_ASSIGN_OR_RAISE(numbered[s], WithRowNumbers(s == 0 ? left : right, kRowColumn[s]));
    const auto& schema = join_->inputs[static_cast<size_t>(s)]->schema;
    widths[s] = schema->num_fields();
    ARROW_ASSIGN_OR_RAISE(auto with_number,
                          schema->AddField(widths[s], arrow::field(kRowColumn[s], arrow::int64(), false)));
    for (const auto& field : with_number->fields()) fields.push_back(field);
    inner->inputs.push_back(Values(with_number, numbered[s]));
  }
  inner->schema = arrow::schema(std::move(fields));
  ARROW_ASSIGN_OR_RAISE(auto joined, EvaluateNode(inner, {}, options_, "the joined rows"));
  MarkedPairs out;
  out.rows[0] = joined->column(widths[0]);
  out.rows[1] = joined->column(widths[0] + 1 + widths[1]);
  std::vector<std::shared_ptr<arrow::ChunkedArray>> columns;
  for (int i = 0; i < joined->num_columns(); ++i) {
    if (i != widths[0] && i != widths[0] + 1 + widths[1]) columns.push_back(joined->column(i));
  }
  out.pairs = arrow::Table::Make(join_->schema, std::move(columns), joined->num_rows());
  return out;
}

arrow::Status StreamJoin::MarkStored(int s, const std::shared_ptr<arrow::Table>& held,
                                     const std::vector<uint8_t>& matched, std::shared_ptr<arrow::Table>* newly_matched) {
  const int flag = held->num_columns() - 1;
  std::vector<uint8_t> flags = Flags(*held->column(flag));
  std::vector<uint8_t> changed(flags.size(), 0);
  bool any = false;
  for (size_t i = 0; i < flags.size(); ++i) {
    if (matched[i] && !flags[i]) changed[i] = flags[i] = 1, any = true;
  }
  if (!any) return arrow::Status::OK();
  if (newly_matched != nullptr) {
    ARROW_ASSIGN_OR_RAISE(*newly_matched, RowsFlagged(held, changed, /*keep=*/true));
    ARROW_ASSIGN_OR_RAISE(*newly_matched, (*newly_matched)->RemoveColumn(flag));
  }
  ARROW_ASSIGN_OR_RAISE(auto array, FlagArray(flags));
  ARROW_ASSIGN_OR_RAISE(auto updated, held->SetColumn(flag, held->schema()->field(flag),
                                                      std::make_shared<arrow::ChunkedArray>(std::move(array))));
  KeyedRows& rows = *sides_[s].rows;
  // In memory `held` is every row; in RocksDB, every row of the keys looked up: the keys with a
  // newly matched row are written back.
  if (!rows.in_rocksdb()) return rows.ReplaceAll(updated);
  if (sides_[s].keys.empty()) return rows.ReplaceGroups(updated);
  ARROW_ASSIGN_OR_RAISE(auto newly, RowsFlagged(updated, changed, /*keep=*/true));
  ARROW_ASSIGN_OR_RAISE(auto groups, RowsByKeys(updated, rows.schema(), sides_[s].keys, newly, rows.schema(),
                                                sides_[s].keys, /*matching=*/true, options_));
  return rows.ReplaceGroups(groups);
}

arrow::Status StreamJoin::JoinOuter(const std::shared_ptr<arrow::Table> (&fresh)[2],
                                    std::vector<std::shared_ptr<arrow::Table>>* out) {
  // As for an inner join, ΔL ⋈ (R ∪ ΔR), then L ⋈ ΔR; and the rows of a padded side that
  // paired, new or held, are marked.
  std::vector<uint8_t> fresh_matched[2], held_matched[2];
  std::shared_ptr<arrow::Table> held[2];  // the held rows read, with their flags on a padded side
  for (int s = 0; s < 2; ++s) fresh_matched[s].assign(static_cast<size_t>(fresh[s]->num_rows()), 0);
  auto unflagged = [&](int s) -> arrow::Result<std::shared_ptr<arrow::Table>> {
    return sides_[s].marked ? held[s]->RemoveColumn(held[s]->num_columns() - 1) : held[s];
  };
  auto mark = [](const arrow::ChunkedArray& numbers, int64_t offset, std::vector<uint8_t>* before,
                 std::vector<uint8_t>* after) {
    for (const auto& chunk : numbers.chunks()) {
      const auto& values = static_cast<const arrow::Int64Array&>(*chunk);
      for (int64_t i = 0; i < values.length(); ++i) {
        const int64_t row = values.Value(i);
        if (row < offset) {
          (*before)[static_cast<size_t>(row)] = 1;
        } else {
          (*after)[static_cast<size_t>(row - offset)] = 1;
        }
      }
    }
  };
  if (fresh[0]->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(held[1], StoredMatching(1, fresh[0]));
    held_matched[1].assign(static_cast<size_t>(held[1]->num_rows()), 0);
    ARROW_ASSIGN_OR_RAISE(auto right, unflagged(1));
    ARROW_ASSIGN_OR_RAISE(auto right_all, AppendRows(right, fresh[1]));
    if (right_all->num_rows() > 0) {
      ARROW_ASSIGN_OR_RAISE(auto marked, JoinMarked(fresh[0], right_all));
      mark(*marked.rows[0], 0, &fresh_matched[0], &fresh_matched[0]);
      mark(*marked.rows[1], held[1]->num_rows(), &held_matched[1], &fresh_matched[1]);
      if (!Existence()) out->push_back(std::move(marked.pairs));
    }
  }
  if (fresh[1]->num_rows() > 0 && sides_[0].rows->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(held[0], StoredMatching(0, fresh[1]));
    held_matched[0].assign(static_cast<size_t>(held[0]->num_rows()), 0);
    ARROW_ASSIGN_OR_RAISE(auto left, unflagged(0));
    ARROW_ASSIGN_OR_RAISE(auto marked, JoinMarked(left, fresh[1]));
    mark(*marked.rows[0], held[0]->num_rows(), &held_matched[0], &held_matched[0]);
    mark(*marked.rows[1], 0, &fresh_matched[1], &fresh_matched[1]);
    if (!Existence()) out->push_back(std::move(marked.pairs));
  }
  // The held rows' flags change before the new rows join them (in memory, `held` is every row).
  // A semi join writes a left row when it first finds a partner, new or held.
  const bool semi = type_ == plan::JoinType::kLeftSemi;
  for (int s = 0; s < 2; ++s) {
    if (!sides_[s].marked || !held[s]) continue;
    std::shared_ptr<arrow::Table> newly;
    ARROW_RETURN_NOT_OK(MarkStored(s, held[s], held_matched[s], semi ? &newly : nullptr));
    if (newly && newly->num_rows() > 0) {
      ARROW_ASSIGN_OR_RAISE(auto rows, Padded(s, newly));
      out->push_back(std::move(rows));
    }
  }
  if (semi && fresh[0]->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(auto found, RowsFlagged(fresh[0], fresh_matched[0], /*keep=*/true));
    if (found->num_rows() > 0) {
      ARROW_ASSIGN_OR_RAISE(auto rows, Padded(0, found));
      out->push_back(std::move(rows));
    }
  }
  for (int s = 0; s < 2; ++s) {
    std::shared_ptr<arrow::Table> rows = fresh[s];
    if (sides_[s].marked) {
      ARROW_ASSIGN_OR_RAISE(auto flags, FlagArray(fresh_matched[s]));
      ARROW_ASSIGN_OR_RAISE(rows, WithColumn(rows, kMatchedColumn, std::move(flags)));
    }
    ARROW_RETURN_NOT_OK(sides_[s].rows->Append(rows));
  }
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> StreamJoin::Run(const Replacements& below, const BatchContext& context) {
  const bool marked = sides_[0].marked || sides_[1].marked;
  std::vector<std::shared_ptr<arrow::Table>> parts;
  std::shared_ptr<arrow::Table> fresh[2];
  for (int s = 0; s < 2; ++s) {
    ARROW_ASSIGN_OR_RAISE(fresh[s], EvaluateNode(join_->inputs[static_cast<size_t>(s)], below, options_,
                                                 s == 0 ? "the rows reaching the join's left side"
                                                        : "the rows reaching the join's right side"));
    ARROW_ASSIGN_OR_RAISE(fresh[s], DropLate(s, fresh[s]));
    if (sides_[s].marked) {
      ARROW_ASSIGN_OR_RAISE(fresh[s], PadTimeless(s, fresh[s], &parts));
    }
  }
  if (marked) {
    ARROW_RETURN_NOT_OK(JoinOuter(fresh, &parts));
  } else {
    // ΔL ⋈ (R ∪ ΔR), then L ⋈ ΔR (R and L: the held rows the other side's new rows may match).
    if (fresh[0]->num_rows() > 0) {
      ARROW_ASSIGN_OR_RAISE(auto right, StoredMatching(1, fresh[0]));
      ARROW_ASSIGN_OR_RAISE(auto right_all, AppendRows(right, fresh[1]));
      if (right_all->num_rows() > 0) {
        ARROW_ASSIGN_OR_RAISE(auto part, Join(fresh[0], right_all));
        parts.push_back(std::move(part));
      }
    }
    if (fresh[1]->num_rows() > 0 && sides_[0].rows->num_rows() > 0) {
      ARROW_ASSIGN_OR_RAISE(auto left, StoredMatching(0, fresh[1]));
      ARROW_ASSIGN_OR_RAISE(auto part, Join(left, fresh[1]));
      parts.push_back(std::move(part));
    }
    for (int s = 0; s < 2; ++s) ARROW_RETURN_NOT_OK(sides_[s].rows->Append(fresh[s]));
  }
  for (int s = 0; s < 2; ++s) AdvanceWatermarks(s, *fresh[s]);
  FollowActiveSide(context);
  if (marked && context.end_of_input) {
    // The inputs have ended: no partner can come any more, and rows that come anyway are late.
    for (auto& side : sides_) {
      for (auto& tracked : side.columns) tracked.watermark = std::numeric_limits<int64_t>::max();
    }
  }
  ARROW_RETURN_NOT_OK(Prune(&parts));
  if (marked && context.end_of_input) {
    // Every row goes (those of an unmarked side match nothing to come either).
    for (int s = 0; s < 2; ++s) {
      ARROW_ASSIGN_OR_RAISE(auto rest, sides_[s].rows->TakeAll());
      if (sides_[s].marked) ARROW_RETURN_NOT_OK(PadUnmatched(s, rest, &parts));
    }
  }
  if (parts.empty()) return arrow::Table::MakeEmpty(node()->schema);
  ARROW_ASSIGN_OR_RAISE(auto output, arrow::ConcatenateTables(parts));
  return output->CombineChunks();
}

std::optional<int64_t> StreamJoin::watermark() const {
  std::optional<int64_t> out;
  for (const auto& side : sides_) {
    for (const auto& tracked : side.columns) {
      if (tracked.watermark && (!out || *tracked.watermark < *out)) out = tracked.watermark;
    }
  }
  return out;
}

bool StreamJoin::HasOutputWatermark(const std::string& field) const {
  if (node()->schema->GetFieldIndex(field) < 0) return false;  // a semi or anti join's right columns
  for (const auto& bound : bounds_) {
    if (bound.left_column >= 0 && bound.right_column >= 0 &&
        (field == bound.constraint.left_field || field == bound.constraint.right_field)) {
      return true;
    }
  }
  return false;
}

std::optional<int64_t> StreamJoin::OutputWatermark(const std::string& field) const {
  std::optional<int64_t> out;
  if (node()->schema->GetFieldIndex(field) < 0) return out;
  for (const auto& bound : bounds_) {
    if (bound.left_column < 0 || bound.right_column < 0) continue;
    const TimeConstraint& c = bound.constraint;
    const auto& left = sides_[0].columns[static_cast<size_t>(bound.left_column)].watermark;
    const auto& right = sides_[1].columns[static_cast<size_t>(bound.right_column)].watermark;
    if (!left || !right) continue;
    std::optional<int64_t> candidate;
    if (field == c.left_field) candidate = std::min(*left, SaturatingAdd(*right, *c.lo));
    if (field == c.right_field) candidate = std::min(*right, SaturatingAdd(*left, SaturatingNegate(*c.hi)));
    if (candidate && (!out || *candidate > *out)) out = candidate;
  }
  return out;
}

arrow::Result<nlohmann::json> StreamJoin::SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                                    std::set<std::string>* files) {
  nlohmann::json state{{"lateRows", late_rows_}};
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& side : sides_) {
    nlohmann::json of_side = nlohmann::json::array();
    for (const auto& tracked : side.columns) {
      nlohmann::json column = nlohmann::json::object();
      if (tracked.max_seen) column["maxSeen"] = *tracked.max_seen;
      if (tracked.watermark) column["watermark"] = *tracked.watermark;
      of_side.push_back(std::move(column));
    }
    columns.push_back(std::move(of_side));
  }
  state["columns"] = std::move(columns);
  ARROW_RETURN_NOT_OK(sides_[0].rows->Save(checkpoint, batch_id, "leftRows", &state, files));
  ARROW_RETURN_NOT_OK(sides_[1].rows->Save(checkpoint, batch_id, "rightRows", &state, files));
  return state;
}

arrow::Status StreamJoin::RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                                       std::set<std::string>* files) {
  late_rows_ = JsonInteger(state, "lateRows").value_or(0);
  auto columns = state.find("columns");
  if (columns == state.end() || !columns->is_array() || columns->size() != 2) {
    return CorruptState(checkpoint, "a join's state has no watermarks of its two sides");
  }
  for (size_t s = 0; s < 2; ++s) {
    const auto& saved = (*columns)[s];
    auto& tracked = sides_[s].columns;
    if (!saved.is_array() || saved.size() != tracked.size()) {
      return CorruptState(checkpoint, "a join's state follows other time columns");
    }
    for (size_t i = 0; i < tracked.size(); ++i) {
      if (!saved[i].is_object()) return CorruptState(checkpoint, "a join's watermark is not a JSON object");
      tracked[i].max_seen = JsonInteger(saved[i], "maxSeen");
      tracked[i].watermark = JsonInteger(saved[i], "watermark");
    }
  }
  ARROW_RETURN_NOT_OK(sides_[0].rows->Restore(checkpoint, state, "leftRows", files));
  return sides_[1].rows->Restore(checkpoint, state, "rightRows", files);
}

}  // namespace tidelake::stream
