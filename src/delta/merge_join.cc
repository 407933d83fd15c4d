#include "delta/merge_join.h"

#include <arrow/acero/exec_plan.h>
#include <arrow/acero/options.h>
#include <arrow/array.h>
#include <arrow/array/util.h>
#include <arrow/builder.h>
#include <arrow/compute/api.h>
#include <arrow/table.h>

#include <algorithm>
#include <deque>

#include "delta/dml_rows.h"
#include "delta/scan.h"

namespace tidelake::delta {

namespace cp = arrow::compute;

namespace {

constexpr const char* kFileColumn = "__tidelake_merge_file";
constexpr const char* kRowColumn = "__tidelake_merge_row";
constexpr const char* kSourceRowColumn = "__tidelake_merge_source_row";

enum Side : int { kNoSide = 0, kTargetSide = 1, kSourceSide = 2, kBothSides = 3 };

const std::string* TopLevelName(const arrow::FieldRef& ref) {
  if (const std::string* name = ref.name()) return name;
  if (const auto* nested = ref.nested_refs(); nested && !nested->empty()) return nested->front().name();
  return nullptr;
}

int SidesOf(const cp::Expression& expr, const arrow::Schema& target, const arrow::Schema& source) {
  int sides = kNoSide;
  for (const auto& ref : cp::FieldsInExpression(expr)) {
    const std::string* name = TopLevelName(ref);
    if (name && target.GetFieldIndex(*name) >= 0) {
      sides |= kTargetSide;
    } else if (name && source.GetFieldIndex(*name) >= 0) {
      sides |= kSourceSide;
    } else {
      sides |= kBothSides;
    }
  }
  return sides;
}

void FlattenConjuncts(const cp::Expression& expr, std::vector<cp::Expression>* out) {
  if (const auto* call = expr.call(); call && (call->function_name == "and_kleene" || call->function_name == "and")) {
    for (const auto& arg : call->arguments) FlattenConjuncts(arg, out);
    return;
  }
  out->push_back(expr);
}

// Types Acero's hash join accepts as keys.
bool HashableKeyType(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::BOOL:
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::UINT8:
    case arrow::Type::UINT16:
    case arrow::Type::UINT32:
    case arrow::Type::UINT64:
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE:
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256:
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::FIXED_SIZE_BINARY:
    case arrow::Type::DATE32:
    case arrow::Type::DATE64:
    case arrow::Type::TIMESTAMP:
    case arrow::Type::TIME32:
    case arrow::Type::TIME64:
      return true;
    default:
      return false;
  }
}

cp::Expression CastTo(const cp::Expression& expr, const std::shared_ptr<arrow::DataType>& from,
                      const std::shared_ptr<arrow::DataType>& to) {
  if (from->Equals(*to)) return expr;
  return cp::call("cast", {expr}, cp::CastOptions::Safe(to));
}

cp::Expression AndAll(std::vector<cp::Expression> terms) {
  if (terms.size() == 1) return std::move(terms.front());
  return cp::and_(std::move(terms));
}

// Streams [file ordinal, row index, key columns...] for the target rows of a scan.
class TargetKeyReader : public arrow::RecordBatchReader {
 public:
  TargetKeyReader(std::shared_ptr<Scan> scan, std::shared_ptr<arrow::Schema> aliased_read_schema,
                  std::vector<cp::Expression> bound_keys, std::shared_ptr<arrow::Schema> schema)
      : scan_(std::move(scan)),
        aliased_read_schema_(std::move(aliased_read_schema)),
        bound_keys_(std::move(bound_keys)),
        schema_(std::move(schema)) {}

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    while (pending_.empty()) {
      if (next_file_ >= scan_->files().size()) {
        *out = nullptr;
        return arrow::Status::OK();
      }
      const AddFile* file = scan_->files()[next_file_++];
      auto ordinal = static_cast<int32_t>(file - scan_->snapshot()->files().data());
      ARROW_ASSIGN_OR_RAISE(auto batches, scan_->ReadFile(*file));
      for (const auto& batch : batches) {
        arrow::ArrayVector data;
        for (int i = 0; i < aliased_read_schema_->num_fields(); ++i) data.push_back(batch->column(i));
        auto aliased = arrow::RecordBatch::Make(aliased_read_schema_, batch->num_rows(), std::move(data));
        arrow::ArrayVector columns;
        ARROW_ASSIGN_OR_RAISE(auto file_column,
                              arrow::MakeArrayFromScalar(arrow::Int32Scalar(ordinal), batch->num_rows()));
        columns.push_back(std::move(file_column));
        columns.push_back(batch->GetColumnByName(kRowIndexColumn));
        for (const auto& key : bound_keys_) {
          ARROW_ASSIGN_OR_RAISE(auto k, EvaluateArray(key, *aliased));
          columns.push_back(std::move(k));
        }
        pending_.push_back(arrow::RecordBatch::Make(schema_, batch->num_rows(), std::move(columns)));
      }
    }
    *out = std::move(pending_.front());
    pending_.pop_front();
    return arrow::Status::OK();
  }

