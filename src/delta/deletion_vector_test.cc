#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

#include "delta/deletion_vector.h"

#include <arrow/array.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace tidelake::delta {
namespace {

const std::string kDeltaData = std::string(TIDELAKE_TESTDATA_DIR) + "/delta";
const std::string kDvSmall = kDeltaData + "/delta-rs/table-with-dv-small";
const std::string kDvKeyCases = kDeltaData + "/spark-golden/log-replay-dv-key-cases";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The deletionVector descriptors of the add actions in one commit file, parsed with simdjson.
std::vector<DeletionVectorDescriptor> AddDescriptors(const std::string& commit_path) {
  std::vector<DeletionVectorDescriptor> out;
  simdjson::dom::parser parser;
  std::istringstream lines(ReadAll(commit_path));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    simdjson::dom::element root;
    EXPECT_EQ(parser.parse(line).get(root), simdjson::SUCCESS) << line;
    simdjson::dom::object dv;
    if (root["add"]["deletionVector"].get(dv) != simdjson::SUCCESS) continue;
    DeletionVectorDescriptor d;
    std::string_view text;
    int64_t number = 0;
    EXPECT_EQ(dv["storageType"].get(text), simdjson::SUCCESS);
    d.storage_type = std::string(text);
    EXPECT_EQ(dv["pathOrInlineDv"].get(text), simdjson::SUCCESS);
    d.path_or_inline_dv = std::string(text);
    if (dv["offset"].get(number) == simdjson::SUCCESS) d.offset = static_cast<int32_t>(number);
    EXPECT_EQ(dv["sizeInBytes"].get(number), simdjson::SUCCESS);
    d.size_in_bytes = static_cast<int32_t>(number);
    EXPECT_EQ(dv["cardinality"].get(d.cardinality), simdjson::SUCCESS);
    out.push_back(d);
  }
  return out;
}

// A fresh directory under the system temp directory, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::random_device device;
    path_ = (std::filesystem::temp_directory_path() /
             ("tidelake_dv_test_" + std::to_string(device()) + std::to_string(device())))
                .string();
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<uint8_t> Bytes(std::string_view text) { return {text.begin(), text.end()}; }

// ---------------------------------------------------------------------------------------------
// Z85

TEST(Z85, MatchesTheZeroMqTestVector) {
  // The example from the Z85 specification (rfc.zeromq.org/spec/32).
  std::vector<uint8_t> bytes = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
  EXPECT_EQ(Z85Encode(bytes), "HelloWorld");
  auto decoded = Z85Decode("HelloWorld");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, bytes);
}

TEST(Z85, RoundTripsEveryLengthWithPadding) {
  std::mt19937 rng(42);
  for (size_t size = 0; size < 40; ++size) {
    std::vector<uint8_t> bytes(size);
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    std::string text = Z85Encode(bytes);
    EXPECT_EQ(text.size(), (size + 3) / 4 * 5) << size;
    auto decoded = Z85Decode(text, size);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, bytes) << size;
  }
  // All-0xFF input is the largest group value, 2^32-1.
  std::vector<uint8_t> ones(8, 0xFF);
  EXPECT_EQ(*Z85Decode(Z85Encode(ones)), ones);
}

TEST(Z85, RejectsBadInput) {
  auto bad_length = Z85Decode("abcd");
  ASSERT_FALSE(bad_length.ok());
  EXPECT_NE(bad_length.status().message().find("multiple of 5"), std::string::npos);

  auto bad_char = Z85Decode("abcde fghi");
  ASSERT_FALSE(bad_char.ok());
  EXPECT_NE(bad_char.status().message().find("position 5"), std::string::npos)
      << bad_char.status().ToString();

  // '#' is digit 84; "#####" is 85^5-1 > 2^32-1.
  auto overflow = Z85Decode("#####");
  ASSERT_FALSE(overflow.ok());
  EXPECT_NE(overflow.status().message().find("2^32"), std::string::npos);

  // Ten characters are 8 bytes; asking for 3 would need only 5 characters.
  EXPECT_FALSE(Z85Decode("HelloWorld", 3).ok());
  EXPECT_TRUE(Z85Decode("HelloWorld", 5).ok());
}

// ---------------------------------------------------------------------------------------------
// The PROTOCOL.md examples

