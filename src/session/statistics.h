// The statistics the planner sees (plan::TableStatistics) for one table snapshot, made from
// what ANALYZE TABLE stored in the catalog and from the snapshot's Delta log, and the text form
// in which ANALYZE stores min/max values.
//
// Rules: the row count and size describe the snapshot (the analyzed row count when ANALYZE ran
// at exactly this version, else the log's per-file numRecords, else unknown). Column statistics
// come from the catalog whatever version they were computed at (analyzed_version says which);
// a column dropped or retyped since is left out. Pure functions, safe from any thread.
#pragma once

#include <arrow/scalar.h>

#include <memory>
#include <optional>
#include <string>

#include "catalog/lake.h"
#include "delta/snapshot.h"
#include "plan/statistics.h"

namespace tidelake::session {

plan::TableStatistics PlannerStatistics(const delta::Snapshot& snapshot,
                                        const catalog::Lake::TableStatistics* stored);

/// The text a min/max value is stored as (Arrow's scalar text: 12.50, 2024-01-01,
/// 2024-01-01 10:00:00.000000Z); nothing for a null.
std::optional<std::string> StatisticText(const std::shared_ptr<arrow::Scalar>& value);

/// The value `text` (from StatisticText) denotes as `type`; null when it does not parse.
std::shared_ptr<arrow::Scalar> StatisticValue(const std::string& text, const std::shared_ptr<arrow::DataType>& type);

}  // namespace tidelake::session
