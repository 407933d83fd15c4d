#include "delta/row_filter.h"

#include <arrow/api.h>

#include <algorithm>
#include <set>
#include <string>

namespace tidelake::delta {

namespace cp = arrow::compute;

namespace {

void SplitConjuncts(const cp::Expression& e, std::vector<cp::Expression>* out) {
  const auto* call = e.call();
  if (call != nullptr && (call->function_name == "and_kleene" || call->function_name == "and")) {
    for (const auto& arg : call->arguments) SplitConjuncts(arg, out);
    return;
  }
  out->push_back(e);
}

// True when `e` cannot fail and its answer for a row depends on the row's values only: then
// evaluating it once per distinct value gives every row's answer.
bool PerValue(const cp::Expression& e) {
  static const std::set<std::string> kFunctions = {
      "equal",       "not_equal",  "less",       "less_equal",      "greater",   "greater_equal",
      "is_in",       "is_null",    "is_valid",   "invert",          "and",       "and_kleene",
      "or",          "or_kleene",  "and_not",    "and_not_kleene",  "match_like", "match_substring",
      "starts_with", "ends_with",  "match_substring_regex", "tidelake_like_segments"};
  const auto* call = e.call();
  if (call == nullptr) return true;  // a field or a literal
  if (!kFunctions.count(call->function_name)) return false;
  return std::all_of(call->arguments.begin(), call->arguments.end(), PerValue);
}

}  // namespace

arrow::Result<RowFilter> RowFilter::Make(const cp::Expression& bound, std::shared_ptr<arrow::Schema> schema) {
  if (!bound.IsBound()) return arrow::Status::Invalid("internal error: row filter is not bound");
  RowFilter filter;
  std::vector<cp::Expression> conjuncts;
  SplitConjuncts(bound, &conjuncts);
  for (auto& e : conjuncts) {
    Conjunct c;
    std::set<int> fields;
    for (const auto& ref : cp::FieldsInExpression(e)) {
      ARROW_ASSIGN_OR_RAISE(auto path, ref.FindOne(*schema));
      fields.insert(path.indices()[0]);
    }
    c.fields.assign(fields.begin(), fields.end());
    c.per_value = c.fields.size() == 1 && PerValue(e);
    c.expr = std::move(e);
    filter.conjuncts_.push_back(std::move(c));
  }
  filter.schema_ = std::move(schema);
  return filter;
}

int RowFilter::per_value_conjuncts() const {
  return static_cast<int>(std::count_if(conjuncts_.begin(), conjuncts_.end(), [](const Conjunct& c) { return c.per_value; }));
}

arrow::Result<arrow::Datum> RowFilter::Evaluate(int64_t rows, const Column& raw, const Column& conformed,
                                               cp::ExecContext* ctx) const {
  // Fields a conjunct does not read are null placeholders (never looked at).
  auto input_with = [&](int64_t length) {
    std::vector<arrow::Datum> values;
    values.reserve(static_cast<size_t>(schema_->num_fields()));
    for (const auto& f : schema_->fields()) values.emplace_back(arrow::MakeNullScalar(f->type()));
    return cp::ExecBatch(std::move(values), length);
  };
  std::optional<arrow::Datum> mask;
  for (const auto& c : conjuncts_) {
    std::optional<arrow::Datum> part;
    if (c.per_value) {
      const int f = c.fields[0];
      ARROW_ASSIGN_OR_RAISE(auto column, raw(f));
      if (column->type_id() == arrow::Type::DICTIONARY && column->null_count() == 0) {
        const auto& encoded = static_cast<const arrow::DictionaryArray&>(*column);
        const auto& dictionary = encoded.dictionary();
        if (dictionary->length() <= rows && dictionary->type()->Equals(*schema_->field(f)->type())) {
          cp::ExecBatch input = input_with(dictionary->length());
          input.values[static_cast<size_t>(f)] = dictionary;
          ARROW_ASSIGN_OR_RAISE(arrow::Datum per_value, cp::ExecuteScalarExpression(c.expr, input, ctx));
          if (per_value.is_scalar()) {
            part = per_value;
          } else {
            ARROW_ASSIGN_OR_RAISE(part, cp::Take(per_value, encoded.indices(), cp::TakeOptions::Defaults(), ctx));
          }
        }
      }
    }
    if (!part) {
      cp::ExecBatch input = input_with(rows);
      for (int f : c.fields) {
        ARROW_ASSIGN_OR_RAISE(auto column, conformed(f));
        input.values[static_cast<size_t>(f)] = std::move(column);
      }
      ARROW_ASSIGN_OR_RAISE(part, cp::ExecuteScalarExpression(c.expr, input, ctx));
    }
    if (!mask) {
      mask = std::move(*part);
    } else {
      ARROW_ASSIGN_OR_RAISE(mask, cp::CallFunction("and_kleene", {*mask, *part}, ctx));
    }
  }
  if (!mask) return arrow::Datum(true);
  return *mask;
}

}  // namespace tidelake::delta
