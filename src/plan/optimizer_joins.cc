#include "plan/optimizer_joins.h"

#include <limits>
#include <set>

#include "plan/optimizer.h"
#include "plan/optimizer_stats.h"

namespace tidelake::plan {

namespace {

struct JoinKey {
  std::string left, right;  // fields, as written in the original joins
  bool null_safe = false;
  size_t left_relation = 0, right_relation = 0;
};

struct Condition {
  cp::Expression expr;  // unbound: fields by name
  std::set<size_t> relations;
  bool applied = false;
};

bool IsInnerJoin(const LogicalNode& node) {
  if (node.kind != NodeKind::kJoin) return false;
  auto type = node.As<JoinNode>().type;
  return type == JoinType::kInner || type == JoinType::kCross;
}

// `e` with every field referenced by name and no kernels bound; false if a field is referenced
// by position (then the group is left as it is).
bool Unbound(const cp::Expression& e, cp::Expression* out) {
  if (const auto* ref = e.field_ref()) {
    if (!ref->name()) return false;
    *out = cp::field_ref(*ref->name());
    return true;
  }
  if (const auto* call = e.call()) {
    std::vector<cp::Expression> args;
    for (const auto& a : call->arguments) {
      cp::Expression arg;
      if (!Unbound(a, &arg)) return false;
      args.push_back(std::move(arg));
    }
    *out = cp::call(call->function_name, std::move(args), call->options);
    return true;
  }
  *out = e;
  return true;
}

void Flatten(const NodePtr& node, std::vector<NodePtr>* relations, std::vector<JoinKey>* keys,
             std::vector<cp::Expression>* residuals) {
  if (!IsInnerJoin(*node)) {
    relations->push_back(node);
    return;
  }
  const auto& join = node->As<JoinNode>();
  Flatten(join.inputs[0], relations, keys, residuals);
  Flatten(join.inputs[1], relations, keys, residuals);
  for (size_t i = 0; i < join.left_keys.size(); ++i) {
    keys->push_back({join.left_keys[i], join.right_keys[i], i < join.null_safe.size() && join.null_safe[i]});
  }
  if (join.residual) internal::SplitConjuncts(*join.residual, residuals);
}

bool IsSemiOrAnti(const LogicalNode& node) {
  if (node.kind != NodeKind::kJoin) return false;
  auto type = node.As<JoinNode>().type;
  return type == JoinType::kLeftSemi || type == JoinType::kLeftAnti;
}

bool AllIn(const std::set<std::string>& fields, const arrow::Schema& schema) {
  for (const auto& f : fields) {
    if (schema.GetFieldIndex(f) < 0) return false;
  }
  return true;
}

// A projection that only passes fields through under their own names.
bool IsPassThrough(const LogicalNode& node) {
  if (node.kind != NodeKind::kProject) return false;
  const auto& project = node.As<ProjectNode>();
  for (size_t i = 0; i < project.exprs.size(); ++i) {
    const auto* ref = project.exprs[i].field_ref();
    if (!ref || !ref->name() || *ref->name() != node.schema->field(static_cast<int>(i))->name()) return false;
  }
  return true;
}

// The deepest node under `node`, through inner joins, filters and pass-through projections,
// that has all of `fields`: where a semi join on those fields can go.
NodePtr SinkTarget(const NodePtr& node, const std::set<std::string>& fields) {
  if (IsInnerJoin(*node)) {
    for (const auto& input : node->inputs) {
      if (AllIn(fields, *input->schema)) return SinkTarget(input, fields);
    }
    return node;
  }
  if ((node->kind == NodeKind::kFilter || IsPassThrough(*node)) && AllIn(fields, *node->inputs[0]->schema)) {
    return SinkTarget(node->inputs[0], fields);
  }
  return node;
}

bool Contains(const NodePtr& node, const NodePtr& target) {
  if (node == target) return true;
  for (const auto& input : node->inputs) {
    if (Contains(input, target)) return true;
  }
  return false;
}

// `node` with `semi` (whose left input it replaces) applied at `target` inside it.
arrow::Result<NodePtr> SinkInto(const NodePtr& node, const NodePtr& target, const JoinNode& semi) {
  if (node == target) {
    auto moved = std::make_shared<JoinNode>(semi);
    moved->inputs = {node, semi.inputs[1]};
    moved->schema = node->schema;
    if (semi.residual) {
      cp::Expression residual;
      if (!Unbound(*semi.residual, &residual)) return arrow::Status::Invalid("internal error: positional reference");
      arrow::FieldVector fields = node->schema->fields();
      for (const auto& f : semi.inputs[1]->schema->fields()) fields.push_back(f);
      ARROW_ASSIGN_OR_RAISE(moved->residual, residual.Bind(*arrow::schema(fields)));
    }
    return moved;
  }
  auto copy = internal::CopyNode(*node);
  for (auto& input : copy->inputs) {
    if (!Contains(input, target)) continue;
    ARROW_ASSIGN_OR_RAISE(input, SinkInto(input, target, semi));
  }
  return copy;
}

class JoinOrderer {
 public:
  arrow::Result<NodePtr> Reorder(NodePtr node) {
    if (IsSemiOrAnti(*node)) {
      ARROW_ASSIGN_OR_RAISE(node, SinkSemiJoin(node));
    }
    if (!IsInnerJoin(*node)) {
      if (node->inputs.empty()) return node;
      auto copy = internal::CopyNode(*node);
      for (auto& input : copy->inputs) {
        ARROW_ASSIGN_OR_RAISE(input, Reorder(input));
      }
      return copy;
    }
    std::vector<NodePtr> relations;
    std::vector<JoinKey> keys;
    std::vector<cp::Expression> residuals;
    Flatten(node, &relations, &keys, &residuals);
    for (auto& relation : relations) {
      ARROW_ASSIGN_OR_RAISE(relation, Reorder(relation));
    }
    auto reordered = Rebuild(node, relations, keys, residuals);
    if (!reordered.ok() || !*reordered) {
      // Left as written (with its relations reordered inside).
      return Reassemble(node, relations);
    }
    return *reordered;
  }