 private:
  std::shared_ptr<Scan> scan_;
  std::shared_ptr<arrow::Schema> aliased_read_schema_;
  std::vector<cp::Expression> bound_keys_;
  std::shared_ptr<arrow::Schema> schema_;
  size_t next_file_ = 0;
  std::deque<std::shared_ptr<arrow::RecordBatch>> pending_;
};

}  // namespace

std::shared_ptr<arrow::Schema> AliasSchema(const arrow::Schema& schema, const std::string& alias) {
  arrow::FieldVector fields;
  for (const auto& f : schema.fields()) fields.push_back(f->WithName(alias + "." + f->name()));
  return arrow::schema(std::move(fields));
}

namespace {

// `a = b OR (a IS NULL AND b IS NULL)` (either way round within the AND): equality where NULL
// matches NULL.
bool IsNullSafeEquality(const cp::Expression& e) {
  const auto* either = e.call();
  if (!either || (either->function_name != "or_kleene" && either->function_name != "or") ||
      either->arguments.size() != 2) {
    return false;
  }
  const auto* equal = either->arguments[0].call();
  const auto* both_null = either->arguments[1].call();
  if (!equal || equal->function_name != "equal" || equal->arguments.size() != 2 || !both_null ||
      (both_null->function_name != "and_kleene" && both_null->function_name != "and") ||
      both_null->arguments.size() != 2) {
    return false;
  }
  auto null_test_of = [](const cp::Expression& test) -> const cp::Expression* {
    const auto* call = test.call();
    if (!call || call->function_name != "is_null" || call->arguments.size() != 1) return nullptr;
    return &call->arguments[0];
  };
  const cp::Expression* x = null_test_of(both_null->arguments[0]);
  const cp::Expression* y = null_test_of(both_null->arguments[1]);
  if (!x || !y) return false;
  const auto& a = equal->arguments[0];
  const auto& b = equal->arguments[1];
  return (*x == a && *y == b) || (*x == b && *y == a);
}

}  // namespace

arrow::Result<MergeJoinPlan> PlanMergeJoin(const cp::Expression& on, const std::shared_ptr<arrow::Schema>& aliased_target,
                                           const std::shared_ptr<arrow::Schema>& aliased_source) {
  arrow::FieldVector joined_fields = aliased_target->fields();
  for (const auto& f : aliased_source->fields()) joined_fields.push_back(f);
  auto joined = arrow::schema(std::move(joined_fields));
  auto bound_on = on.Bind(*joined);
  if (!bound_on.ok()) return arrow::Status::Invalid("MERGE: ON condition ", on.ToString(), ": ", bound_on.status().message());
  if (bound_on->type()->id() != arrow::Type::BOOL) {
    return arrow::Status::TypeError("MERGE: ON condition ", on.ToString(), " is ", bound_on->type()->ToString(),
                                    ", not boolean");
  }
  std::vector<cp::Expression> conjuncts;
  FlattenConjuncts(on, &conjuncts);
  MergeJoinPlan plan;
  std::vector<cp::Expression> residual;
  for (const auto& c : conjuncts) {
    int sides = SidesOf(c, *aliased_target, *aliased_source);
    const cp::Expression* equality = &c;
    const bool null_safe = IsNullSafeEquality(c);
    if (null_safe) equality = &c.call()->arguments[0];
    const auto* call = equality->call();
    if (call && call->function_name == "equal" && call->arguments.size() == 2) {
      const auto& a = call->arguments[0];
      const auto& b = call->arguments[1];
      int sa = SidesOf(a, *aliased_target, *aliased_source);
      int sb = SidesOf(b, *aliased_target, *aliased_source);
      std::optional<std::pair<cp::Expression, cp::Expression>> key;
      if (sa == kTargetSide && sb == kSourceSide) key.emplace(a, b);
      if (sa == kSourceSide && sb == kTargetSide) key.emplace(b, a);
      if (key) {
        // Compare in the type `equal` itself would: its implicit casts show in the bound call.
        ARROW_ASSIGN_OR_RAISE(auto bound_eq, cp::equal(key->first, key->second).Bind(*joined));
        const auto& args = bound_eq.call()->arguments;
        auto common = args[0].type()->GetSharedPtr();
        ARROW_ASSIGN_OR_RAISE(auto bound_t, key->first.Bind(*aliased_target));
        ARROW_ASSIGN_OR_RAISE(auto bound_s, key->second.Bind(*aliased_source));
        if (args[1].type()->Equals(*common) && HashableKeyType(*common)) {
          plan.target_keys.push_back(CastTo(key->first, bound_t.type()->GetSharedPtr(), common));
          plan.source_keys.push_back(CastTo(key->second, bound_s.type()->GetSharedPtr(), common));
          plan.null_safe.push_back(null_safe);
          continue;
        }
      }
    }
    if (sides == kTargetSide) plan.target_only.push_back(c);
    residual.push_back(c);
  }
  if (!residual.empty()) plan.residual = AndAll(std::move(residual));
  return plan;
}

