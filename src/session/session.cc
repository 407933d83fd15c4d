// tidelake::Session: parses a statement, binds it against the lake (and the session's temporary
// views), and runs it — queries through the planner and the batch executor, catalog and table
// statements directly against catalog::Lake and the Delta engine.
#include "tidelake/session.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <cctype>

#include "catalog/lake.h"
#include "common/arrow_init.h"
#include "common/clock.h"
#include "common/error.h"
#include "delta/history.h"
#include "delta/table.h"
#include "exec/executor.h"
#include "plan/explain.h"
#include "plan/optimizer.h"
#include "session/dml.h"
#include "sql/ast_printer.h"
#include "sql/binder.h"
#include "sql/parser.h"

namespace tidelake {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

arrow::Status At(const sql::SourcePos& pos, arrow::Status status) {
  if (status.ok()) return status;
  auto existing = GetErrorContext(status);
  if (existing && existing->line > 0) return status;
  return ErrorAt(status.code(), ErrorContext{.line = pos.line, .column = pos.column}, status.message());
}

template <typename T>
arrow::Result<T> At(const sql::SourcePos& pos, arrow::Result<T> result) {
  if (result.ok()) return result;
  return At(pos, result.status());
}

// A one-column or few-column result built from strings.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> StringRows(
    const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows) {
  arrow::FieldVector fields;
  arrow::ArrayVector arrays;
  for (size_t c = 0; c < columns.size(); ++c) {
    arrow::StringBuilder builder;
    for (const auto& row : rows) ARROW_RETURN_NOT_OK(builder.Append(row[c]));
    ARROW_ASSIGN_OR_RAISE(auto array, builder.Finish());
    fields.push_back(arrow::field(columns[c], arrow::utf8()));
    arrays.push_back(array);
  }
  auto schema = arrow::schema(fields);
  auto batch = arrow::RecordBatch::Make(schema, static_cast<int64_t>(rows.size()), arrays);
  return arrow::RecordBatchReader::Make({batch}, schema);
}

}  // namespace

class Session::Impl : public sql::BinderCatalog {
 public:
  Impl(std::shared_ptr<catalog::Lake> lake, SessionOptions options) : lake_(std::move(lake)), options_(options) {}

  // ---- BinderCatalog

  arrow::Result<std::optional<delta::TableLocation>> FindTable(const std::vector<std::string>& name) override {
    if (name.size() == 2 && Lower(name[0]) == "delta") {
      ARROW_ASSIGN_OR_RAISE(auto location, lake_->Resolve("delta.`" + name[1] + "`"));
      ARROW_ASSIGN_OR_RAISE(bool exists, delta::DeltaTable::Exists(location));
      if (!exists) return arrow::Status::Invalid("no Delta table at '", name[1], "'");
      return location;
    }
    ARROW_ASSIGN_OR_RAISE(auto candidates, Candidates(name));
    for (const auto& candidate : candidates) {
      ARROW_ASSIGN_OR_RAISE(auto location, lake_->Resolve(candidate.ToString()));
      ARROW_ASSIGN_OR_RAISE(bool exists, delta::DeltaTable::Exists(location));
      if (exists) return location;
    }
    return std::nullopt;
  }

  arrow::Result<std::optional<sql::ViewDefinition>> FindView(const std::vector<std::string>& name) override {
    if (name.size() == 1) {
      auto it = temp_views_.find(Lower(name[0]));
      if (it != temp_views_.end()) return it->second;
    }
    if (name.size() == 2 && Lower(name[0]) == "delta") return std::nullopt;
    ARROW_ASSIGN_OR_RAISE(auto candidates, Candidates(name));
    for (const auto& candidate : candidates) {
      ARROW_ASSIGN_OR_RAISE(auto view, lake_->FindView(candidate));
      if (view) return sql::ViewDefinition{view->name, view->sql, view->columns};
    }
    return std::nullopt;
  }

  // ---- statements

