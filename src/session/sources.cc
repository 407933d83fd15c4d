// CREATE SOURCE and DROP SOURCE; the binder's view of sources (FindSource, which refuses to read
// a connector table: connector_tables.cc); and reading sources in batch queries.
//
// A source is a definition in the lake (catalog::Lake::CreateSource); nothing is read or
// connected to when it is created, but everything that can be checked without a broker is: the
// connector and each option (stream::CheckSource, errors pointing at the option), the columns,
// and the watermark. Queries read a source by name: a streaming table's query batch by batch
// (streaming.cc), a batch query from where a new stream would start to what the source holds
// now (ReadSourcesNow, before execution: exec/ never opens a source).
#include <arrow/api.h>

#include <functional>

#include "plan/functions.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "sql/ast_printer.h"
#include "stream/sink_factory.h"
#include "stream/source_factory.h"

namespace tidelake {

using session::At;
using session::InvalidAt;
using session::Lower;

namespace {

// The delay of WATERMARK FOR c AS `expr`: `c` (no delay) or `c - <constant interval>`.
using Evaluate = std::function<arrow::Result<std::shared_ptr<arrow::Scalar>>(const sql::Expr&)>;

arrow::Result<int64_t> WatermarkDelay(const sql::WatermarkDefinition& watermark, const Evaluate& evaluate) {
  const sql::Expr& expr = *watermark.expr;
  auto is_column = [&](const sql::Expr& e) {
    return e.kind == sql::ExprKind::kColumnRef && e.As<sql::ColumnRefExpr>().parts.size() == 1 &&
           Lower(e.As<sql::ColumnRefExpr>().parts[0]) == Lower(watermark.column);
  };
  auto form = [&] {
    return InvalidAt(expr.pos, "WATERMARK FOR ", watermark.column, " AS takes ", watermark.column, " or ",
                     watermark.column, " - INTERVAL '<n>' <unit>, got ", sql::ToString(expr));
  };
  if (is_column(expr)) return 0;
  if (expr.kind != sql::ExprKind::kBinary) return form();
  const auto& minus = expr.As<sql::BinaryExpr>();
  if (minus.op != sql::BinaryOp::kSubtract || !is_column(*minus.left)) return form();
  auto value = evaluate(*minus.right);
  if (!value.ok() || (*value)->type->id() != arrow::Type::INTERVAL_MONTH_DAY_NANO || !(*value)->is_valid) return form();
  const auto& interval = std::static_pointer_cast<arrow::MonthDayNanoIntervalScalar>(*value)->value;
  if (interval.months != 0) {
    return InvalidAt(minus.right->pos,
                     "a watermark delay in months or years has no fixed length; give it in days or less");
  }
  const int64_t delay_us = interval.days * int64_t{86400} * 1000000 + interval.nanoseconds / 1000;
  if (delay_us < 0) return InvalidAt(minus.right->pos, "a watermark delay cannot be negative");
  return delay_us;
}

// The rows of `source` from where a new query starts to what it holds now (as an available-now
// run reads them: a source that keeps growing is read up to where it was when the read began).
arrow::Result<std::shared_ptr<arrow::Table>> ReadAvailable(stream::Source* source) {
  ARROW_ASSIGN_OR_RAISE(std::string start, source->InitialOffset());
  ARROW_RETURN_NOT_OK(source->PrepareAvailableNow(start));
  std::vector<std::shared_ptr<arrow::Table>> tables;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto end, source->NextEnd(start));
    if (!end) break;
    ARROW_ASSIGN_OR_RAISE(auto rows, source->Read(start, *end));
    tables.push_back(std::move(rows));
    start = std::move(*end);
  }
  if (tables.empty()) return arrow::Table::MakeEmpty(source->schema());
  return arrow::ConcatenateTables(tables);
}