 private:
  // A semi or anti join over inner joins that reads (on its left side) fields of one of
  // their relations only filters that relation: it moves there when that relation is
  // estimated to have fewer rows than the joins' result (TPC-H Q18: orders IN (...), under
  // lineitem JOIN orders JOIN customer).
  arrow::Result<NodePtr> SinkSemiJoin(const NodePtr& node) {
    const auto& semi = node->As<JoinNode>();
    const NodePtr& left = semi.inputs[0];
    std::set<std::string> fields(semi.left_keys.begin(), semi.left_keys.end());
    if (semi.residual) {
      for (const auto& ref : cp::FieldsInExpression(*semi.residual)) {
        if (!ref.name()) return node;
        if (left->schema->GetFieldIndex(*ref.name()) >= 0) fields.insert(*ref.name());
      }
    }
    if (fields.empty()) return node;
    NodePtr target = SinkTarget(left, fields);
    if (target == left || estimator_.Of(target).rows > estimator_.Of(left).rows) return node;
    return SinkInto(left, target, semi);
  }

  // The original tree with its relations replaced by their reordered versions.
  NodePtr Reassemble(const NodePtr& node, const std::vector<NodePtr>& relations) {
    size_t next = 0;
    std::function<NodePtr(const NodePtr&)> rebuild = [&](const NodePtr& n) -> NodePtr {
      if (!IsInnerJoin(*n)) return relations[next++];
      auto copy = internal::CopyNode(*n);
      copy->inputs = {rebuild(n->inputs[0]), rebuild(n->inputs[1])};
      return copy;
    };
    return rebuild(node);
  }

  // The relations joined greedily; nullptr when the group cannot be reordered.
  arrow::Result<NodePtr> Rebuild(const NodePtr& original, const std::vector<NodePtr>& relations,
                                 std::vector<JoinKey> keys, const std::vector<cp::Expression>& residuals) {
    std::map<std::string, size_t> owner;
    for (size_t i = 0; i < relations.size(); ++i) {
      for (const auto& f : relations[i]->schema->fields()) owner[f->name()] = i;
    }
    std::vector<Condition> conditions;
    std::vector<JoinKey> edges;
    for (auto& key : keys) {
      auto l = owner.find(key.left), r = owner.find(key.right);
      if (l == owner.end() || r == owner.end()) return nullptr;
      key.left_relation = l->second;
      key.right_relation = r->second;
      if (key.left_relation != key.right_relation) {
        edges.push_back(key);
        continue;
      }
      // Both fields in one relation: a filter, kept as a condition.
      cp::Expression a = cp::field_ref(key.left), b = cp::field_ref(key.right);
      cp::Expression same = key.null_safe ? cp::or_(cp::equal(a, b), cp::and_(cp::is_null(a), cp::is_null(b)))
                                          : cp::equal(a, b);
      conditions.push_back({same, {key.left_relation}});
    }
    for (const auto& residual : residuals) {
      Condition c;
      if (!Unbound(residual, &c.expr)) return nullptr;
      for (const auto& ref : cp::FieldsInExpression(c.expr)) {
        auto it = ref.name() ? owner.find(*ref.name()) : owner.end();
        if (it == owner.end()) return nullptr;
        c.relations.insert(it->second);
      }
      conditions.push_back(std::move(c));
    }

    std::vector<bool> joined(relations.size(), false);
    size_t start = 0;
    for (size_t i = 1; i < relations.size(); ++i) {
      if (estimator_.Of(relations[i]).rows > estimator_.Of(relations[start]).rows) start = i;
    }
    NodePtr current = relations[start];
    joined[start] = true;
    ARROW_ASSIGN_OR_RAISE(current, ApplyConditions(current, joined, &conditions));
    for (size_t step = 1; step < relations.size(); ++step) {
      const Estimate& so_far = estimator_.Of(current);
      size_t best = relations.size();
      double best_rows = std::numeric_limits<double>::infinity();
      for (size_t r = 0; r < relations.size(); ++r) {
        if (joined[r]) continue;
        auto pairs = KeysBetween(edges, joined, r);
        if (pairs.empty()) continue;
        std::vector<KeyPair> key_pairs;
        for (const auto& k : pairs) key_pairs.emplace_back(k.left, k.right);
        double rows = Estimator::Join(so_far, estimator_.Of(relations[r]), key_pairs).rows;
        if (rows < best_rows ||
            (rows == best_rows && estimator_.Of(relations[r]).rows < estimator_.Of(relations[best]).rows)) {
          best = r;
          best_rows = rows;
        }
      }
      if (best == relations.size()) {  // nothing connected: a cross join with the smallest
        for (size_t r = 0; r < relations.size(); ++r) {
          if (!joined[r] && (best == relations.size() ||
                             estimator_.Of(relations[r]).rows < estimator_.Of(relations[best]).rows)) {
            best = r;
          }
        }
      }
      auto pairs = KeysBetween(edges, joined, best);
      joined[best] = true;
      // The smaller input is built into the hash table: the right input.
      bool swap = estimator_.Of(relations[best]).rows > so_far.rows;
      ARROW_ASSIGN_OR_RAISE(current, MakeJoin(swap ? relations[best] : current, swap ? current : relations[best],
                                              pairs, swap, joined, &conditions));
    }
    for (const auto& c : conditions) {
      if (!c.applied) return arrow::Status::Invalid("internal error: a join condition was not placed");
    }
    // The original field order on top.
    auto project = std::make_shared<ProjectNode>();
    for (const auto& f : original->schema->fields()) {
      ARROW_ASSIGN_OR_RAISE(auto ref, cp::field_ref(f->name()).Bind(*current->schema));
      project->exprs.push_back(std::move(ref));
    }
    project->schema = original->schema;
    project->inputs = {current};
    return project;
  }

