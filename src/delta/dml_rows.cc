#include "delta/dml_rows.h"

#include <arrow/array/util.h>
#include <arrow/builder.h>
#include <arrow/compute/api.h>
#include <arrow/compute/cast.h>

#include <chrono>

namespace tidelake::delta {

namespace cp = arrow::compute;

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string ColumnList(const arrow::Schema& schema) {
  std::string all;
  for (const auto& f : schema.fields()) all += (all.empty() ? "" : ", ") + f->name();
  return all;
}

}  // namespace

arrow::Result<cp::Expression> ResolveColumns(const cp::Expression& expr, const ColumnResolver& resolve) {
  if (const arrow::FieldRef* ref = expr.field_ref()) {
    ARROW_ASSIGN_OR_RAISE(auto resolved, resolve(*ref));
    return cp::field_ref(std::move(resolved));
  }
  if (const cp::Expression::Call* call = expr.call()) {
    std::vector<cp::Expression> args;
    args.reserve(call->arguments.size());
    for (const auto& arg : call->arguments) {
      ARROW_ASSIGN_OR_RAISE(auto a, ResolveColumns(arg, resolve));
      args.push_back(std::move(a));
    }
    return cp::call(call->function_name, std::move(args), call->options);
  }
  return expr;
}

int FindColumn(const arrow::Schema& schema, std::string_view name) {
  for (int i = 0; i < schema.num_fields(); ++i) {
    if (schema.field(i)->name() == name) return i;
  }
  int found = -1;
  for (int i = 0; i < schema.num_fields(); ++i) {
    if (EqualsIgnoreCase(schema.field(i)->name(), name)) {
      if (found >= 0) return -2;
      found = i;
    }
  }
  return found;
}

ColumnResolver SchemaResolver(std::shared_ptr<arrow::Schema> schema) {
  return [schema = std::move(schema)](const arrow::FieldRef& ref) -> arrow::Result<arrow::FieldRef> {
    std::vector<arrow::FieldRef> path;
    if (ref.IsName()) {
      path.push_back(ref);
    } else if (const auto* nested = ref.nested_refs(); nested && !nested->empty() && nested->front().IsName()) {
      path = *nested;
    } else {
      return ref;  // positional references are left to Bind
    }
    const std::string& name = *path.front().name();
    int idx = FindColumn(*schema, name);
    if (idx == -2) return arrow::Status::Invalid("column reference '", name, "' is ambiguous");
    if (idx < 0) {
      return arrow::Status::Invalid("column '", name, "' does not exist; columns are: ", ColumnList(*schema));
    }
    path.front() = arrow::FieldRef(schema->field(idx)->name());
    if (path.size() == 1) return path.front();
    return arrow::FieldRef(std::move(path));
  };
}

arrow::Result<std::shared_ptr<arrow::Array>> EvaluateArray(const cp::Expression& bound,
                                                           const arrow::RecordBatch& batch) {
  ARROW_ASSIGN_OR_RAISE(auto datum, cp::ExecuteScalarExpression(bound, cp::ExecBatch(batch)));
  if (datum.is_scalar()) return arrow::MakeArrayFromScalar(*datum.scalar(), batch.num_rows());
  return datum.make_array();
}

arrow::Result<std::shared_ptr<arrow::BooleanArray>> EvaluateMatch(const cp::Expression& bound,
                                                                  const arrow::RecordBatch& batch) {
  ARROW_ASSIGN_OR_RAISE(auto values, EvaluateArray(bound, batch));
  if (values->type_id() != arrow::Type::BOOL) {
    return arrow::Status::TypeError("condition ", bound.ToString(), " is ", values->type()->ToString(),
                                    ", not boolean");
  }
  if (values->null_count() > 0) {
    ARROW_ASSIGN_OR_RAISE(auto filled, cp::CallFunction("coalesce", {values, arrow::Datum(false)}));
    values = filled.make_array();
  }
  return std::static_pointer_cast<arrow::BooleanArray>(values);
}

