// Expressions: precedence, literals, predicates, calls, windows, casts and types.
#include <gtest/gtest.h>

#include <random>

#include "sql/parser_test_util.h"

namespace tidelake::sql {
namespace {

using testing::CanonicalExpr;
using testing::MustParseExpr;

const BinaryExpr& AsBinary(const ExprPtr& e) { return e->As<BinaryExpr>(); }

TEST(ParseExpressionTest, PrecedenceOfLogicalOperators) {
  ExprPtr e = MustParseExpr("a OR b AND NOT c = d");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::kBinary);
  EXPECT_EQ(AsBinary(e).op, BinaryOp::kOr);
  const auto& and_node = AsBinary(AsBinary(e).right);
  EXPECT_EQ(and_node.op, BinaryOp::kAnd);
  ASSERT_EQ(and_node.right->kind, ExprKind::kUnary);
  const auto& not_node = and_node.right->As<UnaryExpr>();
  EXPECT_EQ(not_node.op, UnaryOp::kNot);
  EXPECT_EQ(AsBinary(not_node.operand).op, BinaryOp::kEq);  // NOT binds looser than =

  EXPECT_EQ(CanonicalExpr("a OR b AND NOT c = d"), "a OR b AND NOT c = d");
  EXPECT_EQ(CanonicalExpr("(a OR b) AND c"), "(a OR b) AND c");
  EXPECT_EQ(CanonicalExpr("NOT (a AND b)"), "NOT (a AND b)");
  // AND and OR are associative: chains print flat whatever parentheses they were written with.
  EXPECT_EQ(CanonicalExpr("a AND (b AND c)"), "a AND b AND c");
  EXPECT_EQ(CanonicalExpr("(a OR b) OR (c OR (d AND e))"), "a OR b OR c OR d AND e");
  EXPECT_EQ(CanonicalExpr("((a)) and b or c"), "a AND b OR c");
}

TEST(ParseExpressionTest, LongLogicalChainsAreBalanced) {
  // Generated filters can have thousands of terms; like Spark, AND and OR chains become
  // balanced trees, so their height grows with the logarithm of their length.
  std::string sql = "x = 0";
  for (int i = 1; i < 20000; ++i) sql += " OR x = " + std::to_string(i);
  ExprPtr e = MustParseExpr(sql);
  ASSERT_TRUE(e);
  EXPECT_EQ(AsBinary(e).op, BinaryOp::kOr);
  EXPECT_LE(e->height, 20u);
  EXPECT_EQ(ToString(*e), sql);
  // Operands keep their order, and each OR node points at its operator.
  ExprPtr four = MustParseExpr("a OR b OR c OR d");
  ASSERT_TRUE(four);
  const auto& root = AsBinary(four);
  EXPECT_EQ(root.pos.column, 8u);  // the OR between b and c
  EXPECT_EQ(AsBinary(root.left).left->As<ColumnRefExpr>().parts[0], "a");
  EXPECT_EQ(AsBinary(root.right).right->As<ColumnRefExpr>().parts[0], "d");
  EXPECT_EQ(CanonicalExpr("a AND b OR c AND d AND e"), "a AND b OR c AND d AND e");
}

TEST(ParseExpressionTest, PrecedenceOfArithmeticAndBitwiseOperators) {
  ExprPtr e = MustParseExpr("a | b ^ c & d + e * f");
  ASSERT_TRUE(e);
  EXPECT_EQ(AsBinary(e).op, BinaryOp::kBitOr);
  const auto& x = AsBinary(AsBinary(e).right);
  EXPECT_EQ(x.op, BinaryOp::kBitXor);
  const auto& a = AsBinary(x.right);
  EXPECT_EQ(a.op, BinaryOp::kBitAnd);
  const auto& plus = AsBinary(a.right);
  EXPECT_EQ(plus.op, BinaryOp::kAdd);
  EXPECT_EQ(AsBinary(plus.right).op, BinaryOp::kMultiply);

  // Left associativity, and || at the level of + and -.
  ExprPtr c = MustParseExpr("a - b - c || d");
  ASSERT_TRUE(c);
  EXPECT_EQ(AsBinary(c).op, BinaryOp::kConcat);
  EXPECT_EQ(AsBinary(AsBinary(c).left).op, BinaryOp::kSubtract);
  EXPECT_EQ(CanonicalExpr("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(CanonicalExpr("(a - b) - c"), "a - b - c");
  EXPECT_EQ(CanonicalExpr("(a + b) * c % 3 DIV 2 / 4"), "(a + b) * c % 3 DIV 2 / 4");
  EXPECT_EQ(CanonicalExpr("a = b = c"), "a = b = c");
  EXPECT_EQ(CanonicalExpr("a = (b = c)"), "a = (b = c)");
  EXPECT_EQ(CanonicalExpr("a == b AND c != d AND e <> f AND g <=> h AND i <= j AND k >= l AND m < n AND o > p"),
            "a = b AND c <> d AND e <> f AND g <=> h AND i <= j AND k >= l AND m < n AND o > p");
  EXPECT_EQ(CanonicalExpr("~a + -b * +c"), "~a + -b * +c");
}

TEST(ParseExpressionTest, UnaryMinusAndNegativeLiterals) {
  ExprPtr e = MustParseExpr("-9223372036854775808");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::kLiteral);
  EXPECT_EQ(e->As<LiteralExpr>().int_value, INT64_MIN);
  ExprPtr cast = MustParseExpr("-5::string");  // the cast applies first
  ASSERT_TRUE(cast);
  ASSERT_EQ(cast->kind, ExprKind::kUnary);
  EXPECT_EQ(cast->As<UnaryExpr>().operand->kind, ExprKind::kCast);
  EXPECT_EQ(CanonicalExpr("-5::string"), "-5::STRING");
  EXPECT_EQ(CanonicalExpr("(-5)::string"), "(-5)::STRING");
  EXPECT_EQ(CanonicalExpr("-(5)"), "-(5)");
  EXPECT_EQ(CanonicalExpr("- -a"), "-(-a)");
  EXPECT_EQ(CanonicalExpr("-(-5)"), "-(-5)");
  EXPECT_EQ(CanonicalExpr("1 - -5"), "1 - -5");
  EXPECT_EQ(CanonicalExpr("-(a + b)"), "-(a + b)");
}

TEST(ParseExpressionTest, NumericLiterals) {
  struct Case {
    const char* sql;
    LiteralKind kind;
    const char* canonical;
  };
  const Case cases[] = {
      {"42", LiteralKind::kInteger, "42"},
      {"2147483648", LiteralKind::kInteger, "2147483648"},
      {"99999999999999999999", LiteralKind::kDecimal, "99999999999999999999BD"},
      {"10L", LiteralKind::kInteger, "10L"},
      {"5S", LiteralKind::kInteger, "5S"},
      {"-128Y", LiteralKind::kInteger, "-128Y"},
      {"1.50", LiteralKind::kDecimal, "1.50"},
      {"-0.5", LiteralKind::kDecimal, "-0.5"},
      {".5", LiteralKind::kDecimal, ".5"},
      {"3BD", LiteralKind::kDecimal, "3BD"},
      {"1.5D", LiteralKind::kDouble, "1.5D"},
      {"1e3", LiteralKind::kDouble, "1e3D"},
      {"2.5E-3", LiteralKind::kDouble, "2.5E-3D"},
      {"2F", LiteralKind::kFloat, "2F"},
  };
  for (const Case& c : cases) {
    ExprPtr e = MustParseExpr(c.sql);
    ASSERT_TRUE(e) << c.sql;
    ASSERT_EQ(e->kind, ExprKind::kLiteral) << c.sql;
    EXPECT_EQ(e->As<LiteralExpr>().literal_kind, c.kind) << c.sql;
    EXPECT_EQ(CanonicalExpr(c.sql), c.canonical);
  }
  ExprPtr i = MustParseExpr("10L");
  EXPECT_EQ(i->As<LiteralExpr>().int_value, 10);
  EXPECT_EQ(i->As<LiteralExpr>().int_width, IntegerWidth::kBigInt);
  ExprPtr d = MustParseExpr("2.5E-3");
  EXPECT_DOUBLE_EQ(d->As<LiteralExpr>().double_value, 0.0025);
}

TEST(ParseExpressionTest, OtherLiterals) {
  ExprPtr s = MustParseExpr("'it''s' \"and\" ' more'");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->As<LiteralExpr>().literal_kind, LiteralKind::kString);
  EXPECT_EQ(s->As<LiteralExpr>().text, "it'sand more");  // adjacent strings concatenate
  EXPECT_EQ(CanonicalExpr("'it''s' \"and\" ' more'"), "'it\\'sand more'");
  EXPECT_EQ(CanonicalExpr("'a\\nb\\\\c\\u0001'"), "'a\\nb\\\\c\\u0001'");
  EXPECT_EQ(CanonicalExpr("null"), "NULL");
  EXPECT_EQ(CanonicalExpr("True AND false"), "TRUE AND FALSE");

  ExprPtr date = MustParseExpr("DATE '2024-01-31'");
  ASSERT_TRUE(date);
  EXPECT_EQ(date->As<LiteralExpr>().literal_kind, LiteralKind::kDate);
  EXPECT_EQ(date->As<LiteralExpr>().text, "2024-01-31");
  EXPECT_EQ(CanonicalExpr("date '2024-01-31'"), "DATE '2024-01-31'");
  EXPECT_EQ(CanonicalExpr("timestamp '2024-01-31 10:00:00'"), "TIMESTAMP '2024-01-31 10:00:00'");
  EXPECT_EQ(CanonicalExpr("TIMESTAMP_NTZ '2024-01-31 10:00'"), "TIMESTAMP_NTZ '2024-01-31 10:00'");
  EXPECT_EQ(CanonicalExpr("timestamp_ltz '2024-01-31'"), "TIMESTAMP_LTZ '2024-01-31'");
  EXPECT_EQ(CanonicalExpr("X'0aFF'"), "X'0aFF'");
}

TEST(ParseExpressionTest, IntervalLiterals) {
  ExprPtr e = MustParseExpr("INTERVAL 1 DAY 2 HOURS");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::kInterval);
  const auto& interval = e->As<IntervalExpr>();
  ASSERT_EQ(interval.fields.size(), 2u);
  EXPECT_EQ(interval.fields[0].value, "1");
  EXPECT_EQ(interval.fields[0].unit, IntervalUnit::kDay);
  EXPECT_EQ(interval.fields[1].unit, IntervalUnit::kHour);

