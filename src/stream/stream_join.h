// A join of two streams: inner, outer (LEFT, RIGHT, FULL), semi or anti. Each batch emits the
// pairs that involve a row of the batch,
//   ΔL ⋈ (R ∪ ΔR)  ∪  L ⋈ ΔR,
// where L and R are the rows each side emitted in earlier batches (the state) and ΔL, ΔR the
// rows they emit in this one. The joins themselves run in the batch engine, so keys, NULLs and
// residual conditions mean what they mean in batch mode, and over a whole stream the join
// emits exactly the rows the batch join gives (late rows aside).
//
// State is pruned by event time when the join condition bounds it. Each time constraint is a
// pair of timestamp columns, one per side, with left - right in [lo, hi]: an equality of window
// ends (a window join; lo = hi = 0) or an interval condition (`L.t BETWEEN R.t - INTERVAL a AND
// R.t + INTERVAL b`, or >= / <= pairs). When a side's column has a watermark (no row it emits
// later has a smaller value), the other side's rows that could only match smaller values are
// dropped: a left row goes once left < right watermark + lo, a right row once right < left
// watermark - hi. A row that arrives with a value below its own side's watermark of the previous
// batch is late (its partners may be gone): it is dropped and counted. Joins without such a
// bound (NEXMark q3: auctions joined with their sellers) keep every row. A WHERE right over an
// inner join is applied with it and bounds it the same way (NEXMark q7).
//
// Outer joins (Flink's outer interval and window joins, append mode): the padded side(s) (left
// for LEFT, right for RIGHT, both for FULL) hold each row with a flag saying whether it has found
// a partner yet, set by the batch that pairs it (held rows' flags are written back with the
// state, in memory and in RocksDB, and saved with the checkpoint). A row without a partner is
// emitted once, padded with NULLs, in the batch that prunes it: when the other side's watermark
// shows that no partner can come any more; so a padded side's state is pruned every batch (in
// RocksDB too, where an inner side's is pruned every 16th). At end of input (BatchContext::
// end_of_input) every row still held goes and the unmatched ones of a padded side are padded;
// the join's watermarks then go to the end of time, so rows that come after it are late (an
// inner join keeps its state and watermarks at end of input, as before). A padded side's
// row with a NULL in a bounded time column can never match: it is padded at once. Only the ON
// condition bounds an outer join (a WHERE over it filters padded rows too and runs above it),
// and Make refuses an outer join unless a bound prunes each padded side (it would otherwise
// hold its rows forever, or need retractions). Late rows of a padded side are treated as an
// inner join treats them: dropped, counted and routed, never padded (some of their partners may
// be gone, and so the batch join's answer for them is unknown).
//
// With a late table (set_late_rows), late rows are also written there, whole, with a reason
// naming the side and the column whose watermark they missed.
//
// An idle side (every source under it is idle in the batch, BatchContext::idle_inputs, see
// set_side_sources) does not hold the join's time back: after the batch its watermark on each
// column a bound pairs with a column of the other side is raised to that column's watermark, as
// Flink leaves an idle input out of an operator's minimum watermark. Both columns of a bound
// are one event time (the bound only shifts it), so the raised watermark means: rows the side
// sends when it resumes, behind the other side's time, are late (dropped, counted, routed).
// The raised watermark is state (saved with the commit) and never moves back; a side that
// resumes counts again from there.
//
// The rows emitted later hold a row not yet seen (not below its side's watermark) or one still
// in the state (not below the other side's watermark shifted by the bound): so a bounded time
// column has a watermark in the join's output too (OutputWatermark), for a windowed aggregation
// or another join above. Padded rows keep it without holding it back further: a padded row is
// emitted after its pair would have been, but from the state, where every row is at or above
// the pruning threshold the watermark already takes (the padded side is pruned every batch, so
// no row below it lingers to be padded later); the other side's column is NULL in it.
//
// Semi and anti joins (EXISTS, IN, NOT EXISTS over a stream; LEFT SEMI / LEFT ANTI JOIN) mark
// the left side's rows as an outer join does, and write left rows, never pairs: a semi join a
// row in the batch where it first finds a partner (new or held; once, whatever else it matches),
// an anti join a row that goes without one, as a LEFT join pads it (so an anti join must be
// bounded, and a semi join without a bound keeps its rows, as an unbounded inner join does). A
// left row without a bounded time matches nothing: an anti join writes it at once. Their output
// has only the left columns, and the left time column keeps the watermark an outer join's has.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "stream/keyed_rows.h"
#include "stream/late_rows.h"
#include "stream/stateful_operator.h"