// A node of `rows` (a source's rows: all its columns) as `scan` outputs them.
arrow::Result<plan::NodePtr> SourceRows(const plan::SourceScanNode& scan, const std::shared_ptr<arrow::Table>& rows) {
  arrow::ChunkedArrayVector columns;
  for (int i = 0; i < scan.schema->num_fields(); ++i) {
    const std::string& column = scan.columns[static_cast<size_t>(i)];
    auto values = rows->GetColumnByName(column);
    if (!values) {
      return arrow::Status::Invalid("internal error: the rows of source ", scan.definition->name.ToString(),
                                    " have no column ", column);
    }
    if (!values->type()->Equals(*scan.schema->field(i)->type())) {
      return arrow::Status::Invalid("internal error: column ", column, " of source ", scan.definition->name.ToString(),
                                    " is ", values->type()->ToString(), ", the query expects ",
                                    scan.schema->field(i)->type()->ToString());
    }
    columns.push_back(std::move(values));
  }
  auto out = std::make_shared<plan::ValuesNode>();
  out->schema = scan.schema;
  out->rows = arrow::Table::Make(scan.schema, std::move(columns), rows->num_rows());
  return plan::NodePtr(std::move(out));
}

// What the source of `scan` holds now, from where a new streaming query would start. (The
// sources' own errors name them.)
arrow::Result<std::shared_ptr<arrow::Table>> ReadNow(const plan::SourceScanNode& scan) {
  ARROW_ASSIGN_OR_RAISE(auto source, stream::MakeSource(*scan.definition, scan.definition->name.ToString()));
  return ReadAvailable(source.get());
}

// `node` with each source scan replaced by what its source holds now.
arrow::Result<plan::NodePtr> ReadSourcesUnder(const plan::NodePtr& node) {
  if (node->kind == plan::NodeKind::kSourceScan) {
    const auto& scan = node->As<plan::SourceScanNode>();
    ARROW_ASSIGN_OR_RAISE(auto rows, ReadNow(scan));
    return SourceRows(scan, rows);
  }
  std::vector<plan::NodePtr> inputs;
  bool changed = false;
  for (const auto& input : node->inputs) {
    ARROW_ASSIGN_OR_RAISE(auto substituted, ReadSourcesUnder(input));
    changed = changed || substituted != input;
    inputs.push_back(std::move(substituted));
  }
  return changed ? plan::WithInputs(*node, std::move(inputs)) : node;
}

}  // namespace

arrow::Result<plan::PlanRoot> Session::Impl::ReadSourcesNow(plan::PlanRoot root) {
  ARROW_ASSIGN_OR_RAISE(root.node, ReadSourcesUnder(root.node));
  return root;
}

arrow::Result<std::optional<sql::SourceDescription>> Session::Impl::FindSource(const std::vector<std::string>& name) {
  if (name.size() == 2 && Lower(name[0]) == "delta") return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto candidates, Candidates(name));
  for (const auto& candidate : candidates) {
    ARROW_ASSIGN_OR_RAISE(auto source, lake_->FindSource(candidate));
    if (!source) continue;
    if (stream::IsSinkConnector(source->connector)) {
      // A connector table (connector_tables.cc) is written, never read.
      return arrow::Status::Invalid("'", candidate.ToString(), "' is a ", source->connector, " table: its rows are "
                                    "written (INSERT INTO), not kept, so it cannot be read");
    }
    sql::SourceDescription out;
    auto metadata = stream::SourceMetadataColumns(*source);
    if (!metadata.ok()) {
      return metadata.status().WithMessage("source '", candidate.ToString(), "': ", metadata.status().message());
    }
    out.metadata_columns = std::move(*metadata);
    out.definition = std::make_shared<const catalog::SourceDefinition>(std::move(*source));
    return out;
  }
  return std::nullopt;
}