TEST(DeletionVectorPaths, SpecExampleRelativePathWithRandomPrefix) {
  DeletionVectorDescriptor d{"u", "ab^-aqEH.-t@S}K{vb[*k^", 4, 40, 6};
  auto path = AbsolutePath(d, "s3://mytable");
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, "s3://mytable/ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
  EXPECT_EQ(*AbsolutePath(d, "s3://mytable/"), *path);
}

TEST(DeletionVectorPaths, NoPrefixPutsTheFileInTheRoot) {
  DeletionVectorDescriptor d{"u", "vBn[lx{q8@P<9BNH/isA", 1, 36, 2};
  EXPECT_EQ(*AbsolutePath(d, kDvSmall),
            kDvSmall + "/deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin");
}

TEST(DeletionVectorPaths, SpecExampleAbsolutePath) {
  DeletionVectorDescriptor d{
      "p", "s3://mytable/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin", 4, 40, 6};
  EXPECT_EQ(*AbsolutePath(d, "/ignored"), d.path_or_inline_dv);
}

TEST(DeletionVectorPaths, FileUrisBecomeLocalPaths) {
  DeletionVectorDescriptor d{"p", "file:/tmp/a%20b/deletion_vector_x.bin", 1, 36, 2};
  EXPECT_EQ(*AbsolutePath(d, ""), "/tmp/a b/deletion_vector_x.bin");
  d.path_or_inline_dv = "file:///tmp/x.bin";
  EXPECT_EQ(*AbsolutePath(d, ""), "/tmp/x.bin");
  d.path_or_inline_dv = "file://localhost/tmp/x.bin";
  EXPECT_EQ(*AbsolutePath(d, ""), "/tmp/x.bin");
  d.path_or_inline_dv = "file://otherhost/tmp/x.bin";
  auto remote = AbsolutePath(d, "");
  ASSERT_FALSE(remote.ok());
  EXPECT_NE(remote.status().message().find("otherhost"), std::string::npos);
  d.path_or_inline_dv = "relative/x.bin";
  EXPECT_FALSE(AbsolutePath(d, "").ok());
}

TEST(DeletionVectorPaths, RejectsBadDescriptors) {
  DeletionVectorDescriptor short_u{"u", "abc", 1, 36, 2};
  auto status = AbsolutePath(short_u, "/t").status();
  EXPECT_NE(status.message().find("20-character"), std::string::npos) << status.ToString();
  DeletionVectorDescriptor bad_z85{"u", "ab^-aqEH.-t@S}K{vb[*k ", 1, 36, 2};
  EXPECT_FALSE(AbsolutePath(bad_z85, "/t").ok());
  DeletionVectorDescriptor inline_dv{"i", "abcde", std::nullopt, 4, 0};
  EXPECT_FALSE(AbsolutePath(inline_dv, "/t").ok());
  DeletionVectorDescriptor unknown{"x", "abcde", 1, 4, 0};
  auto unknown_status = AbsolutePath(unknown, "/t").status();
  EXPECT_NE(unknown_status.message().find("'x'"), std::string::npos);
}

