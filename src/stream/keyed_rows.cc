#include "stream/keyed_rows.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/util/byte_size.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <numeric>
#include <string_view>

#include "common/uuid.h"
#include "stream/plan_rows.h"
#include "stream/row_codec.h"

namespace tidelake::stream {

namespace {

namespace cp = arrow::compute;
namespace fs = std::filesystem;

// Rows looked up or written per RocksDB call.
constexpr int64_t kChunkRows = 8192;
// Rows appended in memory are kept as the chunks they came in, up to this many.
constexpr int kMaxMemoryChunks = 64;

// A row's key in RocksDB: the order column first, if any (a validity byte, then the value's 8
// bytes big-endian with the sign bit flipped, so that RocksDB's byte order is the column's
// order and a scan from the start meets the earliest first), then the other key columns in
// row_codec's canonical form.
class KeyCodec {
 public:
  /// Over `columns` of `schema` (the key columns, in order); `order`: the position among them
  /// of the order column, a timestamp or 64-bit integer.
  static arrow::Result<KeyCodec> Make(const arrow::Schema& schema, const std::vector<int>& columns,
                                      std::optional<size_t> order) {
    std::vector<int> rest;
    std::optional<int> order_column;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (order && i == *order) {
        order_column = columns[i];
      } else {
        rest.push_back(columns[i]);
      }
    }
    if (order_column) {
      const auto id = schema.field(*order_column)->type()->id();
      if (id != arrow::Type::TIMESTAMP && id != arrow::Type::INT64) {
        return arrow::Status::Invalid("the order column of keyed state must be a timestamp, not ",
                                      schema.field(*order_column)->type()->ToString());
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto encoder, RowEncoder::Make(schema, std::move(rest), /*canonical=*/true));
    return KeyCodec(order_column, std::move(encoder));
  }

  void Encode(const arrow::RecordBatch& batch, int64_t row, std::string* out) const {
    if (order_) {
      const arrow::ArrayData& data = *batch.column_data(*order_);
      if (data.IsNull(row)) {
        out->push_back('\0');
      } else {
        out->push_back('\1');
        const uint64_t flipped = static_cast<uint64_t>(data.GetValues<int64_t>(1)[row]) ^ (uint64_t{1} << 63);
        for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((flipped >> shift) & 0xff));
      }
    }
    rest_.Encode(batch, row, out);
  }

  /// The key of every row of `rows`, in row order.
  arrow::Result<std::vector<std::string>> EncodeAll(const arrow::Table& rows) const {
    std::vector<std::string> keys;
    keys.reserve(static_cast<size_t>(rows.num_rows()));
    arrow::TableBatchReader reader(rows);
    std::shared_ptr<arrow::RecordBatch> batch;
    while (true) {
      ARROW_RETURN_NOT_OK(reader.ReadNext(&batch));
      if (!batch) return keys;
      for (int64_t row = 0; row < batch->num_rows(); ++row) Encode(*batch, row, &keys.emplace_back());
    }
  }

  /// The order column's value in an encoded key; nullopt when it is null.
  static std::optional<int64_t> Order(std::string_view key) {
    if (key.size() < 9 || key[0] != '\1') return std::nullopt;
    uint64_t flipped = 0;
    for (int i = 1; i <= 8; ++i) flipped = (flipped << 8) | static_cast<uint8_t>(key[i]);
    return static_cast<int64_t>(flipped ^ (uint64_t{1} << 63));
  }

 private:
  KeyCodec(std::optional<int> order, RowEncoder rest) : order_(order), rest_(std::move(rest)) {}

