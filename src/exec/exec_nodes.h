// Our own Acero operators, for what Acero has no node for. They are ordinary acero::ExecNodes
// registered in Acero's default factory registry under the names below, so one ExecPlan
// runs a whole query: one memory pool, one error path, one teardown.
//
//  - "tidelake_materialize": collects its whole input, hands it to a MaterializingOperator
//    (sort, top-k, window functions) and emits the operator's result in batches of at most
//    ExecPlan::kMaxBatchSize rows, numbered in order so that downstream nodes and the sink
//    keep the result's row order.
//  - "tidelake_expand": Spark's Expand for grouping sets: every input batch becomes one batch
//    per grouping set, with copies of the grouping keys (null where the set does not group
//    by the key) and the set's grouping id; the original columns stay as they are, so an
//    aggregate can read a column that is also a rolled-up key.
//  - "tidelake_replicate": repeats every row as many times as its trailing int64 count
//    column says (null or <= 0: dropped) and drops that column (INTERSECT/EXCEPT ALL).
//  - "tidelake_map": each input batch becomes what a function of it returns (row-wise
//    transforms Acero has no node for, e.g. assigning rows to event-time windows).
//  - "tidelake_gate": passes batches through until the query's memory pool has refused an
//    allocation, then refuses them. It guards the inputs of Acero's hash aggregate and hash
//    join: their hash tables (arrow::compute::SwissTable) are left full when growing fails,
//    and a later batch with new keys then loops forever looking for a free slot.
//  - "tidelake_limit": OFFSET/LIMIT. Over ordered input it is Acero's "fetch"; over
//    unordered input (after a join or an aggregate) it keeps the first rows to arrive and
//    stops its input once it has enough.
//
// Threading: Acero calls InputReceived from several threads at once; the nodes keep their
// state behind a mutex or in atomics. Errors returned from a node abort the whole plan and
// reach the reader of the result.
#pragma once

#include <arrow/acero/exec_plan.h>
#include <arrow/acero/options.h>
#include <arrow/compute/exec.h>
#include <arrow/record_batch.h>
#include <arrow/table.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tidelake::exec {

namespace cp = arrow::compute;

/// Computes a result from the whole of its input. Add is called once per input batch (never
/// concurrently); Finish once, after the last Add.
class MaterializingOperator {
 public:
  virtual ~MaterializingOperator() = default;
  virtual arrow::Status Add(std::shared_ptr<arrow::RecordBatch> batch, cp::ExecContext* ctx) = 0;
  /// The result; its schema must equal the node's output schema (names may differ).
  virtual arrow::Result<std::shared_ptr<arrow::Table>> Finish(cp::ExecContext* ctx) = 0;
};

inline constexpr const char* kMaterializeNode = "tidelake_materialize";
inline constexpr const char* kExpandNode = "tidelake_expand";
inline constexpr const char* kReplicateNode = "tidelake_replicate";
inline constexpr const char* kLimitNode = "tidelake_limit";
inline constexpr const char* kGateNode = "tidelake_gate";
inline constexpr const char* kMapNode = "tidelake_map";

class MaterializeNodeOptions : public arrow::acero::ExecNodeOptions {
 public:
  using Factory = std::function<arrow::Result<std::unique_ptr<MaterializingOperator>>(
      const std::shared_ptr<arrow::Schema>& input_schema)>;
  MaterializeNodeOptions(std::string kind, std::shared_ptr<arrow::Schema> output_schema, Factory make,
                         std::optional<cp::Ordering> ordering = std::nullopt)
      : kind(std::move(kind)),
        output_schema(std::move(output_schema)),
        make(std::move(make)),
        ordering(std::move(ordering)) {}
  std::string kind;  ///< shown in plan descriptions: "sort", "top-k", "window"
  std::shared_ptr<arrow::Schema> output_schema;
  Factory make;
  /// The order the result is in; unset: the operator's own order (implicit).
  std::optional<cp::Ordering> ordering;
};

class ExpandNodeOptions : public arrow::acero::ExecNodeOptions {
 public:
  ExpandNodeOptions(std::vector<int> key_fields, std::vector<std::vector<int>> sets,
                    std::vector<std::string> key_copy_names, std::string grouping_id_name)
      : key_fields(std::move(key_fields)),
        sets(std::move(sets)),
        key_copy_names(std::move(key_copy_names)),
        grouping_id_name(std::move(grouping_id_name)) {}
  std::vector<int> key_fields;              ///< input field index of each grouping key
  std::vector<std::vector<int>> sets;       ///< per set: indices into key_fields
  std::vector<std::string> key_copy_names;  ///< output names of the key copies
  std::string grouping_id_name;             ///< int64; bit i set = key i not grouped
};

class ReplicateNodeOptions : public arrow::acero::ExecNodeOptions {};

class GateNodeOptions : public arrow::acero::ExecNodeOptions {};

class MapNodeOptions : public arrow::acero::ExecNodeOptions {
 public:
  /// Called from several threads at once: it must not keep state.
  using Function = std::function<arrow::Result<std::vector<std::shared_ptr<arrow::RecordBatch>>>(
      const std::shared_ptr<arrow::RecordBatch>& batch, arrow::MemoryPool* pool)>;
  MapNodeOptions(std::string kind, std::shared_ptr<arrow::Schema> output_schema, Function function)
      : kind(std::move(kind)), output_schema(std::move(output_schema)), function(std::move(function)) {}
  std::string kind;  ///< shown in plan descriptions
  std::shared_ptr<arrow::Schema> output_schema;
  Function function;
};

class LimitNodeOptions : public arrow::acero::ExecNodeOptions {
 public:
  LimitNodeOptions(int64_t offset, int64_t count) : offset(offset), count(count) {}
  int64_t offset;
  int64_t count;
};

/// Registers the nodes above with Acero's default registry (idempotent, thread-safe).
arrow::Status RegisterExecNodes();

}  // namespace tidelake::exec
