// Test helper shared by file_stats_test.cc and file_stats_read_test.cc: the `add.stats` JSON of
// batches written the way DataWriter writes a data file (its Parquet settings, Update before
// each batch, the footer after Close), to an in-memory Parquet file. Header-only; tests only.
#pragma once

#include <arrow/io/memory.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <parquet/arrow/writer.h>

#include <memory>
#include <string>
#include <vector>

#include "delta/data_writer.h"
#include "delta/file_stats.h"

namespace tidelake::delta::testing {

/// `row_group_rows` bounds the rows of each row group, so a small value makes the collector
/// merge several row groups. Fails where the collector or the Parquet writer fails.
inline arrow::Result<std::string> StatsOfWrittenBatches(
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches, StatsOptions options = {},
    int64_t row_group_rows = 1024 * 1024) {
  ARROW_ASSIGN_OR_RAISE(auto collector, StatsCollector::Make(schema, std::move(options)));
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
  ARROW_ASSIGN_OR_RAISE(auto writer, parquet::arrow::FileWriter::Open(
                                         *schema, arrow::default_memory_pool(), sink,
                                         DataFileProperties(row_group_rows),
                                         DataFileArrowProperties(/*use_threads=*/false)));
  for (const auto& batch : batches) {
    ARROW_RETURN_NOT_OK(collector->Update(*batch));
    ARROW_RETURN_NOT_OK(writer->WriteRecordBatch(*batch));
  }
  ARROW_RETURN_NOT_OK(writer->Close());
  ARROW_RETURN_NOT_OK(collector->AddParquetFooter(*writer->metadata()));
  return collector->ToJson();
}

}  // namespace tidelake::delta::testing
