// Internal to the binder (binder.h): the state shared by the files that bind relations
// (bind_relation.cc), queries and SELECT blocks (bind_query.cc, bind_select.cc), expressions
// (bind_expression.cc) and subqueries (bind_subquery.cc).
#pragma once

#include <functional>
#include <map>
#include <unordered_map>

#include "common/error.h"
#include "common/strings.h"
#include "sql/binder.h"

namespace tidelake::sql {

namespace cp = arrow::compute;

/// "line L:C: message" for a status raised while binding the node at `pos` (a status that
/// already carries a position keeps it).
arrow::Status At(const SourcePos& pos, const arrow::Status& status);

template <typename T>
arrow::Result<T> At(const SourcePos& pos, arrow::Result<T> result) {
  if (result.ok()) return result;
  return At(pos, result.status());
}

/// WITH names visible while binding a query: name -> definition; inner WITHs shadow outer ones.
struct CteScope {
  std::map<std::string, const CommonTableExpr*> ctes;  ///< keys lower-cased
  const CteScope* outer = nullptr;
  const CommonTableExpr* Find(const std::string& name) const;
};

/// A group key of an aggregation: its expression bound over the pre-aggregation input, and the
/// field holding it after aggregation.
struct GroupKey {
  cp::Expression bound;
  std::string field;
};

/// What GROUP BY window(...) groups by: hidden scope columns named `keys` (Spark: the window's
/// start and end; Stream Analytics: its end, which System.Timestamp() returns). Spark's
/// windows are also visible as one struct<start, end> column `struct_field` names (`window`,
/// `session_window`), which after aggregation is rebuilt from the grouped start and end.
struct GroupWindow {
  std::vector<std::string> keys;  ///< names of hidden scope columns
  std::string struct_field;       ///< Spark: the pre-aggregation struct field; empty otherwise
};

/// After aggregation, an expression equal to `before` (over the aggregation's input) is
/// `after` (over its output): Spark's window struct, rebuilt from its grouped start and end;
/// so is the GROUP BY's window(...) call, repeated in the select list.
struct CompositeKey {
  cp::Expression before;
  cp::Expression after;
  /// Spark: the GROUP BY's window(...) call, which the select list may repeat.
  const FunctionCallExpr* call = nullptr;
};

/// One conjunct of a join condition: an equi-key pair (left over the left input, right over the
/// right input, already cast to one type), or a residual condition (`right` empty; over both).
struct JoinCondition {
  cp::Expression left;
  std::optional<cp::Expression> right;
  bool null_safe = false;
};

/// A correlated scalar subquery being decorrelated by BindSelect: the equality conditions of
/// its WHERE that reference the outer query are pulled out; their inner sides become extra
/// group keys and extra output columns (after the value), which the caller joins with the
/// outer sides.
struct Correlation {
  std::vector<const Expr*> outer_sides;  ///< per condition: the side over the outer query
  std::vector<std::string> key_fields;   ///< per condition: the output field of the inner side
  /// The subquery's value when no row matches (count(*) is 0 there, not NULL); null when NULL.
  std::shared_ptr<arrow::Scalar> empty_value;
};

/// Everything an expression is bound against.
struct ExprContext {
  const Scope* scope = nullptr;                ///< names visible
  std::shared_ptr<arrow::Schema> input;        ///< the schema expressions are evaluated over
  /// After aggregation: expressions equal to a group key become that key's field; aggregate and
  /// window calls become the fields computing them (`substitutions`); any other column
  /// reference is an error.
  bool after_aggregation = false;
  const Scope* pre_aggregation_scope = nullptr;
  std::shared_ptr<arrow::Schema> pre_aggregation_input;
  const std::vector<GroupKey>* group_keys = nullptr;
  const std::vector<CompositeKey>* composite_keys = nullptr;
  const std::unordered_map<const Expr*, std::string>* substitutions = nullptr;
  /// Where a subquery in the expression is joined in (scalar subqueries); null where
  /// subqueries are not allowed.
  BoundRelation* subquery_target = nullptr;
  const CteScope* ctes = nullptr;
  /// How many scopes out a column may resolve (1 while binding a subquery's correlated
  /// condition over the joined inputs; otherwise 0).
  int allowed_outer_depth = 0;
  /// Select-list aliases (HAVING and QUALIFY may use them), alias -> item expression.
  const std::vector<std::pair<std::string, const Expr*>>* select_aliases = nullptr;
  std::string_view clause = "expression";  ///< for messages: "WHERE", "GROUP BY", ...
};

class Binder::Impl {
 public:
  Impl(BinderCatalog* catalog, plan::FunctionContext functions)
      : catalog_(catalog), functions_(functions) {}

  // ---- queries (bind_query.cc)
  arrow::Result<plan::PlanRoot> BindRoot(const Query& query);
  /// A query as a relation: output columns unqualified, ORDER BY applied when `keep_order`.
  arrow::Result<BoundRelation> BindQuery(const Query& query, const Scope* outer, const CteScope* ctes,
                                         bool* ordered = nullptr);
  arrow::Result<BoundRelation> BindBody(const QueryBody& body, const Scope* outer, const CteScope* ctes,
                                        const std::vector<OrderItem>* order_by, bool* ordered);

  /// Sorts a relation by ORDER BY items naming its output columns (set operations, VALUES).
  arrow::Result<BoundRelation> SortOutputs(BoundRelation relation, const std::vector<OrderItem>& order_by,
                                           bool* ordered);
  arrow::Result<BoundRelation> BindValues(const ValuesBody& values);

  // ---- SELECT blocks (bind_select.cc)
  /// With `correlation`, the block is a correlated scalar subquery being decorrelated.
  arrow::Result<BoundRelation> BindSelect(const SelectBody& select, const Scope* outer, const CteScope* ctes,
                                          const std::vector<OrderItem>* order_by, bool* ordered,
                                          Correlation* correlation = nullptr);

