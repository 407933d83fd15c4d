// Binding expressions: AST expressions -> typed arrow::compute::Expression over a node's
// output, through the SQL function library (plan/functions.h) for every operator, cast and
// function so that Spark's typing rules live in one place.
#include <arrow/util/decimal.h>

#include <cctype>

#include "common/strings.h"
#include "delta/temporal_text.h"
#include "sql/ast_printer.h"
#include "sql/binder_impl.h"

namespace tidelake::sql {

std::string FunctionName(const FunctionCallExpr& call) {
  std::string name;
  for (const auto& part : call.name) name += (name.empty() ? "" : ".") + Lower(part);
  return name;
}

namespace {

// Flink's group window properties: "tumble_start" -> {"TUMBLE", "start"}; also _end and
// _rowtime, for TUMBLE, HOP and SESSION.
std::optional<std::pair<std::string, std::string>> FlinkWindowProperty(const std::string& name) {
  for (const char* window : {"tumble", "hop", "session"}) {
    const std::string prefix = std::string(window) + "_";
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string property = name.substr(prefix.size());
    if (property == "start" || property == "end" || property == "rowtime") {
      std::string upper = window;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return std::make_pair(upper, property);
    }
  }
  return std::nullopt;
}

// `bound` (a struct) narrowed to its nested `fields` in turn: a.b.c.
arrow::Result<cp::Expression> StructFields(cp::Expression bound, const std::vector<std::string>& fields, const Expr& expr,
                                           const arrow::Schema& input) {
  for (const auto& field : fields) {
    const auto* type = bound.type();
    if (type->id() != arrow::Type::STRUCT) {
      return arrow::Status::Invalid("cannot read field '", field, "' of ", ToString(expr), ": ", type->ToString(),
                                    " is not a struct");
    }
    int index = -1;
    for (int i = 0; i < type->num_fields(); ++i) {
      if (NamesEqual(type->field(i)->name(), field)) index = i;
    }
    if (index < 0) return arrow::Status::Invalid("the struct ", ToString(expr), " has no field '", field, "'");
    ARROW_ASSIGN_OR_RAISE(bound, (cp::call("struct_field", {bound}, cp::StructFieldOptions({index})).Bind(input)));
  }
  return bound;
}

bool IsAggregateCall(const Expr& expr) {
  if (expr.kind != ExprKind::kFunctionCall) return false;
  const auto& call = expr.As<FunctionCallExpr>();
  return call.over == nullptr && plan::IsAggregateFunction(FunctionName(call));
}

bool IsWindowCall(const Expr& expr) {
  return expr.kind == ExprKind::kFunctionCall && expr.As<FunctionCallExpr>().over != nullptr;
}

bool ContainsAggregateOrWindow(const Expr& expr) {
  bool found = false;
  VisitExpr(expr, [&](const Expr& e) {
    if (IsAggregateCall(e) || IsWindowCall(e)) found = true;
    return !found;
  });
  return found;
}

plan::Operator OperatorFor(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return plan::Operator::kOr;
    case BinaryOp::kAnd: return plan::Operator::kAnd;
    case BinaryOp::kEq: return plan::Operator::kEq;
    case BinaryOp::kNotEq: return plan::Operator::kNotEq;
    case BinaryOp::kLt: return plan::Operator::kLt;
    case BinaryOp::kLtEq: return plan::Operator::kLtEq;
    case BinaryOp::kGt: return plan::Operator::kGt;
    case BinaryOp::kGtEq: return plan::Operator::kGtEq;
    case BinaryOp::kNullSafeEq: return plan::Operator::kNullSafeEq;
    case BinaryOp::kBitOr: return plan::Operator::kBitOr;
    case BinaryOp::kBitXor: return plan::Operator::kBitXor;
    case BinaryOp::kBitAnd: return plan::Operator::kBitAnd;
    case BinaryOp::kAdd: return plan::Operator::kAdd;
    case BinaryOp::kSubtract: return plan::Operator::kSubtract;
    case BinaryOp::kConcat: return plan::Operator::kConcat;
    case BinaryOp::kMultiply: return plan::Operator::kMultiply;
    case BinaryOp::kDivide: return plan::Operator::kDivide;
    case BinaryOp::kModulo: return plan::Operator::kModulo;
    case BinaryOp::kIntDivide: return plan::Operator::kIntDivide;
  }
  return plan::Operator::kAnd;
}

// EXTRACT(field FROM x) as the function computing it.
arrow::Result<std::string> ExtractFunction(const std::string& field) {
  std::string f = Lower(field);
  if (f == "year" || f == "years" || f == "y" || f == "yr" || f == "yrs") return "year";
  if (f == "quarter" || f == "qtr") return "quarter";
  if (f == "month" || f == "months" || f == "mon" || f == "mons") return "month";
  if (f == "week" || f == "weeks" || f == "w") return "weekofyear";
  if (f == "day" || f == "days" || f == "d") return "day";
  if (f == "dayofweek" || f == "dow") return "dayofweek";
  if (f == "doy" || f == "dayofyear") return "dayofyear";
  if (f == "hour" || f == "hours" || f == "h" || f == "hr" || f == "hrs") return "hour";
  if (f == "minute" || f == "minutes" || f == "m" || f == "min" || f == "mins") return "minute";
  if (f == "second" || f == "seconds" || f == "s" || f == "sec" || f == "secs") return "second";
  return arrow::Status::Invalid("EXTRACT does not know the field '", field, "'");
}

cp::Expression Negate(cp::Expression e) { return cp::call("invert", {std::move(e)}); }

}  // namespace

