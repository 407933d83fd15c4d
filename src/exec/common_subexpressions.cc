#include "exec/common_subexpressions.h"

#include <arrow/compute/api.h>

#include "exec/scan_source.h"

namespace tidelake::exec {

namespace cp = arrow::compute;

namespace {

int Size(const cp::Expression& e) {
  int n = 1;
  if (const auto* call = e.call()) {
    for (const auto& arg : call->arguments) n += Size(arg);
  }
  return n;
}

bool ReadsAField(const cp::Expression& e) {
  if (e.field_ref() != nullptr) return true;
  if (const auto* call = e.call()) {
    for (const auto& arg : call->arguments) {
      if (ReadsAField(arg)) return true;
    }
  }
  return false;
}

// Every call of `e` that reads a field, subexpressions included.
void Calls(const cp::Expression& e, std::vector<cp::Expression>* out) {
  const auto* call = e.call();
  if (call == nullptr) return;
  if (ReadsAField(e)) out->push_back(e);
  for (const auto& arg : call->arguments) Calls(arg, out);
}

// `e` with every occurrence of `what` replaced by `with`.
cp::Expression Replace(const cp::Expression& e, const cp::Expression& what, const cp::Expression& with) {
  if (e.Equals(what)) return with;
  const auto* call = e.call();
  if (call == nullptr) return e;
  std::vector<cp::Expression> args;
  args.reserve(call->arguments.size());
  bool changed = false;
  for (const auto& arg : call->arguments) {
    args.push_back(Replace(arg, what, with));
    changed = changed || !args.back().Equals(arg);
  }
  if (!changed) return e;
  return cp::call(call->function_name, std::move(args), call->options);
}

// The largest call that occurs at least twice in `exprs`, if any.
std::optional<cp::Expression> LargestRepeated(const std::vector<cp::Expression>& exprs) {
  std::vector<cp::Expression> calls;
  for (const auto& e : exprs) Calls(e, &calls);
  std::optional<cp::Expression> best;
  int best_size = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    const int size = Size(calls[i]);
    if (size <= best_size) continue;
    for (size_t j = i + 1; j < calls.size(); ++j) {
      if (calls[i].hash() == calls[j].hash() && calls[i].Equals(calls[j])) {
        best = calls[i];
        best_size = size;
        break;
      }
    }
  }
  return best;
}

}  // namespace

std::optional<SplitProjection> HoistCommonSubexpressions(const std::vector<cp::Expression>& exprs,
                                                         const arrow::Schema& input,
                                                         const std::function<std::string()>& fresh_name) {
  SplitProjection split;
  for (const auto& f : input.fields()) {
    split.lower.push_back(cp::field_ref(f->name()));
    split.lower_names.push_back(f->name());
  }
  std::vector<cp::Expression> upper = exprs;
  while (auto repeated = LargestRepeated(upper)) {
    split.lower.push_back(*repeated);
    split.lower_names.push_back(fresh_name());
    const auto field = cp::field_ref(split.lower_names.back());
    for (auto& e : upper) e = Replace(e, *repeated, field);
  }
  if (split.lower.size() == static_cast<size_t>(input.num_fields())) return std::nullopt;
  // Fields of the input are read by name above (positions mean the input's positions, which
  // the lower projection keeps).
  for (const auto& e : upper) split.upper.push_back(Unbind(e, input));
  return split;
}

}  // namespace tidelake::exec