TEST(DeletionVectorInline, SpecExampleInline) {
  // PROTOCOL.md's example 3 decodes to 40 bytes, but they are RoaringBitmapArray's *native*
  // layout written big-endian (magic 1681511376 as 64 39 d3 d0, a bitmap count, a bitmap size,
  // then a 32-bit portable bitmap), not the little-endian portable format the same section
  // specifies; Spark's RoaringBitmapArray.readFrom refuses it. We follow the spec text and
  // refuse it with a precise message, and check the example's rows from its 32-bit bitmap.
  DeletionVectorDescriptor d{"i", "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L",
                             std::nullopt, 40, 6};
  auto bytes = Z85Decode(d.path_or_inline_dv, 40);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  ASSERT_EQ(bytes->size(), 40u);
  EXPECT_EQ((std::vector<uint8_t>(bytes->begin(), bytes->begin() + 12)),
            (std::vector<uint8_t>{0x64, 0x39, 0xd3, 0xd0, 0, 0, 0, 1, 0, 0, 0, 0x1c}));

  auto refused = LoadDeletionVector(d, "/unused", nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("big-endian"), std::string::npos)
      << refused.status().ToString();

  // Re-frame the example's 28-byte 32-bit bitmap in the portable format: magic (LE), one
  // bucket, key 0.
  std::vector<uint8_t> portable = {0xd1, 0xd3, 0x39, 0x64, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  portable.insert(portable.end(), bytes->begin() + 12, bytes->end());
  auto dv = DeletionVector::Deserialize(portable.data(), portable.size());
  ASSERT_TRUE(dv.ok()) << dv.status().ToString();
  EXPECT_EQ(dv->ToVector(), (std::vector<uint64_t>{3, 4, 7, 11, 18, 29}));
  // Our writer produces exactly these bytes for those rows.
  EXPECT_EQ(DeletionVector::Of({3, 4, 7, 11, 18, 29}).Serialize(), portable);
}

TEST(DeletionVectorInline, InlineDescriptorRoundTrips) {
  DeletionVector dv = DeletionVector::Of({1, 5, (uint64_t{7} << 32) + 3});
  DeletionVectorDescriptor d = InlineDescriptor(dv);
  EXPECT_EQ(d.storage_type, "i");
  EXPECT_FALSE(d.offset.has_value());
  EXPECT_EQ(d.cardinality, 3);
  EXPECT_EQ(static_cast<size_t>(d.size_in_bytes), dv.Serialize().size());
  auto loaded = LoadDeletionVector(d, "", nullptr);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, dv);

  d.cardinality = 4;
  auto wrong = LoadDeletionVector(d, "", nullptr);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("cardinality 4"), std::string::npos)
      << wrong.status().ToString();
}

// ---------------------------------------------------------------------------------------------
// The bitmap

TEST(DeletionVectorBitmap, AddContainsCardinalityAcrossBuckets) {
  DeletionVector dv;
  EXPECT_TRUE(dv.IsEmpty());
  const uint64_t big = uint64_t{1} << 32;
  dv.Add(7);
  dv.Add(big - 1);
  dv.Add(big);
  dv.Add(big * 5 + 123456789);
  dv.Add(7);  // duplicate
  EXPECT_EQ(dv.Cardinality(), 4u);
  EXPECT_TRUE(dv.Contains(big));
  EXPECT_TRUE(dv.Contains(big - 1));
  EXPECT_FALSE(dv.Contains(big + 1));
  EXPECT_FALSE(dv.Contains(8));
  EXPECT_FALSE(dv.Contains(big * 5 + 7));  // same low bits as 7, other bucket
  EXPECT_EQ(dv.ToVector(), (std::vector<uint64_t>{7, big - 1, big, big * 5 + 123456789}));
}

TEST(DeletionVectorBitmap, AddRangeSpansBuckets) {
  DeletionVector dv;
  const uint64_t big = uint64_t{1} << 32;
  dv.AddRange(big - 3, big + 2);
  EXPECT_EQ(dv.ToVector(), (std::vector<uint64_t>{big - 3, big - 2, big - 1, big, big + 1}));
  dv.AddRange(10, 10);  // empty range
  EXPECT_EQ(dv.Cardinality(), 5u);
}

TEST(DeletionVectorBitmap, UnionCopyAndEquality) {
  DeletionVector a = DeletionVector::Of({1, 2, uint64_t{3} << 32});
  DeletionVector b = DeletionVector::Of({2, 3, uint64_t{9} << 32});
  DeletionVector copy = a;
  a.UnionWith(b);
  EXPECT_EQ(a.ToVector(), (std::vector<uint64_t>{1, 2, 3, uint64_t{3} << 32, uint64_t{9} << 32}));
  // The copy is deep: a's union did not change it.
  EXPECT_EQ(copy.ToVector(), (std::vector<uint64_t>{1, 2, uint64_t{3} << 32}));
  EXPECT_FALSE(copy == a);
  copy.UnionWith(b);
  EXPECT_TRUE(copy == a);
  DeletionVector moved = std::move(copy);
  EXPECT_TRUE(moved == a);
}

TEST(DeletionVectorBitmap, ForEachStopsWhenAsked) {
  DeletionVector dv = DeletionVector::Of({1, 2, 3, 4, 5});
  std::vector<uint64_t> seen;
  dv.ForEach([&](uint64_t row) {
    seen.push_back(row);
    return row < 3;
  });
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3}));
}

