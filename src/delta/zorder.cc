#include "delta/zorder.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <numeric>

namespace tidelake::delta {

namespace cp = arrow::compute;

arrow::Status CheckZOrderable(const std::string& column, const arrow::DataType& type) {
  using arrow::Type;
  switch (type.id()) {
    case Type::STRUCT:
    case Type::LIST:
    case Type::LARGE_LIST:
    case Type::LIST_VIEW:
    case Type::LARGE_LIST_VIEW:
    case Type::FIXED_SIZE_LIST:
    case Type::MAP:
    case Type::SPARSE_UNION:
    case Type::DENSE_UNION:
    case Type::NA:
      return arrow::Status::Invalid("cannot Z-order by column '", column, "' of type ", type.ToString(),
                                    ": its values have no order; Z-order by numeric, string, binary, boolean, "
                                    "decimal, date or timestamp columns");
    default:
      return arrow::Status::OK();
  }
}

arrow::Result<std::vector<uint32_t>> OrderPreservingKeys(const arrow::ChunkedArray& values) {
  std::vector<uint32_t> keys(static_cast<size_t>(values.length()), 0);
  if (values.length() == 0) return keys;
  std::shared_ptr<arrow::Array> array;
  if (values.num_chunks() == 1) {
    array = values.chunk(0);
  } else {
    ARROW_ASSIGN_OR_RAISE(array, arrow::Concatenate(values.chunks()));
  }
  cp::RankOptions options(cp::SortOrder::Ascending, cp::NullPlacement::AtStart, cp::RankOptions::Dense);
  ARROW_ASSIGN_OR_RAISE(auto ranked, cp::CallFunction("rank", {array}, &options));
  auto ranks = std::static_pointer_cast<arrow::UInt64Array>(ranked.make_array());
  uint64_t distinct = 0;
  for (int64_t i = 0; i < ranks->length(); ++i) distinct = std::max(distinct, ranks->Value(i));
  // Dense ranks 1..distinct become (rank - 1) * 2^32 / distinct: 0 for the smallest value,
  // spread evenly below 2^32 for the rest.
  for (int64_t i = 0; i < ranks->length(); ++i) {
    unsigned __int128 scaled = static_cast<unsigned __int128>(ranks->Value(i) - 1) << 32;
    keys[static_cast<size_t>(i)] = static_cast<uint32_t>(scaled / distinct);
  }
  return keys;
}

std::vector<uint32_t> InterleaveBits(const std::vector<std::vector<uint32_t>>& keys, int64_t num_rows) {
  const size_t n = keys.size();
  std::vector<uint32_t> z(static_cast<size_t>(num_rows) * n, 0);
  const size_t total_bits = 32 * n;
  for (int64_t r = 0; r < num_rows; ++r) {
    uint32_t* out = z.data() + static_cast<size_t>(r) * n;
    for (size_t k = 0; k < total_bits; ++k) {
      size_t column = k % n;
      uint32_t bit = (keys[column][static_cast<size_t>(r)] >> (31 - k / n)) & 1u;
      out[k / 32] |= bit << (31 - k % 32);
    }
  }
  return z;
}

arrow::Result<std::shared_ptr<arrow::UInt64Array>> ZOrderSortIndices(
    const std::vector<std::shared_ptr<arrow::ChunkedArray>>& columns) {
  if (columns.empty()) return arrow::Status::Invalid("Z-order needs at least one column");
  const int64_t num_rows = columns[0]->length();
  std::vector<std::vector<uint32_t>> keys;
  for (const auto& column : columns) {
    if (column->length() != num_rows) {
      return arrow::Status::Invalid("Z-order columns differ in length: ", column->length(), " vs ", num_rows);
    }
    ARROW_ASSIGN_OR_RAISE(auto k, OrderPreservingKeys(*column));
    keys.push_back(std::move(k));
  }
  const size_t n = keys.size();
  std::vector<uint32_t> z = InterleaveBits(keys, num_rows);
  std::vector<uint64_t> order(static_cast<size_t>(num_rows));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint64_t a, uint64_t b) {
    const uint32_t* za = z.data() + a * n;
    const uint32_t* zb = z.data() + b * n;
    return std::lexicographical_compare(za, za + n, zb, zb + n);
  });
  arrow::UInt64Builder builder;
  ARROW_RETURN_NOT_OK(builder.AppendValues(order));
  std::shared_ptr<arrow::UInt64Array> out;
  ARROW_RETURN_NOT_OK(builder.Finish(&out));
  return out;
}

}  // namespace tidelake::delta
