// Spark's store assignment for INSERT: which table column each column of the query fills, and
// the casts that put a value into its column. Shared by the batch INSERT (insert.cc) and the
// INSERT that streams into a table (insert_flow.cc), so both write the same rows.
//
// The rules: the query's columns go by position into the listed columns, or into every table
// column except the statically partitioned ones (in table order); columns not given are NULL.
// A number is cast to the column's numeric type (ANSI: a value that does not fit is an error);
// other type differences are left to the Delta writer's schema check. Errors carry no SQL
// position: callers add it (session::At).
#pragma once

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stream/sink.h"

namespace tidelake::session {

/// The table's spelling of column `name` (matched without regard to case), or nothing.
std::optional<std::string> TableColumn(const arrow::Schema& table, const std::string& name);

/// "a, b, c".
std::string JoinNames(const std::vector<std::string>& names);

/// The table columns an INSERT's query fills, in the query's order: the `listed` columns, or
/// every column of `table` not in `excluded`, in table order. `table_name` is for messages.
arrow::Result<std::vector<std::string>> InsertTargets(const arrow::Schema& table, const std::vector<std::string>& listed,
                                                      const std::vector<std::string>& excluded,
                                                      const std::string& table_name);

/// The fields the query's columns are written as: named as their target column, with its type
/// when both are numeric, else their own. The query must give one column per target.
arrow::Result<arrow::FieldVector> AssignedFields(const arrow::Schema& query, const std::vector<std::string>& targets,
                                                 const arrow::Schema& table, const std::string& table_name);

/// Checks, before any row is written, that columns of `fields` (AssignedFields) fit the columns
/// of `table` of the same names as a Delta write checks them (delta::ConformToTableSchema):
/// the same error, naming the column and both types, for one that cannot be cast. For writers
/// that make no Delta write (a connector table's sink), so that a mistyped INSERT is refused
/// when it is run, not when its first row arrives.
arrow::Status CheckAssignable(const arrow::FieldVector& fields, const std::shared_ptr<arrow::Schema>& table);

/// `values` as `field`'s type; a value that does not fit names the column (Spark's
/// CAST_OVERFLOW_IN_TABLE_INSERT).
arrow::Result<arrow::Datum> AssignValues(const arrow::Datum& values, const arrow::Field& field);

/// A sink that writes each batch's rows to `sink` as `fields` (column i as fields[i], through
/// AssignValues): a streaming INSERT's rows as its table's columns.
std::unique_ptr<stream::Sink> AssigningSink(std::unique_ptr<stream::Sink> sink, arrow::FieldVector fields);

}  // namespace tidelake::session
