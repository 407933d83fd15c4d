// Cardinality estimates for the optimizer's join ordering (optimizer_joins.h): how many rows a
// plan node produces and, per output field, how many distinct values it holds and their range.
//
// Table scans start from Delta statistics (numRecords, and per-file min/max folded over the
// snapshot's files) and the distinct counts ANALYZE TABLE stored (TableScanNode::statistics);
// the nodes above apply textbook rules: a predicate keeps a fraction of the rows (equality
// 1/distinct, a range the part of [min, max] it covers, LIKE 10 %, ...), an equi-join of L and
// R yields |L| |R| / max over its keys of the larger of the two sides' distinct counts, each
// capped by the other side's domain (the distinct values of its base column: the containment
// assumption, which makes a foreign-key join keep the fraction of rows the primary-key side
// kept). Distinct counts are known only where they can be bounded: analyzed columns by their
// counts, integer and date columns by their value range; everything else is unknown (then
// equality keeps 10 %, and a join key counts as unique).
//
// Estimates are guesses: they choose join orders and build sides, never results. An Estimator
// caches per node (scans parse statistics once); it is used by one thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plan/logical_plan.h"

namespace tidelake::plan {

struct FieldEstimate {
  std::optional<double> distinct;  ///< distinct values in the node's output
  std::optional<double> domain;    ///< distinct values of the column in its base table
  std::optional<double> min, max;  ///< value bounds of numbers, decimals, dates and timestamps
};

struct Estimate {
  double rows = 1;
  std::map<std::string, FieldEstimate> fields;  ///< by unique field name; absent: nothing known

  /// Distinct values of `field` (at most `rows`), or nullopt when unknown.
  std::optional<double> Distinct(const std::string& field) const;
};

/// An equi-join key pair: a field of the left input and one of the right.
using KeyPair = std::pair<std::string, std::string>;

class Estimator {
 public:
  const Estimate& Of(const NodePtr& node);

  /// The fraction of `input`'s rows for which `predicate` (over its fields) is true.
  static double Selectivity(const cp::Expression& predicate, const Estimate& input);

  /// The estimate of an inner equi-join of `left` and `right` on `keys` (a cross join when
  /// empty), before any residual condition.
  static Estimate Join(const Estimate& left, const Estimate& right, const std::vector<KeyPair>& keys);

  /// `input` after keeping the rows where `predicate` holds.
  static Estimate Filtered(const Estimate& input, const cp::Expression& predicate);

 private:
  Estimate Compute(const NodePtr& node);
  Estimate Scan(const TableScanNode& scan);

  std::map<const LogicalNode*, Estimate> cache_;
  std::vector<NodePtr> keep_alive_;  // cache keys stay valid
};

}  // namespace tidelake::plan
