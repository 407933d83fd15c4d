#include "sql/table_references.h"

namespace tidelake::sql {

namespace {

void FromQuery(const Query& query, std::vector<const TableRelation*>* out);

void FromRelation(const Relation& relation, std::vector<const TableRelation*>* out) {
  switch (relation.kind) {
    case RelationKind::kTable:
      out->push_back(&relation.As<TableRelation>());
      return;
    case RelationKind::kTableFunction:
      return;
    case RelationKind::kWindowFunction:
      FromRelation(*relation.As<WindowFunctionRelation>().input, out);
      return;
    case RelationKind::kSubquery:
      FromQuery(*relation.As<SubqueryRelation>().query, out);
      return;
    case RelationKind::kJoin: {
      const auto& join = relation.As<JoinRelation>();
      FromRelation(*join.left, out);
      FromRelation(*join.right, out);
      return;
    }
  }
}

void FromBody(const QueryBody& body, std::vector<const TableRelation*>* out) {
  switch (body.kind) {
    case QueryBodyKind::kSelect:
      if (const auto& from = body.As<SelectBody>().from) FromRelation(*from, out);
      return;
    case QueryBodyKind::kSetOperation: {
      const auto& set = body.As<SetOperationBody>();
      FromBody(*set.left, out);
      FromBody(*set.right, out);
      return;
    }
    case QueryBodyKind::kValues:
      return;
    case QueryBodyKind::kNested:
      FromQuery(*body.As<NestedQueryBody>().query, out);
      return;
  }
}

void FromQuery(const Query& query, std::vector<const TableRelation*>* out) {
  for (const auto& cte : query.with) FromQuery(*cte.query, out);
  FromBody(*query.body, out);
}

}  // namespace

std::vector<const TableRelation*> FromTables(const Query& query) {
  std::vector<const TableRelation*> out;
  FromQuery(query, &out);
  return out;
}

}  // namespace tidelake::sql