  EXPECT_EQ(CanonicalExpr("INTERVAL 5 MINUTES"), "INTERVAL 5 MINUTE");
  EXPECT_EQ(CanonicalExpr("interval '5' minute"), "INTERVAL '5' MINUTE");
  EXPECT_EQ(CanonicalExpr("INTERVAL -1.5 seconds"), "INTERVAL -1.5 SECOND");
  EXPECT_EQ(CanonicalExpr("INTERVAL '1-2' YEAR TO MONTH"), "INTERVAL '1-2' YEAR TO MONTH");
  EXPECT_EQ(CanonicalExpr("INTERVAL '1 day 2 hours'"), "INTERVAL '1 day 2 hours'");
  EXPECT_EQ(CanonicalExpr("ts - INTERVAL 1 DAY - 5"), "ts - INTERVAL 1 DAY - 5");
  EXPECT_EQ(CanonicalExpr("INTERVAL 3 WEEKS 1 millisecond 7 microseconds"),
            "INTERVAL 3 WEEK 1 MILLISECOND 7 MICROSECOND");
  // `interval` alone is a column.
  ExprPtr column = MustParseExpr("interval + 1");
  ASSERT_TRUE(column);
  EXPECT_EQ(AsBinary(column).left->kind, ExprKind::kColumnRef);
  EXPECT_EQ(CanonicalExpr("interval + 1"), "`interval` + 1");
}

