#include "plan/execution_form.h"

#include <arrow/compute/api.h>

#include <optional>
#include <string>
#include <vector>

#include "plan/kernels_like_segments.h"

namespace tidelake::plan {

namespace cp = arrow::compute;

namespace {

bool IsComparison(const std::string& name) {
  return name == "equal" || name == "not_equal" || name == "less" || name == "less_equal" || name == "greater" ||
         name == "greater_equal";
}

// Both arguments decimal128 of one scale (what Arrow's binding makes of a decimal comparison).
bool SameScaleDecimals(const std::vector<cp::Expression>& args) {
  if (args.size() != 2) return false;
  const arrow::DataType* a = args[0].type();
  const arrow::DataType* b = args[1].type();
  if (a == nullptr || b == nullptr || a->id() != arrow::Type::DECIMAL128 || b->id() != arrow::Type::DECIMAL128) {
    return false;
  }
  return static_cast<const arrow::Decimal128Type&>(*a).scale() == static_cast<const arrow::Decimal128Type&>(*b).scale();
}

// `e` rewritten, or nullopt when nothing in it changes.
std::optional<cp::Expression> Rewrite(const cp::Expression& e) {
  const cp::Expression::Call* call = e.call();
  if (call == nullptr) return std::nullopt;
  std::vector<cp::Expression> args = call->arguments;
  bool changed = false;
  for (auto& arg : args) {
    if (auto rewritten = Rewrite(arg)) {
      arg = std::move(*rewritten);
      changed = true;
    }
  }
  if (IsComparison(call->function_name) && SameScaleDecimals(call->arguments)) {
    return cp::call("tidelake_decimal_" + call->function_name, std::move(args));
  }
  if (call->function_name == "match_like" && call->options) {
    const auto& like = static_cast<const cp::MatchSubstringOptions&>(*call->options);
    auto segments = internal::LikeSegments(like.pattern);
    const arrow::DataType* type = call->arguments[0].type();
    if (!like.ignore_case && segments && segments->size() >= 2 && type != nullptr &&
        (type->id() == arrow::Type::STRING || type->id() == arrow::Type::LARGE_STRING)) {
      return cp::call("tidelake_like_segments", std::move(args), call->options);
    }
  }
  if (!changed) return std::nullopt;
  return cp::call(call->function_name, std::move(args), call->options);
}

}  // namespace

cp::Expression ExecutionForm(const cp::Expression& bound) {
  auto rewritten = Rewrite(bound);
  return rewritten ? std::move(*rewritten) : bound;
}

}  // namespace tidelake::plan