arrow::Status At(const SourcePos& pos, const arrow::Status& status) {
  if (status.ok() || pos.line == 0) return status;
  auto existing = GetErrorContext(status);
  if (existing && existing->line > 0) return status;
  return ErrorAt(status.code(), ErrorContext{.line = pos.line, .column = pos.column}, status.message());
}

void VisitExpr(const Expr& expr, const std::function<bool(const Expr&)>& visit) {
  if (!visit(expr)) return;
  auto go = [&](const ExprPtr& child) {
    if (child) VisitExpr(*child, visit);
  };
  switch (expr.kind) {
    case ExprKind::kUnary: go(expr.As<UnaryExpr>().operand); break;
    case ExprKind::kBinary: go(expr.As<BinaryExpr>().left); go(expr.As<BinaryExpr>().right); break;
    case ExprKind::kIs: go(expr.As<IsExpr>().operand); break;
    case ExprKind::kIsDistinctFrom: go(expr.As<IsDistinctFromExpr>().left); go(expr.As<IsDistinctFromExpr>().right); break;
    case ExprKind::kBetween: {
      const auto& b = expr.As<BetweenExpr>();
      go(b.operand); go(b.low); go(b.high);
      break;
    }
    case ExprKind::kInList: {
      const auto& in = expr.As<InListExpr>();
      go(in.operand);
      for (const auto& e : in.list) go(e);
      break;
    }
    case ExprKind::kInSubquery: go(expr.As<InSubqueryExpr>().operand); break;
    case ExprKind::kLike: go(expr.As<LikeExpr>().operand); go(expr.As<LikeExpr>().pattern); break;
    case ExprKind::kCase: {
      const auto& c = expr.As<CaseExpr>();
      go(c.operand);
      for (const auto& w : c.whens) { go(w.condition); go(w.result); }
      go(c.else_result);
      break;
    }
    case ExprKind::kCast: go(expr.As<CastExpr>().operand); break;
    case ExprKind::kFunctionCall: {
      const auto& f = expr.As<FunctionCallExpr>();
      for (const auto& a : f.args) go(a);
      go(f.filter);
      if (f.over) {
        for (const auto& p : f.over->partition_by) go(p);
        for (const auto& o : f.over->order_by) go(o.expr);
      }
      break;
    }
    case ExprKind::kNamedArgument: go(expr.As<NamedArgumentExpr>().value); break;
    case ExprKind::kSubscript: go(expr.As<SubscriptExpr>().base); go(expr.As<SubscriptExpr>().index); break;
    case ExprKind::kFieldAccess: go(expr.As<FieldAccessExpr>().base); break;
    case ExprKind::kExtract: go(expr.As<ExtractExpr>().source); break;
    default: break;
  }
}