namespace tidelake::stream {

/// What a join condition says of two timestamp columns: every pair it accepts has
/// left_field - right_field in [lo, hi] (an absent bound is unbounded), in the columns' unit.
struct TimeConstraint {
  std::string left_field, right_field;
  std::optional<int64_t> lo, hi;
};

/// The time constraints of a join condition (its keys and its residual, and `filter`: a WHERE
/// over the join's output, for an inner join), merged per pair of columns.
std::vector<TimeConstraint> TimeConstraints(const plan::JoinNode& join,
                                            const std::optional<arrow::compute::Expression>& filter = std::nullopt);

/// The watermark of `field` of a side (`side`: a join's input), if it has one.
using ColumnWatermarkOf =
    std::function<std::optional<ColumnWatermark>(const plan::LogicalNode& side, const std::string& field)>;

class StreamJoin : public StatefulOperator {
 public:
  /// `join`: a JoinNode whose two inputs stream; `filter`: null, or a FilterNode over it (a
  /// WHERE, which an inner join applies as if it were part of its condition: the operator then
  /// stands for the filter, and the filter's time constraints prune too; an outer join ignores
  /// it, and it runs above; so do semi and anti joins). Fails, naming why, for outer and anti
  /// joins whose padded (or kept) sides no time bound prunes.
  static arrow::Result<std::unique_ptr<StreamJoin>> Make(plan::NodePtr join, plan::NodePtr filter,
                                                         const ColumnWatermarkOf& watermark_of,
                                                         exec::ExecOptions options,
                                                         std::shared_ptr<StateBudget> budget = nullptr);

