#include "delta/merge.h"

#include <arrow/array/util.h>
#include <arrow/builder.h>
#include <arrow/compute/api.h>
#include <arrow/compute/initialize.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/arrow_init.h"
#include "common/clock.h"
#include "common/error.h"
#include "delta/data_writer.h"
#include "delta/delete.h"
#include "delta/dml_rows.h"
#include "delta/merge_join.h"
#include "delta/scan.h"
#include "delta/schema.h"

namespace tidelake::delta {

namespace cp = arrow::compute;

namespace {

using BoolArray = std::shared_ptr<arrow::BooleanArray>;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string ColumnList(const arrow::Schema& schema, const std::string& alias) {
  std::string all;
  for (const auto& f : schema.fields()) all += (all.empty() ? "" : ", ") + alias + "." + f->name();
  return all;
}

const char* ActionType(MergeClause::Kind kind) {
  switch (kind) {
    case MergeClause::kUpdate:
    case MergeClause::kUpdateAll: return "update";
    case MergeClause::kDelete: return "delete";
    case MergeClause::kInsert:
    case MergeClause::kInsertAll: return "insert";
  }
  return "update";
}

const char* KindName(MergeClause::Kind kind) {
  switch (kind) {
    case MergeClause::kUpdate: return "UPDATE";
    case MergeClause::kUpdateAll: return "UPDATE SET *";
    case MergeClause::kDelete: return "DELETE";
    case MergeClause::kInsert: return "INSERT";
    case MergeClause::kInsertAll: return "INSERT *";
  }
  return "?";
}

enum class ClauseList { kMatched, kNotMatched, kNotMatchedBySource };

std::string ListName(ClauseList list) {
  switch (list) {
    case ClauseList::kMatched: return "WHEN MATCHED";
    case ClauseList::kNotMatched: return "WHEN NOT MATCHED";
    case ClauseList::kNotMatchedBySource: return "WHEN NOT MATCHED BY SOURCE";
  }
  return "";
}

arrow::Result<BoolArray> AllTrue(int64_t n) {
  ARROW_ASSIGN_OR_RAISE(auto a, arrow::MakeArrayFromScalar(arrow::BooleanScalar(true), n));
  return std::static_pointer_cast<arrow::BooleanArray>(a);
}

arrow::Result<BoolArray> AndMasks(const BoolArray& a, const BoolArray& b) {
  ARROW_ASSIGN_OR_RAISE(auto r, cp::And(a, b));
  return std::static_pointer_cast<arrow::BooleanArray>(r.make_array());
}

arrow::Result<BoolArray> AndNotMasks(const BoolArray& a, const BoolArray& b) {
  ARROW_ASSIGN_OR_RAISE(auto r, cp::AndNot(a, b));
  return std::static_pointer_cast<arrow::BooleanArray>(r.make_array());
}

arrow::Result<BoolArray> MaskOf(const std::vector<uint8_t>& flags) {
  arrow::BooleanBuilder b;
  ARROW_RETURN_NOT_OK(b.Reserve(static_cast<int64_t>(flags.size())));
  for (uint8_t f : flags) b.UnsafeAppend(f != 0);
  ARROW_ASSIGN_OR_RAISE(auto a, b.Finish());
  return std::static_pointer_cast<arrow::BooleanArray>(a);
}

// A clause ready to run: its condition and, for updates and inserts, one value per column of
// the (possibly evolved) table schema, bound to the schema of the rows the clause sees.
struct BoundClause {
  MergeClause::Kind kind;
  std::string label;  // "MERGE WHEN MATCHED clause 2 (UPDATE)"
  std::optional<cp::Expression> condition;
  std::vector<cp::Expression> values;
};

class MergeExecution {
 public:
  MergeExecution(const Snapshot& snapshot, const std::shared_ptr<arrow::Table>& source, const MergeOptions& options,
                 Transaction* txn)
      : snapshot_(snapshot), source_table_(source), options_(options), txn_(txn) {}

  arrow::Result<MergeMetrics> Run(const cp::Expression& on);

 private:
  arrow::Status Validate() const;
  arrow::Status EvolveSchema();
  ColumnResolver Resolver(bool see_target, bool see_source, const std::string& what) const;
  arrow::Result<BoundClause> Bind(const MergeClause& clause, ClauseList list, size_t index) const;
  arrow::Status ProcessFile(int32_t ordinal, const KeyMatch* begin, const KeyMatch* end);
  arrow::Status ApplyMatched(const std::shared_ptr<arrow::RecordBatch>& aliased_target,
                             const std::shared_ptr<arrow::Int64Array>& target_positions,
                             const std::shared_ptr<arrow::Int64Array>& source_rows, const AddFile& file,
                             std::vector<uint8_t>* matched, std::vector<uint8_t>* changed);
  arrow::Status ApplyNotMatchedBySource(const std::shared_ptr<arrow::RecordBatch>& aliased_target,
                                        const std::vector<uint8_t>& matched, std::vector<uint8_t>* changed);
  arrow::Status InsertUnmatchedSource();
  arrow::Status Update(const BoundClause& clause, const std::shared_ptr<arrow::RecordBatch>& rows,
                       const std::shared_ptr<arrow::RecordBatch>& before);
  arrow::Status RecordDelete(const std::shared_ptr<arrow::RecordBatch>& before);
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> BuildRows(const BoundClause& clause,
                                                               const std::shared_ptr<arrow::RecordBatch>& rows) const;
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> ToTableSchema(const std::shared_ptr<arrow::RecordBatch>& rows) const;
  arrow::Status WriteRows(const std::shared_ptr<arrow::RecordBatch>& rows);
  arrow::Status MultipleMatchError(const std::shared_ptr<arrow::RecordBatch>& joined, int64_t first, int64_t second,
                                   const arrow::Int64Array& source_rows, const AddFile& file) const;