  // Keys between the joined relations and relation `r`, oriented joined-side first.
  static std::vector<JoinKey> KeysBetween(const std::vector<JoinKey>& edges, const std::vector<bool>& joined,
                                          size_t r) {
    std::vector<JoinKey> out;
    for (const auto& e : edges) {
      if (e.right_relation == r && joined[e.left_relation]) out.push_back(e);
      if (e.left_relation == r && joined[e.right_relation]) {
        out.push_back({e.right, e.left, e.null_safe, e.right_relation, e.left_relation});
      }
    }
    return out;
  }

  // Filters `node` by the conditions whose relations are all joined (for the first relation).
  arrow::Result<NodePtr> ApplyConditions(NodePtr node, const std::vector<bool>& joined,
                                         std::vector<Condition>* conditions) {
    std::vector<cp::Expression> ready = Ready(joined, conditions);
    if (ready.empty()) return node;
    auto filter = std::make_shared<FilterNode>();
    ARROW_ASSIGN_OR_RAISE(filter->predicate, cp::and_(ready).Bind(*node->schema));
    filter->schema = node->schema;
    filter->inputs = {std::move(node)};
    return filter;
  }

  static std::vector<cp::Expression> Ready(const std::vector<bool>& joined, std::vector<Condition>* conditions) {
    std::vector<cp::Expression> ready;
    for (auto& c : *conditions) {
      if (c.applied) continue;
      bool all = true;
      for (size_t r : c.relations) all = all && joined[r];
      if (!all) continue;
      c.applied = true;
      ready.push_back(c.expr);
    }
    return ready;
  }

  // keys are oriented (joined side, new relation); `swapped` when the new relation is the left.
  arrow::Result<NodePtr> MakeJoin(NodePtr left, NodePtr right, const std::vector<JoinKey>& keys, bool swapped,
                                  const std::vector<bool>& joined, std::vector<Condition>* conditions) {
    auto join = std::make_shared<JoinNode>();
    join->type = keys.empty() ? JoinType::kCross : JoinType::kInner;
    for (const auto& k : keys) {
      join->left_keys.push_back(swapped ? k.right : k.left);
      join->right_keys.push_back(swapped ? k.left : k.right);
      join->null_safe.push_back(k.null_safe);
    }
    arrow::FieldVector fields = left->schema->fields();
    for (const auto& f : right->schema->fields()) fields.push_back(f);
    join->schema = arrow::schema(std::move(fields));
    join->inputs = {std::move(left), std::move(right)};
    std::vector<cp::Expression> ready = Ready(joined, conditions);
    if (!ready.empty()) {
      ARROW_ASSIGN_OR_RAISE(join->residual, cp::and_(ready).Bind(*join->schema));
    }
    return join;
  }

  Estimator estimator_;
};

}  // namespace

arrow::Result<NodePtr> ReorderJoins(const NodePtr& node) {
  JoinOrderer orderer;
  return orderer.Reorder(node);
}

}  // namespace tidelake::plan
