// Parses the column list of `tidelake table create`:
//   "id long not null, name string, amount decimal(10,2), day date"
// Type names are Delta's (boolean, byte, short, integer, long, float, double, decimal(p,s),
// string, binary, date, timestamp, timestamp_ntz) plus the SQL spellings Spark accepts
// (tinyint, smallint, int, bigint, real, varchar, char, text). Nested types belong to the SQL
// engine's CREATE TABLE; here they are refused with a pointer to it.
#pragma once

#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include <memory>
#include <string_view>

namespace tidelake::cli {

arrow::Result<std::shared_ptr<arrow::Schema>> ParseColumnList(std::string_view text);

}  // namespace tidelake::cli