  std::optional<int> order_;
  RowEncoder rest_;
};

// RocksDB's block cache, shared by every database of the process (it holds the state files'
// blocks read lately: the operators' lookups of the keys they meet again).
constexpr size_t kBlockCacheBytes = size_t{256} << 20;

// Keys are read and written in order: RocksDB then meets them in the order of its memtable and
// files, so a write resumes where the last one went in its memtable's skip list, and reads
// of neighbouring keys share the blocks they read.
// The positions of `keys` in key order; equal keys keep theirs (the last of them is written
// last). The sort compares the keys' first 16 bytes, copied beside the positions, and reads the
// keys themselves only when those are equal.
std::vector<uint32_t> OrderOf(const std::vector<std::string>& keys) {
  struct Entry {
    uint64_t high, low;  // the key's first 16 bytes, big-endian, zero-padded
    uint32_t position;
  };
  auto word = [](const std::string& key, size_t at) {
    uint64_t w = 0;
    for (size_t i = at; i < at + 8; ++i) w = (w << 8) | (i < key.size() ? static_cast<uint8_t>(key[i]) : 0u);
    return w;
  };
  std::vector<Entry> entries(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) entries[i] = {word(keys[i], 0), word(keys[i], 8), static_cast<uint32_t>(i)};
  std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    if (a.high != b.high) return a.high < b.high;
    if (a.low != b.low) return a.low < b.low;
    const int c = keys[a.position].compare(keys[b.position]);
    return c != 0 ? c < 0 : a.position < b.position;
  });
  std::vector<uint32_t> order(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) order[i] = entries[i].position;
  return order;
}

arrow::Status FromRocks(const rocksdb::Status& status, const std::string& what) {
  if (status.ok()) return arrow::Status::OK();
  return arrow::Status::IOError("the RocksDB state store failed to ", what, ": ", status.ToString());
}

// A new working directory under `root`, after removing those of processes that are gone (a
// query killed while its state was in RocksDB leaves its directory behind).
arrow::Result<std::string> NewWorkDir(const std::string& root) {
  static std::atomic<int64_t> counter{0};
  std::error_code error;
  fs::create_directories(root, error);
  if (error) return arrow::Status::IOError("cannot create the state directory ", root, ": ", error.message());
  for (const auto& entry : fs::directory_iterator(root, error)) {
    const std::string name = entry.path().filename().string();
    const auto dash = name.find('-');
    if (dash == std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::strtol(name.substr(0, dash).c_str(), nullptr, 10));
    if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), error);
  }
  const std::string dir = root + "/" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                          RandomUuid().substr(0, 8);
  fs::create_directories(dir, error);
  if (error) return arrow::Status::IOError("cannot create the state directory ", dir, ": ", error.message());
  return dir;
}

// The rows of `table` where `mask` is true.
arrow::Result<std::shared_ptr<arrow::Table>> Where(const std::shared_ptr<arrow::Table>& table, const arrow::Datum& mask) {
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(table, mask));
  return kept.table();
}

// The rows of `table` whose timestamp column `column` is at or after `time`, or null.
arrow::Result<arrow::Datum> AtOrAfter(const arrow::Table& table, const std::string& column, int64_t time) {
  auto values = table.GetColumnByName(column);
  if (values == nullptr || values->type()->id() != arrow::Type::TIMESTAMP) {
    return arrow::Status::Invalid("keyed state has no timestamp column '", column, "'");
  }
  ARROW_ASSIGN_OR_RAISE(auto ahead, cp::CallFunction("greater_equal", {values, std::make_shared<arrow::TimestampScalar>(
                                                                                 time, values->type())}));
  ARROW_ASSIGN_OR_RAISE(auto null, cp::CallFunction("is_null", {values}));
  return cp::CallFunction("or_kleene", {ahead, null});
}

}  // namespace

KeyedRows::KeyedRows(std::shared_ptr<arrow::Schema> schema, std::vector<std::string> keys,
                     std::shared_ptr<StateBudget> budget, exec::ExecOptions options, std::string order, bool unique)
    : schema_(std::move(schema)),
      keys_(std::move(keys)),
      unique_(unique),
      order_(std::move(order)),
      budget_(std::move(budget)),
      options_(options) {
  if (!budget_) budget_ = std::make_shared<StateBudget>();
  for (size_t i = 0; i < keys_.size(); ++i) {
    key_indices_.push_back(schema_->GetFieldIndex(keys_[i]));
    if (!order_.empty() && keys_[i] == order_) order_position_ = i;
  }
}

