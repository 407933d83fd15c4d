#include "stream/shared_subplans.h"

#include <arrow/compute/api.h>

#include <vector>

#include "plan/same_computation.h"

namespace tidelake::stream {

namespace {

namespace cp = arrow::compute;

// `kept`'s output under the column names of `replaced`, which computes the same rows.
plan::NodePtr Renamed(const plan::NodePtr& kept, const plan::NodePtr& replaced) {
  auto project = std::make_shared<plan::ProjectNode>();
  for (const auto& field : kept->schema->fields()) {
    // A field of the schema it is bound to: binding cannot fail.
    project->exprs.push_back(cp::field_ref(field->name()).Bind(*kept->schema).ValueOrDie());
  }
  project->schema = replaced->schema;
  project->inputs = {kept};
  return project;
}

plan::NodePtr Share(const plan::NodePtr& node, std::vector<plan::NodePtr>* seen) {
  std::vector<plan::NodePtr> inputs;
  bool changed = false;
  for (const auto& input : node->inputs) {
    inputs.push_back(Share(input, seen));
    changed = changed || inputs.back() != input;
  }
  plan::NodePtr out = changed ? plan::WithInputs(*node, std::move(inputs)) : node;
  if (out->kind != plan::NodeKind::kAggregate) return out;
  for (const auto& earlier : *seen) {
    if (plan::SameComputation(*earlier, *out)) return Renamed(earlier, out);
  }
  seen->push_back(out);
  return out;
}

}  // namespace

plan::NodePtr ShareRepeatedAggregations(const plan::NodePtr& root) {
  std::vector<plan::NodePtr> seen;
  return Share(root, &seen);
}

}  // namespace tidelake::stream
