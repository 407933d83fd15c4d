#include "stream/sink.h"

#include "delta/background_housekeeping.h"
#include "delta/data_writer.h"
#include "delta/merge.h"
#include "delta/table.h"
#include "delta/transaction.h"

namespace tidelake::stream {

DeltaAppendSink::~DeltaAppendSink() { delta::BackgroundHousekeeping::Instance().Drain(); }

DeltaUpsertSink::~DeltaUpsertSink() { delta::BackgroundHousekeeping::Instance().Drain(); }

arrow::Result<SinkResult> DeltaAppendSink::Write(const std::string& query_id, int64_t batch_id,
                                                 const std::shared_ptr<arrow::Table>& rows) {
  SinkResult result;
  if (rows->num_rows() == 0) return result;
  delta::WriteOptions options;
  options.mode = delta::SaveMode::kAppend;
  options.txn = std::make_pair(query_id, batch_id);
  options.background_housekeeping = true;
  options.drop_from_page_cache = true;  // a batch's files are written once, seldom read back soon
  arrow::TableBatchReader reader(*rows);
  ARROW_ASSIGN_OR_RAISE(auto written, delta::DeltaTable::Write(location_, reader, options));
  result.skipped = written.skipped;
  result.rows_written = written.skipped ? 0 : written.rows_written;
  result.table_version = written.version;
  return result;
}

arrow::Result<SinkResult> BlackholeSink::Write(const std::string& /*query_id*/, int64_t /*batch_id*/,
                                               const std::shared_ptr<arrow::Table>& rows) {
  // Each batch goes through the checks a table write makes, then nowhere.
  arrow::TableBatchReader reader(*rows);
  int64_t accepted = 0;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto batch, reader.Next());
    if (!batch) break;
    ARROW_RETURN_NOT_OK(delta::ConformToTableSchema(batch, columns_).status());
    accepted += batch->num_rows();
  }
  SinkResult result;
  result.rows_written = accepted;
  return result;
}

arrow::Result<SinkResult> DeltaUpsertSink::Write(const std::string& query_id, int64_t batch_id,
                                                 const std::shared_ptr<arrow::Table>& rows) {
  namespace cp = arrow::compute;
  SinkResult result;
  if (rows->num_rows() == 0) return result;
  ARROW_ASSIGN_OR_RAISE(auto table, delta::DeltaTable::Open(location_));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, table->Latest());
  if (auto done = snapshot->TxnVersion(query_id); done && *done >= batch_id) {
    result.skipped = true;
    result.table_version = snapshot->version();
    return result;
  }
  // target.k = source.k, or both NULL, for every key.
  std::vector<cp::Expression> conditions;
  for (const auto& key : keys_) {
    auto target = cp::field_ref("target." + key), source = cp::field_ref("source." + key);
    conditions.push_back(cp::or_(cp::equal(target, source), cp::and_(cp::is_null(target), cp::is_null(source))));
  }
  const cp::Expression on = conditions.empty() ? cp::literal(true) : cp::and_(conditions);
  delta::MergeOptions options;
  options.matched.push_back(delta::MergeClause::UpdateAll());
  options.not_matched.push_back(delta::MergeClause::InsertAll());
  auto txn = delta::Transaction::ForSnapshot(snapshot);
  txn->SetTxn(query_id, batch_id);
  txn->set_background_housekeeping(true);
  ARROW_ASSIGN_OR_RAISE(auto metrics, delta::PlanMerge(*snapshot, rows, on, options, txn.get()));
  ARROW_ASSIGN_OR_RAISE(auto committed,
                        txn->Commit("STREAMING UPDATE", {{"outputMode", "\"Update\""},
                                                         {"queryId", "\"" + query_id + "\""},
                                                         {"epochId", "\"" + std::to_string(batch_id) + "\""}}));
  result.rows_written = metrics.rows_inserted + metrics.rows_updated;
  result.table_version = committed.version;
  return result;
}

}  // namespace tidelake::stream