std::vector<const Expr*> Conjuncts(const Expr& condition) {
  if (condition.kind == ExprKind::kBinary && condition.As<BinaryExpr>().op == BinaryOp::kAnd) {
    auto left = Conjuncts(*condition.As<BinaryExpr>().left);
    auto right = Conjuncts(*condition.As<BinaryExpr>().right);
    left.insert(left.end(), right.begin(), right.end());
    return left;
  }
  return {&condition};
}

std::string DerivedName(const Expr& expr) {
  if (expr.kind == ExprKind::kColumnRef) return expr.As<ColumnRefExpr>().parts.back();
  if (expr.kind == ExprKind::kFieldAccess) return expr.As<FieldAccessExpr>().field;
  if (expr.kind == ExprKind::kFunctionCall) {
    // Spark names a window(...) or session_window(...) column after the function.
    const auto& call = expr.As<FunctionCallExpr>();
    const std::string name = FunctionName(call);
    if (!call.over && (name == "window" || name == "session_window")) return name;
  }
  return ToString(expr);
}

arrow::Result<cp::Expression> Binder::Impl::BindLiteral(const LiteralExpr& literal) {
  switch (literal.literal_kind) {
    case LiteralKind::kNull: return cp::literal(arrow::MakeNullScalar(arrow::null()));
    case LiteralKind::kBoolean: return cp::literal(literal.bool_value);
    case LiteralKind::kInteger:
      switch (literal.int_width) {
        case IntegerWidth::kTinyInt: return cp::literal(static_cast<int8_t>(literal.int_value));
        case IntegerWidth::kSmallInt: return cp::literal(static_cast<int16_t>(literal.int_value));
        case IntegerWidth::kBigInt: return cp::literal(literal.int_value);
        case IntegerWidth::kAuto:
          if (literal.int_value >= INT32_MIN && literal.int_value <= INT32_MAX) {
            return cp::literal(static_cast<int32_t>(literal.int_value));
          }
          return cp::literal(literal.int_value);
      }
      break;
    case LiteralKind::kDecimal: {
      int32_t precision = 0, scale = 0;
      arrow::Decimal128 value;
      ARROW_RETURN_NOT_OK(arrow::Decimal128::FromString(literal.text, &value, &precision, &scale));
      if (scale < 0) {  // 1e3 written as a decimal: Spark makes it a double
        return cp::literal(std::stod(literal.text));
      }
      precision = std::max(precision, scale);
      if (precision > 38) {
        return arrow::Status::Invalid("the number ", literal.text, " does not fit DECIMAL(38)");
      }
      return cp::literal(arrow::Datum(std::make_shared<arrow::Decimal128Scalar>(
          value, arrow::decimal128(std::max(precision, 1), scale))));
    }
    case LiteralKind::kFloat: return cp::literal(static_cast<float>(literal.double_value));
    case LiteralKind::kDouble: return cp::literal(literal.double_value);
    case LiteralKind::kString: return cp::literal(literal.text);
    case LiteralKind::kDate: {
      auto days = delta::ParseDate(literal.text);
      if (!days.ok()) return arrow::Status::Invalid("invalid DATE literal '", literal.text, "'");
      return cp::literal(arrow::Datum(std::make_shared<arrow::Date32Scalar>(static_cast<int32_t>(*days))));
    }
    case LiteralKind::kTimestamp:
    case LiteralKind::kTimestampLtz:
    case LiteralKind::kTimestampNtz: {
      bool ntz = literal.literal_kind == LiteralKind::kTimestampNtz;
      auto micros = delta::ParseTimestamp(literal.text, arrow::TimeUnit::MICRO, /*allow_zone=*/!ntz);
      if (!micros.ok()) return arrow::Status::Invalid("invalid TIMESTAMP literal '", literal.text, "'");
      auto type = ntz ? arrow::timestamp(arrow::TimeUnit::MICRO)
                                                                      : arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
      return cp::literal(arrow::Datum(std::make_shared<arrow::TimestampScalar>(*micros, type)));
    }
    case LiteralKind::kBinary: {
      std::string bytes;
      const std::string& hex = literal.text;
      if (hex.size() % 2 != 0) return arrow::Status::Invalid("binary literal X'", hex, "' has an odd number of digits");
      for (size_t i = 0; i < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
      return cp::literal(arrow::Datum(std::make_shared<arrow::BinaryScalar>(bytes)));
    }
  }
  return arrow::Status::NotImplemented("literal");
}

namespace {

// INTERVAL literals as month_day_nano values.
arrow::Result<cp::Expression> BindInterval(const IntervalExpr& interval) {
  arrow::MonthDayNanoIntervalType::MonthDayNanos value{0, 0, 0};
  for (const auto& field : interval.fields) {
    if (!field.unit) {
      return arrow::Status::NotImplemented("INTERVAL '", field.value, "' without a unit; write e.g. INTERVAL 5 MINUTES");
    }
    double amount = 0;
    try {
      size_t used = 0;
      amount = std::stod(field.value, &used);
      if (used != field.value.size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      return arrow::Status::Invalid("invalid INTERVAL value '", field.value, "'");
    }
    constexpr int64_t kSecond = 1000000000;
    switch (*field.unit) {
      case IntervalUnit::kYear: value.months += static_cast<int32_t>(amount * 12); break;
      case IntervalUnit::kMonth: value.months += static_cast<int32_t>(amount); break;
      case IntervalUnit::kWeek: value.days += static_cast<int32_t>(amount * 7); break;
      case IntervalUnit::kDay: value.days += static_cast<int32_t>(amount); break;
      case IntervalUnit::kHour: value.nanoseconds += static_cast<int64_t>(amount * 3600 * kSecond); break;
      case IntervalUnit::kMinute: value.nanoseconds += static_cast<int64_t>(amount * 60 * kSecond); break;
      case IntervalUnit::kSecond: value.nanoseconds += static_cast<int64_t>(amount * kSecond); break;
      case IntervalUnit::kMillisecond: value.nanoseconds += static_cast<int64_t>(amount * 1000000); break;
      case IntervalUnit::kMicrosecond: value.nanoseconds += static_cast<int64_t>(amount * 1000); break;
    }
  }
  return cp::literal(arrow::Datum(std::make_shared<arrow::MonthDayNanoIntervalScalar>(value)));
}

}  // namespace

arrow::Result<cp::Expression> Binder::Impl::Bind(const Expr& expr, ExprContext& ctx) {
  auto result = [&]() -> arrow::Result<cp::Expression> {
    // HAVING and QUALIFY may name a select item by its alias (when no column has the name).
    if (ctx.select_aliases && expr.kind == ExprKind::kColumnRef && expr.As<ColumnRefExpr>().parts.size() == 1) {
      const auto& parts = expr.As<ColumnRefExpr>().parts;
      const Scope* scope = ctx.after_aggregation ? ctx.pre_aggregation_scope : ctx.scope;
      if (!ResolveColumn(*scope, parts).ok()) {
        for (const auto& [alias, item] : *ctx.select_aliases) {
          if (NamesEqual(alias, parts[0])) {
            ExprContext inner = ctx;
            inner.select_aliases = nullptr;  // an alias does not refer to itself
            return Bind(*item, inner);
          }
        }
      }
    }
    // Aggregates and window calls computed below this point, and group keys.
    if (ctx.substitutions) {
      auto it = ctx.substitutions->find(&expr);
      if (it != ctx.substitutions->end()) return cp::field_ref(it->second).Bind(*ctx.input);
    }
    if (ctx.after_aggregation && expr.kind != ExprKind::kLiteral && !ContainsAggregateOrWindow(expr) &&
        expr.kind != ExprKind::kScalarSubquery) {
      ExprContext before = ctx;
      before.after_aggregation = false;
      before.scope = ctx.pre_aggregation_scope;
      before.input = ctx.pre_aggregation_input;
      before.substitutions = nullptr;
      before.subquery_target = nullptr;
      // SELECT window(ts, '5 minutes') ... GROUP BY window(ts, '5 minutes'): the grouped struct.
      if (expr.kind == ExprKind::kFunctionCall && ctx.composite_keys) {
        const auto& call = expr.As<FunctionCallExpr>();
        auto same_call = [&](const FunctionCallExpr& grouped) {
          if (FunctionName(call) != FunctionName(grouped) || call.over || call.args.size() != grouped.args.size()) {
            return false;
          }
          for (size_t i = 0; i < call.args.size(); ++i) {
            auto a = Bind(*call.args[i], before), b = Bind(*grouped.args[i], before);
            if (!a.ok() || !b.ok() || !a->Equals(*b)) return false;
          }
          return true;
        };
        for (const auto& key : *ctx.composite_keys) {
          if (key.call != nullptr && same_call(*key.call)) return key.after;
        }
      }
      auto bound = Bind(expr, before);
      if (bound.ok()) {
        for (const auto& key : *ctx.group_keys) {
          if (key.bound.Equals(*bound)) return cp::field_ref(key.field).Bind(*ctx.input);
        }
        if (ctx.composite_keys) {
          for (const auto& key : *ctx.composite_keys) {
            if (key.before.Equals(*bound)) return key.after;
          }
        }
      }
      // A field of a struct group key: window.start after GROUP BY window(ts, '5 minutes').
      if (bound.ok() && expr.kind == ExprKind::kColumnRef) {
        auto resolved = ResolveColumn(*ctx.pre_aggregation_scope, expr.As<ColumnRefExpr>().parts);
        if (resolved.ok() && !resolved->fields.empty()) {
          ARROW_ASSIGN_OR_RAISE(auto base, cp::field_ref(resolved->column->field).Bind(*ctx.pre_aggregation_input));
          for (const auto& key : *ctx.group_keys) {
            if (!key.bound.Equals(base)) continue;
            ARROW_ASSIGN_OR_RAISE(auto grouped, cp::field_ref(key.field).Bind(*ctx.input));
            return StructFields(std::move(grouped), resolved->fields, expr, *ctx.input);
          }
          if (ctx.composite_keys) {
            for (const auto& key : *ctx.composite_keys) {
              if (key.before.Equals(base)) return StructFields(key.after, resolved->fields, expr, *ctx.input);
            }
          }
        }
      }
      if (expr.kind == ExprKind::kColumnRef) {
        if (!bound.ok()) return bound.status();
        return arrow::Status::Invalid("column '", ToString(expr),
                                      "' must appear in GROUP BY or be inside an aggregate function");
      }
    }
    if (IsAggregateCall(expr)) {
      return arrow::Status::Invalid("aggregate function ", ToString(expr), " is not allowed in ", ctx.clause);
    }
    if (IsWindowCall(expr)) {
      return arrow::Status::Invalid("window function ", ToString(expr), " is not allowed in ", ctx.clause);
    }

    auto bind_all = [&](const std::vector<ExprPtr>& exprs) -> arrow::Result<std::vector<cp::Expression>> {
      std::vector<cp::Expression> out;
      for (const auto& e : exprs) {
        ARROW_ASSIGN_OR_RAISE(auto bound, Bind(*e, ctx));
        out.push_back(std::move(bound));
      }
      return out;
    };

    switch (expr.kind) {
      case ExprKind::kLiteral:
        return BindLiteral(expr.As<LiteralExpr>());
      case ExprKind::kInterval:
        return BindInterval(expr.As<IntervalExpr>());
      case ExprKind::kColumnRef: {
        const auto& ref = expr.As<ColumnRefExpr>();
        auto resolved = ResolveColumn(*ctx.scope, ref.parts);
        if (!resolved.ok()) {
          // current_date / current_timestamp may be written without parentheses.
          if (ref.parts.size() == 1) {
            std::string name = Lower(ref.parts[0]);
            if (name == "current_date" || name == "current_timestamp") {
              return plan::CallFunction(name, {}, *ctx.input, functions_);
            }
          }
          return resolved.status();
        }
        if (resolved->depth > ctx.allowed_outer_depth) {
          return arrow::Status::NotImplemented(
              "the outer column '", ToString(expr),
              "' can only be used in an equality condition of a subquery's WHERE clause");
        }
        ARROW_ASSIGN_OR_RAISE(auto bound, cp::field_ref(resolved->column->field).Bind(*ctx.input));
        return StructFields(std::move(bound), resolved->fields, expr, *ctx.input);
      }
      case ExprKind::kStar:
        return arrow::Status::Invalid("'*' is not allowed in ", ctx.clause);
      case ExprKind::kUnary: {
        const auto& unary = expr.As<UnaryExpr>();
        ARROW_ASSIGN_OR_RAISE(auto operand, Bind(*unary.operand, ctx));
        switch (unary.op) {
          case UnaryOp::kNot: return plan::CallOperator(plan::Operator::kNot, {operand}, *ctx.input);
          case UnaryOp::kNegate: return plan::CallOperator(plan::Operator::kNegate, {operand}, *ctx.input);
          case UnaryOp::kBitNot: return plan::CallOperator(plan::Operator::kBitNot, {operand}, *ctx.input);
          case UnaryOp::kPlus: return operand;
        }
        break;
      }
      case ExprKind::kBinary: {
        const auto& binary = expr.As<BinaryExpr>();
        ARROW_ASSIGN_OR_RAISE(auto left, Bind(*binary.left, ctx));
        ARROW_ASSIGN_OR_RAISE(auto right, Bind(*binary.right, ctx));
        return plan::CallOperator(OperatorFor(binary.op), {left, right}, *ctx.input);
      }
      case ExprKind::kIs: {
        const auto& is = expr.As<IsExpr>();
        ARROW_ASSIGN_OR_RAISE(auto operand, Bind(*is.operand, ctx));
        cp::Expression test;
        switch (is.test) {
          case IsTest::kNull:
          case IsTest::kUnknown: {
            ARROW_ASSIGN_OR_RAISE(test, (plan::CallOperator(plan::Operator::kIsNull, {operand}, *ctx.input)));
            break;
          }
          case IsTest::kTrue:
          case IsTest::kFalse: {
            if (operand.type()->id() != arrow::Type::BOOL && operand.type()->id() != arrow::Type::NA) {
              return arrow::Status::Invalid("IS TRUE / IS FALSE needs a boolean, got ", operand.type()->ToString());
            }
            cp::Expression value = is.test == IsTest::kTrue ? operand : Negate(operand);
            ARROW_ASSIGN_OR_RAISE(test, (cp::call("coalesce", {value, cp::literal(false)}).Bind(*ctx.input)));
            break;
          }
        }
        return is.negated ? Negate(test).Bind(*ctx.input) : test;
      }
      case ExprKind::kIsDistinctFrom: {
        const auto& d = expr.As<IsDistinctFromExpr>();
        ARROW_ASSIGN_OR_RAISE(auto left, Bind(*d.left, ctx));
        ARROW_ASSIGN_OR_RAISE(auto right, Bind(*d.right, ctx));
        ARROW_ASSIGN_OR_RAISE(auto same, (plan::CallOperator(plan::Operator::kNullSafeEq, {left, right}, *ctx.input)));
        return d.negated ? same : Negate(same).Bind(*ctx.input);
      }
      case ExprKind::kBetween: {
        const auto& b = expr.As<BetweenExpr>();
        ARROW_ASSIGN_OR_RAISE(auto operand, Bind(*b.operand, ctx));
        ARROW_ASSIGN_OR_RAISE(auto low, Bind(*b.low, ctx));
        ARROW_ASSIGN_OR_RAISE(auto high, Bind(*b.high, ctx));
        ARROW_ASSIGN_OR_RAISE(auto between, (plan::CallOperator(plan::Operator::kBetween, {operand, low, high}, *ctx.input)));
        return b.negated ? plan::CallOperator(plan::Operator::kNot, {between}, *ctx.input) : between;
      }
      case ExprKind::kInList: {
        const auto& in = expr.As<InListExpr>();
        std::vector<cp::Expression> args;
        ARROW_ASSIGN_OR_RAISE(auto operand, Bind(*in.operand, ctx));
        args.push_back(operand);
        ARROW_ASSIGN_OR_RAISE(auto list, bind_all(in.list));
        args.insert(args.end(), list.begin(), list.end());
        ARROW_ASSIGN_OR_RAISE(auto test, plan::CallOperator(plan::Operator::kIn, std::move(args), *ctx.input));
        return in.negated ? plan::CallOperator(plan::Operator::kNot, {test}, *ctx.input) : test;
      }
      case ExprKind::kInSubquery:
      case ExprKind::kExists:
        return arrow::Status::NotImplemented(
            "IN (subquery) and EXISTS are supported as conditions of WHERE and HAVING (combined with AND)");
      case ExprKind::kScalarSubquery:
        return BindScalarSubquery(expr.As<ScalarSubqueryExpr>(), ctx);
      case ExprKind::kLike: {
        const auto& like = expr.As<LikeExpr>();
        ARROW_ASSIGN_OR_RAISE(auto operand, Bind(*like.operand, ctx));
        ARROW_ASSIGN_OR_RAISE(auto pattern, Bind(*like.pattern, ctx));
        std::vector<cp::Expression> args{operand, pattern};
        if (like.escape) args.push_back(cp::literal(*like.escape));
        plan::Operator op = like.op == LikeOp::kLike    ? plan::Operator::kLike
                            : like.op == LikeOp::kILike ? plan::Operator::kILike
                                                        : plan::Operator::kRLike;
        ARROW_ASSIGN_OR_RAISE(auto test, plan::CallOperator(op, std::move(args), *ctx.input));
        return like.negated ? plan::CallOperator(plan::Operator::kNot, {test}, *ctx.input) : test;
      }
      case ExprKind::kCase: {
        const auto& c = expr.As<CaseExpr>();
        std::vector<cp::Expression> conditions, results;
        std::optional<cp::Expression> operand;
        if (c.operand) {
          ARROW_ASSIGN_OR_RAISE(operand, Bind(*c.operand, ctx));
        }
        for (const auto& when : c.whens) {
          ARROW_ASSIGN_OR_RAISE(auto condition, Bind(*when.condition, ctx));
          if (operand) {
            ARROW_ASSIGN_OR_RAISE(condition, (plan::CallOperator(plan::Operator::kEq, {*operand, condition}, *ctx.input)));
          } else {
            ARROW_ASSIGN_OR_RAISE(condition, plan::ImplicitCastTo(condition, arrow::boolean(), *ctx.input));
          }
          conditions.push_back(std::move(condition));
          ARROW_ASSIGN_OR_RAISE(auto result, Bind(*when.result, ctx));
          results.push_back(std::move(result));
        }
        std::optional<cp::Expression> otherwise;
        if (c.else_result) {
          ARROW_ASSIGN_OR_RAISE(otherwise, Bind(*c.else_result, ctx));
        }
        return plan::CaseWhen(std::move(conditions), std::move(results), std::move(otherwise), *ctx.input);
      }
      case ExprKind::kCast: {
        const auto& cast = expr.As<CastExpr>();
        ARROW_ASSIGN_OR_RAISE(auto operand, Bind(*cast.operand, ctx));
        ARROW_ASSIGN_OR_RAISE(auto type, Binder::ToArrowType(*cast.type));
        return plan::Cast(operand, type, cast.syntax == CastSyntax::kTryCast, *ctx.input);
      }
      case ExprKind::kFunctionCall: {
        const auto& call = expr.As<FunctionCallExpr>();
        std::string name = FunctionName(call);
        if (call.distinct || call.filter) {
          return arrow::Status::Invalid("DISTINCT and FILTER apply to aggregate functions only, not ", name);
        }
        if (name == "system.timestamp") {
          if (!call.args.empty()) return arrow::Status::Invalid("System.Timestamp() takes no arguments");
          if (ctx.scope == nullptr || ctx.scope->event_time.empty()) {
            return arrow::Status::Invalid(
                "System.Timestamp() is the event time: give the input one with TIMESTAMP BY, or group by a window");
          }
          return cp::field_ref(ctx.scope->event_time).Bind(*ctx.input);
        }
        if (auto window = FlinkWindowProperty(name)) {
          // TUMBLE_START(ts, size), HOP_END(ts, slide, size), SESSION_ROWTIME(ts, gap): the GROUP
          // BY window's start, end, or end less a millisecond (its rows' event time, as Flink's).
          // Their arguments repeat the window's; the window itself is in the GROUP BY.
          const Scope* scope = ctx.after_aggregation ? ctx.pre_aggregation_scope : ctx.scope;
          const std::string field = scope == nullptr               ? ""
                                    : window->second == "start" ? scope->window_start
                                                                : scope->window_end;
          auto missing = [&] {
            return arrow::Status::Invalid(call.name.back(), " reads the window of the GROUP BY: group by ",
                                          window->first, "(...)");
          };
          if (field.empty()) return missing();
          cp::Expression value = cp::field_ref(field);
          if (ctx.after_aggregation) {  // the group key holding it
            ARROW_ASSIGN_OR_RAISE(auto before, value.Bind(*ctx.pre_aggregation_input));
            std::optional<std::string> key_field;
            for (const auto& key : *ctx.group_keys) {
              if (key.bound.Equals(before)) key_field = key.field;
            }
            if (!key_field) return missing();
            value = cp::field_ref(*key_field);
          }
          if (window->second == "rowtime") {
            auto millisecond = cp::call("cast", {cp::literal(int64_t{1000})},
                                        cp::CastOptions::Safe(arrow::duration(arrow::TimeUnit::MICRO)));
            value = cp::call("subtract", {value, millisecond});
          }
          return value.Bind(*ctx.input);
        }
        std::vector<cp::Expression> args;
        for (const auto& arg : call.args) {
          if (arg->kind == ExprKind::kNamedArgument) {
            return arrow::Status::Invalid("function ", name, " does not take named arguments");
          }
          if (arg->kind == ExprKind::kStar) return arrow::Status::Invalid("function ", name, " does not take '*'");
          ARROW_ASSIGN_OR_RAISE(auto bound, Bind(*arg, ctx));
          args.push_back(std::move(bound));
        }
        return plan::CallFunction(name, std::move(args), *ctx.input, functions_);
      }
      case ExprKind::kNamedArgument:
        return arrow::Status::Invalid("a named argument is only allowed in a table function call");
      case ExprKind::kSubscript: {
        const auto& s = expr.As<SubscriptExpr>();
        ARROW_ASSIGN_OR_RAISE(auto base, Bind(*s.base, ctx));
        ARROW_ASSIGN_OR_RAISE(auto index, Bind(*s.index, ctx));
        return plan::CallOperator(plan::Operator::kSubscript, {base, index}, *ctx.input);
      }
      case ExprKind::kFieldAccess: {
        const auto& access = expr.As<FieldAccessExpr>();
        ARROW_ASSIGN_OR_RAISE(auto base, Bind(*access.base, ctx));
        const auto* type = base.type();
        if (type->id() != arrow::Type::STRUCT) {
          return arrow::Status::Invalid("cannot read field '", access.field, "' of a ", type->ToString());
        }
        for (int i = 0; i < type->num_fields(); ++i) {
          if (NamesEqual(type->field(i)->name(), access.field)) {
            return cp::call("struct_field", {base}, cp::StructFieldOptions({i})).Bind(*ctx.input);
          }
        }
        return arrow::Status::Invalid("the struct has no field '", access.field, "'");
      }
      case ExprKind::kExtract: {
        const auto& extract = expr.As<ExtractExpr>();
        ARROW_ASSIGN_OR_RAISE(auto function, ExtractFunction(extract.field));
        ARROW_ASSIGN_OR_RAISE(auto source, Bind(*extract.source, ctx));
        return plan::CallFunction(function, {source}, *ctx.input, functions_);
      }
    }
    return arrow::Status::NotImplemented("expression ", ToString(expr));
  }();
  return At(expr.pos, std::move(result));
}

arrow::Result<std::shared_ptr<arrow::Scalar>> Binder::Impl::EvaluateConstant(const Expr& expr) {
  Scope empty;
  ExprContext ctx;
  ctx.scope = &empty;
  ctx.input = arrow::schema({});
  ctx.clause = "a constant";
  ARROW_ASSIGN_OR_RAISE(auto bound, Bind(expr, ctx));
  ARROW_ASSIGN_OR_RAISE(auto value, (cp::ExecuteScalarExpression(bound, cp::ExecBatch({}, 1))));
  if (value.is_scalar()) return value.scalar();
  ARROW_ASSIGN_OR_RAISE(auto array, value.make_array()->GetScalar(0));
  return array;
}

}  // namespace tidelake::sql