arrow::Result<StatementResult> Session::Impl::CreateSource(const sql::CreateSourceStatement& create) {
  catalog::SourceDefinition source;
  ARROW_ASSIGN_OR_RAISE(source.name, At(create.name.pos, TargetName(create.name)));
  ARROW_ASSIGN_OR_RAISE(auto existing, At(create.name.pos, lake_->FindSource(source.name)));
  if (existing && stream::IsSinkConnector(existing->connector)) {
    return InvalidAt(create.name.pos, "'", source.name.ToString(), "' is a ", existing->connector, " table");
  }
  if (existing) {
    if (create.if_not_exists) return StatementResult{{}, "Source " + source.name.ToString() + " exists"};
    return InvalidAt(create.name.pos, "source '", source.name.ToString(), "' already exists");
  }
  ARROW_ASSIGN_OR_RAISE(source.columns, session::SchemaOfColumns(create.columns));

  // The options: `connector` says who reads the source; the rest are the connector's.
  ARROW_ASSIGN_OR_RAISE(auto with, session::ReadConnectorOptions(create.options));
  const auto& by_key = with.by_key;
  const sql::TableProperty* connector = with.connector_option;
  source.connector = std::move(with.connector);
  source.options = std::move(with.options);
  if (connector == nullptr) {
    return InvalidAt(create.options_pos, "a source needs the option connector = '...' (e.g. 'kafka')");
  }
  ARROW_ASSIGN_OR_RAISE(auto metadata, At(connector->pos, stream::SourceMetadataColumns(source)));
  for (const auto& column : create.columns) {
    for (const auto& field : metadata) {
      if (Lower(column.name) == field->name()) {
        return InvalidAt(column.pos, "column '", column.name, "' is the metadata column ", field->name(), " of a ",
                         source.connector, " source; name the column otherwise");
      }
    }
  }

  if (create.watermark) {
    const sql::WatermarkDefinition& watermark = *create.watermark;
    std::shared_ptr<arrow::Field> field;
    for (const auto& f : source.columns->fields()) {
      if (Lower(f->name()) == Lower(watermark.column)) field = f;
    }
    for (const auto& f : metadata) {
      if (Lower(f->name()) == Lower(watermark.column)) field = f;
    }
    if (!field) {
      return InvalidAt(watermark.pos, "WATERMARK FOR names no column of the source: '", watermark.column, "'");
    }
    if (field->type()->id() != arrow::Type::TIMESTAMP) {
      return InvalidAt(watermark.pos, "WATERMARK FOR ", field->name(), ": the event time must be a TIMESTAMP, not ",
                       plan::SqlTypeName(*field->type()));
    }
    ARROW_ASSIGN_OR_RAISE(int64_t delay, WatermarkDelay(watermark, [this](const sql::Expr& e) {
                            return EvaluateConstant(e);
                          }));
    source.watermark = catalog::SourceWatermark{field->name(), delay};
  }

  std::string bad_option;
  auto checked = stream::CheckSource(source, &bad_option);
  if (!checked.ok()) {
    auto it = by_key.find(Lower(bad_option));
    return At(it != by_key.end() ? it->second->pos : create.options_pos, checked);
  }
  ARROW_RETURN_NOT_OK(At(create.name.pos, lake_->CreateSource(source)));
  return StatementResult{{}, "Created source " + source.name.ToString()};
}

arrow::Result<StatementResult> Session::Impl::DropSource(const sql::DropStatement& drop) {
  ARROW_ASSIGN_OR_RAISE(auto candidates, At(drop.name.pos, Candidates(drop.name.parts)));
  for (const auto& candidate : candidates) {
    ARROW_ASSIGN_OR_RAISE(auto source, At(drop.name.pos, lake_->FindSource(candidate)));
    if (source && stream::IsSinkConnector(source->connector)) {
      return InvalidAt(drop.name.pos, "'", sql::ToString(drop.name), "' is a ", source->connector,
                       " table; use DROP TABLE");
    }
    if (source) {
      ARROW_RETURN_NOT_OK(lake_->DropSource(candidate));
      return StatementResult{{}, "Dropped source " + candidate.ToString()};
    }
  }
  if (drop.if_exists) return StatementResult{};
  ARROW_ASSIGN_OR_RAISE(auto table, At(drop.name.pos, FindTable(drop.name.parts)));
  if (table) return InvalidAt(drop.name.pos, "'", sql::ToString(drop.name), "' is a table; use DROP TABLE");
  ARROW_ASSIGN_OR_RAISE(auto view, At(drop.name.pos, FindView(drop.name.parts)));
  if (view) return InvalidAt(drop.name.pos, "'", sql::ToString(drop.name), "' is a view; use DROP VIEW");
  return InvalidAt(drop.name.pos, "source '", sql::ToString(drop.name), "' not found");
}

}  // namespace tidelake