TEST(DeletionVectorBitmap, MasksAndCountsForARowRange) {
  const uint64_t big = uint64_t{1} << 32;
  DeletionVector dv = DeletionVector::Of({0, 5, big - 2, big - 1, big, big + 5, big + 100});
  dv.AddRange(1000, 1000 + 70000);  // a run container, also crossing a 65536 container boundary
  // Range [big - 3, big + 7): a batch that straddles the 2^32 bucket boundary.
  const int64_t first = static_cast<int64_t>(big - 3);
  std::vector<uint8_t> deleted(10, 0);
  dv.MarkDeleted(first, 10, deleted.data());
  EXPECT_EQ(deleted, (std::vector<uint8_t>{0, 1, 1, 1, 0, 0, 0, 0, 1, 0}));
  EXPECT_EQ(dv.CountInRange(first, 10), 4);

  auto keep = dv.KeepFilter(first, 10);
  ASSERT_TRUE(keep.ok()) << keep.status().ToString();
  ASSERT_EQ((*keep)->length(), 10);
  EXPECT_EQ((*keep)->null_count(), 0);
  for (int64_t i = 0; i < 10; ++i) EXPECT_EQ((*keep)->Value(i), deleted[i] == 0) << i;

  // A range inside the run container, starting mid-run.
  std::vector<uint8_t> in_run(100, 0);
  dv.MarkDeleted(70950, 100, in_run.data());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(in_run[i], 70950 + i < 71000 ? 1 : 0) << i;
  EXPECT_EQ(dv.CountInRange(70950, 100), 50);
  EXPECT_EQ(dv.CountInRange(0, 10), 2);
  EXPECT_EQ(dv.CountInRange(6, 994), 0);
  EXPECT_EQ(dv.CountInRange(0, 0), 0);

  // MarkDeleted only sets entries; others stay as the caller left them.
  std::vector<uint8_t> preset(6, 7);
  dv.MarkDeleted(0, 6, preset.data());
  EXPECT_EQ(preset, (std::vector<uint8_t>{1, 7, 7, 7, 7, 1}));

  auto empty = DeletionVector().KeepFilter(0, 3);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)->true_count(), 3);
}

// ---------------------------------------------------------------------------------------------
// Serialization

TEST(DeletionVectorFormat, RoundTripsLargeAndMixedContainers) {
  DeletionVector dv;
  const uint64_t big = uint64_t{1} << 32;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) dv.Add(rng() % 200000);  // bitmap containers
  dv.AddRange(big * 3, big * 3 + 100000);                  // run containers
  dv.Add(big * 3 + 500000);                                // array container
  dv.Add((uint64_t{1} << 63) - 1);                         // the largest allowed row
  std::vector<uint8_t> bytes = dv.Serialize();
  // Magic number, little endian.
  ASSERT_GE(bytes.size(), 12u);
  EXPECT_EQ(bytes[0], 0xD1);
  EXPECT_EQ(bytes[1], 0xD3);
  EXPECT_EQ(bytes[2], 0x39);
  EXPECT_EQ(bytes[3], 0x64);
  EXPECT_EQ(bytes[4], 3);  // three buckets: keys 0, 3 and 2^31-1
  auto back = DeletionVector::Deserialize(bytes.data(), bytes.size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == dv);
  EXPECT_EQ(back->Cardinality(), dv.Cardinality());
  EXPECT_TRUE(back->Contains((uint64_t{1} << 63) - 1));
  EXPECT_TRUE(back->Contains(big * 3 + 99999));
  EXPECT_FALSE(back->Contains(big * 3 + 100000));

  DeletionVector empty;
  std::vector<uint8_t> empty_bytes = empty.Serialize();
  EXPECT_EQ(empty_bytes.size(), 12u);
  auto empty_back = DeletionVector::Deserialize(empty_bytes.data(), empty_bytes.size());
  ASSERT_TRUE(empty_back.ok());
  EXPECT_TRUE(empty_back->IsEmpty());
}

TEST(DeletionVectorFormat, SerializesByteForByteLikeSpark) {
  // The DV Databricks wrote for table-with-dv-small deletes rows 0 and 9; its bitmap bytes are
  // at [5, 41) of the file (after the version byte and the 4-byte size).
  std::string file =
      ReadAll(kDvSmall + "/deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin");
  ASSERT_EQ(file.size(), 45u);
  std::vector<uint8_t> expected(file.begin() + 5, file.begin() + 41);
  EXPECT_EQ(DeletionVector::Of({0, 9}).Serialize(), expected);
  EXPECT_EQ(EncodeDeletionVectorFile({expected}), Bytes(file));
}

