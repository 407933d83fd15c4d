// The logical plan: a tree of relational operators that the binder (sql/) builds, the optimizer
// (plan/optimizer.h) rewrites, and both the batch executor (exec/) and the streaming engine
// (stream/) run. It is the one description of a query shared by the two modes.
//
// Invariants:
//  - Nodes are immutable once built (`NodePtr` is a pointer to const); rules build new nodes.
//  - Every node's `schema` is its output. Field names are unique within a node's output and
//    carry an id ("amount#12"), so that columns of the same name from two tables never clash.
//    Names a user sees live in PlanRoot::column_names.
//  - Expressions are arrow::compute::Expression over the field names of the node's input
//    (for JoinNode's residual: the left fields followed by the right fields), bound against
//    that input schema, so every expression has a known type.
//  - Aggregate keys and arguments, join keys and sort keys are field names of the input:
//    the binder computes expressions in a ProjectNode below them.
#pragma once

#include <arrow/compute/api.h>
#include <arrow/table.h>
#include <arrow/type.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/source_definition.h"
#include "delta/snapshot.h"
#include "plan/statistics.h"
#include "plan/time_window.h"

namespace tidelake::plan {

namespace cp = arrow::compute;

enum class NodeKind : uint8_t {
  kTableScan, kFileScan, kSourceScan, kValues, kFilter, kProject, kAggregate, kJoin, kSort, kLimit,
  kSetOperation, kWindow, kWatermark, kTimeWindow,
};

struct LogicalNode;
using NodePtr = std::shared_ptr<const LogicalNode>;

struct LogicalNode {
  explicit LogicalNode(NodeKind k) : kind(k) {}
  virtual ~LogicalNode() = default;
  const NodeKind kind;
  std::shared_ptr<arrow::Schema> schema;  ///< the output
  std::vector<NodePtr> inputs;

  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }
};

/// Reads a Delta table snapshot (pinned when the query was bound: time travel is resolved).
/// Output field i is the table's logical column `columns[i]`.
struct TableScanNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kTableScan;
  TableScanNode() : LogicalNode(kKind) {}
  std::string table_name;  ///< as written: "raw.transactions", "delta.`/path`"
  std::shared_ptr<const delta::Snapshot> snapshot;
  std::vector<std::string> columns;
  /// Rows to keep, over this node's output names; the executor maps it to logical column names
  /// for partition pruning, file skipping and Parquet row-group filtering. Applied exactly.
  std::optional<cp::Expression> filter;
  /// What the catalog knows of the table's size and values (ANALYZE TABLE), for cost
  /// estimates only; null when it knows nothing.
  std::shared_ptr<const TableStatistics> statistics;
  /// Read as a stream (STREAM(t)): a streaming query reads the rows appended since its last
  /// batch here; a batch query reads the whole snapshot, as for any table.
  bool streaming = false;
};

enum class FileFormat : uint8_t { kCsv, kJson, kParquet };

/// read_csv / read_json / read_parquet('path' or directory or glob, options).
struct FileScanNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kFileScan;
  FileScanNode() : LogicalNode(kKind) {}
  FileFormat format = FileFormat::kParquet;
  std::vector<std::string> paths;  ///< files, resolved at bind time
  std::vector<std::string> columns;  ///< the file columns read, in output order
  std::optional<cp::Expression> filter;  ///< over output names, as for TableScanNode
  bool csv_header = true;
  char csv_delimiter = ',';
};

/// Reads a streaming source declared with CREATE SOURCE (a Kafka topic, ...). Output field i is
/// the source's column `columns[i]`: a declared column, or one of the metadata columns its
/// connector adds (Kafka's _key, _partition, _offset, _timestamp). Neither the optimizer nor the
/// executor reads a source: the session replaces the node by the rows read before execution
/// (a streaming query: the rows of the batch; a batch query: what the source holds now).
struct SourceScanNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kSourceScan;
  SourceScanNode() : LogicalNode(kKind) {}
  std::string source_name;  ///< as written
  std::shared_ptr<const catalog::SourceDefinition> definition;
  std::vector<std::string> columns;
};

/// Literal rows (VALUES, and SELECT without FROM as one empty row).
struct ValuesNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kValues;
  ValuesNode() : LogicalNode(kKind) {}
  std::shared_ptr<arrow::Table> rows;  ///< schema equals `schema`
};

struct FilterNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kFilter;
  FilterNode() : LogicalNode(kKind) {}
  cp::Expression predicate;  ///< boolean; rows where it is null or false are dropped
};

/// Output field i is exprs[i].
struct ProjectNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kProject;
  ProjectNode() : LogicalNode(kKind) {}
  std::vector<cp::Expression> exprs;
};

/// One aggregate call. `function` is Arrow's hash aggregate name ("hash_sum", "hash_count",
/// "hash_count_distinct", "hash_mean", "hash_min", "hash_max", "hash_stddev", "hash_variance",
/// "hash_tdigest", "hash_list", "hash_first", "hash_last", "hash_one", ...); without keys the
/// executor uses the scalar form (name without "hash_").
struct AggregateCall {
  std::string function;
  std::vector<std::string> args;  ///< input field names; empty for count(*)
  std::shared_ptr<cp::FunctionOptions> options;
  std::shared_ptr<arrow::DataType> result_type;  ///< as the binder typed it; the executor casts
};

