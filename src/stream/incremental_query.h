// A query's logical plan run incrementally over streams, batch after batch, so that the rows
// it writes over a whole stream are the rows the same plan gives in batch mode over all of it
// (except late rows, which are dropped and counted).
//
// Stateless operators give the same rows batch by batch as all at once: filters, projections,
// UNION ALL, window assignment (not sessions), joins of a stream (on the left) with tables.
// Tables (an enrichment join's dimension table) are read at their newest version in every batch:
// a batch sees the table as it is when it runs. Each batch runs the plan with the streaming scans
// replaced by the rows the batch read.
//
// Stateful nodes are stream::StatefulOperator objects. Make finds them; each batch runs them
// bottom-up, and the rows each emits in the batch replace its node in the plan above it (as
// literal rows), so they compose:
//  - an aggregation grouped by an event-time window (append mode, WindowedAggregation): a
//    plan::TimeWindowNode under it, through projections and filters; its time column's
//    watermark comes from a WatermarkNode or, over another operator's rows, from that operator
//    (an interval or window join's bounded time columns, a windowed aggregation's window end);
//  - a join of two streams (StreamJoin), with the WHERE right over it: each side any plan
//    over streams whose rows only grow (stateless operators, windowed aggregations, other
//    joins). Both sides' rows are state; a window join or an interval join forgets those no
//    later row can match, by the other side's watermark on the column the condition bounds (a
//    WatermarkNode's event time, a window end computed from one, or a windowed aggregation's
//    window end); a join without a time bound keeps every row. LEFT, RIGHT and FULL OUTER
//    joins, and semi and anti joins (EXISTS, NOT EXISTS), when the condition bounds time on the
//    side whose unmatched rows they write: such a row is written once the other side's
//    watermark rules out a partner (stream/stream_join.h);
//  - an aggregation without a window (update mode, UpdateAggregation): count, sum, min and max,
//    under projections only; the sink upserts its rows on the GROUP BY columns
//    (output_mode() == kUpdate; upsert_keys() names them in the output); and over it, through
//    projections, an aggregation grouped by some of its GROUP BY columns (UpdateRollup, NEXMark
//    q4), which takes its place at the top;
//  - window functions partitioned by an event-time window's end (window_end, or Spark's window
//    struct), over the window's rows (Top-N per window and window deduplication: ROW_NUMBER(),
//    RANK(), DENSE_RANK() ... under a WHERE or QUALIFY on the rank): WindowedAggregation again,
//    running them once over each closed window's rows;
//  - DISTINCT, or a GROUP BY without aggregates, not grouped by a window (Deduplication): each
//    row once, when first seen; and ROW_NUMBER() OVER (PARTITION BY keys ORDER BY t ASC) read only
//    where it is 1 (Deduplication, Flink's keep-first-row): each key's first row by event time,
//    once the watermark of `t` passes it. Their state is the keys written, kept forever unless a
//    key column has a watermark (the event time);
//  - any other ROW_NUMBER() read only where it is 1 (UpdateDeduplication, update mode: keeping
//    each key's last row, ORDER BY t DESC, or its top row by a value): each key's top row, which
//    the sink upserts on the PARTITION BY columns; only projections and that filter may read it.
// An aggregation grouping a windowed aggregation's results by their window end (NEXMark q5's
// maximum per window), and window functions partitioned by that end (NEXMark-style top auctions
// per window), are stateless: every window's rows come in the batch that closes it.
// An operator's watermark is the event time its output is complete up to: a windowed
// aggregation's; for a join, the earliest of the watermarks of its inputs that it follows.
// metrics() reports the earliest of all. Per column (OutputWatermark), a join's bounded time
// columns carry the earlier of their own side's watermark and the other side's shifted by the
// bound, which is what lets a windowed aggregation above it close windows.
// Anything else (sorting, limits, other window functions, ROW_NUMBER() kept beyond row 1 without
// a window, aggregates that do not merge such as count(DISTINCT) or avg without a window, outer
// and anti joins of two streams without a time bound, a windowed aggregation over rows without a watermark on
// its time column, such as an unbounded join's) is refused by Make, naming what would need
// state.
//
// Idle inputs (BatchContext::idle_inputs) reach the joins: each knows the sources under each of
// its sides (StreamJoin::set_side_sources) and lets an idle side follow the other's watermark.
// Late rows go to one late sink per query (set_late_sink): a lone windowed aggregation writes
// its own form, otherwise every operator's go through a LateRowsTable, written once per batch.
//
// An aggregation the query computes twice over the same rows runs once, read in both places
// (stream/shared_subplans.h).
//
// State (each operator's rows, watermark and late-row count) is saved with every commit and
// restored on restart, so a re-run batch computes what it computed the first time. Keyed state
// (the groups of update-mode aggregations and deduplications, the keys a deduplication has
// written, the partial results of windowed aggregations' open windows, the rows a join of two
// streams holds, by join key) shares one memory budget (state_budget()); beyond it, it moves to
// RocksDB (stream/keyed_rows.h). Rows that wait for their windows (sessions, aggregates that do
// not merge, Top-N over window rows) stay in memory.
#pragma once

#include <arrow/result.h>
#include <arrow/table.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "plan/logical_plan.h"
#include "stream/keyed_rows.h"
#include "stream/late_rows.h"
#include "stream/micro_batch.h"
#include "stream/sink.h"
#include "stream/source.h"
#include "stream/stateful_operator.h"
#include "stream/stream_join.h"

namespace tidelake::stream {

class Deduplication;
class WindowedAggregation;

class IncrementalQuery : public Transform {
 public:
  /// `streams`: the streaming scan nodes of `root` (or any nodes a batch's rows replace), with
  /// the name of the source whose rows replace each. Errors say what cannot be streamed.
  static arrow::Result<std::unique_ptr<IncrementalQuery>> Make(
      plan::PlanRoot root, std::map<const plan::LogicalNode*, std::string> streams, exec::ExecOptions options);
  ~IncrementalQuery() override;

