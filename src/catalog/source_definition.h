// A streaming source declared in SQL (CREATE SOURCE): a name in a zone of the lake, the columns
// its payloads hold, the connector that reads it (kafka, ...) with that connector's options, and
// optionally its event time and watermark delay.
//
// The same definition, without a watermark, declares a connector table that queries write to
// (Flink's CREATE TABLE t (..) WITH ('connector' = 'blackhole')): as in Flink, a table with a
// connector is one kind of catalog object, read or written as its connector allows. Whether a
// connector reads (stream/source_factory.h) or writes (stream/sink_factory.h) is the stream
// layer's knowledge; the catalog stores both alike and keeps their names apart from tables'.
//
// The catalog only stores definitions (catalog::Lake keeps them at
// <root>/<zone>/.sources/<name>.json); it knows nothing about connectors. Which connectors and
// options exist, and which metadata columns a connector adds (Kafka's _key, _partition, ...),
// is stream/source_factory.h's business. Options are kept as the user wrote them (keys and
// values), so DESCRIBE SOURCE shows what was written and a newer factory may read them anew.
#pragma once

#include <arrow/result.h>
#include <arrow/type.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "catalog/table_name.h"

namespace tidelake::catalog {

/// WATERMARK FOR column AS column - INTERVAL ...: the column holding each row's event time, and
/// how far the watermark trails the largest event time seen.
struct SourceWatermark {
  std::string column;
  int64_t delay_us = 0;
};

struct SourceDefinition {
  TableName name;
  /// The declared columns (what each payload is parsed into), in declared order.
  std::shared_ptr<arrow::Schema> columns;
  /// The connector as written, lower case ("kafka").
  std::string connector;
  /// Every other option of WITH (...), as written.
  std::map<std::string, std::string> options;
  std::optional<SourceWatermark> watermark;

  /// The stored form: {"format": 1, "connector": .., "columns": <Delta schema JSON>,
  /// "options": {..}, "watermark": {"column": .., "delayUs": ..}}.
  arrow::Result<std::string> ToJson() const;
  /// Reads the stored form of source `name`; Invalid naming the source and `path` when corrupt.
  static arrow::Result<SourceDefinition> FromJson(const TableName& name, const std::string& text,
                                                  const std::string& path);
};

}  // namespace tidelake::catalog