TEST(ParseExpressionTest, NamesAndStars) {
  ExprPtr e = MustParseExpr("zone.t.col.field");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::kColumnRef);
  EXPECT_EQ(e->As<ColumnRefExpr>().parts, (std::vector<std::string>{"zone", "t", "col", "field"}));
  EXPECT_EQ(CanonicalExpr("`my col`.`a``b` + t.`order`"), "`my col`.`a``b` + t.`order`");
  ExprPtr star = MustParseExpr("t.*");
  ASSERT_TRUE(star);
  EXPECT_EQ(star->As<StarExpr>().qualifier, std::vector<std::string>{"t"});
  // Non-reserved keywords are names.
  EXPECT_EQ(CanonicalExpr("date + year + minute + type + comment + key + value + timestamp + current_date"),
            "date + year + minute + type + comment + key + value + timestamp + current_date");
  EXPECT_EQ(CanonicalExpr("`from` + `select`"), "`from` + `select`");
}

TEST(ParseExpressionTest, Predicates) {
  EXPECT_EQ(CanonicalExpr("a is null or b IS NOT NULL"), "a IS NULL OR b IS NOT NULL");
  EXPECT_EQ(CanonicalExpr("a IS TRUE AND b IS NOT FALSE AND c IS UNKNOWN"),
            "a IS TRUE AND b IS NOT FALSE AND c IS UNKNOWN");
  EXPECT_EQ(CanonicalExpr("a is distinct from b and c is not distinct from d + 1"),
            "a IS DISTINCT FROM b AND c IS NOT DISTINCT FROM d + 1");
  EXPECT_EQ(CanonicalExpr("x BETWEEN 1 AND 10 AND y NOT BETWEEN a + 1 AND b"),
            "x BETWEEN 1 AND 10 AND y NOT BETWEEN a + 1 AND b");
  EXPECT_EQ(CanonicalExpr("x in (1, 2, 3) and y not in ('a')"), "x IN (1, 2, 3) AND y NOT IN ('a')");
  EXPECT_EQ(CanonicalExpr("a = b IS NULL"), "a = b IS NULL");
  EXPECT_EQ(CanonicalExpr("a = (b IS NULL)"), "a = (b IS NULL)");
  EXPECT_EQ(CanonicalExpr("name like 'a%' and name not ilike '%B' escape '!'"),
            "name LIKE 'a%' AND name NOT ILIKE '%B' ESCAPE '!'");
  EXPECT_EQ(CanonicalExpr("s rlike '^a' or s not regexp 'b$'"), "s RLIKE '^a' OR s NOT RLIKE 'b$'");

  ExprPtr between = MustParseExpr("x NOT BETWEEN 1 AND 2");
  ASSERT_TRUE(between);
  ASSERT_EQ(between->kind, ExprKind::kBetween);
  EXPECT_TRUE(between->As<BetweenExpr>().negated);
  ExprPtr like = MustParseExpr("a LIKE 'x!%' ESCAPE '!'");
  ASSERT_TRUE(like);
  EXPECT_EQ(like->As<LikeExpr>().escape, std::optional<std::string>("!"));
}

