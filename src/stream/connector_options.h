// The options of one declared source (CREATE SOURCE .. WITH (..)) as its connector reads them.
//
// A connector asks for each setting it takes by every name it answers to (Flink's, Spark's,
// tidelake's), spelled as its documentation spells them; the user's keys match without regard
// to case. A setting given under
// two of its names, a value of the wrong form, and (in Finish) an option nobody asked for are
// errors that quote the option as written, say which source and connector it belongs to, and
// record the key in *bad_option so that the SQL error can point at it.
//
// Not thread-safe; one reader per check of a definition.
#pragma once

#include <arrow/result.h>
#include <arrow/status.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/source_definition.h"

namespace tidelake::stream {

class ConnectorOptions {
 public:
  using Names = std::initializer_list<std::string_view>;

  /// `title` names the connector in messages ("Kafka", "files"); `bad_option` may be null.
  ConnectorOptions(const catalog::SourceDefinition& source, std::string title, std::string* bad_option);

  /// The value of the setting called any of `names`, as written; nullopt when not given.
  arrow::Result<std::optional<std::string>> Text(Names names);
  /// A whole number >= `min`.
  arrow::Result<std::optional<int64_t>> Integer(Names names, int64_t min);
  /// A number in [min, max].
  arrow::Result<std::optional<double>> Number(Names names, double min, double max);
  /// 'true' or 'false' (any case).
  arrow::Result<std::optional<bool>> Boolean(Names names);
  /// One of `allowed` (lower case; the value matches without regard to case), returned lower case.
  arrow::Result<std::optional<std::string>> Choice(Names names, std::initializer_list<std::string_view> allowed);
  /// A duration ('5 seconds', '1 day 2 hours', delta::ParseIntervalMicros), in milliseconds.
  arrow::Result<std::optional<int64_t>> DurationMillis(Names names);
  /// The engine's idle timeout every connector takes (Flink's scan.watermark.idle-timeout or
  /// source.idle-timeout), a duration in milliseconds (stream/micro_batch.h says what it does).
  arrow::Result<std::optional<int64_t>> IdleTimeoutMillis();
  /// A timestamp ('2026-01-01 00:00:00[.fff][Z|+hh:mm]', UTC without a zone), ms since the epoch.
  arrow::Result<std::optional<int64_t>> TimestampMillis(Names names);
  /// One character that is not a quote or a line break.
  arrow::Result<std::optional<char>> Character(Names names);
  /// Every option not asked for yet whose key starts with one of `prefixes` (lower case,
  /// ending in '.'), as (key as written, the rest of the key in lower case, value); ask for
  /// settings whose names share a prefix (properties.bootstrap.servers) first. `listed` names
  /// them in Finish's list ("properties.* | kafka.*").
  struct Prefixed {
    std::string key;
    std::string rest;
    std::string value;
  };
  std::vector<Prefixed> WithPrefix(Names prefixes, std::string listed);

  /// The error for the setting called `names`, which was given (by a check that relates two
  /// settings): "option '<key>' of <title> source '<name>' <message>".
  template <typename... Args>
  arrow::Status Invalid(Names names, Args&&... message) {
    const std::string key = KeyOf(names);
    if (bad_option_ != nullptr) *bad_option_ = key;
    return arrow::Status::Invalid("option '", key, "' of ", title_, " source '", source_name_, "' ",
                                  std::forward<Args>(message)...);
  }
  /// An error about the source as a whole: "<title> source '<name>' <message>".
  template <typename... Args>
  arrow::Status SourceInvalid(Args&&... message) const {
    return arrow::Status::Invalid(title_, " source '", source_name_, "' ", std::forward<Args>(message)...);
  }

  /// Refuses the first option no call asked for, listing every setting the connector takes.
  arrow::Status Finish();

 private:
  /// The key (as written) and value of the setting called `names`; refuses two of its names.
  arrow::Result<std::optional<std::pair<std::string, std::string>>> Find(Names names);
  std::string KeyOf(Names names) const;

  std::map<std::string, std::pair<std::string, std::string>> by_lower_key_;  ///< lower key -> (key, value)
  std::string title_;
  std::string source_name_;
  std::string* bad_option_;
  std::set<std::string> read_;          ///< lower keys asked for
  std::vector<std::string> settings_;  ///< "a | b" per setting asked for, in order
};

}  // namespace tidelake::stream
