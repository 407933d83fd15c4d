#include "plan/optimizer.h"

#include <map>
#include <set>

#include "plan/aggregate_key_filter.h"
#include "plan/limit_pushdown.h"
#include "plan/optimizer_joins.h"

namespace tidelake::plan {

namespace {

using internal::SplitConjuncts;

using FieldSet = std::set<std::string>;

FieldSet FieldsOf(const cp::Expression& e) {
  FieldSet out;
  for (const auto& ref : cp::FieldsInExpression(e)) {
    if (const auto* name = ref.name()) out.insert(*name);
  }
  return out;
}

bool AllIn(const FieldSet& fields, const arrow::Schema& schema) {
  for (const auto& f : fields) {
    if (schema.GetFieldIndex(f) < 0) return false;
  }
  return true;
}

FieldSet NamesOf(const arrow::Schema& schema) {
  FieldSet out;
  for (const auto& f : schema.fields()) out.insert(f->name());
  return out;
}

template <typename T>
std::shared_ptr<T> Copy(const LogicalNode& node) {
  return std::make_shared<T>(node.As<T>());
}

}  // namespace

void internal::SplitConjuncts(const cp::Expression& e, std::vector<cp::Expression>* out) {
  if (const auto* call = e.call(); call && call->function_name == "and_kleene" && call->arguments.size() == 2) {
    SplitConjuncts(call->arguments[0], out);
    SplitConjuncts(call->arguments[1], out);
    return;
  }
  out->push_back(e);
}

std::shared_ptr<LogicalNode> internal::CopyNode(const LogicalNode& node) {
  switch (node.kind) {
    case NodeKind::kTableScan: return Copy<TableScanNode>(node);
    case NodeKind::kFileScan: return Copy<FileScanNode>(node);
    case NodeKind::kSourceScan: return Copy<SourceScanNode>(node);
    case NodeKind::kValues: return Copy<ValuesNode>(node);
    case NodeKind::kFilter: return Copy<FilterNode>(node);
    case NodeKind::kProject: return Copy<ProjectNode>(node);
    case NodeKind::kAggregate: return Copy<AggregateNode>(node);
    case NodeKind::kJoin: return Copy<JoinNode>(node);
    case NodeKind::kSort: return Copy<SortNode>(node);
    case NodeKind::kLimit: return Copy<LimitNode>(node);
    case NodeKind::kSetOperation: return Copy<SetOperationNode>(node);
    case NodeKind::kWindow: return Copy<WindowNode>(node);
    case NodeKind::kWatermark: return Copy<WatermarkNode>(node);
    case NodeKind::kTimeWindow: return Copy<TimeWindowNode>(node);
  }
  return nullptr;
}

namespace {

using internal::CopyNode;

// `e` with field references renamed by `renames` (unlisted names are kept).
cp::Expression Rename(const cp::Expression& e, const std::map<std::string, std::string>& renames) {
  if (const auto* ref = e.field_ref(); ref && ref->name()) {
    auto it = renames.find(*ref->name());
    return it == renames.end() ? e : cp::field_ref(it->second);
  }
  if (const auto* call = e.call()) {
    std::vector<cp::Expression> args;
    for (const auto& a : call->arguments) args.push_back(Rename(a, renames));
    return cp::call(call->function_name, std::move(args), call->options);
  }
  return e;
}

arrow::Result<cp::Expression> Fold(const cp::Expression& e) {
  auto folded = cp::FoldConstants(e);
  return folded.ok() ? *folded : e;  // a constant that fails (1/0) fails when it runs
}

// ---- 1. constant folding

arrow::Result<NodePtr> FoldAll(const NodePtr& node) {
  std::vector<NodePtr> inputs;
  for (const auto& input : node->inputs) {
    ARROW_ASSIGN_OR_RAISE(auto folded, FoldAll(input));
    inputs.push_back(folded);
  }
  std::shared_ptr<LogicalNode> out;
  switch (node->kind) {
    case NodeKind::kFilter: {
      auto copy = Copy<FilterNode>(*node);
      ARROW_ASSIGN_OR_RAISE(copy->predicate, Fold(copy->predicate));
      out = copy;
      break;
    }
    case NodeKind::kProject: {
      auto copy = Copy<ProjectNode>(*node);
      for (auto& e : copy->exprs) {
        ARROW_ASSIGN_OR_RAISE(e, Fold(e));
      }
      out = copy;
      break;
    }
    default:
      out = CopyNode(*node);
  }
  out->inputs = inputs;
  return out;
}

// ---- 2. predicate pushdown

arrow::Result<NodePtr> Push(const NodePtr& node, std::vector<cp::Expression> predicates);

arrow::Result<NodePtr> WithFilter(NodePtr node, const std::vector<cp::Expression>& predicates) {
  if (predicates.empty()) return node;
  auto filter = std::make_shared<FilterNode>();
  ARROW_ASSIGN_OR_RAISE(filter->predicate, cp::and_(predicates).Bind(*node->schema));
  filter->schema = node->schema;
  filter->inputs = {std::move(node)};
  return filter;
}

// Pushes nothing further into `node` itself, but optimizes below it; `predicates` stay above.
arrow::Result<NodePtr> Stop(const NodePtr& node, const std::vector<cp::Expression>& predicates) {
  std::vector<NodePtr> inputs;
  for (const auto& input : node->inputs) {
    ARROW_ASSIGN_OR_RAISE(auto pushed, Push(input, {}));
    inputs.push_back(pushed);
  }
  auto copy = CopyNode(*node);
  copy->inputs = inputs;
  return WithFilter(copy, predicates);
}

void SplitDisjuncts(const cp::Expression& e, std::vector<cp::Expression>* out) {
  if (const auto* call = e.call(); call && call->function_name == "or_kleene" && call->arguments.size() == 2) {
    SplitDisjuncts(call->arguments[0], out);
    SplitDisjuncts(call->arguments[1], out);
    return;
  }
  out->push_back(e);
}

bool Contains(const std::vector<cp::Expression>& list, const cp::Expression& e) {
  for (const auto& x : list) {
    if (x.Equals(e)) return true;
  }
  return false;
}

// The conjuncts of `e` with the conjuncts every branch of a disjunction shares taken out of
// it: (a AND b) OR (a AND c) -> a, b OR c. Kleene logic distributes, so this holds for NULLs.
std::vector<cp::Expression> FactorDisjunction(const cp::Expression& e) {
  std::vector<cp::Expression> branches;
  SplitDisjuncts(e, &branches);
  if (branches.size() < 2) return {e};
  std::vector<std::vector<cp::Expression>> parts(branches.size());
  for (size_t i = 0; i < branches.size(); ++i) SplitConjuncts(branches[i], &parts[i]);
  std::vector<cp::Expression> common;
  for (const auto& c : parts[0]) {
    bool everywhere = true;
    for (size_t i = 1; i < parts.size() && everywhere; ++i) everywhere = Contains(parts[i], c);
    if (everywhere && !Contains(common, c)) common.push_back(c);
  }
  if (common.empty()) return {e};
  std::vector<cp::Expression> rest;
  for (const auto& branch : parts) {
    std::vector<cp::Expression> remaining;
    for (const auto& c : branch) {
      if (!Contains(common, c)) remaining.push_back(c);
    }
    if (remaining.empty()) return common;  // that branch is `common` itself: the OR adds nothing
    rest.push_back(cp::and_(remaining));
  }
  common.push_back(cp::or_(rest));
  return common;
}

// A predicate over `side` only that `e`, a disjunction, implies: the disjunction of each
// branch's conjuncts over `side`, when every branch has one.
std::optional<cp::Expression> ImpliedFor(const cp::Expression& e, const arrow::Schema& side) {
  std::vector<cp::Expression> branches;
  SplitDisjuncts(e, &branches);
  if (branches.size() < 2) return std::nullopt;
  std::vector<cp::Expression> implied;
  for (const auto& branch : branches) {
    std::vector<cp::Expression> parts, mine;
    SplitConjuncts(branch, &parts);
    for (auto& c : parts) {
      FieldSet fields = FieldsOf(c);
      if (!fields.empty() && AllIn(fields, side)) mine.push_back(std::move(c));
    }
    if (mine.empty()) return std::nullopt;
    implied.push_back(cp::and_(mine));
  }
  return cp::or_(implied);
}

// a = b with a over one input and b over the other, both plain columns of one type.
bool EquiKey(const cp::Expression& e, const arrow::Schema& left, const arrow::Schema& right, std::string* l,
             std::string* r) {
  const auto* call = e.call();
  if (call == nullptr || call->function_name != "equal" || call->arguments.size() != 2) return false;
  const auto* a = call->arguments[0].field_ref();
  const auto* b = call->arguments[1].field_ref();
  if (a == nullptr || b == nullptr || a->name() == nullptr || b->name() == nullptr) return false;
  if (!call->arguments[0].type()->Equals(*call->arguments[1].type())) return false;
  if (left.GetFieldIndex(*a->name()) >= 0 && right.GetFieldIndex(*b->name()) >= 0) {
    *l = *a->name();
    *r = *b->name();
    return true;
  }
  if (left.GetFieldIndex(*b->name()) >= 0 && right.GetFieldIndex(*a->name()) >= 0) {
    *l = *b->name();
    *r = *a->name();
    return true;
  }
  return false;
}

arrow::Result<NodePtr> PushJoin(const JoinNode& join, std::vector<cp::Expression> predicates) {
  const auto& left_schema = *join.inputs[0]->schema;
  const auto& right_schema = *join.inputs[1]->schema;
  bool inner = join.type == JoinType::kInner || join.type == JoinType::kCross;
  bool left_ok = inner || join.type == JoinType::kLeft || join.type == JoinType::kLeftSemi ||
                 join.type == JoinType::kLeftAnti;
  bool right_ok = inner || join.type == JoinType::kRight;
  std::vector<cp::Expression> to_left, to_right, above;
  auto copy = std::make_shared<JoinNode>(join);
  // The join's own residual conjuncts that touch one side of an inner join go down too.
  if (inner && join.residual) {
    std::vector<cp::Expression> parts;
    SplitConjuncts(*join.residual, &parts);
    copy->residual.reset();
    for (auto& p : parts) predicates.push_back(std::move(p));
  }
  std::vector<cp::Expression> residual;
  for (auto& p : predicates) {
    FieldSet fields = FieldsOf(p);
    std::string l, r;
    if (!fields.empty() && AllIn(fields, left_schema) && left_ok) {
      to_left.push_back(std::move(p));
    } else if (!fields.empty() && AllIn(fields, right_schema) && right_ok) {
      to_right.push_back(std::move(p));
    } else if (inner && EquiKey(p, left_schema, right_schema, &l, &r)) {
      copy->left_keys.push_back(l);
      copy->right_keys.push_back(r);
      copy->null_safe.push_back(false);
    } else if (inner) {
      // A disjunction over both sides still narrows each side: push what it implies there.
      if (auto implied = ImpliedFor(p, left_schema)) to_left.push_back(std::move(*implied));
      if (auto implied = ImpliedFor(p, right_schema)) to_right.push_back(std::move(*implied));
      residual.push_back(std::move(p));
    } else {
      above.push_back(std::move(p));
    }
  }
  if (copy->type == JoinType::kCross && !copy->left_keys.empty()) copy->type = JoinType::kInner;
  ARROW_ASSIGN_OR_RAISE(auto left, Push(join.inputs[0], std::move(to_left)));
  ARROW_ASSIGN_OR_RAISE(auto right, Push(join.inputs[1], std::move(to_right)));
  copy->inputs = {left, right};
  if (!residual.empty()) {
    if (copy->residual) residual.push_back(*copy->residual);
    arrow::FieldVector both = left->schema->fields();
    for (const auto& f : right->schema->fields()) both.push_back(f);
    ARROW_ASSIGN_OR_RAISE(copy->residual, cp::and_(residual).Bind(*arrow::schema(both)));
  }
  return WithFilter(copy, above);
}

arrow::Result<NodePtr> Push(const NodePtr& node, std::vector<cp::Expression> predicates) {
  switch (node->kind) {
    case NodeKind::kFilter: {
      std::vector<cp::Expression> conjuncts;
      SplitConjuncts(node->As<FilterNode>().predicate, &conjuncts);
      for (const auto& c : conjuncts) {
        for (auto& factored : FactorDisjunction(c)) predicates.push_back(std::move(factored));
      }
      return Push(node->inputs[0], std::move(predicates));
    }
    case NodeKind::kProject: {
      // A predicate over projected plain columns is renamed to the input's columns and pushed.
      const auto& project = node->As<ProjectNode>();
      std::map<std::string, std::string> renames;
      for (size_t i = 0; i < project.exprs.size(); ++i) {
        const auto* ref = project.exprs[i].field_ref();
        if (ref && ref->name()) renames[project.schema->field(static_cast<int>(i))->name()] = *ref->name();
      }
      std::vector<cp::Expression> below, above;
      for (auto& p : predicates) {
        bool pushable = true;
        for (const auto& f : FieldsOf(p)) pushable = pushable && renames.count(f);
        if (!pushable) {
          above.push_back(std::move(p));
          continue;
        }
        ARROW_ASSIGN_OR_RAISE(auto bound, Rename(p, renames).Bind(*node->inputs[0]->schema));
        below.push_back(std::move(bound));
      }
      auto copy = Copy<ProjectNode>(*node);
      ARROW_ASSIGN_OR_RAISE(auto input, Push(node->inputs[0], std::move(below)));
      copy->inputs = {input};
      return WithFilter(copy, above);
    }
    case NodeKind::kSort: {
      auto copy = Copy<SortNode>(*node);
      ARROW_ASSIGN_OR_RAISE(auto input, Push(node->inputs[0], std::move(predicates)));
      copy->inputs = {input};
      return copy;
    }
    case NodeKind::kJoin:
      return PushJoin(node->As<JoinNode>(), std::move(predicates));
    case NodeKind::kAggregate: {
      const auto& agg = node->As<AggregateNode>();
      if (!agg.grouping_sets.empty()) return Stop(node, predicates);
      FieldSet keys(agg.keys.begin(), agg.keys.end());
      std::vector<cp::Expression> below, above;
      for (auto& p : predicates) {
        FieldSet fields = FieldsOf(p);
        bool on_keys = !fields.empty();
        for (const auto& f : fields) on_keys = on_keys && keys.count(f);
        (on_keys ? below : above).push_back(std::move(p));
      }
      auto copy = Copy<AggregateNode>(*node);
      ARROW_ASSIGN_OR_RAISE(auto input, Push(node->inputs[0], std::move(below)));
      copy->inputs = {input};
      return WithFilter(copy, above);
    }
    case NodeKind::kWindow: {
      const auto& window = node->As<WindowNode>();
      FieldSet partition(window.partition_by.begin(), window.partition_by.end());
      std::vector<cp::Expression> below, above;
      for (auto& p : predicates) {
        FieldSet fields = FieldsOf(p);
        bool on_partition = !fields.empty();
        for (const auto& f : fields) on_partition = on_partition && partition.count(f);
        (on_partition ? below : above).push_back(std::move(p));
      }
      auto copy = Copy<WindowNode>(*node);
      ARROW_ASSIGN_OR_RAISE(auto input, Push(node->inputs[0], std::move(below)));
      copy->inputs = {input};
      return WithFilter(copy, above);
    }
    case NodeKind::kWatermark:
    case NodeKind::kTimeWindow: {
      // Below a watermark: predicates that do not read the event time (as Spark). Below a
      // window assignment: predicates on input fields, except for sessions and sliding windows,
      // whose windows depend on which rows there are: there only predicates on the partition fields.
      FieldSet allowed;
      if (node->kind == NodeKind::kWatermark) {
        allowed = NamesOf(*node->schema);
        allowed.erase(node->As<WatermarkNode>().time_field);
      } else {
        const auto& spec = node->As<TimeWindowNode>().spec;
        if (WindowsDependOnRows(spec)) {
          allowed.insert(spec.partition_by.begin(), spec.partition_by.end());
        } else {
          allowed = NamesOf(*node->inputs[0]->schema);
        }
      }
      std::vector<cp::Expression> below, above;
      for (auto& p : predicates) {
        FieldSet fields = FieldsOf(p);
        bool pushable = !fields.empty();
        for (const auto& f : fields) pushable = pushable && allowed.count(f);
        (pushable ? below : above).push_back(std::move(p));
      }
      auto copy = CopyNode(*node);
      ARROW_ASSIGN_OR_RAISE(auto input, Push(node->inputs[0], std::move(below)));
      copy->inputs = {input};
      return WithFilter(copy, above);
    }
    case NodeKind::kTableScan: {
      if (predicates.empty()) return node;
      auto copy = Copy<TableScanNode>(*node);
      if (copy->filter) predicates.push_back(*copy->filter);
      ARROW_ASSIGN_OR_RAISE(copy->filter, cp::and_(predicates).Bind(*copy->schema));
      return copy;
    }
    case NodeKind::kFileScan: {
      if (predicates.empty()) return node;
      auto copy = Copy<FileScanNode>(*node);
      if (copy->filter) predicates.push_back(*copy->filter);
      ARROW_ASSIGN_OR_RAISE(copy->filter, cp::and_(predicates).Bind(*copy->schema));
      return copy;
    }
    default:
      return Stop(node, predicates);
  }
}

// ---- 3. column pruning

arrow::Result<NodePtr> Prune(const NodePtr& node, FieldSet required) {
  switch (node->kind) {
    case NodeKind::kTableScan:
    case NodeKind::kFileScan: {
      const std::optional<cp::Expression>& filter = node->kind == NodeKind::kTableScan
                                                        ? node->As<TableScanNode>().filter
                                                        : node->As<FileScanNode>().filter;
      if (filter) {
        for (const auto& f : FieldsOf(*filter)) required.insert(f);
      }
      const auto& columns = node->kind == NodeKind::kTableScan ? node->As<TableScanNode>().columns
                                                               : node->As<FileScanNode>().columns;
      std::vector<std::string> kept_columns;
      arrow::FieldVector kept_fields;
      for (int i = 0; i < node->schema->num_fields(); ++i) {
        if (required.count(node->schema->field(i)->name())) {
          kept_columns.push_back(columns[static_cast<size_t>(i)]);
          kept_fields.push_back(node->schema->field(i));
        }
      }
      if (kept_fields.empty() && node->schema->num_fields() > 0) {  // count(*): rows, any column
        kept_columns.push_back(columns[0]);
        kept_fields.push_back(node->schema->field(0));
      }
      if (kept_fields.size() == static_cast<size_t>(node->schema->num_fields())) return node;
      if (node->kind == NodeKind::kTableScan) {
        auto copy = Copy<TableScanNode>(*node);
        copy->columns = kept_columns;
        copy->schema = arrow::schema(kept_fields);
        return copy;
      }
      auto copy = Copy<FileScanNode>(*node);
      copy->columns = kept_columns;
      copy->schema = arrow::schema(kept_fields);
      return copy;
    }
    case NodeKind::kSourceScan: {
      // Only the columns read: the session substitutes the source's rows for these.
      const auto& scan = node->As<SourceScanNode>();
      std::vector<std::string> kept_columns;
      arrow::FieldVector kept_fields;
      for (int i = 0; i < node->schema->num_fields(); ++i) {
        if (required.count(node->schema->field(i)->name())) {
          kept_columns.push_back(scan.columns[static_cast<size_t>(i)]);
          kept_fields.push_back(node->schema->field(i));
        }
      }
      if (kept_fields.empty() && node->schema->num_fields() > 0) {  // count(*): rows, any column
        kept_columns.push_back(scan.columns[0]);
        kept_fields.push_back(node->schema->field(0));
      }
      if (kept_fields.size() == static_cast<size_t>(node->schema->num_fields())) return node;
      auto copy = Copy<SourceScanNode>(*node);
      copy->columns = kept_columns;
      copy->schema = arrow::schema(kept_fields);
      return copy;
    }
    case NodeKind::kValues: {
      // Literal rows (a stream's batch stands in for its scan this way): the columns read.
      std::vector<int> kept;
      for (int i = 0; i < node->schema->num_fields(); ++i) {
        if (required.count(node->schema->field(i)->name())) kept.push_back(i);
      }
      if (kept.empty() && node->schema->num_fields() > 0) kept.push_back(0);  // count(*): rows, any column
      if (kept.size() == static_cast<size_t>(node->schema->num_fields())) return node;
      auto copy = Copy<ValuesNode>(*node);
      ARROW_ASSIGN_OR_RAISE(copy->rows, copy->rows->SelectColumns(kept));
      arrow::FieldVector fields;
      for (int i : kept) fields.push_back(node->schema->field(i));
      copy->schema = arrow::schema(std::move(fields));
      return copy;
    }
    case NodeKind::kFilter: {
      auto copy = Copy<FilterNode>(*node);
      for (const auto& f : FieldsOf(copy->predicate)) required.insert(f);
      ARROW_ASSIGN_OR_RAISE(auto input, Prune(node->inputs[0], required));
      copy->inputs = {input};
      copy->schema = input->schema;
      return copy;
    }
    case NodeKind::kProject: {
      const auto& project = node->As<ProjectNode>();
      auto copy = std::make_shared<ProjectNode>();
      arrow::FieldVector fields;
      FieldSet needed;
      for (size_t i = 0; i < project.exprs.size(); ++i) {
        const auto& field = project.schema->field(static_cast<int>(i));
        if (!required.count(field->name()) && !(i == 0 && required.empty())) continue;
        copy->exprs.push_back(project.exprs[i]);
        fields.push_back(field);
        for (const auto& f : FieldsOf(project.exprs[i])) needed.insert(f);
      }
      ARROW_ASSIGN_OR_RAISE(auto input, Prune(node->inputs[0], needed));
      copy->inputs = {input};
      copy->schema = arrow::schema(fields);
      return copy;
    }
    case NodeKind::kAggregate: {
      const auto& agg = node->As<AggregateNode>();
      FieldSet needed(agg.keys.begin(), agg.keys.end());
      for (const auto& a : agg.aggregates) needed.insert(a.args.begin(), a.args.end());
      auto copy = Copy<AggregateNode>(*node);
      ARROW_ASSIGN_OR_RAISE(auto input, Prune(node->inputs[0], needed));
      copy->inputs = {input};
      return copy;
    }
    case NodeKind::kJoin: {
      const auto& join = node->As<JoinNode>();
      FieldSet needed = required;
      needed.insert(join.left_keys.begin(), join.left_keys.end());
      needed.insert(join.right_keys.begin(), join.right_keys.end());
      if (join.residual) {
        for (const auto& f : FieldsOf(*join.residual)) needed.insert(f);
      }
      FieldSet left_needed, right_needed;
      for (const auto& f : needed) {
        if (join.inputs[0]->schema->GetFieldIndex(f) >= 0) left_needed.insert(f);
        if (join.inputs[1]->schema->GetFieldIndex(f) >= 0) right_needed.insert(f);
      }
      ARROW_ASSIGN_OR_RAISE(auto left, Prune(join.inputs[0], left_needed));
      ARROW_ASSIGN_OR_RAISE(auto right, Prune(join.inputs[1], right_needed));
      auto copy = Copy<JoinNode>(*node);
      copy->inputs = {left, right};
      arrow::FieldVector fields;
      for (const auto& f : node->schema->fields()) {
        if (left->schema->GetFieldIndex(f->name()) >= 0 || right->schema->GetFieldIndex(f->name()) >= 0) {
          fields.push_back(f);
        }
      }
      copy->schema = arrow::schema(fields);
      return copy;
    }
    case NodeKind::kSort: {
      auto copy = Copy<SortNode>(*node);
      for (const auto& k : copy->keys) required.insert(k.field);
      ARROW_ASSIGN_OR_RAISE(auto input, Prune(node->inputs[0], required));
      copy->inputs = {input};
      copy->schema = input->schema;
      return copy;
    }
    case NodeKind::kLimit: {
      auto copy = Copy<LimitNode>(*node);
      ARROW_ASSIGN_OR_RAISE(auto input, Prune(node->inputs[0], required));
      copy->inputs = {input};
      copy->schema = input->schema;
      return copy;
    }
    case NodeKind::kSetOperation: {
      // Every column takes part in DISTINCT / INTERSECT / EXCEPT: nothing is pruned here.
      auto copy = Copy<SetOperationNode>(*node);
      for (auto& input : copy->inputs) {
        ARROW_ASSIGN_OR_RAISE(input, Prune(input, NamesOf(*input->schema)));
      }
      return copy;
    }
    case NodeKind::kWindow: {
      const auto& window = node->As<WindowNode>();
      FieldSet needed = required;
      needed.insert(window.partition_by.begin(), window.partition_by.end());
      for (const auto& k : window.order_by) needed.insert(k.field);
      for (const auto& c : window.calls) needed.insert(c.args.begin(), c.args.end());
      ARROW_ASSIGN_OR_RAISE(auto input, Prune(node->inputs[0], needed));
      auto copy = Copy<WindowNode>(*node);
      copy->inputs = {input};
      arrow::FieldVector fields = input->schema->fields();
      for (int i = node->inputs[0]->schema->num_fields(); i < node->schema->num_fields(); ++i) {
        fields.push_back(node->schema->field(i));
      }
      copy->schema = arrow::schema(fields);
      return copy;
    }
    case NodeKind::kWatermark: {
      auto copy = Copy<WatermarkNode>(*node);
      required.insert(copy->time_field);
      ARROW_ASSIGN_OR_RAISE(auto input, Prune(node->inputs[0], required));
      copy->inputs = {input};
      copy->schema = input->schema;
      return copy;
    }
    case NodeKind::kTimeWindow: {
      auto copy = Copy<TimeWindowNode>(*node);
      const int inputs = node->inputs[0]->schema->num_fields();
      FieldSet needed = required;
      needed.insert(copy->spec.time_field);
      needed.insert(copy->spec.partition_by.begin(), copy->spec.partition_by.end());
      ARROW_ASSIGN_OR_RAISE(auto input, Prune(node->inputs[0], needed));
      copy->inputs = {input};
      arrow::FieldVector fields = input->schema->fields();
      for (int i = inputs; i < node->schema->num_fields(); ++i) fields.push_back(node->schema->field(i));
      copy->schema = arrow::schema(fields);
      return copy;
    }
  }
  return node;
}

}  // namespace

arrow::Result<PlanRoot> Optimize(PlanRoot root) {
  ARROW_ASSIGN_OR_RAISE(root.node, FoldAll(root.node));
  ARROW_ASSIGN_OR_RAISE(root.node, Push(root.node, {}));
  ARROW_ASSIGN_OR_RAISE(root.node, ReorderJoins(root.node));
  ARROW_ASSIGN_OR_RAISE(root.node, FilterAggregatesByJoinKeys(root.node));
  ARROW_ASSIGN_OR_RAISE(root.node, PushDownLimits(root.node));
  ARROW_ASSIGN_OR_RAISE(root.node, Prune(root.node, NamesOf(*root.node->schema)));
  return root;
}

}  // namespace tidelake::plan
