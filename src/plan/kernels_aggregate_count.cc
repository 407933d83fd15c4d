// count over several arguments, each registered as a hash aggregate ("hash_tidelake_*") and a
// scalar aggregate ("tidelake_*"), with any number of arguments of atomic types:
//   tidelake_count_all_valid(x1, ..., xn): the rows where no xi is NULL (Spark's count(a, b)).
//   tidelake_count_distinct_tuples(x1, ..., xn): the distinct tuples among those rows (Spark's
//     count(DISTINCT a, b)). Float keys are normalized as Spark does: -0.0 is 0.0, every NaN
//     is one NaN.
// The distinct form keeps, per group, the set of its tuples encoded as bytes (memory grows with
// the distinct tuples, as in Spark).

#include <arrow/array/builder_primitive.h>
#include <arrow/compute/api.h>
#include <arrow/util/checked_cast.h>

#include <cmath>
#include <cstring>
#include <string>
#include <unordered_set>
#include <vector>

#include "plan/functions_internal.h"
#include "plan/kernels_common.h"

namespace tidelake::plan::internal {

namespace {

using arrow::internal::checked_cast;

template <typename T>
void AppendBytes(std::string* key, T v) {
  key->append(reinterpret_cast<const char*>(&v), sizeof(T));
}

// Appends an encoding of array[i] (valid) that is equal for equal values of one type.
arrow::Status AppendKey(const arrow::Array& array, int64_t i, std::string* key) {
  switch (array.type_id()) {
    case arrow::Type::BOOL: key->push_back(checked_cast<const arrow::BooleanArray&>(array).Value(i) ? 1 : 0); return arrow::Status::OK();
    case arrow::Type::FLOAT: {
      float v = checked_cast<const arrow::FloatArray&>(array).Value(i);
      if (std::isnan(v)) v = std::nanf("");
      if (v == 0) v = 0;  // -0.0
      AppendBytes(key, v);
      return arrow::Status::OK();
    }
    case arrow::Type::DOUBLE: {
      double v = checked_cast<const arrow::DoubleArray&>(array).Value(i);
      if (std::isnan(v)) v = std::nan("");
      if (v == 0) v = 0;
      AppendBytes(key, v);
      return arrow::Status::OK();
    }
    case arrow::Type::STRING:
    case arrow::Type::BINARY: {
      const auto view = checked_cast<const arrow::BinaryArray&>(array).GetView(i);
      AppendBytes(key, static_cast<uint64_t>(view.size()));
      key->append(view.data(), view.size());
      return arrow::Status::OK();
    }
    case arrow::Type::LARGE_STRING:
    case arrow::Type::LARGE_BINARY: {
      const auto view = checked_cast<const arrow::LargeBinaryArray&>(array).GetView(i);
      AppendBytes(key, static_cast<uint64_t>(view.size()));
      key->append(view.data(), view.size());
      return arrow::Status::OK();
    }
    default:
      break;
  }
  if (arrow::is_fixed_width(array.type_id()) && array.type_id() != arrow::Type::BOOL) {
    const auto& fixed = checked_cast<const arrow::FixedWidthType&>(*array.type());
    const int width = fixed.byte_width();
    if (width > 0) {
      const uint8_t* data = array.data()->buffers[1]->data() + (array.offset() + i) * width;
      key->append(reinterpret_cast<const char*>(data), static_cast<size_t>(width));
      return arrow::Status::OK();
    }
  }
  return arrow::Status::NotImplemented("count over values of type ", SqlTypeName(*array.type()));
}

struct CountState : cp::KernelState {
  bool distinct = false;
  arrow::MemoryPool* pool = nullptr;
  std::vector<int64_t> counts;                          // count_all_valid
  std::vector<std::unordered_set<std::string>> tuples;  // count_distinct_tuples

  void Resize(int64_t num_groups) {
    if (distinct) tuples.resize(static_cast<size_t>(num_groups));
    else counts.resize(static_cast<size_t>(num_groups), 0);
  }

  arrow::Status Consume(const cp::ExecSpan& batch, size_t num_args, const uint32_t* group_ids) {
    std::vector<std::shared_ptr<arrow::Array>> args;
    for (size_t a = 0; a < num_args; ++a) {
      const cp::ExecValue& v = batch[static_cast<int>(a)];
      if (v.is_array()) {
        args.push_back(v.array.ToArray());
      } else {
        ARROW_ASSIGN_OR_RAISE(auto array, arrow::MakeArrayFromScalar(*v.scalar, batch.length, pool));
        args.push_back(std::move(array));
      }
    }
    std::string key;
    for (int64_t i = 0; i < batch.length; ++i) {
      bool valid = true;
      for (const auto& a : args) valid = valid && a->IsValid(i);
      if (!valid) continue;
      const uint32_t g = group_ids == nullptr ? 0 : group_ids[i];
      if (!distinct) {
        ++counts[g];
        continue;
      }
      key.clear();
      for (const auto& a : args) ARROW_RETURN_NOT_OK(AppendKey(*a, i, &key));
      tuples[g].insert(key);
    }
    return arrow::Status::OK();
  }

