// Binding whole queries: WITH, set operations, VALUES, ORDER BY / LIMIT / OFFSET; the
// Binder's public entry points; SQL type names.
#include <arrow/builder.h>

#include <cctype>

#include "sql/ast_printer.h"
#include "sql/binder_impl.h"

namespace tidelake::sql {

namespace {

// Drops columns the node computes but the scope does not show (hidden ORDER BY columns).
arrow::Result<BoundRelation> TrimToScope(Binder::Impl* binder, BoundRelation relation) {
  std::vector<cp::Expression> exprs;
  std::vector<std::string> names;
  for (const auto& c : relation.scope.columns) {
    exprs.push_back(cp::field_ref(c.field));
    names.push_back(c.field);
  }
  bool same = static_cast<int>(names.size()) == relation.node->schema->num_fields();
  for (size_t i = 0; same && i < names.size(); ++i) same = relation.node->schema->field(static_cast<int>(i))->name() == names[i];
  if (same) return relation;
  ARROW_ASSIGN_OR_RAISE(relation.node, binder->Project(relation.node, std::move(exprs), names));
  return relation;
}

}  // namespace

arrow::Result<plan::NodePtr> Binder::Impl::Project(const plan::NodePtr& input, std::vector<cp::Expression> exprs,
                                                   const std::vector<std::string>& names) {
  auto node = std::make_shared<plan::ProjectNode>();
  arrow::FieldVector fields;
  for (size_t i = 0; i < exprs.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(exprs[i], exprs[i].Bind(*input->schema));
    bool nullable = true;
    if (const auto* ref = exprs[i].field_ref(); ref && ref->name()) {
      auto field = input->schema->GetFieldByName(*ref->name());
      if (field) nullable = field->nullable();
    }
    fields.push_back(arrow::field(names[i], exprs[i].type()->GetSharedPtr(), nullable));
  }
  node->exprs = std::move(exprs);
  node->schema = arrow::schema(fields);
  node->inputs = {input};
  return node;
}

arrow::Result<plan::NodePtr> Binder::Impl::Filter(const plan::NodePtr& input, cp::Expression predicate) {
  auto node = std::make_shared<plan::FilterNode>();
  ARROW_ASSIGN_OR_RAISE(node->predicate, predicate.Bind(*input->schema));
  node->schema = input->schema;
  node->inputs = {input};
  return node;
}

arrow::Result<BoundRelation> Binder::Impl::BindQuery(const Query& query, const Scope* outer, const CteScope* ctes,
                                                     bool* ordered) {
  CteScope with;
  with.outer = ctes;
  for (const auto& cte : query.with) {
    std::string key = Lower(cte.name);
    if (with.ctes.count(key)) {
      return At(cte.pos, arrow::Status::Invalid("WITH defines '", cte.name, "' twice"));
    }
    with.ctes[key] = &cte;
  }
  const CteScope* scope = query.with.empty() ? ctes : &with;
  bool sorted = false;
  ARROW_ASSIGN_OR_RAISE(auto relation, BindBody(*query.body, outer, scope,
                                                query.order_by.empty() ? nullptr : &query.order_by, &sorted));
  if (query.limit || query.offset) {
    auto limit = std::make_shared<plan::LimitNode>();
    auto count = [&](const ExprPtr& e, const char* what) -> arrow::Result<int64_t> {
      ARROW_ASSIGN_OR_RAISE(auto value, EvaluateConstant(*e));
      auto as_int = value->CastTo(arrow::int64());
      if (!as_int.ok() || !(*as_int)->is_valid ||
          std::static_pointer_cast<arrow::Int64Scalar>(*as_int)->value < 0) {
        return At(e->pos, arrow::Status::Invalid(what, " needs a non-negative integer, got ", ToString(*e)));
      }
      return std::static_pointer_cast<arrow::Int64Scalar>(*as_int)->value;
    };
    if (query.limit) {
      ARROW_ASSIGN_OR_RAISE(limit->limit, count(query.limit, "LIMIT"));
    }
    if (query.offset) {
      ARROW_ASSIGN_OR_RAISE(limit->offset, count(query.offset, "OFFSET"));
    }
    limit->schema = relation.node->schema;
    limit->inputs = {relation.node};
    relation.node = limit;
  }
  ARROW_ASSIGN_OR_RAISE(relation, TrimToScope(this, std::move(relation)));
  if (ordered) *ordered = sorted;
  return relation;
}

arrow::Result<BoundRelation> Binder::Impl::BindBody(const QueryBody& body, const Scope* outer, const CteScope* ctes,
                                                    const std::vector<OrderItem>* order_by, bool* ordered) {
  switch (body.kind) {
    case QueryBodyKind::kSelect:
      return BindSelect(body.As<SelectBody>(), outer, ctes, order_by, ordered);
    case QueryBodyKind::kNested: {
      ARROW_ASSIGN_OR_RAISE(auto relation, BindQuery(*body.As<NestedQueryBody>().query, outer, ctes));
      if (order_by) return SortOutputs(std::move(relation), *order_by, ordered);
      return relation;
    }
    case QueryBodyKind::kValues: {
      ARROW_ASSIGN_OR_RAISE(auto relation, BindValues(body.As<ValuesBody>()));
      if (order_by) return SortOutputs(std::move(relation), *order_by, ordered);
      return relation;
    }
    case QueryBodyKind::kSetOperation:
      break;
  }
  const auto& setop = body.As<SetOperationBody>();
  ARROW_ASSIGN_OR_RAISE(auto left, BindBody(*setop.left, outer, ctes, nullptr, nullptr));
  ARROW_ASSIGN_OR_RAISE(left, TrimToScope(this, std::move(left)));
  ARROW_ASSIGN_OR_RAISE(auto right, BindBody(*setop.right, outer, ctes, nullptr, nullptr));
  ARROW_ASSIGN_OR_RAISE(right, TrimToScope(this, std::move(right)));
  const char* op_name = setop.op == SetOpKind::kUnion ? "UNION" : setop.op == SetOpKind::kIntersect ? "INTERSECT" : "EXCEPT";
  if (left.scope.columns.size() != right.scope.columns.size()) {
    return At(setop.pos, arrow::Status::Invalid(op_name, " needs the same number of columns on both sides (",
                                                left.scope.columns.size(), " vs ", right.scope.columns.size(), ")"));
  }
  // Both sides are cast to the common type of each column and renamed to fresh fields.
  std::vector<cp::Expression> left_exprs, right_exprs;
  std::vector<std::string> left_names, right_names;
  Scope scope;
  scope.outer = outer;
  for (size_t i = 0; i < left.scope.columns.size(); ++i) {
    const auto& l = left.scope.columns[i];
    const auto& r = right.scope.columns[i];
    auto type = plan::CommonType(*l.type, *r.type);
    if (!type.ok()) {
      return At(setop.pos, arrow::Status::Invalid(op_name, " column ", i + 1, " ('", l.name, "'): ", type.status().message()));
    }
    ARROW_ASSIGN_OR_RAISE(auto le, cp::field_ref(l.field).Bind(*left.node->schema));
    ARROW_ASSIGN_OR_RAISE(auto re, cp::field_ref(r.field).Bind(*right.node->schema));
    ARROW_ASSIGN_OR_RAISE(le, plan::ImplicitCastTo(le, *type, *left.node->schema));
    ARROW_ASSIGN_OR_RAISE(re, plan::ImplicitCastTo(re, *type, *right.node->schema));
    std::string field = NewField(l.name);
    left_exprs.push_back(le);
    right_exprs.push_back(re);
    left_names.push_back(field);
    right_names.push_back(NewField(l.name));
    scope.columns.push_back({{}, l.name, field, *type});
  }
  ARROW_ASSIGN_OR_RAISE(auto left_node, Project(left.node, left_exprs, left_names));
  ARROW_ASSIGN_OR_RAISE(auto right_node, Project(right.node, right_exprs, right_names));
  auto node = std::make_shared<plan::SetOperationNode>();
  node->op = setop.op == SetOpKind::kUnion       ? plan::SetOpKind::kUnion
             : setop.op == SetOpKind::kIntersect ? plan::SetOpKind::kIntersect
                                                 : plan::SetOpKind::kExcept;
  node->all = setop.all;
  arrow::FieldVector fields;
  for (int i = 0; i < left_node->schema->num_fields(); ++i) {
    bool nullable = left_node->schema->field(i)->nullable() || right_node->schema->field(i)->nullable();
    fields.push_back(left_node->schema->field(i)->WithNullable(nullable));
  }
  node->schema = arrow::schema(fields);
  node->inputs = {left_node, right_node};
  BoundRelation relation{node, std::move(scope)};
  if (order_by) return SortOutputs(std::move(relation), *order_by, ordered);
  return relation;
}

arrow::Result<BoundRelation> Binder::Impl::SortOutputs(BoundRelation relation, const std::vector<OrderItem>& order_by,
                                                       bool* ordered) {
  ExprContext ctx;
  ctx.scope = &relation.scope;
  ctx.input = relation.node->schema;
  ctx.clause = "ORDER BY";
  auto sort = std::make_shared<plan::SortNode>();
  for (const auto& item : order_by) {
    plan::SortKey key;
    const Expr& e = *item.expr;
    if (e.kind == ExprKind::kLiteral && e.As<LiteralExpr>().literal_kind == LiteralKind::kInteger) {
      int64_t ordinal = e.As<LiteralExpr>().int_value;
      if (ordinal < 1 || ordinal > static_cast<int64_t>(relation.scope.columns.size())) {
        return At(e.pos, arrow::Status::Invalid("ORDER BY position ", ordinal, " is not in the select list"));
      }
      key.field = relation.scope.columns[static_cast<size_t>(ordinal - 1)].field;
    } else {
      ARROW_ASSIGN_OR_RAISE(auto bound, Bind(e, ctx));
      const auto* ref = bound.field_ref();
      if (ref == nullptr || ref->name() == nullptr) {
        return At(e.pos, arrow::Status::Invalid("ORDER BY of a set operation or VALUES must name an output column"));
      }
      key.field = *ref->name();
    }
    key.ascending = item.direction != SortDirection::kDescending;
    key.nulls_first = item.nulls == NullOrder::kDefault ? key.ascending : item.nulls == NullOrder::kNullsFirst;
    sort->keys.push_back(key);
  }
  sort->schema = relation.node->schema;
  sort->inputs = {relation.node};
  relation.node = sort;
  if (ordered) *ordered = true;
  return relation;
}

arrow::Result<BoundRelation> Binder::Impl::BindValues(const ValuesBody& values) {
  Scope empty;
  ExprContext ctx;
  ctx.scope = &empty;
  ctx.input = arrow::schema({});
  ctx.clause = "VALUES";
  std::vector<std::vector<std::shared_ptr<arrow::Scalar>>> rows;
  size_t width = values.rows.front().size();
  std::vector<std::shared_ptr<arrow::DataType>> types(width, arrow::null());
  for (const auto& row : values.rows) {
    if (row.size() != width) {
      return At(row.front()->pos, arrow::Status::Invalid("VALUES rows must all have ", width, " values"));
    }
    std::vector<std::shared_ptr<arrow::Scalar>> scalars;
    for (size_t i = 0; i < width; ++i) {
      ARROW_ASSIGN_OR_RAISE(auto value, EvaluateConstant(*row[i]));
      ARROW_ASSIGN_OR_RAISE(types[i], At(row[i]->pos, plan::CommonType(*types[i], *value->type)));
      scalars.push_back(value);
    }
    rows.push_back(std::move(scalars));
  }
  arrow::FieldVector fields;
  arrow::ArrayVector columns;
  BoundRelation relation;
  for (size_t i = 0; i < width; ++i) {
    std::string name = "col" + std::to_string(i + 1);  // Spark's names for VALUES columns
    std::string field = NewField(name);
    std::unique_ptr<arrow::ArrayBuilder> builder;
    ARROW_RETURN_NOT_OK(arrow::MakeBuilder(arrow::default_memory_pool(), types[i], &builder));
    if (types[i]->id() == arrow::Type::NA) {
      // A column of NULLs only: Spark's VOID type.
      ARROW_RETURN_NOT_OK(builder->AppendNulls(static_cast<int64_t>(rows.size())));
    }
    for (const auto& row : rows) {
      if (types[i]->id() == arrow::Type::NA) break;
      auto cast = row[i]->type->Equals(*types[i]) ? arrow::Result<arrow::Datum>(arrow::Datum(row[i]))
                                                  : cp::Cast(arrow::Datum(row[i]), types[i]);
      if (!cast.ok()) return At(values.pos, arrow::Status::Invalid("VALUES column ", i + 1, ": ", cast.status().message()));
      ARROW_RETURN_NOT_OK(builder->AppendScalar(*cast->scalar()));
    }
    ARROW_ASSIGN_OR_RAISE(auto array, builder->Finish());
    columns.push_back(array);
    fields.push_back(arrow::field(field, types[i]));
    relation.scope.columns.push_back({{}, name, field, types[i]});
  }
  auto node = std::make_shared<plan::ValuesNode>();
  node->schema = arrow::schema(fields);
  node->rows = arrow::Table::Make(node->schema, columns, static_cast<int64_t>(rows.size()));
  relation.node = node;
  return relation;
}

arrow::Result<plan::PlanRoot> Binder::Impl::BindRoot(const Query& query) {
  bool ordered = false;
  ARROW_ASSIGN_OR_RAISE(auto relation, BindQuery(query, nullptr, nullptr, &ordered));
  plan::PlanRoot root;
  root.node = relation.node;
  root.ordered = ordered;
  for (const auto& c : relation.scope.columns) root.column_names.push_back(c.name);
  return root;
}

// ---- the public Binder

Binder::Binder(BinderCatalog* catalog, plan::FunctionContext functions)
    : impl_(std::make_unique<Impl>(catalog, functions)) {}
Binder::~Binder() = default;

arrow::Result<plan::PlanRoot> Binder::BindQuery(const Query& query) { return impl_->BindRoot(query); }

arrow::Result<arrow::compute::Expression> Binder::BindExpression(const Expr& expr, const BoundRelation& relation) {
  ExprContext ctx;
  ctx.scope = &relation.scope;
  ctx.input = relation.node->schema;
  ctx.clause = "this condition";
  return impl_->Bind(expr, ctx);
}

arrow::Result<BoundRelation> Binder::BindRelation(const Relation& relation) {
  return impl_->BindRelation(relation, nullptr, nullptr);
}

arrow::Result<plan::PlanRoot> Binder::BindRelationAsQuery(const Relation& relation) {
  ARROW_ASSIGN_OR_RAISE(auto bound, impl_->BindRelation(relation, nullptr, nullptr));
  std::vector<ScopeColumn> visible;
  for (const auto& c : bound.scope.columns) {
    if (!c.hidden) visible.push_back(c);
  }
  bound.scope.columns = visible;
  ARROW_ASSIGN_OR_RAISE(bound, TrimToScope(impl_.get(), std::move(bound)));
  plan::PlanRoot root;
  root.node = bound.node;
  for (const auto& c : bound.scope.columns) root.column_names.push_back(c.name);
  return root;
}

arrow::Result<BoundRelation> Binder::BindTable(const ObjectName& name, const std::string& alias) {
  return impl_->BindTableByName(name, alias, std::nullopt, std::nullopt);
}

arrow::Result<std::shared_ptr<arrow::DataType>> Binder::ToArrowType(const TypeName& type) {
  switch (type.kind) {
    case TypeKind::kBoolean: return arrow::boolean();
    case TypeKind::kTinyInt: return arrow::int8();
    case TypeKind::kSmallInt: return arrow::int16();
    case TypeKind::kInt: return arrow::int32();
    case TypeKind::kBigInt: return arrow::int64();
    case TypeKind::kFloat: return arrow::float32();
    case TypeKind::kDouble: return arrow::float64();
    case TypeKind::kDecimal: {
      int32_t precision = type.precision.value_or(10), scale = type.scale.value_or(0);
      if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
        return At(type.pos, arrow::Status::Invalid("DECIMAL(", precision, ", ", scale,
                                                   ") is out of range (precision 1..38, scale 0..precision)"));
      }
      return arrow::decimal128(precision, scale);
    }
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar: return arrow::utf8();
    case TypeKind::kBinary: return arrow::binary();
    case TypeKind::kDate: return arrow::date32();
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampLtz: return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
    case TypeKind::kTimestampNtz: return arrow::timestamp(arrow::TimeUnit::MICRO);
    case TypeKind::kInterval: return arrow::month_day_nano_interval();
    case TypeKind::kArray: {
      ARROW_ASSIGN_OR_RAISE(auto element, ToArrowType(*type.element));
      return arrow::list(element);
    }
    case TypeKind::kMap: {
      ARROW_ASSIGN_OR_RAISE(auto key, ToArrowType(*type.key));
      ARROW_ASSIGN_OR_RAISE(auto value, ToArrowType(*type.value));
      return arrow::map(key, value);
    }
    case TypeKind::kStruct: {
      arrow::FieldVector fields;
      for (const auto& f : type.fields) {
        ARROW_ASSIGN_OR_RAISE(auto t, ToArrowType(*f.type));
        fields.push_back(arrow::field(f.name, t, !f.not_null));
      }
      return arrow::struct_(fields);
    }
  }
  return arrow::Status::NotImplemented("type ", ToString(type));
}

}  // namespace tidelake::sql
