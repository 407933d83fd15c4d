#include "sql/ast_printer.h"

#include "sql/ast_printer_internal.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace tidelake::sql {

using printer_internal::ExprList;
using printer_internal::FormatDouble;
using printer_internal::Join;
using printer_internal::NameList;
using printer_internal::NamePath;

namespace {

// Binding strength of printed expressions; must mirror the parser's precedence.
enum Level : int {
  kLevelOr = 1,
  kLevelAnd,
  kLevelNot,
  kLevelPredicate,  // comparisons, IS, IN, BETWEEN, LIKE
  kLevelBitOr,
  kLevelBitXor,
  kLevelBitAnd,
  kLevelAdditive,
  kLevelMultiplicative,
  kLevelUnary,
  kLevelPostfix,
  kLevelPrimary,
};

int BinaryLevel(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return kLevelOr;
    case BinaryOp::kAnd: return kLevelAnd;
    case BinaryOp::kEq:
    case BinaryOp::kNotEq:
    case BinaryOp::kLt:
    case BinaryOp::kLtEq:
    case BinaryOp::kGt:
    case BinaryOp::kGtEq:
    case BinaryOp::kNullSafeEq: return kLevelPredicate;
    case BinaryOp::kBitOr: return kLevelBitOr;
    case BinaryOp::kBitXor: return kLevelBitXor;
    case BinaryOp::kBitAnd: return kLevelBitAnd;
    case BinaryOp::kAdd:
    case BinaryOp::kSubtract:
    case BinaryOp::kConcat: return kLevelAdditive;
    case BinaryOp::kMultiply:
    case BinaryOp::kDivide:
    case BinaryOp::kModulo:
    case BinaryOp::kIntDivide: return kLevelMultiplicative;
  }
  return kLevelPrimary;
}

bool IsNumericLiteral(const Expr& e) {
  if (e.kind != ExprKind::kLiteral) return false;
  LiteralKind k = e.As<LiteralExpr>().literal_kind;
  return k == LiteralKind::kInteger || k == LiteralKind::kDecimal || k == LiteralKind::kFloat ||
         k == LiteralKind::kDouble;
}

bool IsNegativeNumber(const Expr& e) {
  if (!IsNumericLiteral(e)) return false;
  const auto& lit = e.As<LiteralExpr>();
  if (lit.literal_kind == LiteralKind::kInteger) return lit.int_value < 0;
  return !lit.text.empty() && lit.text[0] == '-';
}

int LevelOf(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBinary: return BinaryLevel(e.As<BinaryExpr>().op);
    case ExprKind::kUnary: return e.As<UnaryExpr>().op == UnaryOp::kNot ? kLevelNot : kLevelUnary;
    case ExprKind::kIs:
    case ExprKind::kIsDistinctFrom:
    case ExprKind::kBetween:
    case ExprKind::kInList:
    case ExprKind::kInSubquery:
    case ExprKind::kLike: return kLevelPredicate;
    case ExprKind::kExists: return e.As<ExistsExpr>().negated ? kLevelNot : kLevelPrimary;
    case ExprKind::kCast:
      return e.As<CastExpr>().syntax == CastSyntax::kDoubleColon ? kLevelPostfix : kLevelPrimary;
    case ExprKind::kSubscript:
    case ExprKind::kFieldAccess: return kLevelPostfix;
    case ExprKind::kLiteral: return IsNegativeNumber(e) ? kLevelUnary : kLevelPrimary;
    default: return kLevelPrimary;
  }
}

bool IsPlainWord(std::string_view name) {
  if (name.empty()) return false;
  auto c0 = static_cast<unsigned char>(name[0]);
  if (!(std::isalpha(c0) || c0 == '_')) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || u == '_')) return false;
  }
  return true;
}



