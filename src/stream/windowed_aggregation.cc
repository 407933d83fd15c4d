#include "stream/windowed_aggregation.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <limits>

#include "exec/time_window.h"

namespace tidelake::stream {

namespace cp = arrow::compute;

arrow::Result<std::shared_ptr<arrow::Table>> WindowedAggregation::Run(const Replacements& below,
                                                                      const BatchContext& context) {
  // 1. The batch's rows reaching the window.
  const plan::NodePtr& window_input = window_->inputs[0];
  ARROW_ASSIGN_OR_RAISE(auto fresh, EvaluateNode(window_input, below, options_, "the rows reaching the window"));

  // 2. Late rows leave; the watermark follows the largest event time.
  const plan::TimeWindowSpec& spec = window_->spec;
  auto time_column = fresh->GetColumnByName(spec.time_field);
  arrow::BooleanBuilder keep;
  ARROW_RETURN_NOT_OK(keep.Reserve(fresh->num_rows()));
  int64_t late = 0;
  for (const auto& chunk : time_column->chunks()) {
    const auto& times = static_cast<const arrow::TimestampArray&>(*chunk);
    for (int64_t i = 0; i < times.length(); ++i) {
      if (times.IsNull(i)) {  // in no window, in batch mode too
        keep.UnsafeAppend(false);
        continue;
      }
      const int64_t t = times.Value(i);
      // Sessions: a row older than the watermark could only join a session already closed.
      const bool is_late = watermark_ && (spec.kind == plan::TimeWindowKind::kSession
                                              ? t < *watermark_
                                              : plan::LastWindowEnd(spec, t) <= *watermark_);
      keep.UnsafeAppend(!is_late);
      late += is_late;
      if (!max_event_time_ || t > *max_event_time_) max_event_time_ = t;
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto mask, keep.Finish());
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(fresh, mask));
  late_rows_ += late;
  if (late > 0 && late_sink_) {
    ARROW_RETURN_NOT_OK(WriteLate(fresh, static_cast<const arrow::BooleanArray&>(*mask), context));
  }
  if (!waiting_.rows) {
    ARROW_ASSIGN_OR_RAISE(waiting_.rows, arrow::Table::MakeEmpty(window_input->schema));
  }
  if (kept.table()->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(waiting_.rows, arrow::ConcatenateTables({waiting_.rows, kept.table()}));
    ARROW_ASSIGN_OR_RAISE(waiting_.rows, waiting_.rows->CombineChunks());
  }

  const std::optional<int64_t> previous = watermark_;
  std::optional<int64_t> candidate;
  if (time_.from != nullptr) {
    candidate = time_.from->OutputWatermark(time_.field);
  } else if (max_event_time_) {
    candidate = *max_event_time_ - time_.delay;
  }
  if (candidate && (!watermark_ || *candidate > *watermark_)) watermark_ = candidate;
  if (context.end_of_input) watermark_ = std::numeric_limits<int64_t>::max();

  // 3. The windows that closed in this batch: ends in (previous, watermark].
  if (!watermark_ || watermark_ == previous || waiting_.num_rows() == 0) {
    return arrow::Table::MakeEmpty(aggregate_->schema);  // nothing closed
  }
  const auto& end_field = window_->schema->field(window_->schema->num_fields() - 1);
  auto bound = [&](int64_t v) { return cp::literal(std::make_shared<arrow::TimestampScalar>(v, end_field->type())); };
  cp::Expression closed = cp::less_equal(cp::field_ref(end_field->name()), bound(*watermark_));
  if (previous) closed = cp::and_(cp::greater(cp::field_ref(end_field->name()), bound(*previous)), closed);
  auto window = plan::WithInputs(*window_, {Values(window_input->schema, waiting_.rows)});
  auto filter = std::make_shared<plan::FilterNode>();
  ARROW_ASSIGN_OR_RAISE(filter->predicate, closed.Bind(*window->schema));
  filter->schema = window->schema;
  filter->inputs = {window};
  ARROW_ASSIGN_OR_RAISE(auto output,
                        EvaluateNode(aggregate_, {{window_, filter}}, options_, "the closed windows' results"));
  ARROW_RETURN_NOT_OK(Evict(*watermark_));
  return output;
}

bool WindowedAggregation::HasOutputWatermark(const std::string& field) const {
  const auto& keys = aggregate_->As<plan::AggregateNode>().keys;
  const int i = aggregate_->schema->GetFieldIndex(field);
  if (i < 0 || static_cast<size_t>(i) >= keys.size()) return false;
  std::string name = keys[static_cast<size_t>(i)];
  for (const plan::LogicalNode* node = aggregate_->inputs[0].get(); node != window_; node = node->inputs[0].get()) {
    if (node->kind == plan::NodeKind::kProject) {
      const int j = node->schema->GetFieldIndex(name);
      const auto* ref = j < 0 ? nullptr : node->As<plan::ProjectNode>().exprs[static_cast<size_t>(j)].field_ref();
      if (ref == nullptr || ref->name() == nullptr) return false;
      name = *ref->name();
    } else if (node->kind != plan::NodeKind::kFilter) {
      return false;
    }
  }
  return name == window_->schema->field(window_->schema->num_fields() - 1)->name();
}

std::shared_ptr<arrow::Schema> WindowedAggregation::late_schema() const {
  arrow::FieldVector fields;
  std::set<std::string> taken;
  for (const auto& field : window_->inputs[0]->schema->fields()) {
    // The names users know (a join may bring two of one name: the second gets a suffix).
    std::string name = plan::DisplayName(field->name());
    for (int n = 2; taken.count(name); ++n) name = plan::DisplayName(field->name()) + "_" + std::to_string(n);
    taken.insert(name);
    fields.push_back(field->WithName(name)->WithNullable(true));
  }
  const auto& time_type = window_->inputs[0]->schema->GetFieldByName(window_->spec.time_field)->type();
  fields.push_back(arrow::field("late_reason", arrow::utf8()));
  fields.push_back(arrow::field("watermark", time_type));
  return arrow::schema(fields);
}

arrow::Status WindowedAggregation::WriteLate(const std::shared_ptr<arrow::Table>& fresh,
                                             const arrow::BooleanArray& kept, const BatchContext& context) {
  // The late rows: not kept, with a time (rows without one are in no window, as in batch).
  const auto& times = *fresh->GetColumnByName(window_->spec.time_field);
  arrow::BooleanBuilder late;
  arrow::StringBuilder reasons;
  int64_t i = 0;
  for (const auto& chunk : times.chunks()) {
    for (int64_t j = 0; j < chunk->length(); ++j, ++i) {
      const bool is_late = !kept.Value(i) && chunk->IsValid(j);
      ARROW_RETURN_NOT_OK(late.Append(is_late));
      if (is_late) {
        ARROW_RETURN_NOT_OK(reasons.Append(window_->spec.kind == plan::TimeWindowKind::kSession
                                               ? "event time behind the watermark: its session has closed"
                                               : "every window holding its event time had closed"));
      }
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto mask, late.Finish());
  ARROW_ASSIGN_OR_RAISE(auto rows, cp::Filter(fresh, mask));
  ARROW_ASSIGN_OR_RAISE(auto reason_array, reasons.Finish());
  const auto schema = late_schema();
  const auto& time_type = schema->field(schema->num_fields() - 1)->type();
  ARROW_ASSIGN_OR_RAISE(auto watermark, arrow::MakeArrayFromScalar(
                                            arrow::TimestampScalar(*watermark_, time_type), reason_array->length()));
  arrow::ChunkedArrayVector columns = rows.table()->columns();
  columns.push_back(std::make_shared<arrow::ChunkedArray>(reason_array));
  columns.push_back(std::make_shared<arrow::ChunkedArray>(watermark));
  auto table = arrow::Table::Make(schema, std::move(columns), reason_array->length());
  return late_sink_->Write(context.query_id, context.batch_id, table).status();
}

arrow::Status WindowedAggregation::Evict(int64_t watermark) {
  const plan::TimeWindowSpec& spec = window_->spec;
  std::shared_ptr<arrow::Table>& waiting = waiting_.rows;
  if (spec.kind == plan::TimeWindowKind::kSession) {
    // A row stays while its session is open: assign sessions and keep those ending later.
    auto assigned_schema = window_->schema;
    cp::ExecContext ctx(arrow::default_memory_pool());
    ARROW_ASSIGN_OR_RAISE(auto assigned, exec::AssignSessions(spec, waiting, assigned_schema, &ctx));
    const int end = assigned->num_columns() - 1;
    ARROW_ASSIGN_OR_RAISE(
        auto open, cp::CallFunction("greater", {assigned->column(end),
                                                std::make_shared<arrow::TimestampScalar>(
                                                    watermark, assigned->column(end)->type())}));
    ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(assigned, open));
    ARROW_ASSIGN_OR_RAISE(auto without_end, kept.table()->RemoveColumn(end));
    ARROW_ASSIGN_OR_RAISE(auto rows, without_end->RemoveColumn(end - 1));
    ARROW_ASSIGN_OR_RAISE(waiting, WithSchema(rows, window_->inputs[0]->schema, "the waiting rows"));
    ARROW_ASSIGN_OR_RAISE(waiting, waiting->CombineChunks());
    return arrow::Status::OK();
  }
  arrow::BooleanBuilder keep;
  ARROW_RETURN_NOT_OK(keep.Reserve(waiting->num_rows()));
  for (const auto& chunk : waiting->GetColumnByName(spec.time_field)->chunks()) {
    const auto& times = static_cast<const arrow::TimestampArray&>(*chunk);
    for (int64_t i = 0; i < times.length(); ++i) {
      keep.UnsafeAppend(plan::LastWindowEnd(spec, times.Value(i)) > watermark);
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto mask, keep.Finish());
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(waiting, mask));
  ARROW_ASSIGN_OR_RAISE(waiting, kept.table()->CombineChunks());
  return arrow::Status::OK();
}

arrow::Result<nlohmann::json> WindowedAggregation::SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                                             std::set<std::string>* files) {
  nlohmann::json state{{"lateRows", late_rows_}};
  if (watermark_) state["watermark"] = *watermark_;
  if (max_event_time_) state["maxEventTime"] = *max_event_time_;
  ARROW_RETURN_NOT_OK(waiting_.Save(checkpoint, batch_id, "rows", &state, files));
  return state;
}

arrow::Status WindowedAggregation::RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                                                std::set<std::string>* files) {
  watermark_ = JsonInteger(state, "watermark");
  max_event_time_ = JsonInteger(state, "maxEventTime");
  late_rows_ = JsonInteger(state, "lateRows").value_or(0);
  return waiting_.Restore(checkpoint, state, "rows", window_->inputs[0]->schema, files);
}

}  // namespace tidelake::stream
