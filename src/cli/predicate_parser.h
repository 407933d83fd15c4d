// Parses the simple row predicates of `tidelake table scan --where` into an Arrow expression:
//
//   predicate := disjunct (OR disjunct)*
//   disjunct  := term (AND term)*
//   term      := NOT term | '(' predicate ')' | column op literal | column [NOT] IN (literal, ...)
//              | column IS [NOT] NULL
//   op        := = | == | != | <> | < | <= | > | >=
//   literal   := number | 'string' | TRUE | FALSE | NULL
//
// Column names are identifiers or `back-quoted`, matched to the schema without regard to case.
// Literals are converted to the column's type (so `day = '2024-01-31'` works on a date
// column). Errors give the 1-based column in the text and what was expected there.
#pragma once

#include <arrow/compute/expression.h>
#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include <string_view>

namespace tidelake::cli {

arrow::Result<arrow::compute::Expression> ParsePredicate(std::string_view text, const arrow::Schema& schema);

}  // namespace tidelake::cli
