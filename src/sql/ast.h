// The syntax tree of tidelake SQL, as produced by the parser (parser.h) and consumed by the
// binder. It is syntax only: names are unresolved text (original spelling kept; the binder
// compares them without regard to case), literals keep their written form, nothing is typed.
//
// Shape: three node families, each a base struct with a `kind` enum and one struct per kind
// (Expr / ExprKind, Relation / RelationKind, QueryBody / QueryBodyKind), plus Query, TypeName
// and Statement / StatementKind. Use `node.As<BinaryExpr>()` after switching on `kind` (it
// checks the kind in debug builds). Children are owned through std::unique_ptr; optional
// children are null pointers, optional scalars std::optional, absent names empty strings.
//
// Invariants the parser guarantees:
//  - every node's `pos` is where its text starts (for operators: the operator token), so the
//    binder can say "line 2:8: column 'amount' not found";
//  - `height` is 1 for a leaf and 1 + the largest child height otherwise (counting through
//    expressions, types, queries and relations), and never exceeds kMaxSyntaxHeight, so a
//    recursive walk over a parsed tree stays within a bounded depth (keep its frames small);
//  - required children are non-null (e.g. BinaryExpr::left/right, Query::body);
//  - chains of AND (and of OR) are balanced trees, as Spark builds them, not left-deep: a
//    filter with 20,000 OR terms is 15 levels tall. Walkers that want the conjuncts should
//    flatten nested nodes of the same operator;
//  - NOT EXISTS (q) is an ExistsExpr with negated = true, never NOT over EXISTS.
// Printing back to canonical SQL lives in ast_printer.h.
#pragma once

#include <arrow/util/logging.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/token.h"

namespace tidelake::sql {

/// The tallest tree the parser builds. Nesting (parentheses, subqueries) may be refused
/// earlier when the parser's own stack use reaches its budget (see parser.h).
inline constexpr uint32_t kMaxSyntaxHeight = 1000;

struct SyntaxNode {
  SourcePos pos;
  uint32_t height = 1;
};

struct Expr;
struct Query;
struct Relation;
struct QueryBody;
struct TypeName;
struct WindowSpec;
using ExprPtr = std::unique_ptr<Expr>;
using QueryPtr = std::unique_ptr<Query>;
using RelationPtr = std::unique_ptr<Relation>;
using QueryBodyPtr = std::unique_ptr<QueryBody>;
using TypeNamePtr = std::unique_ptr<TypeName>;

/// A dotted name of a table, view or zone: `t`, `zone.t`, `catalog.zone.t`, delta.`/a/path`.
struct ObjectName {
  std::vector<std::string> parts;
  SourcePos pos;
  bool empty() const { return parts.empty(); }
};

// ---------------------------------------------------------------------------------------------
// Types

enum class TypeKind : uint8_t {
  kBoolean, kTinyInt, kSmallInt, kInt, kBigInt, kFloat, kDouble, kDecimal, kString, kVarchar,
  kChar, kBinary, kDate, kTimestamp, kTimestampNtz, kTimestampLtz, kInterval, kArray, kMap, kStruct,
};

enum class IntervalUnit : uint8_t { kYear, kMonth, kWeek, kDay, kHour, kMinute, kSecond, kMillisecond, kMicrosecond };

struct StructFieldType {
  std::string name;
  TypeNamePtr type;
  bool not_null = false;
  std::optional<std::string> comment;
  SourcePos pos;
};

/// A written data type. Aliases are normalised: BYTE -> kTinyInt, LONG -> kBigInt, REAL ->
/// kFloat, DEC/NUMERIC -> kDecimal, INTEGER -> kInt, SHORT -> kSmallInt, CHARACTER -> kChar.
struct TypeName : SyntaxNode {
  TypeKind kind = TypeKind::kString;
  std::optional<int32_t> precision;  ///< kDecimal(p[, s]); unset for a bare DECIMAL
  std::optional<int32_t> scale;      ///< kDecimal(p, s)
  std::optional<int32_t> length;     ///< kVarchar(n), kChar(n)
  TypeNamePtr element;               ///< kArray
  TypeNamePtr key, value;            ///< kMap
  std::vector<StructFieldType> fields;            ///< kStruct
  std::optional<IntervalUnit> interval_start;     ///< kInterval: INTERVAL DAY [TO SECOND]
  std::optional<IntervalUnit> interval_end;
};

// ---------------------------------------------------------------------------------------------
// Expressions

enum class ExprKind : uint8_t {
  kLiteral, kInterval, kColumnRef, kStar, kUnary, kBinary, kIs, kIsDistinctFrom, kBetween,
  kInList, kInSubquery, kExists, kScalarSubquery, kLike, kCase, kCast, kFunctionCall,
  kNamedArgument, kSubscript, kFieldAccess, kExtract,
};

struct Expr : SyntaxNode {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;
  const ExprKind kind;