/// GROUP BY keys with aggregates. Output: the keys, then one field per aggregate; with
/// grouping sets, also a trailing int64 "grouping id" field (bit i set = key i not grouped).
struct AggregateNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kAggregate;
  AggregateNode() : LogicalNode(kKind) {}
  std::vector<std::string> keys;
  std::vector<AggregateCall> aggregates;
  /// ROLLUP / CUBE / GROUPING SETS: each set lists indices into `keys`; empty = plain GROUP BY.
  std::vector<std::vector<int>> grouping_sets;
};

enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull, kLeftSemi, kLeftAnti, kCross };

/// Equi-join on key pairs plus an optional residual condition. Output: left fields then right
/// fields (semi and anti joins: left fields only). kCross and key-less joins pair every row.
struct JoinNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kJoin;
  JoinNode() : LogicalNode(kKind) {}
  JoinType type = JoinType::kInner;
  std::vector<std::string> left_keys, right_keys;
  std::vector<bool> null_safe;  ///< per key: `<=>` (nulls match) instead of `=`
  std::optional<cp::Expression> residual;  ///< over left fields + right fields
};

struct SortKey {
  std::string field;
  bool ascending = true;
  bool nulls_first = true;  ///< Spark's default: NULLS FIRST for ASC, NULLS LAST for DESC
};

struct SortNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kSort;
  SortNode() : LogicalNode(kKind) {}
  std::vector<SortKey> keys;
};

/// OFFSET then LIMIT; a LimitNode directly over a SortNode is a top-k.
struct LimitNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kLimit;
  LimitNode() : LogicalNode(kKind) {}
  std::optional<int64_t> limit;
  int64_t offset = 0;
};

enum class SetOpKind : uint8_t { kUnion, kIntersect, kExcept };

/// Two inputs of the same field types (the binder casts them); output names are the left's.
struct SetOperationNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kSetOperation;
  SetOperationNode() : LogicalNode(kKind) {}
  SetOpKind op = SetOpKind::kUnion;
  bool all = false;
};

enum class FrameUnit : uint8_t { kRows, kRange };

/// A frame bound: offset < 0 means UNBOUNDED PRECEDING side, 0 CURRENT ROW, > 0 FOLLOWING
/// side; use the named constants.
struct FrameBound {
  enum class Kind : uint8_t { kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing, kUnboundedFollowing };
  Kind kind = Kind::kCurrentRow;
  int64_t offset = 0;  ///< rows (ROWS) or a value distance in the order key's unit (RANGE)
};

struct WindowFrame {
  FrameUnit unit = FrameUnit::kRange;
  FrameBound start{FrameBound::Kind::kUnboundedPreceding, 0};
  FrameBound end{FrameBound::Kind::kCurrentRow, 0};
};

/// One window function: row_number, rank, dense_rank, percent_rank, cume_dist, ntile, lag,
/// lead, first_value, last_value, nth_value, or an aggregate (sum, count, avg, min, max, ...)
/// over the frame.
struct WindowCall {
  std::string function;
  std::vector<std::string> args;  ///< input field names
  std::optional<int64_t> offset;  ///< lag/lead offset, ntile buckets, nth_value n
  std::shared_ptr<arrow::Scalar> default_value;  ///< lag/lead default
  bool ignore_nulls = false;
  WindowFrame frame;
  std::shared_ptr<arrow::DataType> result_type;
};

/// Window functions sharing one PARTITION BY / ORDER BY. Output: the input fields, then one
/// field per call. Row order of the output is unspecified.
struct WindowNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kWindow;
  WindowNode() : LogicalNode(kKind) {}
  std::vector<std::string> partition_by;
  std::vector<SortKey> order_by;
  std::vector<WindowCall> calls;
};

/// Declares the event time of the rows below it, which pass through unchanged: `time_field`
/// (a timestamp field of the input) is each row's event time, and a stream's watermark trails
/// the largest event time seen by `delay_us`. A streaming query treats a row whose windows the
/// watermark has already passed as late. Batch execution ignores the node.
struct WatermarkNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kWatermark;
  WatermarkNode() : LogicalNode(kKind) {}
  std::string time_field;
  int64_t delay_us = 0;
};

/// Assigns every row to the event-time windows holding its `spec.time_field` (TUMBLE, HOP,
/// CUMULATE and SESSION; Spark's window() and session_window(); Stream Analytics'
/// TumblingWindow, HoppingWindow, SlidingWindow and SessionWindow). Output: the input fields,
/// then the window's start and end (timestamps of the time field's type). A row is repeated
/// once per window holding it; a row with a null time is in no window and dropped.
struct TimeWindowNode : LogicalNode {
  static constexpr NodeKind kKind = NodeKind::kTimeWindow;
  TimeWindowNode() : LogicalNode(kKind) {}
  TimeWindowSpec spec;
};

/// A bound query: its plan and the names its result columns show (unique names stripped).
struct PlanRoot {
  NodePtr node;
  std::vector<std::string> column_names;
  /// True when the result's row order is defined by an ORDER BY (the executor keeps it).
  bool ordered = false;
};

/// A copy of `node` reading from `inputs` instead (same kind, fields and expressions).
NodePtr WithInputs(const LogicalNode& node, std::vector<NodePtr> inputs);

/// "amount#12" for the column `amount` given id 12.
std::string UniqueName(const std::string& name, int64_t id);
/// "amount" from "amount#12" (names without '#' are returned as they are).
std::string DisplayName(const std::string& unique_name);

}  // namespace tidelake::plan