TEST(ParseExpressionTest, Subqueries) {
  ExprPtr in = MustParseExpr("id NOT IN (SELECT id FROM t WHERE x > 1)");
  ASSERT_TRUE(in);
  ASSERT_EQ(in->kind, ExprKind::kInSubquery);
  EXPECT_TRUE(in->As<InSubqueryExpr>().negated);
  ExprPtr exists = MustParseExpr("NOT EXISTS (SELECT 1 FROM t)");
  ASSERT_TRUE(exists);
  ASSERT_EQ(exists->kind, ExprKind::kExists);
  EXPECT_TRUE(exists->As<ExistsExpr>().negated);
  EXPECT_EQ(CanonicalExpr("EXISTS (select 1 from t where t.a = u.a) and not exists (select 2)"),
            "EXISTS (SELECT 1 FROM t WHERE t.a = u.a) AND NOT EXISTS (SELECT 2)");
  EXPECT_EQ(CanonicalExpr("x in (select y from u union select z from v)"),
            "x IN (SELECT y FROM u UNION SELECT z FROM v)");
  EXPECT_EQ(CanonicalExpr("(SELECT max(a) FROM t) + 1"), "(SELECT max(a) FROM t) + 1");
  EXPECT_EQ(CanonicalExpr("(NOT EXISTS (SELECT 1)) = TRUE"), "(NOT EXISTS (SELECT 1)) = TRUE");
}

TEST(ParseExpressionTest, CaseCastExtract) {
  ExprPtr simple = MustParseExpr("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END");
  ASSERT_TRUE(simple);
  const auto& c = simple->As<CaseExpr>();
  ASSERT_TRUE(c.operand);
  EXPECT_EQ(c.whens.size(), 2u);
  ASSERT_TRUE(c.else_result);
  EXPECT_EQ(CanonicalExpr("case when a > 0 then 1 end"), "CASE WHEN a > 0 THEN 1 END");
  EXPECT_EQ(CanonicalExpr("CASE x WHEN 1 THEN 'a' ELSE 'c' END"), "CASE x WHEN 1 THEN 'a' ELSE 'c' END");

  ExprPtr cast = MustParseExpr("try_cast(a AS decimal(10, 2))");
  ASSERT_TRUE(cast);
  EXPECT_EQ(cast->As<CastExpr>().syntax, CastSyntax::kTryCast);
  EXPECT_EQ(cast->As<CastExpr>().type->precision, 10);
  EXPECT_EQ(cast->As<CastExpr>().type->scale, 2);
  EXPECT_EQ(CanonicalExpr("cast(a as bigint)"), "CAST(a AS BIGINT)");
  EXPECT_EQ(CanonicalExpr("a::int::string"), "a::INT::STRING");
  EXPECT_EQ(CanonicalExpr("(a + b)::double"), "(a + b)::DOUBLE");
  EXPECT_EQ(CanonicalExpr("extract(year from ts) = 2024"), "EXTRACT(year FROM ts) = 2024");
}