  template <typename T>
  const T& As() const {
    ARROW_DCHECK(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    ARROW_DCHECK(kind == T::kKind);
    return static_cast<T&>(*this);
  }
};

enum class LiteralKind : uint8_t {
  kNull, kBoolean, kInteger, kDecimal, kFloat, kDouble, kString,
  kDate, kTimestamp, kTimestampNtz, kTimestampLtz, kBinary,  ///< typed literals: DATE '2024-01-31'
};

/// Which integer type a literal asked for: 5 (kAuto: INT if it fits, else BIGINT), 5Y, 5S, 5L.
enum class IntegerWidth : uint8_t { kAuto, kTinyInt, kSmallInt, kBigInt };

struct LiteralExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kLiteral;
  LiteralExpr() : Expr(kKind) {}
  LiteralKind literal_kind = LiteralKind::kNull;
  bool bool_value = false;                      ///< kBoolean
  int64_t int_value = 0;                        ///< kInteger (range-checked for its width)
  IntegerWidth int_width = IntegerWidth::kAuto; ///< kInteger
  double double_value = 0;                      ///< kFloat, kDouble
  /// kDecimal: the number as written without suffix, sign included ("-12.50", "1e3", or an
  /// integer too large for BIGINT); kFloat/kDouble: as written without suffix; kString: the
  /// unescaped value; typed literals: the quoted text (kBinary: the hex digits of X'...').
  std::string text;
};

/// INTERVAL 5 MINUTES, INTERVAL '5' MINUTE, INTERVAL 1 DAY 2 HOURS, INTERVAL '1-2' YEAR TO
/// MONTH, INTERVAL '1 day 2 hours' (one field, no unit).
struct IntervalField {
  std::string value;  ///< "-5", "1.5", or the text inside quotes
  bool quoted = false;
  std::optional<IntervalUnit> unit;
};
struct IntervalExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kInterval;
  IntervalExpr() : Expr(kKind) {}
  std::vector<IntervalField> fields;  ///< at least one
  std::optional<IntervalUnit> to_unit;
};

/// A name in an expression: `col`, `t.col`, `zone.t.col` or struct fields `a.b.c`; the binder
/// decides which parts name a relation and which name fields.
struct ColumnRefExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kColumnRef;
  ColumnRefExpr() : Expr(kKind) {}
  std::vector<std::string> parts;
};

/// `*` or `t.*` (also `count(*)`'s argument).
struct StarExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kStar;
  StarExpr() : Expr(kKind) {}
  std::vector<std::string> qualifier;
};

enum class UnaryOp : uint8_t { kNot, kNegate, kPlus, kBitNot };

struct UnaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kUnary;
  UnaryExpr() : Expr(kKind) {}
  UnaryOp op = UnaryOp::kNot;
  ExprPtr operand;
};

enum class BinaryOp : uint8_t {
  kOr, kAnd,
  kEq, kNotEq, kLt, kLtEq, kGt, kGtEq, kNullSafeEq,  ///< == is kEq; != and <> are kNotEq
  kBitOr, kBitXor, kBitAnd,
  kAdd, kSubtract, kConcat,
  kMultiply, kDivide, kModulo, kIntDivide,  ///< kIntDivide is DIV
};

struct BinaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  BinaryExpr() : Expr(kKind) {}
  BinaryOp op = BinaryOp::kAnd;
  ExprPtr left, right;
};

enum class IsTest : uint8_t { kNull, kTrue, kFalse, kUnknown };

