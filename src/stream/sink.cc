#include "stream/sink.h"

#include "delta/table.h"

namespace tidelake::stream {

arrow::Result<SinkResult> DeltaAppendSink::Write(const std::string& query_id, int64_t batch_id,
                                                 const std::shared_ptr<arrow::Table>& rows) {
  SinkResult result;
  if (rows->num_rows() == 0) return result;
  delta::WriteOptions options;
  options.mode = delta::SaveMode::kAppend;
  options.txn = std::make_pair(query_id, batch_id);
  arrow::TableBatchReader reader(*rows);
  ARROW_ASSIGN_OR_RAISE(auto written, delta::DeltaTable::Write(location_, reader, options));
  result.skipped = written.skipped;
  result.rows_written = written.skipped ? 0 : written.rows_written;
  result.table_version = written.version;
  return result;
}

}  // namespace tidelake::stream
