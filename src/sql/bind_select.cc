// Binding one SELECT block, in Spark's logical order: FROM, WHERE, GROUP BY + aggregates,
// HAVING, window functions, QUALIFY, the select list, DISTINCT, ORDER BY.
#include <cctype>

#include "sql/ast_printer.h"
#include "sql/binder_impl.h"

namespace tidelake::sql {

namespace {

bool IsAggregate(const Expr& e) {
  return e.kind == ExprKind::kFunctionCall && e.As<FunctionCallExpr>().over == nullptr &&
         plan::IsAggregateFunction(FunctionName(e.As<FunctionCallExpr>()));
}

bool IsWindow(const Expr& e) { return e.kind == ExprKind::kFunctionCall && e.As<FunctionCallExpr>().over != nullptr; }

// Aggregate calls in `expr`, outermost first (an aggregate's own arguments are not searched).
void CollectAggregates(const Expr& expr, std::vector<const FunctionCallExpr*>* out) {
  VisitExpr(expr, [&](const Expr& e) {
    if (IsAggregate(e)) {
      out->push_back(&e.As<FunctionCallExpr>());
      return false;
    }
    return true;
  });
}

void CollectWindows(const Expr& expr, std::vector<const FunctionCallExpr*>* out) {
  VisitExpr(expr, [&](const Expr& e) {
    if (IsWindow(e)) {
      out->push_back(&e.As<FunctionCallExpr>());
      return false;
    }
    return true;
  });
}

std::optional<int64_t> Ordinal(const Expr& e) {
  if (e.kind != ExprKind::kLiteral) return std::nullopt;
  const auto& literal = e.As<LiteralExpr>();
  if (literal.literal_kind != LiteralKind::kInteger) return std::nullopt;
  return literal.int_value;
}

// A select item's output column.
struct OutputColumn {
  std::string name;
  std::string field;
  cp::Expression expr;
};

// True when every column `expr` names resolves outside `inner` (and it names at least one).
bool OnlyOuter(const Expr& expr, const Scope& inner) {
  bool any = false, all_outer = true;
  VisitExpr(expr, [&](const Expr& e) {
    if (e.kind == ExprKind::kColumnRef) {
      any = true;
      auto resolved = ResolveColumn(inner, e.As<ColumnRefExpr>().parts);
      if (!resolved.ok() || resolved->depth != 1) all_outer = false;
    }
    return true;
  });
  return any && all_outer;
}

// Splits a correlated condition `inner_side = outer_side` (either order) into its sides.
arrow::Result<std::pair<const Expr*, const Expr*>> CorrelatedEquality(const Expr& condition, const Scope& inner) {
  if (condition.kind == ExprKind::kBinary && condition.As<BinaryExpr>().op == BinaryOp::kEq) {
    const auto& eq = condition.As<BinaryExpr>();
    if (!ReferencesOuter(*eq.left, inner) && OnlyOuter(*eq.right, inner)) {
      return std::pair<const Expr*, const Expr*>{eq.left.get(), eq.right.get()};
    }
    if (!ReferencesOuter(*eq.right, inner) && OnlyOuter(*eq.left, inner)) {
      return std::pair<const Expr*, const Expr*>{eq.right.get(), eq.left.get()};
    }
  }
  return At(condition.pos, arrow::Status::NotImplemented(
                               "a correlated scalar subquery may refer to the outer query only in equality "
                               "conditions of its WHERE clause (inner = outer), not in ",
                               ToString(condition)));
}

// The value of `expr` (over the output of `aggregate`) when the aggregation saw no rows:
// counts are 0, every other aggregate NULL.
arrow::Result<std::shared_ptr<arrow::Scalar>> ValueOverNoRows(const cp::Expression& expr,
                                                              const plan::AggregateNode& aggregate) {
  const auto& schema = *aggregate.schema;
  std::vector<arrow::Datum> values;
  size_t first_aggregate = aggregate.keys.size();
  for (int i = 0; i < schema.num_fields(); ++i) {
    const auto& type = schema.field(i)->type();
    size_t a = static_cast<size_t>(i) - first_aggregate;
    bool counts = static_cast<size_t>(i) >= first_aggregate && a < aggregate.aggregates.size() &&
                  aggregate.aggregates[a].function.rfind("hash_count", 0) == 0;
    if (counts) {
      ARROW_ASSIGN_OR_RAISE(auto zero, arrow::MakeScalar(int64_t{0})->CastTo(type));
      values.emplace_back(zero);
    } else {
      values.emplace_back(arrow::MakeNullScalar(type));
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto result, cp::ExecuteScalarExpression(expr, cp::ExecBatch(values, 1)));
  if (!result.is_scalar()) return arrow::Status::Invalid("a subquery's value is not a scalar");
  if (!result.scalar()->is_valid) return nullptr;
  return result.scalar();
}

plan::SortKey MakeSortKey(const std::string& field, const OrderItem& item) {
  plan::SortKey key;
  key.field = field;
  key.ascending = item.direction != SortDirection::kDescending;
  key.nulls_first = item.nulls == NullOrder::kDefault ? key.ascending : item.nulls == NullOrder::kNullsFirst;
  return key;
}

}  // namespace

arrow::Result<BoundRelation> Binder::Impl::BindSelect(const SelectBody& select, const Scope* outer,
                                                      const CteScope* ctes, const std::vector<OrderItem>* order_by,
                                                      bool* ordered, Correlation* correlation) {
  // ---- FROM
  BoundRelation rel;
  if (select.from) {
    ARROW_ASSIGN_OR_RAISE(rel, BindRelation(*select.from, outer, ctes));
  } else {
    auto values = std::make_shared<plan::ValuesNode>();
    values->schema = arrow::schema({});
    values->rows = arrow::Table::Make(values->schema, std::vector<std::shared_ptr<arrow::ChunkedArray>>{}, 1);
    rel.node = values;
  }
  rel.scope.outer = outer;
  auto base_ctx = [&](std::string_view clause) {
    ExprContext ctx;
    ctx.scope = &rel.scope;
    ctx.input = rel.node->schema;
    ctx.subquery_target = &rel;
    ctx.ctes = ctes;
    ctx.clause = clause;
    return ctx;
  };

  // ---- WHERE (a correlated subquery's conditions on the outer query are pulled out)
  std::vector<const Expr*> correlated_keys;  // inner sides of the pulled-out equalities
  if (select.where && correlation) {
    for (const Expr* c : Conjuncts(*select.where)) {
      if (!ReferencesOuter(*c, rel.scope)) {
        ARROW_RETURN_NOT_OK(ApplyCondition(*c, &rel, base_ctx("WHERE")));
        continue;
      }
      ARROW_ASSIGN_OR_RAISE(auto sides, CorrelatedEquality(*c, rel.scope));
      correlated_keys.push_back(sides.first);
      correlation->outer_sides.push_back(sides.second);
    }
  } else if (select.where) {
    ARROW_RETURN_NOT_OK(ApplyCondition(*select.where, &rel, base_ctx("WHERE")));
  }

  // ---- GROUP BY and aggregates
  std::vector<const FunctionCallExpr*> aggregates;
  for (const auto& item : select.items) {
    if (item.expr->kind != ExprKind::kStar) CollectAggregates(*item.expr, &aggregates);
  }
  if (select.having) CollectAggregates(*select.having, &aggregates);
  if (select.qualify) CollectAggregates(*select.qualify, &aggregates);
  if (order_by) {
    for (const auto& o : *order_by) CollectAggregates(*o.expr, &aggregates);
  }
  bool aggregated = select.group_by.has_value() || !aggregates.empty() || select.having;
  if (correlation && !correlated_keys.empty()) {
    // Spark's rule too: grouped once per outer key, the subquery yields one value per key.
    const Expr* first = select.items.empty() ? nullptr : select.items[0].expr.get();
    SourcePos pos = first ? first->pos : select.pos;
    if (!aggregated) {
      return At(pos, arrow::Status::Invalid("a correlated scalar subquery must be aggregated (e.g. max(",
                                            first ? ToString(*first) : "...", ")) so that it returns one row"));
    }
    if (select.group_by || select.having || select.qualify || select.distinct) {
      return At(pos, arrow::Status::NotImplemented(
                         "GROUP BY, HAVING, QUALIFY or DISTINCT in a correlated scalar subquery"));
    }
  }

  std::unordered_map<const Expr*, std::string> substitutions;
  std::vector<GroupKey> group_keys;
  Scope pre_scope;
  std::shared_ptr<arrow::Schema> pre_input;
  std::vector<int> correlated_key_indices;  // group key of each correlated condition
  // GROUP BY window(...): the hidden columns it groups by, as column references owned here.
  std::unordered_map<const Expr*, std::vector<const Expr*>> window_keys;
  std::vector<std::unique_ptr<ColumnRefExpr>> window_refs;
  std::optional<GroupWindow> group_window;
  const FunctionCallExpr* group_window_call = nullptr;  // its GROUP BY call
  std::vector<CompositeKey> composite_keys;
  std::string event_time = rel.scope.event_time;  // the field of the output's event time
  if (aggregated) {
    // Key expressions: GROUP BY ALL, ordinals and select aliases resolve to select items.
    std::vector<const Expr*> key_exprs;
    std::vector<std::vector<int>> sets;
    auto key_index = [&](const Expr* e) {
      std::string text = ToString(*e);
      for (size_t i = 0; i < key_exprs.size(); ++i) {
        if (ToString(*key_exprs[i]) == text) return static_cast<int>(i);
      }
      key_exprs.push_back(e);
      return static_cast<int>(key_exprs.size() - 1);
    };
    auto resolve_key = [&](const Expr* e) -> arrow::Result<const Expr*> {
      if (auto ordinal = Ordinal(*e)) {
        if (*ordinal < 1 || *ordinal > static_cast<int64_t>(select.items.size())) {
          return At(e->pos, arrow::Status::Invalid("GROUP BY position ", *ordinal, " is not in the select list (1..",
                                                   select.items.size(), ")"));
        }
        return select.items[static_cast<size_t>(*ordinal - 1)].expr.get();
      }
      if (e->kind == ExprKind::kColumnRef && e->As<ColumnRefExpr>().parts.size() == 1 &&
          !ResolveColumn(rel.scope, e->As<ColumnRefExpr>().parts).ok()) {
        for (const auto& item : select.items) {
          if (!item.alias.empty() && NamesEqual(item.alias, e->As<ColumnRefExpr>().parts[0])) return item.expr.get();
        }
      }
      return e;
    };
    for (const Expr* e : correlated_keys) correlated_key_indices.push_back(key_index(e));
    // An event-time window among the keys (window(ts, '5 minutes'), TumblingWindow(minute, 5)):
    // its rows are assigned to windows first, and it groups by the window.
    if (select.group_by) {
      std::vector<const Expr*> plain_keys;
      for (const auto& element : select.group_by->elements) {
        if (element.kind == GroupingKind::kExpr && element.sets.size() == 1 && element.sets[0].size() == 1) {
          plain_keys.push_back(element.sets[0][0].get());
        }
      }
      for (const Expr* key : plain_keys) {
        if (key->kind != ExprKind::kFunctionCall) continue;
        std::vector<const Expr*> others;
        for (const Expr* other : plain_keys) {
          if (other != key) others.push_back(other);
        }
        ARROW_ASSIGN_OR_RAISE(auto window, BindGroupWindow(key->As<FunctionCallExpr>(), others, &rel));
        if (!window) continue;
        if (group_window) {
          return At(key->pos, arrow::Status::Invalid("a GROUP BY can have one event-time window, not two"));
        }
        for (const auto& name : window->keys) {
          auto ref = std::make_unique<ColumnRefExpr>();
          ref->pos = key->pos;
          ref->parts = {name};
          window_keys[key].push_back(ref.get());
          window_refs.push_back(std::move(ref));
        }
        group_window = std::move(window);
        group_window_call = &key->As<FunctionCallExpr>();
      }
    }
    if (select.group_by) {
      if (select.group_by->all) {
        for (const auto& item : select.items) {
          std::vector<const FunctionCallExpr*> inner;
          CollectAggregates(*item.expr, &inner);
          if (inner.empty() && item.expr->kind != ExprKind::kStar) key_index(item.expr.get());
        }
      }
      bool has_sets = false;
      std::vector<std::vector<std::vector<int>>> per_element;  // each element's sets
      for (const auto& element : select.group_by->elements) {
        std::vector<std::vector<int>> element_sets;
        std::vector<std::vector<int>> groups;  // argument groups as key indices
        for (const auto& group : element.sets) {
          std::vector<int> indices;
          for (const auto& e : group) {
            if (auto it = window_keys.find(e.get()); it != window_keys.end()) {
              for (const Expr* ref : it->second) indices.push_back(key_index(ref));
              continue;
            }
            ARROW_ASSIGN_OR_RAISE(const Expr* resolved, resolve_key(e.get()));
            indices.push_back(key_index(resolved));
          }
          groups.push_back(indices);
        }
        switch (element.kind) {
          case GroupingKind::kExpr:
            element_sets = {groups.empty() ? std::vector<int>{} : groups[0]};
            break;
          case GroupingKind::kGroupingSets:
            has_sets = true;
            element_sets = groups;
            break;
          case GroupingKind::kRollup: {
            has_sets = true;
            for (size_t n = groups.size() + 1; n-- > 0;) {
              std::vector<int> set;
              for (size_t i = 0; i < n; ++i) set.insert(set.end(), groups[i].begin(), groups[i].end());
              element_sets.push_back(set);
            }
            break;
          }
          case GroupingKind::kCube: {
            has_sets = true;
            size_t n = groups.size();
            if (n > 12) return At(element.pos, arrow::Status::Invalid("CUBE of more than 12 columns"));
            for (size_t mask = (size_t{1} << n); mask-- > 0;) {
              std::vector<int> set;
              for (size_t i = 0; i < n; ++i) {
                if (mask & (size_t{1} << (n - 1 - i))) set.insert(set.end(), groups[i].begin(), groups[i].end());
              }
              element_sets.push_back(set);
            }
            break;
          }
        }
        per_element.push_back(element_sets);
      }
      if (has_sets) {
        // The cross product of the elements' sets.
        sets = {{}};
        for (const auto& element_sets : per_element) {
          std::vector<std::vector<int>> next;
          for (const auto& prefix : sets) {
            for (const auto& s : element_sets) {
              auto combined = prefix;
              combined.insert(combined.end(), s.begin(), s.end());
              next.push_back(combined);
            }
          }
          sets = std::move(next);
        }
      }
    }

    // The pre-aggregation projection: keys, then aggregate arguments.
    ExprContext ctx = base_ctx("GROUP BY");
    ctx.subquery_target = nullptr;
    std::vector<cp::Expression> exprs;
    std::vector<std::string> names;
    for (const Expr* e : key_exprs) {
      ARROW_ASSIGN_OR_RAISE(auto bound, Bind(*e, ctx));
      std::string field = NewField(DerivedName(*e));
      group_keys.push_back({bound, field});
      exprs.push_back(bound);
      names.push_back(field);
    }
    auto node = std::make_shared<plan::AggregateNode>();
    for (const auto& key : group_keys) node->keys.push_back(key.field);
    node->grouping_sets = sets;
    arrow::FieldVector out_fields;
    for (const auto& key : group_keys) {
      out_fields.push_back(arrow::field(key.field, key.bound.type()->GetSharedPtr(), /*nullable=*/true));
    }
    ExprContext arg_ctx = base_ctx("an aggregate function's argument");
    arg_ctx.subquery_target = nullptr;
    for (const FunctionCallExpr* call : aggregates) {
      std::string name = FunctionName(*call);
      std::vector<arrow::TypeHolder> types;
      std::vector<std::shared_ptr<arrow::Scalar>> literals;
      std::vector<cp::Expression> projected;
      std::optional<cp::Expression> filter;
      if (call->filter) {
        ARROW_ASSIGN_OR_RAISE(auto f, Bind(*call->filter, arg_ctx));
        ARROW_ASSIGN_OR_RAISE(f, At(call->filter->pos, plan::ImplicitCastTo(f, arrow::boolean(), *rel.node->schema)));
        filter = f;
      }
      for (const auto& arg : call->args) {
        if (arg->kind == ExprKind::kStar) continue;  // count(*)
        std::vector<const FunctionCallExpr*> nested;
        CollectAggregates(*arg, &nested);
        if (!nested.empty()) {
          return At(arg->pos, arrow::Status::Invalid("aggregate functions cannot be nested: ", ToString(*call)));
        }
        ARROW_ASSIGN_OR_RAISE(auto bound, Bind(*arg, arg_ctx));
        types.push_back(bound.type()->GetSharedPtr());
        if (bound.literal() != nullptr && bound.literal()->is_scalar() && !projected.empty()) {
          literals.push_back(bound.literal()->scalar());
          continue;
        }
        literals.push_back(nullptr);
        projected.push_back(bound);
      }
      if (filter && projected.empty()) projected.push_back(cp::literal(int64_t{1}));  // count(*) FILTER
      // Arguments are cast to the types the aggregate computes in (e.g. avg of a decimal).
      ARROW_ASSIGN_OR_RAISE(auto arg_types, At(call->pos, plan::AggregateArgumentTypes(name, types, call->distinct)));
      for (size_t i = 0, p = 0; i < literals.size(); ++i) {
        if (literals[i]) continue;
        ARROW_ASSIGN_OR_RAISE(projected[p], At(call->pos, plan::ImplicitCastTo(projected[p], arg_types[i], *rel.node->schema)));
        types[i] = arg_types[i];
        ++p;
      }
      ARROW_ASSIGN_OR_RAISE(auto aggregate,
                            At(call->pos, plan::BindAggregate(name, types, literals, call->distinct)));
      for (auto& p : projected) {
        if (filter) {
          ARROW_ASSIGN_OR_RAISE(p, cp::call("if_else", {*filter, p, cp::literal(arrow::MakeNullScalar(p.type()->GetSharedPtr()))})
                                       .Bind(*rel.node->schema));
        }
        std::string field = NewField("arg");
        exprs.push_back(p);
        names.push_back(field);
        aggregate.args.push_back(field);
      }
      if (filter && aggregate.function == "hash_count_all") aggregate.function = "hash_count";
      std::string field = NewField(DerivedName(*call));
      substitutions[call] = field;
      out_fields.push_back(arrow::field(field, aggregate.result_type));
      node->aggregates.push_back(std::move(aggregate));
    }
    if (!sets.empty()) out_fields.push_back(arrow::field(NewField("grouping_id"), arrow::int64(), false));
    ARROW_ASSIGN_OR_RAISE(auto pre, Project(rel.node, exprs, names));
    node->inputs = {pre};
    node->schema = arrow::schema(out_fields);
    pre_scope = rel.scope;
    pre_input = rel.node->schema;
    rel.node = node;
    // After aggregation the event time is the group key holding it (a window's end), if any.
    std::string grouped_time;
    event_time = rel.scope.event_time;
    if (!event_time.empty()) {
      ARROW_ASSIGN_OR_RAISE(auto time, cp::field_ref(event_time).Bind(*pre_input));
      for (const auto& key : group_keys) {
        if (key.bound.Equals(time)) grouped_time = key.field;
      }
    }
    event_time = grouped_time;
    // Spark's window struct, rebuilt from the grouped start and end.
    if (group_window && !group_window->struct_field.empty()) {
      std::vector<cp::Expression> parts;
      for (const auto& name : group_window->keys) {
        ARROW_ASSIGN_OR_RAISE(auto resolved, ResolveColumn(pre_scope, {name}));
        ARROW_ASSIGN_OR_RAISE(auto before, cp::field_ref(resolved.column->field).Bind(*pre_input));
        for (const auto& key : group_keys) {
          if (key.bound.Equals(before)) parts.push_back(cp::field_ref(key.field));
        }
      }
      if (parts.size() != 2) return arrow::Status::Invalid("internal error: the window's start and end are not grouped");
      ARROW_ASSIGN_OR_RAISE(auto before, cp::field_ref(group_window->struct_field).Bind(*pre_input));
      ARROW_ASSIGN_OR_RAISE(auto after, cp::call("make_struct", parts, cp::MakeStructOptions({"start", "end"}))
                                            .Bind(*rel.node->schema));
      composite_keys.push_back({before, after, group_window_call});
    }
  }
  std::vector<std::pair<std::string, const Expr*>> aliases;
  for (const auto& item : select.items) {
    if (!item.alias.empty()) aliases.emplace_back(item.alias, item.expr.get());
  }
  auto output_ctx = [&](std::string_view clause) {
    ExprContext ctx = base_ctx(clause);
    if (clause == "HAVING" || clause == "QUALIFY") ctx.select_aliases = &aliases;
    ctx.input = rel.node->schema;
    ctx.substitutions = &substitutions;
    if (aggregated) {
      ctx.after_aggregation = true;
      ctx.pre_aggregation_scope = &pre_scope;
      ctx.pre_aggregation_input = pre_input;
      ctx.group_keys = &group_keys;
      ctx.composite_keys = &composite_keys;
    }
    return ctx;
  };

  // ---- HAVING
  if (select.having) ARROW_RETURN_NOT_OK(ApplyCondition(*select.having, &rel, output_ctx("HAVING")));

  // ---- window functions
  std::vector<const FunctionCallExpr*> windows;
  for (const auto& item : select.items) {
    if (item.expr->kind != ExprKind::kStar) CollectWindows(*item.expr, &windows);
  }
  if (select.qualify) CollectWindows(*select.qualify, &windows);
  if (order_by) {
    for (const auto& o : *order_by) CollectWindows(*o.expr, &windows);
  }
  for (const FunctionCallExpr* call : windows) {
    ARROW_RETURN_NOT_OK(BindWindowCall(*call, select, &rel, output_ctx("a window function"), &substitutions));
  }

  // ---- QUALIFY
  if (select.qualify) {
    if (windows.empty()) return At(select.qualify->pos, arrow::Status::Invalid("QUALIFY needs a window function"));
    ARROW_RETURN_NOT_OK(ApplyCondition(*select.qualify, &rel, output_ctx("QUALIFY")));
  }

  // ---- the select list
  std::vector<OutputColumn> outputs;
  ExprContext item_ctx = output_ctx("the select list");
  for (const auto& item : select.items) {
    if (item.expr->kind == ExprKind::kStar) {
      if (aggregated) return At(item.pos, arrow::Status::Invalid("'*' cannot be used with GROUP BY or aggregates"));
      ARROW_ASSIGN_OR_RAISE(auto columns, At(item.pos, ExpandStar(rel.scope, item.expr->As<StarExpr>().qualifier)));
      for (const auto* c : columns) {
        ARROW_ASSIGN_OR_RAISE(auto e, cp::field_ref(c->field).Bind(*rel.node->schema));
        outputs.push_back({c->name, NewField(c->name), e});
      }
      continue;
    }
    item_ctx.input = rel.node->schema;
    ARROW_ASSIGN_OR_RAISE(auto e, Bind(*item.expr, item_ctx));
    std::string name = item.alias.empty() ? DerivedName(*item.expr) : item.alias;
    outputs.push_back({name, NewField(name), e});
  }

  // ---- ORDER BY: select aliases and ordinals, else expressions over the input (hidden columns)
  std::vector<plan::SortKey> sort_keys;
  std::vector<OutputColumn> hidden;
  if (order_by) {
    for (const auto& item : *order_by) {
      const Expr& e = *item.expr;
      std::optional<std::string> field;
      if (auto ordinal = Ordinal(e)) {
        if (*ordinal < 1 || *ordinal > static_cast<int64_t>(outputs.size())) {
          return At(e.pos, arrow::Status::Invalid("ORDER BY position ", *ordinal, " is not in the select list (1..",
                                                  outputs.size(), ")"));
        }
        field = outputs[static_cast<size_t>(*ordinal - 1)].field;
      } else if (e.kind == ExprKind::kColumnRef && e.As<ColumnRefExpr>().parts.size() == 1) {
        for (const auto& o : outputs) {
          if (NamesEqual(o.name, e.As<ColumnRefExpr>().parts[0])) {
            field = o.field;
            break;
          }
        }
      }
      if (!field) {
        item_ctx.input = rel.node->schema;
        ARROW_ASSIGN_OR_RAISE(auto bound, Bind(e, item_ctx));
        for (const auto& o : outputs) {
          if (o.expr.Equals(bound)) field = o.field;
        }
        if (!field) {
          if (select.distinct) {
            return At(e.pos, arrow::Status::Invalid("ORDER BY ", ToString(e),
                                                    " must be in the select list of a SELECT DISTINCT"));
          }
          field = NewField("sort");
          hidden.push_back({"", *field, bound});
        }
      }
      sort_keys.push_back(MakeSortKey(*field, item));
    }
  }

  // ---- a correlated subquery also outputs its correlation keys, after its value
  if (correlation && !correlated_keys.empty()) {
    const auto* aggregate = dynamic_cast<const plan::AggregateNode*>(rel.node.get());
    if (outputs.size() != 1 || aggregate == nullptr) {
      return At(select.pos, arrow::Status::Invalid("a scalar subquery must return one column, not ", outputs.size()));
    }
    ARROW_ASSIGN_OR_RAISE(correlation->empty_value, ValueOverNoRows(outputs[0].expr, *aggregate));
    for (int index : correlated_key_indices) {
      const auto& key = group_keys[static_cast<size_t>(index)];
      ARROW_ASSIGN_OR_RAISE(auto e, cp::field_ref(key.field).Bind(*rel.node->schema));
      std::string field = NewField("correlation_key");
      hidden.push_back({"", field, e});
      correlation->key_fields.push_back(field);
    }
  }

  std::vector<cp::Expression> exprs;
  std::vector<std::string> names;
  for (const auto& o : outputs) {
    exprs.push_back(o.expr);
    names.push_back(o.field);
  }
  for (const auto& h : hidden) {
    exprs.push_back(h.expr);
    names.push_back(h.field);
  }
  ARROW_ASSIGN_OR_RAISE(rel.node, Project(rel.node, exprs, names));
  Scope scope;
  scope.outer = outer;
  for (const auto& o : outputs) {
    scope.columns.push_back({{}, o.name, o.field, o.expr.type()->GetSharedPtr()});
    const auto* ref = o.expr.field_ref();
    if (scope.event_time.empty() && !event_time.empty() && ref && ref->name() && *ref->name() == event_time) {
      scope.event_time = o.field;
    }
  }
  if (select.distinct) {
    auto distinct = std::make_shared<plan::AggregateNode>();
    distinct->keys = names;
    distinct->schema = rel.node->schema;
    distinct->inputs = {rel.node};
    rel.node = distinct;
  }
  if (!sort_keys.empty()) {
    auto sort = std::make_shared<plan::SortNode>();
    sort->keys = sort_keys;
    sort->schema = rel.node->schema;
    sort->inputs = {rel.node};
    rel.node = sort;
    if (ordered) *ordered = true;
  }
  rel.scope = std::move(scope);
  return rel;
}

}  // namespace tidelake::sql