/// x IS [NOT] NULL | TRUE | FALSE | UNKNOWN
struct IsExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kIs;
  IsExpr() : Expr(kKind) {}
  ExprPtr operand;
  IsTest test = IsTest::kNull;
  bool negated = false;
};

/// x IS [NOT] DISTINCT FROM y
struct IsDistinctFromExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kIsDistinctFrom;
  IsDistinctFromExpr() : Expr(kKind) {}
  ExprPtr left, right;
  bool negated = false;
};

struct BetweenExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBetween;
  BetweenExpr() : Expr(kKind) {}
  ExprPtr operand, low, high;
  bool negated = false;
};

struct InListExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kInList;
  InListExpr() : Expr(kKind) {}
  ExprPtr operand;
  std::vector<ExprPtr> list;  ///< at least one
  bool negated = false;
};

struct InSubqueryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kInSubquery;
  InSubqueryExpr() : Expr(kKind) {}
  ExprPtr operand;
  QueryPtr query;
  bool negated = false;
};

/// [NOT] EXISTS (query)
struct ExistsExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kExists;
  ExistsExpr() : Expr(kKind) {}
  QueryPtr query;
  bool negated = false;
};

struct ScalarSubqueryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kScalarSubquery;
  ScalarSubqueryExpr() : Expr(kKind) {}
  QueryPtr query;
};

/// LIKE, ILIKE, and RLIKE (also spelled REGEXP).
enum class LikeOp : uint8_t { kLike, kILike, kRLike };

struct LikeExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kLike;
  LikeExpr() : Expr(kKind) {}
  LikeOp op = LikeOp::kLike;
  ExprPtr operand, pattern;
  std::optional<std::string> escape;  ///< ESCAPE 'c': exactly one character
  bool negated = false;
};

struct CaseWhen {
  ExprPtr condition;  ///< a boolean, or the value compared with CaseExpr::operand
  ExprPtr result;
};

/// CASE [operand] WHEN .. THEN .. [ELSE ..] END
struct CaseExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCase;
  CaseExpr() : Expr(kKind) {}
  ExprPtr operand;  ///< null for a searched CASE
  std::vector<CaseWhen> whens;  ///< at least one
  ExprPtr else_result;
};

enum class CastSyntax : uint8_t { kCast, kTryCast, kDoubleColon };

/// CAST(x AS t), TRY_CAST(x AS t), x::t (same meaning as CAST).
struct CastExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCast;
  CastExpr() : Expr(kKind) {}
  ExprPtr operand;
  TypeNamePtr type;
  CastSyntax syntax = CastSyntax::kCast;
};

enum class NullTreatment : uint8_t { kDefault, kIgnoreNulls, kRespectNulls };

/// name([DISTINCT] args) [FILTER (WHERE f)] [IGNORE|RESPECT NULLS] [OVER window]. The name may
/// be dotted (`System.Timestamp()`); `count(*)` has one StarExpr argument; arguments written
/// `key => value` are NamedArgumentExpr.
struct FunctionCallExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kFunctionCall;
  FunctionCallExpr() : Expr(kKind) {}
  std::vector<std::string> name;
  std::vector<ExprPtr> args;
  bool distinct = false;
  ExprPtr filter;
  NullTreatment null_treatment = NullTreatment::kDefault;
  std::unique_ptr<WindowSpec> over;  ///< null unless OVER
};

struct NamedArgumentExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kNamedArgument;
  NamedArgumentExpr() : Expr(kKind) {}
  std::string name;
  ExprPtr value;
};

/// base[index]
struct SubscriptExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kSubscript;
  SubscriptExpr() : Expr(kKind) {}
  ExprPtr base, index;
};

/// base.field where base is not a plain name (`f(x).a`, `arr[0].b`); `a.b.c` is a ColumnRef.
struct FieldAccessExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kFieldAccess;
  FieldAccessExpr() : Expr(kKind) {}
  ExprPtr base;
  std::string field;
};

/// EXTRACT(field FROM source); `field` as written (YEAR, DOW, ...).
struct ExtractExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kExtract;
  ExtractExpr() : Expr(kKind) {}
  std::string field;
  ExprPtr source;
};

enum class SortDirection : uint8_t { kDefault, kAscending, kDescending };
enum class NullOrder : uint8_t { kDefault, kNullsFirst, kNullsLast };

