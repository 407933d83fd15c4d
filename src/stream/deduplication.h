// Deduplication of a stream: each key's row is written once (append mode, Deduplication), or
// kept up to date (update mode, UpdateDeduplication). The SQL forms:
//
//  - DISTINCT (Spark's streaming `SELECT DISTINCT ...`, or a GROUP BY without aggregates), not
//    grouped by an event-time window: the key is every selected column. A row is written in the
//    batch that first sees its key: no later row can change it, so no watermark is needed.
//  - the first row of each key by event time (Flink's deduplication keeping the first row):
//    `ROW_NUMBER() OVER (PARTITION BY keys ORDER BY t ASC) AS rn` under a WHERE or QUALIFY that
//    keeps only `rn = 1`, where `t` has a watermark. Each key's earliest row so far waits in the
//    state until the watermark passes its time (no row can come earlier then, except late ones);
//    then it is written, with rn = 1, and only its key stays.
//  - any other ROW_NUMBER() = 1 (Flink's deduplication keeping the last row, ORDER BY t DESC;
//    the top row of each key by a value, ORDER BY price DESC; event time without a watermark):
//    no row is final while rows may come, so it runs in update mode. The state is each key's
//    current top row; each batch ranks it with the batch's rows and emits the top rows of the
//    keys the batch had rows for, which the sink upserts on the PARTITION BY columns. A key's
//    row only changes to a better one and keys never go, so upserts suffice; over a whole
//    stream the table holds the batch answer.
//
// Late rows (append mode): in the first-row form a row whose time is behind the watermark (or
// NULL: the watermark cannot place it) is dropped and counted, since an earlier row of its key
// may have been written already; so every row written later has a time at or above the
// watermark, which is the output watermark of `t`. A later row of a key already written is not
// late: it is simply not the first. With a late table (set_late_rows) late rows also go there,
// whole, with the reason.
//
// State: in both append forms, when a key column has a watermark (the event time itself), keys
// behind it are forgotten, and rows behind it are late (their key may be forgotten). Other keys
// are kept forever, as Flink keeps them without a state TTL: the state grows with the number of
// distinct keys (in update mode too, with a row per key). The keys (update mode: the top rows)
// are KeyedRows, which move to RocksDB when the query's state outgrows its memory budget. Flink's
// window deduplication has the window in its key (PARTITION BY window_start, window_end, ...):
// it runs as a window function over closed windows instead (see WindowedAggregation), whose
// state goes when the window closes.
//
// Invariants: in append mode a key is written at most once while it is remembered; the state
// after a batch is what SaveState records. One thread calls an operator.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "stream/keyed_rows.h"
#include "stream/late_rows.h"
#include "stream/stateful_operator.h"
#include "stream/stream_join.h"

namespace tidelake::stream {

/// The WindowNodes of `root` every reader of which keeps only the rows its ROW_NUMBER()
/// numbers 1: a WHERE or QUALIFY above it (through projections) with a conjunct `rn = 1`,
/// `rn <= 1` or `rn < 2` (either way round) on its call.
std::set<const plan::LogicalNode*> FirstRowsOnly(const plan::NodePtr& root);

/// The operator for `window`, a WindowNode over a stream not partitioned by an event-time
/// window, whose readers keep only the rows its ROW_NUMBER() numbers 1 when `first_rows_only`
/// (FirstRowsOnly): a Deduplication when it orders by one column with a watermark, ascending;
/// else an UpdateDeduplication. Fails, naming what would need state, for other window functions
/// or when the readers keep other rows.
arrow::Result<std::unique_ptr<StatefulOperator>> DeduplicateRows(plan::NodePtr window, bool first_rows_only,
                                                                 const ColumnWatermarkOf& watermark_of,
                                                                 exec::ExecOptions options,
                                                                 std::shared_ptr<StateBudget> budget = nullptr);

/// True when every conjunct of `filter`'s predicate keeps only the rows the ROW_NUMBER() of
/// `window` numbers 1 (`rn = 1` and the like; through projections).
bool KeepsOnlyRowOne(const plan::LogicalNode& filter, const plan::LogicalNode& window);

class Deduplication : public StatefulOperator {
 public:
  /// `aggregate`: an AggregateNode without aggregates or grouping sets (DISTINCT). A key
  /// column with a watermark (`watermark_of` its input) bounds the state.
  static arrow::Result<std::unique_ptr<Deduplication>> Distinct(plan::NodePtr aggregate,
                                                                const ColumnWatermarkOf& watermark_of,
                                                                exec::ExecOptions options,
                                                                std::shared_ptr<StateBudget> budget = nullptr);
  /// `window`: a WindowNode with one ROW_NUMBER() call, partitioned, ordered by one column
  /// ascending whose watermark is `time` (DeduplicateRows checks the rest).
  static std::unique_ptr<Deduplication> FirstRow(plan::NodePtr window, ColumnWatermark time,
                                                 exec::ExecOptions options,
                                                 std::shared_ptr<StateBudget> budget = nullptr);