TEST(DeletionVectorFormat, EveryTruncationFailsCleanly) {
  DeletionVector dv = DeletionVector::Of({1, 2, 70000, (uint64_t{1} << 32) + 4});
  dv.AddRange(300000, 400000);
  std::vector<uint8_t> bytes = dv.Serialize();
  for (size_t size = 0; size < bytes.size(); ++size) {
    auto result = DeletionVector::Deserialize(bytes.data(), size);
    EXPECT_FALSE(result.ok()) << "accepted a " << size << "-byte prefix of " << bytes.size();
  }
  auto short_status = DeletionVector::Deserialize(bytes.data(), 2).status();
  EXPECT_NE(short_status.message().find("truncated"), std::string::npos);
}

TEST(DeletionVectorFormat, RejectsMalformedData) {
  std::vector<uint8_t> good = DeletionVector::Of({1, (uint64_t{1} << 32) + 1}).Serialize();

  std::vector<uint8_t> bad_magic = good;
  bad_magic[0] ^= 0xFF;
  auto magic_status = DeletionVector::Deserialize(bad_magic.data(), bad_magic.size()).status();
  EXPECT_NE(magic_status.message().find("bad magic number"), std::string::npos)
      << magic_status.ToString();
  EXPECT_NE(magic_status.message().find("1681511377"), std::string::npos);

  std::vector<uint8_t> native = good;
  native[0] = 0xD0;  // 1681511376: Delta's in-memory format
  auto native_status = DeletionVector::Deserialize(native.data(), native.size()).status();
  EXPECT_NE(native_status.message().find("native"), std::string::npos);

  std::vector<uint8_t> trailing = good;
  trailing.push_back(0);
  auto trailing_status = DeletionVector::Deserialize(trailing.data(), trailing.size()).status();
  EXPECT_NE(trailing_status.message().find("trailing"), std::string::npos);

  std::vector<uint8_t> huge_count = good;
  huge_count[11] = 0x7F;
  auto count_status = DeletionVector::Deserialize(huge_count.data(), huge_count.size()).status();
  EXPECT_NE(count_status.message().find("buckets"), std::string::npos);

  // Bucket keys are at byte 12 (first) and, with a one-value array bitmap of 18 bytes after
  // each key, at byte 34 (second).
  std::vector<uint8_t> descending = good;
  ASSERT_EQ(descending[34], 1);
  descending[34] = 0;
  auto order_status = DeletionVector::Deserialize(descending.data(), descending.size()).status();
  EXPECT_NE(order_status.message().find("not greater"), std::string::npos)
      << order_status.ToString();

  std::vector<uint8_t> negative_key = good;
  negative_key[37] = 0x80;
  auto key_status = DeletionVector::Deserialize(negative_key.data(), negative_key.size()).status();
  EXPECT_NE(key_status.message().find("most significant bit"), std::string::npos)
      << key_status.ToString();

  std::vector<uint8_t> bad_cookie = good;
  bad_cookie[16] = 0x00;
  bad_cookie[17] = 0x00;
  auto cookie_status = DeletionVector::Deserialize(bad_cookie.data(), bad_cookie.size()).status();
  EXPECT_NE(cookie_status.message().find("RoaringBitmap"), std::string::npos)
      << cookie_status.ToString();
}

TEST(DeletionVectorFormat, RandomCorruptionNeverCrashes) {
  // Inline DVs are not checksummed, so Deserialize must survive arbitrary bytes. ASan checks our
  // own bounds checks; the system libroaring is not instrumented, so there only a crash shows.
  DeletionVector dv = DeletionVector::Of({1, 2, 70000, (uint64_t{1} << 32) + 4});
  dv.AddRange(300000, 400000);
  for (int i = 0; i < 3000; ++i) dv.Add(500000 + 7 * static_cast<uint64_t>(i));
  const std::vector<uint8_t> good = dv.Serialize();
  std::mt19937 rng(1234);
  int accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> bytes = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      // Mostly the headers, where a flip changes the structure rather than a value.
      size_t pos = rng() % 2 ? rng() % std::min<size_t>(bytes.size(), 64) : rng() % bytes.size();
      bytes[pos] = static_cast<uint8_t>(rng());
    }
    auto result = DeletionVector::Deserialize(bytes.data(), bytes.size());
    if (result.ok()) {
      ++accepted;
      EXPECT_EQ(result->ToVector().size(), result->Cardinality());
      (void)result->Serialize();
    }
  }
  SUCCEED() << accepted << " of 3000 mutations were still well-formed";
}