arrow::Result<std::shared_ptr<arrow::Table>> KeyedRows::AllRows() const {
  if (!db_) return memory_.rows ? memory_.rows : arrow::Table::MakeEmpty(schema_);
  ARROW_ASSIGN_OR_RAISE(auto decoder, RowDecoder::Make(schema_));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ARROW_RETURN_NOT_OK(decoder.Append(std::string_view(it->value().data(), it->value().size())));
  }
  ARROW_RETURN_NOT_OK(FromRocks(it->status(), "read the state rows"));
  return decoder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Table>> KeyedRows::TakeAll() {
  ARROW_ASSIGN_OR_RAISE(auto rows, AllRows());
  CloseDatabase();
  db_rows_ = 0;
  db_checkpoint_.clear();
  memory_.rows = nullptr;
  Account();
  return rows;
}

arrow::Status KeyedRows::ReplaceAll(const std::shared_ptr<arrow::Table>& rows) {
  if (db_) return arrow::Status::Invalid("keyed state in RocksDB is not replaced whole");
  memory_.rows = rows;
  Account();
  if (budget_->memory_bytes >= 0 && budget_->used_bytes > budget_->memory_bytes) return MoveToRocksDb();
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> KeyedRows::Through(int64_t time, bool take) {
  if (!order_position_) return arrow::Status::Invalid("keyed state without an order column is not read in order");
  if (num_rows() == 0) return arrow::Table::MakeEmpty(schema_);
  if (!db_) {
    auto values = memory_.rows->GetColumnByName(order_);
    ARROW_ASSIGN_OR_RAISE(auto bound, arrow::MakeScalar(values->type(), time));
    ARROW_ASSIGN_OR_RAISE(auto at_or_before, cp::CallFunction("less_equal", {values, bound}));
    ARROW_ASSIGN_OR_RAISE(auto taken, cp::CallFunction("coalesce", {at_or_before, arrow::Datum(false)}));
    ARROW_ASSIGN_OR_RAISE(auto rows, Where(memory_.rows, taken));
    if (take) {
      ARROW_ASSIGN_OR_RAISE(auto kept, cp::CallFunction("invert", {taken}));
      ARROW_ASSIGN_OR_RAISE(auto rest, Where(memory_.rows, kept));
      ARROW_ASSIGN_OR_RAISE(memory_.rows, rest->CombineChunks());
      Account();
    }
    return rows;
  }
  // The keys start with the order column: a scan from the start meets the rows wanted first.
  ARROW_ASSIGN_OR_RAISE(auto decoder, RowDecoder::Make(schema_));
  rocksdb::WriteBatch deletes;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    const auto order = KeyCodec::Order(key);
    if (!order) continue;  // a null is not at or before any time
    if (*order > time) break;
    ARROW_RETURN_NOT_OK(decoder.Append(std::string_view(it->value().data(), it->value().size())));
    if (take) ARROW_RETURN_NOT_OK(FromRocks(deletes.Delete(it->key()), "delete a state row"));
  }
  ARROW_RETURN_NOT_OK(FromRocks(it->status(), "read the state rows"));
  it.reset();
  if (deletes.Count() > 0) {
    rocksdb::WriteOptions write;
    write.disableWAL = true;  // a checkpoint flushes; a crash restarts from the last checkpoint
    ARROW_RETURN_NOT_OK(FromRocks(db_->Write(write, &deletes), "delete state rows"));
    db_rows_ -= deletes.Count();
    db_changed_ = true;
  }
  return decoder.Finish();
}

KeyedRows::~KeyedRows() {
  budget_->used_bytes -= memory_bytes_;
  CloseDatabase();
}

int64_t KeyedRows::num_rows() const { return db_ ? db_rows_ : memory_.num_rows(); }

void KeyedRows::Account() {
  const int64_t bytes = memory_.rows ? arrow::util::TotalBufferSize(*memory_.rows) : 0;
  budget_->used_bytes += bytes - memory_bytes_;
  memory_bytes_ = bytes;
}