std::string BackQuote(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string FunctionName(const std::vector<std::string>& parts) {
  std::vector<std::string> out;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    // Bare LEFT(...), RIGHT(...), EXISTS(...) read back as calls; CAST( and EXTRACT( do not.
    bool bare = IsPlainWord(p);
    if (bare && parts.size() == 1) {
      bool special = EqualsIgnoreCase(p, "CAST") || EqualsIgnoreCase(p, "TRY_CAST") || EqualsIgnoreCase(p, "EXTRACT");
      bool reserved = IsReservedWord(p) && !EqualsIgnoreCase(p, "LEFT") && !EqualsIgnoreCase(p, "RIGHT") &&
                      !EqualsIgnoreCase(p, "EXISTS");
      bare = !special && !reserved;
    } else if (bare && i == 0) {
      bare = !IsReservedWord(p);
    }
    out.push_back(bare ? p : BackQuote(p));
  }
  return Join(out, ".");
}



std::string Print(const Expr& e);
std::string PrintQuery(const Query& q);
std::string PrintRelation(const Relation& r);

std::string Child(const Expr& e, int min_level) {
  std::string s = Print(e);
  return LevelOf(e) < min_level ? "(" + s + ")" : s;
}


std::string OrderItems(const std::vector<OrderItem>& items) {
  std::vector<std::string> parts;
  for (const OrderItem& item : items) {
    std::string s = Print(*item.expr);
    if (item.direction == SortDirection::kAscending) s += " ASC";
    if (item.direction == SortDirection::kDescending) s += " DESC";
    if (item.nulls == NullOrder::kNullsFirst) s += " NULLS FIRST";
    if (item.nulls == NullOrder::kNullsLast) s += " NULLS LAST";
    parts.push_back(std::move(s));
  }
  return Join(parts, ", ");
}

std::string FrameBoundText(const FrameBound& b) {
  switch (b.kind) {
    case FrameBoundKind::kUnboundedPreceding: return "UNBOUNDED PRECEDING";
    case FrameBoundKind::kUnboundedFollowing: return "UNBOUNDED FOLLOWING";
    case FrameBoundKind::kCurrentRow: return "CURRENT ROW";
    case FrameBoundKind::kPreceding: return Child(*b.offset, kLevelBitOr) + " PRECEDING";
    case FrameBoundKind::kFollowing: return Child(*b.offset, kLevelBitOr) + " FOLLOWING";
  }
  return "";
}

std::string WindowSpecText(const WindowSpec& w) {
  std::vector<std::string> parts;
  if (!w.base_window.empty()) parts.push_back(QuoteIdentifier(w.base_window));
  if (!w.partition_by.empty()) parts.push_back("PARTITION BY " + ExprList(w.partition_by));
  if (!w.order_by.empty()) parts.push_back("ORDER BY " + OrderItems(w.order_by));
  if (w.frame) {
    std::string f = w.frame->unit == FrameUnit::kRows ? "ROWS " : "RANGE ";
    if (w.frame->end) {
      f += "BETWEEN " + FrameBoundText(w.frame->start) + " AND " + FrameBoundText(*w.frame->end);
    } else {
      f += FrameBoundText(w.frame->start);
    }
    parts.push_back(std::move(f));
  }
  return "(" + Join(parts, " ") + ")";
}

std::string LiteralText(const LiteralExpr& lit) {
  switch (lit.literal_kind) {
    case LiteralKind::kNull: return "NULL";
    case LiteralKind::kBoolean: return lit.bool_value ? "TRUE" : "FALSE";
    case LiteralKind::kInteger: {
      std::string s = std::to_string(lit.int_value);
      switch (lit.int_width) {
        case IntegerWidth::kAuto: return s;
        case IntegerWidth::kTinyInt: return s + "Y";
        case IntegerWidth::kSmallInt: return s + "S";
        case IntegerWidth::kBigInt: return s + "L";
      }
      return s;
    }
    case LiteralKind::kDecimal: {
      const bool plain = lit.text.find('.') != std::string::npos &&
                         lit.text.find_first_of("eE") == std::string::npos;
      return plain ? lit.text : lit.text + "BD";
    }
    case LiteralKind::kFloat: return lit.text + "F";
    case LiteralKind::kDouble: return lit.text + "D";
    case LiteralKind::kString: return QuoteString(lit.text);
    case LiteralKind::kDate: return "DATE " + QuoteString(lit.text);
    case LiteralKind::kTimestamp: return "TIMESTAMP " + QuoteString(lit.text);
    case LiteralKind::kTimestampNtz: return "TIMESTAMP_NTZ " + QuoteString(lit.text);
    case LiteralKind::kTimestampLtz: return "TIMESTAMP_LTZ " + QuoteString(lit.text);
    case LiteralKind::kBinary: return "X" + QuoteString(lit.text);
  }
  return "";
}