  arrow::Result<std::shared_ptr<arrow::Table>> Run(const std::map<std::string, std::shared_ptr<arrow::Table>>& inputs,
                                                   const BatchContext& context) override;
  arrow::Result<std::string> SaveState(const Checkpoint& checkpoint, int64_t batch_id) override;
  arrow::Status RestoreState(const Checkpoint& checkpoint, const std::string& state) override;
  TransformMetrics metrics() const override;

  enum class OutputMode { kAppend, kUpdate };
  OutputMode output_mode() const { return update_ ? OutputMode::kUpdate : OutputMode::kAppend; }
  /// Update mode: the output columns the sink upserts on (the GROUP BY or PARTITION BY columns).
  const std::vector<std::string>& upsert_keys() const { return upsert_keys_; }

  /// The columns of late rows: with one windowed aggregation and no other operator that drops
  /// late rows, the window's input, then late_reason and watermark; with joins of two streams,
  /// deduplications by event time or several windowed aggregations, LateRowsTable::Schema()
  /// (each row whole, as JSON); null when no operator drops late rows.
  std::shared_ptr<arrow::Schema> late_schema() const;
  /// Where late rows go (besides being counted); none: they are dropped. Only for queries with
  /// a late_schema().
  void set_late_sink(std::unique_ptr<Sink> sink);
  /// The memory budget of the keyed state (set it before the first batch).
  StateBudget& state_budget() { return *budget_; }
  /// Per source, the columns of its rows the query's answer depends on (by the optimizer's
  /// column pruning of the whole plan) and, of its struct columns that the query reads only
  /// through field accesses, the fields read (plan::StructFieldsRead); a source may leave the
  /// rest null (Source::ReadOnly). Not for queries whose late rows go to a table: those rows
  /// are written whole.
  arrow::Result<std::map<std::string, ColumnSubset>> ColumnsRead() const;

 private:
  IncrementalQuery(plan::PlanRoot root, std::map<const plan::LogicalNode*, std::string> streams,
                   exec::ExecOptions options);

  /// The plan's table scans at their newest versions, where they moved (by node).
  arrow::Status RefreshTables(Replacements* replacements);
  /// Finds the stateful operators under `node` (appending them bottom-up to operators_) and
  /// checks every other operator is stateless. `*streams`: whether `node`'s rows stream. A
  /// node read in two places (a shared aggregation) is analyzed once.
  arrow::Status Analyze(const plan::NodePtr& node, bool* streams);
  arrow::Status AnalyzeNode(const plan::NodePtr& node, bool* streams);
  arrow::Status AnalyzeAggregate(const plan::NodePtr& node, bool* streams);
  arrow::Status AnalyzeWindowFunction(const plan::NodePtr& node, bool* streams);
  /// Adds the operator running `node` (an aggregation or window functions) over the closed
  /// windows of `window`; `operators_below`: the operators before its input was analyzed.
  arrow::Status AddWindowed(const plan::NodePtr& node, const plan::TimeWindowNode* window, size_t operators_below);
  /// Where the watermark of output `field` of `side` (a join's input) comes from, if it has
  /// one: a WatermarkNode's event time, a window end computed from one, or the window end of a
  /// windowed aggregation under it.
  std::optional<ColumnWatermark> WatermarkOf(const plan::LogicalNode& side, std::string field) const;
  /// True when `aggregate` groups the output of a windowed aggregation (through projections and
  /// filters) by its window end: each batch then holds every row of the windows it groups.
  bool GroupsClosedWindows(const plan::LogicalNode& aggregate) const;
  /// True when all the rows with one value of output `field` of `node` come in one batch: it
  /// determines (through projections, filters and window functions) a window end a windowed
  /// operator emits, which emits each window's rows in the batch that closes it.
  bool ComesWhole(const plan::LogicalNode& node, const std::string& field) const;
  /// WatermarkOf, for the operators that ask for their inputs' watermarks.
  ColumnWatermarkOf WatermarkFinder() const;

  plan::PlanRoot root_;
  std::map<const plan::LogicalNode*, std::string> streams_;
  exec::ExecOptions options_;
  std::shared_ptr<StateBudget> budget_;  ///< shared by the operators' keyed rows

  std::vector<std::unique_ptr<StatefulOperator>> operators_;  ///< bottom-up: inputs before readers
  std::vector<WindowedAggregation*> windowed_;                ///< those that are windowed aggregations
  std::vector<StreamJoin*> joins_;                            ///< those that are joins of two streams
  std::vector<Deduplication*> deduplications_;                ///< deduplications that drop late rows
  std::unique_ptr<LateRowsTable> late_;                       ///< late rows of several operators, if routed
  StatefulOperator* update_ = nullptr;  ///< the operator in update mode, if any
  std::string update_what_;             ///< what it is, for errors
  /// Its upsert keys, each as the names its output carries it under.
  std::vector<std::vector<std::string>> update_keys_;
  std::vector<std::string> upsert_keys_;
  std::vector<const plan::TableScanNode*> tables_;  ///< scans of tables (not streams) in root_
  std::map<const plan::LogicalNode*, plan::NodePtr> filter_over_;  ///< joins in root_: the FilterNode over each
  std::set<const plan::LogicalNode*> first_rows_;  ///< WindowNodes read only where ROW_NUMBER() = 1
  std::set<std::string> committed_files_;           ///< the state files the last commit names
  std::map<const plan::LogicalNode*, bool> analyzed_;  ///< nodes analyzed: whether their rows stream
};

}  // namespace tidelake::stream
