#include "sql/ast.h"

namespace tidelake::sql {

std::string_view IntervalUnitName(IntervalUnit unit) {
  switch (unit) {
    case IntervalUnit::kYear: return "YEAR";
    case IntervalUnit::kMonth: return "MONTH";
    case IntervalUnit::kWeek: return "WEEK";
    case IntervalUnit::kDay: return "DAY";
    case IntervalUnit::kHour: return "HOUR";
    case IntervalUnit::kMinute: return "MINUTE";
    case IntervalUnit::kSecond: return "SECOND";
    case IntervalUnit::kMillisecond: return "MILLISECOND";
    case IntervalUnit::kMicrosecond: return "MICROSECOND";
  }
  return "?";
}

std::string_view BinaryOpSpelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return "OR";
    case BinaryOp::kAnd: return "AND";
    case BinaryOp::kEq: return "=";
    case BinaryOp::kNotEq: return "<>";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLtEq: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGtEq: return ">=";
    case BinaryOp::kNullSafeEq: return "<=>";
    case BinaryOp::kBitOr: return "|";
    case BinaryOp::kBitXor: return "^";
    case BinaryOp::kBitAnd: return "&";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSubtract: return "-";
    case BinaryOp::kConcat: return "||";
    case BinaryOp::kMultiply: return "*";
    case BinaryOp::kDivide: return "/";
    case BinaryOp::kModulo: return "%";
    case BinaryOp::kIntDivide: return "DIV";
  }
  return "?";
}

std::string_view JoinTypeName(JoinType type) {
  switch (type) {
    case JoinType::kInner: return "INNER";
    case JoinType::kLeft: return "LEFT";
    case JoinType::kRight: return "RIGHT";
    case JoinType::kFull: return "FULL";
    case JoinType::kCross: return "CROSS";
    case JoinType::kLeftSemi: return "LEFT SEMI";
    case JoinType::kLeftAnti: return "LEFT ANTI";
  }
  return "?";
}

std::string_view StatementKindName(StatementKind kind) {
  switch (kind) {
    case StatementKind::kQuery: return "query";
    case StatementKind::kExplain: return "EXPLAIN";
    case StatementKind::kCreateTable: return "CREATE TABLE";
    case StatementKind::kCreateView: return "CREATE VIEW";
    case StatementKind::kDrop: return "DROP";
    case StatementKind::kAlterTable: return "ALTER TABLE";
    case StatementKind::kInsert: return "INSERT";
    case StatementKind::kDelete: return "DELETE";
    case StatementKind::kUpdate: return "UPDATE";
    case StatementKind::kMerge: return "MERGE";
    case StatementKind::kOptimize: return "OPTIMIZE";
    case StatementKind::kVacuum: return "VACUUM";
    case StatementKind::kDescribe: return "DESCRIBE";
    case StatementKind::kRestore: return "RESTORE";
    case StatementKind::kAnalyze: return "ANALYZE";
    case StatementKind::kShow: return "SHOW";
    case StatementKind::kSet: return "SET";
    case StatementKind::kReset: return "RESET";
    case StatementKind::kUse: return "USE";
    case StatementKind::kRefresh: return "REFRESH";
    case StatementKind::kCreateSource: return "CREATE SOURCE";
  }
  return "?";
}

const ObjectName* Query::Into() const {
  if (!body || body->kind != QueryBodyKind::kSelect) return nullptr;
  const auto& select = static_cast<const SelectBody&>(*body);
  return select.into ? &*select.into : nullptr;
}

}  // namespace tidelake::sql
