// Deletion vectors (PROTOCOL.md, "Deletion Vectors" and appendix "Deletion Vector Format"):
// the set of row indexes of a data file that are logically deleted.
//
// This header owns three things:
//  - the Z85 (Base85) codec Delta uses for inline DVs and for the UUIDs of 'u' paths;
//  - DeletionVector, a 64-bit row-index set stored as one CRoaring 32-bit bitmap per high
//    32-bit key ("bucket"), with the Delta serialization: magic number 1681511377 (little
//    endian) + the RoaringBitmap "portable" 64-bit format (bucket count as 8 bytes LE, then
//    per bucket in ascending key order a 4-byte LE key and a portable 32-bit RoaringBitmap);
//  - the storage of DVs: resolving a descriptor to a file ('u' UUID-relative paths, 'p'
//    absolute URIs), reading it (inline or from a DV file: version byte 1, then per DV a
//    big-endian size, the bitmap data and a big-endian CRC-32 of the data) and writing one.
//
// Invariants: a DeletionVector never holds an empty bucket, and every row index is below
// 2^63 (the protocol requires the most significant bit of each key to be 0, so Java readers
// never see negative keys). A DeletionVector is a value type; its const methods may be called
// from several threads at once. Errors about stored DVs name the file and the byte offset.
#pragma once

#include <arrow/filesystem/filesystem.h>
#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "delta/actions.h"

struct roaring_bitmap_s;  // CRoaring's roaring_bitmap_t

namespace tidelake::delta {

// ---------------------------------------------------------------------------------------------
// Z85

/// Encodes bytes as Z85. Z85 works on 4-byte groups, so like Delta we pad the input with zero
/// bytes up to a multiple of 4; the decoder needs the original size to drop them again.
std::string Z85Encode(const uint8_t* data, size_t size);
inline std::string Z85Encode(const std::vector<uint8_t>& bytes) {
  return Z85Encode(bytes.data(), bytes.size());
}

/// Decodes Z85 text whose length is a multiple of 5 (4 bytes per 5 characters). Errors name
/// the first bad character and its position.
arrow::Result<std::vector<uint8_t>> Z85Decode(std::string_view text);

/// Decodes Z85 text and keeps the first `size` bytes (dropping the encoder's zero padding).
/// Fails unless the text encodes between `size` and `size` + 3 bytes.
arrow::Result<std::vector<uint8_t>> Z85Decode(std::string_view text, size_t size);

// ---------------------------------------------------------------------------------------------
// DeletionVector

class DeletionVector {
 public:
  /// The magic number that starts a serialized DV (the RoaringBitmapArray portable format).
  static constexpr uint32_t kMagicNumber = 1681511377;
  /// Row indexes must be below this: the high 32-bit key of every row has a 0 top bit.
  static constexpr uint64_t kMaxRowIndexExclusive = uint64_t{1} << 63;

  DeletionVector();
  ~DeletionVector();
  DeletionVector(const DeletionVector& other);
  DeletionVector& operator=(const DeletionVector& other);
  DeletionVector(DeletionVector&&) noexcept;
  DeletionVector& operator=(DeletionVector&&) noexcept;

  static DeletionVector Of(const std::vector<uint64_t>& row_indexes);

  /// Marks a row deleted. `row_index` must be below kMaxRowIndexExclusive (checked in debug
  /// builds; row indexes come from our own readers, never from users).
  void Add(uint64_t row_index);
  /// Marks the rows [begin, end) deleted.
  void AddRange(uint64_t begin, uint64_t end);
  bool Contains(uint64_t row_index) const;
  /// The number of deleted rows.
  uint64_t Cardinality() const;
  bool IsEmpty() const { return buckets_.empty(); }
  /// Adds every row of `other` (set union, in place).
  void UnionWith(const DeletionVector& other);