arrow::Result<std::shared_ptr<arrow::Array>> CastForColumn(const std::shared_ptr<arrow::Array>& values,
                                                           const arrow::Field& column, std::string_view operation) {
  std::shared_ptr<arrow::Array> out = values;
  if (!values->type()->Equals(*column.type())) {
    if (!cp::CanCast(*values->type(), *column.type())) {
      return arrow::Status::TypeError(operation, ": cannot assign a value of type ", values->type()->ToString(),
                                      " to column '", column.name(), "' of type ", column.type()->ToString());
    }
    auto cast = cp::Cast(*values, column.type(), cp::CastOptions::Safe());
    if (!cast.ok()) {
      return arrow::Status::Invalid(operation, ": cannot assign a value of type ", values->type()->ToString(),
                                    " to column '", column.name(), "' of type ", column.type()->ToString(), ": ",
                                    cast.status().message());
    }
    out = *cast;
  }
  if (!column.nullable() && out->null_count() > 0) {
    return arrow::Status::Invalid(operation, ": column '", column.name(), "' is NOT NULL but ", out->null_count(),
                                  " assigned value(s) are NULL");
  }
  return out;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> FilterRows(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                              const std::shared_ptr<arrow::BooleanArray>& mask) {
  ARROW_ASSIGN_OR_RAISE(auto filtered, cp::Filter(batch, mask));
  return filtered.record_batch();
}

arrow::Result<std::shared_ptr<arrow::BooleanArray>> InvertMask(const std::shared_ptr<arrow::BooleanArray>& mask) {
  ARROW_ASSIGN_OR_RAISE(auto inverted, cp::Invert(mask));
  return std::static_pointer_cast<arrow::BooleanArray>(inverted.make_array());
}

int64_t CountTrue(const arrow::BooleanArray& mask) { return mask.true_count(); }

arrow::Result<std::shared_ptr<arrow::RecordBatch>> ProjectToSchema(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                                   const std::shared_ptr<arrow::Schema>& schema) {
  arrow::ArrayVector columns;
  columns.reserve(static_cast<size_t>(schema->num_fields()));
  for (const auto& f : schema->fields()) {
    auto column = batch->GetColumnByName(f->name());
    if (!column) return arrow::Status::Invalid("internal: column '", f->name(), "' missing from a scanned batch");
    columns.push_back(std::move(column));
  }
  return arrow::RecordBatch::Make(schema, batch->num_rows(), std::move(columns));
}

std::shared_ptr<arrow::RecordBatch> Relabel(const std::shared_ptr<arrow::RecordBatch>& batch,
                                            const std::shared_ptr<arrow::Schema>& schema) {
  return arrow::RecordBatch::Make(schema, batch->num_rows(), batch->columns());
}

arrow::Result<std::pair<RemoveFile, AddFile>> AddDeletionVector(const TableLocation& location, const AddFile& file,
                                                                const DeletionVector& rows, int64_t now_ms) {
  DeletionVector dv;
  if (file.deletion_vector) {
    ARROW_ASSIGN_OR_RAISE(dv, LoadDeletionVector(*file.deletion_vector, location.root, location.fs.get()));
  }
  dv.UnionWith(rows);
  ARROW_ASSIGN_OR_RAISE(auto descriptor, WriteDeletionVectorFile(dv, location.root, "", location.fs.get()));
  AddFile updated = file;
  updated.deletion_vector = descriptor;
  updated.data_change = true;
  updated.modification_time = now_ms;
  return std::make_pair(RemoveFileFor(file, now_ms), std::move(updated));
}

arrow::Result<std::unique_ptr<ChangeDataWriter>> ChangeDataWriter::Make(
    const TableLocation& location, std::shared_ptr<arrow::Schema> table_schema,
    std::vector<std::string> partition_columns, std::map<std::string, std::string> configuration) {
  std::unique_ptr<ChangeDataWriter> out(new ChangeDataWriter());
  auto fields = table_schema->fields();
  fields.push_back(arrow::field("_change_type", arrow::utf8()));
  out->table_schema_ = std::move(table_schema);
  out->cdc_schema_ = arrow::schema(std::move(fields));
  DataWriterOptions options;
  options.directory = "_change_data";
  options.data_change = false;
  ARROW_ASSIGN_OR_RAISE(out->writer_, DataWriter::Make(location, out->cdc_schema_, std::move(partition_columns),
                                                       std::move(configuration), options));
  return out;
}

arrow::Status ChangeDataWriter::Write(const std::shared_ptr<arrow::RecordBatch>& rows, std::string_view change_type) {
  if (rows->num_rows() == 0) return arrow::Status::OK();
  if (rows->num_columns() != table_schema_->num_fields()) {
    return arrow::Status::Invalid("internal: change rows have ", rows->num_columns(), " columns, the table has ",
                                  table_schema_->num_fields());
  }
  arrow::ArrayVector columns = rows->columns();
  ARROW_ASSIGN_OR_RAISE(auto type_column, arrow::MakeArrayFromScalar(arrow::StringScalar(std::string(change_type)),
                                                                     rows->num_rows()));
  columns.push_back(std::move(type_column));
  return writer_->Write(arrow::RecordBatch::Make(cdc_schema_, rows->num_rows(), std::move(columns)));
}

arrow::Result<std::vector<AddCDCFile>> ChangeDataWriter::Finish() {
  ARROW_ASSIGN_OR_RAISE(auto adds, writer_->Finish());
  std::vector<AddCDCFile> out;
  out.reserve(adds.size());
  for (auto& a : adds) {
    AddCDCFile c;
    c.path = std::move(a.path);
    c.partition_values = std::move(a.partition_values);
    c.size = a.size;
    c.data_change = false;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace tidelake::delta
