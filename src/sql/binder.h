// The binder: a parsed query (ast.h) plus the catalog (binder_catalog.h) becomes a logical plan
// (plan/logical_plan.h) in which every name is resolved and every expression typed.
//
// Semantics are Spark SQL's (ANSI mode, as Spark 4 defaults): names compare case-insensitively;
// GROUP BY accepts expressions, ordinals and select aliases; ORDER BY may use select aliases,
// ordinals and, outside DISTINCT and aggregation, columns not selected; subqueries in WHERE
// (IN, EXISTS, scalar, correlated by equality) become joins; views are expanded in place.
//
// Errors are arrow::Status::Invalid("line L:C: ...") positioned at the offending node. A Binder
// holds no state between calls except the id counter that keeps plan field names unique.
#pragma once

#include <arrow/result.h>

#include <memory>
#include <string>
#include <vector>

#include "plan/functions.h"
#include "plan/logical_plan.h"
#include "sql/ast.h"
#include "sql/binder_catalog.h"
#include "sql/scope.h"

namespace tidelake::sql {

class Binder {
 public:
  Binder(BinderCatalog* catalog, plan::FunctionContext functions);
  ~Binder();

  /// A query (SELECT, set operation, VALUES, WITH ...).
  arrow::Result<plan::PlanRoot> BindQuery(const Query& query);

  /// An expression over the columns of `relation` (e.g. a DELETE condition over a table scan):
  /// returns it bound against relation.node->schema.
  arrow::Result<arrow::compute::Expression> BindExpression(const Expr& expr, const BoundRelation& relation);

  /// A FROM item on its own (a DML target).
  arrow::Result<BoundRelation> BindRelation(const Relation& relation);

  /// A FROM item as a query returning its visible columns (MERGE's USING source).
  arrow::Result<plan::PlanRoot> BindRelationAsQuery(const Relation& relation);

  /// A scan of the table `name` with every column, qualified by `alias` (or the table name).
  arrow::Result<BoundRelation> BindTable(const ObjectName& name, const std::string& alias);

  /// The arrow type for a SQL type name.
  static arrow::Result<std::shared_ptr<arrow::DataType>> ToArrowType(const TypeName& type);

  class Impl;  ///< binder_impl.h

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tidelake::sql