  const Snapshot& snapshot_;
  std::shared_ptr<arrow::Table> source_table_;
  const MergeOptions& options_;
  Transaction* txn_;
  int64_t now_ = 0;

  std::shared_ptr<arrow::Schema> target_schema_;  // the table schema as read
  std::shared_ptr<arrow::Schema> table_schema_;   // after schema evolution (written rows)
  bool evolved_ = false;
  std::shared_ptr<arrow::Schema> aliased_target_;
  std::shared_ptr<arrow::Schema> aliased_source_;
  std::shared_ptr<arrow::Schema> joined_schema_;
  std::shared_ptr<arrow::RecordBatch> source_;  // aliased source rows
  std::vector<std::string> on_target_columns_;  // for error messages

  MergeJoinPlan plan_;
  std::optional<cp::Expression> residual_;    // bound to joined_schema_
  std::optional<cp::Expression> act_filter_;  // which matched pairs count as acting (matched-only merges)
  bool unconditional_delete_only_ = false;
  std::vector<BoundClause> matched_;
  std::vector<BoundClause> not_matched_;
  std::vector<BoundClause> not_matched_by_source_;

  std::shared_ptr<Scan> read_scan_;
  bool use_dv_ = false;
  std::unique_ptr<DataWriter> writer_;
  std::unique_ptr<ChangeDataWriter> cdc_;
  std::vector<uint8_t> source_matched_;
  MergeMetrics metrics_;
};

arrow::Status MergeExecution::Validate() const {
  if (!source_table_) return arrow::Status::Invalid("MERGE: the source is null");
  if (options_.target_alias.empty() || options_.source_alias.empty()) {
    return arrow::Status::Invalid("MERGE: the target and source aliases must not be empty");
  }
  if (EqualsIgnoreCase(options_.target_alias, options_.source_alias)) {
    return arrow::Status::Invalid("MERGE: the target and the source have the same alias '", options_.target_alias, "'");
  }
  if (options_.matched.empty() && options_.not_matched.empty() && options_.not_matched_by_source.empty()) {
    return arrow::Status::Invalid("MERGE needs at least one WHEN clause");
  }
  auto check = [](const std::vector<MergeClause>& clauses, ClauseList list) -> arrow::Status {
    for (size_t i = 0; i < clauses.size(); ++i) {
      const auto& c = clauses[i];
      std::string label = "MERGE " + ListName(list) + " clause " + std::to_string(i + 1) + " (" + KindName(c.kind) + ")";
      bool allowed = list == ClauseList::kNotMatched
                         ? (c.kind == MergeClause::kInsert || c.kind == MergeClause::kInsertAll)
                         : (c.kind == MergeClause::kUpdate || c.kind == MergeClause::kDelete ||
                            (list == ClauseList::kMatched && c.kind == MergeClause::kUpdateAll));
      if (!allowed) return arrow::Status::Invalid(label, ": this action is not allowed in a ", ListName(list), " clause");
      if (!c.condition && i + 1 < clauses.size()) {
        return arrow::Status::Invalid(label, ": when there is more than one ", ListName(list),
                                      " clause, only the last one can omit the condition");
      }
      bool takes_values = c.kind == MergeClause::kUpdate || c.kind == MergeClause::kInsert;
      if (takes_values && c.assignments.empty()) return arrow::Status::Invalid(label, ": no column is assigned");
      if (!takes_values && !c.assignments.empty()) return arrow::Status::Invalid(label, ": takes no assignments");
    }
    return arrow::Status::OK();
  };
  ARROW_RETURN_NOT_OK(check(options_.matched, ClauseList::kMatched));
  ARROW_RETURN_NOT_OK(check(options_.not_matched, ClauseList::kNotMatched));
  return check(options_.not_matched_by_source, ClauseList::kNotMatchedBySource);
}

arrow::Status MergeExecution::EvolveSchema() {
  table_schema_ = target_schema_;
  if (!options_.merge_schema) return arrow::Status::OK();
  bool star = std::any_of(options_.matched.begin(), options_.matched.end(),
                          [](const auto& c) { return c.kind == MergeClause::kUpdateAll; }) ||
              std::any_of(options_.not_matched.begin(), options_.not_matched.end(),
                          [](const auto& c) { return c.kind == MergeClause::kInsertAll; });
  if (!star) return arrow::Status::OK();
  // Existing top-level columns keep their type (values are cast on write); the merge only adds
  // columns, and nested fields inside structs.
  arrow::FieldVector incoming;
  for (const auto& f : source_table_->schema()->fields()) {
    int idx = FindColumn(*target_schema_, f->name());
    const auto& existing = idx >= 0 ? target_schema_->field(idx) : nullptr;
    bool nested = existing && arrow::is_nested(existing->type()->id()) && arrow::is_nested(f->type()->id());
    incoming.push_back(existing && !nested ? existing : f);
  }
  for (const auto& f : target_schema_->fields()) {
    if (FindColumn(*source_table_->schema(), f->name()) < 0) incoming.push_back(f);
  }
  auto merged = MergeSchemas(*target_schema_, *arrow::schema(incoming), /*allow_new_columns=*/true);
  if (!merged.ok()) return arrow::Status::Invalid("MERGE schema evolution: ", merged.status().message());
  if ((*merged)->Equals(*target_schema_, /*check_metadata=*/true)) return arrow::Status::OK();
  if (ColumnMappingModeFrom(snapshot_.metadata().configuration) != ColumnMappingMode::kNone) {
    return arrow::Status::NotImplemented(
        "MERGE schema evolution on a table with column mapping is not supported yet (new columns would need "
        "column-mapping ids and physical names)");
  }
  Metadata metadata = snapshot_.metadata();
  ARROW_ASSIGN_OR_RAISE(metadata.schema_string, SchemaToJson(**merged));
  ARROW_ASSIGN_OR_RAISE(table_schema_, SchemaFromJson(metadata.schema_string));
  txn_->UpdateMetadata(std::move(metadata));
  evolved_ = true;
  return arrow::Status::OK();
}

ColumnResolver MergeExecution::Resolver(bool see_target, bool see_source, const std::string& what) const {
  return [this, see_target, see_source, what](const arrow::FieldRef& ref) -> arrow::Result<arrow::FieldRef> {
    std::vector<arrow::FieldRef> path;
    if (ref.IsName()) {
      path.push_back(ref);
    } else if (const auto* nested = ref.nested_refs(); nested && !nested->empty() && nested->front().IsName()) {
      path = *nested;
    } else {
      return ref;
    }
    struct SideInfo {
      const std::string* alias;
      const arrow::Schema* schema;
      bool visible;
    };
    SideInfo sides[2] = {{&options_.target_alias, target_schema_.get(), see_target},
                         {&options_.source_alias, source_table_->schema().get(), see_source}};
    const std::string& first = *path.front().name();
    const SideInfo* side = nullptr;
    std::string column;
    size_t rest = 1;
    for (const auto& s : sides) {
      if (path.size() >= 2 && path[1].IsName() && EqualsIgnoreCase(first, *s.alias)) {
        side = &s;
        column = *path[1].name();
        rest = 2;
      } else if (first.size() > s.alias->size() && first[s.alias->size()] == '.' &&
                 EqualsIgnoreCase(std::string_view(first).substr(0, s.alias->size()), *s.alias)) {
        side = &s;
        column = first.substr(s.alias->size() + 1);
      }
      if (side) break;
    }
    int idx = -1;
    if (side) {
      if (!side->visible) {
        return arrow::Status::Invalid(what, ": cannot reference ", *side->alias, " columns here ('", first,
                                      rest == 2 ? "." + column : "", "')");
      }
      idx = FindColumn(*side->schema, column);
      if (idx < 0) {
        return arrow::Status::Invalid(what, ": column '", *side->alias, ".", column, "' does not exist; ",
                                      *side->alias, " columns are: ", ColumnList(*side->schema, *side->alias));
      }
    } else {
      for (const auto& s : sides) {
        if (!s.visible) continue;
        int i = FindColumn(*s.schema, first);
        if (i < 0) continue;
        if (side) {
          return arrow::Status::Invalid(what, ": column reference '", first, "' is ambiguous; qualify it as ",
                                        *sides[0].alias, ".", first, " or ", *sides[1].alias, ".", first);
        }
        side = &s;
        idx = i;
      }
      if (!side) {
        std::string available;
        for (const auto& s : sides) {
          if (s.visible) available += (available.empty() ? "" : ", ") + ColumnList(*s.schema, *s.alias);
        }
        return arrow::Status::Invalid(what, ": cannot resolve column '", first, "'; available columns: ", available);
      }
    }
    arrow::FieldRef head(*side->alias + "." + side->schema->field(idx)->name());
    if (rest >= path.size()) return head;
    std::vector<arrow::FieldRef> out{head};
    out.insert(out.end(), path.begin() + static_cast<std::ptrdiff_t>(rest), path.end());
    return arrow::FieldRef(std::move(out));
  };
}

arrow::Result<BoundClause> MergeExecution::Bind(const MergeClause& clause, ClauseList list, size_t index) const {
  BoundClause out;
  out.kind = clause.kind;
  out.label = "MERGE " + ListName(list) + " clause " + std::to_string(index + 1) + " (" + KindName(clause.kind) + ")";
  const bool see_target = list != ClauseList::kNotMatched;
  const bool see_source = list != ClauseList::kNotMatchedBySource;
  const auto& scope = list == ClauseList::kMatched ? joined_schema_
                      : see_target                 ? aliased_target_
                                                   : aliased_source_;
  auto resolver = Resolver(see_target, see_source, out.label);
  auto bind = [&](const cp::Expression& e, const std::string& what) -> arrow::Result<cp::Expression> {
    ARROW_ASSIGN_OR_RAISE(auto resolved, ResolveColumns(e, resolver));
    auto bound = resolved.Bind(*scope);
    if (!bound.ok()) {
      return arrow::Status::Invalid(out.label, ": ", what, " ", e.ToString(), ": ", bound.status().message());
    }
    return *bound;
  };
  if (clause.condition) {
    ARROW_ASSIGN_OR_RAISE(out.condition, bind(*clause.condition, "condition"));
    if (out.condition->type()->id() != arrow::Type::BOOL) {
      return arrow::Status::TypeError(out.label, ": condition ", clause.condition->ToString(), " is ",
                                      out.condition->type()->ToString(), ", not boolean");
    }
  }
  if (clause.kind == MergeClause::kDelete) return out;

  const bool is_update = clause.kind == MergeClause::kUpdate || clause.kind == MergeClause::kUpdateAll;
  const auto& table = *table_schema_;
  std::vector<std::optional<cp::Expression>> values(static_cast<size_t>(table.num_fields()));
  if (clause.kind == MergeClause::kUpdateAll || clause.kind == MergeClause::kInsertAll) {
    const auto& source = *source_table_->schema();
    for (int c = 0; c < table.num_fields(); ++c) {
      const auto& name = table.field(c)->name();
      int s = FindColumn(source, name);
      if (s >= 0) {
        values[static_cast<size_t>(c)] = cp::field_ref(options_.source_alias + "." + source.field(s)->name());
      } else if (!options_.merge_schema) {
        return arrow::Status::Invalid(out.label, ": the source has no column '", name,
                                      "' for the target column of that name; source columns are: ",
                                      ColumnList(source, options_.source_alias),
                                      " (set merge_schema to keep or null columns the source lacks)");
      }
    }
  } else {
    for (const auto& [key, expr] : clause.assignments) {
      std::string name = key;
      const std::string& alias = options_.target_alias;
      if (name.size() > alias.size() && name[alias.size()] == '.' &&
          EqualsIgnoreCase(std::string_view(name).substr(0, alias.size()), alias) &&
          FindColumn(table, name) < 0) {
        name = name.substr(alias.size() + 1);
      }
      int c = FindColumn(table, name);
      if (c < 0) {
        return arrow::Status::Invalid(out.label, ": the target has no column '", key, "'");
      }
      auto& slot = values[static_cast<size_t>(c)];
      if (slot) return arrow::Status::Invalid(out.label, ": column '", table.field(c)->name(), "' is assigned twice");
      ARROW_ASSIGN_OR_RAISE(auto resolved, ResolveColumns(expr, resolver));
      slot = resolved;
    }
  }
  for (int c = 0; c < table.num_fields(); ++c) {
    const auto& field = table.field(c);
    auto& slot = values[static_cast<size_t>(c)];
    if (!slot) {
      // Unassigned: an update keeps the target's value (NULL for a column the merge adds); an
      // insert writes NULL.
      if (is_update && target_schema_->GetFieldIndex(field->name()) >= 0) {
        slot = cp::field_ref(options_.target_alias + "." + field->name());
      } else {
        slot = cp::literal(arrow::MakeNullScalar(field->type()));
      }
    }
    auto bound = slot->Bind(*scope);
    if (!bound.ok()) {
      return arrow::Status::Invalid(out.label, ": value for column '", field->name(), "' (", slot->ToString(),
                                    "): ", bound.status().message());
    }
    if (!bound->type()->Equals(*field->type()) && bound->type()->id() != arrow::Type::NA &&
        !cp::CanCast(*bound->type(), *field->type())) {
      return arrow::Status::TypeError(out.label, ": cannot assign a value of type ", bound->type()->ToString(),
                                      " to column '", field->name(), "' of type ", field->type()->ToString());
    }
    out.values.push_back(*bound);
  }
  return out;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> MergeExecution::BuildRows(
    const BoundClause& clause, const std::shared_ptr<arrow::RecordBatch>& rows) const {
  arrow::ArrayVector columns;
  for (int c = 0; c < table_schema_->num_fields(); ++c) {
    ARROW_ASSIGN_OR_RAISE(auto values, EvaluateArray(clause.values[static_cast<size_t>(c)], *rows));
    ARROW_ASSIGN_OR_RAISE(auto cast, CastForColumn(values, *table_schema_->field(c), clause.label));
    columns.push_back(std::move(cast));
  }
  return arrow::RecordBatch::Make(table_schema_, rows->num_rows(), std::move(columns));
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> MergeExecution::ToTableSchema(
    const std::shared_ptr<arrow::RecordBatch>& rows) const {
  if (!evolved_) return Relabel(rows, table_schema_);
  return ConformToTableSchema(Relabel(rows, target_schema_), table_schema_);
}

arrow::Status MergeExecution::WriteRows(const std::shared_ptr<arrow::RecordBatch>& rows) {
  if (rows->num_rows() == 0) return arrow::Status::OK();
  if (!writer_) {
    ARROW_ASSIGN_OR_RAISE(writer_, DataWriter::Make(snapshot_.location(), table_schema_, snapshot_.partition_columns(),
                                                    txn_->metadata().configuration));
  }
  return writer_->Write(rows);
}

arrow::Status MergeExecution::Update(const BoundClause& clause, const std::shared_ptr<arrow::RecordBatch>& rows,
                                     const std::shared_ptr<arrow::RecordBatch>& before) {
  ARROW_ASSIGN_OR_RAISE(auto after, BuildRows(clause, rows));
  ARROW_RETURN_NOT_OK(WriteRows(after));
  if (cdc_) {
    ARROW_ASSIGN_OR_RAISE(auto pre, ToTableSchema(before));
    ARROW_RETURN_NOT_OK(cdc_->Write(pre, kChangeUpdatePreimage));
    ARROW_RETURN_NOT_OK(cdc_->Write(after, kChangeUpdatePostimage));
  }
  return arrow::Status::OK();
}

arrow::Status MergeExecution::RecordDelete(const std::shared_ptr<arrow::RecordBatch>& before) {
  if (!cdc_) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto pre, ToTableSchema(before));
  return cdc_->Write(pre, kChangeDelete);
}

arrow::Status MergeExecution::MultipleMatchError(const std::shared_ptr<arrow::RecordBatch>& joined, int64_t first,
                                                 int64_t second, const arrow::Int64Array& source_rows,
                                                 const AddFile& file) const {
  std::string row;
  for (const auto& name : on_target_columns_) {
    auto column = joined->GetColumnByName(name);
    if (!column) continue;
    auto value = column->GetScalar(first);
    row += (row.empty() ? "" : ", ") + name + " = " + (value.ok() ? (*value)->ToString() : std::string("?"));
  }
  return arrow::Status::Invalid(
      "MERGE: multiple source rows matched the same target row and tried to modify it, which is ambiguous "
      "(Delta: DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE): the target row with ",
      row.empty() ? std::string("(no ON columns)") : row, " in file '", DecodePath(file.path),
      "' matched source rows ", source_rows.Value(first), " and ", source_rows.Value(second),
      " (0-based). Deduplicate the source, or refine the ON condition so that each target row matches at most "
      "one source row.");
}

arrow::Status MergeExecution::ApplyMatched(const std::shared_ptr<arrow::RecordBatch>& aliased_target,
                                           const std::shared_ptr<arrow::Int64Array>& target_positions,
                                           const std::shared_ptr<arrow::Int64Array>& source_rows,
                                           const AddFile& file, std::vector<uint8_t>* matched,
                                           std::vector<uint8_t>* changed) {
  ARROW_ASSIGN_OR_RAISE(auto t_taken, cp::Take(aliased_target, target_positions));
  ARROW_ASSIGN_OR_RAISE(auto s_taken, cp::Take(source_, source_rows));
  const int64_t k = target_positions->length();
  arrow::ArrayVector columns = t_taken.record_batch()->columns();
  for (const auto& c : s_taken.record_batch()->columns()) columns.push_back(c);
  auto joined = arrow::RecordBatch::Make(joined_schema_, k, std::move(columns));

  BoolArray on_mask;
  if (residual_) {
    ARROW_ASSIGN_OR_RAISE(on_mask, EvaluateMatch(*residual_, *joined));
  } else {
    ARROW_ASSIGN_OR_RAISE(on_mask, AllTrue(k));
  }
  for (int64_t i = 0; i < k; ++i) {
    if (!on_mask->Value(i)) continue;
    source_matched_[static_cast<size_t>(source_rows->Value(i))] = 1;
    (*matched)[static_cast<size_t>(target_positions->Value(i))] = 1;
  }
  if (matched_.empty()) return arrow::Status::OK();

  BoolArray acting = on_mask;
  if (act_filter_) {
    ARROW_ASSIGN_OR_RAISE(auto act, EvaluateMatch(*act_filter_, *joined));
    ARROW_ASSIGN_OR_RAISE(acting, AndMasks(on_mask, act));
  }
  // Pairs of one target row are adjacent. At most one of them may act on the row.
  std::vector<uint8_t> chosen(static_cast<size_t>(k), 0);
  for (int64_t g = 0; g < k;) {
    int64_t end = g;
    int64_t first = -1;
    while (end < k && target_positions->Value(end) == target_positions->Value(g)) {
      if (acting->Value(end)) {
        if (first < 0) {
          first = end;
        } else if (!unconditional_delete_only_) {
          return MultipleMatchError(joined, first, end, *source_rows, file);
        }
      }
      ++end;
    }
    if (first >= 0) chosen[static_cast<size_t>(first)] = 1;
    g = end;
  }
  ARROW_ASSIGN_OR_RAISE(auto remaining, MaskOf(chosen));
  for (const auto& clause : matched_) {
    if (remaining->true_count() == 0) break;
    BoolArray selected = remaining;
    if (clause.condition) {
      ARROW_ASSIGN_OR_RAISE(auto cond, EvaluateMatch(*clause.condition, *joined));
      ARROW_ASSIGN_OR_RAISE(selected, AndMasks(remaining, cond));
    }
    ARROW_ASSIGN_OR_RAISE(remaining, AndNotMasks(remaining, selected));
    const int64_t n = selected->true_count();
    if (n == 0) continue;
    for (int64_t i = 0; i < k; ++i) {
      if (selected->Value(i)) (*changed)[static_cast<size_t>(target_positions->Value(i))] = 1;
    }
    ARROW_ASSIGN_OR_RAISE(auto rows, FilterRows(joined, selected));
    arrow::ArrayVector before_columns;
    for (int c = 0; c < aliased_target_->num_fields(); ++c) before_columns.push_back(rows->column(c));
    auto before = arrow::RecordBatch::Make(aliased_target_, n, std::move(before_columns));
    if (clause.kind == MergeClause::kDelete) {
      metrics_.matched_rows_deleted += n;
      ARROW_RETURN_NOT_OK(RecordDelete(before));
    } else {
      metrics_.matched_rows_updated += n;
      ARROW_RETURN_NOT_OK(Update(clause, rows, before));
    }
  }
  return arrow::Status::OK();
}

arrow::Status MergeExecution::ApplyNotMatchedBySource(const std::shared_ptr<arrow::RecordBatch>& aliased_target,
                                                      const std::vector<uint8_t>& matched,
                                                      std::vector<uint8_t>* changed) {
  std::vector<uint8_t> unmatched(matched.size());
  for (size_t i = 0; i < matched.size(); ++i) unmatched[i] = matched[i] ? 0 : 1;
  ARROW_ASSIGN_OR_RAISE(auto remaining, MaskOf(unmatched));
  for (const auto& clause : not_matched_by_source_) {
    if (remaining->true_count() == 0) break;
    BoolArray selected = remaining;
    if (clause.condition) {
      ARROW_ASSIGN_OR_RAISE(auto cond, EvaluateMatch(*clause.condition, *aliased_target));
      ARROW_ASSIGN_OR_RAISE(selected, AndMasks(remaining, cond));
    }
    ARROW_ASSIGN_OR_RAISE(remaining, AndNotMasks(remaining, selected));
    const int64_t n = selected->true_count();
    if (n == 0) continue;
    for (int64_t i = 0; i < selected->length(); ++i) {
      if (selected->Value(i)) (*changed)[static_cast<size_t>(i)] = 1;
    }
    ARROW_ASSIGN_OR_RAISE(auto rows, FilterRows(aliased_target, selected));
    if (clause.kind == MergeClause::kDelete) {
      metrics_.not_matched_by_source_rows_deleted += n;
      ARROW_RETURN_NOT_OK(RecordDelete(rows));
    } else {
      metrics_.not_matched_by_source_rows_updated += n;
      ARROW_RETURN_NOT_OK(Update(clause, rows, rows));
    }
  }
  return arrow::Status::OK();
}

arrow::Status MergeExecution::ProcessFile(int32_t ordinal, const KeyMatch* begin, const KeyMatch* end) {
  const AddFile& file = snapshot_.files()[static_cast<size_t>(ordinal)];
  ARROW_ASSIGN_OR_RAISE(auto batches, read_scan_->ReadFile(file));
  DeletionVector changed_rows;
  int64_t n_changed = 0;
  int64_t n_kept = 0;
  std::vector<std::shared_ptr<arrow::RecordBatch>> kept;
  const KeyMatch* m = begin;
  for (const auto& batch : batches) {
    const int64_t n = batch->num_rows();
    const auto& positions = static_cast<const arrow::Int64Array&>(*batch->GetColumnByName(kRowIndexColumn));
    ARROW_ASSIGN_OR_RAISE(auto target_rows, ProjectToSchema(batch, target_schema_));
    auto aliased = Relabel(target_rows, aliased_target_);
    std::vector<uint8_t> matched(static_cast<size_t>(n), 0);
    std::vector<uint8_t> changed(static_cast<size_t>(n), 0);
    arrow::Int64Builder pair_targets;
    arrow::Int64Builder pair_sources;
    for (int64_t p = 0; p < n && m != end; ++p) {
      const int64_t row = positions.Value(p);
      while (m != end && m->row < row) ++m;
      while (m != end && m->row == row) {
        ARROW_RETURN_NOT_OK(pair_targets.Append(p));
        ARROW_RETURN_NOT_OK(pair_sources.Append(m->source_row));
        ++m;
      }
    }
    if (pair_targets.length() > 0) {
      ARROW_ASSIGN_OR_RAISE(auto t, pair_targets.Finish());
      ARROW_ASSIGN_OR_RAISE(auto s, pair_sources.Finish());
      ARROW_RETURN_NOT_OK(ApplyMatched(aliased, std::static_pointer_cast<arrow::Int64Array>(t),
                                       std::static_pointer_cast<arrow::Int64Array>(s), file, &matched, &changed));
    }
    if (!not_matched_by_source_.empty()) ARROW_RETURN_NOT_OK(ApplyNotMatchedBySource(aliased, matched, &changed));
    std::vector<uint8_t> keep(static_cast<size_t>(n));
    for (int64_t p = 0; p < n; ++p) {
      keep[static_cast<size_t>(p)] = changed[static_cast<size_t>(p)] ? 0 : 1;
      if (changed[static_cast<size_t>(p)]) {
        changed_rows.Add(static_cast<uint64_t>(positions.Value(p)));
        ++n_changed;
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto keep_mask, MaskOf(keep));
    ARROW_ASSIGN_OR_RAISE(auto kept_rows, FilterRows(target_rows, keep_mask));
    n_kept += kept_rows->num_rows();
    if (kept_rows->num_rows() > 0) kept.push_back(std::move(kept_rows));
  }
  if (n_changed == 0) return arrow::Status::OK();
  ++metrics_.files_removed;
  if (use_dv_ && n_kept > 0) {
    ARROW_ASSIGN_OR_RAISE(auto actions, AddDeletionVector(snapshot_.location(), file, changed_rows, now_));
    txn_->Add(std::move(actions.first));
    txn_->Add(std::move(actions.second));
    ++metrics_.files_added;
    ++metrics_.deletion_vectors_added;
    return arrow::Status::OK();
  }
  // Copy-on-write (or every row changed): the unchanged rows move to new files.
  for (const auto& rows : kept) {
    ARROW_ASSIGN_OR_RAISE(auto conformed, ToTableSchema(rows));
    ARROW_RETURN_NOT_OK(WriteRows(conformed));
    metrics_.rows_copied += rows->num_rows();
  }
  txn_->Add(RemoveFileFor(file, now_));
  return arrow::Status::OK();
}

arrow::Status MergeExecution::InsertUnmatchedSource() {
  if (not_matched_.empty()) return arrow::Status::OK();
  arrow::Int64Builder indices;
  for (size_t i = 0; i < source_matched_.size(); ++i) {
    if (!source_matched_[i]) ARROW_RETURN_NOT_OK(indices.Append(static_cast<int64_t>(i)));
  }
  if (indices.length() == 0) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto index_array, indices.Finish());
  ARROW_ASSIGN_OR_RAISE(auto taken, cp::Take(source_, index_array));
  auto unmatched = taken.record_batch();
  ARROW_ASSIGN_OR_RAISE(auto remaining, AllTrue(unmatched->num_rows()));
  for (const auto& clause : not_matched_) {
    if (remaining->true_count() == 0) break;
    BoolArray selected = remaining;
    if (clause.condition) {
      ARROW_ASSIGN_OR_RAISE(auto cond, EvaluateMatch(*clause.condition, *unmatched));
      ARROW_ASSIGN_OR_RAISE(selected, AndMasks(remaining, cond));
    }
    ARROW_ASSIGN_OR_RAISE(remaining, AndNotMasks(remaining, selected));
    if (selected->true_count() == 0) continue;
    ARROW_ASSIGN_OR_RAISE(auto rows, FilterRows(unmatched, selected));
    ARROW_ASSIGN_OR_RAISE(auto inserted, BuildRows(clause, rows));
    ARROW_RETURN_NOT_OK(WriteRows(inserted));
    if (cdc_) ARROW_RETURN_NOT_OK(cdc_->Write(inserted, kChangeInsert));
    metrics_.rows_inserted += inserted->num_rows();
  }
  return arrow::Status::OK();
}

arrow::Result<MergeMetrics> MergeExecution::Run(const cp::Expression& on) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  ARROW_RETURN_NOT_OK(Validate());
  now_ = NowMillis();
  target_schema_ = snapshot_.schema();
  ARROW_RETURN_NOT_OK(EvolveSchema());
  aliased_target_ = AliasSchema(*target_schema_, options_.target_alias);
  aliased_source_ = AliasSchema(*source_table_->schema(), options_.source_alias);
  arrow::FieldVector joined_fields = aliased_target_->fields();
  for (const auto& f : aliased_source_->fields()) joined_fields.push_back(f);
  joined_schema_ = arrow::schema(std::move(joined_fields));
  ARROW_ASSIGN_OR_RAISE(auto source_batch, source_table_->CombineChunksToBatch());
  source_ = Relabel(source_batch, aliased_source_);
  metrics_.source_rows = source_->num_rows();
  source_matched_.assign(static_cast<size_t>(source_->num_rows()), 0);

  ARROW_ASSIGN_OR_RAISE(auto resolved_on, ResolveColumns(on, Resolver(true, true, "MERGE ON condition")));
  ARROW_ASSIGN_OR_RAISE(plan_, PlanMergeJoin(resolved_on, aliased_target_, aliased_source_));
  if (plan_.residual) {
    ARROW_ASSIGN_OR_RAISE(residual_, plan_.residual->Bind(*joined_schema_));
  }
  for (const auto& ref : cp::FieldsInExpression(resolved_on)) {
    const std::string* name = ref.IsName() ? ref.name() : ref.nested_refs()->front().name();
    if (name && aliased_target_->GetFieldIndex(*name) >= 0 &&
        std::find(on_target_columns_.begin(), on_target_columns_.end(), *name) == on_target_columns_.end()) {
      on_target_columns_.push_back(*name);
    }
  }
  for (size_t i = 0; i < options_.matched.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto c, Bind(options_.matched[i], ClauseList::kMatched, i));
    matched_.push_back(std::move(c));
  }
  for (size_t i = 0; i < options_.not_matched.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto c, Bind(options_.not_matched[i], ClauseList::kNotMatched, i));
    not_matched_.push_back(std::move(c));
  }
  for (size_t i = 0; i < options_.not_matched_by_source.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto c, Bind(options_.not_matched_by_source[i], ClauseList::kNotMatchedBySource, i));
    not_matched_by_source_.push_back(std::move(c));
  }
  // As in Delta: a merge with only matched clauses, all conditional, counts a pair towards the
  // multiple-match check only if some clause condition holds for it; otherwise every pair does.
  unconditional_delete_only_ =
      matched_.size() == 1 && matched_[0].kind == MergeClause::kDelete && !matched_[0].condition;
  bool matched_only = not_matched_.empty() && not_matched_by_source_.empty();
  bool all_conditional = std::all_of(matched_.begin(), matched_.end(), [](const auto& c) { return c.condition; });
  if (matched_only && all_conditional && !matched_.empty()) {
    std::vector<cp::Expression> conditions;
    for (const auto& c : options_.matched) {
      ARROW_ASSIGN_OR_RAISE(auto r, ResolveColumns(*c.condition, Resolver(true, true, "MERGE")));
      conditions.push_back(std::move(r));
    }
    cp::Expression any = conditions.size() == 1 ? conditions[0] : cp::or_(conditions);
    ARROW_ASSIGN_OR_RAISE(act_filter_, any.Bind(*joined_schema_));
  }

  use_dv_ = UsesDeletionVectors(snapshot_);
  if (ChangeDataFeedEnabled(txn_->metadata())) {
    ARROW_ASSIGN_OR_RAISE(cdc_, ChangeDataWriter::Make(snapshot_.location(), table_schema_,
                                                       snapshot_.partition_columns(), txn_->metadata().configuration));
  }
  auto shared = std::shared_ptr<const Snapshot>(std::shared_ptr<const Snapshot>{}, &snapshot_);
  ScanOptions read_options;
  read_options.with_row_position = true;
  ARROW_ASSIGN_OR_RAISE(read_scan_, Scan::Make(shared, read_options));

  // Pass 1: the pairs whose join keys are equal.
  ARROW_ASSIGN_OR_RAISE(auto filter, TargetMatchFilter(plan_, options_.target_alias, *target_schema_, source_));
  if (!not_matched_by_source_.empty() || !filter) {
    txn_->ReadWholeTable();
  } else {
    txn_->ReadPredicate(*filter);
  }
  ARROW_ASSIGN_OR_RAISE(auto matches, FindKeyMatches(shared, filter, options_.target_alias, plan_, source_));

  // Pass 2: per target file, the full ON condition, the clauses and the rewrite.
  const bool read_matches = !matched_.empty() || residual_.has_value();
  if (!not_matched_by_source_.empty()) {
    size_t m = 0;
    for (size_t f = 0; f < snapshot_.files().size(); ++f) {
      size_t e = m;
      while (e < matches.size() && matches[e].file == static_cast<int32_t>(f)) ++e;
      ARROW_RETURN_NOT_OK(ProcessFile(static_cast<int32_t>(f), matches.data() + m, matches.data() + e));
      m = e;
    }
  } else if (read_matches) {
    for (size_t m = 0; m < matches.size();) {
      size_t e = m;
      while (e < matches.size() && matches[e].file == matches[m].file) ++e;
      ARROW_RETURN_NOT_OK(ProcessFile(matches[m].file, matches.data() + m, matches.data() + e));
      m = e;
    }
  } else {
    for (const auto& match : matches) source_matched_[static_cast<size_t>(match.source_row)] = 1;
  }
  ARROW_RETURN_NOT_OK(InsertUnmatchedSource());

  if (writer_) {
    ARROW_ASSIGN_OR_RAISE(auto adds, writer_->Finish());
    metrics_.files_added += static_cast<int64_t>(adds.size());
    txn_->Add(std::move(adds));
  }
  if (cdc_) {
    ARROW_ASSIGN_OR_RAISE(auto changes, cdc_->Finish());
    metrics_.change_files_added = static_cast<int64_t>(changes.size());
    for (auto& c : changes) txn_->Add(std::move(c));
  }
  metrics_.rows_updated = metrics_.matched_rows_updated + metrics_.not_matched_by_source_rows_updated;
  metrics_.rows_deleted = metrics_.matched_rows_deleted + metrics_.not_matched_by_source_rows_deleted;
  return metrics_;
}

