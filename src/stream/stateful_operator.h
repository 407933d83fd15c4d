// A stateful node of a streaming query's plan (a windowed aggregation, an aggregation in update
// mode, a join of two streams): the incremental query runs each one once per batch, bottom-up,
// and what it emits in the batch replaces its node in the plan above it, as literal rows. So
// operators compose: a join's sides may be windowed aggregations, an aggregation may read a
// join.
//
// Invariants: an operator's output is an append-only stream of rows with its node's schema
// (update mode excepted: its rows are upserts, so it sits at the top of a plan); its watermark
// never moves back; its state after a batch is what SaveState records, and RestoreState of that
// record gives back an operator that computes the same next batch. One thread calls it.
#pragma once

#include <arrow/result.h>
#include <arrow/table.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "plan/logical_plan.h"
#include "stream/checkpoint.h"
#include "stream/micro_batch.h"
#include "stream/plan_rows.h"

namespace tidelake::stream {

class StatefulOperator {
 public:
  virtual ~StatefulOperator() = default;

  /// The plan node whose rows this operator's output stands in for.
  virtual const plan::LogicalNode* node() const = 0;
  /// The rows the node emits in this batch. `below` replaces the streams' scans by the batch's
  /// rows and the operators under this one by what they emitted in it.
  virtual arrow::Result<std::shared_ptr<arrow::Table>> Run(const Replacements& below, const BatchContext& context) = 0;
  /// Event time the output is complete up to, if the operator tracks one.
  virtual std::optional<int64_t> watermark() const = 0;
  /// Whether output column `field` has a watermark (OutputWatermark may still be unknown).
  virtual bool HasOutputWatermark(const std::string& field) const { return false; }
  /// The watermark of output column `field`: no row emitted later has a smaller value there
  /// (a windowed aggregation's window end; a time column a join bounds). Unknown: nullopt.
  virtual std::optional<int64_t> OutputWatermark(const std::string& field) const { return std::nullopt; }
  virtual int64_t state_rows() const = 0;
  /// Rows dropped because they arrived after the state they needed was gone (total).
  virtual int64_t late_rows() const { return 0; }

  /// The state after the batch that just ran, as JSON; its rows go to files of `checkpoint`,
  /// whose names are added to `files` (the commit keeps them).
  virtual arrow::Result<nlohmann::json> SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                                  std::set<std::string>* files) = 0;
  /// Restores what SaveState recorded; adds the files it names to `files`.
  virtual arrow::Status RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                                     std::set<std::string>* files) = 0;
};

/// Where the watermark of a timestamp column comes from: no row that comes later, unless late,
/// has a smaller value in the column.
struct ColumnWatermark {
  /// The column trails its largest value seen by `delay` (an event time with a declared delay;
  /// a window end computed from one, whose delay adds the window's size).
  int64_t delay = 0;
  /// Or: output column `field` of this operator (its OutputWatermark).
  const StatefulOperator* from = nullptr;
  std::string field;
};

/// One table of an operator's state, kept as a checkpoint file: Save writes it when its rows
/// changed since the last save (else names the same file again), Restore reads it back.
class StateRows {
 public:
  std::shared_ptr<arrow::Table> rows;  ///< null or empty: no rows

  /// Records the rows under `key` of `state` (nothing when there are none).
  arrow::Status Save(const Checkpoint& checkpoint, int64_t batch_id, const char* key, nlohmann::json* state,
                     std::set<std::string>* files);
  /// Reads the rows `state` records under `key` (none when absent), with `schema`.
  arrow::Status Restore(const Checkpoint& checkpoint, const nlohmann::json& state, const char* key,
                        const std::shared_ptr<arrow::Schema>& schema, std::set<std::string>* files);
  int64_t num_rows() const { return rows ? rows->num_rows() : 0; }

 private:
  std::shared_ptr<arrow::Table> saved_;  ///< the rows `file_` holds
  std::string file_;
};

/// The error for checkpointed state this query cannot use.
arrow::Status CorruptState(const Checkpoint& checkpoint, const std::string& what);

/// An optional integer of a JSON object.
std::optional<int64_t> JsonInteger(const nlohmann::json& state, const char* key);

}  // namespace tidelake::stream
