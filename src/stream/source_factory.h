// Sources declared in SQL (CREATE SOURCE .. WITH (connector = ..)): from a
// catalog::SourceDefinition, the stream::Source that reads it, and the checks a definition must
// pass before the catalog stores it.
//
// Each connector is one entry of the table in source_factory.cc: its name, the metadata columns
// its rows carry after the declared ones, a check of its options (no I/O), and how to make its
// source. Option names match without regard to case; any option a connector does not take is an
// error naming it (stream/connector_options.h).
//
// 'kafka' (stream/kafka_source.h) takes Flink's option names and Spark's:
//   topic | subscribe                                  the topic (one)
//   properties.bootstrap.servers | kafka.bootstrap.servers
//   properties.<setting> | kafka.<setting>             a librdkafka consumer setting
//   format | value.format                              'json' (default) or 'csv'
//   csv.field-delimiter                                one character (format 'csv')
//   scan.startup.mode | startingOffsets                'earliest-offset' | 'latest-offset' (Flink),
//                                                      'earliest' | 'latest' (Spark)
//   maxOffsetsPerTrigger                               messages per batch, at most
//   failOnDataLoss                                     'true' only: a loss always fails the query
// json.ignore-parse-errors is refused: a message that does not parse fails the query, naming
// its partition and offset, rather than vanish.
//
// 'delta' (stream/delta_source.h, stream/delta_change_source.h), Spark's Delta source options:
//   path (the table's directory or URI), readChangeFeed ('true': every row-level change, with
//   _change_type, _commit_version, _commit_timestamp), startingVersion, startingTimestamp,
//   maxFilesPerTrigger (with readChangeFeed: commits per batch), maxBytesPerTrigger,
//   ignoreDeletes, ignoreChanges.
//
// 'files' (stream/file_source.h), Spark's file source options:
//   path, format ('csv' | 'json' | 'parquet'), header and sep | delimiter |
//   csv.field-delimiter (CSV), maxFilesPerTrigger, pathGlobFilter, minFileAge, maxFileAge.
//
// 'nexmark' and 'ecommerce' (stream/generators/): the built-in generators. Both take seed,
// rate | first-event.rate (events per second of event time), events.num (bounded), rate-limited,
// max-events-per-trigger, base-time (the time of event 0), out-of-order.fraction,
// out-of-order.max-delay, late.fraction, late.lateness, late.max-delay. nexmark adds table
// ('events' (default), 'person', 'auction', 'bid') and person. / auction. / bid.proportion;
// ecommerce adds stream ('orders' | 'inventory' | 'clickstream', required), customers,
// products and warehouses. The declared columns are some of the generator's, by name (any
// case), of the generator's types; so are a delta source's, of the table's.
//
// Every connector also takes the engine's idle timeout (Flink's names), which
// SourceIdleTimeoutMillis reads: scan.watermark.idle-timeout | source.idle-timeout, a duration
// ('30 seconds'); a source with no rows that long stops holding back the watermark of a join that
// reads it (stream/micro_batch.h); '0 seconds', as in Flink, means never.
//
// All functions are thread-safe (they keep no state).
#pragma once

#include <arrow/result.h>
#include <arrow/type.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "catalog/source_definition.h"
#include "stream/source.h"

namespace tidelake::stream {

/// The metadata columns `source` adds after its declared columns, as its rows hold them (Kafka:
/// _key STRING, _partition INT, _offset BIGINT, _timestamp TIMESTAMP; a Delta change feed:
/// _change_type, _commit_version, _commit_timestamp). Invalid when no connector has its name.
arrow::Result<arrow::FieldVector> SourceMetadataColumns(const catalog::SourceDefinition& source);

/// Checks `source` without connecting anywhere: its connector exists, each option is one the
/// connector takes and its value is valid, the options it needs are given, and its columns
/// suit the connector. When the fault is one option, `*bad_option` (if given) is set to that
/// option's key as written, so that the caller can point at it.
arrow::Status CheckSource(const catalog::SourceDefinition& source, std::string* bad_option = nullptr);

/// The idle timeout `source` declares (ms), if any; CheckSource has checked its form.
arrow::Result<std::optional<int64_t>> SourceIdleTimeoutMillis(const catalog::SourceDefinition& source);

/// The source reading `source`, called `name` (the key of its offsets in a query's checkpoint).
arrow::Result<std::unique_ptr<Source>> MakeSource(const catalog::SourceDefinition& source, std::string name);

}  // namespace tidelake::stream