  const plan::LogicalNode* node() const override { return filter_ ? filter_.get() : join_.get(); }
  arrow::Result<std::shared_ptr<arrow::Table>> Run(const Replacements& below, const BatchContext& context) override;
  /// The earliest watermark of the columns it tracks (of both sides).
  std::optional<int64_t> watermark() const override;
  /// A time column a constraint bounds, with watermarks on both sides: later pairs hold a row
  /// of its side not yet seen (at or above that side's watermark) or one still in the state
  /// (not below the other side's watermark shifted by the bound).
  bool HasOutputWatermark(const std::string& field) const override;
  std::optional<int64_t> OutputWatermark(const std::string& field) const override;
  int64_t state_rows() const override { return sides_[0].rows->num_rows() + sides_[1].rows->num_rows(); }
  int64_t late_rows() const override { return late_rows_; }
  arrow::Result<nlohmann::json> SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                          std::set<std::string>* files) override;
  arrow::Status RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                             std::set<std::string>* files) override;

  /// The constraints that prune state (for EXPLAIN-like checks and tests): those with a bound
  /// and a watermark on the column that bound is checked against.
  const std::vector<TimeConstraint>& constraints() const { return constraints_; }

  /// The sources (BatchContext::idle_inputs names) under side `side` (0 left, 1 right): the
  /// side is idle in a batch when all of them are. None: never idle.
  void set_side_sources(int side, std::set<std::string> sources) { side_sources_[side] = std::move(sources); }
  /// Where late rows go besides being counted (not owned; null: dropped).
  void set_late_rows(LateRowsTable* late) { late_ = late; }

 private:
  /// A column of one side whose watermark the join follows.
  struct TrackedColumn {
    std::string field;
    ColumnWatermark source;
    std::optional<int64_t> max_seen;   ///< delay-based: the largest value emitted so far
    std::optional<int64_t> watermark;  ///< as of the end of the last batch
  };
  struct Side {
    std::vector<TrackedColumn> columns;
    /// The rows the side emitted so far, less the pruned ones, by join key (in RocksDB beyond
    /// the state budget: then a batch reads only those its other side's rows may match).
    std::unique_ptr<KeyedRows> rows;
    std::vector<std::string> keys;  ///< the side's join keys, as `rows` is keyed (none: every row)
    /// A padded side of an outer join, or the left side of a semi or anti join: `rows` holds
    /// each row with a last column saying whether it has found a partner (see the top of the
    /// file for what is written when it does, or when it goes without one).
    bool marked = false;
  };
  /// An inner join's pairs, and the numbers (in each input) of the rows each pair holds.
  struct MarkedPairs {
    std::shared_ptr<arrow::Table> pairs;
    std::shared_ptr<arrow::ChunkedArray> rows[2];
  };
  /// A constraint, with the tracked columns it reads (-1: none).
  struct Bound {
    TimeConstraint constraint;
    int left_column = -1, right_column = -1;
  };

  StreamJoin(plan::NodePtr join, plan::NodePtr filter, exec::ExecOptions options)
      : join_(std::move(join)), filter_(std::move(filter)), options_(options) {}

  /// Index of `field` among side `s`'s tracked columns, adding it; -1 when it has no watermark.
  int Track(int s, const std::string& field, const ColumnWatermarkOf& watermark_of);
  /// `rows` of side `s` without those below a bound of `s` (late: counted and routed) or with
  /// no time (kept on a padded side).
  arrow::Result<std::shared_ptr<arrow::Table>> DropLate(int s, const std::shared_ptr<arrow::Table>& rows);
  /// Raises the watermarks of an idle side to the other side's (see the top of the file).
  void FollowActiveSide(const BatchContext& context);
  /// Moves the watermarks of side `s` on from its rows `fresh` of this batch.
  void AdvanceWatermarks(int s, const arrow::Table& fresh);
  /// Drops the state rows no later row of the other side can match; those of a padded side
  /// without a partner go to `out`, padded.
  arrow::Status Prune(std::vector<std::shared_ptr<arrow::Table>>* out);
  /// Rows of side `s` (its input's columns) as rows of the join, the other side's columns NULL
  /// (a semi or anti join's rows are the left rows as they are).
  arrow::Result<std::shared_ptr<arrow::Table>> Padded(int s, const std::shared_ptr<arrow::Table>& rows) const;
  /// Adds to `out` the rows of `held` (state rows of marked side `s`) that never found a partner,
  /// padded (an anti join's as they are; a semi join's are not written).
  arrow::Status PadUnmatched(int s, const std::shared_ptr<arrow::Table>& held,
                             std::vector<std::shared_ptr<arrow::Table>>* out) const;
  /// `rows` of marked side `s` less those with a NULL in a bounded time column, which can never
  /// match: those go to `out` at once, as PadUnmatched writes them.
  arrow::Result<std::shared_ptr<arrow::Table>> PadTimeless(int s, const std::shared_ptr<arrow::Table>& rows,
                                                           std::vector<std::shared_ptr<arrow::Table>>* out) const;
  /// The delta joins of an outer, semi or anti join: the pairs (or a semi join's left rows that
  /// found their first partner) go to `out`; the rows of `fresh` join the state, and a marked
  /// side's rows (new or held) that found a partner are marked.
  arrow::Status JoinOuter(const std::shared_ptr<arrow::Table> (&fresh)[2],
                          std::vector<std::shared_ptr<arrow::Table>>* out);
  /// The inner join of `left` and `right` (the sides' columns), marking which rows paired.
  arrow::Result<MarkedPairs> JoinMarked(const std::shared_ptr<arrow::Table>& left,
                                        const std::shared_ptr<arrow::Table>& right);
  /// Writes back the flags of `held` (rows side `s` holds, as StoredMatching read them) with
  /// those of `matched` set; `newly_matched`, if given, receives the rows whose flag it set
  /// (without the flag).
  arrow::Status MarkStored(int s, const std::shared_ptr<arrow::Table>& held, const std::vector<uint8_t>& matched,
                           std::shared_ptr<arrow::Table>* newly_matched = nullptr);
  /// A semi or anti join: it writes left rows, not pairs.
  bool Existence() const { return type_ == plan::JoinType::kLeftSemi || type_ == plan::JoinType::kLeftAnti; }
  /// The rows side `s` holds that `probe`'s rows (of the other side) may match (with their
  /// flags, on a padded side).
  arrow::Result<std::shared_ptr<arrow::Table>> StoredMatching(int s, const std::shared_ptr<arrow::Table>& probe);
  /// Keeps the rows of `rows` whose `field` is >= `threshold` (nulls go, unless `keep_nulls`).
  static arrow::Result<std::shared_ptr<arrow::Table>> KeepFrom(const std::shared_ptr<arrow::Table>& rows,
                                                               const std::string& field, int64_t threshold,
                                                               bool keep_nulls = false);
  arrow::Result<std::shared_ptr<arrow::Table>> Join(std::shared_ptr<arrow::Table> left,
                                                    std::shared_ptr<arrow::Table> right);

  plan::NodePtr join_;
  plan::NodePtr filter_;  ///< null, or the WHERE over join_ this operator applies
  plan::JoinType type_ = plan::JoinType::kInner;
  exec::ExecOptions options_;
  std::vector<TimeConstraint> constraints_;
  std::vector<Bound> bounds_;
  Side sides_[2];
  int64_t late_rows_ = 0;
  std::set<std::string> side_sources_[2];
  LateRowsTable* late_ = nullptr;
  int64_t prunes_ = 0;  ///< Prune calls (in RocksDB, a prune reads every row: it runs 1 in 16)
};

}  // namespace tidelake::stream