// One function per node kind keeps each stack frame small: printing recurses once per level
// of the tree, which may be kMaxSyntaxHeight deep.
std::string PrintInterval(const IntervalExpr& n) {
  std::string s = "INTERVAL";
  for (const IntervalField& f : n.fields) {
    s += " " + (f.quoted ? QuoteString(f.value) : f.value);
    if (f.unit) s += " " + std::string(IntervalUnitName(*f.unit));
  }
  if (n.to_unit) s += " TO " + std::string(IntervalUnitName(*n.to_unit));
  return s;
}

std::string PrintUnary(const UnaryExpr& n) {
  switch (n.op) {
    case UnaryOp::kNot: return "NOT " + Child(*n.operand, kLevelNot);
    case UnaryOp::kBitNot: return "~" + Child(*n.operand, kLevelUnary);
    case UnaryOp::kPlus: return "+" + Child(*n.operand, kLevelUnary);
    case UnaryOp::kNegate: break;
  }
  // -(5) must not read back as the literal -5, and "--" would start a comment.
  std::string s = Child(*n.operand, kLevelUnary);
  if ((IsNumericLiteral(*n.operand) || s[0] == '-') && s[0] != '(') s = "(" + s + ")";
  return "-" + s;
}

std::string PrintBinary(const BinaryExpr& n) {
  const int level = BinaryLevel(n.op);
  // AND and OR chains are balanced trees (see the parser): print them flat.
  auto side = [&](const Expr& child, int min_level) {
    const bool same_chain = (n.op == BinaryOp::kAnd || n.op == BinaryOp::kOr) && child.kind == ExprKind::kBinary &&
                            child.As<BinaryExpr>().op == n.op;
    return same_chain ? Print(child) : Child(child, min_level);
  };
  return side(*n.left, level) + " " + std::string(BinaryOpSpelling(n.op)) + " " + side(*n.right, level + 1);
}