std::string ClausesJson(const std::vector<MergeClause>& clauses) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : clauses) {
    nlohmann::json j;
    if (c.condition) j["predicate"] = c.condition->ToString();
    j["actionType"] = ActionType(c.kind);
    out.push_back(std::move(j));
  }
  return out.dump();
}

}  // namespace

arrow::Result<MergeMetrics> PlanMerge(const Snapshot& snapshot, const std::shared_ptr<arrow::Table>& source,
                                      const cp::Expression& on, const MergeOptions& options, Transaction* txn) {
  MergeExecution execution(snapshot, source, options, txn);
  return execution.Run(on);
}

arrow::Result<std::pair<MergeMetrics, int64_t>> Merge(const TableLocation& target, std::shared_ptr<arrow::Table> source,
                                                      const cp::Expression& on, const MergeOptions& options) {
  ErrorContext where{.table = target.display_name.empty() ? target.root : target.display_name};
  ARROW_ASSIGN_OR_RAISE(auto snapshot, AddContext(Snapshot::Load(target), where));
  where.version = snapshot->version();
  auto txn = Transaction::ForSnapshot(snapshot);
  ARROW_ASSIGN_OR_RAISE(auto metrics, AddContext(PlanMerge(*snapshot, source, on, options, txn.get()), where));
  bool schema_changed = txn->metadata().schema_string != snapshot->metadata().schema_string;
  if (metrics.files_added == 0 && metrics.files_removed == 0 && metrics.change_files_added == 0 && !schema_changed) {
    return std::make_pair(metrics, snapshot->version());
  }
  std::map<std::string, std::string> params{
      {"predicate", nlohmann::json::array({on.ToString()}).dump()},
      {"matchedPredicates", ClausesJson(options.matched)},
      {"notMatchedPredicates", ClausesJson(options.not_matched)},
      {"notMatchedBySourcePredicates", ClausesJson(options.not_matched_by_source)}};
  auto n = [](int64_t v) { return std::to_string(v); };
  std::map<std::string, std::string> m{
      {"numSourceRows", n(metrics.source_rows)},
      {"numTargetRowsInserted", n(metrics.rows_inserted)},
      {"numTargetRowsUpdated", n(metrics.rows_updated)},
      {"numTargetRowsMatchedUpdated", n(metrics.matched_rows_updated)},
      {"numTargetRowsNotMatchedBySourceUpdated", n(metrics.not_matched_by_source_rows_updated)},
      {"numTargetRowsDeleted", n(metrics.rows_deleted)},
      {"numTargetRowsMatchedDeleted", n(metrics.matched_rows_deleted)},
      {"numTargetRowsNotMatchedBySourceDeleted", n(metrics.not_matched_by_source_rows_deleted)},
      {"numTargetRowsCopied", n(metrics.rows_copied)},
      {"numOutputRows", n(metrics.rows_inserted + metrics.rows_updated + metrics.rows_copied)},
      {"numTargetFilesAdded", n(metrics.files_added)},
      {"numTargetFilesRemoved", n(metrics.files_removed)},
      {"numTargetChangeFilesAdded", n(metrics.change_files_added)},
      {"numTargetDeletionVectorsAdded", n(metrics.deletion_vectors_added)}};
  ARROW_ASSIGN_OR_RAISE(auto commit, AddContext(txn->Commit("MERGE", params, m), where));
  return std::make_pair(metrics, commit.version);
}

}  // namespace tidelake::delta