struct OrderItem {
  ExprPtr expr;
  SortDirection direction = SortDirection::kDefault;
  NullOrder nulls = NullOrder::kDefault;
};

enum class FrameUnit : uint8_t { kRows, kRange };
enum class FrameBoundKind : uint8_t { kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing, kUnboundedFollowing };

struct FrameBound {
  FrameBoundKind kind = FrameBoundKind::kCurrentRow;
  ExprPtr offset;  ///< kPreceding, kFollowing: n
};

/// ROWS|RANGE start, or ROWS|RANGE BETWEEN start AND end.
struct WindowFrame {
  FrameUnit unit = FrameUnit::kRows;
  FrameBound start;
  std::optional<FrameBound> end;
};

/// ([base_window] [PARTITION BY ..] [ORDER BY ..] [frame]); `OVER w` is a spec with only
/// base_window set.
struct WindowSpec : SyntaxNode {
  std::string base_window;
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  std::optional<WindowFrame> frame;
};

// ---------------------------------------------------------------------------------------------
// Queries

enum class QueryBodyKind : uint8_t { kSelect, kSetOperation, kValues, kNested };

struct QueryBody : SyntaxNode {
  explicit QueryBody(QueryBodyKind k) : kind(k) {}
  virtual ~QueryBody() = default;
  QueryBody(const QueryBody&) = delete;
  QueryBody& operator=(const QueryBody&) = delete;
  const QueryBodyKind kind;

