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
  if (join.type != plan::JoinType::kInner && join.type != plan::JoinType::kCross) return out;
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
  if (filter) Conjuncts(*filter, &conjuncts);
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
  if (join.type != plan::JoinType::kInner && join.type != plan::JoinType::kCross) {
    return arrow::Status::Invalid("a streaming query cannot use ", JoinName(join.type),
                                  " of two streams yet: a row without a match would have to be written once no "
                                  "match can come any more. Inner joins of two streams are supported");
  }
  std::optional<cp::Expression> where;
  if (filter) where = filter->As<plan::FilterNode>().predicate;
  std::unique_ptr<StreamJoin> out(new StreamJoin(std::move(node), std::move(filter), options));
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
    if (keyed) side.keys = s == 0 ? join.left_keys : join.right_keys;
    side.rows = std::make_unique<KeyedRows>(out->join_->inputs[static_cast<size_t>(s)]->schema, side.keys, budget,
                                            options, /*order=*/"", /*unique=*/false);
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
                                                                   const std::string& field, int64_t threshold) {
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
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(rows, mask));  // a null comparison drops the row
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
    ARROW_ASSIGN_OR_RAISE(auto next, KeepFrom(kept, tracked.field, *tracked.watermark));
    // Rows without a time match nothing (the condition is NULL): dropped, not late.
    const auto times = kept->GetColumnByName(tracked.field);
    const int64_t late = kept->num_rows() - times->null_count() - next->num_rows();
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

arrow::Status StreamJoin::Prune() {
  // Rows kept longer only cost memory: the join's condition holds the bound, so they match
  // nothing. In RocksDB a prune reads every row, so it runs every 16th batch.
  ++prunes_;
  auto prune = [&](Side& side, const std::string& field, int64_t threshold) -> arrow::Status {
    if (side.rows->num_rows() == 0) return arrow::Status::OK();
    if (side.rows->in_rocksdb()) return prunes_ % 16 == 0 ? side.rows->EraseBefore(field, threshold) : arrow::Status::OK();
    ARROW_ASSIGN_OR_RAISE(auto kept, KeepFrom(side.rows->memory_rows(), field, threshold));
    return side.rows->ReplaceAll(kept);
  };
  for (const auto& bound : bounds_) {
    const TimeConstraint& c = bound.constraint;
    if (bound.right_column >= 0) {
      // left < right watermark + lo: no right row to come can match it.
      const auto& watermark = sides_[1].columns[static_cast<size_t>(bound.right_column)].watermark;
      if (watermark) ARROW_RETURN_NOT_OK(prune(sides_[0], c.left_field, SaturatingAdd(*watermark, *c.lo)));
    }
    if (bound.left_column >= 0) {
      // right < left watermark - hi: no left row to come can match it.
      const auto& watermark = sides_[0].columns[static_cast<size_t>(bound.left_column)].watermark;
      if (watermark) {
        ARROW_RETURN_NOT_OK(prune(sides_[1], c.right_field, SaturatingAdd(*watermark, SaturatingNegate(*c.hi))));
      }
    }
  }
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> StreamJoin::StoredMatching(int s, const std::shared_ptr<arrow::Table>& probe) {
  const Side& side = sides_[s];
  if (!side.rows->in_rocksdb()) {
    if (side.rows->memory_rows()) return side.rows->memory_rows();
    return arrow::Table::MakeEmpty(join_->inputs[static_cast<size_t>(s)]->schema);
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

arrow::Result<std::shared_ptr<arrow::Table>> StreamJoin::Run(const Replacements& below, const BatchContext& context) {
  std::shared_ptr<arrow::Table> fresh[2];
  for (int s = 0; s < 2; ++s) {
    ARROW_ASSIGN_OR_RAISE(fresh[s], EvaluateNode(join_->inputs[static_cast<size_t>(s)], below, options_,
                                                 s == 0 ? "the rows reaching the join's left side"
                                                        : "the rows reaching the join's right side"));
    ARROW_ASSIGN_OR_RAISE(fresh[s], DropLate(s, fresh[s]));
  }
  // ΔL ⋈ (R ∪ ΔR), then L ⋈ ΔR (R and L: the held rows the other side's new rows may match).
  std::vector<std::shared_ptr<arrow::Table>> parts;
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
  for (int s = 0; s < 2; ++s) AdvanceWatermarks(s, *fresh[s]);
  FollowActiveSide(context);
  ARROW_RETURN_NOT_OK(Prune());
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
