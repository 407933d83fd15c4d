#include "session/store_assignment.h"

#include <algorithm>

#include "common/strings.h"
#include "delta/data_writer.h"
#include "plan/functions.h"

namespace tidelake::session {

namespace cp = arrow::compute;

std::optional<std::string> TableColumn(const arrow::Schema& table, const std::string& name) {
  for (const auto& f : table.fields()) {
    if (Lower(f->name()) == Lower(name)) return f->name();
  }
  return std::nullopt;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

arrow::Result<std::vector<std::string>> InsertTargets(const arrow::Schema& table, const std::vector<std::string>& listed,
                                                      const std::vector<std::string>& excluded,
                                                      const std::string& table_name) {
  auto is_excluded = [&](const std::string& column) {
    return std::find(excluded.begin(), excluded.end(), column) != excluded.end();
  };
  std::vector<std::string> targets;
  if (listed.empty()) {
    for (const auto& f : table.fields()) {
      if (!is_excluded(f->name())) targets.push_back(f->name());
    }
    return targets;
  }
  for (const auto& c : listed) {
    auto column = TableColumn(table, c);
    if (!column) {
      std::vector<std::string> names;
      for (const auto& f : table.fields()) names.push_back(f->name());
      return arrow::Status::Invalid("column '", c, "' of the INSERT column list is not a column of table '", table_name,
                                    "' (columns: ", JoinNames(names), ")");
    }
    if (std::find(targets.begin(), targets.end(), *column) != targets.end()) {
      return arrow::Status::Invalid("the INSERT column list names column '", *column, "' twice");
    }
    if (is_excluded(*column)) {
      return arrow::Status::Invalid("column '", *column,
                                    "' has a static value in the PARTITION clause and cannot also be in the column list");
    }
    targets.push_back(*column);
  }
  return targets;
}

arrow::Result<arrow::FieldVector> AssignedFields(const arrow::Schema& query, const std::vector<std::string>& targets,
                                                 const arrow::Schema& table, const std::string& table_name) {
  if (static_cast<size_t>(query.num_fields()) != targets.size()) {
    return arrow::Status::Invalid("INSERT INTO ", table_name, " gives ", query.num_fields(), " values for ",
                                  targets.size(), " columns (", JoinNames(targets), ")");
  }
  auto numeric = [](const arrow::DataType& t) { return arrow::is_numeric(t.id()) || arrow::is_decimal(t.id()); };
  arrow::FieldVector fields;
  for (size_t i = 0; i < targets.size(); ++i) {
    auto field = query.field(static_cast<int>(i))->WithName(targets[i]);
    auto target = table.GetFieldByName(targets[i]);
    if (target && numeric(*target->type()) && numeric(*field->type()) && !target->type()->Equals(*field->type())) {
      field = field->WithType(target->type());
    }
    fields.push_back(field);
  }
  return fields;
}

arrow::Status CheckAssignable(const arrow::FieldVector& fields, const std::shared_ptr<arrow::Schema>& table) {
  // No rows: only the types are checked (NULLs in a NOT NULL column are found as rows come).
  ARROW_ASSIGN_OR_RAISE(auto none, arrow::RecordBatch::MakeEmpty(arrow::schema(fields)));
  return delta::ConformToTableSchema(none, table).status();
}

arrow::Result<arrow::Datum> AssignValues(const arrow::Datum& values, const arrow::Field& field) {
  if (values.type()->Equals(*field.type())) return values;
  auto cast = cp::Cast(values, field.type(), cp::CastOptions::Safe());
  if (!cast.ok()) {
    return arrow::Status::Invalid("a value of type ", plan::SqlTypeName(*values.type()), " does not fit column '",
                                  field.name(), "' of type ", plan::SqlTypeName(*field.type()), " (",
                                  cast.status().message(), ")");
  }
  return cast;
}

namespace {

class Assigning : public stream::Sink {
 public:
  Assigning(std::unique_ptr<stream::Sink> sink, arrow::FieldVector fields)
      : sink_(std::move(sink)), schema_(arrow::schema(std::move(fields))) {}

  arrow::Result<stream::SinkResult> Write(const std::string& query_id, int64_t batch_id,
                                          const std::shared_ptr<arrow::Table>& rows) override {
    if (rows->num_columns() != schema_->num_fields()) {
      return arrow::Status::Invalid("internal error: a streaming INSERT's batch has ", rows->num_columns(),
                                    " columns for ", schema_->num_fields());
    }
    arrow::ChunkedArrayVector columns;
    for (int i = 0; i < schema_->num_fields(); ++i) {
      ARROW_ASSIGN_OR_RAISE(auto assigned, AssignValues(rows->column(i), *schema_->field(i)));
      columns.push_back(assigned.chunked_array());
    }
    return sink_->Write(query_id, batch_id, arrow::Table::Make(schema_, std::move(columns), rows->num_rows()));
  }

 private:
  std::unique_ptr<stream::Sink> sink_;
  std::shared_ptr<arrow::Schema> schema_;
};

}  // namespace

std::unique_ptr<stream::Sink> AssigningSink(std::unique_ptr<stream::Sink> sink, arrow::FieldVector fields) {
  return std::make_unique<Assigning>(std::move(sink), std::move(fields));
}

}  // namespace tidelake::session
