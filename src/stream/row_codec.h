// Rows of Arrow columns as byte strings, and back: the form keyed state takes in RocksDB
// (stream/keyed_rows.h), one key and one value per row.
//
// A row is its columns in order, each a validity byte (0: null, 1: valid) followed, when
// valid, by the value: its fixed-width bytes (little-endian; one byte for a boolean), or for
// strings and binaries its length (a varint) then its bytes. Lengths make the encoding of a row
// unambiguous, so two rows encode to the same bytes exactly when their values are equal. The
// key form is canonical besides: 0.0 and -0.0 encode alike, and so do all NaNs, as grouping
// treats them; the value form keeps every bit.
//
// Every flat type the engine's tables carry is supported; nested types (structs, lists, maps)
// and dictionaries are not, and Make says which column has one.
#pragma once

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tidelake::stream {

/// How one column is encoded.
struct ColumnCodec {
  enum class Kind { kNull, kBoolean, kFixed, kBinary, kLargeBinary };
  Kind kind = Kind::kNull;
  int width = 0;           ///< kFixed: bytes per value
  bool floating = false;   ///< kFixed: a float or double (canonical in keys)
};

/// Encodes rows of some columns of record batches with one schema.
class RowEncoder {
 public:
  /// The columns `columns` of `schema`, in that order; `canonical` for keys (see above).
  static arrow::Result<RowEncoder> Make(const arrow::Schema& schema, std::vector<int> columns, bool canonical);

  /// Appends the encoding of row `row` of `batch` to `out`.
  void Encode(const arrow::RecordBatch& batch, int64_t row, std::string* out) const;

 private:
  RowEncoder(std::vector<int> columns, std::vector<ColumnCodec> codecs, bool canonical)
      : columns_(std::move(columns)), codecs_(std::move(codecs)), canonical_(canonical) {}

  std::vector<int> columns_;
  std::vector<ColumnCodec> codecs_;
  bool canonical_;
};

/// Builds a table, with `schema`, from rows encoded by a RowEncoder of all its columns.
class RowDecoder {
 public:
  static arrow::Result<RowDecoder> Make(std::shared_ptr<arrow::Schema> schema);
  RowDecoder(RowDecoder&&) noexcept;
  RowDecoder& operator=(RowDecoder&&) noexcept;
  ~RowDecoder();

  /// Adds one row; fails, adding nothing, when `bytes` is not a row of this schema.
  arrow::Status Append(std::string_view bytes);
  int64_t num_rows() const;
  /// The rows added since the last Finish, in order.
  arrow::Result<std::shared_ptr<arrow::Table>> Finish();

 private:
  struct Columns;
  RowDecoder(std::shared_ptr<arrow::Schema> schema, std::unique_ptr<Columns> columns);

  std::shared_ptr<arrow::Schema> schema_;
  std::unique_ptr<Columns> columns_;
};

}  // namespace tidelake::stream