  void Merge(CountState&& other, const uint32_t* mapping) {
    const size_t n = distinct ? other.tuples.size() : other.counts.size();
    for (size_t og = 0; og < n; ++og) {
      const uint32_t g = mapping == nullptr ? 0 : mapping[og];
      if (distinct) {
        for (auto& t : other.tuples[og]) tuples[g].insert(t);
      } else {
        counts[g] += other.counts[og];
      }
    }
  }

  arrow::Result<std::shared_ptr<arrow::Array>> Finish() {
    arrow::Int64Builder builder(pool);
    const size_t n = distinct ? tuples.size() : counts.size();
    ARROW_RETURN_NOT_OK(builder.Reserve(static_cast<int64_t>(n)));
    for (size_t g = 0; g < n; ++g) {
      builder.UnsafeAppend(distinct ? static_cast<int64_t>(tuples[g].size()) : counts[g]);
    }
    return builder.Finish();
  }
};

template <bool kDistinct>
arrow::Result<std::unique_ptr<cp::KernelState>> InitCount(cp::KernelContext* ctx, const cp::KernelInitArgs& args) {
  auto state = std::make_unique<CountState>();
  state->distinct = kDistinct;
  state->pool = ctx->memory_pool();
  return state;
}

template <bool kDistinct>
arrow::Status RegisterCount(cp::FunctionRegistry* registry, const std::string& name) {
  cp::OutputType out(arrow::int64());
  auto hash = std::make_shared<cp::HashAggregateFunction>("hash_" + name, cp::Arity::VarArgs(1), cp::FunctionDoc::Empty());
  cp::HashAggregateKernel hash_kernel(
      cp::KernelSignature::Make({cp::InputType::Any()}, out, /*is_varargs=*/true), InitCount<kDistinct>,
      [](cp::KernelContext* ctx, int64_t num_groups) -> arrow::Status {
        static_cast<CountState*>(ctx->state())->Resize(num_groups);
        return arrow::Status::OK();
      },
      [](cp::KernelContext* ctx, const cp::ExecSpan& batch) -> arrow::Status {
        // The last column holds the group ids.
        const size_t num_args = batch.values.size() - 1;
        return static_cast<CountState*>(ctx->state())
            ->Consume(batch, num_args, batch[static_cast<int>(num_args)].array.GetValues<uint32_t>(1));
      },
      [](cp::KernelContext* ctx, cp::KernelState&& other, const arrow::ArrayData& mapping) -> arrow::Status {
        static_cast<CountState*>(ctx->state())->Merge(std::move(checked_cast<CountState&>(other)),
                                                      mapping.GetValues<uint32_t>(1));
        return arrow::Status::OK();
      },
      [](cp::KernelContext* ctx, arrow::Datum* result) -> arrow::Status {
        ARROW_ASSIGN_OR_RAISE(auto array, static_cast<CountState*>(ctx->state())->Finish());
        *result = array;
        return arrow::Status::OK();
      },
      /*ordered=*/false);
  ARROW_RETURN_NOT_OK(hash->AddKernel(std::move(hash_kernel)));
  ARROW_RETURN_NOT_OK(registry->AddFunction(std::move(hash)));

  auto scalar = std::make_shared<cp::ScalarAggregateFunction>(name, cp::Arity::VarArgs(1), cp::FunctionDoc::Empty());
  cp::ScalarAggregateKernel scalar_kernel(
      cp::KernelSignature::Make({cp::InputType::Any()}, out, /*is_varargs=*/true),
      [](cp::KernelContext* ctx, const cp::KernelInitArgs& args) -> arrow::Result<std::unique_ptr<cp::KernelState>> {
        ARROW_ASSIGN_OR_RAISE(auto state, InitCount<kDistinct>(ctx, args));
        static_cast<CountState*>(state.get())->Resize(1);
        return state;
      },
      [](cp::KernelContext* ctx, const cp::ExecSpan& batch) -> arrow::Status {
        return static_cast<CountState*>(ctx->state())->Consume(batch, batch.values.size(), nullptr);
      },
      [](cp::KernelContext* ctx, cp::KernelState&& other, cp::KernelState* into) -> arrow::Status {
        static_cast<CountState*>(into)->Merge(std::move(checked_cast<CountState&>(other)), nullptr);
        return arrow::Status::OK();
      },
      [](cp::KernelContext* ctx, arrow::Datum* result) -> arrow::Status {
        ARROW_ASSIGN_OR_RAISE(auto array, static_cast<CountState*>(ctx->state())->Finish());
        ARROW_ASSIGN_OR_RAISE(auto value, array->GetScalar(0));
        *result = value;
        return arrow::Status::OK();
      },
      /*ordered=*/false);
  ARROW_RETURN_NOT_OK(scalar->AddKernel(std::move(scalar_kernel)));
  return registry->AddFunction(std::move(scalar));
}

}  // namespace

arrow::Status RegisterCountAggregateKernels(cp::FunctionRegistry* registry) {
  ARROW_RETURN_NOT_OK(RegisterCount<false>(registry, "tidelake_count_all_valid"));
  return RegisterCount<true>(registry, "tidelake_count_distinct_tuples");
}

}  // namespace tidelake::plan::internal