arrow::Result<std::optional<cp::Expression>> TargetMatchFilter(const MergeJoinPlan& plan,
                                                               const std::string& target_alias,
                                                               const arrow::Schema& target_schema,
                                                               const std::shared_ptr<arrow::RecordBatch>& aliased_source) {
  const std::string prefix = target_alias + ".";
  ColumnResolver unalias = [&](const arrow::FieldRef& ref) -> arrow::Result<arrow::FieldRef> {
    auto strip = [&](const std::string& name) -> arrow::Result<std::string> {
      if (name.rfind(prefix, 0) != 0) return arrow::Status::Invalid("internal: '", name, "' is not a target column");
      return name.substr(prefix.size());
    };
    if (ref.IsName()) {
      ARROW_ASSIGN_OR_RAISE(auto n, strip(*ref.name()));
      return arrow::FieldRef(n);
    }
    std::vector<arrow::FieldRef> path = *ref.nested_refs();
    ARROW_ASSIGN_OR_RAISE(auto n, strip(*path.front().name()));
    path.front() = arrow::FieldRef(n);
    return arrow::FieldRef(std::move(path));
  };
  std::vector<cp::Expression> terms;
  for (const auto& c : plan.target_only) {
    ARROW_ASSIGN_OR_RAISE(auto t, ResolveColumns(c, unalias));
    terms.push_back(std::move(t));
  }
  for (size_t i = 0; i < plan.target_keys.size(); ++i) {
    const arrow::FieldRef* ref = plan.target_keys[i].field_ref();
    if (!ref || !ref->IsName()) continue;
    ARROW_ASSIGN_OR_RAISE(auto column, unalias(*ref));
    auto field = target_schema.GetFieldByName(*column.name());
    if (!field || arrow::is_floating(field->type()->id())) continue;  // NaN has no place in a range
    ARROW_ASSIGN_OR_RAISE(auto bound, plan.source_keys[i].Bind(*aliased_source->schema()));
    ARROW_ASSIGN_OR_RAISE(auto keys, EvaluateArray(bound, *aliased_source));
    if (!keys->type()->Equals(*field->type())) continue;
    // A NULL key matches a NULL target key when the key is null-safe, and nothing otherwise.
    const bool nulls_match = plan.null_safe[i] && keys->null_count() > 0;
    if (keys->length() == keys->null_count()) {
      if (!nulls_match) return cp::literal(false);  // nothing can match
      terms.push_back(cp::is_null(cp::field_ref(column)));
      continue;
    }
    auto min_max = cp::MinMax(keys, cp::ScalarAggregateOptions(/*skip_nulls=*/true));
    if (!min_max.ok()) continue;  // a type without an order: no range
    const auto& pair = static_cast<const arrow::StructScalar&>(*min_max->scalar());
    cp::Expression range = cp::and_(cp::greater_equal(cp::field_ref(column), cp::literal(pair.value[0])),
                                    cp::less_equal(cp::field_ref(column), cp::literal(pair.value[1])));
    terms.push_back(nulls_match ? cp::or_(range, cp::is_null(cp::field_ref(column))) : range);
  }
  if (terms.empty()) return std::nullopt;
  return AndAll(std::move(terms));
}

