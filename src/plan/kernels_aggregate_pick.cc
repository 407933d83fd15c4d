// Aggregates that answer one input row per group, chosen by a policy, each registered as a
// hash aggregate ("hash_tidelake_*") and a scalar aggregate ("tidelake_*"):
//   tidelake_first(x) / tidelake_last(x): the first / last row seen; with
//     ScalarAggregateOptions::skip_nulls, the first / last non-NULL x (Spark's ignoreNulls).
//   tidelake_max_by(x, y) / tidelake_min_by(x, y): x of a row with the largest / smallest y;
//     rows with a NULL y are skipped.
//   tidelake_max(x) / tidelake_min(x): for floating point x, with Spark's order where NaN is
//     larger than every number (Arrow's min/max skip NaN).
// Unlike Arrow's hash_first / hash_last these are not "ordered" aggregates, so Acero runs them
// on several threads: "first" is then the first row of whichever thread's state wins the
// merge. Spark documents first/last as non-deterministic for the same reason.
//
// State: the chosen rows are copied out of each batch (at most one per group and batch) into
// candidate chunks; each group points at its current choice. When the chunks hold many more
// rows than there are groups they are compacted, so memory stays proportional to the number
// of groups, not to the input.

#include <arrow/array/builder_primitive.h>
#include <arrow/array/concatenate.h>
#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/util/checked_cast.h>

#include <cmath>
#include <cstring>

#include "plan/functions_internal.h"
#include "plan/kernels_common.h"

