// Sources declared in SQL (CREATE SOURCE .. WITH (connector = ..)): from a
// catalog::SourceDefinition, the stream::Source that reads it, and the checks a definition must
// pass before the catalog stores it.
//
// Each connector is one entry of the table in source_factory.cc: its name, the metadata columns
// its rows carry after the declared ones, a check of its options (no I/O), and how to make its
// source. Today: 'kafka' (stream/kafka_source.h), which takes Flink's option names and Spark's:
//
//   topic | subscribe                                  the topic (one)
//   properties.bootstrap.servers | kafka.bootstrap.servers
//   properties.<setting> | kafka.<setting>             a librdkafka consumer setting
//   format | value.format                              'json' (default) or 'csv'
//   csv.field-delimiter                                one character (format 'csv')
//   scan.startup.mode | startingOffsets                'earliest-offset' | 'latest-offset' (Flink),
//                                                      'earliest' | 'latest' (Spark)
//   maxOffsetsPerTrigger                               messages per batch, at most
//   failOnDataLoss                                     'true' only: a loss always fails the query
//
// Option names match without regard to case. Any other option is an error naming it; in
// particular json.ignore-parse-errors: a message that does not parse fails the query, naming its
// partition and offset, rather than vanish.
//
// All functions are thread-safe (they keep no state).
#pragma once

#include <arrow/result.h>
#include <arrow/type.h>

#include <memory>
#include <string>

#include "catalog/source_definition.h"
#include "stream/source.h"

namespace tidelake::stream {

/// The metadata columns a `connector` source adds after the declared columns, as its rows hold
/// them (Kafka: _key STRING, _partition INT, _offset BIGINT, _timestamp TIMESTAMP). Invalid
/// when no connector has that name.
arrow::Result<arrow::FieldVector> SourceMetadataColumns(const std::string& connector);

/// Checks `source` without connecting anywhere: its connector exists, each option is one the
/// connector takes and its value is valid, the options it needs are given, and its columns
/// suit the connector. When the fault is one option, `*bad_option` (if given) is set to that
/// option's key as written, so that the caller can point at it.
arrow::Status CheckSource(const catalog::SourceDefinition& source, std::string* bad_option = nullptr);

/// The source reading `source`, called `name` (the key of its offsets in a query's checkpoint).
arrow::Result<std::unique_ptr<Source>> MakeSource(const catalog::SourceDefinition& source, std::string name);

}  // namespace tidelake::stream
