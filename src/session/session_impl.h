// Session::Impl: the state of one session (lake, current zone, settings, temporary views) and
// the statement runners, one file per family:
//   session.cc      parsing, dispatch, queries, settings, the binder's view of the catalog
//   ddl.cc          CREATE TABLE [OR REPLACE | IF NOT EXISTS] [AS], CREATE VIEW, DROP
//   alter.cc        ALTER TABLE ADD COLUMNS / SET | UNSET TBLPROPERTIES / RENAME | DROP COLUMN
//   insert.cc       INSERT INTO | OVERWRITE [PARTITION (..)] [(cols)] [REPLACE WHERE]
//   insert_flow.cc  INSERT INTO t SELECT .. FROM STREAM(..): a query that streams into a table
//   maintenance.cc  OPTIMIZE, VACUUM, RESTORE
//   analyze.cc      ANALYZE TABLE, and the statistics the planner asks for
//   describe.cc     DESCRIBE [EXTENDED | DETAIL | HISTORY], SHOW ...
//   explain.cc      EXPLAIN [EXTENDED | FORMATTED] of queries and of the query part of
//                   CTAS, INSERT, DELETE, UPDATE and MERGE
//   dml.cc          DELETE, UPDATE, MERGE (free functions, see dml.h)
//   streaming.cc    CREATE [OR REFRESH] STREAMING TABLE, REFRESH STREAMING TABLE
//   sources.cc      CREATE SOURCE, DROP SOURCE, sources in the binder and in batch queries
//                   (DESCRIBE SOURCE and SHOW SOURCES are in describe.cc)
//   connector_tables.cc  CREATE TABLE t (..) WITH ('connector' = 'blackhole'), DROP TABLE of
//                   one, and the batch INSERT into one (a streaming one runs as insert_flow.cc's)
// Impl is used from one thread at a time (Session is not thread-safe).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/lake.h"
#include "exec/executor.h"
#include "plan/logical_plan.h"
#include "sql/ast.h"
#include "sql/binder.h"
#include "sql/binder_catalog.h"
#include "stream/micro_batch.h"
#include "tidelake/session.h"

namespace tidelake {

class Session::Impl : public sql::BinderCatalog {
 public:
  Impl(std::shared_ptr<catalog::Lake> lake, SessionOptions options) : lake_(std::move(lake)), options_(options) {}

  // ---- BinderCatalog
  arrow::Result<std::optional<delta::TableLocation>> FindTable(const std::vector<std::string>& name) override;
  arrow::Result<std::optional<sql::ViewDefinition>> FindView(const std::vector<std::string>& name) override;
  arrow::Result<std::optional<plan::TableStatistics>> TableStatistics(const delta::Snapshot& snapshot) override;
  arrow::Result<std::optional<sql::SourceDescription>> FindSource(const std::vector<std::string>& name) override;

  // ---- statements
  arrow::Result<StatementResult> Execute(std::string_view text);
  arrow::Result<StatementResult> Run(const sql::Statement& statement);
  arrow::Result<plan::PlanRoot> PlanQuery(const sql::Query& query);
  arrow::Result<StatementResult> RunQuery(const sql::Query& query);
  /// The EXPLAIN text of `statement` (a query, or a statement with a query part).
  arrow::Result<std::string> ExplainText(const sql::Statement& statement, sql::ExplainMode mode);

  void Set(const std::string& key, const std::string& value);
  std::optional<std::string> Get(const std::string& key) const;

