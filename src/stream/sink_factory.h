// Connector tables that queries write to, declared in Flink's form: CREATE TABLE t (columns)
// WITH ('connector' = ..., ...). From a catalog::SourceDefinition whose connector writes, the
// stream::Sink that takes a query's rows, and the checks such a definition must pass before the
// catalog stores it.
//
// The catalog keeps one kind of connector definition (catalog/source_definition.h): sources
// (CREATE SOURCE) and connector tables alike. Whether a definition is read or written is its
// connector's business: the connectors here write and cannot be read, those of
// stream/source_factory.h read. A connector appears in one list only.
//
// 'blackhole' (Flink's): discards the rows (stream::BlackholeSink), after the checks a write
// into a table of its columns makes. It takes no options besides the connector.
//
// All functions are thread-safe (they keep no state).
#pragma once

#include <arrow/result.h>
#include <arrow/status.h>

#include <memory>
#include <string>
#include <string_view>

#include "catalog/source_definition.h"
#include "stream/sink.h"

namespace tidelake::stream {

/// Whether `connector` (any case) is one that connector tables are written through.
bool IsSinkConnector(std::string_view connector);

/// The sink connectors, quoted and listed for messages: "'blackhole'".
std::string SinkConnectorNames();

/// Checks connector table `table` without I/O: its connector is a sink connector (otherwise an
/// error naming it and the ones there are, and saying where a source connector belongs) and
/// each option is one the connector takes. When the fault is one option, `*bad_option` (if
/// given) is set to that option's key as written, so that the caller can point at it.
arrow::Status CheckSinkTable(const catalog::SourceDefinition& table, std::string* bad_option = nullptr);

/// The sink that writes into connector table `table` (which CheckSinkTable accepts).
arrow::Result<std::unique_ptr<Sink>> MakeSink(const catalog::SourceDefinition& table);

}  // namespace tidelake::stream