arrow::Result<std::shared_ptr<arrow::Table>> KeyedRows::Lookup(const std::shared_ptr<arrow::Table>& probe,
                                                                const std::vector<std::string>& probe_keys) {
  if (probe_keys.size() != keys_.size()) {
    return arrow::Status::Invalid("a keyed state lookup gives ", probe_keys.size(), " keys for ", keys_.size());
  }
  if (num_rows() == 0 || probe->num_rows() == 0) return arrow::Table::MakeEmpty(schema_);
  if (keys_.empty()) {  // every row matches
    if (!db_) return memory_.rows;
  } else if (!db_) {
    return RowsByKeys(memory_.rows, schema_, keys_, probe, probe->schema(), probe_keys, /*matching=*/true, options_);
  }

  std::vector<int> probe_indices;
  for (size_t i = 0; i < probe_keys.size(); ++i) {
    const int index = probe->schema()->GetFieldIndex(probe_keys[i]);
    if (index < 0 || !probe->schema()->field(index)->type()->Equals(schema_->field(key_indices_[i])->type())) {
      return arrow::Status::Invalid("a keyed state lookup by '", probe_keys[i], "' does not match key '", keys_[i],
                                    "' of type ", schema_->field(key_indices_[i])->type()->ToString());
    }
    probe_indices.push_back(index);
  }
  ARROW_ASSIGN_OR_RAISE(auto encoder, KeyCodec::Make(*probe->schema(), probe_indices, order_position_));
  ARROW_ASSIGN_OR_RAISE(auto decoder, RowDecoder::Make(schema_));
  // The probe's distinct keys, in order.
  ARROW_ASSIGN_OR_RAISE(std::vector<std::string> keys, encoder.EncodeAll(*probe));
  std::vector<rocksdb::Slice> sorted;  // each key once
  for (uint32_t i : OrderOf(keys)) {
    if (sorted.empty() || sorted.back() != rocksdb::Slice(keys[i])) sorted.emplace_back(keys[i]);
  }
  if (!unique_) {
    ARROW_RETURN_NOT_OK(ScanPrefixes(sorted, &decoder));
    return decoder.Finish();
  }
  std::vector<rocksdb::PinnableSlice> values;
  std::vector<rocksdb::Status> statuses;
  for (size_t begin = 0; begin < sorted.size(); begin += kChunkRows) {
    const size_t n = std::min(sorted.size() - begin, static_cast<size_t>(kChunkRows));
    const rocksdb::Slice* slices = sorted.data() + begin;
    values.resize(n);
    statuses.resize(n);
    db_->MultiGet(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), n, slices, values.data(), statuses.data(),
                  /*sorted_input=*/true);
    for (size_t i = 0; i < n; ++i) {
      if (statuses[i].IsNotFound()) continue;
      ARROW_RETURN_NOT_OK(FromRocks(statuses[i], "read state rows"));
      ARROW_RETURN_NOT_OK(decoder.Append(std::string_view(values[i].data(), values[i].size())));
      values[i].Reset();
    }
  }
  return decoder.Finish();
}

arrow::Status KeyedRows::Append(const std::shared_ptr<arrow::Table>& rows) {
  if (unique_) return arrow::Status::Invalid("keyed state with one row per key takes upserts, not appends");
  if (rows->num_rows() == 0) return arrow::Status::OK();
  if (db_) return Put(rows, /*count_new=*/false);
  ARROW_ASSIGN_OR_RAISE(memory_.rows, AppendRows(memory_.rows, rows));
  // A chunk per append; copied into one now and then, so that their number stays small.
  if (memory_.rows->num_columns() > 0 && memory_.rows->column(0)->num_chunks() > kMaxMemoryChunks) {
    ARROW_ASSIGN_OR_RAISE(memory_.rows, memory_.rows->CombineChunks());
  }
  Account();
  if (budget_->memory_bytes >= 0 && budget_->used_bytes > budget_->memory_bytes) return MoveToRocksDb();
  return arrow::Status::OK();
}