  arrow::Result<StatementResult> Execute(std::string_view text) {
    ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
    ARROW_ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(text));
    return Run(*statement);
  }

  arrow::Result<plan::PlanRoot> PlanQuery(const sql::Query& query) {
    sql::Binder binder(this, plan::FunctionContext{NowMillis() * 1000});
    ARROW_ASSIGN_OR_RAISE(auto root, binder.BindQuery(query));
    return plan::Optimize(std::move(root));
  }

  arrow::Result<StatementResult> RunQuery(const sql::Query& query) {
    ARROW_ASSIGN_OR_RAISE(auto root, PlanQuery(query));
    exec::ExecOptions exec_options;
    exec_options.memory_limit_bytes = options_.memory_limit_bytes;
    exec_options.use_threads = options_.use_threads;
    ARROW_ASSIGN_OR_RAISE(auto reader, exec::Execute(root, exec_options));
    StatementResult result;
    result.rows = std::move(reader);
    result.ordered = root.ordered;
    return result;
  }

  arrow::Result<StatementResult> Run(const sql::Statement& statement) {
    using sql::StatementKind;
    switch (statement.kind) {
      case StatementKind::kQuery:
        return RunQuery(*statement.As<sql::QueryStatement>().query);
      case StatementKind::kExplain: {
        const auto& explain = statement.As<sql::ExplainStatement>();
        if (explain.statement->kind != StatementKind::kQuery) {
          return At(explain.statement->pos, arrow::Status::NotImplemented("EXPLAIN of a ",
                                                                          sql::StatementKindName(explain.statement->kind),
                                                                          " statement"));
        }
        ARROW_ASSIGN_OR_RAISE(auto root, PlanQuery(*explain.statement->As<sql::QueryStatement>().query));
        StatementResult result;
        ARROW_ASSIGN_OR_RAISE(result.rows, (StringRows({"plan"}, {{plan::Explain(root)}})));
        return result;
      }
      case StatementKind::kCreateTable:
        return CreateTable(statement.As<sql::CreateTableStatement>());
      case StatementKind::kInsert:
        return Insert(statement.As<sql::InsertStatement>());
      case StatementKind::kDelete:
      case StatementKind::kUpdate:
      case StatementKind::kMerge:
        return RunDml(statement);
      case StatementKind::kCreateView:
        return CreateView(statement.As<sql::CreateViewStatement>());
      case StatementKind::kDrop:
        return Drop(statement.As<sql::DropStatement>());
      case StatementKind::kShow:
        return Show(statement.As<sql::ShowStatement>());
      case StatementKind::kDescribe:
        return Describe(statement.As<sql::DescribeStatement>());
      case StatementKind::kSet: {
        const auto& set = statement.As<sql::SetStatement>();
        StatementResult result;
        if (set.key.empty()) {
          std::vector<std::vector<std::string>> rows;
          for (const auto& [k, v] : settings_) rows.push_back({k, v});
          ARROW_ASSIGN_OR_RAISE(result.rows, (StringRows({"key", "value"}, rows)));
        } else if (!set.value) {
          auto value = Get(set.key);
          ARROW_ASSIGN_OR_RAISE(result.rows, (StringRows({"key", "value"}, {{set.key, value.value_or("<undefined>")}})));
        } else {
          Set(set.key, *set.value);
        }
        return result;
      }
      case StatementKind::kReset: {
        const auto& reset = statement.As<sql::ResetStatement>();
        if (reset.key.empty()) {
          settings_.clear();
        } else {
          settings_.erase(Lower(reset.key));
        }
        return StatementResult{};
      }
      case StatementKind::kUse: {
        const auto& use = statement.As<sql::UseStatement>();
        if (use.name.parts.size() != 1) {
          return At(use.pos, arrow::Status::Invalid("USE takes a zone name (raw, refined, curated, ...)"));
        }
        ARROW_RETURN_NOT_OK(At(use.name.pos, catalog::TableName::ValidatePart(use.name.parts[0], "zone")));
        current_zone_ = Lower(use.name.parts[0]);
        return StatementResult{{}, "Using zone " + current_zone_};
      }
      default:
        return At(statement.pos, arrow::Status::NotImplemented(sql::StatementKindName(statement.kind),
                                                               " statements are not supported yet"));
    }
  }

  void Set(const std::string& key, const std::string& value) { settings_[Lower(key)] = value; }
  std::optional<std::string> Get(const std::string& key) const {
    auto it = settings_.find(Lower(key));
    if (it == settings_.end()) return std::nullopt;
    return it->second;
  }

 private:
  // The lake names an unqualified or zone-qualified name may mean, in search order.
  arrow::Result<std::vector<catalog::TableName>> Candidates(const std::vector<std::string>& name) const {
    std::vector<catalog::TableName> out;
    if (name.size() == 2) {
      ARROW_ASSIGN_OR_RAISE(auto parsed, catalog::TableName::Parse(name[0] + "." + name[1]));
      out.push_back(parsed);
    } else if (name.size() == 1) {
      if (!catalog::TableName::ValidatePart(name[0], "table").ok()) return out;
      if (!current_zone_.empty()) {
        out.push_back({current_zone_, Lower(name[0])});
      } else {
        for (auto zone : catalog::kZones) out.push_back({std::string(zone), Lower(name[0])});
      }
    }
    return out;
  }

  // Where CREATE puts an object written without a zone: the current zone, else `curated`
  // (the serving zone, where views of the reference design live).
  arrow::Result<catalog::TableName> TargetName(const sql::ObjectName& name) const {
    if (name.parts.size() == 1) {
      return catalog::TableName::Parse((current_zone_.empty() ? std::string("curated") : current_zone_) + "." +
                                       name.parts[0]);
    }
    if (name.parts.size() == 2) return catalog::TableName::Parse(name.parts[0] + "." + name.parts[1]);
    return arrow::Status::Invalid("'", sql::ToString(name), "' is not a zone.name");
  }

  // The lake location for a new table (zone.table, a bare name in the current zone, or delta.`path`).
  arrow::Result<delta::TableLocation> NewTableLocation(const sql::ObjectName& name) {
    if (name.parts.size() == 2 && Lower(name.parts[0]) == "delta") return lake_->Resolve("delta.`" + name.parts[1] + "`");
    ARROW_ASSIGN_OR_RAISE(auto target, TargetName(name));
    ARROW_ASSIGN_OR_RAISE(auto view, lake_->FindView(target));
    if (view) return arrow::Status::Invalid("'", target.ToString(), "' is a view");
    return lake_->Resolve(target.ToString());
  }

  static std::string RowsMessage(const std::string& verb, const delta::WriteResult& written) {
    return verb + " " + std::to_string(written.rows_written) + " rows (version " +
           std::to_string(written.version) + ")";
  }

  arrow::Result<StatementResult> CreateTable(const sql::CreateTableStatement& create) {
    if (create.using_format && Lower(*create.using_format) != "delta") {
      return At(create.pos, arrow::Status::NotImplemented("tables are Delta tables; USING ", *create.using_format,
                                                          " is not supported"));
    }
    ARROW_ASSIGN_OR_RAISE(auto location, At(create.name.pos, NewTableLocation(create.name)));
    ARROW_ASSIGN_OR_RAISE(bool exists, delta::DeltaTable::Exists(location));
    if (exists && create.if_not_exists) return StatementResult{{}, "Table " + location.display_name + " exists"};
    if (exists && !create.or_replace) {
      return At(create.name.pos, arrow::Status::Invalid("table '", location.display_name, "' already exists"));
    }
    std::map<std::string, std::string> properties;
    for (const auto& p : create.properties) properties[p.key] = p.value;
    if (create.as_query) {
      ARROW_ASSIGN_OR_RAISE(auto query, RunQuery(*create.as_query));
      delta::WriteOptions options;
      options.mode = exists ? delta::SaveMode::kOverwrite : delta::SaveMode::kErrorIfExists;
      options.overwrite_schema = exists;
      options.partition_columns = create.partitioned_by;
      options.properties = properties;
      ARROW_ASSIGN_OR_RAISE(auto written, At(create.pos, delta::DeltaTable::Write(location, *query.rows, options)));
      return StatementResult{{}, RowsMessage("Created " + location.display_name + " with", written)};
    }
    if (create.columns.empty()) return At(create.pos, arrow::Status::Invalid("CREATE TABLE needs columns or AS query"));
    arrow::FieldVector fields;
    for (const auto& column : create.columns) {
      ARROW_ASSIGN_OR_RAISE(auto type, sql::Binder::ToArrowType(*column.type));
      auto field = arrow::field(column.name, type, !column.not_null);
      if (column.comment) field = field->WithMetadata(arrow::key_value_metadata({"comment"}, {*column.comment}));
      fields.push_back(field);
    }
    if (exists) ARROW_RETURN_NOT_OK(location.fs->DeleteDir(location.root));  // OR REPLACE of a lake table
    delta::CreateOptions options;
    options.schema = arrow::schema(fields);
    options.partition_columns = create.partitioned_by;
    options.properties = properties;
    options.description = create.comment;
    ARROW_RETURN_NOT_OK(At(create.pos, delta::DeltaTable::Create(location, options).status()));
    return StatementResult{{}, "Created table " + location.display_name};
  }

  arrow::Result<StatementResult> Insert(const sql::InsertStatement& insert) {
    if (!insert.partition.empty() || insert.replace_where) {
      return At(insert.pos, arrow::Status::NotImplemented("INSERT with PARTITION (...) or REPLACE WHERE"));
    }
    ARROW_ASSIGN_OR_RAISE(auto location, At(insert.table.pos, FindTable(insert.table.parts)));
    if (!location) {
      return At(insert.table.pos, arrow::Status::Invalid("table '", sql::ToString(insert.table), "' not found"));
    }
    ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*location));
    ARROW_ASSIGN_OR_RAISE(auto query, RunQuery(*insert.query));
    // Spark inserts by position, or by the listed columns; other columns get NULL.
    auto table_schema = snapshot->schema();
    std::vector<std::string> targets = insert.columns;
    if (targets.empty()) {
      for (const auto& f : table_schema->fields()) targets.push_back(f->name());
    }
    int width = query.rows->schema()->num_fields();
    if (static_cast<size_t>(width) != targets.size()) {
      return At(insert.query->pos, arrow::Status::Invalid("INSERT INTO ", location->display_name, " gives ", width,
                                                          " values for ", targets.size(), " columns"));
    }
    // Spark's store assignment (ANSI): a number is cast to the column's numeric type, with an
    // error on overflow; other type differences are left to the Delta writer's schema check.
    auto numeric = [](const arrow::DataType& t) { return arrow::is_numeric(t.id()) || arrow::is_decimal(t.id()); };
    arrow::FieldVector renamed;
    for (int i = 0; i < width; ++i) {
      auto field = query.rows->schema()->field(i)->WithName(targets[static_cast<size_t>(i)]);
      auto target = table_schema->GetFieldByName(targets[static_cast<size_t>(i)]);
      if (target && numeric(*target->type()) && numeric(*field->type()) && !target->type()->Equals(*field->type())) {
        field = field->WithType(target->type());
      }
      renamed.push_back(field);
    }
    auto schema = arrow::schema(renamed);
    auto source = query.rows;
    auto relabeled = arrow::RecordBatchReader::MakeFromIterator(
        arrow::MakeFunctionIterator([source, schema]() -> arrow::Result<std::shared_ptr<arrow::RecordBatch>> {
          ARROW_ASSIGN_OR_RAISE(auto batch, source->Next());
          if (!batch) return batch;
          arrow::ArrayVector columns = batch->columns();
          for (int i = 0; i < schema->num_fields(); ++i) {
            const auto& type = schema->field(i)->type();
            if (columns[static_cast<size_t>(i)]->type()->Equals(*type)) continue;
            ARROW_ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(*columns[static_cast<size_t>(i)], type,
                                                                  arrow::compute::CastOptions::Safe()));
            columns[static_cast<size_t>(i)] = cast;
          }
          return arrow::RecordBatch::Make(schema, batch->num_rows(), std::move(columns));
        }),
        schema);
    ARROW_RETURN_NOT_OK(relabeled.status());
    delta::WriteOptions options;
    options.mode = insert.overwrite ? delta::SaveMode::kOverwrite : delta::SaveMode::kAppend;
    auto merge = Get("spark.databricks.delta.schema.autoMerge.enabled");
    options.merge_schema = merge && Lower(*merge) == "true";
    ARROW_ASSIGN_OR_RAISE(auto written, At(insert.pos, delta::DeltaTable::Write(*location, **relabeled, options)));
    StatementResult result;
    std::vector<std::vector<std::string>> counts{
        {std::to_string(written.rows_written), std::to_string(written.rows_written)}};
    ARROW_ASSIGN_OR_RAISE(result.rows, (StringRows({"num_affected_rows", "num_inserted_rows"}, counts)));
    return result;
  }

  arrow::Result<StatementResult> RunDml(const sql::Statement& statement) {
    const sql::ObjectName& name = statement.kind == sql::StatementKind::kDelete
                                      ? statement.As<sql::DeleteStatement>().table
                                  : statement.kind == sql::StatementKind::kUpdate
                                      ? statement.As<sql::UpdateStatement>().table
                                      : statement.As<sql::MergeStatement>().target;
    ARROW_ASSIGN_OR_RAISE(auto location, At(name.pos, FindTable(name.parts)));
    if (!location) return At(name.pos, arrow::Status::Invalid("table '", sql::ToString(name), "' not found"));
    sql::Binder binder(this, plan::FunctionContext{NowMillis() * 1000});
    switch (statement.kind) {
      case sql::StatementKind::kDelete:
        return session::RunDelete(statement.As<sql::DeleteStatement>(), *location, binder);
      case sql::StatementKind::kUpdate:
        return session::RunUpdate(statement.As<sql::UpdateStatement>(), *location, binder);
      default: {
        const auto& merge = statement.As<sql::MergeStatement>();
        ARROW_ASSIGN_OR_RAISE(auto source_plan, binder.BindRelationAsQuery(*merge.source));
        ARROW_ASSIGN_OR_RAISE(source_plan, plan::Optimize(std::move(source_plan)));
        exec::ExecOptions exec_options;
        exec_options.memory_limit_bytes = options_.memory_limit_bytes;
        exec_options.use_threads = options_.use_threads;
        ARROW_ASSIGN_OR_RAISE(auto reader, exec::Execute(source_plan, exec_options));
        ARROW_ASSIGN_OR_RAISE(auto source, reader->ToTable());
        auto merge_schema = Get("spark.databricks.delta.schema.autoMerge.enabled");
        return session::RunMerge(merge, *location, source, binder, merge_schema && Lower(*merge_schema) == "true");
      }
    }
  }

  arrow::Result<StatementResult> CreateView(const sql::CreateViewStatement& create) {
    // Bind now so that a broken view is refused when it is created, not when it is used.
    ARROW_ASSIGN_OR_RAISE(auto root, PlanQuery(*create.query));
    if (!create.columns.empty() && create.columns.size() != root.column_names.size()) {
      return At(create.pos, arrow::Status::Invalid("the view lists ", create.columns.size(),
                                                   " column names but its query returns ", root.column_names.size()));
    }
    if (create.temporary) {
      std::string key = Lower(create.name.parts.back());
      if (create.name.parts.size() != 1) {
        return At(create.name.pos, arrow::Status::Invalid("a temporary view name has no zone"));
      }
      if (temp_views_.count(key) && !create.or_replace) {
        if (create.if_not_exists) return StatementResult{};
        return At(create.name.pos, arrow::Status::Invalid("temporary view '", create.name.parts[0], "' already exists"));
      }
      temp_views_[key] = sql::ViewDefinition{create.name.parts[0], create.query_text, create.columns};
      return StatementResult{{}, "Created temporary view " + create.name.parts[0]};
    }
    ARROW_ASSIGN_OR_RAISE(auto name, At(create.name.pos, TargetName(create.name)));
    if (create.if_not_exists) {
      ARROW_ASSIGN_OR_RAISE(auto existing, lake_->FindView(name));
      if (existing) return StatementResult{};
    }
    ARROW_RETURN_NOT_OK(At(create.name.pos, lake_->CreateView(name, create.query_text, create.columns, create.or_replace)));
    return StatementResult{{}, "Created view " + name.ToString()};
  }

  arrow::Result<StatementResult> Drop(const sql::DropStatement& drop) {
    if (drop.object == sql::DropObject::kView) {
      if (drop.name.parts.size() == 1 && temp_views_.erase(Lower(drop.name.parts[0]))) {
        return StatementResult{{}, "Dropped temporary view " + drop.name.parts[0]};
      }
      ARROW_ASSIGN_OR_RAISE(auto candidates, At(drop.name.pos, Candidates(drop.name.parts)));
      for (const auto& candidate : candidates) {
        ARROW_ASSIGN_OR_RAISE(auto view, lake_->FindView(candidate));
        if (view) {
          ARROW_RETURN_NOT_OK(lake_->DropView(candidate));
          return StatementResult{{}, "Dropped view " + candidate.ToString()};
        }
      }
      if (drop.if_exists) return StatementResult{};
      return At(drop.name.pos, arrow::Status::Invalid("view '", sql::ToString(drop.name), "' not found"));
    }
    ARROW_ASSIGN_OR_RAISE(auto location, At(drop.name.pos, FindTable(drop.name.parts)));
    if (!location) {
      if (drop.if_exists) return StatementResult{};
      return At(drop.name.pos, arrow::Status::Invalid("table '", sql::ToString(drop.name), "' not found"));
    }
    if (drop.name.parts.size() == 2 && Lower(drop.name.parts[0]) == "delta") {
      return At(drop.name.pos, arrow::Status::Invalid("DROP TABLE removes lake tables only; delete a table given by path "
                                                      "with your file tools"));
    }
    // A lake table is managed: dropping it removes its data, as for Spark's managed tables.
    ARROW_RETURN_NOT_OK(location->fs->DeleteDir(location->root));
    return StatementResult{{}, "Dropped table " + location->display_name};
  }

  arrow::Result<StatementResult> Show(const sql::ShowStatement& show) {
    std::optional<std::string> zone;
    if (show.what == sql::ShowKind::kTables || show.what == sql::ShowKind::kViews) {
      if (!show.object.empty()) zone = Lower(show.object.parts.back());
      ARROW_ASSIGN_OR_RAISE(auto names, At(show.pos, show.what == sql::ShowKind::kTables ? lake_->ListTables(zone)
                                                                                         : lake_->ListViews(zone)));
      std::vector<std::vector<std::string>> rows;
      for (const auto& n : names) {
        auto dot = n.find('.');
        rows.push_back({n.substr(0, dot), n.substr(dot + 1)});
      }
      if (show.what == sql::ShowKind::kViews && !zone) {
        for (const auto& [_, view] : temp_views_) rows.push_back({"", view.name});
      }
      StatementResult result;
      ARROW_ASSIGN_OR_RAISE(result.rows, (StringRows({"zone", show.what == sql::ShowKind::kTables ? "table" : "view"}, rows)));
      return result;
    }
    return At(show.pos, arrow::Status::NotImplemented("this SHOW statement is not supported yet"));
  }

  arrow::Result<StatementResult> Describe(const sql::DescribeStatement& describe) {
    ARROW_ASSIGN_OR_RAISE(auto location, At(describe.table.pos, FindTable(describe.table.parts)));
    if (!location) {
      return At(describe.table.pos, arrow::Status::Invalid("table '", sql::ToString(describe.table), "' not found"));
    }
    StatementResult result;
    if (describe.what == sql::DescribeKind::kHistory) {
      ARROW_ASSIGN_OR_RAISE(auto history, delta::History(*location, describe.limit));
      std::vector<std::vector<std::string>> rows;
      for (const auto& h : history) {
        rows.push_back({std::to_string(h.version), std::to_string(h.timestamp_ms), h.operation});
      }
      ARROW_ASSIGN_OR_RAISE(result.rows, (StringRows({"version", "timestamp_ms", "operation"}, rows)));
      return result;
    }
    ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*location));
    std::vector<std::vector<std::string>> rows;
    for (const auto& field : snapshot->schema()->fields()) {
      std::string comment;
      if (field->metadata()) {
        auto c = field->metadata()->Get("comment");
        if (c.ok()) comment = *c;
      }
      rows.push_back({field->name(), field->type()->ToString(), comment});
    }
    ARROW_ASSIGN_OR_RAISE(result.rows, (StringRows({"col_name", "data_type", "comment"}, rows)));
    return result;
  }

  std::shared_ptr<catalog::Lake> lake_;
  SessionOptions options_;
  std::string current_zone_;
  std::map<std::string, std::string> settings_;
  std::map<std::string, sql::ViewDefinition> temp_views_;
};