 private:
  // ---- names (session.cc)
  arrow::Result<std::vector<catalog::TableName>> Candidates(const std::vector<std::string>& name) const;
  arrow::Result<catalog::TableName> TargetName(const sql::ObjectName& name) const;
  arrow::Result<delta::TableLocation> NewTableLocation(const sql::ObjectName& name);
  /// The existing table `name` names; "line L:C: table 'x' not found" otherwise.
  arrow::Result<delta::TableLocation> RequireTable(const sql::ObjectName& name);
  /// The lake name of a table location (zone.table), or nothing for a table given by path.
  std::optional<catalog::TableName> LakeNameOf(const delta::TableLocation& location) const;
  /// A boolean session setting (true/false, case-insensitive), `fallback` when unset.
  bool BoolSetting(const std::string& key, bool fallback) const;
  exec::ExecOptions ExecutionOptions() const;
  /// Evaluates a constant expression (no columns), e.g. a time-travel target.
  arrow::Result<std::shared_ptr<arrow::Scalar>> EvaluateConstant(const sql::Expr& expr);

  // ---- statements, one family per file
  arrow::Result<StatementResult> CreateTable(const sql::CreateTableStatement& create);
  arrow::Result<StatementResult> CreateView(const sql::CreateViewStatement& create);
  arrow::Result<StatementResult> Drop(const sql::DropStatement& drop);
  arrow::Result<StatementResult> AlterTable(const sql::AlterTableStatement& alter);
  arrow::Result<StatementResult> Insert(const sql::InsertStatement& insert);
  arrow::Result<StatementResult> RunDml(const sql::Statement& statement);
  arrow::Result<StatementResult> Optimize(const sql::OptimizeStatement& optimize);
  arrow::Result<StatementResult> Vacuum(const sql::VacuumStatement& vacuum);
  arrow::Result<StatementResult> Restore(const sql::RestoreStatement& restore);
  arrow::Result<StatementResult> Analyze(const sql::AnalyzeStatement& analyze);
  arrow::Result<StatementResult> Describe(const sql::DescribeStatement& describe);
  arrow::Result<StatementResult> DescribeColumn(const sql::DescribeStatement& describe, const delta::Snapshot& snapshot);
  arrow::Result<StatementResult> Show(const sql::ShowStatement& show);
  arrow::Result<StatementResult> CreateStreamingTable(const sql::CreateTableStatement& create);
  arrow::Result<StatementResult> Refresh(const sql::RefreshStatement& refresh);
  arrow::Result<StatementResult> CreateSource(const sql::CreateSourceStatement& create);
  arrow::Result<StatementResult> DropSource(const sql::DropStatement& drop);
  arrow::Result<StatementResult> DescribeSource(const sql::DescribeStatement& describe);
  arrow::Result<StatementResult> CreateConnectorTable(const sql::CreateTableStatement& create);
  /// DROP TABLE of a connector table: its definition, and the INSERT stored for it with its
  /// checkpoint. Nothing when `drop` names none.
  arrow::Result<std::optional<StatementResult>> DropConnectorTable(const sql::DropStatement& drop);
  /// A batch INSERT into connector table `table`: runs the query, writes its rows to the table's sink.
  arrow::Result<StatementResult> InsertIntoConnectorTable(const sql::InsertStatement& insert,
                                                          const catalog::SourceDefinition& table);

  // ---- connector definitions (connector_tables.cc): sources and connector tables share them
  /// The definition `name` names, a source or a connector table, with no check of its connector.
  arrow::Result<std::optional<catalog::SourceDefinition>> FindConnectorDefinition(const std::vector<std::string>& name);
  /// The connector table (a definition whose connector writes, stream/sink_factory.h) `name`
  /// names, if any.
  arrow::Result<std::optional<catalog::SourceDefinition>> FindConnectorTable(const std::vector<std::string>& name);

  // ---- sources (sources.cc)
  /// `root` with each source it reads replaced by the rows the source holds now (from where a
  /// new streaming query would start to the end): a batch query over a source.
  arrow::Result<plan::PlanRoot> ReadSourcesNow(plan::PlanRoot root);