arrow::Status KeyedRows::ReplaceGroups(const std::shared_ptr<arrow::Table>& rows) {
  if (unique_) return arrow::Status::Invalid("keyed state with one row per key takes upserts, not group replacements");
  if (rows->num_rows() == 0) return arrow::Status::OK();
  if (!db_) {
    return ReplaceKeysInMemory(rows);
  }
  // Delete every row of the groups' keys (each key once, in order), then write the new rows.
  ARROW_ASSIGN_OR_RAISE(auto encoder, KeyCodec::Make(*schema_, key_indices_, order_position_));
  ARROW_ASSIGN_OR_RAISE(std::vector<std::string> keys, encoder.EncodeAll(*rows));
  rocksdb::WriteBatch deletes;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    const std::string* previous = nullptr;
    for (uint32_t i : OrderOf(keys)) {
      const std::string& prefix = keys[i];
      if (previous != nullptr && *previous == prefix) continue;
      previous = &prefix;
      // A key is the prefix, then its 8-byte sequence number: exactly one group's rows.
      for (it->Seek(prefix); it->Valid(); it->Next()) {
        const rocksdb::Slice key = it->key();
        if (key.size() != prefix.size() + 8 || !key.starts_with(prefix)) break;
        ARROW_RETURN_NOT_OK(FromRocks(deletes.Delete(key), "delete a state row"));
        --db_rows_;
      }
      ARROW_RETURN_NOT_OK(FromRocks(it->status(), "read state rows"));
    }
  }
  if (deletes.Count() > 0) {
    rocksdb::WriteOptions write;
    write.disableWAL = true;  // a checkpoint flushes; a crash restarts from the last checkpoint
    ARROW_RETURN_NOT_OK(FromRocks(db_->Write(write, &deletes), "delete state rows"));
    db_changed_ = true;
  }
  return Put(rows, /*count_new=*/false);
}

arrow::Status KeyedRows::ScanPrefixes(const std::vector<rocksdb::Slice>& prefixes, RowDecoder* decoder) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (const auto& prefix : prefixes) {
    // A key is the prefix, then its 8-byte sequence number: exactly one key's rows.
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      const rocksdb::Slice key = it->key();
      if (key.size() != prefix.size() + 8 || !key.starts_with(prefix)) break;
      ARROW_RETURN_NOT_OK(decoder->Append(std::string_view(it->value().data(), it->value().size())));
    }
    ARROW_RETURN_NOT_OK(FromRocks(it->status(), "read state rows"));
  }
  return arrow::Status::OK();
}

arrow::Status KeyedRows::Upsert(const std::shared_ptr<arrow::Table>& rows, std::optional<int64_t> stored) {
  if (!unique_) return arrow::Status::Invalid("keyed state with several rows per key takes appends, not upserts");
  if (rows->num_rows() == 0) return arrow::Status::OK();
  if (db_) {
    if (!stored) return Put(rows, /*count_new=*/true);
    ARROW_RETURN_NOT_OK(Put(rows, /*count_new=*/false));  // counts every row as new
    db_rows_ -= *stored;
    return arrow::Status::OK();
  }
  return ReplaceKeysInMemory(rows);
}

