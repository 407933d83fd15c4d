#include "stream/generators/column_writers.h"

#include <arrow/memory_pool.h>

#include <algorithm>
#include <limits>

namespace tidelake::stream {

arrow::Status ValidityColumn::Init(int64_t length) {
  ARROW_ASSIGN_OR_RAISE(buffer_, arrow::AllocateBuffer((length + 7) / 8));
  bits_ = buffer_->mutable_data();
  std::memset(bits_, 0, static_cast<size_t>(buffer_->size()));
  length_ = length;
  valid_ = 0;
  return arrow::Status::OK();
}

std::shared_ptr<arrow::ArrayData> DecimalColumn::Finish(std::shared_ptr<arrow::DataType> type,
                                                        const ValidityColumn* validity) {
  auto words = words_.Finish(arrow::int64(), nullptr);
  return arrow::ArrayData::Make(std::move(type), words->length / 2, {validity ? validity->buffer() : nullptr, words->buffers[1]},
                                validity ? validity->null_count() : 0);
}

arrow::Status StringColumn::Init(int64_t length, int64_t expected_bytes) {
  ARROW_ASSIGN_OR_RAISE(offsets_buffer_, arrow::AllocateBuffer((length + 1) * static_cast<int64_t>(sizeof(int32_t))));
  offsets_ = reinterpret_cast<int32_t*>(offsets_buffer_->mutable_data());
  offsets_[0] = 0;
  capacity_ = std::max<int64_t>(expected_bytes, 64);
  ARROW_ASSIGN_OR_RAISE(data_buffer_, arrow::AllocateResizableBuffer(capacity_));
  data_ = data_buffer_->mutable_data();
  length_ = length;
  next_row_ = 0;
  size_ = 0;
  return arrow::Status::OK();
}

arrow::Status StringColumn::Grow(size_t more) {
  const int64_t needed = size_ + static_cast<int64_t>(more);
  if (needed > std::numeric_limits<int32_t>::max()) {
    return arrow::Status::CapacityError("a generated string column passed 2 GiB in one chunk; use fewer rows per chunk");
  }
  capacity_ = std::min<int64_t>(std::max(needed, 2 * capacity_), std::numeric_limits<int32_t>::max());
  ARROW_RETURN_NOT_OK(data_buffer_->Reserve(capacity_));
  data_ = data_buffer_->mutable_data();
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::ArrayData>> StringColumn::Finish(const ValidityColumn* validity) {
  Fill(length_);
  ARROW_RETURN_NOT_OK(data_buffer_->Resize(size_, /*shrink_to_fit=*/false));
  return arrow::ArrayData::Make(arrow::utf8(), length_, {validity ? validity->buffer() : nullptr, offsets_buffer_, data_buffer_},
                                validity ? validity->null_count() : 0);
}

}  // namespace tidelake::stream
