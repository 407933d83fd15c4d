#include "plan/join_order.h"

#include <algorithm>
#include <set>

#include "plan/cardinality.h"

namespace tidelake::plan {

namespace {

bool IsInnerJoin(const LogicalNode& node) {
  if (node.kind != NodeKind::kJoin) return false;
  auto type = node.As<JoinNode>().type;
  return type == JoinType::kInner || type == JoinType::kCross;
}

// An equi-key of the cluster, between fields of two of its inputs.
struct KeyPair {
  std::string a, b;
  bool null_safe = false;
};

struct Cluster {
  std::vector<NodePtr> inputs;               ///< the non-join leaves, in output order
  std::vector<KeyPair> keys;
  std::vector<cp::Expression> residuals;     ///< conjuncts over fields of several inputs
};

void SplitConjuncts(const cp::Expression& e, std::vector<cp::Expression>* out) {
  if (const auto* call = e.call(); call && call->function_name == "and_kleene" && call->arguments.size() == 2) {
    SplitConjuncts(call->arguments[0], out);
    SplitConjuncts(call->arguments[1], out);
    return;
  }
  out->push_back(e);
}

void Collect(const NodePtr& node, Cluster* cluster) {
  if (!IsInnerJoin(*node)) {
    cluster->inputs.push_back(node);
    return;
  }
  const auto& join = node->As<JoinNode>();
  Collect(node->inputs[0], cluster);
  Collect(node->inputs[1], cluster);
  for (size_t i = 0; i < join.left_keys.size(); ++i) {
    cluster->keys.push_back({join.left_keys[i], join.right_keys[i], i < join.null_safe.size() && join.null_safe[i]});
  }
  if (join.residual) SplitConjuncts(*join.residual, &cluster->residuals);
}

std::set<std::string> FieldsOf(const cp::Expression& e) {
  std::set<std::string> out;
  for (const auto& ref : cp::FieldsInExpression(e)) {
    if (const auto* name = ref.name()) out.insert(*name);
  }
  return out;
}

bool Has(const arrow::Schema& schema, const std::string& field) { return schema.GetFieldIndex(field) >= 0; }

std::shared_ptr<arrow::Schema> Concat(const arrow::Schema& left, const arrow::Schema& right) {
  arrow::FieldVector fields = left.fields();
  for (const auto& f : right.fields()) fields.push_back(f);
  return arrow::schema(std::move(fields));
}

// Joins `left` and `right` on every unused key between them, with every unused residual their
// fields now cover.
arrow::Result<NodePtr> JoinOn(const NodePtr& left, const NodePtr& right, const Cluster& cluster,
                              std::vector<bool>* key_used, std::vector<bool>* residual_used) {
  auto join = std::make_shared<JoinNode>();
  join->inputs = {left, right};
  join->schema = Concat(*left->schema, *right->schema);
  for (size_t i = 0; i < cluster.keys.size(); ++i) {
    if ((*key_used)[i]) continue;
    const auto& key = cluster.keys[i];
    if (Has(*left->schema, key.a) && Has(*right->schema, key.b)) {
      join->left_keys.push_back(key.a);
      join->right_keys.push_back(key.b);
    } else if (Has(*left->schema, key.b) && Has(*right->schema, key.a)) {
      join->left_keys.push_back(key.b);
      join->right_keys.push_back(key.a);
    } else {
      continue;
    }
    join->null_safe.push_back(key.null_safe);
    (*key_used)[i] = true;
  }
  std::vector<cp::Expression> residual;
  for (size_t i = 0; i < cluster.residuals.size(); ++i) {
    if ((*residual_used)[i]) continue;
    bool covered = true;
    for (const auto& f : FieldsOf(cluster.residuals[i])) covered = covered && Has(*join->schema, f);
    if (!covered) continue;
    residual.push_back(cluster.residuals[i]);
    (*residual_used)[i] = true;
  }
  if (!residual.empty()) {
    ARROW_ASSIGN_OR_RAISE(join->residual, cp::and_(residual).Bind(*join->schema));
  }
  join->type = join->left_keys.empty() ? JoinType::kCross : JoinType::kInner;
  if (join->type == JoinType::kCross && join->residual) join->type = JoinType::kInner;
  return join;
}

// Whether some unused key links a field of `set` to a field of `input`.
bool Connected(const arrow::Schema& set, const arrow::Schema& input, const Cluster& cluster,
               const std::vector<bool>& key_used) {
  for (size_t i = 0; i < cluster.keys.size(); ++i) {
    if (key_used[i]) continue;
    const auto& k = cluster.keys[i];
    if ((Has(set, k.a) && Has(input, k.b)) || (Has(set, k.b) && Has(input, k.a))) return true;
  }
  return false;
}

arrow::Result<NodePtr> Reorder(const NodePtr& top) {
  Cluster cluster;
  Collect(top, &cluster);
  // Inputs may hold clusters of their own (below an aggregate, a projection, ...).
  for (auto& input : cluster.inputs) {
    ARROW_ASSIGN_OR_RAISE(input, ReorderJoins(input));
  }
  const size_t n = cluster.inputs.size();
  std::vector<double> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = EstimateRows(*cluster.inputs[i]);

  std::vector<bool> key_used(cluster.keys.size(), false);
  std::vector<bool> residual_used(cluster.residuals.size(), false);
  std::vector<bool> placed(n, false);
  size_t first = static_cast<size_t>(std::max_element(rows.begin(), rows.end()) - rows.begin());
  NodePtr current = cluster.inputs[first];
  double current_rows = rows[first];
  placed[first] = true;
  for (size_t step = 1; step < n; ++step) {
    // The connected input giving the smallest join; with none connected, the smallest input.
    std::optional<size_t> best;
    double best_rows = 0;
    bool best_connected = false;
    for (size_t i = 0; i < n; ++i) {
      if (placed[i]) continue;
      bool connected = Connected(*current->schema, *cluster.inputs[i]->schema, cluster, key_used);
      if (best_connected && !connected) continue;
      double estimate = rows[i];
      if (connected) {
        std::vector<bool> keys = key_used, residuals = residual_used;
        ARROW_ASSIGN_OR_RAISE(auto trial, JoinOn(current, cluster.inputs[i], cluster, &keys, &residuals));
        estimate = EstimateRows(*trial);
      }
      if (!best || (connected && !best_connected) || estimate < best_rows ||
          (estimate == best_rows && rows[i] < rows[*best])) {
        best = i;
        best_rows = estimate;
        best_connected = connected;
      }
    }
    size_t next = *best;
    placed[next] = true;
    // The smaller side goes on the right: the hash join builds its table from it.
    if (rows[next] <= current_rows) {
      ARROW_ASSIGN_OR_RAISE(current, JoinOn(current, cluster.inputs[next], cluster, &key_used, &residual_used));
    } else {
      ARROW_ASSIGN_OR_RAISE(current, JoinOn(cluster.inputs[next], current, cluster, &key_used, &residual_used));
    }
    current_rows = EstimateRows(*current);
  }
  // Conditions no single join could take (none expected: every key links two inputs).
  std::vector<cp::Expression> leftover;
  for (size_t i = 0; i < cluster.keys.size(); ++i) {
    if (!key_used[i]) {
      leftover.push_back(cluster.keys[i].null_safe
                             ? cp::or_(cp::equal(cp::field_ref(cluster.keys[i].a), cp::field_ref(cluster.keys[i].b)),
                                       cp::and_(cp::is_null(cp::field_ref(cluster.keys[i].a)),
                                                cp::is_null(cp::field_ref(cluster.keys[i].b))))
                             : cp::equal(cp::field_ref(cluster.keys[i].a), cp::field_ref(cluster.keys[i].b)));
    }
  }
  for (size_t i = 0; i < cluster.residuals.size(); ++i) {
    if (!residual_used[i]) leftover.push_back(cluster.residuals[i]);
  }
  if (!leftover.empty()) {
    auto filter = std::make_shared<FilterNode>();
    ARROW_ASSIGN_OR_RAISE(filter->predicate, cp::and_(leftover).Bind(*current->schema));
    filter->schema = current->schema;
    filter->inputs = {current};
    current = filter;
  }
  if (current->schema->Equals(*top->schema)) return current;
  // Restore the cluster's field order.
  auto project = std::make_shared<ProjectNode>();
  for (const auto& field : top->schema->fields()) {
    ARROW_ASSIGN_OR_RAISE(auto ref, cp::field_ref(field->name()).Bind(*current->schema));
    project->exprs.push_back(std::move(ref));
  }
  project->schema = top->schema;
  project->inputs = {current};
  return project;
}

}  // namespace

arrow::Result<NodePtr> ReorderJoins(const NodePtr& node) {
  if (IsInnerJoin(*node)) return Reorder(node);
  if (node->inputs.empty()) return node;
  std::vector<NodePtr> inputs;
  bool changed = false;
  for (const auto& input : node->inputs) {
    ARROW_ASSIGN_OR_RAISE(auto reordered, ReorderJoins(input));
    changed = changed || reordered != input;
    inputs.push_back(std::move(reordered));
  }
  if (!changed) return node;
  return WithInputs(*node, std::move(inputs));
}

}  // namespace tidelake::plan
