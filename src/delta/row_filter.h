// The exact row filter of a scan (Scan's filter, bound to the columns it reads), evaluated on
// one batch of a data file as read, before its columns are converted to the table's types.
//
// The filter is split into its conjuncts (a AND b AND ...). A conjunct over one string column
// that Parquet handed over dictionary-encoded is evaluated once per distinct value, on the
// dictionary, and its answers are spread to the rows through the dictionary indices: the
// column's strings are never expanded for rows the filter drops. Only conjuncts that cannot
// fail and give the same answer for the same value are evaluated so (comparisons, IN, IS
// NULL, LIKE, NOT, AND, OR over that one column and literals); every other conjunct sees the
// batch's columns in the table's types. The answer is the same as evaluating the whole filter
// on the converted batch.
//
// A RowFilter is immutable after Make; Evaluate may run on several threads at once.
#pragma once

#include <arrow/compute/api.h>
#include <arrow/result.h>

#include <functional>
#include <memory>
#include <vector>

namespace tidelake::delta {

class RowFilter {
 public:
  /// `bound`: a boolean expression bound to `schema` (the columns a scan reads).
  static arrow::Result<RowFilter> Make(const arrow::compute::Expression& bound, std::shared_ptr<arrow::Schema> schema);

  /// Column `i` of the batch being filtered, `rows` long: `raw` as read from the file
  /// (dictionary-encoded strings stay encoded; otherwise any type that converts to the
  /// schema's), `conformed` in the schema's type.
  using Column = std::function<arrow::Result<std::shared_ptr<arrow::Array>>(int i)>;

  /// A boolean mask (array or scalar) of the rows that pass; null counts as not passing.
  arrow::Result<arrow::Datum> Evaluate(int64_t rows, const Column& raw, const Column& conformed,
                                       arrow::compute::ExecContext* ctx) const;

  /// How many conjuncts can be evaluated on a dictionary (for tests).
  int per_value_conjuncts() const;

 private:
  struct Conjunct {
    arrow::compute::Expression expr;
    std::vector<int> fields;  // the schema fields it reads
    bool per_value = false;   // one field, and the answer depends on its value only
  };
  std::vector<Conjunct> conjuncts_;
  std::shared_ptr<arrow::Schema> schema_;
};

}  // namespace tidelake::delta
