// Translates a logical plan (plan/logical_plan.h) into one Acero declaration tree.
//
//   TableScan / FileScan / Values  -> our sources (scan_source.h)
//   Filter -> "filter"             Project -> "project"
//   Aggregate -> "aggregate" (hash_* with keys, the scalar forms without); grouping sets ->
//               our Expand node, one aggregate over (key copies, grouping id), a projection
//   Join -> "hashjoin" (null-safe keys compare with IS; key-less and cross joins join on a
//           constant key; the residual is the join's filter; a semi, anti or left outer
//           join whose left input is estimated much smaller runs as Acero's mirrored right
//           join, so that its hash table is built from the small side)
//   Sort -> our sort node; Limit over Sort -> our top-k node; Limit -> "fetch" or our
//           unordered limit (exec_nodes.h)
//   SetOperation -> "union"; UNION = union + distinct aggregate; INTERSECT / EXCEPT [ALL] =
//           union of both sides tagged with per-side counts, one aggregate, a filter on the
//           counts and (ALL) our replicate node
//   Window -> our window node (window.h)
//
// ANSI details Arrow's kernels lack are handled here: integer sums are computed as
// DECIMAL(38, 0) and cast back with an overflow check, integer averages as doubles, and
// aggregates without a scalar kernel (hash_distinct, hash_one, hash_list) get their row over an
// empty input. A gate node (exec_nodes.h) guards the inputs of hash aggregates and joins.
//
// Every declaration the translator returns outputs exactly its plan node's schema (names and
// types), so parents can refer to their inputs' fields by the plan's unique names. Internal
// helper columns are named "__tl_..." and never leave the node that made them.
#pragma once

#include <arrow/acero/exec_plan.h>

#include <memory>
#include <string>

#include "exec/memory_limit.h"
#include "plan/logical_plan.h"
#include "plan/optimizer_stats.h"

namespace tidelake::exec {

class PlanTranslator {
 public:
  PlanTranslator(std::shared_ptr<QueryMemoryPool> pool, bool use_threads)
      : pool_(std::move(pool)), use_threads_(use_threads) {}

  arrow::Result<arrow::acero::Declaration> Translate(const plan::NodePtr& node);

 private:
  arrow::Result<arrow::acero::Declaration> TranslateNode(const plan::NodePtr& node);
  arrow::Result<arrow::acero::Declaration> Aggregate(const plan::AggregateNode& node);
  arrow::Result<arrow::acero::Declaration> Join(const plan::JoinNode& node);
  /// True when a semi, anti or left outer join runs mirrored (Acero's right join), building
  /// its hash table from the plan's left input because estimates say it is much smaller.
  bool BuildsOnLeft(const plan::JoinNode& node);
  arrow::Result<arrow::acero::Declaration> SetOperation(const plan::SetOperationNode& node);
  arrow::Result<arrow::acero::Declaration> Limit(const plan::LimitNode& node);
  arrow::Result<arrow::acero::Declaration> Sort(const plan::SortNode& node);
  arrow::Result<arrow::acero::Declaration> Window(const std::shared_ptr<const plan::WindowNode>& node);
  arrow::Result<arrow::acero::Declaration> TimeWindow(const plan::TimeWindowNode& node);

  /// A fresh internal column name.
  std::string Internal(const std::string& hint) { return "__tl_" + hint + std::to_string(next_internal_++); }

  std::shared_ptr<QueryMemoryPool> pool_;
  bool use_threads_;
  int next_internal_ = 0;
  plan::Estimator estimator_;
};

/// `input` projected to `exprs` named `names`.
arrow::acero::Declaration ProjectDeclaration(arrow::acero::Declaration input, std::vector<arrow::compute::Expression> exprs,
                                             std::vector<std::string> names);

}  // namespace tidelake::exec