  // ---- window functions (bind_window.cc)
  /// Adds a WindowNode computing `call` on top of `relation` and records the field holding
  /// it in `substitutions`.
  arrow::Status BindWindowCall(const FunctionCallExpr& call, const SelectBody& select, BoundRelation* relation,
                               ExprContext ctx, std::unordered_map<const Expr*, std::string>* substitutions);

  // ---- event time and time windows (bind_time_window.cc)
  /// A table's WATERMARK clause or TIMESTAMP BY: a WatermarkNode over `relation` on that time,
  /// which becomes the scope's event time.
  arrow::Status ApplyEventTime(const TableRelation& table, BoundRelation* relation);
  /// TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), ...)) and the other windowing table functions.
  arrow::Result<BoundRelation> BindWindowFunction(const WindowFunctionRelation& fn, const Scope* outer,
                                                  const CteScope* ctes);
  /// When `call` is a window grouping function (window, session_window, TumblingWindow,
  /// HoppingWindow, SessionWindow): adds its TimeWindowNode over `relation` and returns what
  /// to group by; nullopt for other calls. `other_keys` are the GROUP BY's other expressions
  /// (a session is per value of them).
  arrow::Result<std::optional<GroupWindow>> BindGroupWindow(const FunctionCallExpr& call,
                                                            const std::vector<const Expr*>& other_keys,
                                                            BoundRelation* relation);

  // ---- FROM (bind_relation.cc)
  arrow::Result<BoundRelation> BindRelation(const Relation& relation, const Scope* outer, const CteScope* ctes);
  arrow::Result<BoundRelation> BindTable(const TableRelation& table, const Scope* outer, const CteScope* ctes);
  arrow::Result<BoundRelation> BindTableByName(const ObjectName& name, const std::string& alias,
                                               const std::optional<int64_t>& version,
                                               const std::optional<int64_t>& timestamp_ms);
  /// A streaming source read by name (with or without STREAM(..)).
  arrow::Result<BoundRelation> BindSource(const TableRelation& table, const SourceDescription& source);

  /// Splits an ON condition into equi-keys and residual conditions.
  /// With `inner_shadows` (a subquery's correlated conditions) names resolve in `right` first
  /// and then in `left`, as they would inside the subquery.
  arrow::Result<std::vector<JoinCondition>> SplitJoinCondition(const std::vector<const Expr*>& conjuncts,
                                                               const BoundRelation& left, const BoundRelation& right,
                                                               const Scope* outer, const CteScope* ctes,
                                                               bool inner_shadows = false);
  /// A JoinNode over left and right; key expressions that are not columns are computed below it.
  arrow::Result<BoundRelation> MakeJoin(BoundRelation left, BoundRelation right, plan::JoinType type,
                                        std::vector<JoinCondition> conditions);

  // ---- expressions (bind_expression.cc)
  arrow::Result<cp::Expression> Bind(const Expr& expr, ExprContext& ctx);
  arrow::Result<cp::Expression> BindLiteral(const LiteralExpr& literal);
  /// A constant expression (LIMIT n, VERSION AS OF n, a lag offset) evaluated now.
  arrow::Result<std::shared_ptr<arrow::Scalar>> EvaluateConstant(const Expr& expr);

  // ---- subqueries (bind_subquery.cc)
  /// Binds a WHERE/HAVING condition onto `relation`: conjuncts that are [NOT] EXISTS or
  /// [NOT] IN (subquery) become semi/anti joins, the rest one filter.
  arrow::Status ApplyCondition(const Expr& condition, BoundRelation* relation, ExprContext ctx);
  /// A scalar subquery in an expression: joins it into ctx.subquery_target and returns the
  /// field holding its value.
  /// [NOT] EXISTS (query) or operand [NOT] IN (query) as a semi/anti join onto `relation`.
  arrow::Status JoinSubquery(const Query& query, const Expr* operand, bool anti, BoundRelation* relation,
                             ExprContext ctx);
  arrow::Result<cp::Expression> BindScalarSubquery(const ScalarSubqueryExpr& subquery, ExprContext& ctx);

  // ---- plan building helpers (bind_query.cc)
  std::string NewField(const std::string& name) { return plan::UniqueName(name, next_id_++); }
  /// A ProjectNode over `input` computing `exprs` into fields `names`.
  arrow::Result<plan::NodePtr> Project(const plan::NodePtr& input, std::vector<cp::Expression> exprs,
                                       const std::vector<std::string>& names);
  arrow::Result<plan::NodePtr> Filter(const plan::NodePtr& input, cp::Expression predicate);

  BinderCatalog* catalog() { return catalog_; }
  const plan::FunctionContext& functions() const { return functions_; }

 private:
  BinderCatalog* catalog_;
  plan::FunctionContext functions_;
  int64_t next_id_ = 1;
  int view_depth_ = 0;
};

/// Calls `visit` on every sub-expression of `expr` (pre-order), not descending into subqueries;
/// `visit` returns false to skip a node's children.
void VisitExpr(const Expr& expr, const std::function<bool(const Expr&)>& visit);

/// True when `expr` names a column that is not in `inner` but resolves further out.
bool ReferencesOuter(const Expr& expr, const Scope& inner);

/// Splits a condition at its top-level ANDs.
std::vector<const Expr*> Conjuncts(const Expr& condition);

using tidelake::Lower;

/// A call's function name, lower case, its parts joined by '.': "system.timestamp".
std::string FunctionName(const FunctionCallExpr& call);

/// The name Spark gives an unaliased select item: the column's name, or the expression's text.
std::string DerivedName(const Expr& expr);

}  // namespace tidelake::sql
