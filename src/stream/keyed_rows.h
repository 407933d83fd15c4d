// Operator state read by key: with one row per key, a group's running aggregates, a key already
// written, a key's top row so far, an open window's partial aggregates; with several rows per
// key (`unique` false), the rows a join holds, read by their join keys, or the rows waiting for
// their windows, read in event-time order up to the watermark. The rows live in memory, as one Arrow table, while the query's keyed
// state fits its memory budget (StateBudget); the change that takes it over the budget moves
// this operator's rows into a RocksDB database in a working directory beside the checkpoint,
// where they stay. Either way the operator reads the stored rows of the keys a batch has
// (Lookup) and writes back the rows it changed (Upsert; with several rows per key, ReplaceGroups
// writes back the looked-up keys' rows whole); in RocksDB each costs in proportion to
// the batch, not to the state, and memory holds only the batch's rows.
//
// Checkpoints (Save, Restore): rows in memory are a state file, as StateRows keeps them; rows in
// RocksDB are a RocksDB checkpoint (the database flushed, then a directory of hard links to its
// immutable files) under the checkpoint's state/ directory. Restoring opens a copy of it in a
// new working directory, so a checkpoint is never written after it is made, and a re-run batch
// starts from exactly the state its commit names.
//
// Invariants: with `unique`, no two stored rows have equal keys (NULL equals NULL, 0.0 equals
// -0.0, NaN equals NaN); rows keep the schema given at construction. One thread uses it.
#pragma once

#include <arrow/result.h>
#include <arrow/table.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "exec/executor.h"
#include "stream/checkpoint.h"
#include "stream/row_codec.h"
#include "stream/stateful_operator.h"

namespace rocksdb {
class DB;
class Slice;
}

namespace tidelake::stream {

/// The memory budget of one query's keyed state, shared by its operators.
struct StateBudget {
  static constexpr int64_t kDefaultMemoryBytes = int64_t{1} << 30;
  /// Bytes the keyed rows of the query may hold in memory; beyond it they move to RocksDB.
  /// Negative: no limit (never RocksDB); 0: RocksDB from the first row.
  int64_t memory_bytes = kDefaultMemoryBytes;
  /// Where the setting came from, for errors.
  std::string memory_bytes_source = "the default state memory budget";
  /// A directory on this machine for RocksDB's working directories; empty: there is none, and
  /// state that outgrows the budget is an error.
  std::string work_dir;
  /// Bytes the keyed rows of the query hold in memory now.
  int64_t used_bytes = 0;
};

class KeyedRows {
 public:
  /// Rows with `schema`, keyed by its columns `keys` (none: at most one row); `budget` is the
  /// query's (null: a budget of its own, with the defaults). `order`, if given, is one of the
  /// keys, a timestamp, by which rows can be taken in order (TakeThrough). Without `unique`,
  /// rows are appended, several per key, and a lookup gives all of a key's rows.
  KeyedRows(std::shared_ptr<arrow::Schema> schema, std::vector<std::string> keys,
            std::shared_ptr<StateBudget> budget, exec::ExecOptions options, std::string order = "",
            bool unique = true);
  ~KeyedRows();
  KeyedRows(const KeyedRows&) = delete;
  KeyedRows& operator=(const KeyedRows&) = delete;

  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }
  int64_t num_rows() const;
  bool in_rocksdb() const { return db_ != nullptr; }

  /// The stored rows whose keys equal those of some row of `probe` on its columns `probe_keys`
  /// (of the key columns' types), each once.
  arrow::Result<std::shared_ptr<arrow::Table>> Lookup(const std::shared_ptr<arrow::Table>& probe,
                                                      const std::vector<std::string>& probe_keys);
  /// Stores `rows` (with schema(), no two with equal keys), replacing the stored rows with
  /// their keys. May move the rows to RocksDB (see the top of this file). Only with `unique`.
  /// `stored`: how many of their keys are stored already, when the caller knows (it has just
  /// looked them up), which saves RocksDB a read per row.
  arrow::Status Upsert(const std::shared_ptr<arrow::Table>& rows, std::optional<int64_t> stored = std::nullopt);
  /// Adds `rows` (with schema()) to those stored. Only without `unique`. May move the rows to
  /// RocksDB.
  arrow::Status Append(const std::shared_ptr<arrow::Table>& rows);
  /// Replaces every stored row whose keys equal those of some row of `rows` (with schema()) by
  /// `rows`: the rows of some keys, read whole by Lookup and changed, written back. Only without
  /// `unique`; without keys, `rows` replaces every row. May move the rows to RocksDB.
  arrow::Status ReplaceGroups(const std::shared_ptr<arrow::Table>& rows);
  /// Removes the rows whose timestamp column `column` is before `time` (in its unit); rows
  /// with a null there stay.
  arrow::Status EraseBefore(const std::string& column, int64_t time) { return Before(column, time, nullptr); }
  /// Removes and returns the rows EraseBefore removes. In RocksDB this reads every row.
  arrow::Result<std::shared_ptr<arrow::Table>> TakeBefore(const std::string& column, int64_t time);
  /// Every row (read whole, from RocksDB too).
  arrow::Result<std::shared_ptr<arrow::Table>> AllRows() const;
  /// Removes and returns every row; a RocksDB database is dropped, and the rows to come start
  /// in memory again.
  arrow::Result<std::shared_ptr<arrow::Table>> TakeAll();
  /// Removes and returns the rows whose order column is at or before `time` (in its unit).
  /// In RocksDB this reads only those rows.
  arrow::Result<std::shared_ptr<arrow::Table>> TakeThrough(int64_t time) { return Through(time, /*take=*/true); }
  /// The rows whose order column is at or before `time`, left stored; in RocksDB this reads
  /// only those rows.
  arrow::Result<std::shared_ptr<arrow::Table>> ReadThrough(int64_t time) { return Through(time, /*take=*/false); }