  template <typename T>
  const T& As() const {
    ARROW_DCHECK(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
};

struct CommonTableExpr {
  std::string name;
  std::vector<std::string> columns;
  QueryPtr query;
  SourcePos pos;
};

/// [WITH ctes] body [ORDER BY ..] [LIMIT n] [OFFSET m]: ORDER BY, LIMIT and OFFSET apply to
/// the whole body, a set operation included.
struct Query : SyntaxNode {
  /// Stream Analytics' `SELECT ... INTO output`: the output of the outermost SELECT, if any.
  const ObjectName* Into() const;
  std::vector<CommonTableExpr> with;
  QueryBodyPtr body;
  std::vector<OrderItem> order_by;
  ExprPtr limit;
  ExprPtr offset;
};

struct SelectItem {
  ExprPtr expr;       ///< StarExpr for `*` and `t.*`
  std::string alias;  ///< empty when none
  SourcePos pos;
};

enum class GroupingKind : uint8_t { kExpr, kRollup, kCube, kGroupingSets };

/// One element of GROUP BY: an expression, ROLLUP(..), CUBE(..) or GROUPING SETS(..). For
/// kExpr `sets` is {{e}}; for ROLLUP/CUBE each set is one argument (a column or a
/// parenthesised column group); for GROUPING SETS each set is one grouping set (maybe empty).
struct GroupingElement {
  GroupingKind kind = GroupingKind::kExpr;
  std::vector<std::vector<ExprPtr>> sets;
  SourcePos pos;
};

struct GroupBy {
  bool all = false;  ///< GROUP BY ALL (then `elements` is empty)
  std::vector<GroupingElement> elements;
  SourcePos pos;
};

struct NamedWindow {
  std::string name;
  std::unique_ptr<WindowSpec> spec;
  SourcePos pos;
};

/// SELECT [DISTINCT] items [INTO target] [FROM ..] [WHERE ..] [GROUP BY ..] [HAVING ..]
/// [WINDOW ..] [QUALIFY ..]. `into` is Azure Stream Analytics' output name.
struct SelectBody : QueryBody {
  static constexpr QueryBodyKind kKind = QueryBodyKind::kSelect;
  SelectBody() : QueryBody(kKind) {}
  bool distinct = false;
  std::vector<SelectItem> items;
  std::optional<ObjectName> into;
  RelationPtr from;  ///< null without FROM; comma lists are JoinRelation{comma = true}
  ExprPtr where;
  std::optional<GroupBy> group_by;
  ExprPtr having;
  std::vector<NamedWindow> windows;
  ExprPtr qualify;
};

enum class SetOpKind : uint8_t { kUnion, kIntersect, kExcept };  ///< MINUS is kExcept

struct SetOperationBody : QueryBody {
  static constexpr QueryBodyKind kKind = QueryBodyKind::kSetOperation;
  SetOperationBody() : QueryBody(kKind) {}
  SetOpKind op = SetOpKind::kUnion;
  bool all = false;  ///< UNION ALL; plain and DISTINCT are both false
  QueryBodyPtr left, right;
};

/// VALUES (a, b), (c, d): every row is a list of expressions.
struct ValuesBody : QueryBody {
  static constexpr QueryBodyKind kKind = QueryBodyKind::kValues;
  ValuesBody() : QueryBody(kKind) {}
  std::vector<std::vector<ExprPtr>> rows;
};

/// A parenthesised query with its own WITH, ORDER BY, LIMIT or OFFSET inside a set operation;
/// other parenthesised queries are flattened into their body.
struct NestedQueryBody : QueryBody {
  static constexpr QueryBodyKind kKind = QueryBodyKind::kNested;
  NestedQueryBody() : QueryBody(kKind) {}
  QueryPtr query;
};

// ---------------------------------------------------------------------------------------------
// Relations (FROM)

enum class RelationKind : uint8_t { kTable, kTableFunction, kWindowFunction, kSubquery, kJoin };

struct Relation : SyntaxNode {
  explicit Relation(RelationKind k) : kind(k) {}
  virtual ~Relation() = default;
  Relation(const Relation&) = delete;
  Relation& operator=(const Relation&) = delete;
  const RelationKind kind;
  std::string alias;                        ///< `t AS x`, empty when none (always for joins)
  std::vector<std::string> column_aliases;  ///< `t AS x(a, b)`

  template <typename T>
  const T& As() const {
    ARROW_DCHECK(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
};

enum class TimeTravelKind : uint8_t { kVersion, kTimestamp };

/// VERSION AS OF n / TIMESTAMP AS OF expr (also the target of RESTORE).
struct TimeTravel {
  TimeTravelKind kind = TimeTravelKind::kVersion;
  ExprPtr value;
};

/// Databricks' `WATERMARK column DELAY OF interval` on a FROM item: the column is the event
/// time, and the watermark trails the largest one seen by the delay.
struct WatermarkClause {
  SourcePos pos;
  std::vector<std::string> column;
  ExprPtr delay;
};

struct TableRelation : Relation {
  static constexpr RelationKind kKind = RelationKind::kTable;
  TableRelation() : Relation(kKind) {}
  ObjectName name;
  std::optional<TimeTravel> time_travel;
  std::optional<WatermarkClause> watermark;
  ExprPtr timestamp_by;  ///< Stream Analytics `TIMESTAMP BY expr`
  /// STREAM(t) / STREAM t: in a streaming table's query, the rows appended to t since the last
  /// run; in a batch query, all of t (so the same query means the same in both modes).
  bool streaming = false;
};

/// read_csv('path', header => true) and other table-valued functions.
struct TableFunctionRelation : Relation {
  static constexpr RelationKind kKind = RelationKind::kTableFunction;
  TableFunctionRelation() : Relation(kKind) {}
  std::vector<std::string> name;
  std::vector<ExprPtr> args;
};

/// Flink's windowing table-valued functions, written inside TABLE(...):
///   TUMBLE(TABLE t, DESCRIPTOR(ts), size [, offset])
///   HOP(TABLE t, DESCRIPTOR(ts), slide, size [, offset])
///   CUMULATE(TABLE t, DESCRIPTOR(ts), step, max_size [, offset])
///   SESSION(TABLE t [PARTITION BY k, ...], DESCRIPTOR(ts), gap)
/// Arguments may be named (DATA =>, TIMECOL =>, SIZE =>, SLIDE =>, STEP =>, GAP =>, OFFSET =>).
/// Output: t's columns, then window_start, window_end and window_time.
struct WindowFunctionRelation : Relation {
  static constexpr RelationKind kKind = RelationKind::kWindowFunction;
  WindowFunctionRelation() : Relation(kKind) {}
  std::string function;  ///< upper case: TUMBLE, HOP, CUMULATE, SESSION
  RelationPtr input;     ///< the TABLE argument
  std::vector<ExprPtr> partition_by;
  std::vector<std::string> time_column;  ///< DESCRIPTOR(column)
  std::vector<ExprPtr> args;  ///< the interval arguments in order; NamedArgumentExpr when named
};

/// (query) [AS] alias, including (VALUES ..) and bare VALUES .. in FROM.
struct SubqueryRelation : Relation {
  static constexpr RelationKind kKind = RelationKind::kSubquery;
  SubqueryRelation() : Relation(kKind) {}
  QueryPtr query;
};

/// LEFT SEMI and SEMI are kLeftSemi; LEFT ANTI and ANTI are kLeftAnti.
enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull, kCross, kLeftSemi, kLeftAnti };

struct JoinRelation : Relation {
  static constexpr RelationKind kKind = RelationKind::kJoin;
  JoinRelation() : Relation(kKind) {}
  JoinType type = JoinType::kInner;
  bool natural = false;
  bool comma = false;  ///< `FROM a, b`: a kCross join written with a comma
  RelationPtr left, right;
  ExprPtr condition;                       ///< ON; null when absent
  std::vector<std::string> using_columns;  ///< USING (..)
};

// ---------------------------------------------------------------------------------------------
// Statements

enum class StatementKind : uint8_t {
  kQuery, kExplain, kCreateTable, kCreateView, kDrop, kAlterTable, kInsert, kDelete, kUpdate,
  kMerge, kOptimize, kVacuum, kDescribe, kRestore, kAnalyze, kShow, kSet, kReset, kUse, kRefresh,
  kCreateSource,
};

struct Statement {
  explicit Statement(StatementKind k) : kind(k) {}
  virtual ~Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  const StatementKind kind;
  SourcePos pos;

  template <typename T>
  const T& As() const {
    ARROW_DCHECK(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
};
using StatementPtr = std::unique_ptr<Statement>;

struct QueryStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kQuery;
  QueryStatement() : Statement(kKind) {}
  QueryPtr query;
};

enum class ExplainMode : uint8_t { kDefault, kExtended, kFormatted };

struct ExplainStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kExplain;
  ExplainStatement() : Statement(kKind) {}
  ExplainMode mode = ExplainMode::kDefault;
  StatementPtr statement;
};

struct ColumnDefinition {
  std::string name;
  TypeNamePtr type;
  bool not_null = false;
  std::optional<std::string> comment;
  SourcePos pos;
};

/// 'key' = 'value' in TBLPROPERTIES; keys may also be written as dotted names, values as
/// numbers or booleans (kept as their text: "true", "10").
struct TableProperty {
  std::string key;
  std::string value;
  SourcePos pos;
};

/// CREATE [OR REPLACE] TABLE ..., and CREATE [OR REFRESH] STREAMING TABLE t AS query (a table
/// that a streaming query keeps up to date from the STREAM sources of `as_query`).
struct CreateTableStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateTable;
  CreateTableStatement() : Statement(kKind) {}
  bool streaming = false;
  bool or_refresh = false;  ///< streaming: keep an existing table (and its progress) and refresh it
  bool or_replace = false;
  bool if_not_exists = false;
  ObjectName name;
  std::vector<ColumnDefinition> columns;     ///< empty for CREATE TABLE .. AS without a list
  std::optional<std::string> using_format;   ///< USING DELTA (as written)
  std::vector<std::string> partitioned_by;
  std::optional<std::string> location;
  std::optional<std::string> comment;
  std::vector<TableProperty> properties;
  QueryPtr as_query;  ///< CREATE TABLE .. AS query
  /// Flink's connector table: CREATE TABLE t (columns) WITH ('connector' = 'blackhole', ...).
  /// Set (to where WITH is) only then; the table is no Delta table, and none of the Delta
  /// clauses above (USING, PARTITIONED BY, LOCATION, TBLPROPERTIES, AS, OR REPLACE) is given.
  std::optional<SourcePos> with_pos;
  std::vector<TableProperty> with_options;  ///< the options of WITH (...), as written
};

struct CreateViewStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateView;
  CreateViewStatement() : Statement(kKind) {}
  bool or_replace = false;
  bool temporary = false;
  bool if_not_exists = false;
  ObjectName name;
  std::vector<std::string> columns;
  QueryPtr query;
  std::string query_text;  ///< the view's query exactly as written (for the catalog)
};

enum class DropObject : uint8_t { kTable, kView, kSource };

struct DropStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDrop;
  DropStatement() : Statement(kKind) {}
  DropObject object = DropObject::kTable;
  bool if_exists = false;
  ObjectName name;
};