TEST(ParseExpressionTest, SubstringFromFor) {
  // The SQL-standard form (TPC-H Q22) is the ordinary call.
  EXPECT_EQ(CanonicalExpr("substring(c_phone FROM 1 FOR 2)"), "substring(c_phone, 1, 2)");
  EXPECT_EQ(CanonicalExpr("SUBSTR(s from a + 1)"), "SUBSTR(s, a + 1)");
  EXPECT_EQ(CanonicalExpr("substring(s, 2, 3)"), "substring(s, 2, 3)");
  EXPECT_EQ(CanonicalExpr("substring(s)"), "substring(s)");
  EXPECT_EQ(CanonicalExpr("substring()"), "substring()");
  EXPECT_FALSE(ParseExpression("substring(s FROM 1, 2)").ok());
  EXPECT_FALSE(ParseExpression("substring(s FOR 2)").ok());
}

TEST(ParseExpressionTest, Types) {
  const std::pair<const char*, const char*> cases[] = {
      {"boolean", "BOOLEAN"},
      {"tinyint", "TINYINT"},
      {"byte", "TINYINT"},
      {"smallint", "SMALLINT"},
      {"short", "SMALLINT"},
      {"int", "INT"},
      {"integer", "INT"},
      {"bigint", "BIGINT"},
      {"long", "BIGINT"},
      {"float", "FLOAT"},
      {"real", "FLOAT"},
      {"double", "DOUBLE"},
      {"decimal", "DECIMAL"},
      {"dec(5)", "DECIMAL(5)"},
      {"numeric(38, 0)", "DECIMAL(38, 0)"},
      {"string", "STRING"},
      {"varchar(10)", "VARCHAR(10)"},
      {"char(3)", "CHAR(3)"},
      {"binary", "BINARY"},
      {"date", "DATE"},
      {"timestamp", "TIMESTAMP"},
      {"timestamp_ntz", "TIMESTAMP_NTZ"},
      {"timestamp_ltz", "TIMESTAMP_LTZ"},
      {"interval", "INTERVAL"},
      {"interval day to second", "INTERVAL DAY TO SECOND"},
      {"array<int>", "ARRAY<INT>"},
      {"map<string, array<double>>", "MAP<STRING, ARRAY<DOUBLE>>"},
      {"struct<a: int, b string not null comment 'x', `c d`: map<int,int>>",
       "STRUCT<a: INT, b: STRING NOT NULL COMMENT 'x', `c d`: MAP<INT, INT>>"},
      {"struct<>", "STRUCT<>"},
      {"array<struct<x:array<long>>>", "ARRAY<STRUCT<x: ARRAY<BIGINT>>>"},
  };
  for (const auto& [sql, canonical] : cases) {
    auto type = ParseTypeName(sql);
    ASSERT_TRUE(type.ok()) << sql << ": " << type.status().ToString();
    EXPECT_EQ(ToString(**type), canonical) << sql;
    EXPECT_EQ(CanonicalExpr(std::string("CAST(x AS ") + sql + ")"), std::string("CAST(x AS ") + canonical + ")");
  }
  auto map = ParseTypeName("map<string, int>");
  ASSERT_TRUE(map.ok());
  EXPECT_EQ((*map)->kind, TypeKind::kMap);
  EXPECT_EQ((*map)->key->kind, TypeKind::kString);
  EXPECT_EQ((*map)->value->kind, TypeKind::kInt);
}