// ---------------------------------------------------------------------------------------------
// Real tables

TEST(DeletionVectorLoad, DatabricksTableWithDvSmall) {
  auto descriptors = AddDescriptors(kDvSmall + "/_delta_log/00000000000000000001.json");
  ASSERT_EQ(descriptors.size(), 1u);
  const DeletionVectorDescriptor& d = descriptors[0];
  EXPECT_EQ(d.storage_type, "u");
  EXPECT_EQ(d.cardinality, 2);
  arrow::fs::LocalFileSystem fs;
  auto dv = LoadDeletionVector(d, kDvSmall, &fs);
  ASSERT_TRUE(dv.ok()) << dv.status().ToString();
  EXPECT_EQ(dv->Cardinality(), 2u);
  std::vector<uint64_t> rows = dv->ToVector();
  for (uint64_t row : rows) EXPECT_LT(row, 10u);
  // The commit deleted "value IN (0, 9)" from a file holding 0..9 in order.
  EXPECT_EQ(rows, (std::vector<uint64_t>{0, 9}));
}

TEST(DeletionVectorLoad, SparkGoldenDvKeyCases) {
  // The same data file gets a new DV in v1, v2 and v3; each adds deletions to the previous one.
  arrow::fs::LocalFileSystem fs;
  std::vector<DeletionVector> by_version;
  for (int version = 1; version <= 3; ++version) {
    std::string commit =
        kDvKeyCases + "/_delta_log/0000000000000000000" + std::to_string(version) + ".json";
    auto descriptors = AddDescriptors(commit);
    ASSERT_EQ(descriptors.size(), 1u) << commit;
    auto dv = LoadDeletionVector(descriptors[0], kDvKeyCases, &fs);
    ASSERT_TRUE(dv.ok()) << dv.status().ToString();
    EXPECT_EQ(dv->Cardinality(), static_cast<uint64_t>(descriptors[0].cardinality));
    by_version.push_back(std::move(*dv));
  }
  EXPECT_EQ(by_version[0].Cardinality(), 1u);
  EXPECT_EQ(by_version[1].Cardinality(), 2u);
  EXPECT_EQ(by_version[2].Cardinality(), 3u);
  for (size_t i = 1; i < by_version.size(); ++i) {
    DeletionVector merged = by_version[i];
    merged.UnionWith(by_version[i - 1]);
    EXPECT_TRUE(merged == by_version[i]) << "v" << i + 1 << " does not contain v" << i;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing, and corrupt files

TEST(DeletionVectorWrite, WriteThenLoad) {
  TempDir dir;
  arrow::fs::LocalFileSystem fs;
  DeletionVector dv = DeletionVector::Of({0, 3, (uint64_t{1} << 32) + 17});
  dv.AddRange(100, 5000);
  for (const std::string prefix : {"", "ab"}) {
    auto d = WriteDeletionVectorFile(dv, dir.path(), prefix, &fs);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->storage_type, "u");
    EXPECT_EQ(d->offset, 1);
    EXPECT_EQ(d->cardinality, static_cast<int64_t>(dv.Cardinality()));
    EXPECT_EQ(d->path_or_inline_dv.size(), prefix.size() + 20);
    EXPECT_EQ(d->path_or_inline_dv.substr(0, prefix.size()), prefix);

    auto path = AbsolutePath(*d, dir.path());
    ASSERT_TRUE(path.ok());
    std::string name = std::filesystem::path(*path).filename().string();
    ASSERT_EQ(name.size(), std::string("deletion_vector_.bin").size() + 36) << name;
    EXPECT_EQ(name[16 + 14], '4') << "not a version 4 UUID: " << name;
    std::string expected_dir = prefix.empty() ? dir.path() : dir.path() + "/" + prefix;
    EXPECT_EQ(std::filesystem::path(*path).parent_path().string(), expected_dir);

    std::string file = ReadAll(*path);
    EXPECT_EQ(file.size(), 1u + 4 + static_cast<size_t>(d->size_in_bytes) + 4);
    EXPECT_EQ(file[0], 1);

    auto loaded = LoadDeletionVector(*d, dir.path(), &fs);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_TRUE(*loaded == dv);
  }
  EXPECT_FALSE(WriteDeletionVectorFile(dv, dir.path(), "a/b", &fs).ok());
}

TEST(DeletionVectorWrite, SecondDvInAFileByAbsolutePath) {
  TempDir dir;
  arrow::fs::LocalFileSystem fs;
  std::vector<uint8_t> first = DeletionVector::Of({1, 2, 3}).Serialize();
  DeletionVector second = DeletionVector::Of({42, uint64_t{5} << 32});
  std::vector<uint8_t> second_bytes = second.Serialize();
  std::vector<uint8_t> file = EncodeDeletionVectorFile({first, second_bytes});
  std::string path = dir.path() + "/dir with space/two.bin";
  std::filesystem::create_directories(dir.path() + "/dir with space");
  WriteAll(path, std::string(file.begin(), file.end()));

  DeletionVectorDescriptor d;
  d.storage_type = "p";
  d.path_or_inline_dv = "file://" + dir.path() + "/dir%20with%20space/two.bin";
  d.offset = static_cast<int32_t>(1 + 4 + first.size() + 4);
  d.size_in_bytes = static_cast<int32_t>(second_bytes.size());
  d.cardinality = 2;
  auto loaded = LoadDeletionVector(d, "/elsewhere", &fs);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(*loaded == second);
}

class CorruptDvFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin";
    original_ = ReadAll(kDvSmall + "/deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin");
    descriptor_ = {"u", "vBn[lx{q8@P<9BNH/isA", 1, 36, 2};
  }
  arrow::Status Load(const std::string& bytes) {
    WriteAll(path_, bytes);
    return LoadDeletionVector(descriptor_, dir_.path(), &fs_).status();
  }
  void ExpectError(const arrow::Status& status, const std::string& needle) {
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find(needle), std::string::npos) << status.ToString();
    EXPECT_NE(status.message().find(path_), std::string::npos) << status.ToString();
  }

  TempDir dir_;
  arrow::fs::LocalFileSystem fs_;
  std::string path_;
  std::string original_;
  DeletionVectorDescriptor descriptor_;
};