arrow::Result<std::unique_ptr<Session>> Session::Open(const std::string& root, SessionOptions options) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  ARROW_ASSIGN_OR_RAISE(auto lake, catalog::Lake::Open(root));
  return std::unique_ptr<Session>(new Session(std::make_unique<Impl>(std::move(lake), options)));
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

arrow::Result<StatementResult> Session::Execute(std::string_view sql) { return impl_->Execute(sql); }

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> Session::Query(std::string_view sql) {
  ARROW_ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(sql));
  if (statement->kind != sql::StatementKind::kQuery) {
    return At(statement->pos, arrow::Status::Invalid("Session::Query runs queries only; use Execute for ",
                                                     sql::StatementKindName(statement->kind)));
  }
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  ARROW_ASSIGN_OR_RAISE(auto result, impl_->Run(*statement));
  return result.rows;
}

arrow::Result<std::string> Session::Explain(std::string_view sql) {
  ARROW_ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(sql));
  if (statement->kind != sql::StatementKind::kQuery) {
    return At(statement->pos, arrow::Status::Invalid("EXPLAIN needs a query"));
  }
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  ARROW_ASSIGN_OR_RAISE(auto root, impl_->PlanQuery(*statement->As<sql::QueryStatement>().query));
  return plan::Explain(root);
}

void Session::Set(const std::string& key, const std::string& value) { impl_->Set(key, value); }
std::optional<std::string> Session::Get(const std::string& key) const { return impl_->Get(key); }

}  // namespace tidelake

