// Subqueries become joins: [NOT] EXISTS and [NOT] IN (subquery) in a WHERE/HAVING conjunct are
// semi/anti joins whose keys come from the subquery's correlated equality conditions; an
// uncorrelated scalar subquery is left-joined (one row) and read as a column. NOT IN follows
// SQL's null rules: no row qualifies when the subquery yields a NULL, and a NULL operand only
// qualifies when the subquery is empty.
#include "sql/ast_printer.h"
#include "sql/binder_impl.h"

namespace tidelake::sql {

bool ReferencesOuter(const Expr& expr, const Scope& inner) {
  bool outer = false;
  VisitExpr(expr, [&](const Expr& e) {
    if (e.kind == ExprKind::kColumnRef) {
      auto resolved = ResolveColumn(inner, e.As<ColumnRefExpr>().parts);
      if (resolved.ok() && resolved->depth > 0) outer = true;
    }
    return !outer;
  });
  return outer;
}

namespace {

bool IsSimpleSelect(const Query& query) {
  if (!query.with.empty() || !query.order_by.empty() || query.limit || query.offset) return false;
  if (query.body->kind != QueryBodyKind::kSelect) return false;
  const auto& select = query.body->As<SelectBody>();
  if (select.group_by || select.having || select.distinct || select.qualify || !select.windows.empty() ||
      select.from == nullptr) {
    return false;
  }
  for (const auto& item : select.items) {
    bool aggregate = false;
    VisitExpr(*item.expr, [&](const Expr& e) {
      if (e.kind == ExprKind::kFunctionCall) {
        const auto& call = e.As<FunctionCallExpr>();
        std::string name;
        for (const auto& p : call.name) name += p;
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (call.over || plan::IsAggregateFunction(name)) aggregate = true;
      }
      return !aggregate;
    });
    if (aggregate) return false;
  }
  return true;
}

}  // namespace

arrow::Status Binder::Impl::ApplyCondition(const Expr& condition, BoundRelation* relation, ExprContext ctx) {
  std::vector<const Expr*> residual;
  for (const Expr* conjunct : Conjuncts(condition)) {
    const Expr* e = conjunct;
    bool negated = false;
    while (e->kind == ExprKind::kUnary && e->As<UnaryExpr>().op == UnaryOp::kNot) {
      negated = !negated;
      e = e->As<UnaryExpr>().operand.get();
    }
    if (e->kind == ExprKind::kExists) {
      const auto& exists = e->As<ExistsExpr>();
      ARROW_RETURN_NOT_OK(At(e->pos, JoinSubquery(*exists.query, nullptr, negated != exists.negated, relation, ctx)));
      continue;
    }
    if (e->kind == ExprKind::kInSubquery) {
      const auto& in = e->As<InSubqueryExpr>();
      ARROW_RETURN_NOT_OK(At(e->pos, JoinSubquery(*in.query, in.operand.get(), negated != in.negated, relation, ctx)));
      continue;
    }
    residual.push_back(conjunct);
  }
  if (residual.empty()) return arrow::Status::OK();
  std::vector<cp::Expression> parts;
  for (const Expr* conjunct : residual) {
    ctx.input = relation->node->schema;
    ARROW_ASSIGN_OR_RAISE(auto bound, Bind(*conjunct, ctx));
    ARROW_ASSIGN_OR_RAISE(bound, At(conjunct->pos, plan::ImplicitCastTo(bound, arrow::boolean(), *relation->node->schema)));
    parts.push_back(std::move(bound));
  }
  ARROW_ASSIGN_OR_RAISE(relation->node, Filter(relation->node, cp::and_(parts)));
  return arrow::Status::OK();
}

arrow::Status Binder::Impl::JoinSubquery(const Query& query, const Expr* operand, bool anti, BoundRelation* relation,
                                         ExprContext ctx) {
  const Scope* outer_scope = ctx.after_aggregation ? nullptr : &relation->scope;
  BoundRelation sub;
  std::vector<const Expr*> correlated;
  std::optional<cp::Expression> item;  // IN: the subquery's value, over `sub`
  if (IsSimpleSelect(query)) {
    // SELECT .. FROM .. WHERE ..: the correlated conjuncts of WHERE become join conditions.
    const auto& select = query.body->As<SelectBody>();
    ARROW_ASSIGN_OR_RAISE(sub, BindRelation(*select.from, outer_scope, ctx.ctes));
    sub.scope.outer = outer_scope;
    if (select.where) {
      std::vector<const Expr*> local;
      for (const Expr* c : Conjuncts(*select.where)) {
        (ReferencesOuter(*c, sub.scope) ? correlated : local).push_back(c);
      }
      for (const Expr* c : local) {
        ExprContext inner;
        inner.scope = &sub.scope;
        inner.input = sub.node->schema;
        inner.subquery_target = &sub;
        inner.ctes = ctx.ctes;
        inner.clause = "WHERE";
        ARROW_RETURN_NOT_OK(ApplyCondition(*c, &sub, inner));
      }
    }
    if (operand) {
      if (select.items.size() != 1 || select.items[0].expr->kind == ExprKind::kStar) {
        return arrow::Status::Invalid("the subquery of IN must return exactly one column");
      }
      ExprContext inner;
      inner.scope = &sub.scope;
      inner.input = sub.node->schema;
      inner.ctes = ctx.ctes;
      inner.clause = "the select list";
      ARROW_ASSIGN_OR_RAISE(item, Bind(*select.items[0].expr, inner));
    }
  } else {
    ARROW_ASSIGN_OR_RAISE(sub, BindQuery(query, outer_scope, ctx.ctes));
    if (operand) {
      if (sub.scope.columns.size() != 1) {
        return arrow::Status::Invalid("the subquery of IN must return exactly one column, not ", sub.scope.columns.size());
      }
      ARROW_ASSIGN_OR_RAISE(item, cp::field_ref(sub.scope.columns[0].field).Bind(*sub.node->schema));
    }
  }

  ARROW_ASSIGN_OR_RAISE(auto conditions, SplitJoinCondition(correlated, *relation, sub, outer_scope, ctx.ctes,
                                                             /*inner_shadows=*/true));
  std::optional<cp::Expression> value;
  if (operand) {
    ctx.input = relation->node->schema;
    ARROW_ASSIGN_OR_RAISE(auto bound, Bind(*operand, ctx));
    ARROW_ASSIGN_OR_RAISE(auto type, plan::CommonType(*bound.type(), *item->type()));
    ARROW_ASSIGN_OR_RAISE(bound, plan::ImplicitCastTo(bound, type, *relation->node->schema));
    ARROW_ASSIGN_OR_RAISE(item, plan::ImplicitCastTo(*item, type, *sub.node->schema));
    value = bound;
    conditions.push_back({bound, *item, false});
  }

  Scope scope = relation->scope;
  if (anti && operand) {
    if (!correlated.empty()) {
      return arrow::Status::NotImplemented("NOT IN with a correlated subquery; write NOT EXISTS instead");
    }
    // Null-aware NOT IN: count the subquery's rows and its non-null values once, pair them
    // with every row, anti-join on the value, then keep rows only as SQL's rules allow.
    std::string value_field = NewField("in_value");
    ARROW_ASSIGN_OR_RAISE(auto with_value, (Project(sub.node, {*item}, {value_field})));
    auto stats = std::make_shared<plan::AggregateNode>();
    ARROW_ASSIGN_OR_RAISE(auto count_rows, (plan::BindAggregate("count", {}, {}, false)));
    ARROW_ASSIGN_OR_RAISE(auto count_values, (plan::BindAggregate("count", {item->type()->GetSharedPtr()}, {nullptr}, false)));
    count_values.args = {value_field};
    std::string rows_field = NewField("subquery_rows"), values_field = NewField("subquery_values");
    stats->aggregates = {count_rows, count_values};
    stats->schema = arrow::schema({arrow::field(rows_field, arrow::int64()), arrow::field(values_field, arrow::int64())});
    stats->inputs = {with_value};
    BoundRelation stats_relation{stats, {}};
    ARROW_ASSIGN_OR_RAISE(auto paired, (MakeJoin(*relation, stats_relation, plan::JoinType::kCross, {})));
    ARROW_ASSIGN_OR_RAISE(auto kept, MakeJoin(std::move(paired), sub, plan::JoinType::kLeftAnti, std::move(conditions)));
    cp::Expression empty = cp::equal(cp::field_ref(rows_field), cp::literal(int64_t{0}));
    cp::Expression no_nulls = cp::and_(cp::equal(cp::field_ref(rows_field), cp::field_ref(values_field)),
                                       cp::not_(cp::is_null(*value)));
    ARROW_ASSIGN_OR_RAISE(relation->node, Filter(kept.node, cp::or_(empty, no_nulls)));
    relation->scope = std::move(scope);
    return arrow::Status::OK();
  }
  ARROW_ASSIGN_OR_RAISE(auto joined, MakeJoin(*relation, std::move(sub),
                                              anti ? plan::JoinType::kLeftAnti : plan::JoinType::kLeftSemi,
                                              std::move(conditions)));
  relation->node = joined.node;
  relation->scope = std::move(scope);
  return arrow::Status::OK();
}

arrow::Result<cp::Expression> Binder::Impl::BindScalarSubquery(const ScalarSubqueryExpr& subquery, ExprContext& ctx) {
  if (ctx.subquery_target == nullptr) {
    return arrow::Status::NotImplemented("a scalar subquery is not supported in ", ctx.clause);
  }
  BoundRelation* target = ctx.subquery_target;
  const Query& query = *subquery.query;
  BoundRelation sub;
  Correlation correlation;
  bool plain_select = query.with.empty() && query.order_by.empty() && !query.limit && !query.offset &&
                      query.body->kind == QueryBodyKind::kSelect;
  if (plain_select) {
    ARROW_ASSIGN_OR_RAISE(sub, BindSelect(query.body->As<SelectBody>(), &target->scope, ctx.ctes, nullptr, nullptr,
                                          &correlation));
  } else {
    ARROW_ASSIGN_OR_RAISE(sub, BindQuery(query, &target->scope, ctx.ctes));
  }
  if (sub.scope.columns.size() != 1) {
    return arrow::Status::Invalid("a scalar subquery must return one column, not ", sub.scope.columns.size());
  }
  std::string field = sub.scope.columns[0].field;
  Scope scope = target->scope;
  if (correlation.outer_sides.empty()) {
    // Uncorrelated: a left join without keys gives every row the single value (NULL when empty).
    ARROW_ASSIGN_OR_RAISE(auto joined, (MakeJoin(*target, std::move(sub), plan::JoinType::kLeft, {})));
    target->node = joined.node;
    target->scope = std::move(scope);
    ctx.input = target->node->schema;
    return cp::field_ref(field).Bind(*target->node->schema);
  }
  // Correlated: the subquery was grouped by its correlation keys; each row gets the value of
  // its keys' group, or the value over no rows when it has none.
  std::vector<JoinCondition> conditions;
  ExprContext outer_ctx;
  outer_ctx.scope = &target->scope;
  outer_ctx.input = target->node->schema;
  outer_ctx.ctes = ctx.ctes;
  outer_ctx.clause = "a subquery's correlated condition";
  for (size_t i = 0; i < correlation.outer_sides.size(); ++i) {
    const Expr& outer_side = *correlation.outer_sides[i];
    ARROW_ASSIGN_OR_RAISE(auto left, Bind(outer_side, outer_ctx));
    ARROW_ASSIGN_OR_RAISE(auto right, cp::field_ref(correlation.key_fields[i]).Bind(*sub.node->schema));
    ARROW_ASSIGN_OR_RAISE(auto type, At(outer_side.pos, plan::CommonType(*left.type(), *right.type())));
    ARROW_ASSIGN_OR_RAISE(left, At(outer_side.pos, plan::ImplicitCastTo(left, type, *target->node->schema)));
    ARROW_ASSIGN_OR_RAISE(right, At(outer_side.pos, plan::ImplicitCastTo(right, type, *sub.node->schema)));
    conditions.push_back({left, right, false});
  }
  ARROW_ASSIGN_OR_RAISE(auto joined, (MakeJoin(*target, std::move(sub), plan::JoinType::kLeft, std::move(conditions))));
  target->node = joined.node;
  target->scope = std::move(scope);
  ctx.input = target->node->schema;
  ARROW_ASSIGN_OR_RAISE(auto value, cp::field_ref(field).Bind(*target->node->schema));
  if (correlation.empty_value == nullptr) return value;
  // A key that is NULL after the join marks an outer row without a group (the join keys
  // compare with '=', so a matched key is never NULL).
  ARROW_ASSIGN_OR_RAISE(auto matched, cp::field_ref(correlation.key_fields[0]).Bind(*target->node->schema));
  return cp::call("if_else", {cp::is_null(matched), cp::literal(correlation.empty_value), value})
      .Bind(*target->node->schema);
}

}  // namespace tidelake::sql
