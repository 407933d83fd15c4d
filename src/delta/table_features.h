// Which protocol versions and table features tidelake can read and write, and the checks that
// refuse anything else. A table whose protocol needs a reader feature we do not implement is
// refused with an error naming the feature: we never read a table wrongly. Writes are refused
// likewise when a writer feature (or a use of it, such as a CHECK constraint) would need
// behaviour we do not implement.
#pragma once

#include <arrow/status.h>

#include <string>

#include "delta/actions.h"

namespace tidelake::delta {

inline constexpr int32_t kMaxReaderVersion = 3;
inline constexpr int32_t kMaxWriterVersion = 7;

/// OK when this reader can read a table with `protocol`.
arrow::Status CheckCanRead(const Protocol& protocol);

/// OK when this writer can commit to a table with `protocol` and `metadata`.
arrow::Status CheckCanWrite(const Protocol& protocol, const Metadata& metadata);

/// True when the table has the feature active: listed in (reader|writer)Features for version 3/7
/// protocols, or implied by the legacy protocol versions (e.g. columnMapping at 2/5).
bool FeatureEnabled(const Protocol& protocol, std::string_view feature);

/// The protocol a new table needs for `metadata` (its configuration and schema): the lowest
/// legacy versions when enough, table features (3/7) when a feature such as deletion vectors,
/// timestamp_ntz columns or widened column types (delta.typeChanges) requires them.
Protocol ProtocolFor(const Metadata& metadata);

/// The protocol that supports every feature of both `a` and `b` (legacy versions included):
/// the higher reader and writer versions, and the union of their features when either uses
/// table features.
Protocol UnionProtocol(const Protocol& a, const Protocol& b);

/// Same versions and the same feature sets (order-insensitive).
bool SameProtocol(const Protocol& a, const Protocol& b);

}  // namespace tidelake::delta