  // ---- streaming tables (streaming.cc)
  /// A streaming table's query, bound (not optimized), with its STREAM scans (nodes of root).
  struct StreamingPlan {
    plan::PlanRoot root;
    std::vector<const plan::TableScanNode*> scans;
    std::vector<const plan::SourceScanNode*> sources;  ///< sources read by name (CREATE SOURCE)
    std::shared_ptr<arrow::Schema> late_schema;  ///< windowed queries: the columns of late rows
    bool upserts = false;  ///< update mode: the rows are each group's latest result
  };
  arrow::Result<StreamingPlan> PlanStreamingQuery(const sql::Query& query, const sql::SourcePos& pos);
  /// The statement a streaming table's rows come from: its query (CREATE STREAMING TABLE) or a
  /// streaming INSERT into it; nothing for a plain table.
  arrow::Result<std::unique_ptr<sql::Statement>> StoredStreamingStatement(const catalog::TableName& name,
                                                                         const sql::SourcePos& pos);
  /// Creates `<table>_late` when the table's TBLPROPERTIES send late rows there.
  arrow::Status EnsureLateTable(const catalog::TableName& name, const std::shared_ptr<arrow::Schema>& late_schema,
                                const sql::SourcePos& pos);
  arrow::Result<StatementResult> RefreshStreamingTable(const catalog::TableName& name, const sql::SourcePos& pos);
  /// Stream Analytics' SELECT ... INTO output: CREATE OR REFRESH STREAMING TABLE output AS it.
  arrow::Result<StatementResult> RunSelectInto(const sql::Query& query, const sql::ObjectName& into);

  // ---- streaming INSERT (insert_flow.cc)
  /// Whether `insert` streams: its query reads STREAM(...), or, in streaming runtime mode
  /// (SET execution.runtime-mode = streaming, as `stream run` does), a declared source.
  arrow::Result<bool> InsertStreams(const sql::InsertStatement& insert);
  arrow::Result<StatementResult> InsertFromStream(const sql::InsertStatement& insert);
  /// A streaming INSERT's query, planned, and the fields its columns are written as.
  struct InsertFlowPlan {
    StreamingPlan plan;
    arrow::FieldVector fields;
    /// The connector table it writes (connector_tables.cc), if it writes one; else a Delta table.
    std::optional<catalog::SourceDefinition> connector_table;
  };
  arrow::Result<InsertFlowPlan> PlanInsertFlow(const sql::InsertStatement& insert);

 public:
  arrow::Status RunStreamingTable(const std::string& name, const StreamingRun& run,
                                  const std::function<void(const StreamingBatch&)>& on_batch,
                                  const std::atomic<bool>* stop);

 private:
  /// The runner of streaming table `name`'s query (errors positioned at `pos`).
  arrow::Result<std::unique_ptr<stream::MicroBatchRunner>> StreamingRunner(const catalog::TableName& name,
                                                                          const sql::SourcePos& pos);

  // ---- EXPLAIN helpers (explain.cc)
  arrow::Result<plan::PlanRoot> PlanOfStatement(const sql::Statement& statement);
  arrow::Result<plan::PlanRoot> PlanOfDml(const sql::Statement& statement);

  std::shared_ptr<catalog::Lake> lake_;
  SessionOptions options_;
  std::string current_zone_;
  std::map<std::string, std::string> settings_;
  std::map<std::string, sql::ViewDefinition> temp_views_;
};

namespace session {

/// The schema of a column list (CREATE TABLE, CREATE SOURCE); a column defined twice is an
/// error at its position.
arrow::Result<std::shared_ptr<arrow::Schema>> SchemaOfColumns(const std::vector<sql::ColumnDefinition>& columns);

/// The WITH (...) options of a connector's source or table: `connector` (lower-cased) and the
/// others as written, with each option by its lower-case key (for error positions). An option
/// given twice is an error at its position; a missing `connector` leaves `connector` null.
struct ConnectorOptions {
  std::string connector;
  std::map<std::string, std::string> options;
  std::map<std::string, const sql::TableProperty*> by_key;
  const sql::TableProperty* connector_option = nullptr;
};
arrow::Result<ConnectorOptions> ReadConnectorOptions(const std::vector<sql::TableProperty>& options);

}  // namespace session
}  // namespace tidelake