  /// The rows while they are in memory (null when there are none, or in RocksDB): an operator
  /// may compute their next state whole from them, in one pass, and ReplaceAll them.
  const std::shared_ptr<arrow::Table>& memory_rows() const { return memory_.rows; }
  /// Replaces every row by `rows` (with schema(), no two with equal keys); only in memory. May
  /// move them to RocksDB.
  arrow::Status ReplaceAll(const std::shared_ptr<arrow::Table>& rows);

  /// Records the rows under `key` of `state`, naming the files it keeps in `files`.
  arrow::Status Save(const Checkpoint& checkpoint, int64_t batch_id, const char* key, nlohmann::json* state,
                     std::set<std::string>* files);
  /// Reads back what Save recorded under `key` (no rows when absent).
  arrow::Status Restore(const Checkpoint& checkpoint, const nlohmann::json& state, const char* key,
                        std::set<std::string>* files);

 private:
  /// Moves the rows in memory into a new RocksDB database.
  arrow::Status MoveToRocksDb();
  /// In memory: the rows of `rows`' keys become `rows` (moving to RocksDB beyond the budget).
  arrow::Status ReplaceKeysInMemory(const std::shared_ptr<arrow::Table>& rows);
  /// Opens a database in a new working directory: empty, or a copy of checkpoint `from`.
  arrow::Status OpenDatabase(const std::string& from);
  void CloseDatabase();
  /// Writes `rows` to the database, counting the keys that are new.
  arrow::Status Put(const std::shared_ptr<arrow::Table>& rows, bool count_new);
  /// Without `unique`: decodes the rows of each key of `prefixes` (encoded keys, in order).
  arrow::Status ScanPrefixes(const std::vector<rocksdb::Slice>& prefixes, RowDecoder* decoder) const;
  /// The rows whose order column is at or before `time`, removed when `take`.
  arrow::Result<std::shared_ptr<arrow::Table>> Through(int64_t time, bool take);
  /// Removes the rows whose timestamp column `column` is before `time`; `taken`, if given,
  /// receives them.
  arrow::Status Before(const std::string& column, int64_t time, std::shared_ptr<arrow::Table>* taken);
  /// Before's work: removes the rows behind `time`, calling `take` with each piece of rows read
  /// and the mask of those that stay.
  using TakeFn = std::function<arrow::Status(const std::shared_ptr<arrow::Table>&, const arrow::Datum&)>;
  arrow::Status BeforeIn(const std::string& column, int64_t time, const TakeFn& take);
  /// Accounts for the rows in memory having changed size.
  void Account();

  std::shared_ptr<arrow::Schema> schema_;
  std::vector<std::string> keys_;
  std::vector<int> key_indices_;
  bool unique_;
  std::string order_;                     ///< the order column, or ""
  std::optional<size_t> order_position_;  ///< its position among keys_
  std::shared_ptr<StateBudget> budget_;
  exec::ExecOptions options_;

  StateRows memory_;              ///< the rows, while in memory
  int64_t memory_bytes_ = 0;      ///< what memory_ counts in the budget

  std::unique_ptr<rocksdb::DB> db_;  ///< the rows, once in RocksDB
  std::string db_dir_;               ///< its working directory
  int64_t db_rows_ = 0;
  uint64_t next_seq_ = 0;            ///< without `unique`: the next row's sequence number
  bool db_changed_ = true;           ///< since the last RocksDB checkpoint
  std::string db_checkpoint_;        ///< the last one's name under state/
};

}  // namespace tidelake::stream