  /// Calls fn(uint64_t row_index) for every deleted row in ascending order. If fn returns
  /// bool, returning false stops the iteration.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    auto trampoline = [](uint64_t row, void* context) -> bool {
      auto& f = *static_cast<std::remove_reference_t<Fn>*>(context);
      if constexpr (std::is_same_v<decltype(f(row)), bool>) {
        return f(row);
      } else {
        f(row);
        return true;
      }
    };
    ForEachImpl(trampoline, &fn);
  }
  /// All deleted rows in ascending order.
  std::vector<uint64_t> ToVector() const;

  /// The number of deleted rows among [first_row, first_row + num_rows).
  int64_t CountInRange(int64_t first_row, int64_t num_rows) const;
  /// For the rows [first_row, first_row + num_rows) of a file, sets is_deleted[i] = 1 when row
  /// first_row + i is deleted and leaves the other entries untouched (so masks can be ORed).
  /// Costs O(deleted rows in the range), not O(num_rows).
  void MarkDeleted(int64_t first_row, int64_t num_rows, uint8_t* is_deleted) const;
  /// A "keep" filter for the rows [first_row, first_row + num_rows): true where the row is not
  /// deleted, with no nulls, ready for arrow::compute::Filter.
  arrow::Result<std::shared_ptr<arrow::BooleanArray>> KeepFilter(
      int64_t first_row, int64_t num_rows,
      arrow::MemoryPool* pool = arrow::default_memory_pool()) const;

  /// The Delta serialization: magic number + portable 64-bit RoaringBitmap (see file comment).
  /// Containers are run-length optimized first, as Delta writers do.
  std::vector<uint8_t> Serialize() const;
  /// Parses Serialize()'s format. Fails with Invalid on a bad magic number, truncated data, a
  /// bucket key that is not ascending or has its top bit set, a malformed 32-bit bitmap, or
  /// trailing bytes; the message names the byte offset.
  static arrow::Result<DeletionVector> Deserialize(const uint8_t* data, size_t size);

  bool operator==(const DeletionVector& other) const;

 private:
  struct RoaringDeleter {
    void operator()(roaring_bitmap_s* bitmap) const;
  };
  using Bucket = std::unique_ptr<roaring_bitmap_s, RoaringDeleter>;

  roaring_bitmap_s* BucketFor(uint32_t key);
  void ForEachImpl(bool (*fn)(uint64_t, void*), void* context) const;

  std::map<uint32_t, Bucket> buckets_;  ///< high 32 bits -> low 32 bits; never empty
};

// ---------------------------------------------------------------------------------------------
// Storage

/// The file a 'u' or 'p' descriptor points to. For 'u', pathOrInlineDv is
/// <random prefix><20 Z85 characters of the UUID> and the file is
/// <table_root>/<prefix>/deletion_vector_<uuid>.bin (no prefix: directly under the root).
/// For 'p' the value is an absolute URI; file: URIs become local paths (percent-decoded) and
/// other URIs are returned unchanged. 'i' descriptors have no file: Invalid.
arrow::Result<std::string> AbsolutePath(const DeletionVectorDescriptor& descriptor,
                                        const std::string& table_root);

/// Loads the DV a descriptor describes: decodes an inline ('i') DV, or reads sizeInBytes of
/// bitmap data at `offset` of the DV file through `fs`, checking the big-endian size prefix
/// and the CRC-32. Checks that the DV's cardinality equals the descriptor's.
arrow::Result<DeletionVector> LoadDeletionVector(const DeletionVectorDescriptor& descriptor,
                                                 const std::string& table_root,
                                                 arrow::fs::FileSystem* fs);

/// Writes `dv` as a new DV file <table_root>/<random_prefix>/deletion_vector_<uuid>.bin with a
/// fresh random UUID, and returns its 'u' descriptor (offset 1: the DV follows the version
/// byte). random_prefix may be empty and must otherwise be ASCII letters and digits.
arrow::Result<DeletionVectorDescriptor> WriteDeletionVectorFile(const DeletionVector& dv,
                                                                const std::string& table_root,
                                                                const std::string& random_prefix,
                                                                arrow::fs::FileSystem* fs);

/// An inline ('i') descriptor holding `dv` Z85-encoded in the log itself.
DeletionVectorDescriptor InlineDescriptor(const DeletionVector& dv);

/// The bytes of a DV file holding the given serialized DVs (version byte, then per DV the
/// big-endian size, the data and its big-endian CRC-32). The first DV starts at offset 1.
std::vector<uint8_t> EncodeDeletionVectorFile(const std::vector<std::vector<uint8_t>>& dvs);

}  // namespace tidelake::delta
