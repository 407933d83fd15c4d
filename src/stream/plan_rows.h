// Running parts of a query's logical plan over rows the streaming engine holds: the helpers
// the incremental query and its stateful operators share. A part of the plan runs in batch mode
// (plan::Optimize, then exec::Execute) with some of its nodes replaced by literal rows (a
// ValuesNode): a stream's scan by the rows of the batch, a stateful operator by what it emits.
//
// Stateless functions, safe from any thread.
#pragma once

#include <arrow/result.h>
#include <arrow/table.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "plan/logical_plan.h"

namespace tidelake::stream {

/// Plan nodes and what stands in for them in one batch.
using Replacements = std::map<const plan::LogicalNode*, plan::NodePtr>;

/// `node` with the nodes in `replacements` replaced (the tree is copied only where it changes).
plan::NodePtr Replace(const plan::NodePtr& node, const Replacements& replacements);

/// Literal rows with `schema` (the plan's field names); `rows` has the same column types.
plan::NodePtr Values(const std::shared_ptr<arrow::Schema>& schema, std::shared_ptr<arrow::Table> rows);

/// `table` with `schema` (the plan's field names), when the column types agree; `what` names
/// the rows in the error.
arrow::Result<std::shared_ptr<arrow::Table>> WithSchema(const std::shared_ptr<arrow::Table>& table,
                                                        const std::shared_ptr<arrow::Schema>& schema,
                                                        const std::string& what);

/// The rows of `node`'s plan with `replacements` substituted, run in batch mode, with columns
/// named `names`.
arrow::Result<std::shared_ptr<arrow::Table>> Evaluate(const plan::NodePtr& node, const Replacements& replacements,
                                                      const std::vector<std::string>& names,
                                                      const exec::ExecOptions& options);

/// As Evaluate, with `node`'s own schema (field names), in one chunk.
arrow::Result<std::shared_ptr<arrow::Table>> EvaluateNode(const plan::NodePtr& node, const Replacements& replacements,
                                                          const exec::ExecOptions& options, const std::string& what);

/// The rows of `a` then those of `b` (same columns), as the chunks of both: nothing is copied,
/// so appending a batch to large state costs the batch, not the state. `a` may be null.
arrow::Result<std::shared_ptr<arrow::Table>> AppendRows(const std::shared_ptr<arrow::Table>& a,
                                                        const std::shared_ptr<arrow::Table>& b);

/// The rows of `rows` (with `schema`) whose `keys` match some row of `other` (with
/// `other_schema`) on `other_keys` (`matching`), or none (`!matching`); NULL matches NULL. A semi
/// or anti join run in batch mode.
arrow::Result<std::shared_ptr<arrow::Table>> RowsByKeys(const std::shared_ptr<arrow::Table>& rows,
                                                        const std::shared_ptr<arrow::Schema>& schema,
                                                        const std::vector<std::string>& keys,
                                                        const std::shared_ptr<arrow::Table>& other,
                                                        const std::shared_ptr<arrow::Schema>& other_schema,
                                                        const std::vector<std::string>& other_keys, bool matching,
                                                        const exec::ExecOptions& options);

/// The field of `target`'s output that output `field` of `node` passes through unchanged
/// (through projections and filters; `target` is under `node`), or "" when it is computed.
std::string PassedThrough(const plan::LogicalNode& node, std::string field, const plan::LogicalNode& target);

/// The error for a query shape the streaming engine does not run: `what` would need state it
/// does not keep.
arrow::Status NeedsState(const std::string& what);

}  // namespace tidelake::stream
