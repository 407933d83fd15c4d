// Binding window function calls: OVER specs (named windows included), frames, and the
// WindowNode computing each call.
#include <cctype>

#include "sql/ast_printer.h"
#include "sql/binder_impl.h"

namespace tidelake::sql {

namespace {

}  // namespace

arrow::Status Binder::Impl::BindWindowCall(const FunctionCallExpr& call, const SelectBody& select,
                                           BoundRelation* relation, ExprContext ctx,
                                           std::unordered_map<const Expr*, std::string>* substitutions) {
  std::string name;
  for (const auto& part : call.name) name += (name.empty() ? "" : ".") + Lower(part);
  if (call.distinct) return At(call.pos, arrow::Status::NotImplemented("DISTINCT in a window function"));

  // The spec: OVER w, or OVER (w PARTITION BY ...) refining a named window.
  const WindowSpec* spec = call.over.get();
  const WindowSpec* base = nullptr;
  if (!spec->base_window.empty()) {
    for (const auto& named : select.windows) {
      if (NamesEqual(named.name, spec->base_window)) base = named.spec.get();
    }
    if (base == nullptr) {
      return At(spec->pos, arrow::Status::Invalid("window '", spec->base_window, "' is not defined in WINDOW"));
    }
  }
  const auto& partition_by = !spec->partition_by.empty() || base == nullptr ? spec->partition_by : base->partition_by;
  const auto& order_by = !spec->order_by.empty() || base == nullptr ? spec->order_by : base->order_by;
  const auto& frame = spec->frame ? spec->frame : (base ? base->frame : spec->frame);

  ctx.input = relation->node->schema;
  std::vector<cp::Expression> exprs;
  std::vector<std::string> names;
  for (const auto& f : relation->node->schema->fields()) {
    exprs.push_back(cp::field_ref(f->name()));
    names.push_back(f->name());
  }
  auto add = [&](cp::Expression e, const std::string& label) {
    std::string field = NewField(label);
    exprs.push_back(std::move(e));
    names.push_back(field);
    return field;
  };

  auto node = std::make_shared<plan::WindowNode>();
  for (const auto& p : partition_by) {
    ARROW_ASSIGN_OR_RAISE(auto bound, Bind(*p, ctx));
    node->partition_by.push_back(add(bound, "partition"));
  }
  for (const auto& o : order_by) {
    ARROW_ASSIGN_OR_RAISE(auto bound, Bind(*o.expr, ctx));
    plan::SortKey key;
    key.field = add(bound, "order");
    key.ascending = o.direction != SortDirection::kDescending;
    key.nulls_first = o.nulls == NullOrder::kDefault ? key.ascending : o.nulls == NullOrder::kNullsFirst;
    node->order_by.push_back(key);
  }
  std::vector<arrow::TypeHolder> types;
  std::vector<std::shared_ptr<arrow::Scalar>> literals;
  std::vector<std::string> arg_fields;
  for (size_t i = 0; i < call.args.size(); ++i) {
    const Expr& arg = *call.args[i];
    if (arg.kind == ExprKind::kStar) continue;  // count(*) OVER (...)
    ARROW_ASSIGN_OR_RAISE(auto bound, Bind(arg, ctx));
    types.push_back(bound.type()->GetSharedPtr());
    if (i > 0 && bound.literal() != nullptr && bound.literal()->is_scalar()) {
      literals.push_back(bound.literal()->scalar());
      continue;
    }
    literals.push_back(nullptr);
    arg_fields.push_back(add(bound, "arg"));
  }
  ARROW_ASSIGN_OR_RAISE(auto window_call, At(call.pos, plan::BindWindowFunction(name, types, literals)));
  window_call.args = arg_fields;
  window_call.ignore_nulls = call.null_treatment == NullTreatment::kIgnoreNulls;

  // The frame: as written, else Spark's default (RANGE UNBOUNDED PRECEDING .. CURRENT ROW with
  // ORDER BY, the whole partition without).
  if (frame) {
    window_call.frame.unit = frame->unit == FrameUnit::kRows ? plan::FrameUnit::kRows : plan::FrameUnit::kRange;
    auto bound_of = [&](const FrameBound& b) -> arrow::Result<plan::FrameBound> {
      plan::FrameBound out;
      switch (b.kind) {
        case FrameBoundKind::kUnboundedPreceding: out.kind = plan::FrameBound::Kind::kUnboundedPreceding; break;
        case FrameBoundKind::kPreceding: out.kind = plan::FrameBound::Kind::kPreceding; break;
        case FrameBoundKind::kCurrentRow: out.kind = plan::FrameBound::Kind::kCurrentRow; break;
        case FrameBoundKind::kFollowing: out.kind = plan::FrameBound::Kind::kFollowing; break;
        case FrameBoundKind::kUnboundedFollowing: out.kind = plan::FrameBound::Kind::kUnboundedFollowing; break;
      }
      if (b.offset) {
        ARROW_ASSIGN_OR_RAISE(auto value, EvaluateConstant(*b.offset));
        auto as_int = value->CastTo(arrow::int64());
        if (!as_int.ok() || !(*as_int)->is_valid || std::static_pointer_cast<arrow::Int64Scalar>(*as_int)->value < 0) {
          return At(b.offset->pos, arrow::Status::Invalid("a window frame offset must be a non-negative integer"));
        }
        out.offset = std::static_pointer_cast<arrow::Int64Scalar>(*as_int)->value;
      }
      return out;
    };
    ARROW_ASSIGN_OR_RAISE(window_call.frame.start, bound_of(frame->start));
    if (frame->end) {
      ARROW_ASSIGN_OR_RAISE(window_call.frame.end, bound_of(*frame->end));
    } else {
      window_call.frame.end = {plan::FrameBound::Kind::kCurrentRow, 0};
    }
  } else if (order_by.empty()) {
    window_call.frame.unit = plan::FrameUnit::kRows;
    window_call.frame.start = {plan::FrameBound::Kind::kUnboundedPreceding, 0};
    window_call.frame.end = {plan::FrameBound::Kind::kUnboundedFollowing, 0};
  }

  ARROW_ASSIGN_OR_RAISE(auto input, Project(relation->node, exprs, names));
  std::string result = NewField(ToString(call));
  arrow::FieldVector fields = input->schema->fields();
  fields.push_back(arrow::field(result, window_call.result_type));
  node->calls.push_back(std::move(window_call));
  node->schema = arrow::schema(fields);
  node->inputs = {input};
  relation->node = node;
  (*substitutions)[&call] = result;
  return arrow::Status::OK();
}

}  // namespace tidelake::sql