enum class AlterTableAction : uint8_t { kAddColumns, kSetProperties, kUnsetProperties, kRenameColumn, kDropColumns };

/// A column named by its path (a.b for a struct's field), where it was written.
struct ColumnPath {
  std::vector<std::string> parts;
  SourcePos pos;
};

/// ALTER TABLE t ADD COLUMNS (..) | SET TBLPROPERTIES (..) | UNSET TBLPROPERTIES [IF EXISTS] (..)
/// | RENAME COLUMN a TO b | DROP COLUMN[S] [IF EXISTS] a[, b].
struct AlterTableStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kAlterTable;
  AlterTableStatement() : Statement(kKind) {}
  ObjectName name;
  AlterTableAction action = AlterTableAction::kAddColumns;
  std::vector<ColumnDefinition> columns;    ///< kAddColumns
  std::vector<TableProperty> properties;    ///< kSetProperties; kUnsetProperties (keys only)
  std::vector<ColumnPath> targets;          ///< kRenameColumn (one), kDropColumns
  std::string new_name;                     ///< kRenameColumn
  bool if_exists = false;                   ///< kUnsetProperties, kDropColumns
};

/// PARTITION (col = value, col2): a static value, or a dynamic partition column (value null).
struct PartitionValue {
  std::string column;
  ExprPtr value;
  SourcePos pos;
};