arrow::Result<std::vector<KeyMatch>> FindKeyMatches(std::shared_ptr<const Snapshot> snapshot,
                                                    const std::optional<cp::Expression>& target_filter,
                                                    const std::string& target_alias, const MergeJoinPlan& plan,
                                                    const std::shared_ptr<arrow::RecordBatch>& aliased_source) {
  const std::string prefix = target_alias + ".";
  const auto& schema = *snapshot->schema();
  // Read only the columns the target keys need (one column when there are no keys).
  std::vector<std::string> columns;
  for (const auto& key : plan.target_keys) {
    for (const auto& ref : cp::FieldsInExpression(key)) {
      const std::string* name = TopLevelName(ref);
      if (!name || name->rfind(prefix, 0) != 0) continue;
      std::string column = name->substr(prefix.size());
      if (std::find(columns.begin(), columns.end(), column) == columns.end()) columns.push_back(column);
    }
  }
  if (columns.empty()) columns.push_back(schema.field(0)->name());
  ScanOptions options;
  options.columns = columns;
  options.filter = target_filter;
  options.with_row_position = true;
  ARROW_ASSIGN_OR_RAISE(auto scan, Scan::Make(snapshot, options));

  arrow::FieldVector read_fields;
  for (const auto& c : columns) read_fields.push_back(schema.GetFieldByName(c));
  auto aliased_read = AliasSchema(*arrow::schema(read_fields), target_alias);

  std::vector<cp::Expression> target_keys = plan.target_keys;
  std::vector<cp::Expression> source_keys = plan.source_keys;
  std::vector<bool> null_safe = plan.null_safe;
  if (target_keys.empty()) {
    // A cross join: every pair shares the one constant key.
    target_keys.push_back(cp::literal(int32_t{0}));
    source_keys.push_back(cp::literal(int32_t{0}));
    null_safe.push_back(false);
  }
  arrow::FieldVector left_fields{arrow::field(kFileColumn, arrow::int32(), false),
                                 arrow::field(kRowColumn, arrow::int64(), false)};
  std::vector<cp::Expression> bound_target_keys;
  std::vector<arrow::FieldRef> left_keys;
  std::vector<arrow::FieldRef> right_keys;
  for (size_t i = 0; i < target_keys.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto bound, target_keys[i].Bind(*aliased_read));
    std::string name = "__tidelake_merge_tkey" + std::to_string(i);
    left_fields.push_back(arrow::field(name, bound.type()->GetSharedPtr()));
    left_keys.emplace_back(name);
    bound_target_keys.push_back(std::move(bound));
  }
  auto left_schema = arrow::schema(left_fields);

  arrow::FieldVector right_fields{arrow::field(kSourceRowColumn, arrow::int64(), false)};
  arrow::ArrayVector right_columns;
  const int64_t n_source = aliased_source->num_rows();
  {
    arrow::Int64Builder ids;
    ARROW_RETURN_NOT_OK(ids.Reserve(n_source));
    for (int64_t i = 0; i < n_source; ++i) ids.UnsafeAppend(i);
    ARROW_ASSIGN_OR_RAISE(auto id_array, ids.Finish());
    right_columns.push_back(std::move(id_array));
  }
  for (size_t i = 0; i < source_keys.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto bound, source_keys[i].Bind(*aliased_source->schema()));
    ARROW_ASSIGN_OR_RAISE(auto values, EvaluateArray(bound, *aliased_source));
    std::string name = "__tidelake_merge_skey" + std::to_string(i);
    right_fields.push_back(arrow::field(name, values->type()));
    right_keys.emplace_back(name);
    right_columns.push_back(std::move(values));
  }
  auto right_schema = arrow::schema(right_fields);
  ARROW_ASSIGN_OR_RAISE(auto right_table,
                        arrow::Table::FromRecordBatches(
                            right_schema, {arrow::RecordBatch::Make(right_schema, n_source, std::move(right_columns))}));

  auto reader = std::make_shared<TargetKeyReader>(scan, aliased_read, std::move(bound_target_keys), left_schema);
  arrow::acero::Declaration left{"record_batch_reader_source", arrow::acero::RecordBatchReaderSourceNodeOptions{reader}};
  arrow::acero::Declaration right{"table_source", arrow::acero::TableSourceNodeOptions{right_table}};
  arrow::acero::HashJoinNodeOptions join_options{arrow::acero::JoinType::INNER, left_keys, right_keys};
  for (size_t i = 0; i < null_safe.size(); ++i) {
    join_options.key_cmp[i] = null_safe[i] ? arrow::acero::JoinKeyCmp::IS : arrow::acero::JoinKeyCmp::EQ;
  }
  arrow::acero::Declaration join{"hashjoin", {std::move(left), std::move(right)}, std::move(join_options)};
  auto joined = arrow::acero::DeclarationToTable(std::move(join));
  if (!joined.ok()) return joined.status().WithMessage("MERGE: joining target and source: ", joined.status().message());

  std::vector<KeyMatch> matches;
  matches.reserve(static_cast<size_t>((*joined)->num_rows()));
  arrow::TableBatchReader batches(**joined);
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(batches.ReadNext(&batch));
    if (!batch) break;
    auto files = batch->GetColumnByName(kFileColumn);
    auto rows = batch->GetColumnByName(kRowColumn);
    auto sources = batch->GetColumnByName(kSourceRowColumn);
    if (!files || !rows || !sources) return arrow::Status::Invalid("internal: MERGE join output lacks row ids");
    const auto& f = static_cast<const arrow::Int32Array&>(*files);
    const auto& r = static_cast<const arrow::Int64Array&>(*rows);
    const auto& s = static_cast<const arrow::Int64Array&>(*sources);
    for (int64_t i = 0; i < f.length(); ++i) matches.push_back({f.Value(i), r.Value(i), s.Value(i)});
  }
  std::sort(matches.begin(), matches.end());
  return matches;
}

}  // namespace tidelake::delta
