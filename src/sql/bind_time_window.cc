// Binding event time and event-time windows, in the three dialects users bring:
//  - event time: Stream Analytics' `FROM t TIMESTAMP BY expr` and Databricks'
//    `FROM t WATERMARK col DELAY OF INTERVAL ...` (a plan::WatermarkNode over the table);
//  - Flink's windowing table functions TABLE(TUMBLE | HOP | CUMULATE | SESSION(...)), which
//    add window_start, window_end and window_time columns;
//  - grouping functions: Spark's window(ts, '5 minutes'[, slide[, start]]) and
//    session_window(ts, gap) (a struct<start, end> key), Stream Analytics'
//    TumblingWindow, HoppingWindow, SlidingWindow and SessionWindow over the event time (the
//    window's end is the key, and what System.Timestamp() returns), and Flink's group window
//    functions TUMBLE(ts, size), HOP(ts, slide, size) and SESSION(ts, gap), whose start and end the
//    SELECT reads with TUMBLE_START(...), HOP_END(...), SESSION_ROWTIME(...) and the like.
// All of them become one plan::TimeWindowNode; times are in microseconds.
#include <arrow/api.h>

#include "delta/interval.h"
#include "plan/functions.h"
#include "sql/ast_printer.h"
#include "sql/binder_impl.h"