arrow::Status KeyedRows::ReplaceKeysInMemory(const std::shared_ptr<arrow::Table>& rows) {
  if (keys_.empty() || memory_.num_rows() == 0) {
    ARROW_ASSIGN_OR_RAISE(memory_.rows, rows->CombineChunks());
  } else {
    ARROW_ASSIGN_OR_RAISE(auto others, RowsByKeys(memory_.rows, schema_, keys_, rows, schema_, keys_,
                                                  /*matching=*/false, options_));
    ARROW_ASSIGN_OR_RAISE(memory_.rows, AppendRows(others, rows));
  }
  Account();
  if (budget_->memory_bytes >= 0 && budget_->used_bytes > budget_->memory_bytes) return MoveToRocksDb();
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> KeyedRows::TakeBefore(const std::string& column, int64_t time) {
  std::shared_ptr<arrow::Table> taken;
  ARROW_RETURN_NOT_OK(Before(column, time, &taken));
  return taken;
}

arrow::Status KeyedRows::Before(const std::string& column, int64_t time, std::shared_ptr<arrow::Table>* taken) {
  std::vector<std::shared_ptr<arrow::Table>> parts;
  auto take = [&](const std::shared_ptr<arrow::Table>& rows, const arrow::Datum& keep) -> arrow::Status {
    if (!taken) return arrow::Status::OK();
    ARROW_ASSIGN_OR_RAISE(auto behind, cp::CallFunction("invert", {keep}));
    ARROW_ASSIGN_OR_RAISE(auto gone, Where(rows, behind));
    if (gone->num_rows() > 0) parts.push_back(std::move(gone));
    return arrow::Status::OK();
  };
  ARROW_RETURN_NOT_OK(BeforeIn(column, time, take));
  if (!taken) return arrow::Status::OK();
  if (parts.empty()) return arrow::Table::MakeEmpty(schema_).Value(taken);
  ARROW_ASSIGN_OR_RAISE(*taken, arrow::ConcatenateTables(parts));
  return arrow::Status::OK();
}

arrow::Status KeyedRows::BeforeIn(const std::string& column, int64_t time, const TakeFn& take) {
  if (num_rows() == 0) return arrow::Status::OK();
  if (!db_) {
    ARROW_ASSIGN_OR_RAISE(auto keep, AtOrAfter(*memory_.rows, column, time));
    ARROW_RETURN_NOT_OK(take(memory_.rows, keep));
    ARROW_ASSIGN_OR_RAISE(memory_.rows, Where(memory_.rows, keep));
    Account();
    return arrow::Status::OK();
  }
  // Read every row, a chunk at a time, and delete the keys of those behind `time`.
  ARROW_ASSIGN_OR_RAISE(auto decoder, RowDecoder::Make(schema_));
  std::vector<std::string> keys;
  rocksdb::WriteBatch deletes;
  auto flush = [&]() -> arrow::Status {
    ARROW_ASSIGN_OR_RAISE(auto chunk, decoder.Finish());
    ARROW_ASSIGN_OR_RAISE(auto keep, AtOrAfter(*chunk, column, time));
    ARROW_RETURN_NOT_OK(take(chunk, keep));
    std::shared_ptr<arrow::Array> combined = keep.is_array() ? keep.make_array() : nullptr;
    if (!combined) {
      ARROW_ASSIGN_OR_RAISE(combined, arrow::Concatenate(keep.chunked_array()->chunks()));
    }
    const auto& mask = static_cast<const arrow::BooleanArray&>(*combined);
    for (int64_t i = 0; i < mask.length(); ++i) {
      if (mask.IsValid(i) && mask.Value(i)) continue;
      ARROW_RETURN_NOT_OK(FromRocks(deletes.Delete(keys[i]), "delete a state row"));
      --db_rows_;
    }
    keys.clear();
    return arrow::Status::OK();
  };
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    keys.emplace_back(it->key().data(), it->key().size());
    ARROW_RETURN_NOT_OK(decoder.Append(std::string_view(it->value().data(), it->value().size())));
    if (static_cast<int64_t>(keys.size()) == kChunkRows) ARROW_RETURN_NOT_OK(flush());
  }
  ARROW_RETURN_NOT_OK(FromRocks(it->status(), "read the state rows"));
  it.reset();
  ARROW_RETURN_NOT_OK(flush());
  if (deletes.Count() == 0) return arrow::Status::OK();
  rocksdb::WriteOptions write;
  write.disableWAL = true;  // a checkpoint flushes; a crash restarts from the last checkpoint
  db_changed_ = true;
  return FromRocks(db_->Write(write, &deletes), "delete state rows");
}