  const plan::LogicalNode* node() const override { return node_.get(); }
  arrow::Result<std::shared_ptr<arrow::Table>> Run(const Replacements& below, const BatchContext& context) override;
  std::optional<int64_t> watermark() const override { return time_ ? watermark_ : std::nullopt; }
  /// The event-time column (the first-row form's ORDER BY column, or a key column).
  bool HasOutputWatermark(const std::string& field) const override;
  std::optional<int64_t> OutputWatermark(const std::string& field) const override {
    return HasOutputWatermark(field) ? watermark_ : std::nullopt;
  }
  int64_t state_rows() const override { return (waiting_ ? waiting_->num_rows() : 0) + seen_.num_rows(); }
  int64_t late_rows() const override { return late_rows_; }
  arrow::Result<nlohmann::json> SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                          std::set<std::string>* files) override;
  arrow::Status RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                             std::set<std::string>* files) override;

  /// Whether rows can be late: in the first-row form, or with the time among the keys.
  bool HasLateRows() const { return time_ && (first_row_ || time_->key_field); }
  /// Where late rows go besides being counted (not owned; null: dropped).
  void set_late_rows(LateRowsTable* late) { late_ = late; }

 private:
  /// The event-time column the operator follows, in its input.
  struct Time {
    std::string field;
    ColumnWatermark source;
    /// The seen keys' column holding the same time, if any: keys behind the watermark go.
    std::optional<std::string> key_field;
    /// The output columns holding it (the first-row form: the column the binder copied for the
    /// ORDER BY, too); they carry the watermark.
    std::set<std::string> output_fields;
    std::string display;  ///< its name for people
  };

  Deduplication(plan::NodePtr node, std::vector<std::string> keys, std::optional<Time> time, bool first_row,
                exec::ExecOptions options, std::shared_ptr<StateBudget> budget);

  /// The rows of `fresh` that are not late; counts the others (and routes them to late_).
  arrow::Result<std::shared_ptr<arrow::Table>> DropLate(const std::shared_ptr<arrow::Table>& fresh);
  /// Moves the watermark on from the batch's rows `fresh`.
  arrow::Status Advance(const arrow::Table& fresh, const BatchContext& context);
  /// The keys of `rows` (input rows), as the seen keys hold them.
  arrow::Result<std::shared_ptr<arrow::Table>> KeysOf(const std::shared_ptr<arrow::Table>& rows) const;
  /// Remembers `keys`; forgets those behind the watermark when the time is a key column.
  arrow::Status Remember(const std::shared_ptr<arrow::Table>& keys);
  /// The first-row form: the batch's earliest row of each new key replaces the key's waiting
  /// row if it comes first, and the waiting rows the watermark has passed are emitted.
  arrow::Result<std::shared_ptr<arrow::Table>> RunFirstRow(const std::shared_ptr<arrow::Table>& fresh,
                                                           const BatchContext& context);

  plan::NodePtr node_;                 ///< the AggregateNode or the WindowNode
  std::vector<std::string> keys_;      ///< the key columns, in the node's input
  std::shared_ptr<arrow::Schema> key_schema_;  ///< the seen keys' columns
  std::optional<Time> time_;
  bool first_row_;
  exec::ExecOptions options_;
  LateRowsTable* late_ = nullptr;
  std::vector<int> late_columns_;  ///< the input's columns late rows show

  /// The first-row form: each unwritten key's earliest row (the node's input), keyed by the
  /// PARTITION BY columns; in RocksDB beyond the state budget.
  std::unique_ptr<KeyedRows> waiting_;
  /// At or before the earliest time of waiting_ (unknown after a restore): no waiting row has
  /// passed a watermark before it.
  std::optional<int64_t> earliest_waiting_;
  KeyedRows seen_;     ///< the keys written (key_schema_)
  std::optional<int64_t> watermark_;
  std::optional<int64_t> max_time_;
  int64_t late_rows_ = 0;
};

/// ROW_NUMBER() = 1 in update mode (see the top of this file): each key's top row, upserted.
class UpdateDeduplication : public StatefulOperator {
 public:
  /// `window`: a WindowNode with one ROW_NUMBER() call, partitioned (DeduplicateRows checks).
  UpdateDeduplication(plan::NodePtr window, exec::ExecOptions options, std::shared_ptr<StateBudget> budget = nullptr)
      : window_(std::move(window)),
        options_(options),
        top_(window_->inputs[0]->schema, window_->As<plan::WindowNode>().partition_by, std::move(budget), options) {}

  /// For each PARTITION BY column, the names the window's output carries it under (the copy the
  /// binder makes for the window, and the column it copies): the sink upserts on them.
  std::vector<std::vector<std::string>> KeyColumns() const;

  const plan::LogicalNode* node() const override { return window_.get(); }
  arrow::Result<std::shared_ptr<arrow::Table>> Run(const Replacements& below, const BatchContext& context) override;
  std::optional<int64_t> watermark() const override { return std::nullopt; }
  int64_t state_rows() const override { return top_.num_rows(); }
  arrow::Result<nlohmann::json> SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                          std::set<std::string>* files) override;
  arrow::Status RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                             std::set<std::string>* files) override;

 private:
  plan::NodePtr window_;
  exec::ExecOptions options_;
  KeyedRows top_;  ///< each key's top row so far (the window's input)
};

}  // namespace tidelake::stream