namespace tidelake::sql {

namespace {

const auto kTimestamp = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");

// A constant duration in microseconds: an INTERVAL, or a string such as '5 minutes' (Spark).
arrow::Result<int64_t> DurationMicros(Binder::Impl* binder, const Expr& expr, std::string_view what) {
  ARROW_ASSIGN_OR_RAISE(auto value, At(expr.pos, binder->EvaluateConstant(expr)));
  if (!value->is_valid) return At(expr.pos, arrow::Status::Invalid(what, " must not be NULL"));
  if (value->type->id() == arrow::Type::STRING || value->type->id() == arrow::Type::LARGE_STRING) {
    return At(expr.pos, delta::ParseIntervalMicros(value->ToString()));
  }
  if (value->type->id() == arrow::Type::INTERVAL_MONTH_DAY_NANO) {
    const auto& v = static_cast<const arrow::MonthDayNanoIntervalScalar&>(*value).value;
    if (v.months != 0) {
      return At(expr.pos, arrow::Status::Invalid(what, " cannot be in months or years: their length varies"));
    }
    return int64_t{v.days} * 86400 * 1000000 + v.nanoseconds / 1000;
  }
  return At(expr.pos, arrow::Status::Invalid(what, " must be an interval (INTERVAL '5' MINUTE or '5 minutes'), not ",
                                             value->type->ToString()));
}

arrow::Status CheckPositive(int64_t micros, const Expr& expr, std::string_view what) {
  if (micros <= 0) return At(expr.pos, arrow::Status::Invalid(what, " must be positive, got ", ToString(expr)));
  return arrow::Status::OK();
}

// Stream Analytics' time units: TumblingWindow(minute, 5).
arrow::Result<int64_t> AsaUnitMicros(const Expr& unit) {
  if (unit.kind == ExprKind::kColumnRef && unit.As<ColumnRefExpr>().parts.size() == 1) {
    const std::string u = Lower(unit.As<ColumnRefExpr>().parts[0]);
    constexpr int64_t kSecond = 1000000;
    if (u == "day" || u == "dd" || u == "d") return 86400 * kSecond;
    if (u == "hour" || u == "hh") return 3600 * kSecond;
    if (u == "minute" || u == "mi" || u == "n") return 60 * kSecond;
    if (u == "second" || u == "ss" || u == "s") return kSecond;
    if (u == "millisecond" || u == "ms") return 1000;
    if (u == "microsecond" || u == "mcs") return 1;
  }
  return At(unit.pos, arrow::Status::Invalid("expected a time unit (day, hour, minute, second, millisecond or "
                                             "microsecond), got ", ToString(unit)));
}

// An integer count of Stream Analytics units.
arrow::Result<int64_t> AsaCount(Binder::Impl* binder, const Expr& expr, int64_t unit, std::string_view what) {
  ARROW_ASSIGN_OR_RAISE(auto value, At(expr.pos, binder->EvaluateConstant(expr)));
  auto as_int = value->CastTo(arrow::int64());
  if (!as_int.ok() || !(*as_int)->is_valid) {
    return At(expr.pos, arrow::Status::Invalid(what, " must be an integer, got ", ToString(expr)));
  }
  const int64_t n = std::static_pointer_cast<arrow::Int64Scalar>(*as_int)->value;
  int64_t micros = 0;
  if (n <= 0 || __builtin_mul_overflow(n, unit, &micros)) {
    return At(expr.pos, arrow::Status::Invalid(what, " must be positive and fit 64 bits, got ", ToString(expr)));
  }
  return micros;
}

// `relation` with one more field, `name` = `expr` (over its fields), after all of its own.
arrow::Status AppendField(Binder::Impl* binder, BoundRelation* relation, cp::Expression expr, const std::string& name) {
  std::vector<cp::Expression> exprs;
  std::vector<std::string> names;
  for (const auto& field : relation->node->schema->fields()) {
    exprs.push_back(cp::field_ref(field->name()));
    names.push_back(field->name());
  }
  exprs.push_back(std::move(expr));
  names.push_back(name);
  ARROW_ASSIGN_OR_RAISE(relation->node, binder->Project(relation->node, exprs, names));
  return arrow::Status::OK();
}

// The field of `relation` holding `column`, as a microsecond timestamp: other timestamps and
// strings are cast in a projection added on top.
arrow::Result<std::string> TimeField(Binder::Impl* binder, BoundRelation* relation, const Expr& time,
                                     std::string_view what) {
  ExprContext ctx;
  ctx.scope = &relation->scope;
  ctx.input = relation->node->schema;
  ctx.clause = what;
  ARROW_ASSIGN_OR_RAISE(auto bound, At(time.pos, binder->Bind(time, ctx)));
  const auto* type = bound.type();
  if (type->id() != arrow::Type::TIMESTAMP && type->id() != arrow::Type::STRING && type->id() != arrow::Type::DATE32 &&
      type->id() != arrow::Type::LARGE_STRING) {
    return At(time.pos, arrow::Status::Invalid(what, " must be a timestamp, got ", ToString(time), " of type ",
                                               type->ToString()));
  }
  const bool micros = type->id() == arrow::Type::TIMESTAMP &&
                      static_cast<const arrow::TimestampType&>(*type).unit() == arrow::TimeUnit::MICRO;
  if (micros && bound.field_ref() != nullptr && bound.field_ref()->name() != nullptr) {
    return *bound.field_ref()->name();
  }
  if (!micros) {
    ARROW_ASSIGN_OR_RAISE(bound, At(time.pos, plan::Cast(bound, kTimestamp, /*try_cast=*/false, *relation->node->schema)));
  }
  const std::string field = binder->NewField("event_time");
  ARROW_RETURN_NOT_OK(AppendField(binder, relation, bound, field));
  return field;
}

// `relation` under a TimeWindowNode of `spec`; returns the start and end fields.
arrow::Result<std::pair<std::string, std::string>> AddTimeWindow(Binder::Impl* binder, BoundRelation* relation,
                                                                 plan::TimeWindowSpec spec) {
  auto node = std::make_shared<plan::TimeWindowNode>();
  const auto& time_type = relation->node->schema->GetFieldByName(spec.time_field)->type();
  std::pair<std::string, std::string> fields{binder->NewField("window_start"), binder->NewField("window_end")};
  arrow::FieldVector out = relation->node->schema->fields();
  out.push_back(arrow::field(fields.first, time_type, /*nullable=*/false));
  out.push_back(arrow::field(fields.second, time_type, /*nullable=*/false));
  node->spec = std::move(spec);
  node->schema = arrow::schema(out);
  node->inputs = {relation->node};
  relation->node = node;
  return fields;
}

// The field a partition expression of a session or sliding window names (they are per value
// of columns).
arrow::Result<std::string> PartitionField(Binder::Impl* binder, const BoundRelation& relation, const Expr& e,
                                          std::string_view windows = "session windows") {
  ExprContext ctx;
  ctx.scope = &relation.scope;
  ctx.input = relation.node->schema;
  ctx.clause = "a window's partition";
  ARROW_ASSIGN_OR_RAISE(auto bound, At(e.pos, binder->Bind(e, ctx)));
  if (bound.field_ref() == nullptr || bound.field_ref()->name() == nullptr) {
    return At(e.pos, arrow::Status::NotImplemented(windows, " are per value of columns; ", ToString(e),
                                                   " is an expression (compute it in a subquery first)"));
  }
  return *bound.field_ref()->name();
}

}  // namespace

arrow::Status Binder::Impl::ApplyEventTime(const TableRelation& table, BoundRelation* relation) {
  if (!table.watermark && !table.timestamp_by) return arrow::Status::OK();
  std::string field;
  int64_t delay = 0;
  if (table.watermark) {
    auto column = std::make_unique<ColumnRefExpr>();
    column->pos = table.watermark->pos;
    column->parts = table.watermark->column;
    ARROW_ASSIGN_OR_RAISE(field, TimeField(this, relation, *column, "the WATERMARK column"));
    ARROW_ASSIGN_OR_RAISE(delay, DurationMicros(this, *table.watermark->delay, "the watermark delay"));
    if (delay < 0) return At(table.watermark->delay->pos, arrow::Status::Invalid("the watermark delay is negative"));
  }
  if (table.timestamp_by) {
    ARROW_ASSIGN_OR_RAISE(auto by, TimeField(this, relation, *table.timestamp_by, "TIMESTAMP BY"));
    if (!field.empty() && by != field) {
      return At(table.timestamp_by->pos,
                arrow::Status::Invalid("TIMESTAMP BY and WATERMARK name different event times"));
    }
    field = by;
  }
  // TIMESTAMP BY over a source that declares a watermark on the same time keeps its delay.
  if (relation->node->kind == plan::NodeKind::kWatermark &&
      relation->node->As<plan::WatermarkNode>().time_field == field && !table.watermark) {
    relation->scope.event_time = field;
    return arrow::Status::OK();
  }
  auto node = std::make_shared<plan::WatermarkNode>();
  node->time_field = field;
  node->delay_us = delay;
  node->schema = relation->node->schema;
  node->inputs = {relation->node};
  relation->node = node;
  relation->scope.event_time = field;
  return arrow::Status::OK();
}

arrow::Result<BoundRelation> Binder::Impl::BindWindowFunction(const WindowFunctionRelation& fn, const Scope* outer,
                                                              const CteScope* ctes) {
  ARROW_ASSIGN_OR_RAISE(BoundRelation rel, BindRelation(*fn.input, outer, ctes));
  plan::TimeWindowSpec spec;
  std::vector<std::string> params;  // the interval parameters, in positional order
  if (fn.function == "TUMBLE") {
    spec.kind = plan::TimeWindowKind::kTumble;
    params = {"SIZE", "OFFSET"};
  } else if (fn.function == "HOP") {
    spec.kind = plan::TimeWindowKind::kHop;
    params = {"SLIDE", "SIZE", "OFFSET"};
  } else if (fn.function == "CUMULATE") {
    spec.kind = plan::TimeWindowKind::kCumulate;
    params = {"STEP", "SIZE", "OFFSET"};
  } else {
    spec.kind = plan::TimeWindowKind::kSession;
    params = {"GAP"};
  }
  if (!fn.partition_by.empty() && spec.kind != plan::TimeWindowKind::kSession) {
    return At(fn.pos, arrow::Status::Invalid(fn.function, " takes no PARTITION BY (only SESSION does)"));
  }
  std::map<std::string, const Expr*> values;
  for (size_t i = 0; i < fn.args.size(); ++i) {
    const Expr& arg = *fn.args[i];
    std::string name;
    const Expr* value = &arg;
    if (arg.kind == ExprKind::kNamedArgument) {
      name = arg.As<NamedArgumentExpr>().name;
      for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      value = arg.As<NamedArgumentExpr>().value.get();
      if (std::find(params.begin(), params.end(), name) == params.end()) {
        return At(arg.pos, arrow::Status::Invalid(fn.function, " has no parameter ", name));
      }
    } else if (i < params.size()) {
      name = params[i];
    } else {
      return At(arg.pos, arrow::Status::Invalid(fn.function, " takes at most ", params.size() + 2, " arguments"));
    }
    if (values.count(name)) return At(arg.pos, arrow::Status::Invalid(fn.function, ": ", name, " is given twice"));
    values[name] = value;
  }
  auto duration = [&](const std::string& name, int64_t* out, bool required) -> arrow::Status {
    auto it = values.find(name);
    if (it == values.end()) {
      if (required) return At(fn.pos, arrow::Status::Invalid(fn.function, " needs its ", name, " argument"));
      return arrow::Status::OK();
    }
    ARROW_ASSIGN_OR_RAISE(*out, DurationMicros(this, *it->second, fn.function + " " + name));
    if (name != "OFFSET") ARROW_RETURN_NOT_OK(CheckPositive(*out, *it->second, fn.function + " " + name));
    return arrow::Status::OK();
  };
  switch (spec.kind) {
    case plan::TimeWindowKind::kTumble:
      ARROW_RETURN_NOT_OK(duration("SIZE", &spec.size, true));
      break;
    case plan::TimeWindowKind::kHop:
    case plan::TimeWindowKind::kCumulate: {
      const std::string step = spec.kind == plan::TimeWindowKind::kHop ? "SLIDE" : "STEP";
      ARROW_RETURN_NOT_OK(duration(step, &spec.slide, true));
      ARROW_RETURN_NOT_OK(duration("SIZE", &spec.size, true));
      if (spec.size % spec.slide != 0) {
        return At(values["SIZE"]->pos, arrow::Status::Invalid(fn.function, ": SIZE must be a whole multiple of ", step));
      }
      break;
    }
    case plan::TimeWindowKind::kSession:
      ARROW_RETURN_NOT_OK(duration("GAP", &spec.size, true));
      break;
    case plan::TimeWindowKind::kSliding:
      return arrow::Status::Invalid("internal error: no windowing table function makes sliding windows");
  }
  ARROW_RETURN_NOT_OK(duration("OFFSET", &spec.offset, false));
  ColumnRefExpr time;
  time.pos = fn.pos;
  time.parts = fn.time_column;
  ARROW_ASSIGN_OR_RAISE(spec.time_field, TimeField(this, &rel, time, "DESCRIPTOR's time column"));
  for (const auto& p : fn.partition_by) {
    ARROW_ASSIGN_OR_RAISE(auto field, PartitionField(this, rel, *p));
    spec.partition_by.push_back(field);
  }
  ARROW_ASSIGN_OR_RAISE(auto window, AddTimeWindow(this, &rel, spec));
  // window_time: the last time in the window (Flink: a time attribute for later windows).
  const std::string window_time = NewField("window_time");
  ARROW_ASSIGN_OR_RAISE(auto one, cp::call("cast", {cp::literal(int64_t{1})},
                                           cp::CastOptions::Safe(arrow::duration(arrow::TimeUnit::MICRO)))
                                      .Bind(*rel.node->schema));
  ARROW_RETURN_NOT_OK(AppendField(this, &rel, cp::call("subtract", {cp::field_ref(window.second), one}), window_time));
  const auto& type = rel.node->schema->GetFieldByName(window.first)->type();
  rel.scope.columns.push_back({{}, "window_start", window.first, type});
  rel.scope.columns.push_back({{}, "window_end", window.second, type});
  rel.scope.columns.push_back({{}, "window_time", window_time, type});
  rel.scope.event_time = window_time;
  if (!fn.alias.empty()) Requalify(&rel.scope, fn.alias);
  return rel;
}

arrow::Result<std::optional<GroupWindow>> Binder::Impl::BindGroupWindow(const FunctionCallExpr& call,
                                                                        const std::vector<const Expr*>& other_keys,
                                                                        BoundRelation* relation) {
  const std::string name = FunctionName(call);
  const bool spark = name == "window" || name == "session_window";
  const bool asa = name == "tumblingwindow" || name == "hoppingwindow" || name == "sessionwindow" ||
                   name == "slidingwindow";
  const bool flink = name == "tumble" || name == "hop" || name == "session";
  if (!spark && !asa && !flink) return std::nullopt;
  if (call.over) return std::nullopt;
  auto arity = [&](size_t min, size_t max) -> arrow::Status {
    if (call.args.size() < min || call.args.size() > max) {
      return At(call.pos, arrow::Status::Invalid(call.name.back(), " takes ", min == max ? "" : "from ", min,
                                                 min == max ? "" : " to " + std::to_string(max), " arguments, got ",
                                                 call.args.size()));
    }
    return arrow::Status::OK();
  };
  plan::TimeWindowSpec spec;
  if (flink) {
    // TUMBLE(ts, size), HOP(ts, slide, size), SESSION(ts, gap): ts is a time attribute.
    ARROW_RETURN_NOT_OK(name == "hop" ? arity(3, 3) : arity(2, 2));
    ARROW_ASSIGN_OR_RAISE(spec.time_field, TimeField(this, relation, *call.args[0], call.name.back() + "'s time column"));
    const Expr& size = *call.args[name == "hop" ? 2 : 1];
    const char* what = name == "session" ? "the session gap" : "the window size";
    ARROW_ASSIGN_OR_RAISE(spec.size, DurationMicros(this, size, what));
    ARROW_RETURN_NOT_OK(CheckPositive(spec.size, size, what));
    spec.kind = name == "session" ? plan::TimeWindowKind::kSession : plan::TimeWindowKind::kTumble;
    if (name == "hop") {
      ARROW_ASSIGN_OR_RAISE(spec.slide, DurationMicros(this, *call.args[1], "the slide"));
      ARROW_RETURN_NOT_OK(CheckPositive(spec.slide, *call.args[1], "the slide"));
      if (spec.slide > spec.size) {
        return At(call.args[1]->pos, arrow::Status::Invalid("the slide must not exceed the window size"));
      }
      if (spec.slide != spec.size) spec.kind = plan::TimeWindowKind::kHop;
    }
  } else if (spark) {
    ARROW_RETURN_NOT_OK(name == "window" ? arity(2, 4) : arity(2, 2));
    ARROW_ASSIGN_OR_RAISE(spec.time_field, TimeField(this, relation, *call.args[0], name + "'s time column"));
    ARROW_ASSIGN_OR_RAISE(spec.size, DurationMicros(this, *call.args[1], "the window duration"));
    ARROW_RETURN_NOT_OK(CheckPositive(spec.size, *call.args[1], "the window duration"));
    if (name == "session_window") {
      spec.kind = plan::TimeWindowKind::kSession;
    } else {
      spec.kind = plan::TimeWindowKind::kTumble;
      if (call.args.size() >= 3) {
        ARROW_ASSIGN_OR_RAISE(spec.slide, DurationMicros(this, *call.args[2], "the slide duration"));
        ARROW_RETURN_NOT_OK(CheckPositive(spec.slide, *call.args[2], "the slide duration"));
        if (spec.slide > spec.size) {
          return At(call.args[2]->pos, arrow::Status::Invalid("the slide duration must not exceed the window duration"));
        }
        if (spec.slide != spec.size) spec.kind = plan::TimeWindowKind::kHop;
      }
      if (call.args.size() == 4) {
        ARROW_ASSIGN_OR_RAISE(spec.offset, DurationMicros(this, *call.args[3], "the start time"));
      }
    }
  } else {
    if (relation->scope.event_time.empty()) {
      return At(call.pos, arrow::Status::Invalid(call.name.back(),
                                                 " groups by event time: give the input one with TIMESTAMP BY"));
    }
    spec.time_field = relation->scope.event_time;
    spec.end_inclusive = true;
    ARROW_RETURN_NOT_OK(name == "sessionwindow"   ? arity(3, 3)
                        : name == "hoppingwindow" ? arity(3, 4)
                        : name == "slidingwindow" ? arity(2, 2)
                                                  : arity(2, 3));
    ARROW_ASSIGN_OR_RAISE(int64_t unit, AsaUnitMicros(*call.args[0]));
    ARROW_ASSIGN_OR_RAISE(spec.size, AsaCount(this, *call.args[1], unit, "the window size"));
    if (name == "tumblingwindow") {
      spec.kind = plan::TimeWindowKind::kTumble;
      if (call.args.size() == 3) {
        ARROW_ASSIGN_OR_RAISE(spec.offset, AsaCount(this, *call.args[2], unit, "the offset"));
      }
    } else if (name == "hoppingwindow") {
      spec.kind = plan::TimeWindowKind::kHop;
      ARROW_ASSIGN_OR_RAISE(spec.slide, AsaCount(this, *call.args[2], unit, "the hop size"));
      if (spec.slide > spec.size) {
        return At(call.args[2]->pos, arrow::Status::Invalid("the hop size must not exceed the window size"));
      }
      if (call.args.size() == 4) {
        ARROW_ASSIGN_OR_RAISE(spec.offset, AsaCount(this, *call.args[3], unit, "the offset"));
      }
    } else if (name == "slidingwindow") {
      // A window (end - size, end] per GROUP BY group wherever a row enters or leaves it.
      spec.kind = plan::TimeWindowKind::kSliding;
    } else {
      spec.kind = plan::TimeWindowKind::kSession;
      spec.end_inclusive = false;
      ARROW_ASSIGN_OR_RAISE(spec.max_duration, AsaCount(this, *call.args[2], unit, "the maximum duration"));
    }
  }
  if (plan::WindowsDependOnRows(spec)) {
    for (const Expr* key : other_keys) {
      ARROW_ASSIGN_OR_RAISE(auto field, PartitionField(this, *relation, *key,
                                                       spec.kind == plan::TimeWindowKind::kSliding
                                                           ? "sliding windows"
                                                           : "session windows"));
      spec.partition_by.push_back(field);
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto window, AddTimeWindow(this, relation, spec));
  const auto& type = relation->node->schema->GetFieldByName(window.first)->type();
  relation->scope.event_time = window.second;
  // Hidden columns the GROUP BY refers to by name (no user can write these names unquoted).
  GroupWindow group;
  const std::string start_name = "#" + window.first, end_name = "#" + window.second;
  relation->scope.columns.push_back({{}, start_name, window.first, type, /*hidden=*/true});
  relation->scope.columns.push_back({{}, end_name, window.second, type, /*hidden=*/true});
  relation->scope.window_start = window.first;
  relation->scope.window_end = window.second;
  if (asa) {
    group.keys = {end_name};
    return group;
  }
  group.keys = {start_name, end_name};
  if (flink) return group;
  // Spark: a struct<start, end> named like the function.
  const std::string key = NewField(name);
  ARROW_RETURN_NOT_OK(AppendField(this, relation,
                                  cp::call("make_struct", {cp::field_ref(window.first), cp::field_ref(window.second)},
                                           cp::MakeStructOptions({"start", "end"})),
                                  key));
  relation->scope.columns.push_back(
      {{}, name, key, arrow::struct_({arrow::field("start", type), arrow::field("end", type)}), /*hidden=*/true});
  group.struct_field = key;
  return group;
}

}  // namespace tidelake::sql