/// INSERT INTO|OVERWRITE [TABLE] t [PARTITION (..)] [(cols)] [REPLACE WHERE cond] query; the
/// query may be VALUES.
struct InsertStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kInsert;
  InsertStatement() : Statement(kKind) {}
  bool overwrite = false;
  ObjectName table;
  std::vector<PartitionValue> partition;
  std::vector<std::string> columns;
  ExprPtr replace_where;  ///< Databricks INSERT INTO t REPLACE WHERE cond query
  QueryPtr query;
};

struct DeleteStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDelete;
  DeleteStatement() : Statement(kKind) {}
  ObjectName table;
  std::string alias;
  ExprPtr where;
};

/// col = value in UPDATE .. SET and MERGE's UPDATE SET; `column` may be a dotted field path.
struct Assignment {
  std::vector<std::string> column;
  ExprPtr value;
  SourcePos pos;
};

struct UpdateStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kUpdate;
  UpdateStatement() : Statement(kKind) {}
  ObjectName table;
  std::string alias;
  std::vector<Assignment> assignments;
  ExprPtr where;
};

enum class MergeMatch : uint8_t { kMatched, kNotMatchedByTarget, kNotMatchedBySource };
enum class MergeAction : uint8_t { kUpdateAll, kUpdate, kDelete, kInsertAll, kInsert };

/// WHEN [NOT] MATCHED [BY TARGET|SOURCE] [AND condition] THEN action. The parser only
/// accepts the actions a clause allows: MATCHED and NOT MATCHED BY SOURCE update or delete,
/// NOT MATCHED [BY TARGET] inserts.
struct MergeClause {
  MergeMatch match = MergeMatch::kMatched;
  ExprPtr condition;
  MergeAction action = MergeAction::kUpdateAll;
  std::vector<Assignment> assignments;                   ///< kUpdate
  std::vector<std::vector<std::string>> insert_columns;  ///< kInsert
  std::vector<ExprPtr> insert_values;                    ///< kInsert
  SourcePos pos;
};

/// MERGE INTO target [[AS] alias] USING source ON condition clauses; `source` is a table or
/// subquery relation carrying its own alias.
struct MergeStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kMerge;
  MergeStatement() : Statement(kKind) {}
  ObjectName target;
  std::string target_alias;
  RelationPtr source;
  ExprPtr condition;
  std::vector<MergeClause> clauses;  ///< at least one, in written order
};

