// Array and map kernels:
//   tidelake_size(list|map) -> int32; tidelake_array_contains(list, value) -> boolean
//   (Spark: NULL when not found and the array holds a NULL);
//   tidelake_element_at (1-based, negative from the end, error when out of range),
//   tidelake_try_element_at (NULL instead), tidelake_array_get (0-based, NULL when out of
//   range), tidelake_array_subscript (0-based, error when out of range): (list, int32);
//   tidelake_map_lookup(map, key) (NULL when absent); tidelake_make_array(values...) ->
//   list; tidelake_make_map(k1, v1, ...) -> map; tidelake_array_reverse(list);
//   tidelake_sort_array_asc (NULLs first) / tidelake_sort_array_desc (NULLs last) /
//   tidelake_array_sort (ascending, NULLs last): each array's elements sorted.
// Element comparisons run Arrow's "equal" over the flattened elements.

#include <arrow/array/builder_primitive.h>
#include <arrow/array/concatenate.h>
#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/util/checked_cast.h>

#include "plan/functions_internal.h"
#include "plan/kernels_common.h"

namespace tidelake::plan::internal {

namespace {

using arrow::internal::checked_cast;

// For each element position of `list` in [first, last): an equality of that element with the
// row's `value`, as a boolean array aligned with positions first..last-1.
arrow::Result<std::shared_ptr<arrow::BooleanArray>> ElementsEqual(const arrow::ListArray& list,
                                                                  const std::shared_ptr<arrow::Array>& elements,
                                                                  const std::shared_ptr<arrow::Array>& value,
                                                                  arrow::MemoryPool* pool) {
  const int64_t first = list.value_offset(0);
  const int64_t last = list.value_offset(list.length());
  arrow::Int64Builder parents(pool);
  ARROW_RETURN_NOT_OK(parents.Reserve(last - first));
  for (int64_t i = 0; i < list.length(); ++i) {
    for (int64_t j = list.value_offset(i); j < list.value_offset(i + 1); ++j) parents.UnsafeAppend(i);
  }
  ARROW_ASSIGN_OR_RAISE(auto parent_indices, parents.Finish());
  cp::ExecContext ctx(pool);
  ARROW_ASSIGN_OR_RAISE(arrow::Datum expanded, cp::Take(value, parent_indices, cp::TakeOptions::Defaults(), &ctx));
  auto slice = elements->Slice(first, last - first);
  ARROW_ASSIGN_OR_RAISE(arrow::Datum eq, cp::CallFunction("equal", {slice, expanded}, &ctx));
  return std::static_pointer_cast<arrow::BooleanArray>(eq.make_array());
}

arrow::Result<std::shared_ptr<arrow::Array>> Size(const KernelCall& call) {
  const arrow::Array& in = *call.args[0];
  arrow::Int32Builder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (in.IsNull(i)) builder.UnsafeAppendNull();
    else builder.UnsafeAppend(checked_cast<const arrow::ListArray&>(in).value_length(i));
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> ArrayContains(const KernelCall& call) {
  const auto& list = checked_cast<const arrow::ListArray&>(*call.args[0]);
  const auto& value = call.args[1];
  ARROW_ASSIGN_OR_RAISE(auto eq, ElementsEqual(list, list.values(), value, call.pool));
  const int64_t first = list.value_offset(0);
  arrow::BooleanBuilder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (list.IsNull(i) || value->IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    bool found = false, saw_null = false;
    for (int64_t j = list.value_offset(i); j < list.value_offset(i + 1) && !found; ++j) {
      if (eq->IsNull(j - first)) saw_null = true;
      else found = eq->Value(j - first);
    }
    if (found) builder.UnsafeAppend(true);
    else if (saw_null) builder.UnsafeAppendNull();
    else builder.UnsafeAppend(false);
  }
  return builder.Finish();
}

enum class IndexMode { kElementAt, kTryElementAt, kGet, kSubscript };

arrow::Result<std::shared_ptr<arrow::Array>> ArrayIndex(const KernelCall& call, IndexMode mode) {
  const auto& list = checked_cast<const arrow::ListArray&>(*call.args[0]);
  const auto& index = checked_cast<const arrow::Int32Array&>(*call.args[1]);
  arrow::Int64Builder positions(call.pool);
  ARROW_RETURN_NOT_OK(positions.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (list.IsNull(i) || index.IsNull(i)) {
      positions.UnsafeAppendNull();
      continue;
    }
    const int64_t n = list.value_length(i);
    const int64_t k = index.Value(i);
    int64_t pos = -1;  // 0-based position in the row, -1 when out of range
    if (mode == IndexMode::kElementAt || mode == IndexMode::kTryElementAt) {
      if (k == 0) {
        if (mode == IndexMode::kTryElementAt) {
          positions.UnsafeAppendNull();
          continue;
        }
        return arrow::Status::Invalid(
            "[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first element "
            "has index 1).");
      }
      pos = k > 0 ? (k <= n ? k - 1 : -1) : (-k <= n ? n + k : -1);
    } else {
      pos = k >= 0 && k < n ? k : -1;
    }
    if (pos < 0) {
      if (mode == IndexMode::kElementAt) {
        return arrow::Status::Invalid("[INVALID_ARRAY_INDEX_IN_ELEMENT_AT] The index ", k,
                                      " is out of bounds. The array has ", n,
                                      " elements. Use `try_element_at` to tolerate accessing element at invalid "
                                      "index and return NULL instead.");
      }
      if (mode == IndexMode::kSubscript) {
        return arrow::Status::Invalid("[INVALID_ARRAY_INDEX] The index ", k, " is out of bounds. The array has ", n,
                                      " elements. Use the SQL function `get()` to tolerate accessing element at "
                                      "invalid index and return NULL instead.");
      }
      positions.UnsafeAppendNull();
      continue;
    }
    positions.UnsafeAppend(list.value_offset(i) + pos);
  }
  ARROW_ASSIGN_OR_RAISE(auto indices, positions.Finish());
  cp::ExecContext ctx(call.pool);
  ARROW_ASSIGN_OR_RAISE(arrow::Datum out, cp::Take(list.values(), indices, cp::TakeOptions::Defaults(), &ctx));
  return out.make_array();
}

arrow::Result<std::shared_ptr<arrow::Array>> MapLookup(const KernelCall& call) {
  const auto& map = checked_cast<const arrow::MapArray&>(*call.args[0]);
  const auto& key = call.args[1];
  ARROW_ASSIGN_OR_RAISE(auto eq, ElementsEqual(map, map.keys(), key, call.pool));
  const int64_t first = map.value_offset(0);
  arrow::Int64Builder positions(call.pool);
  ARROW_RETURN_NOT_OK(positions.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    int64_t found = -1;
    if (!map.IsNull(i) && !key->IsNull(i)) {
      for (int64_t j = map.value_offset(i); j < map.value_offset(i + 1) && found < 0; ++j) {
        if (!eq->IsNull(j - first) && eq->Value(j - first)) found = j;
      }
    }
    if (found < 0) positions.UnsafeAppendNull();
    else positions.UnsafeAppend(found);
  }
  ARROW_ASSIGN_OR_RAISE(auto indices, positions.Finish());
  cp::ExecContext ctx(call.pool);
  ARROW_ASSIGN_OR_RAISE(arrow::Datum out, cp::Take(map.items(), indices, cp::TakeOptions::Defaults(), &ctx));
  return out.make_array();
}

// Interleaves n arrays of equal length: row i gets args[0][i], args[1][i], ...
arrow::Result<std::shared_ptr<arrow::Array>> Interleave(const std::vector<std::shared_ptr<arrow::Array>>& args,
                                                        size_t begin, size_t step, int64_t length,
                                                        arrow::MemoryPool* pool) {
  std::vector<std::shared_ptr<arrow::Array>> parts;
  for (size_t a = begin; a < args.size(); a += step) parts.push_back(args[a]);
  ARROW_ASSIGN_OR_RAISE(auto all, arrow::Concatenate(parts, pool));
  arrow::Int64Builder indices(pool);
  ARROW_RETURN_NOT_OK(indices.Reserve(length * static_cast<int64_t>(parts.size())));
  for (int64_t i = 0; i < length; ++i) {
    for (size_t p = 0; p < parts.size(); ++p) indices.UnsafeAppend(static_cast<int64_t>(p) * length + i);
  }
  ARROW_ASSIGN_OR_RAISE(auto idx, indices.Finish());
  cp::ExecContext ctx(pool);
  ARROW_ASSIGN_OR_RAISE(arrow::Datum out, cp::Take(all, idx, cp::TakeOptions::Defaults(), &ctx));
  return out.make_array();
}

arrow::Result<std::shared_ptr<arrow::Buffer>> EvenOffsets(int64_t length, int64_t per_row, arrow::MemoryPool* pool) {
  arrow::Int32Builder offsets(pool);
  ARROW_RETURN_NOT_OK(offsets.Reserve(length + 1));
  for (int64_t i = 0; i <= length; ++i) offsets.UnsafeAppend(static_cast<int32_t>(i * per_row));
  ARROW_ASSIGN_OR_RAISE(auto array, offsets.Finish());
  return array->data()->buffers[1];
}

arrow::Result<std::shared_ptr<arrow::Array>> MakeArray(const KernelCall& call) {
  const auto value_type = call.out_type->field(0)->type();
  std::shared_ptr<arrow::Array> values;
  if (call.args.empty()) {
    ARROW_ASSIGN_OR_RAISE(values, arrow::MakeEmptyArray(value_type, call.pool));
  } else {
    ARROW_ASSIGN_OR_RAISE(values, Interleave(call.args, 0, 1, call.length, call.pool));
  }
  ARROW_ASSIGN_OR_RAISE(auto offsets, EvenOffsets(call.length, static_cast<int64_t>(call.args.size()), call.pool));
  return std::make_shared<arrow::ListArray>(call.out_type, call.length, offsets, values);
}

arrow::Result<std::shared_ptr<arrow::Array>> MakeMap(const KernelCall& call) {
  const auto& map_type = checked_cast<const arrow::MapType&>(*call.out_type);
  std::shared_ptr<arrow::Array> keys, items;
  if (call.args.empty()) {
    ARROW_ASSIGN_OR_RAISE(keys, arrow::MakeEmptyArray(map_type.key_type(), call.pool));
    ARROW_ASSIGN_OR_RAISE(items, arrow::MakeEmptyArray(map_type.item_type(), call.pool));
  } else {
    ARROW_ASSIGN_OR_RAISE(keys, Interleave(call.args, 0, 2, call.length, call.pool));
    ARROW_ASSIGN_OR_RAISE(items, Interleave(call.args, 1, 2, call.length, call.pool));
  }
  if (keys->null_count() > 0) return arrow::Status::Invalid("[NULL_MAP_KEY] Cannot use null as map key.");
  ARROW_ASSIGN_OR_RAISE(auto offsets, EvenOffsets(call.length, static_cast<int64_t>(call.args.size() / 2), call.pool));
  return std::make_shared<arrow::MapArray>(call.out_type, call.length, offsets, keys, items);
}

arrow::Result<std::shared_ptr<arrow::Array>> ArrayReverse(const KernelCall& call) {
  const auto& list = checked_cast<const arrow::ListArray&>(*call.args[0]);
  arrow::Int64Builder indices(call.pool);
  arrow::Int32Builder offsets(call.pool);
  ARROW_RETURN_NOT_OK(offsets.Append(0));
  int32_t total = 0;
  for (int64_t i = 0; i < call.length; ++i) {
    if (!list.IsNull(i)) {
      for (int64_t j = list.value_offset(i + 1) - 1; j >= list.value_offset(i); --j) {
        ARROW_RETURN_NOT_OK(indices.Append(j));
        ++total;
      }
    }
    ARROW_RETURN_NOT_OK(offsets.Append(total));
  }
  ARROW_ASSIGN_OR_RAISE(auto idx, indices.Finish());
  ARROW_ASSIGN_OR_RAISE(auto offsets_array, offsets.Finish());
  cp::ExecContext ctx(call.pool);
  ARROW_ASSIGN_OR_RAISE(arrow::Datum values, cp::Take(list.values(), idx, cp::TakeOptions::Defaults(), &ctx));
  ARROW_ASSIGN_OR_RAISE(auto validity, LogicalNullBitmap(list, call.pool));
  return std::make_shared<arrow::ListArray>(call.out_type, call.length, offsets_array->data()->buffers[1],
                                            values.make_array(), validity, list.null_count());
}

// Sorts the elements of each array: one sort of all elements by (row, element).
arrow::Result<std::shared_ptr<arrow::Array>> SortArray(const KernelCall& call, bool ascending, bool nulls_first) {
  const auto& list = checked_cast<const arrow::ListArray&>(*call.args[0]);
  const int32_t first = list.value_offset(0);
  const int32_t count = list.value_offset(call.length) - first;
  auto elements = list.values()->Slice(first, count);
  arrow::Int32Builder rows(call.pool);
  arrow::Int32Builder offsets(call.pool);
  ARROW_RETURN_NOT_OK(rows.Reserve(count));
  ARROW_RETURN_NOT_OK(offsets.Reserve(call.length + 1));
  for (int64_t i = 0; i < call.length; ++i) {
    offsets.UnsafeAppend(list.value_offset(i) - first);
    for (int32_t j = list.value_offset(i); j < list.value_offset(i + 1); ++j) rows.UnsafeAppend(static_cast<int32_t>(i));
  }
  offsets.UnsafeAppend(count);
  ARROW_ASSIGN_OR_RAISE(auto row_array, rows.Finish());
  ARROW_ASSIGN_OR_RAISE(auto offsets_array, offsets.Finish());
  auto batch = arrow::RecordBatch::Make(
      arrow::schema({arrow::field("row", arrow::int32()), arrow::field("element", elements->type())}), count,
      {row_array, elements});
  const auto placement = nulls_first ? cp::NullPlacement::AtStart : cp::NullPlacement::AtEnd;
  cp::SortOptions options({cp::SortKey("row", cp::SortOrder::Ascending, placement),
                           cp::SortKey("element", ascending ? cp::SortOrder::Ascending : cp::SortOrder::Descending,
                                       placement)});
  cp::ExecContext ctx(call.pool);
  ARROW_ASSIGN_OR_RAISE(auto indices, cp::SortIndices(arrow::Datum(batch), options, &ctx));
  ARROW_ASSIGN_OR_RAISE(arrow::Datum sorted, cp::Take(elements, indices, cp::TakeOptions::Defaults(), &ctx));
  ARROW_ASSIGN_OR_RAISE(auto validity, LogicalNullBitmap(list, call.pool));
  return std::make_shared<arrow::ListArray>(call.out_type, call.length, offsets_array->data()->buffers[1],
                                            sorted.make_array(), validity, list.null_count());
}

arrow::Result<arrow::TypeHolder> ElementType(const std::vector<arrow::TypeHolder>& types, const cp::FunctionOptions*) {
  if (types[0].type->id() == arrow::Type::MAP) {
    return arrow::TypeHolder(checked_cast<const arrow::MapType&>(*types[0].type).item_type());
  }
  if (types[0].type->id() != arrow::Type::LIST) return arrow::Status::TypeError("not an array: ", types[0].type->ToString());
  return arrow::TypeHolder(types[0].type->field(0)->type());
}

}  // namespace

arrow::Status RegisterCollectionKernels(cp::FunctionRegistry* registry) {
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_size", cp::Arity::Unary(), FixedOutput(arrow::int32()), Size));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_array_contains", cp::Arity::Binary(),
                                     FixedOutput(arrow::boolean()), ArrayContains));
  const std::pair<const char*, IndexMode> modes[] = {{"tidelake_element_at", IndexMode::kElementAt},
                                                     {"tidelake_try_element_at", IndexMode::kTryElementAt},
                                                     {"tidelake_array_get", IndexMode::kGet},
                                                     {"tidelake_array_subscript", IndexMode::kSubscript}};
  for (const auto& [name, mode] : modes) {
    ARROW_RETURN_NOT_OK(RegisterKernel(registry, name, cp::Arity::Binary(), ElementType,
                                       [mode = mode](const KernelCall& c) { return ArrayIndex(c, mode); }));
  }
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_map_lookup", cp::Arity::Binary(), ElementType, MapLookup));
  ARROW_RETURN_NOT_OK(RegisterKernel(
      registry, "tidelake_make_array", cp::Arity::VarArgs(0),
      [](const std::vector<arrow::TypeHolder>& types, const cp::FunctionOptions*) -> arrow::Result<arrow::TypeHolder> {
        return arrow::TypeHolder(arrow::list(types.empty() ? arrow::null() : types[0].GetSharedPtr()));
      },
      MakeArray));
  ARROW_RETURN_NOT_OK(RegisterKernel(
      registry, "tidelake_make_map", cp::Arity::VarArgs(0),
      [](const std::vector<arrow::TypeHolder>& types, const cp::FunctionOptions*) -> arrow::Result<arrow::TypeHolder> {
        if (types.size() % 2 != 0) return arrow::Status::Invalid("map needs key/value pairs");
        if (types.empty()) return arrow::TypeHolder(arrow::map(arrow::null(), arrow::null()));
        return arrow::TypeHolder(arrow::map(types[0].GetSharedPtr(), types[1].GetSharedPtr()));
      },
      MakeMap));
  auto same_type = [](const std::vector<arrow::TypeHolder>& types,
                      const cp::FunctionOptions*) -> arrow::Result<arrow::TypeHolder> { return types[0]; };
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_sort_array_asc", cp::Arity::Unary(), same_type,
                                     [](const KernelCall& c) { return SortArray(c, true, true); }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_sort_array_desc", cp::Arity::Unary(), same_type,
                                     [](const KernelCall& c) { return SortArray(c, false, false); }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_array_sort", cp::Arity::Unary(), same_type,
                                     [](const KernelCall& c) { return SortArray(c, true, false); }));
  return RegisterKernel(registry, "tidelake_array_reverse", cp::Arity::Unary(), same_type, ArrayReverse);
}

}  // namespace tidelake::plan::internal