std::string PrintIs(const IsExpr& n) {
  static constexpr const char* kTests[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
  return Child(*n.operand, kLevelPredicate) + (n.negated ? " IS NOT " : " IS ") + kTests[static_cast<int>(n.test)];
}

std::string PrintIsDistinctFrom(const IsDistinctFromExpr& n) {
  return Child(*n.left, kLevelPredicate) + (n.negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ") +
         Child(*n.right, kLevelBitOr);
}

std::string PrintBetween(const BetweenExpr& n) {
  return Child(*n.operand, kLevelPredicate) + (n.negated ? " NOT BETWEEN " : " BETWEEN ") + Child(*n.low, kLevelBitOr) +
         " AND " + Child(*n.high, kLevelBitOr);
}

std::string PrintInList(const InListExpr& n) {
  return Child(*n.operand, kLevelPredicate) + (n.negated ? " NOT IN (" : " IN (") + ExprList(n.list) + ")";
}

std::string PrintInSubquery(const InSubqueryExpr& n) {
  return Child(*n.operand, kLevelPredicate) + (n.negated ? " NOT IN (" : " IN (") + PrintQuery(*n.query) + ")";
}

std::string PrintLike(const LikeExpr& n) {
  static constexpr const char* kOps[] = {"LIKE", "ILIKE", "RLIKE"};
  std::string s = Child(*n.operand, kLevelPredicate) + (n.negated ? " NOT " : " ") + kOps[static_cast<int>(n.op)] +
                  " " + Child(*n.pattern, kLevelBitOr);
  if (n.escape) s += " ESCAPE " + QuoteString(*n.escape);
  return s;
}

std::string PrintCase(const CaseExpr& n) {
  std::string s = "CASE";
  if (n.operand) s += " " + Print(*n.operand);
  for (const CaseWhen& w : n.whens) s += " WHEN " + Print(*w.condition) + " THEN " + Print(*w.result);
  if (n.else_result) s += " ELSE " + Print(*n.else_result);
  return s + " END";
}

std::string PrintCast(const CastExpr& n) {
  if (n.syntax == CastSyntax::kDoubleColon) return Child(*n.operand, kLevelPostfix) + "::" + ToString(*n.type);
  return std::string(n.syntax == CastSyntax::kTryCast ? "TRY_CAST(" : "CAST(") + Print(*n.operand) + " AS " +
         ToString(*n.type) + ")";
}

std::string PrintFunctionCall(const FunctionCallExpr& n) {
  std::string s = FunctionName(n.name) + "(" + (n.distinct ? "DISTINCT " : "") + ExprList(n.args) + ")";
  if (n.filter) s += " FILTER (WHERE " + Print(*n.filter) + ")";
  if (n.null_treatment == NullTreatment::kIgnoreNulls) s += " IGNORE NULLS";
  if (n.null_treatment == NullTreatment::kRespectNulls) s += " RESPECT NULLS";
  if (n.over) {
    const WindowSpec& w = *n.over;
    const bool name_only = !w.base_window.empty() && w.partition_by.empty() && w.order_by.empty() && !w.frame;
    s += " OVER " + (name_only ? QuoteIdentifier(w.base_window) : WindowSpecText(w));
  }
  return s;
}

std::string PrintFieldAccess(const FieldAccessExpr& n) {
  // Keep (a).b apart from the name a.b, and (1).b apart from the number "1.".
  const ExprKind k = n.base->kind;
  const bool bare = k == ExprKind::kFunctionCall || k == ExprKind::kSubscript || k == ExprKind::kFieldAccess ||
                    k == ExprKind::kScalarSubquery;
  std::string base = Print(*n.base);
  return (bare ? base : "(" + base + ")") + "." + QuoteIdentifier(n.field);
}

std::string Print(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral: return LiteralText(e.As<LiteralExpr>());
    case ExprKind::kInterval: return PrintInterval(e.As<IntervalExpr>());
    case ExprKind::kColumnRef: return NamePath(e.As<ColumnRefExpr>().parts);
    case ExprKind::kStar: {
      const auto& n = e.As<StarExpr>();
      return n.qualifier.empty() ? "*" : NamePath(n.qualifier) + ".*";
    }
    case ExprKind::kUnary: return PrintUnary(e.As<UnaryExpr>());
    case ExprKind::kBinary: return PrintBinary(e.As<BinaryExpr>());
    case ExprKind::kIs: return PrintIs(e.As<IsExpr>());
    case ExprKind::kIsDistinctFrom: return PrintIsDistinctFrom(e.As<IsDistinctFromExpr>());
    case ExprKind::kBetween: return PrintBetween(e.As<BetweenExpr>());
    case ExprKind::kInList: return PrintInList(e.As<InListExpr>());
    case ExprKind::kInSubquery: return PrintInSubquery(e.As<InSubqueryExpr>());
    case ExprKind::kExists: {
      const auto& n = e.As<ExistsExpr>();
      return (n.negated ? "NOT EXISTS (" : "EXISTS (") + PrintQuery(*n.query) + ")";
    }
    case ExprKind::kScalarSubquery: return "(" + PrintQuery(*e.As<ScalarSubqueryExpr>().query) + ")";
    case ExprKind::kLike: return PrintLike(e.As<LikeExpr>());
    case ExprKind::kCase: return PrintCase(e.As<CaseExpr>());
    case ExprKind::kCast: return PrintCast(e.As<CastExpr>());
    case ExprKind::kFunctionCall: return PrintFunctionCall(e.As<FunctionCallExpr>());
    case ExprKind::kNamedArgument: {
      const auto& n = e.As<NamedArgumentExpr>();
      return QuoteIdentifier(n.name) + " => " + Print(*n.value);
    }
    case ExprKind::kSubscript: {
      const auto& n = e.As<SubscriptExpr>();
      return Child(*n.base, kLevelPostfix) + "[" + Print(*n.index) + "]";
    }
    case ExprKind::kFieldAccess: return PrintFieldAccess(e.As<FieldAccessExpr>());
    case ExprKind::kExtract: {
      const auto& n = e.As<ExtractExpr>();
      return "EXTRACT(" + QuoteIdentifier(n.field) + " FROM " + Print(*n.source) + ")";
    }
  }
  return "";
}

// ---- Queries

int BodyLevel(const QueryBody& b) {
  if (b.kind != QueryBodyKind::kSetOperation) return 3;
  return b.As<SetOperationBody>().op == SetOpKind::kIntersect ? 2 : 1;
}

std::string PrintBody(const QueryBody& b);

std::string BodyChild(const QueryBody& b, int min_level) {
  std::string s = PrintBody(b);
  return BodyLevel(b) < min_level ? "(" + s + ")" : s;
}

std::string AliasText(const Relation& r) {
  if (r.alias.empty()) return "";
  std::string s = " AS " + QuoteIdentifier(r.alias);
  if (!r.column_aliases.empty()) s += NameList(r.column_aliases);
  return s;
}


std::string GroupingSetText(const std::vector<ExprPtr>& set, bool always_parenthesise) {
  if (set.size() == 1 && !always_parenthesise) return Print(*set[0]);
  return "(" + ExprList(set) + ")";
}

std::string SelectText(const SelectBody& s) {
  std::string out = s.distinct ? "SELECT DISTINCT " : "SELECT ";
  std::vector<std::string> items;
  for (const SelectItem& item : s.items) {
    std::string text = Print(*item.expr);
    if (!item.alias.empty()) text += " AS " + QuoteIdentifier(item.alias);
    items.push_back(std::move(text));
  }
  out += Join(items, ", ");
  if (s.into) out += " INTO " + ToString(*s.into);
  if (s.from) out += " FROM " + PrintRelation(*s.from);
  if (s.where) out += " WHERE " + Print(*s.where);
  if (s.group_by) {
    out += " GROUP BY ";
    if (s.group_by->all) {
      out += "ALL";
    } else {
      std::vector<std::string> elements;
      for (const GroupingElement& g : s.group_by->elements) {
        std::vector<std::string> sets;
        for (const auto& set : g.sets) sets.push_back(GroupingSetText(set, g.kind == GroupingKind::kGroupingSets));
        switch (g.kind) {
          case GroupingKind::kExpr: elements.push_back(Print(*g.sets[0][0])); break;
          case GroupingKind::kRollup: elements.push_back("ROLLUP(" + Join(sets, ", ") + ")"); break;
          case GroupingKind::kCube: elements.push_back("CUBE(" + Join(sets, ", ") + ")"); break;
          case GroupingKind::kGroupingSets: elements.push_back("GROUPING SETS(" + Join(sets, ", ") + ")"); break;
        }
      }
      out += Join(elements, ", ");
    }
  }
  if (s.having) out += " HAVING " + Print(*s.having);
  if (!s.windows.empty()) {
    std::vector<std::string> windows;
    for (const NamedWindow& w : s.windows) windows.push_back(QuoteIdentifier(w.name) + " AS " + WindowSpecText(*w.spec));
    out += " WINDOW " + Join(windows, ", ");
  }
  if (s.qualify) out += " QUALIFY " + Print(*s.qualify);
  return out;
}

std::string PrintBody(const QueryBody& b) {
  switch (b.kind) {
    case QueryBodyKind::kSelect:
      return SelectText(b.As<SelectBody>());
    case QueryBodyKind::kValues: {
      std::vector<std::string> rows;
      for (const auto& row : b.As<ValuesBody>().rows) rows.push_back("(" + ExprList(row) + ")");
      return "VALUES " + Join(rows, ", ");
    }
    case QueryBodyKind::kNested:
      return "(" + PrintQuery(*b.As<NestedQueryBody>().query) + ")";
    case QueryBodyKind::kSetOperation: {
      const auto& n = b.As<SetOperationBody>();
      static constexpr const char* kOps[] = {"UNION", "INTERSECT", "EXCEPT"};
      const int level = BodyLevel(b);
      return BodyChild(*n.left, level) + " " + kOps[static_cast<int>(n.op)] + (n.all ? " ALL " : " ") +
             BodyChild(*n.right, level + 1);
    }
  }
  return "";
}

std::string PrintQuery(const Query& q) {
  std::string out;
  if (!q.with.empty()) {
    std::vector<std::string> ctes;
    for (const CommonTableExpr& cte : q.with) {
      std::string s = QuoteIdentifier(cte.name);
      if (!cte.columns.empty()) s += " " + NameList(cte.columns);
      ctes.push_back(s + " AS (" + PrintQuery(*cte.query) + ")");
    }
    out = "WITH " + Join(ctes, ", ") + " ";
  }
  out += PrintBody(*q.body);
  if (!q.order_by.empty()) out += " ORDER BY " + OrderItems(q.order_by);
  if (q.limit) out += " LIMIT " + Print(*q.limit);
  if (q.offset) out += " OFFSET " + Print(*q.offset);
  return out;
}

std::string PrintRelation(const Relation& r) {
  switch (r.kind) {
    case RelationKind::kTable: {
      const auto& t = r.As<TableRelation>();
      std::string s = t.streaming ? "STREAM(" + ToString(t.name) + ")" : ToString(t.name);
      if (t.time_travel) {
        s += t.time_travel->kind == TimeTravelKind::kVersion ? " VERSION AS OF " : " TIMESTAMP AS OF ";
        s += Child(*t.time_travel->value, kLevelBitOr);
      }
      if (t.watermark) {
        s += " WATERMARK " + NamePath(t.watermark->column) + " DELAY OF " + Child(*t.watermark->delay, kLevelBitOr);
      }
      s += AliasText(r);
      if (t.timestamp_by) s += " TIMESTAMP BY " + Child(*t.timestamp_by, kLevelBitOr);
      return s;
    }
    case RelationKind::kTableFunction: {
      const auto& f = r.As<TableFunctionRelation>();
      return NamePath(f.name) + "(" + ExprList(f.args) + ")" + AliasText(r);
    }
    case RelationKind::kWindowFunction: {
      const auto& w = r.As<WindowFunctionRelation>();
      std::string s = "TABLE(" + w.function + "(TABLE " + PrintRelation(*w.input);
      if (!w.partition_by.empty()) s += " PARTITION BY (" + ExprList(w.partition_by) + ")";
      s += ", DESCRIPTOR(" + NamePath(w.time_column) + ")";
      if (!w.args.empty()) s += ", " + ExprList(w.args);
      return s + "))" + AliasText(r);
    }
    case RelationKind::kSubquery:
      return "(" + PrintQuery(*r.As<SubqueryRelation>().query) + ")" + AliasText(r);
    case RelationKind::kJoin: {
      const auto& j = r.As<JoinRelation>();
      auto is_join = [](const Relation& x) { return x.kind == RelationKind::kJoin; };
      auto is_comma = [&](const Relation& x) { return is_join(x) && x.As<JoinRelation>().comma; };
      std::string left = PrintRelation(*j.left);
      if (!j.comma && is_comma(*j.left)) left = "(" + left + ")";
      std::string right = PrintRelation(*j.right);
      if (is_join(*j.right) && (!j.comma || is_comma(*j.right))) right = "(" + right + ")";
      if (j.comma) return left + ", " + right;
      std::string s = left + (j.natural ? " NATURAL " : " ") + std::string(JoinTypeName(j.type)) + " JOIN " + right;
      if (j.condition) s += " ON " + Print(*j.condition);
      if (!j.using_columns.empty()) s += " USING " + NameList(j.using_columns);
      return s;
    }
  }
  return "";
}

}  // namespace