namespace tidelake::plan::internal {

namespace {

using arrow::internal::checked_cast;

enum class Pick { kFirst, kLast, kMaxBy, kMinBy, kMax, kMin };

bool HasKey(Pick p) { return p == Pick::kMaxBy || p == Pick::kMinBy || p == Pick::kMax || p == Pick::kMin; }
bool PrefersLarger(Pick p) { return p == Pick::kMaxBy || p == Pick::kMax; }

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Floating point in Spark's order: NaN is the largest value and equal to itself.
template <typename T>
int CmpFloat(T a, T b) {
  const bool an = std::isnan(a), bn = std::isnan(b);
  if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
  return Cmp(a, b);
}

int CmpBytes(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Compares a[i] with b[j] (both valid, both of the same type).
arrow::Result<int> CompareValues(const arrow::Array& a, int64_t i, const arrow::Array& b, int64_t j) {
  switch (a.type_id()) {
#define TIDELAKE_CMP_PRIMITIVE(ID, ARRAY)                                                      \
  case arrow::Type::ID:                                                                        \
    return Cmp(checked_cast<const arrow::ARRAY&>(a).Value(i), checked_cast<const arrow::ARRAY&>(b).Value(j));
    TIDELAKE_CMP_PRIMITIVE(INT8, Int8Array)
    TIDELAKE_CMP_PRIMITIVE(INT16, Int16Array)
    TIDELAKE_CMP_PRIMITIVE(INT32, Int32Array)
    TIDELAKE_CMP_PRIMITIVE(INT64, Int64Array)
    TIDELAKE_CMP_PRIMITIVE(UINT8, UInt8Array)
    TIDELAKE_CMP_PRIMITIVE(UINT16, UInt16Array)
    TIDELAKE_CMP_PRIMITIVE(UINT32, UInt32Array)
    TIDELAKE_CMP_PRIMITIVE(UINT64, UInt64Array)
    TIDELAKE_CMP_PRIMITIVE(DATE32, Date32Array)
    TIDELAKE_CMP_PRIMITIVE(DATE64, Date64Array)
    TIDELAKE_CMP_PRIMITIVE(TIMESTAMP, TimestampArray)
    TIDELAKE_CMP_PRIMITIVE(BOOL, BooleanArray)
#undef TIDELAKE_CMP_PRIMITIVE
    case arrow::Type::FLOAT:
      return CmpFloat(checked_cast<const arrow::FloatArray&>(a).Value(i), checked_cast<const arrow::FloatArray&>(b).Value(j));
    case arrow::Type::DOUBLE:
      return CmpFloat(checked_cast<const arrow::DoubleArray&>(a).Value(i),
                      checked_cast<const arrow::DoubleArray&>(b).Value(j));
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256: {
      const auto x = DecimalAt(a, i), y = DecimalAt(b, j);
      return x < y ? -1 : (y < x ? 1 : 0);
    }
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
      return CmpBytes(checked_cast<const arrow::BinaryArray&>(a).GetView(i),
                      checked_cast<const arrow::BinaryArray&>(b).GetView(j));
    case arrow::Type::LARGE_STRING:
    case arrow::Type::LARGE_BINARY:
      return CmpBytes(checked_cast<const arrow::LargeBinaryArray&>(a).GetView(i),
                      checked_cast<const arrow::LargeBinaryArray&>(b).GetView(j));
    default:
      return arrow::Status::NotImplemented("ordering values of type ", SqlTypeName(*a.type()),
                                           " in max_by / min_by");
  }
}

struct PickState : cp::KernelState {
  Pick pick = Pick::kFirst;
  bool skip_nulls = false;  // first / last: ignore NULL values
  arrow::MemoryPool* pool = nullptr;
  std::shared_ptr<arrow::DataType> value_type, key_type;
  // Candidate rows: chunk c holds values[c] (and keys[c] when the policy has a key).
  std::vector<std::shared_ptr<arrow::Array>> values, keys;
  int64_t stored = 0;
  // Per group: the chosen candidate, or chunk -1.
  std::vector<int32_t> chunk_of;
  std::vector<int64_t> row_of;

  const arrow::Array& KeyArray(size_t c) const { return HasKey(pick) ? *keys[c] : *values[c]; }

  void Resize(int64_t num_groups) {
    chunk_of.resize(static_cast<size_t>(num_groups), -1);
    row_of.resize(static_cast<size_t>(num_groups), 0);
  }

  // Whether candidate (c2, r2) should replace the current choice (c1, r1) of a group.
  arrow::Result<bool> Beats(const arrow::Array& key2, int64_t r2, const arrow::Array& key1, int64_t r1) const {
    switch (pick) {
      case Pick::kFirst: return false;
      case Pick::kLast: return true;
      default: {
        ARROW_ASSIGN_OR_RAISE(int c, CompareValues(key2, r2, key1, r1));
        return PrefersLarger(pick) ? c > 0 : c < 0;
      }
    }
  }

  // Takes rows `rows` of (value, key) as a new candidate chunk; returns its index.
  arrow::Result<int32_t> AddChunk(const std::shared_ptr<arrow::Array>& value, const std::shared_ptr<arrow::Array>& key,
                                  const std::vector<int64_t>& rows) {
    arrow::Int64Builder indices(pool);
    ARROW_RETURN_NOT_OK(indices.AppendValues(rows));
    ARROW_ASSIGN_OR_RAISE(auto index_array, indices.Finish());
    cp::ExecContext ctx(pool);
    ARROW_ASSIGN_OR_RAISE(arrow::Datum v, cp::Take(value, index_array, cp::TakeOptions::Defaults(), &ctx));
    values.push_back(v.make_array());
    if (HasKey(pick)) {
      ARROW_ASSIGN_OR_RAISE(arrow::Datum k, cp::Take(key, index_array, cp::TakeOptions::Defaults(), &ctx));
      keys.push_back(k.make_array());
    }
    stored += static_cast<int64_t>(rows.size());
    return static_cast<int32_t>(values.size() - 1);
  }

  // The chosen rows of every group as one chunk (chunk -1 stays -1).
  arrow::Status Compact() {
    if (values.size() <= 1) return arrow::Status::OK();
    ARROW_ASSIGN_OR_RAISE(auto all_values, arrow::Concatenate(values, pool));
    std::shared_ptr<arrow::Array> all_keys;
    if (HasKey(pick)) { ARROW_ASSIGN_OR_RAISE(all_keys, arrow::Concatenate(keys, pool)); }
    std::vector<int64_t> starts;
    int64_t start = 0;
    for (const auto& chunk : values) {
      starts.push_back(start);
      start += chunk->length();
    }
    std::vector<int64_t> rows;
    for (size_t g = 0; g < chunk_of.size(); ++g) {
      if (chunk_of[g] < 0) continue;
      rows.push_back(starts[static_cast<size_t>(chunk_of[g])] + row_of[g]);
    }
    values.clear();
    keys.clear();
    stored = 0;
    ARROW_ASSIGN_OR_RAISE(int32_t c, AddChunk(all_values, all_keys, rows));
    int64_t next = 0;
    for (size_t g = 0; g < chunk_of.size(); ++g) {
      if (chunk_of[g] < 0) continue;
      chunk_of[g] = c;
      row_of[g] = next++;
    }
    return arrow::Status::OK();
  }

  arrow::Status MaybeCompact() {
    if (stored > 2 * static_cast<int64_t>(chunk_of.size()) + 4096) return Compact();
    return arrow::Status::OK();
  }

  arrow::Status Consume(const cp::ExecSpan& batch, const uint32_t* group_ids) {
    auto as_array = [&](const cp::ExecValue& v) -> arrow::Result<std::shared_ptr<arrow::Array>> {
      if (v.is_array()) return v.array.ToArray();
      return arrow::MakeArrayFromScalar(*v.scalar, batch.length, pool);
    };
    ARROW_ASSIGN_OR_RAISE(auto value, as_array(batch[0]));
    std::shared_ptr<arrow::Array> key;
    if (pick == Pick::kMaxBy || pick == Pick::kMinBy) {
      ARROW_ASSIGN_OR_RAISE(key, as_array(batch[1]));
    } else if (HasKey(pick)) {
      key = value;
    }
    // The best row of each group within this batch.
    std::vector<int64_t> best(chunk_of.size(), -1);
    std::vector<uint32_t> touched;
    for (int64_t i = 0; i < batch.length; ++i) {
      const uint32_t g = group_ids == nullptr ? 0 : group_ids[i];
      if (HasKey(pick) ? key->IsNull(i) : (skip_nulls && value->IsNull(i))) continue;
      int64_t& b = best[g];
      if (b < 0) {
        b = i;
        touched.push_back(g);
        continue;
      }
      ARROW_ASSIGN_OR_RAISE(bool better, Beats(HasKey(pick) ? *key : *value, i, HasKey(pick) ? *key : *value, b));
      if (better) b = i;
    }
    // Rows that beat the group's current choice become candidates.
    std::vector<int64_t> rows;
    std::vector<uint32_t> groups;
    for (uint32_t g : touched) {
      const int64_t b = best[g];
      bool take = chunk_of[g] < 0;
      if (!take) {
        const auto c = static_cast<size_t>(chunk_of[g]);
        ARROW_ASSIGN_OR_RAISE(take, Beats(HasKey(pick) ? *key : *value, b, KeyArray(c), row_of[g]));
      }
      if (take) {
        rows.push_back(b);
        groups.push_back(g);
      }
    }
    if (rows.empty()) return arrow::Status::OK();
    ARROW_ASSIGN_OR_RAISE(int32_t c, AddChunk(value, key, rows));
    for (size_t k = 0; k < groups.size(); ++k) {
      chunk_of[groups[k]] = c;
      row_of[groups[k]] = static_cast<int64_t>(k);
    }
    return MaybeCompact();
  }

  arrow::Status Merge(PickState&& other, const uint32_t* mapping) {
    const auto base = static_cast<int32_t>(values.size());
    for (auto& v : other.values) values.push_back(std::move(v));
    for (auto& k : other.keys) keys.push_back(std::move(k));
    stored += other.stored;
    for (size_t og = 0; og < other.chunk_of.size(); ++og) {
      if (other.chunk_of[og] < 0) continue;
      const uint32_t g = mapping == nullptr ? 0 : mapping[og];
      const int32_t c = base + other.chunk_of[og];
      const int64_t r = other.row_of[og];
      bool take = chunk_of[g] < 0;
      if (!take) {
        ARROW_ASSIGN_OR_RAISE(take, Beats(KeyArray(static_cast<size_t>(c)), r,
                                          KeyArray(static_cast<size_t>(chunk_of[g])), row_of[g]));
      }
      if (take) {
        chunk_of[g] = c;
        row_of[g] = r;
      }
    }
    return MaybeCompact();
  }

  arrow::Result<std::shared_ptr<arrow::Array>> Finish() {
    ARROW_RETURN_NOT_OK(Compact());
    std::shared_ptr<arrow::Array> all;
    if (values.empty()) {
      ARROW_ASSIGN_OR_RAISE(all, arrow::MakeEmptyArray(value_type, pool));
    } else {
      all = values[0];
    }
    arrow::Int64Builder indices(pool);
    for (size_t g = 0; g < chunk_of.size(); ++g) {
      if (chunk_of[g] < 0) ARROW_RETURN_NOT_OK(indices.AppendNull());
      else ARROW_RETURN_NOT_OK(indices.Append(row_of[g]));
    }
    ARROW_ASSIGN_OR_RAISE(auto index_array, indices.Finish());
    cp::ExecContext ctx(pool);
    ARROW_ASSIGN_OR_RAISE(arrow::Datum out, cp::Take(all, index_array, cp::TakeOptions::Defaults(), &ctx));
    return out.make_array();
  }
};

template <Pick kPick>
arrow::Result<std::unique_ptr<cp::KernelState>> InitPick(cp::KernelContext* ctx, const cp::KernelInitArgs& args) {
  auto state = std::make_unique<PickState>();
  state->pick = kPick;
  state->pool = ctx->memory_pool();
  state->value_type = args.inputs[0].GetSharedPtr();
  if (kPick == Pick::kMaxBy || kPick == Pick::kMinBy) state->key_type = args.inputs[1].GetSharedPtr();
  if (args.options != nullptr && std::string_view(args.options->type_name()) == "ScalarAggregateOptions") {
    state->skip_nulls = static_cast<const cp::ScalarAggregateOptions*>(args.options)->skip_nulls;
  }
  if (kPick == Pick::kMaxBy || kPick == Pick::kMinBy || kPick == Pick::kMax || kPick == Pick::kMin) {
    // Reject unorderable keys up front rather than on the first batch.
    const auto& key = kPick == Pick::kMax || kPick == Pick::kMin ? state->value_type : state->key_type;
    ARROW_ASSIGN_OR_RAISE(auto one, arrow::MakeArrayOfNull(key, 1, state->pool));
    if (!CompareValues(*one, 0, *one, 0).ok()) {
      return arrow::Status::TypeError("values of type ", SqlTypeName(*key), " cannot be ordered");
    }
  }
  return state;
}

template <Pick kPick>
arrow::Status RegisterPick(cp::FunctionRegistry* registry, const std::string& name) {
  constexpr bool kBinary = kPick == Pick::kMaxBy || kPick == Pick::kMinBy;
  cp::OutputType out([](cp::KernelContext*, const std::vector<arrow::TypeHolder>& types) -> arrow::Result<arrow::TypeHolder> {
    return types[0];
  });
  std::vector<cp::InputType> hash_inputs{cp::InputType::Any()};
  if (kBinary) hash_inputs.push_back(cp::InputType::Any());
  std::vector<cp::InputType> scalar_inputs = hash_inputs;
  hash_inputs.push_back(cp::InputType(arrow::Type::UINT32));

  auto hash = std::make_shared<cp::HashAggregateFunction>("hash_" + name, kBinary ? cp::Arity::Ternary() : cp::Arity::Binary(),
                                                          cp::FunctionDoc::Empty());
  cp::HashAggregateKernel hash_kernel(
      cp::KernelSignature::Make(hash_inputs, out), InitPick<kPick>,
      [](cp::KernelContext* ctx, int64_t num_groups) -> arrow::Status {
        static_cast<PickState*>(ctx->state())->Resize(num_groups);
        return arrow::Status::OK();
      },
      [](cp::KernelContext* ctx, const cp::ExecSpan& batch) -> arrow::Status {
        return static_cast<PickState*>(ctx->state())->Consume(batch, batch[kBinary ? 2 : 1].array.GetValues<uint32_t>(1));
      },
      [](cp::KernelContext* ctx, cp::KernelState&& other, const arrow::ArrayData& mapping) -> arrow::Status {
        return static_cast<PickState*>(ctx->state())
            ->Merge(std::move(checked_cast<PickState&>(other)), mapping.GetValues<uint32_t>(1));
      },
      [](cp::KernelContext* ctx, arrow::Datum* result) -> arrow::Status {
        ARROW_ASSIGN_OR_RAISE(auto array, static_cast<PickState*>(ctx->state())->Finish());
        *result = array;
        return arrow::Status::OK();
      },
      /*ordered=*/false);
  ARROW_RETURN_NOT_OK(hash->AddKernel(std::move(hash_kernel)));
  ARROW_RETURN_NOT_OK(registry->AddFunction(std::move(hash)));

  auto scalar = std::make_shared<cp::ScalarAggregateFunction>(name, kBinary ? cp::Arity::Binary() : cp::Arity::Unary(),
                                                              cp::FunctionDoc::Empty());
  cp::ScalarAggregateKernel scalar_kernel(
      cp::KernelSignature::Make(scalar_inputs, out),
      [](cp::KernelContext* ctx, const cp::KernelInitArgs& args) -> arrow::Result<std::unique_ptr<cp::KernelState>> {
        ARROW_ASSIGN_OR_RAISE(auto state, InitPick<kPick>(ctx, args));
        static_cast<PickState*>(state.get())->Resize(1);
        return state;
      },
      [](cp::KernelContext* ctx, const cp::ExecSpan& batch) -> arrow::Status {
        return static_cast<PickState*>(ctx->state())->Consume(batch, nullptr);
      },
      [](cp::KernelContext* ctx, cp::KernelState&& other, cp::KernelState* into) -> arrow::Status {
        return static_cast<PickState*>(into)->Merge(std::move(checked_cast<PickState&>(other)), nullptr);
      },
      [](cp::KernelContext* ctx, arrow::Datum* result) -> arrow::Status {
        ARROW_ASSIGN_OR_RAISE(auto array, static_cast<PickState*>(ctx->state())->Finish());
        ARROW_ASSIGN_OR_RAISE(auto value, array->GetScalar(0));
        *result = value;
        return arrow::Status::OK();
      },
      /*ordered=*/false);
  ARROW_RETURN_NOT_OK(scalar->AddKernel(std::move(scalar_kernel)));
  return registry->AddFunction(std::move(scalar));
}

}  // namespace

arrow::Status RegisterPickAggregateKernels(cp::FunctionRegistry* registry) {
  ARROW_RETURN_NOT_OK(RegisterPick<Pick::kFirst>(registry, "tidelake_first"));
  ARROW_RETURN_NOT_OK(RegisterPick<Pick::kLast>(registry, "tidelake_last"));
  ARROW_RETURN_NOT_OK(RegisterPick<Pick::kMaxBy>(registry, "tidelake_max_by"));
  ARROW_RETURN_NOT_OK(RegisterPick<Pick::kMinBy>(registry, "tidelake_min_by"));
  ARROW_RETURN_NOT_OK(RegisterPick<Pick::kMax>(registry, "tidelake_max"));
  return RegisterPick<Pick::kMin>(registry, "tidelake_min");
}

}  // namespace tidelake::plan::internal
