#include "delta/deletion_vector.h"

#include <arrow/array.h>
#include <arrow/buffer.h>
#include <arrow/io/interfaces.h>
#include <arrow/util/bit_util.h>
#include <arrow/util/crc32.h>
#include <arrow/util/logging.h>
#include <roaring/roaring.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <random>
#include <utility>

#include "common/error.h"

namespace tidelake::delta {

namespace {

// ---------------------------------------------------------------------------------------------
// Z85 tables

constexpr char kZ85Alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

constexpr std::array<int8_t, 256> MakeZ85DecodeTable() {
  std::array<int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  for (int i = 0; i < 85; ++i)
    table[static_cast<uint8_t>(kZ85Alphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr std::array<int8_t, 256> kZ85Decode = MakeZ85DecodeTable();

// ---------------------------------------------------------------------------------------------
// Byte order helpers (the DV format mixes little endian inside the bitmap and big endian in the
// file framing, so every access spells out its order).

uint32_t LoadLE32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint64_t LoadLE64(const uint8_t* p) {
  return uint64_t{LoadLE32(p)} | uint64_t{LoadLE32(p + 4)} << 32;
}
uint32_t LoadBE32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}
void AppendLE32(std::vector<uint8_t>* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void AppendLE64(std::vector<uint8_t>* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void AppendBE32(std::vector<uint8_t>* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint32_t Crc32(const uint8_t* data, size_t size) { return arrow::internal::crc32(0, data, size); }

std::string Hex32(uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int i = 7; i >= 0; --i) out.push_back(kDigits[(v >> (4 * i)) & 0xF]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// UUIDs and paths

constexpr size_t kUuidZ85Length = 20;  // 16 bytes -> 20 Z85 characters

std::string UuidToString(const uint8_t* bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xF]);
  }
  return out;
}

std::array<uint8_t, 16> RandomUuidBytes() {
  // One generator per thread, seeded from the OS: no locking, no shared state.
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  std::array<uint8_t, 16> bytes;
  uint64_t high = generator();
  uint64_t low = generator();
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<uint8_t>(high >> (56 - 8 * i));
    bytes[8 + i] = static_cast<uint8_t>(low >> (56 - 8 * i));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return bytes;
}

std::string JoinPath(const std::string& base, std::string_view relative) {
  std::string out = base;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (relative.empty()) return out;
  if (!out.empty() && out.back() != '/') out.push_back('/');
  out.append(relative);
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a URI path; a '%' not followed by two hex digits is kept literally.
std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool HasUriScheme(std::string_view value) {
  size_t colon = value.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(value[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = value[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

// The local path of an absolute 'p' DV path: file:/p, file:///p and file://localhost/p.
arrow::Result<std::string> AbsolutePathFromUri(const std::string& value) {
  std::string_view v = value;
  if (v.rfind("file:", 0) == 0) {
    std::string_view rest = v.substr(5);
    if (rest.rfind("//", 0) == 0) {
      rest.remove_prefix(2);
      size_t slash = rest.find('/');
      std::string_view authority = rest.substr(0, slash);
      if (!authority.empty() && authority != "localhost") {
        return arrow::Status::Invalid("deletion vector path '", value, "' names the remote host '",
                                      authority, "'; only local file: URIs are supported");
      }
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    }
    if (rest.empty() || rest[0] != '/') {
      return arrow::Status::Invalid("deletion vector path '", value, "' is not an absolute URI");
    }
    return PercentDecode(rest);
  }
  if (HasUriScheme(v)) return value;  // s3://, abfss://, ...: the filesystem resolves it
  if (!v.empty() && v[0] == '/') return PercentDecode(v);
  return arrow::Status::Invalid("deletion vector with storageType 'p' has path '", value,
                                "', which is not an absolute path or URI");
}

// ---------------------------------------------------------------------------------------------
// Reading ranges of 32-bit buckets

// Calls visit(row) for each row of `bitmap` (whose rows start at `base`) in [first, end),
// in ascending order, reading values in batches.
template <typename Visit>
void VisitBucketRange(const roaring_bitmap_t* bitmap, uint64_t base, uint64_t first, uint64_t end,
                      Visit&& visit) {
  uint32_t low_start = first > base ? static_cast<uint32_t>(first - base) : 0;
  roaring_uint32_iterator_t it;
  roaring_init_iterator(bitmap, &it);
  if (!roaring_move_uint32_iterator_equalorlarger(&it, low_start)) return;
  constexpr uint32_t kBatch = 256;
  uint32_t batch[kBatch];
  while (true) {
    uint32_t n = roaring_read_uint32_iterator(&it, batch, kBatch);
    for (uint32_t i = 0; i < n; ++i) {
      uint64_t row = base + batch[i];
      if (row >= end) return;
      visit(row);
    }
    if (n < kBatch) return;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Z85

std::string Z85Encode(const uint8_t* data, size_t size) {
  std::string out;
  out.reserve((size + 3) / 4 * 5);
  for (size_t pos = 0; pos < size; pos += 4) {
    uint32_t value = 0;
    for (size_t i = 0; i < 4; ++i) {
      value = value << 8 | (pos + i < size ? data[pos + i] : 0);
    }
    char group[5];
    for (int i = 4; i >= 0; --i) {
      group[i] = kZ85Alphabet[value % 85];
      value /= 85;
    }
    out.append(group, 5);
  }
  return out;
}

arrow::Result<std::vector<uint8_t>> Z85Decode(std::string_view text) {
  if (text.size() % 5 != 0) {
    return arrow::Status::Invalid("Z85 text has ", text.size(),
                                  " characters, which is not a multiple of 5");
  }
  std::vector<uint8_t> out;
  out.reserve(text.size() / 5 * 4);
  for (size_t pos = 0; pos < text.size(); pos += 5) {
    uint64_t value = 0;
    for (size_t i = 0; i < 5; ++i) {
      int8_t digit = kZ85Decode[static_cast<uint8_t>(text[pos + i])];
      if (digit < 0) {
        return arrow::Status::Invalid("invalid Z85 character '", text[pos + i], "' at position ",
                                      pos + i);
      }
      value = value * 85 + static_cast<uint64_t>(digit);
    }
    if (value > std::numeric_limits<uint32_t>::max()) {
      return arrow::Status::Invalid("Z85 group '", text.substr(pos, 5), "' at position ", pos,
                                    " encodes a value above 2^32-1");
    }
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
  }
  return out;
}

arrow::Result<std::vector<uint8_t>> Z85Decode(std::string_view text, size_t size) {
  size_t expected_chars = (size + 3) / 4 * 5;
  if (text.size() != expected_chars) {
    return arrow::Status::Invalid("Z85 text has ", text.size(), " characters, but ", size,
                                  " bytes need ", expected_chars);
  }
  ARROW_ASSIGN_OR_RAISE(std::vector<uint8_t> bytes, Z85Decode(text));
  bytes.resize(size);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// DeletionVector

void DeletionVector::RoaringDeleter::operator()(roaring_bitmap_s* bitmap) const {
  roaring_bitmap_free(bitmap);
}

DeletionVector::DeletionVector() = default;
DeletionVector::~DeletionVector() = default;
DeletionVector::DeletionVector(DeletionVector&&) noexcept = default;
DeletionVector& DeletionVector::operator=(DeletionVector&&) noexcept = default;

DeletionVector::DeletionVector(const DeletionVector& other) {
  for (const auto& [key, bitmap] : other.buckets_) {
    buckets_.emplace(key, Bucket(roaring_bitmap_copy(bitmap.get())));
  }
}

DeletionVector& DeletionVector::operator=(const DeletionVector& other) {
  if (this != &other) {
    DeletionVector copy(other);
    *this = std::move(copy);
  }
  return *this;
}

DeletionVector DeletionVector::Of(const std::vector<uint64_t>& row_indexes) {
  DeletionVector dv;
  for (uint64_t row : row_indexes) dv.Add(row);
  return dv;
}

roaring_bitmap_s* DeletionVector::BucketFor(uint32_t key) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) it = buckets_.emplace(key, Bucket(roaring_bitmap_create())).first;
  return it->second.get();
}

void DeletionVector::Add(uint64_t row_index) {
  ARROW_DCHECK_LT(row_index, kMaxRowIndexExclusive);
  roaring_bitmap_add(BucketFor(static_cast<uint32_t>(row_index >> 32)),
                     static_cast<uint32_t>(row_index));
}

void DeletionVector::AddRange(uint64_t begin, uint64_t end) {
  ARROW_DCHECK_LE(end, kMaxRowIndexExclusive);
  while (begin < end) {
    uint64_t base = begin & ~uint64_t{0xFFFFFFFF};
    uint64_t bucket_end = std::min(end, base + (uint64_t{1} << 32));
    roaring_bitmap_add_range(BucketFor(static_cast<uint32_t>(begin >> 32)), begin - base,
                             bucket_end - base);
    begin = bucket_end;
  }
}

bool DeletionVector::Contains(uint64_t row_index) const {
  auto it = buckets_.find(static_cast<uint32_t>(row_index >> 32));
  return it != buckets_.end() &&
         roaring_bitmap_contains(it->second.get(), static_cast<uint32_t>(row_index));
}

uint64_t DeletionVector::Cardinality() const {
  uint64_t total = 0;
  for (const auto& [key, bitmap] : buckets_) total += roaring_bitmap_get_cardinality(bitmap.get());
  return total;
}

void DeletionVector::UnionWith(const DeletionVector& other) {
  for (const auto& [key, bitmap] : other.buckets_) {
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
      buckets_.emplace(key, Bucket(roaring_bitmap_copy(bitmap.get())));
    } else {
      roaring_bitmap_or_inplace(it->second.get(), bitmap.get());
    }
  }
}

void DeletionVector::ForEachImpl(bool (*fn)(uint64_t, void*), void* context) const {
  for (const auto& [key, bitmap] : buckets_) {
    uint64_t base = uint64_t{key} << 32;
    roaring_uint32_iterator_t it;
    roaring_init_iterator(bitmap.get(), &it);
    constexpr uint32_t kBatch = 256;
    uint32_t batch[kBatch];
    while (true) {
      uint32_t n = roaring_read_uint32_iterator(&it, batch, kBatch);
      for (uint32_t i = 0; i < n; ++i) {
        if (!fn(base + batch[i], context)) return;
      }
      if (n < kBatch) break;
    }
  }
}

std::vector<uint64_t> DeletionVector::ToVector() const {
  std::vector<uint64_t> rows;
  rows.reserve(Cardinality());
  ForEach([&rows](uint64_t row) { rows.push_back(row); });
  return rows;
}

int64_t DeletionVector::CountInRange(int64_t first_row, int64_t num_rows) const {
  if (num_rows <= 0 || first_row < 0) return 0;
  uint64_t first = static_cast<uint64_t>(first_row);
  uint64_t end = first + static_cast<uint64_t>(num_rows);
  int64_t count = 0;
  for (auto it = buckets_.lower_bound(static_cast<uint32_t>(first >> 32));
       it != buckets_.end() && (uint64_t{it->first} << 32) < end; ++it) {
    uint64_t base = uint64_t{it->first} << 32;
    uint64_t lo = first > base ? first - base : 0;
    uint64_t hi = std::min(end - base, uint64_t{1} << 32);
    count += static_cast<int64_t>(roaring_bitmap_range_cardinality(it->second.get(), lo, hi));
  }
  return count;
}

void DeletionVector::MarkDeleted(int64_t first_row, int64_t num_rows, uint8_t* is_deleted) const {
  if (num_rows <= 0 || first_row < 0) return;
  uint64_t first = static_cast<uint64_t>(first_row);
  uint64_t end = first + static_cast<uint64_t>(num_rows);
  for (auto it = buckets_.lower_bound(static_cast<uint32_t>(first >> 32));
       it != buckets_.end() && (uint64_t{it->first} << 32) < end; ++it) {
    VisitBucketRange(it->second.get(), uint64_t{it->first} << 32, first, end,
                     [&](uint64_t row) { is_deleted[row - first] = 1; });
  }
}

arrow::Result<std::shared_ptr<arrow::BooleanArray>> DeletionVector::KeepFilter(
    int64_t first_row, int64_t num_rows, arrow::MemoryPool* pool) const {
  if (first_row < 0 || num_rows < 0) {
    return arrow::Status::Invalid("KeepFilter: negative row range [", first_row, ", +", num_rows,
                                  ")");
  }
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> bits, arrow::AllocateBitmap(num_rows, pool));
  uint8_t* data = bits->mutable_data();
  arrow::bit_util::SetBitsTo(data, 0, num_rows, true);
  uint64_t first = static_cast<uint64_t>(first_row);
  uint64_t end = first + static_cast<uint64_t>(num_rows);
  for (auto it = buckets_.lower_bound(static_cast<uint32_t>(first >> 32));
       it != buckets_.end() && (uint64_t{it->first} << 32) < end; ++it) {
    VisitBucketRange(it->second.get(), uint64_t{it->first} << 32, first, end, [&](uint64_t row) {
      arrow::bit_util::ClearBit(data, static_cast<int64_t>(row - first));
    });
  }
  return std::make_shared<arrow::BooleanArray>(num_rows, std::move(bits));
}

std::vector<uint8_t> DeletionVector::Serialize() const {
  std::vector<uint8_t> out;
  AppendLE32(&out, kMagicNumber);
  AppendLE64(&out, buckets_.size());
  for (const auto& [key, bitmap] : buckets_) {
    ARROW_DCHECK_EQ(key & 0x80000000u, 0u);
    AppendLE32(&out, key);
    // Run-optimize a copy: Serialize is const and may run concurrently with other readers.
    Bucket optimized(roaring_bitmap_copy(bitmap.get()));
    roaring_bitmap_run_optimize(optimized.get());
    size_t size = roaring_bitmap_portable_size_in_bytes(optimized.get());
    size_t start = out.size();
    out.resize(start + size);
    size_t written =
        roaring_bitmap_portable_serialize(optimized.get(), reinterpret_cast<char*>(&out[start]));
    ARROW_DCHECK_EQ(written, size);
    out.resize(start + written);
  }
  return out;
}

arrow::Result<DeletionVector> DeletionVector::Deserialize(const uint8_t* data, size_t size) {
  // The magic number that Delta's in-memory ("native") RoaringBitmapArray serialization uses.
  constexpr uint32_t kNativeMagicNumber = 1681511376;
  if (size < 4) {
    return arrow::Status::Invalid("deletion vector is truncated: ", size,
                                  " bytes, too short for the 4-byte magic number");
  }
  uint32_t magic = LoadLE32(data);
  if (magic == kNativeMagicNumber) {
    return arrow::Status::Invalid(
        "deletion vector uses the native RoaringBitmapArray format "
        "(magic number ",
        magic,
        "), which the Delta protocol does not "
        "allow in tables; expected the portable format (magic number ",
        kMagicNumber, ")");
  }
  const uint32_t swapped = LoadBE32(data);
  if (swapped == kMagicNumber || swapped == kNativeMagicNumber) {
    // PROTOCOL.md's inline example 3 is such a DV: the native layout written big-endian. Spark
    // refuses it too (RoaringBitmapArray.readFrom reads a little-endian magic number).
    return arrow::Status::Invalid("deletion vector stores its magic number ", swapped,
                                  " big-endian (bytes ", Hex32(swapped),
                                  "); the protocol requires the little-endian portable format "
                                  "with magic number ",
                                  kMagicNumber);
  }
  if (magic != kMagicNumber) {
    return arrow::Status::Invalid("deletion vector has bad magic number ", magic, " (",
                                  Hex32(magic), "), expected ", kMagicNumber);
  }
  if (size < 12) {
    return arrow::Status::Invalid("deletion vector is truncated: ", size,
                                  " bytes, too short for the 8-byte bucket count at byte 4");
  }
  uint64_t num_buckets = LoadLE64(data + 4);
  size_t pos = 12;
  // Each bucket takes at least a 4-byte key and an 8-byte 32-bit bitmap header.
  if (num_buckets > (size - pos) / 12) {
    return arrow::Status::Invalid("deletion vector claims ", num_buckets,
                                  " buckets at byte 4, more than its ", size, " bytes can hold");
  }
  DeletionVector dv;
  int64_t previous_key = -1;
  for (uint64_t i = 0; i < num_buckets; ++i) {
    if (size - pos < 4) {
      return arrow::Status::Invalid("deletion vector is truncated at byte ", pos, ": bucket ", i,
                                    " of ", num_buckets, " has no key");
    }
    uint32_t key = LoadLE32(data + pos);
    if (key & 0x80000000u) {
      return arrow::Status::Invalid("deletion vector bucket key ", key, " at byte ", pos,
                                    " has its most significant bit set (row indexes >= 2^63)");
    }
    if (static_cast<int64_t>(key) <= previous_key) {
      return arrow::Status::Invalid("deletion vector bucket key ", key, " at byte ", pos,
                                    " is not greater than the previous key ", previous_key);
    }
    previous_key = key;
    pos += 4;
    const char* bitmap_data = reinterpret_cast<const char*>(data + pos);
    size_t bitmap_size = roaring_bitmap_portable_deserialize_size(bitmap_data, size - pos);
    Bucket bitmap;
    if (bitmap_size > 0) {
      bitmap.reset(roaring_bitmap_portable_deserialize_safe(bitmap_data, size - pos));
    }
    if (bitmap == nullptr) {
      return arrow::Status::Invalid("deletion vector bucket ", i, " (key ", key, ") at byte ", pos,
                                    " is not a valid 32-bit RoaringBitmap or is truncated (",
                                    size - pos, " bytes left)");
    }
    pos += bitmap_size;
    if (!roaring_bitmap_is_empty(bitmap.get())) dv.buckets_.emplace(key, std::move(bitmap));
  }
  if (pos != size) {
    return arrow::Status::Invalid("deletion vector has ", size - pos,
                                  " unexpected trailing bytes after its last bucket (byte ", pos,
                                  " of ", size, ")");
  }
  return dv;
}

bool DeletionVector::operator==(const DeletionVector& other) const {
  if (buckets_.size() != other.buckets_.size()) return false;
  for (auto a = buckets_.begin(), b = other.buckets_.begin(); a != buckets_.end(); ++a, ++b) {
    if (a->first != b->first || !roaring_bitmap_equals(a->second.get(), b->second.get())) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Storage


arrow::Result<std::string> AbsolutePath(const DeletionVectorDescriptor& descriptor,
                                        const std::string& table_root) {
  const std::string& value = descriptor.path_or_inline_dv;
  if (descriptor.storage_type == "u") {
    if (value.size() < kUuidZ85Length) {
      return arrow::Status::Invalid("deletion vector with storageType 'u' has pathOrInlineDv '",
                                    value, "' of ", value.size(),
                                    " characters; it must end in a 20-character Z85 UUID");
    }
    std::string_view prefix = std::string_view(value).substr(0, value.size() - kUuidZ85Length);
    std::string_view encoded = std::string_view(value).substr(value.size() - kUuidZ85Length);
    auto uuid = Z85Decode(encoded);
    if (!uuid.ok()) {
      return arrow::Status::Invalid(
          "deletion vector pathOrInlineDv '", value,
          "' does not end in a Z85-encoded UUID: ", uuid.status().message());
    }
    std::string file_name = "deletion_vector_" + UuidToString(uuid->data()) + ".bin";
    return JoinPath(JoinPath(table_root, prefix), file_name);
  }
  if (descriptor.storage_type == "p") return AbsolutePathFromUri(value);
  if (descriptor.storage_type == "i") {
    return arrow::Status::Invalid("an inline deletion vector (storageType 'i') has no file");
  }
  return arrow::Status::Invalid("unknown deletion vector storageType '", descriptor.storage_type,
                                "' (expected 'u', 'i' or 'p')");
}

namespace {

arrow::Status CheckCardinality(const DeletionVector& dv, const DeletionVectorDescriptor& descriptor,
                               const ErrorContext& context, const std::string& where) {
  if (dv.Cardinality() != static_cast<uint64_t>(descriptor.cardinality)) {
    return ErrorAt(arrow::StatusCode::Invalid, context,
                   where + " holds " + std::to_string(dv.Cardinality()) +
                       " rows, but its descriptor says cardinality " +
                       std::to_string(descriptor.cardinality));
  }
  return arrow::Status::OK();
}

arrow::Result<DeletionVector> LoadInline(const DeletionVectorDescriptor& descriptor) {
  const std::string where = "inline deletion vector '" + descriptor.path_or_inline_dv + "'";
  if (descriptor.size_in_bytes < 0) {
    return arrow::Status::Invalid(where, " has negative sizeInBytes ", descriptor.size_in_bytes);
  }
  auto bytes =
      Z85Decode(descriptor.path_or_inline_dv, static_cast<size_t>(descriptor.size_in_bytes));
  if (!bytes.ok()) return arrow::Status::Invalid(where, ": ", bytes.status().message());
  auto dv = DeletionVector::Deserialize(bytes->data(), bytes->size());
  if (!dv.ok()) return arrow::Status::Invalid(where, ": ", dv.status().message());
  ARROW_RETURN_NOT_OK(CheckCardinality(*dv, descriptor, ErrorContext{}, where));
  return dv;
}

}  // namespace

arrow::Result<DeletionVector> LoadDeletionVector(const DeletionVectorDescriptor& descriptor,
                                                 const std::string& table_root,
                                                 arrow::fs::FileSystem* fs) {
  if (descriptor.storage_type == "i") return LoadInline(descriptor);
  ARROW_ASSIGN_OR_RAISE(std::string path, AbsolutePath(descriptor, table_root));
  if (fs == nullptr) {
    return arrow::Status::Invalid("no filesystem given to read deletion vector file ", path);
  }
  if (HasUriScheme(path)) {
    ARROW_ASSIGN_OR_RAISE(path, fs->PathFromUri(path));
  }
  ErrorContext context;
  context.file = path;
  const int64_t offset = descriptor.offset.value_or(0);
  const std::string where = "deletion vector at offset " + std::to_string(offset);
  if (offset < 0) {
    return ErrorAt(arrow::StatusCode::Invalid, context,
                   "deletion vector has negative offset " + std::to_string(offset));
  }
  if (descriptor.size_in_bytes < 0) {
    return ErrorAt(arrow::StatusCode::Invalid, context,
                   where + " has negative sizeInBytes " + std::to_string(descriptor.size_in_bytes));
  }
  const int64_t size = descriptor.size_in_bytes;
  // The first DV of a file sits right after the version byte: read both in one request.
  const int64_t read_start = offset == 1 ? 0 : offset;
  const int64_t read_length = (offset - read_start) + 4 + size + 4;
  auto file = fs->OpenInputFile(path);
  if (!file.ok()) return AddContext(file.status(), context);
  auto buffer = (*file)->ReadAt(read_start, read_length);
  if (!buffer.ok()) return AddContext(buffer.status(), context);
  IgnoreError((*file)->Close());
  const uint8_t* bytes = (*buffer)->data();
  if ((*buffer)->size() < read_length) {
    return ErrorAt(arrow::StatusCode::Invalid, context,
                   where + " is truncated: it needs " + std::to_string(4 + size + 4) +
                       " bytes (size, " + std::to_string(size) +
                       " bytes of data, checksum), but the file ends at byte " +
                       std::to_string(read_start + (*buffer)->size()));
  }
  if (read_start != offset) {
    if (bytes[0] != 1) {
      return ErrorAt(arrow::StatusCode::NotImplemented, context,
                     "unsupported deletion vector file format version " + std::to_string(bytes[0]) +
                         " (only version 1 is known)");
    }
    bytes += offset - read_start;
  }
  uint32_t stored_size = LoadBE32(bytes);
  if (stored_size != static_cast<uint32_t>(size)) {
    return ErrorAt(arrow::StatusCode::Invalid, context,
                   where + ": the file says the DV has " + std::to_string(stored_size) +
                       " bytes, but the descriptor says sizeInBytes " + std::to_string(size));
  }
  const uint8_t* data = bytes + 4;
  uint32_t stored_crc = LoadBE32(data + size);
  uint32_t crc = Crc32(data, static_cast<size_t>(size));
  if (stored_crc != crc) {
    return ErrorAt(arrow::StatusCode::Invalid, context,
                   where + ": checksum mismatch (stored CRC-32 " + Hex32(stored_crc) +
                       ", computed " + Hex32(crc) + "); the file is corrupt");
  }
  auto dv = DeletionVector::Deserialize(data, static_cast<size_t>(size));
  if (!dv.ok()) {
    return ErrorAt(dv.status().code(), context, where + ": " + dv.status().message());
  }
  ARROW_RETURN_NOT_OK(CheckCardinality(*dv, descriptor, context, where));
  return dv;
}

std::vector<uint8_t> EncodeDeletionVectorFile(const std::vector<std::vector<uint8_t>>& dvs) {
  std::vector<uint8_t> out;
  out.push_back(1);  // format version
  for (const auto& data : dvs) {
    AppendBE32(&out, static_cast<uint32_t>(data.size()));
    out.insert(out.end(), data.begin(), data.end());
    AppendBE32(&out, Crc32(data.data(), data.size()));
  }
  return out;
}

arrow::Result<DeletionVectorDescriptor> WriteDeletionVectorFile(const DeletionVector& dv,
                                                                const std::string& table_root,
                                                                const std::string& random_prefix,
                                                                arrow::fs::FileSystem* fs) {
  for (char c : random_prefix) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      return arrow::Status::Invalid("deletion vector random prefix '", random_prefix,
                                    "' may only contain ASCII letters and digits");
    }
  }
  std::vector<uint8_t> data = dv.Serialize();
  if (data.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return arrow::Status::Invalid("deletion vector of ", data.size(),
                                  " bytes exceeds the 2 GiB sizeInBytes limit");
  }
  std::array<uint8_t, 16> uuid = RandomUuidBytes();
  std::string directory = JoinPath(table_root, random_prefix);
  std::string path = JoinPath(directory, "deletion_vector_" + UuidToString(uuid.data()) + ".bin");
  ErrorContext context;
  context.file = path;
  if (!random_prefix.empty()) {
    ARROW_RETURN_NOT_OK(AddContext(fs->CreateDir(directory, /*recursive=*/true), context));
  }
  std::vector<uint8_t> bytes = EncodeDeletionVectorFile({data});
  auto stream = fs->OpenOutputStream(path);
  if (!stream.ok()) return AddContext(stream.status(), context);
  ARROW_RETURN_NOT_OK(
      AddContext((*stream)->Write(bytes.data(), static_cast<int64_t>(bytes.size())), context));
  ARROW_RETURN_NOT_OK(AddContext((*stream)->Close(), context));

  DeletionVectorDescriptor descriptor;
  descriptor.storage_type = "u";
  descriptor.path_or_inline_dv = random_prefix + Z85Encode(uuid.data(), uuid.size());
  descriptor.offset = 1;
  descriptor.size_in_bytes = static_cast<int32_t>(data.size());
  descriptor.cardinality = static_cast<int64_t>(dv.Cardinality());
  return descriptor;
}

DeletionVectorDescriptor InlineDescriptor(const DeletionVector& dv) {
  std::vector<uint8_t> data = dv.Serialize();
  DeletionVectorDescriptor descriptor;
  descriptor.storage_type = "i";
  descriptor.path_or_inline_dv = Z85Encode(data);
  descriptor.size_in_bytes = static_cast<int32_t>(data.size());
  descriptor.cardinality = static_cast<int64_t>(dv.Cardinality());
  return descriptor;
}

}  // namespace tidelake::delta