arrow::Status KeyedRows::Put(const std::shared_ptr<arrow::Table>& rows, bool count_new) {
  ARROW_ASSIGN_OR_RAISE(auto key_encoder, KeyCodec::Make(*schema_, key_indices_, order_position_));
  std::vector<int> all(schema_->num_fields());
  for (int i = 0; i < schema_->num_fields(); ++i) all[i] = i;
  ARROW_ASSIGN_OR_RAISE(auto value_encoder, RowEncoder::Make(*schema_, all, /*canonical=*/false));
  // Every row's key and value, then written in key order.
  const auto n = static_cast<size_t>(rows->num_rows());
  std::vector<std::string> keys(n), values(n);
  arrow::TableBatchReader reader(*rows);
  std::shared_ptr<arrow::RecordBatch> batch;
  for (size_t base = 0;; base += static_cast<size_t>(batch->num_rows())) {
    ARROW_RETURN_NOT_OK(reader.ReadNext(&batch));
    if (!batch) break;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      std::string& key = keys[base + static_cast<size_t>(row)];
      key_encoder.Encode(*batch, row, &key);
      if (!unique_) {  // several rows per key: each its own sequence number, big-endian
        const uint64_t seq = next_seq_++;
        for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>((seq >> shift) & 0xff));
      }
      value_encoder.Encode(*batch, row, &values[base + static_cast<size_t>(row)]);
    }
  }
  const std::vector<uint32_t> order = OrderOf(keys);
  rocksdb::WriteOptions write;
  write.disableWAL = true;  // a checkpoint flushes; a crash restarts from the last checkpoint
  std::vector<rocksdb::Slice> slices;
  std::vector<rocksdb::PinnableSlice> found;
  std::vector<rocksdb::Status> statuses;
  for (size_t begin = 0; begin < n; begin += kChunkRows) {
    const size_t end = std::min(n, begin + static_cast<size_t>(kChunkRows));
    if (count_new) {
      slices.clear();
      for (size_t i = begin; i < end; ++i) slices.emplace_back(keys[order[i]]);
      found.resize(slices.size());
      statuses.resize(slices.size());
      db_->MultiGet(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), slices.size(), slices.data(), found.data(),
                    statuses.data(), /*sorted_input=*/true);
      for (size_t i = 0; i < slices.size(); ++i) {
        if (statuses[i].IsNotFound()) {
          ++db_rows_;
        } else {
          ARROW_RETURN_NOT_OK(FromRocks(statuses[i], "read state rows"));
        }
        found[i].Reset();
      }
    } else {
      db_rows_ += static_cast<int64_t>(end - begin);
    }
    rocksdb::WriteBatch writes;
    for (size_t i = begin; i < end; ++i) {
      ARROW_RETURN_NOT_OK(FromRocks(writes.Put(keys[order[i]], values[order[i]]), "write a state row"));
    }
    ARROW_RETURN_NOT_OK(FromRocks(db_->Write(write, &writes), "write state rows"));
  }
  db_changed_ = true;
  return arrow::Status::OK();
}

arrow::Status KeyedRows::MoveToRocksDb() {
  if (budget_->work_dir.empty()) {
    return arrow::Status::OutOfMemory(
        "the streaming query's state outgrew its memory budget of ", budget_->memory_bytes, " bytes (",
        budget_->memory_bytes_source, ") and its checkpoint is not on this machine's filesystem, where RocksDB "
        "could keep it; raise SET tidelake.state.memory-budget");
  }
  // Check the types before anything moves.
  ARROW_RETURN_NOT_OK(RowDecoder::Make(schema_).status());
  ARROW_RETURN_NOT_OK(OpenDatabase(""));
  db_rows_ = 0;
  ARROW_RETURN_NOT_OK(Put(memory_.rows, /*count_new=*/false));
  memory_.rows = nullptr;
  Account();
  return arrow::Status::OK();
}

arrow::Status KeyedRows::OpenDatabase(const std::string& from) {
  CloseDatabase();
  ARROW_ASSIGN_OR_RAISE(db_dir_, NewWorkDir(budget_->work_dir));
  const std::string db_path = db_dir_ + "/db";
  std::error_code error;
  if (!from.empty()) {
    // A copy of the checkpoint: its table files are immutable, so hard links do (copies where
    // links cannot be made); the rest is copied, as the database rewrites it.
    fs::create_directories(db_path, error);
    for (const auto& entry : fs::directory_iterator(from, error)) {
      const fs::path target = fs::path(db_path) / entry.path().filename();
      std::error_code link_error;
      if (entry.path().extension() == ".sst") fs::create_hard_link(entry.path(), target, link_error);
      if (entry.path().extension() != ".sst" || link_error) fs::copy_file(entry.path(), target, error);
      if (error) break;
    }
    if (error) return arrow::Status::IOError("cannot copy the state checkpoint ", from, ": ", error.message());
  }
  rocksdb::Options options;
  options.create_if_missing = from.empty();
  options.error_if_exists = from.empty();
  options.IncreaseParallelism(2);
  // Whole-key Bloom filters, in the files and in the memtable: most lookups of a batch's keys
  // are of keys that are new (a first click, a new pair), answered without reading a block.
  static const std::shared_ptr<rocksdb::Cache> block_cache = rocksdb::NewLRUCache(kBlockCacheBytes);
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = block_cache;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_prefix_bloom_size_ratio = 0.05;
  options.memtable_whole_key_filtering = true;
  rocksdb::DB* db = nullptr;
  ARROW_RETURN_NOT_OK(FromRocks(rocksdb::DB::Open(options, db_path, &db), "open " + db_path));
  db_.reset(db);
  db_changed_ = from.empty();
  return arrow::Status::OK();
}