TEST(ParseExpressionTest, FunctionCalls) {
  ExprPtr count = MustParseExpr("COUNT(*)");
  ASSERT_TRUE(count);
  const auto& call = count->As<FunctionCallExpr>();
  EXPECT_EQ(call.name, std::vector<std::string>{"COUNT"});
  ASSERT_EQ(call.args.size(), 1u);
  EXPECT_EQ(call.args[0]->kind, ExprKind::kStar);

  ExprPtr dotted = MustParseExpr("System.Timestamp()");
  ASSERT_TRUE(dotted);
  EXPECT_EQ(dotted->As<FunctionCallExpr>().name, (std::vector<std::string>{"System", "Timestamp"}));
  EXPECT_TRUE(dotted->As<FunctionCallExpr>().args.empty());

  EXPECT_EQ(CanonicalExpr("count(distinct a, b)"), "count(DISTINCT a, b)");
  EXPECT_EQ(CanonicalExpr("sum(x) filter (where y > 0)"), "sum(x) FILTER (WHERE y > 0)");
  EXPECT_EQ(CanonicalExpr("first(x) ignore nulls"), "first(x) IGNORE NULLS");
  EXPECT_EQ(CanonicalExpr("TumblingWindow(minute, 5)"), "TumblingWindow(minute, 5)");
  EXPECT_EQ(CanonicalExpr("left(s, 2) || right(s, 1)"), "left(s, 2) || right(s, 1)");
  EXPECT_EQ(CanonicalExpr("`cast`(x) + `from`(y)"), "`cast`(x) + `from`(y)");
  EXPECT_EQ(CanonicalExpr("date_sub(current_timestamp(), 1)"), "date_sub(current_timestamp(), 1)");
  EXPECT_EQ(CanonicalExpr("f(a => 1, `b c` => 'x')"), "f(a => 1, `b c` => 'x')");
  EXPECT_EQ(CanonicalExpr("map_col['k'][0].field"), "map_col['k'][0].field");
  EXPECT_EQ(CanonicalExpr("f(x).a.b"), "f(x).a.b");
  EXPECT_EQ(CanonicalExpr("(a).b"), "(a).b");
  ExprPtr field = MustParseExpr("arr[0].field");
  ASSERT_TRUE(field);
  ASSERT_EQ(field->kind, ExprKind::kFieldAccess);
  EXPECT_EQ(field->As<FieldAccessExpr>().base->kind, ExprKind::kSubscript);
}

TEST(ParseExpressionTest, WindowFunctions) {
  ExprPtr e = MustParseExpr(
      "sum(amount) OVER (PARTITION BY customer_id ORDER BY ts DESC NULLS LAST "
      "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)");
  ASSERT_TRUE(e);
  const auto& call = e->As<FunctionCallExpr>();
  ASSERT_TRUE(call.over);
  EXPECT_EQ(call.over->partition_by.size(), 1u);
  ASSERT_EQ(call.over->order_by.size(), 1u);
  EXPECT_EQ(call.over->order_by[0].direction, SortDirection::kDescending);
  EXPECT_EQ(call.over->order_by[0].nulls, NullOrder::kNullsLast);
  ASSERT_TRUE(call.over->frame);
  EXPECT_EQ(call.over->frame->unit, FrameUnit::kRows);
  EXPECT_EQ(call.over->frame->start.kind, FrameBoundKind::kUnboundedPreceding);
  ASSERT_TRUE(call.over->frame->end);
  EXPECT_EQ(call.over->frame->end->kind, FrameBoundKind::kCurrentRow);

  EXPECT_EQ(CanonicalExpr("row_number() over (order by x)"), "row_number() OVER (ORDER BY x)");
  EXPECT_EQ(CanonicalExpr("avg(x) over (partition by a, b range between interval 1 day preceding and current row)"),
            "avg(x) OVER (PARTITION BY a, b RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW)");
  EXPECT_EQ(CanonicalExpr("sum(x) over (order by t rows 5 preceding)"),
            "sum(x) OVER (ORDER BY t ROWS 5 PRECEDING)");
  EXPECT_EQ(CanonicalExpr("sum(x) over (rows between 1 following and unbounded following)"),
            "sum(x) OVER (ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)");
  EXPECT_EQ(CanonicalExpr("lag(x, 1) over w"), "lag(x, 1) OVER w");
  EXPECT_EQ(CanonicalExpr("lag(x) over (w order by y)"), "lag(x) OVER (w ORDER BY y)");
  EXPECT_EQ(CanonicalExpr("count(*) filter (where a) over ()"), "count(*) FILTER (WHERE a) OVER ()");
}

TEST(ParseExpressionTest, PositionsPointAtTheSource) {
  ExprPtr e = MustParseExpr("a +\n  amount");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->pos.line, 1u);
  EXPECT_EQ(e->pos.column, 3u);  // the operator
  const auto& right = AsBinary(e).right;
  EXPECT_EQ(right->pos.line, 2u);
  EXPECT_EQ(right->pos.column, 3u);
  EXPECT_EQ(right->pos.offset, 6u);
}