namespace printer_internal {

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string NamePath(const std::vector<std::string>& parts) {
  std::vector<std::string> quoted;
  for (const std::string& p : parts) quoted.push_back(QuoteIdentifier(p));
  return Join(quoted, ".");
}

std::string NameList(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const std::string& n : names) quoted.push_back(QuoteIdentifier(n));
  return "(" + Join(quoted, ", ") + ")";
}

std::string FormatDouble(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

std::string ExprList(const std::vector<ExprPtr>& exprs) {
  std::vector<std::string> parts;
  for (const ExprPtr& e : exprs) parts.push_back(Print(*e));
  return Join(parts, ", ");
}

std::string ValueOperand(const Expr& e) { return Child(e, kLevelBitOr); }

}  // namespace printer_internal

std::string QuoteIdentifier(std::string_view name) {
  if (IsPlainWord(name) && !IsReservedWord(name) && !EqualsIgnoreCase(name, "INTERVAL")) return std::string(name);
  return BackQuote(name);
}

std::string QuoteString(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    switch (c) {
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04X", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "'";
}

std::string ToString(const ObjectName& name) { return NamePath(name.parts); }

std::string ToString(const TypeName& t) {
  switch (t.kind) {
    case TypeKind::kBoolean: return "BOOLEAN";
    case TypeKind::kTinyInt: return "TINYINT";
    case TypeKind::kSmallInt: return "SMALLINT";
    case TypeKind::kInt: return "INT";
    case TypeKind::kBigInt: return "BIGINT";
    case TypeKind::kFloat: return "FLOAT";
    case TypeKind::kDouble: return "DOUBLE";
    case TypeKind::kDecimal:
      if (!t.precision) return "DECIMAL";
      return "DECIMAL(" + std::to_string(*t.precision) + (t.scale ? ", " + std::to_string(*t.scale) : "") + ")";
    case TypeKind::kString: return "STRING";
    case TypeKind::kVarchar: return "VARCHAR(" + std::to_string(t.length.value_or(0)) + ")";
    case TypeKind::kChar: return "CHAR(" + std::to_string(t.length.value_or(0)) + ")";
    case TypeKind::kBinary: return "BINARY";
    case TypeKind::kDate: return "DATE";
    case TypeKind::kTimestamp: return "TIMESTAMP";
    case TypeKind::kTimestampNtz: return "TIMESTAMP_NTZ";
    case TypeKind::kTimestampLtz: return "TIMESTAMP_LTZ";
    case TypeKind::kInterval: {
      std::string s = "INTERVAL";
      if (t.interval_start) s += " " + std::string(IntervalUnitName(*t.interval_start));
      if (t.interval_end) s += " TO " + std::string(IntervalUnitName(*t.interval_end));
      return s;
    }
    case TypeKind::kArray: return "ARRAY<" + ToString(*t.element) + ">";
    case TypeKind::kMap: return "MAP<" + ToString(*t.key) + ", " + ToString(*t.value) + ">";
    case TypeKind::kStruct: {
      std::vector<std::string> fields;
      for (const StructFieldType& f : t.fields) {
        std::string s = QuoteIdentifier(f.name) + ": " + ToString(*f.type);
        if (f.not_null) s += " NOT NULL";
        if (f.comment) s += " COMMENT " + QuoteString(*f.comment);
        fields.push_back(std::move(s));
      }
      return "STRUCT<" + Join(fields, ", ") + ">";
    }
  }
  return "";
}

std::string ToString(const Expr& expr) { return Print(expr); }
std::string ToString(const Query& query) { return PrintQuery(query); }
std::string ToString(const Relation& relation) { return PrintRelation(relation); }

}  // namespace tidelake::sql
