// Arrow columns written straight into their buffers, for the event generators, which build
// millions of rows a second: no builder call or Status per fixed-width value, strings appended
// to one growing data buffer, every byte written once. A chunk's writers are sized once for its
// rows; rows are set in increasing order; rows never set are zero (fixed width) or empty
// (strings), which is what the null slots of a column hold.
//
// The validity of a column is passed in when it is finished, so that the children of a struct
// column can share the struct's own bitmap (a field of a null struct reads as null too).
#pragma once

#include <arrow/array/data.h>
#include <arrow/buffer.h>
#include <arrow/result.h>
#include <arrow/type.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace tidelake::stream {

/// A validity bitmap; all rows start null.
class ValidityColumn {
 public:
  arrow::Status Init(int64_t length);
  void SetValid(int64_t row) {
    bits_[row >> 3] |= static_cast<uint8_t>(1u << (row & 7));
    ++valid_;
  }
  int64_t null_count() const { return length_ - valid_; }
  const std::shared_ptr<arrow::Buffer>& buffer() const { return buffer_; }

 private:
  std::shared_ptr<arrow::Buffer> buffer_;
  uint8_t* bits_ = nullptr;
  int64_t length_ = 0;
  int64_t valid_ = 0;
};

/// Fixed-width values of C type T (int32_t, int64_t...). Rows skipped are zeroed as later rows
/// are set (not all up front: that would write the memory twice).
template <typename T>
class FixedColumn {
 public:
  arrow::Status Init(int64_t length) {
    ARROW_ASSIGN_OR_RAISE(buffer_, arrow::AllocateBuffer(length * static_cast<int64_t>(sizeof(T))));
    values_ = reinterpret_cast<T*>(buffer_->mutable_data());
    length_ = length;
    next_row_ = 0;
    return arrow::Status::OK();
  }
  /// Sets row `row`, after every row set so far.
  void Set(int64_t row, T value) {
    if (row > next_row_) Zero(row);
    values_[row] = value;
    next_row_ = row + 1;
  }
  /// The column with `validity` (null: all valid).
  std::shared_ptr<arrow::ArrayData> Finish(std::shared_ptr<arrow::DataType> type, const ValidityColumn* validity) {
    Zero(length_);
    return arrow::ArrayData::Make(std::move(type), length_, {validity ? validity->buffer() : nullptr, buffer_},
                                  validity ? validity->null_count() : 0);
  }

 private:
  void Zero(int64_t row) {
    if (row > next_row_) std::memset(values_ + next_row_, 0, static_cast<size_t>(row - next_row_) * sizeof(T));
    next_row_ = row;
  }

  std::shared_ptr<arrow::Buffer> buffer_;
  T* values_ = nullptr;
  int64_t length_ = 0;
  int64_t next_row_ = 0;
};

/// decimal128 values, set from their unscaled integer.
class DecimalColumn {
 public:
  arrow::Status Init(int64_t length) { return words_.Init(2 * length); }
  void Set(int64_t row, int64_t unscaled) {
    words_.Set(2 * row, unscaled);                   // the low word (little-endian)
    words_.Set(2 * row + 1, unscaled < 0 ? -1 : 0);  // the high word: the sign
  }
  std::shared_ptr<arrow::ArrayData> Finish(std::shared_ptr<arrow::DataType> type, const ValidityColumn* validity);

 private:
  FixedColumn<int64_t> words_;
};

/// utf8 values.
class StringColumn {
 public:
  /// `expected_bytes` sizes the data buffer (it grows as needed).
  arrow::Status Init(int64_t length, int64_t expected_bytes);
  /// Sets row `row`, after every row set so far; the rows in between are empty.
  arrow::Status Set(int64_t row, std::string_view value) {
    ARROW_RETURN_NOT_OK(Begin(row, static_cast<int64_t>(value.size())));
    UncheckedAppend(value);
    End(row);
    return arrow::Status::OK();
  }
  /// Builds row `row` from pieces: Begin with room for at most `max_bytes`, UncheckedAppend
  /// up to that many bytes, End.
  arrow::Status Begin(int64_t row, int64_t max_bytes) {
    if (row > next_row_) Fill(row);
    if (size_ + max_bytes > capacity_) return Grow(static_cast<size_t>(max_bytes));
    return arrow::Status::OK();
  }
  void UncheckedAppend(std::string_view piece) {
    std::memcpy(data_ + size_, piece.data(), piece.size());
    size_ += static_cast<int64_t>(piece.size());
  }
  void End(int64_t row) {
    offsets_[row + 1] = static_cast<int32_t>(size_);
    next_row_ = row + 1;
  }
  arrow::Result<std::shared_ptr<arrow::ArrayData>> Finish(const ValidityColumn* validity);

 private:
  /// Rows [next_row_, row) are empty.
  void Fill(int64_t row) {
    for (int64_t r = next_row_; r < row; ++r) offsets_[r + 1] = static_cast<int32_t>(size_);
    next_row_ = row;
  }
  arrow::Status Grow(size_t more);

  std::shared_ptr<arrow::Buffer> offsets_buffer_;
  std::shared_ptr<arrow::ResizableBuffer> data_buffer_;
  int32_t* offsets_ = nullptr;
  uint8_t* data_ = nullptr;
  int64_t length_ = 0;
  int64_t next_row_ = 0;
  int64_t size_ = 0;
  int64_t capacity_ = 0;
};

}  // namespace tidelake::stream