TEST(ParseExpressionTest, HeightsAreComputed) {
  ExprPtr e = MustParseExpr("a + (b * (c - d))");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->height, 4u);
  EXPECT_EQ(AsBinary(e).left->height, 1u);
}

// Builds random expression text from every construct, with random parentheses; not every
// result is valid SQL (NOT in an operand position is not), which is fine.
class RandomExpression {
 public:
  explicit RandomExpression(uint32_t seed) : rng_(seed) {}

  std::string Make(int depth) {
    std::string e = depth <= 0 ? Atom() : Compound(depth - 1);
    return Pick(4) == 0 ? "(" + e + ")" : e;
  }

 private:
  size_t Pick(size_t n) { return rng_() % n; }

  std::string Atom() {
    static const char* const kAtoms[] = {
        "a", "t.b", "s.c.d", "1", "-2", "1.5", "2.5D", "3L", "1e3", "'x'", "'it''s'", "NULL", "TRUE",
        "DATE '2024-01-01'", "INTERVAL 1 DAY", "INTERVAL '2' HOUR", "X'0A'", "`from`", "f()", "count(*)",
        "current_date", "`interval`", "date"};
    return kAtoms[Pick(std::size(kAtoms))];
  }

  std::string Compound(int d) {
    static const char* const kBinary[] = {" OR ", " AND ", " = ", " <> ", " < ", " <= ", " > ", " >= ", " <=> ",
                                          " | ", " ^ ", " & ", " + ", " - ", " || ", " * ", " / ", " % ", " DIV "};
    switch (Pick(22)) {
      case 0: case 1: case 2: case 3: case 4:
        return Make(d) + kBinary[Pick(std::size(kBinary))] + Make(d);
      case 5: return "NOT " + Make(d);
      case 6: return std::string(Pick(2) ? "-" : "~") + Make(d);
      case 7: return Make(d) + "[" + Make(d) + "]";
      case 8: return Make(d) + "::INT";
      case 9: return "f(" + Make(d) + ").fld";
      case 10: return Make(d) + (Pick(2) ? " IS NOT NULL" : " IS TRUE");
      case 11: return Make(d) + " IS DISTINCT FROM " + Make(d);
      case 12: return Make(d) + (Pick(2) ? " NOT" : "") + " BETWEEN " + Make(d) + " AND " + Make(d);
      case 13: return Make(d) + (Pick(2) ? " NOT" : "") + " IN (" + Make(d) + ", " + Make(d) + ")";
      case 14: return Make(d) + (Pick(2) ? " NOT" : "") + " LIKE " + Make(d) + (Pick(2) ? " ESCAPE '!'" : "");
      case 15: return std::string(Pick(2) ? "NOT " : "") + "EXISTS (SELECT " + Make(d) + ")";
      case 16: return Pick(2) ? "(SELECT " + Make(d) + " FROM t)" : Make(d) + " IN (SELECT " + Make(d) + ")";
      case 17: return "CASE WHEN " + Make(d) + " THEN " + Make(d) + " ELSE " + Make(d) + " END";
      case 18: return "CAST(" + Make(d) + " AS DECIMAL(10, 2))";
      case 19:
        return "sum(" + Make(d) + ") OVER (PARTITION BY " + Make(d) + " ORDER BY " + Make(d) +
               " ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)";
      case 20: return "EXTRACT(YEAR FROM " + Make(d) + ")";
      default: return "g(" + Make(d) + ", k => " + Make(d) + ")";
    }
  }

  std::mt19937 rng_;
};

TEST(ParseExpressionTest, RandomExpressionsPrintToAFixedPoint) {
  RandomExpression generator(7);
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string sql = generator.Make(4);
    auto first = ParseExpression(sql);
    if (!first.ok()) continue;
    ++parsed;
    const std::string printed = ToString(**first);
    auto second = ParseExpression(printed);
    ASSERT_TRUE(second.ok()) << "from: " << sql << "\n  printed: " << printed << "\n  " << second.status().ToString();
    ASSERT_EQ(ToString(**second), printed) << "from: " << sql;
  }
  EXPECT_GT(parsed, 1000);
}

}  // namespace
}  // namespace tidelake::sql
