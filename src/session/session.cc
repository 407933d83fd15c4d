// tidelake::Session: parses a statement, binds it against the lake (and the session's temporary
// views), and runs it — queries through the planner and the batch executor, catalog and table
// statements directly against catalog::Lake and the Delta engine. This file holds the dispatch,
// queries, settings and name resolution; the statement families live in their own files (see
// session_impl.h).
#include "tidelake/session.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include "common/arrow_init.h"
#include "common/clock.h"
#include "common/error.h"
#include "delta/table.h"
#include "plan/optimizer.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "sql/ast_printer.h"
#include "sql/parser.h"
#include "stream/sink_factory.h"

namespace tidelake {

using session::At;
using session::Lower;
using session::StringRows;

namespace {

// Flink writes SET 'key' = 'value': the quotes are not part of either.
std::string Unquoted(const std::string& text) {
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') && text.back() == text.front()) {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

}  // namespace

// ---- BinderCatalog

arrow::Result<std::optional<delta::TableLocation>> Session::Impl::FindTable(const std::vector<std::string>& name) {
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

arrow::Result<std::optional<sql::ViewDefinition>> Session::Impl::FindView(const std::vector<std::string>& name) {
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

arrow::Result<StatementResult> Session::Impl::Execute(std::string_view text) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  ARROW_ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(text));
  return Run(*statement);
}

arrow::Result<plan::PlanRoot> Session::Impl::PlanQuery(const sql::Query& query) {
  sql::Binder binder(this, plan::FunctionContext{NowMillis() * 1000});
  ARROW_ASSIGN_OR_RAISE(auto root, binder.BindQuery(query));
  return plan::Optimize(std::move(root));
}

exec::ExecOptions Session::Impl::ExecutionOptions() const {
  exec::ExecOptions exec_options;
  exec_options.memory_limit_bytes = options_.memory_limit_bytes;
  exec_options.use_threads = options_.use_threads;
  return exec_options;
}

arrow::Result<StatementResult> Session::Impl::RunQuery(const sql::Query& query) {
  ARROW_ASSIGN_OR_RAISE(auto root, PlanQuery(query));
  ARROW_ASSIGN_OR_RAISE(root, ReadSourcesNow(std::move(root)));
  ARROW_ASSIGN_OR_RAISE(auto reader, exec::Execute(root, ExecutionOptions()));
  StatementResult result;
  result.rows = std::move(reader);
  result.ordered = root.ordered;
  return result;
}

arrow::Result<StatementResult> Session::Impl::Run(const sql::Statement& statement) {
  using sql::StatementKind;
  switch (statement.kind) {
    case StatementKind::kQuery: {
      const sql::Query& query = *statement.As<sql::QueryStatement>().query;
      if (const sql::ObjectName* into = query.Into()) return RunSelectInto(query, *into);
      return RunQuery(query);
    }
    case StatementKind::kExplain: {
      const auto& explain = statement.As<sql::ExplainStatement>();
      ARROW_ASSIGN_OR_RAISE(auto text, ExplainText(*explain.statement, explain.mode));
      StatementResult result;
      ARROW_ASSIGN_OR_RAISE(result.rows, (StringRows({"plan"}, {{text}})));
      return result;
    }
    case StatementKind::kCreateTable: {
      const auto& create = statement.As<sql::CreateTableStatement>();
      if (create.with_pos) return CreateConnectorTable(create);
      return create.streaming ? CreateStreamingTable(create) : CreateTable(create);
    }
    case StatementKind::kRefresh:
      return Refresh(statement.As<sql::RefreshStatement>());
    case StatementKind::kCreateSource:
      return CreateSource(statement.As<sql::CreateSourceStatement>());
    case StatementKind::kInsert: {
      const auto& insert = statement.As<sql::InsertStatement>();
      ARROW_ASSIGN_OR_RAISE(bool streams, InsertStreams(insert));
      if (streams) return InsertFromStream(insert);
      ARROW_ASSIGN_OR_RAISE(auto connector_table, At(insert.table.pos, FindConnectorTable(insert.table.parts)));
      if (connector_table) return InsertIntoConnectorTable(insert, *connector_table);
      return Insert(insert);
    }
    case StatementKind::kDelete:
    case StatementKind::kUpdate:
    case StatementKind::kMerge:
      return RunDml(statement);
    case StatementKind::kCreateView:
      return CreateView(statement.As<sql::CreateViewStatement>());
    case StatementKind::kDrop:
      return Drop(statement.As<sql::DropStatement>());
    case StatementKind::kAlterTable:
      return AlterTable(statement.As<sql::AlterTableStatement>());
    case StatementKind::kOptimize:
      return Optimize(statement.As<sql::OptimizeStatement>());
    case StatementKind::kVacuum:
      return Vacuum(statement.As<sql::VacuumStatement>());
    case StatementKind::kRestore:
      return Restore(statement.As<sql::RestoreStatement>());
    case StatementKind::kAnalyze:
      return Analyze(statement.As<sql::AnalyzeStatement>());
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
        auto value = Get(Unquoted(set.key));
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
      break;  // statement kinds the parser learns before the session does
  }
  return At(statement.pos, arrow::Status::NotImplemented(sql::StatementKindName(statement.kind),
                                                         " statements are not supported yet"));
}

void Session::Impl::Set(const std::string& key, const std::string& value) {
  settings_[Lower(Unquoted(key))] = Unquoted(value);
}

std::optional<std::string> Session::Impl::Get(const std::string& key) const {
  auto it = settings_.find(Lower(key));
  if (it == settings_.end()) return std::nullopt;
  return it->second;
}

bool Session::Impl::BoolSetting(const std::string& key, bool fallback) const {
  auto value = Get(key);
  if (!value) return fallback;
  std::string v = Lower(*value);
  if (v == "true") return true;
  if (v == "false") return false;
  return fallback;
}

// ---- names

// The lake names an unqualified or zone-qualified name may mean, in search order.
arrow::Result<std::vector<catalog::TableName>> Session::Impl::Candidates(const std::vector<std::string>& name) const {
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
arrow::Result<catalog::TableName> Session::Impl::TargetName(const sql::ObjectName& name) const {
  if (name.parts.size() == 1) {
    return catalog::TableName::Parse((current_zone_.empty() ? std::string("curated") : current_zone_) + "." +
                                     name.parts[0]);
  }
  if (name.parts.size() == 2) return catalog::TableName::Parse(name.parts[0] + "." + name.parts[1]);
  return arrow::Status::Invalid("'", sql::ToString(name), "' is not a zone.name");
}

// The lake location for a new table (zone.table, a bare name in the current zone, or delta.`path`).
arrow::Result<delta::TableLocation> Session::Impl::NewTableLocation(const sql::ObjectName& name) {
  if (name.parts.size() == 2 && Lower(name.parts[0]) == "delta") return lake_->Resolve("delta.`" + name.parts[1] + "`");
  ARROW_ASSIGN_OR_RAISE(auto target, TargetName(name));
  ARROW_ASSIGN_OR_RAISE(auto view, lake_->FindView(target));
  if (view) return arrow::Status::Invalid("'", target.ToString(), "' is a view");
  ARROW_ASSIGN_OR_RAISE(auto source, lake_->FindSource(target));
  if (source && stream::IsSinkConnector(source->connector)) {
    return arrow::Status::Invalid("'", target.ToString(), "' is a ", source->connector, " table");
  }
  if (source) return arrow::Status::Invalid("'", target.ToString(), "' is a source");
  return lake_->Resolve(target.ToString());
}

arrow::Result<delta::TableLocation> Session::Impl::RequireTable(const sql::ObjectName& name) {
  ARROW_ASSIGN_OR_RAISE(auto location, At(name.pos, FindTable(name.parts)));
  if (!location) {
    ARROW_ASSIGN_OR_RAISE(auto view, At(name.pos, FindView(name.parts)));
    if (view) return At(name.pos, arrow::Status::Invalid("'", sql::ToString(name), "' is a view, not a table"));
    ARROW_ASSIGN_OR_RAISE(auto source, At(name.pos, FindConnectorDefinition(name.parts)));
    if (source && stream::IsSinkConnector(source->connector)) {
      return At(name.pos, arrow::Status::Invalid("'", sql::ToString(name), "' is a ", source->connector,
                                                 " table (a connector table), not a Delta table"));
    }
    if (source) return At(name.pos, arrow::Status::Invalid("'", sql::ToString(name), "' is a source, not a table"));
    return At(name.pos, arrow::Status::Invalid("table '", sql::ToString(name), "' not found"));
  }
  return *location;
}

std::optional<catalog::TableName> Session::Impl::LakeNameOf(const delta::TableLocation& location) const {
  if (catalog::IsPathReference(location.display_name)) return std::nullopt;
  auto name = catalog::TableName::Parse(location.display_name);
  if (!name.ok()) return std::nullopt;
  // The name must lead to this location (a managed table, or an external one registered for it).
  auto resolved = lake_->Resolve(name->ToString());
  if (!resolved.ok() || resolved->root != location.root) return std::nullopt;
  return *name;
}

arrow::Result<std::shared_ptr<arrow::Scalar>> Session::Impl::EvaluateConstant(const sql::Expr& expr) {
  sql::Binder binder(this, plan::FunctionContext{NowMillis() * 1000});
  sql::BoundRelation nothing;
  auto node = std::make_shared<plan::ValuesNode>();
  node->schema = arrow::schema({});
  nothing.node = node;
  ARROW_ASSIGN_OR_RAISE(auto bound, binder.BindExpression(expr, nothing));
  ARROW_ASSIGN_OR_RAISE(auto value, At(expr.pos, arrow::compute::ExecuteScalarExpression(
                                                     bound, arrow::compute::ExecBatch({}, 1))));
  if (value.is_scalar()) return value.scalar();
  return value.make_array()->GetScalar(0);
}

// ---- Session

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
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  if (statement->kind == sql::StatementKind::kExplain) {
    const auto& explain = statement->As<sql::ExplainStatement>();
    return impl_->ExplainText(*explain.statement, explain.mode);
  }
  return impl_->ExplainText(*statement, sql::ExplainMode::kDefault);
}

arrow::Status Session::RunStreamingTable(const std::string& name, const StreamingRun& run,
                                         const std::function<void(const StreamingBatch&)>& on_batch,
                                         const std::atomic<bool>* stop) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  return impl_->RunStreamingTable(name, run, on_batch, stop);
}

void Session::Set(const std::string& key, const std::string& value) { impl_->Set(key, value); }
std::optional<std::string> Session::Get(const std::string& key) const { return impl_->Get(key); }

}  // namespace tidelake
