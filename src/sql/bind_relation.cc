// Binding FROM items: tables (with time travel), views, streaming sources, CTE references,
// table functions over files, subqueries and joins (equi-keys extracted from ON / USING, the
// rest a residual).
#include <arrow/dataset/api.h>
#include <arrow/filesystem/api.h>

#include <cctype>
#include <set>

#include "io/filesystem.h"
#include "sql/ast_printer.h"
#include "sql/binder_impl.h"
#include "sql/parser.h"

namespace tidelake::sql {

namespace {

constexpr int kMaxViewDepth = 32;

// Renames the output of `relation` to `names` (column aliases: `t AS x(a, b)`, CTE columns).
arrow::Status RenameColumns(BoundRelation* relation, const std::vector<std::string>& names, const SourcePos& pos) {
  if (names.empty()) return arrow::Status::OK();
  std::vector<ScopeColumn*> visible;
  for (auto& c : relation->scope.columns) {
    if (!c.hidden) visible.push_back(&c);
  }
  if (visible.size() != names.size()) {
    return At(pos, arrow::Status::Invalid(names.size(), " column names given for a relation with ", visible.size(),
                                          " columns"));
  }
  for (size_t i = 0; i < names.size(); ++i) visible[i]->name = names[i];
  return arrow::Status::OK();
}

// The set of field names an expression reads.
std::set<std::string> FieldsOf(const cp::Expression& e) {
  std::set<std::string> out;
  for (const auto& ref : cp::FieldsInExpression(e)) {
    if (const auto* name = ref.name()) out.insert(*name);
  }
  return out;
}

bool SubsetOf(const std::set<std::string>& fields, const arrow::Schema& schema) {
  for (const auto& f : fields) {
    if (schema.GetFieldIndex(f) < 0) return false;
  }
  return true;
}

}  // namespace

const CommonTableExpr* CteScope::Find(const std::string& name) const {
  for (const CteScope* s = this; s != nullptr; s = s->outer) {
    auto it = s->ctes.find(Lower(name));
    if (it != s->ctes.end()) return it->second;
  }
  return nullptr;
}

arrow::Result<BoundRelation> Binder::Impl::BindTableByName(const ObjectName& name, const std::string& alias,
                                                           const std::optional<int64_t>& version,
                                                           const std::optional<int64_t>& timestamp_ms) {
  ARROW_ASSIGN_OR_RAISE(auto location, At(name.pos, catalog_->FindTable(name.parts)));
  if (!location) {
    return At(name.pos, arrow::Status::Invalid("table or view '", ToString(name), "' not found"));
  }
  arrow::Result<std::shared_ptr<delta::Snapshot>> snapshot =
      timestamp_ms ? delta::Snapshot::LoadAtTimestamp(*location, *timestamp_ms)
                   : delta::Snapshot::Load(*location, version);
  if (!snapshot.ok()) return At(name.pos, snapshot.status());
  auto scan = std::make_shared<plan::TableScanNode>();
  scan->table_name = ToString(name);
  scan->snapshot = *snapshot;
  ARROW_ASSIGN_OR_RAISE(auto statistics, At(name.pos, catalog_->TableStatistics(**snapshot)));
  if (statistics) scan->statistics = std::make_shared<const plan::TableStatistics>(std::move(*statistics));
  BoundRelation out;
  arrow::FieldVector fields;
  std::vector<std::string> qualifier = alias.empty() ? name.parts : std::vector<std::string>{alias};
  for (const auto& field : (*snapshot)->schema()->fields()) {
    std::string unique = NewField(field->name());
    scan->columns.push_back(field->name());
    fields.push_back(field->WithName(unique));
    out.scope.columns.push_back({qualifier, field->name(), unique, field->type()});
  }
  scan->schema = arrow::schema(fields);
  out.node = scan;
  return out;
}

arrow::Result<BoundRelation> Binder::Impl::BindTable(const TableRelation& table, const Scope* outer,
                                                     const CteScope* ctes) {
  const ObjectName& name = table.name;
  // A CTE or a view shadows a table of the same name.
  if (name.parts.size() == 1 && ctes != nullptr) {
    if (const CommonTableExpr* cte = ctes->Find(name.parts[0])) {
      if (table.streaming) return At(table.pos, arrow::Status::Invalid("STREAM reads a Delta table; ", cte->name, " is a CTE"));
      if (table.time_travel) return At(table.pos, arrow::Status::Invalid("time travel applies to tables, not to CTE ", cte->name));
      // The CTE sees the WITH clauses defined before it (ctes minus itself and later ones is
      // approximated by the enclosing scope; recursion is refused by the depth guard).
      if (++view_depth_ > kMaxViewDepth) {
        return At(table.pos, arrow::Status::Invalid("CTE '", cte->name, "' refers to itself (recursive WITH is not supported)"));
      }
      auto bound = BindQuery(*cte->query, nullptr, ctes);
      --view_depth_;
      ARROW_RETURN_NOT_OK(bound.status());
      ARROW_RETURN_NOT_OK(RenameColumns(&*bound, cte->columns, cte->pos));
      Requalify(&bound->scope, table.alias.empty() ? cte->name : table.alias);
      return bound;
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto view, At(name.pos, catalog_->FindView(name.parts)));
  if (view) {
    if (table.streaming) return At(table.pos, arrow::Status::Invalid("STREAM reads a Delta table; ", view->name, " is a view"));
    if (table.time_travel) return At(table.pos, arrow::Status::Invalid("time travel applies to tables, not to view ", view->name));
    if (++view_depth_ > kMaxViewDepth) {
      return At(table.pos, arrow::Status::Invalid("view '", view->name, "' is nested too deeply (does it refer to itself?)"));
    }
    auto statement = ParseStatement(view->sql);
    if (!statement.ok() || (*statement)->kind != StatementKind::kQuery) {
      --view_depth_;
      return At(table.pos, arrow::Status::Invalid("the definition of view '", view->name, "' no longer parses: ",
                                                  statement.ok() ? "not a query" : statement.status().message()));
    }
    auto bound = BindQuery(*(*statement)->As<QueryStatement>().query, nullptr, nullptr);
    --view_depth_;
    if (!bound.ok()) {
      return At(table.pos, arrow::Status::Invalid("view '", view->name, "': ", bound.status().message()));
    }
    ARROW_RETURN_NOT_OK(RenameColumns(&*bound, view->columns, table.pos));
    Requalify(&bound->scope, table.alias.empty() ? name.parts.back() : table.alias);
    return bound;
  }
  ARROW_ASSIGN_OR_RAISE(auto source, At(name.pos, catalog_->FindSource(name.parts)));
  if (source) {
    if (table.time_travel) {
      return At(table.time_travel->value->pos, arrow::Status::Invalid("time travel applies to tables, not to source ",
                                                                      source->definition->name.ToString()));
    }
    return BindSource(table, *source);
  }
  std::optional<int64_t> version, timestamp_ms;
  if (table.time_travel) {
    ARROW_ASSIGN_OR_RAISE(auto value, EvaluateConstant(*table.time_travel->value));
    if (table.time_travel->kind == TimeTravelKind::kVersion) {
      auto as_int = value->CastTo(arrow::int64());
      if (!as_int.ok() || !(*as_int)->is_valid) {
        return At(table.time_travel->value->pos, arrow::Status::Invalid("VERSION AS OF needs an integer, got ", value->ToString()));
      }
      version = std::static_pointer_cast<arrow::Int64Scalar>(*as_int)->value;
    } else {
      auto as_ts = value->CastTo(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"));
      if (!as_ts.ok() || !(*as_ts)->is_valid) {
        return At(table.time_travel->value->pos,
                  arrow::Status::Invalid("TIMESTAMP AS OF needs a timestamp, got ", value->ToString()));
      }
      timestamp_ms = std::static_pointer_cast<arrow::TimestampScalar>(*as_ts)->value / 1000;
    }
  }
  if (table.streaming && table.time_travel) {
    return At(table.time_travel->value->pos,
              arrow::Status::Invalid("a STREAM source reads new commits; it cannot travel in time (set startingVersion "
                                     "on the streaming table instead)"));
  }
  ARROW_ASSIGN_OR_RAISE(auto bound, BindTableByName(name, table.alias, version, timestamp_ms));
  if (table.streaming) {
    auto scan = std::make_shared<plan::TableScanNode>(bound.node->As<plan::TableScanNode>());
    scan->streaming = true;
    bound.node = scan;
  }
  return bound;
}

arrow::Result<BoundRelation> Binder::Impl::BindSource(const TableRelation& table, const SourceDescription& source) {
  auto scan = std::make_shared<plan::SourceScanNode>();
  scan->source_name = ToString(table.name);
  scan->definition = source.definition;
  BoundRelation out;
  arrow::FieldVector fields;
  const std::vector<std::string> qualifier =
      table.alias.empty() ? table.name.parts : std::vector<std::string>{table.alias};
  const auto& watermark = source.definition->watermark;
  std::string time_field;
  auto add = [&](const std::shared_ptr<arrow::Field>& field, bool hidden) {
    std::string unique = NewField(field->name());
    if (watermark && NamesEqual(field->name(), watermark->column)) time_field = unique;
    scan->columns.push_back(field->name());
    fields.push_back(field->WithName(unique));
    out.scope.columns.push_back({qualifier, field->name(), unique, field->type(), hidden});
  };
  for (const auto& field : source.definition->columns->fields()) add(field, /*hidden=*/false);
  for (const auto& field : source.metadata_columns) add(field, /*hidden=*/true);
  scan->schema = arrow::schema(fields);
  out.node = scan;
  if (watermark) {
    // WATERMARK FOR c AS c - delay: the rows' event time, as TIMESTAMP BY would declare it.
    if (time_field.empty()) {
      return At(table.pos, arrow::Status::Invalid("source ", source.definition->name.ToString(),
                                                  " declares a watermark on '", watermark->column,
                                                  "', which is not one of its columns"));
    }
    auto node = std::make_shared<plan::WatermarkNode>();
    node->time_field = time_field;
    node->delay_us = watermark->delay_us;
    node->schema = scan->schema;
    node->inputs = {scan};
    out.node = node;
    out.scope.event_time = time_field;
  }
  return out;
}

namespace {

// read_csv / read_json / read_parquet: resolves the files and infers the schema now, so the
// query is typed at bind time like any table.
arrow::Result<BoundRelation> BindFileFunction(Binder::Impl* binder, const TableFunctionRelation& fn,
                                              const std::string& name) {
  plan::FileFormat format;
  if (name == "read_csv") {
    format = plan::FileFormat::kCsv;
  } else if (name == "read_json") {
    format = plan::FileFormat::kJson;
  } else if (name == "read_parquet") {
    format = plan::FileFormat::kParquet;
  } else {
    return arrow::Status::Invalid("unknown table function '", name, "' (tidelake has read_csv, read_json, read_parquet)");
  }
  auto node = std::make_shared<plan::FileScanNode>();
  node->format = format;
  std::string path;
  for (size_t i = 0; i < fn.args.size(); ++i) {
    const Expr& arg = *fn.args[i];
    if (arg.kind == ExprKind::kNamedArgument) {
      const auto& named = arg.As<NamedArgumentExpr>();
      ARROW_ASSIGN_OR_RAISE(auto value, At(named.pos, binder->EvaluateConstant(*named.value)));
      std::string key = Lower(named.name);
      std::string text = value->ToString();
      if (key == "header") {
        node->csv_header = text == "true";
      } else if (key == "delimiter" || key == "sep") {
        if (text.size() != 1) return At(named.pos, arrow::Status::Invalid("the CSV delimiter must be one character"));
        node->csv_delimiter = text[0];
      } else {
        return At(named.pos, arrow::Status::Invalid(name, " has no option '", named.name, "'"));
      }
      continue;
    }
    if (i != 0) return At(arg.pos, arrow::Status::Invalid(name, " takes one path and named options (key => value)"));
    ARROW_ASSIGN_OR_RAISE(auto value, At(arg.pos, binder->EvaluateConstant(arg)));
    if (value->type->id() != arrow::Type::STRING || !value->is_valid) {
      return At(arg.pos, arrow::Status::Invalid(name, " needs a path string"));
    }
    path = std::static_pointer_cast<arrow::StringScalar>(value)->ToString();
  }
  if (path.empty()) return At(fn.pos, arrow::Status::Invalid(name, " needs a path"));

  ARROW_ASSIGN_OR_RAISE(auto location, io::ResolveLocation(path));
  ARROW_ASSIGN_OR_RAISE(auto info, location.fs->GetFileInfo(location.path));
  std::shared_ptr<arrow::dataset::FileFormat> file_format;
  if (format == plan::FileFormat::kCsv) {
    auto csv = std::make_shared<arrow::dataset::CsvFileFormat>();
    csv->parse_options.delimiter = node->csv_delimiter;
    file_format = csv;
  } else if (format == plan::FileFormat::kJson) {
    file_format = std::make_shared<arrow::dataset::JsonFileFormat>();
  } else {
    file_format = std::make_shared<arrow::dataset::ParquetFileFormat>();
  }
  arrow::dataset::FileSystemFactoryOptions options;
  std::shared_ptr<arrow::dataset::DatasetFactory> factory;
  if (info.type() == arrow::fs::FileType::Directory) {
    arrow::fs::FileSelector selector;
    selector.base_dir = location.path;
    selector.recursive = true;
    ARROW_ASSIGN_OR_RAISE(factory, arrow::dataset::FileSystemDatasetFactory::Make(location.fs, selector, file_format, options));
  } else if (info.type() == arrow::fs::FileType::File) {
    ARROW_ASSIGN_OR_RAISE(factory, arrow::dataset::FileSystemDatasetFactory::Make(
                                       location.fs, std::vector<std::string>{location.path}, file_format, options));
  } else {
    return At(fn.pos, arrow::Status::Invalid(name, ": no file or directory at '", path, "'"));
  }
  auto schema = factory->Inspect();
  if (!schema.ok()) return At(fn.pos, arrow::Status::Invalid(name, "('", path, "'): ", schema.status().message()));
  ARROW_ASSIGN_OR_RAISE(auto dataset, factory->Finish());
  for (const auto& file : std::static_pointer_cast<arrow::dataset::FileSystemDataset>(dataset)->files()) {
    node->paths.push_back(file);
  }
  BoundRelation out;
  arrow::FieldVector fields;
  std::vector<std::string> qualifier = fn.alias.empty() ? std::vector<std::string>{} : std::vector<std::string>{fn.alias};
  for (const auto& field : (*schema)->fields()) {
    std::string unique = binder->NewField(field->name());
    node->columns.push_back(field->name());
    fields.push_back(field->WithName(unique));
    out.scope.columns.push_back({qualifier, field->name(), unique, field->type()});
  }
  node->schema = arrow::schema(fields);
  out.node = node;
  return out;
}

}  // namespace

arrow::Result<BoundRelation> Binder::Impl::BindRelation(const Relation& relation, const Scope* outer,
                                                        const CteScope* ctes) {
  switch (relation.kind) {
    case RelationKind::kTable: {
      const auto& table = relation.As<TableRelation>();
      ARROW_ASSIGN_OR_RAISE(auto bound, BindTable(table, outer, ctes));
      ARROW_RETURN_NOT_OK(RenameColumns(&bound, relation.column_aliases, relation.pos));
      ARROW_RETURN_NOT_OK(ApplyEventTime(table, &bound));
      return bound;
    }
    case RelationKind::kWindowFunction:
      return BindWindowFunction(relation.As<WindowFunctionRelation>(), outer, ctes);
    case RelationKind::kTableFunction: {
      const auto& fn = relation.As<TableFunctionRelation>();
      std::string name;
      for (const auto& p : fn.name) name += (name.empty() ? "" : ".") + Lower(p);
      ARROW_ASSIGN_OR_RAISE(auto bound, At(fn.pos, BindFileFunction(this, fn, name)));
      ARROW_RETURN_NOT_OK(RenameColumns(&bound, relation.column_aliases, relation.pos));
      return bound;
    }
    case RelationKind::kSubquery: {
      const auto& sub = relation.As<SubqueryRelation>();
      ARROW_ASSIGN_OR_RAISE(auto bound, BindQuery(*sub.query, outer, ctes));
      ARROW_RETURN_NOT_OK(RenameColumns(&bound, relation.column_aliases, relation.pos));
      if (!relation.alias.empty()) Requalify(&bound.scope, relation.alias);
      return bound;
    }
    case RelationKind::kJoin:
      break;
  }
  const auto& join = relation.As<JoinRelation>();
  ARROW_ASSIGN_OR_RAISE(auto left, BindRelation(*join.left, outer, ctes));
  ARROW_ASSIGN_OR_RAISE(auto right, BindRelation(*join.right, outer, ctes));
  plan::JoinType type = plan::JoinType::kInner;
  switch (join.type) {
    case JoinType::kInner: type = plan::JoinType::kInner; break;
    case JoinType::kLeft: type = plan::JoinType::kLeft; break;
    case JoinType::kRight: type = plan::JoinType::kRight; break;
    case JoinType::kFull: type = plan::JoinType::kFull; break;
    case JoinType::kCross: type = plan::JoinType::kCross; break;
    case JoinType::kLeftSemi: type = plan::JoinType::kLeftSemi; break;
    case JoinType::kLeftAnti: type = plan::JoinType::kLeftAnti; break;
  }
  std::vector<std::string> using_columns = join.using_columns;
  if (join.natural) {
    for (const auto& l : left.scope.columns) {
      if (l.hidden) continue;
      for (const auto& r : right.scope.columns) {
        if (!r.hidden && NamesEqual(l.name, r.name)) using_columns.push_back(l.name);
      }
    }
  }
  std::vector<JoinCondition> conditions;
  for (const auto& column : using_columns) {
    auto l = ResolveColumn(left.scope, {column});
    auto r = ResolveColumn(right.scope, {column});
    if (!l.ok() || !r.ok()) {
      return At(join.pos, arrow::Status::Invalid("USING column '", column, "' must be in both sides of the join"));
    }
    conditions.push_back(JoinCondition{cp::field_ref(l->column->field), cp::field_ref(r->column->field), false});
  }
  if (join.condition) {
    ARROW_ASSIGN_OR_RAISE(auto from_on, SplitJoinCondition(Conjuncts(*join.condition), left, right, outer, ctes));
    conditions.insert(conditions.end(), from_on.begin(), from_on.end());
  }
  if (type == plan::JoinType::kCross && !conditions.empty()) type = plan::JoinType::kInner;
  ARROW_ASSIGN_OR_RAISE(auto joined, MakeJoin(std::move(left), std::move(right), type, std::move(conditions)));
  if (!using_columns.empty()) {
    // USING: one column per name. For FULL joins it is coalesce(left, right) (computed here);
    // otherwise the side that always has the value, and the other side's copy is hidden.
    std::vector<cp::Expression> exprs;
    std::vector<std::string> names;
    for (const auto& f : joined.node->schema->fields()) {
      exprs.push_back(cp::field_ref(f->name()));
      names.push_back(f->name());
    }
    bool computed = false;
    for (const auto& column : using_columns) {
      std::vector<ScopeColumn*> copies;
      for (auto& c : joined.scope.columns) {
        if (NamesEqual(c.name, column) && !c.hidden) copies.push_back(&c);
      }
      if (copies.size() != 2) continue;
      ScopeColumn* keep = type == plan::JoinType::kRight ? copies[1] : copies[0];
      ScopeColumn* drop = keep == copies[0] ? copies[1] : copies[0];
      drop->hidden = true;
      if (type == plan::JoinType::kFull) {
        std::string field = NewField(column);
        ARROW_ASSIGN_OR_RAISE(auto merged, cp::call("coalesce", {cp::field_ref(keep->field), cp::field_ref(drop->field)})
                                               .Bind(*joined.node->schema));
        exprs.push_back(merged);
        names.push_back(field);
        keep->hidden = true;
        ScopeColumn coalesced{{}, column, field, merged.type()->GetSharedPtr()};
        joined.scope.columns.insert(joined.scope.columns.begin(), coalesced);
        computed = true;
      }
    }
    if (computed) {
      ARROW_ASSIGN_OR_RAISE(joined.node, Project(joined.node, std::move(exprs), names));
    }
  }
  return joined;
}

arrow::Result<std::vector<JoinCondition>> Binder::Impl::SplitJoinCondition(const std::vector<const Expr*>& conjuncts,
                                                                          const BoundRelation& left,
                                                                          const BoundRelation& right,
                                                                          const Scope* outer, const CteScope* ctes,
                                                                          bool inner_shadows) {
  Scope combined, left_scope;
  if (inner_shadows) {
    left_scope.columns = left.scope.columns;
    left_scope.outer = outer;
    combined.columns = right.scope.columns;
    combined.outer = &left_scope;
  } else {
    combined.outer = outer;
    combined.columns = left.scope.columns;
    combined.columns.insert(combined.columns.end(), right.scope.columns.begin(), right.scope.columns.end());
  }
  arrow::FieldVector fields = left.node->schema->fields();
  for (const auto& f : right.node->schema->fields()) fields.push_back(f);
  ExprContext ctx;
  ctx.scope = &combined;
  ctx.input = arrow::schema(fields);
  ctx.ctes = ctes;
  ctx.allowed_outer_depth = inner_shadows ? 1 : 0;
  ctx.clause = "a join condition";
  std::vector<JoinCondition> out;
  for (const Expr* conjunct : conjuncts) {
    if (conjunct->kind == ExprKind::kBinary) {
      const auto& eq = conjunct->As<BinaryExpr>();
      if (eq.op == BinaryOp::kEq || eq.op == BinaryOp::kNullSafeEq) {
        ARROW_ASSIGN_OR_RAISE(auto a, Bind(*eq.left, ctx));
        ARROW_ASSIGN_OR_RAISE(auto b, Bind(*eq.right, ctx));
        auto fa = FieldsOf(a), fb = FieldsOf(b);
        bool a_left = !fa.empty() && SubsetOf(fa, *left.node->schema);
        bool a_right = !fa.empty() && SubsetOf(fa, *right.node->schema);
        bool b_left = !fb.empty() && SubsetOf(fb, *left.node->schema);
        bool b_right = !fb.empty() && SubsetOf(fb, *right.node->schema);
        if ((a_left && b_right) || (a_right && b_left)) {
          ARROW_ASSIGN_OR_RAISE(auto type, At(conjunct->pos, plan::CommonType(*a.type(), *b.type())));
          ARROW_ASSIGN_OR_RAISE(a, At(conjunct->pos, plan::ImplicitCastTo(a, type, *ctx.input)));
          ARROW_ASSIGN_OR_RAISE(b, At(conjunct->pos, plan::ImplicitCastTo(b, type, *ctx.input)));
          if (a_left) {
            out.push_back({a, b, eq.op == BinaryOp::kNullSafeEq});
          } else {
            out.push_back({b, a, eq.op == BinaryOp::kNullSafeEq});
          }
          continue;
        }
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto residual, Bind(*conjunct, ctx));
    ARROW_ASSIGN_OR_RAISE(residual, At(conjunct->pos, plan::ImplicitCastTo(residual, arrow::boolean(), *ctx.input)));
    out.push_back({residual, std::nullopt, false});
  }
  return out;
}

arrow::Result<BoundRelation> Binder::Impl::MakeJoin(BoundRelation left, BoundRelation right, plan::JoinType type,
                                                    std::vector<JoinCondition> conditions) {
  auto node = std::make_shared<plan::JoinNode>();
  node->type = type;
  // Key expressions that are not plain columns are computed below the join.
  std::vector<cp::Expression> left_extra, right_extra;
  std::vector<std::string> left_extra_names, right_extra_names;
  std::vector<cp::Expression> residuals;
  auto key_field = [&](const cp::Expression& e, std::vector<cp::Expression>* extra,
                       std::vector<std::string>* names) -> std::string {
    if (const auto* ref = e.field_ref(); ref && ref->name()) return *ref->name();
    std::string field = NewField("key");
    extra->push_back(e);
    names->push_back(field);
    return field;
  };
  for (auto& c : conditions) {
    if (!c.right) {
      residuals.push_back(std::move(c.left));
      continue;
    }
    node->left_keys.push_back(key_field(c.left, &left_extra, &left_extra_names));
    node->right_keys.push_back(key_field(*c.right, &right_extra, &right_extra_names));
    node->null_safe.push_back(c.null_safe);
  }
  auto extend = [&](BoundRelation* side, std::vector<cp::Expression> extra,
                    const std::vector<std::string>& names) -> arrow::Status {
    if (extra.empty()) return arrow::Status::OK();
    std::vector<cp::Expression> exprs;
    std::vector<std::string> all_names;
    for (const auto& f : side->node->schema->fields()) {
      exprs.push_back(cp::field_ref(f->name()));
      all_names.push_back(f->name());
    }
    exprs.insert(exprs.end(), extra.begin(), extra.end());
    all_names.insert(all_names.end(), names.begin(), names.end());
    ARROW_ASSIGN_OR_RAISE(side->node, Project(side->node, std::move(exprs), all_names));
    return arrow::Status::OK();
  };
  ARROW_RETURN_NOT_OK(extend(&left, std::move(left_extra), left_extra_names));
  ARROW_RETURN_NOT_OK(extend(&right, std::move(right_extra), right_extra_names));

  arrow::FieldVector fields = left.node->schema->fields();
  bool keeps_right = type != plan::JoinType::kLeftSemi && type != plan::JoinType::kLeftAnti;
  arrow::FieldVector both = fields;
  for (const auto& f : right.node->schema->fields()) both.push_back(f);
  if (!residuals.empty()) {
    cp::Expression residual = cp::and_(residuals);
    ARROW_ASSIGN_OR_RAISE(residual, residual.Bind(*arrow::schema(both)));
    node->residual = residual;
  }
  // Outer joins make the other side's columns nullable.
  auto nullable = [](const arrow::FieldVector& in, bool make) {
    arrow::FieldVector out;
    for (const auto& f : in) out.push_back(make ? f->WithNullable(true) : f);
    return out;
  };
  bool left_nullable = type == plan::JoinType::kRight || type == plan::JoinType::kFull;
  bool right_nullable = type == plan::JoinType::kLeft || type == plan::JoinType::kFull;
  arrow::FieldVector out_fields = nullable(left.node->schema->fields(), left_nullable);
  if (keeps_right) {
    auto r = nullable(right.node->schema->fields(), right_nullable);
    out_fields.insert(out_fields.end(), r.begin(), r.end());
  }
  node->schema = arrow::schema(out_fields);
  node->inputs = {left.node, right.node};
  BoundRelation out;
  out.node = node;
  out.scope.columns = left.scope.columns;
  out.scope.event_time = left.scope.event_time;
  if (keeps_right) {
    out.scope.columns.insert(out.scope.columns.end(), right.scope.columns.begin(), right.scope.columns.end());
    if (out.scope.event_time.empty()) out.scope.event_time = right.scope.event_time;
  }
  return out;
}

}  // namespace tidelake::sql