void KeyedRows::CloseDatabase() {
  if (db_) {
    (void)db_->Close();
    db_.reset();
  }
  if (!db_dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(db_dir_, ignored);
    db_dir_.clear();
  }
}

arrow::Status KeyedRows::Save(const Checkpoint& checkpoint, int64_t batch_id, const char* key,
                              nlohmann::json* state, std::set<std::string>* files) {
  if (!db_) return memory_.Save(checkpoint, batch_id, key, state, files);
  if (db_changed_ || db_checkpoint_.empty()) {
    auto local = checkpoint.LocalDir();
    if (!local) return arrow::Status::Invalid("RocksDB state needs a checkpoint on this machine's filesystem");
    const std::string name = Checkpoint::NewStateName(batch_id, ".rocksdb");
    std::error_code error;
    fs::create_directories(*local + "/state", error);
    rocksdb::Checkpoint* maker = nullptr;
    ARROW_RETURN_NOT_OK(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &maker), "start a checkpoint"));
    std::unique_ptr<rocksdb::Checkpoint> owned(maker);
    ARROW_RETURN_NOT_OK(FromRocks(owned->CreateCheckpoint(*local + "/state/" + name, /*log_size_for_flush=*/0),
                                  "write a checkpoint"));
    db_checkpoint_ = name;
    db_changed_ = false;
  }
  (*state)[key] = nlohmann::json{{"rocksdb", db_checkpoint_}, {"rows", db_rows_}, {"next", next_seq_}};
  files->insert(db_checkpoint_);
  return arrow::Status::OK();
}

arrow::Status KeyedRows::Restore(const Checkpoint& checkpoint, const nlohmann::json& state, const char* key,
                                 std::set<std::string>* files) {
  CloseDatabase();
  db_checkpoint_.clear();
  auto it = state.find(key);
  if (it == state.end() || !it->is_object()) {
    ARROW_RETURN_NOT_OK(memory_.Restore(checkpoint, state, key, schema_, files));
    Account();
    return arrow::Status::OK();
  }
  memory_.rows = nullptr;
  Account();
  auto name = it->find("rocksdb");
  auto rows = it->find("rows");
  if (name == it->end() || !name->is_string() || rows == it->end() || !rows->is_number_integer()) {
    return CorruptState(checkpoint, std::string("'") + key + "' names no RocksDB checkpoint");
  }
  auto local = checkpoint.LocalDir();
  const std::string from = local ? *local + "/state/" + name->get<std::string>() : "";
  if (local && budget_->work_dir.empty()) budget_->work_dir = *local + "/state-work";
  std::error_code error;
  if (from.empty() || !fs::is_directory(from, error)) {
    return CorruptState(checkpoint, "the RocksDB checkpoint state/" + name->get<std::string>() + " is missing");
  }
  ARROW_RETURN_NOT_OK(RowDecoder::Make(schema_).status());
  ARROW_RETURN_NOT_OK(OpenDatabase(from));
  db_rows_ = rows->get<int64_t>();
  auto next = it->find("next");
  next_seq_ = next != it->end() && next->is_number_unsigned() ? next->get<uint64_t>() : 0;
  db_checkpoint_ = name->get<std::string>();
  files->insert(db_checkpoint_);
  return arrow::Status::OK();
}

}  // namespace tidelake::stream