TEST_F(CorruptDvFileTest, IntactCopyLoads) { EXPECT_TRUE(Load(original_).ok()); }

TEST_F(CorruptDvFileTest, BadChecksum) {
  std::string bytes = original_;
  bytes[38] ^= 0x01;  // a data byte: the row value 0 becomes 256
  ExpectError(Load(bytes), "checksum mismatch");
  ExpectError(Load(bytes), "offset 1");
  bytes = original_;
  bytes[44] ^= 0x01;  // the stored checksum itself
  ExpectError(Load(bytes), "checksum mismatch");
}

TEST_F(CorruptDvFileTest, Truncated) {
  ExpectError(Load(original_.substr(0, 40)), "truncated");
  ExpectError(Load(original_.substr(0, 3)), "truncated");
}

TEST_F(CorruptDvFileTest, SizeMismatchAndVersion) {
  std::string bytes = original_;
  bytes[4] = 35;  // big-endian size prefix 36 -> 35
  ExpectError(Load(bytes), "sizeInBytes 36");
  bytes = original_;
  bytes[0] = 2;
  ExpectError(Load(bytes), "version 2");
}

TEST_F(CorruptDvFileTest, BadMagicWithValidChecksum) {
  // Recompute the framing so that only the magic number is wrong.
  std::vector<uint8_t> data(original_.begin() + 5, original_.begin() + 41);
  data[0] = 0x00;
  std::vector<uint8_t> file = EncodeDeletionVectorFile({data});
  ExpectError(Load(std::string(file.begin(), file.end())), "bad magic number");
}

TEST_F(CorruptDvFileTest, CardinalityMismatchAndMissingFile) {
  descriptor_.cardinality = 3;
  ExpectError(Load(original_), "cardinality 3");
  descriptor_.cardinality = 2;
  std::filesystem::remove(path_);
  auto missing = LoadDeletionVector(descriptor_, dir_.path(), &fs_).status();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find(path_), std::string::npos) << missing.ToString();
}

}  // namespace
}  // namespace tidelake::delta