/// OPTIMIZE t [WHERE cond] [ZORDER BY (cols)]. A quoted path is read as delta.`path`.
struct OptimizeStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kOptimize;
  OptimizeStatement() : Statement(kKind) {}
  ObjectName table;
  ExprPtr where;
  std::vector<ExprPtr> zorder_by;
};

struct VacuumStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kVacuum;
  VacuumStatement() : Statement(kKind) {}
  ObjectName table;
  std::optional<double> retain_hours;
  bool dry_run = false;
};

enum class DescribeKind : uint8_t { kTable, kHistory, kDetail, kSource };

/// DESCRIBE [TABLE] [EXTENDED] t [column]; DESCRIBE HISTORY t [LIMIT n]; DESCRIBE DETAIL t;
/// DESCRIBE SOURCE s (DESCRIBE s of a source name means the same).
struct DescribeStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDescribe;
  DescribeStatement() : Statement(kKind) {}
  DescribeKind what = DescribeKind::kTable;
  bool extended = false;
  ObjectName table;
  std::optional<ColumnPath> column;  ///< kTable: describe this column only
  std::optional<int64_t> limit;      ///< kHistory
};

struct RestoreStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kRestore;
  RestoreStatement() : Statement(kKind) {}
  ObjectName table;
  TimeTravel target;
};

enum class AnalyzeMode : uint8_t { kStatistics, kNoScan, kForColumns, kForAllColumns };

struct AnalyzeStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kAnalyze;
  AnalyzeStatement() : Statement(kKind) {}
  ObjectName table;
  AnalyzeMode mode = AnalyzeMode::kStatistics;
  std::vector<std::string> columns;  ///< kForColumns
};

enum class ShowKind : uint8_t { kTables, kViews, kColumns, kCreateTable, kTblProperties, kSources };

/// SHOW TABLES|VIEWS|SOURCES [IN|FROM zone] [LIKE 'pattern']; SHOW COLUMNS IN t; SHOW CREATE TABLE t;
/// SHOW TBLPROPERTIES t [(key)] (the key, when given, is `pattern`).
struct ShowStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kShow;
  ShowStatement() : Statement(kKind) {}
  ShowKind what = ShowKind::kTables;
  ObjectName object;  ///< the zone (may be empty) or the table
  std::optional<std::string> pattern;
};

/// SET key = value (value: the raw rest of the statement, trimmed); SET key; SET (key empty).
struct SetStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kSet;
  SetStatement() : Statement(kKind) {}
  std::string key;
  std::optional<std::string> value;
};

/// RESET [key]; an empty key resets everything.
struct ResetStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kReset;
  ResetStatement() : Statement(kKind) {}
  std::string key;
};

struct UseStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kUse;
  UseStatement() : Statement(kKind) {}
  ObjectName name;
};

/// REFRESH STREAMING TABLE t: runs t's streaming query over what its sources hold now.
struct RefreshStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kRefresh;
  RefreshStatement() : Statement(kKind) {}
  ObjectName table;
};

/// WATERMARK FOR column AS expr: `expr` says how the watermark trails the column's largest
/// value (the session accepts `column` and `column - INTERVAL ...`).
struct WatermarkDefinition {
  std::string column;
  ExprPtr expr;
  SourcePos pos;
};

/// CREATE SOURCE [IF NOT EXISTS] name (columns [, WATERMARK FOR c AS expr]) WITH (options): a
/// streaming source (a Kafka topic, ...) that queries read by name. The WATERMARK may stand
/// anywhere among the columns; options are written as TBLPROPERTIES are ('key' = 'value').
struct CreateSourceStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateSource;
  CreateSourceStatement() : Statement(kKind) {}
  bool if_not_exists = false;
  ObjectName name;
  std::vector<ColumnDefinition> columns;  ///< at least one
  std::optional<WatermarkDefinition> watermark;
  std::vector<TableProperty> options;
  SourcePos options_pos;  ///< where WITH is
};

// Names of enum values as SQL spells them (e.g. "LEFT SEMI", "INTERSECT", "MINUTE").
std::string_view IntervalUnitName(IntervalUnit unit);
std::string_view BinaryOpSpelling(BinaryOp op);
std::string_view JoinTypeName(JoinType type);
std::string_view StatementKindName(StatementKind kind);

}  // namespace tidelake::sql
