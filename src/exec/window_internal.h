// Pieces of the window operator shared by window.cc (layout, ranking and navigation
// functions) and window_frame.cc (frame bounds and frame aggregates). Everything works on the
// input already sorted by partition and order keys; row i is the i-th sorted row.
#pragma once

#include <arrow/array.h>
#include <arrow/compute/exec.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plan/logical_plan.h"

namespace tidelake::exec::window_internal {

namespace cp = arrow::compute;

/// Partitions and peer groups of the sorted rows, per row (half-open [start, end)).
struct Layout {
  int64_t rows = 0;
  std::vector<int64_t> partition_start, partition_end;
  std::vector<int64_t> peer_start, peer_end;
};

/// same[i] = row i equals row i - 1 (NULL equals NULL, NaN equals NaN); same[0] = 0.
arrow::Result<std::vector<uint8_t>> SameAsPrevious(const arrow::Array& column, cp::ExecContext* ctx);

arrow::Result<Layout> ComputeLayout(int64_t rows, const std::vector<std::shared_ptr<arrow::Array>>& partition_columns,
                                    const std::vector<std::shared_ptr<arrow::Array>>& order_columns,
                                    cp::ExecContext* ctx);

/// The frame of each row, half-open [start, end); empty when end <= start.
struct Frames {
  std::vector<int64_t> start, end;
  bool starts_at_partition = false;  ///< start is UNBOUNDED PRECEDING
  bool ends_at_partition = false;    ///< end is UNBOUNDED FOLLOWING
};

/// `order_key` is the (sorted) first ORDER BY column, needed by RANGE frames with offsets;
/// `ascending` its direction.
arrow::Result<Frames> ComputeFrames(const plan::WindowFrame& frame, const Layout& layout,
                                    const std::shared_ptr<arrow::Array>& order_key, bool ascending);

/// An aggregate over each row's frame. `function` is normalised ("count", "sum", "mean",
/// "min", "max", or an Arrow scalar aggregate name); `arg` is null for count(*).
arrow::Result<std::shared_ptr<arrow::Array>> FrameAggregate(const std::string& function,
                                                            const std::shared_ptr<arrow::Array>& arg,
                                                            const Frames& frames, const Layout& layout,
                                                            const std::shared_ptr<arrow::DataType>& result_type,
                                                            cp::ExecContext* ctx);

/// The values of `values` at `indices` (-1: null), as one array.
arrow::Result<std::shared_ptr<arrow::Array>> TakeOrNull(const std::shared_ptr<arrow::Array>& values,
                                                        const std::vector<int64_t>& indices, cp::ExecContext* ctx);

/// True for the aggregate names FrameAggregate computes natively.
bool IsNativeFrameAggregate(const std::string& function);

}  // namespace tidelake::exec::window_internal
