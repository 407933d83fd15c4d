// Where a streaming query writes each batch's output. A sink must make re-writing a batch
// harmless: a batch re-run after a crash writes the same rows under the same batch id, and the
// sink keeps them once.
//
// DeltaAppendSink appends to a Delta table, each batch one commit carrying the Delta `txn`
// action (appId = query id, version = batch id); a batch whose id the table's txn already
// holds is skipped. A batch with no rows commits nothing (re-running it yields no rows again).
// Its data files leave the OS page cache once durable (delta::WriteOptions::drop_from_page_cache).
//
// DeltaUpsertSink merges each batch into a Delta table on key columns (update mode: every row
// is a group's latest result): a row whose keys the table holds replaces that row, others are
// inserted; NULL keys match NULL keys. One MERGE commit per batch, with the same txn action.
//
// Both leave the Delta checkpoint that every 10th commit is due to delta::BackgroundHousekeeping,
// so a batch is never held up writing one, and wait for it when they are destroyed.
//
// BlackholeSink discards every row, as Flink's 'blackhole' connector does: the sink of a
// connector table (stream/sink_factory.h) that measures a query without the cost of keeping
// its result. It checks each batch as a write into a table of its columns would
// (delta::ConformToTableSchema: the same casts, and the same errors for a type that does not
// fit or a NULL in a NOT NULL column), counts the rows and commits nothing. With nothing kept,
// re-writing a batch is harmless by construction; the query's checkpoint alone makes its
// progress exactly once (a batch re-run after a crash had no progress record the first time).
#pragma once

#include <arrow/result.h>
#include <arrow/table.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "delta/snapshot.h"

namespace tidelake::stream {

struct SinkResult {
  int64_t rows_written = 0;
  bool skipped = false;         ///< the batch had been written before
  int64_t table_version = -1;   ///< the commit it made, if any
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual arrow::Result<SinkResult> Write(const std::string& query_id, int64_t batch_id,
                                          const std::shared_ptr<arrow::Table>& rows) = 0;
};

class DeltaAppendSink : public Sink {
 public:
  explicit DeltaAppendSink(delta::TableLocation location) : location_(std::move(location)) {}
  ~DeltaAppendSink() override;

  arrow::Result<SinkResult> Write(const std::string& query_id, int64_t batch_id,
                                  const std::shared_ptr<arrow::Table>& rows) override;

 private:
  delta::TableLocation location_;
};

class BlackholeSink : public Sink {
 public:
  explicit BlackholeSink(std::shared_ptr<arrow::Schema> columns) : columns_(std::move(columns)) {}

  arrow::Result<SinkResult> Write(const std::string& query_id, int64_t batch_id,
                                  const std::shared_ptr<arrow::Table>& rows) override;

 private:
  std::shared_ptr<arrow::Schema> columns_;
};

class DeltaUpsertSink : public Sink {
 public:
  DeltaUpsertSink(delta::TableLocation location, std::vector<std::string> keys)
      : location_(std::move(location)), keys_(std::move(keys)) {}
  ~DeltaUpsertSink() override;

  arrow::Result<SinkResult> Write(const std::string& query_id, int64_t batch_id,
                                  const std::shared_ptr<arrow::Table>& rows) override;

 private:
  delta::TableLocation location_;
  std::vector<std::string> keys_;
};

}  // namespace tidelake::stream
