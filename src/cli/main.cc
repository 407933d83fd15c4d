// The `tidelake` command: parses arguments (CLI11) and calls the library. Every failure is
// one line on stderr ("error: ...") and exit code 1; nothing is half-written, because table
// changes only become visible through an atomic Delta commit.
#include <arrow/compute/initialize.h>
#include <arrow/api.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>

#include "catalog/lake.h"
#include "cli/column_list.h"
#include "cli/file_input.h"
#include "cli/long_run_memory.h"
#include "cli/output.h"
#include "cli/predicate_parser.h"
#include "cli/progress.h"
#include "cli/sql_shell.h"
#include "cli/stream_command.h"
#include "delta/change_data_feed.h"
#include "delta/delete.h"
#include "delta/history.h"
#include "delta/merge.h"
#include "delta/optimize.h"
#include "delta/restore.h"
#include "delta/scan.h"
#include "delta/schema.h"
#include "delta/table.h"
#include "delta/vacuum.h"
#include "io/arrow_json.h"

namespace tidelake::cli {
namespace {

struct Common {
  std::string lake = ".";
  std::string format = "table";
  std::string output;
};

arrow::Result<delta::TableLocation> Locate(const Common& common, const std::string& name) {
  ARROW_ASSIGN_OR_RAISE(auto lake, catalog::Lake::Open(common.lake));
  return lake->Resolve(name);
}

arrow::Status Emit(arrow::RecordBatchReader& reader, const Common& common) {
  ARROW_ASSIGN_OR_RAISE(auto format, ParseOutputFormat(common.format));
  if (!common.output.empty() && format != OutputFormat::kParquet) {
    std::ofstream file(common.output, std::ios::binary);
    if (!file) return arrow::Status::IOError("cannot write '", common.output, "'");
    return WriteResult(reader, format, file, common.output);
  }
  return WriteResult(reader, format, std::cout, common.output);
}

struct LoadArgs {
  std::string table;
  std::vector<std::string> inputs;
  std::string input_format;
  std::vector<std::string> partition_by;
  bool overwrite = false;
  bool merge_schema = false;
  std::string bad_rows = "fail";
};

// Writes malformed input rows to <table>_quarantine, with their file, line and reason.
arrow::Status Quarantine(const delta::TableLocation& table, const std::vector<BadRow>& rows) {
  delta::TableLocation location = table;
  location.root += "_quarantine";
  location.display_name += "_quarantine";
  arrow::StringBuilder files, texts, reasons;
  arrow::Int64Builder lines;
  for (const auto& r : rows) {
    ARROW_RETURN_NOT_OK(files.Append(r.file));
    ARROW_RETURN_NOT_OK(lines.Append(r.line));
    ARROW_RETURN_NOT_OK(texts.Append(r.text));
    ARROW_RETURN_NOT_OK(reasons.Append(r.reason));
  }
  std::shared_ptr<arrow::Array> a, b, c, d;
  ARROW_RETURN_NOT_OK(files.Finish(&a));
  ARROW_RETURN_NOT_OK(lines.Finish(&b));
  ARROW_RETURN_NOT_OK(texts.Finish(&c));
  ARROW_RETURN_NOT_OK(reasons.Finish(&d));
  auto data = arrow::Table::Make(arrow::schema({arrow::field("file", arrow::utf8()), arrow::field("line", arrow::int64()),
                                                arrow::field("row", arrow::utf8()), arrow::field("reason", arrow::utf8())}),
                                 {a, b, c, d});
  arrow::TableBatchReader reader(data);
  ARROW_RETURN_NOT_OK(delta::DeltaTable::Write(location, reader, delta::WriteOptions{}).status());
  std::cerr << "quarantined " << rows.size() << " malformed row(s) into " << location.display_name << "\n";
  return arrow::Status::OK();
}

arrow::Status Load(const Common& common, const LoadArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto location, Locate(common, args.table));
  ARROW_ASSIGN_OR_RAISE(auto format, ParseInputFormat(args.input_format));
  ARROW_ASSIGN_OR_RAISE(auto files, ExpandInputs(args.inputs));
  BadRowPolicy policy;
  if (args.bad_rows == "fail") {
    policy = BadRowPolicy::kFail;
  } else if (args.bad_rows == "quarantine") {
    policy = BadRowPolicy::kQuarantine;
  } else {
    return arrow::Status::Invalid("--bad-rows must be fail or quarantine, not '", args.bad_rows, "'");
  }
  std::vector<BadRow> bad_rows;
  ARROW_ASSIGN_OR_RAISE(auto data, ReadInputs(files, format, policy, &bad_rows));
  ProgressReader reader(std::make_shared<arrow::TableBatchReader>(data), "loading " + location.display_name,
                        data->num_rows());
  delta::WriteOptions options;
  options.mode = args.overwrite ? delta::SaveMode::kOverwrite : delta::SaveMode::kAppend;
  options.merge_schema = args.merge_schema;
  options.partition_columns = args.partition_by;
  ARROW_ASSIGN_OR_RAISE(auto result, delta::DeltaTable::Write(location, reader, options));
  std::cout << "loaded " << result.rows_written << " rows from " << files.size() << " file(s) into "
            << location.display_name << " (version " << result.version << ", " << result.files_added
            << " data file(s))\n";
  if (!bad_rows.empty()) return Quarantine(location, bad_rows);
  return arrow::Status::OK();
}

struct ScanArgs {
  std::string table;
  std::vector<std::string> columns;
  int64_t version = -1;
  std::string timestamp;
  std::string where;
  int64_t limit = -1;
};

arrow::Status ScanTable(const Common& common, const ScanArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto location, Locate(common, args.table));
  ARROW_ASSIGN_OR_RAISE(auto table, delta::DeltaTable::Open(location));
  std::shared_ptr<const delta::Snapshot> snapshot;
  if (args.version >= 0) {
    ARROW_ASSIGN_OR_RAISE(snapshot, table->AtVersion(args.version));
  } else if (!args.timestamp.empty()) {
    int64_t ms = 0;
    try {
      ms = std::stoll(args.timestamp);
    } catch (...) {
      return arrow::Status::Invalid("--timestamp must be milliseconds since the epoch, got '", args.timestamp, "'");
    }
    ARROW_ASSIGN_OR_RAISE(snapshot, table->AtTimestamp(ms));
  } else {
    ARROW_ASSIGN_OR_RAISE(snapshot, table->Latest());
  }
  delta::ScanOptions options;
  options.columns = args.columns;
  if (!args.where.empty()) {
    ARROW_ASSIGN_OR_RAISE(options.filter, ParsePredicate(args.where, *snapshot->schema()));
  }
  ARROW_ASSIGN_OR_RAISE(auto scan, delta::Scan::Make(snapshot, options));
  ARROW_ASSIGN_OR_RAISE(auto reader, scan->Execute());
  if (args.limit >= 0) {
    ARROW_ASSIGN_OR_RAISE(auto all, reader->ToTable());
    auto limited = all->Slice(0, args.limit);
    arrow::TableBatchReader limited_reader(limited);
    return Emit(limited_reader, common);
  }
  return Emit(*reader, common);
}

arrow::Status Describe(const Common& common, const std::string& name) {
  ARROW_ASSIGN_OR_RAISE(auto location, Locate(common, name));
  ARROW_ASSIGN_OR_RAISE(auto table, delta::DeltaTable::Open(location));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, table->Latest());
  arrow::StringBuilder col, type, nullable, partition;
  for (const auto& f : snapshot->schema()->fields()) {
    ARROW_RETURN_NOT_OK(col.Append(f->name()));
    ARROW_RETURN_NOT_OK(type.Append(delta::DeltaTypeName(*f->type())));
    ARROW_RETURN_NOT_OK(nullable.Append(f->nullable() ? "true" : "false"));
    const auto& parts = snapshot->partition_columns();
    ARROW_RETURN_NOT_OK(
        partition.Append(std::find(parts.begin(), parts.end(), f->name()) != parts.end() ? "true" : "false"));
  }
  std::shared_ptr<arrow::Array> a, b, c, d;
  ARROW_RETURN_NOT_OK(col.Finish(&a));
  ARROW_RETURN_NOT_OK(type.Finish(&b));
  ARROW_RETURN_NOT_OK(nullable.Finish(&c));
  ARROW_RETURN_NOT_OK(partition.Finish(&d));
  auto schema = arrow::schema({arrow::field("column", arrow::utf8()), arrow::field("type", arrow::utf8()),
                               arrow::field("nullable", arrow::utf8()), arrow::field("partition", arrow::utf8())});
  auto result = arrow::Table::Make(schema, {a, b, c, d});
  if (common.format == "table") {
    std::cout << location.display_name << " at version " << snapshot->version() << ": " << snapshot->files().size()
              << " file(s), " << snapshot->SizeInBytes() << " bytes, protocol "
              << snapshot->protocol().min_reader_version << "/" << snapshot->protocol().min_writer_version << "\n";
  }
  arrow::TableBatchReader reader(result);
  return Emit(reader, common);
}

// Builds a one-row-per-entry table of string columns for printing.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> columns) : names_(std::move(columns)), builders_(names_.size()) {}
  arrow::Status Row(const std::vector<std::string>& values) {
    for (size_t i = 0; i < values.size(); ++i) ARROW_RETURN_NOT_OK(builders_[i].Append(values[i]));
    return arrow::Status::OK();
  }
  arrow::Result<std::shared_ptr<arrow::Table>> Finish() {
    arrow::FieldVector fields;
    arrow::ArrayVector arrays;
    for (size_t i = 0; i < names_.size(); ++i) {
      fields.push_back(arrow::field(names_[i], arrow::utf8()));
      std::shared_ptr<arrow::Array> a;
      ARROW_RETURN_NOT_OK(builders_[i].Finish(&a));
      arrays.push_back(a);
    }
    return arrow::Table::Make(arrow::schema(fields), arrays);
  }

 private:
  std::vector<std::string> names_;
  std::vector<arrow::StringBuilder> builders_;
};

std::string JoinMap(const std::map<std::string, std::string>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : ", ") + k + "=" + v;
  return out;
}

arrow::Status History(const Common& common, const std::string& name, int64_t limit) {
  ARROW_ASSIGN_OR_RAISE(auto location, Locate(common, name));
  ARROW_ASSIGN_OR_RAISE(auto entries, delta::History(location, limit > 0 ? std::optional<int64_t>(limit) : std::nullopt));
  TextTable out({"version", "timestamp", "operation", "parameters", "metrics", "engine"});
  for (const auto& e : entries) {
    ARROW_RETURN_NOT_OK(out.Row({std::to_string(e.version), io::FormatTimestampMicros(e.timestamp_ms * 1000, true),
                                 e.operation, JoinMap(e.operation_parameters), JoinMap(e.operation_metrics),
                                 e.engine_info}));
  }
  ARROW_ASSIGN_OR_RAISE(auto table, out.Finish());
  arrow::TableBatchReader reader(table);
  return Emit(reader, common);
}

arrow::Status OptimizeTable(const Common& common, const std::string& name, const std::vector<std::string>& zorder,
                            const std::string& where) {
  ARROW_ASSIGN_OR_RAISE(auto location, Locate(common, name));
  delta::OptimizeOptions options;
  options.zorder_by = zorder;
  if (!where.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(location));
    ARROW_ASSIGN_OR_RAISE(options.partition_filter, ParsePredicate(where, *snapshot->schema()));
  }
  ARROW_ASSIGN_OR_RAISE(auto result, delta::Optimize(location, options));
  if (result.version < 0) {
    std::cout << location.display_name << ": nothing to optimize\n";
  } else {
    std::cout << location.display_name << ": optimized at version " << result.version << ": "
              << result.metrics.files_removed << " file(s) rewritten into " << result.metrics.files_added << "\n";
  }
  return arrow::Status::OK();
}

arrow::Status VacuumTable(const Common& common, const std::string& name, double retain_hours, bool force,
                          bool dry_run) {
  ARROW_ASSIGN_OR_RAISE(auto location, Locate(common, name));
  delta::VacuumOptions options;
  if (retain_hours >= 0) options.retention_hours = static_cast<int64_t>(retain_hours);
  options.force = force;
  options.dry_run = dry_run;
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  ARROW_ASSIGN_OR_RAISE(auto result, delta::Vacuum(location, options, now.count()));
  for (const auto& p : result.paths) std::cout << (dry_run ? "would delete " : "deleted ") << p << "\n";
  std::cout << location.display_name << ": " << (dry_run ? "would delete " : "deleted ") << result.files_deleted
            << " file(s), " << result.bytes << " bytes\n";
  return arrow::Status::OK();
}

arrow::Status RestoreTable(const Common& common, const std::string& name, int64_t version, const std::string& timestamp) {
  ARROW_ASSIGN_OR_RAISE(auto location, Locate(common, name));
  arrow::Result<delta::RestoreResult> result;
  if (version >= 0) {
    result = delta::RestoreToVersion(location, version);
  } else if (!timestamp.empty()) {
    int64_t ms = 0;
    try {
      ms = std::stoll(timestamp);
    } catch (...) {
      return arrow::Status::Invalid("--timestamp must be milliseconds since the epoch, got '", timestamp, "'");
    }
    result = delta::RestoreToTimestamp(location, ms);
  } else {
    return arrow::Status::Invalid("restore needs --version or --timestamp");
  }
  ARROW_RETURN_NOT_OK(result.status());
  std::cout << location.display_name << ": restored to version " << result->restored_version << " as version "
            << result->version << " (" << result->num_restored_files << " file(s) re-added, "
            << result->num_removed_files << " removed)\n";
  return arrow::Status::OK();
}

arrow::Status DeleteFrom(const Common& common, const std::string& name, const std::string& where) {
  ARROW_ASSIGN_OR_RAISE(auto location, Locate(common, name));
  ARROW_ASSIGN_OR_RAISE(auto table, delta::DeltaTable::Open(location));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, table->Latest());
  std::optional<arrow::compute::Expression> predicate;
  if (!where.empty()) {
    ARROW_ASSIGN_OR_RAISE(predicate, ParsePredicate(where, *snapshot->schema()));
  }
  ARROW_ASSIGN_OR_RAISE(auto result, delta::DeleteRows(location, predicate));
  std::cout << location.display_name << ": deleted " << result.first.rows_deleted << " row(s) (version "
            << result.second << ")\n";
  return arrow::Status::OK();
}

struct MergeArgs {
  std::string target;
  std::vector<std::string> inputs;
  std::vector<std::string> on;
  bool update_all = false;
  bool insert_all = false;
  bool delete_matched = false;
  bool merge_schema = false;
};

// The upsert of the reference design: MERGE INTO target USING files ON target.k = source.k
// WHEN MATCHED THEN UPDATE SET * / DELETE, WHEN NOT MATCHED THEN INSERT *.
arrow::Status MergeInto(const Common& common, const MergeArgs& args) {
  namespace cp = arrow::compute;
  ARROW_ASSIGN_OR_RAISE(auto location, Locate(common, args.target));
  ARROW_ASSIGN_OR_RAISE(auto files, ExpandInputs(args.inputs));
  std::vector<BadRow> bad_rows;
  ARROW_ASSIGN_OR_RAISE(auto source, ReadInputs(files, InputFormat::kAuto, BadRowPolicy::kFail, &bad_rows));
  if (args.on.empty()) return arrow::Status::Invalid("merge needs --on KEY[,KEY...]");
  std::vector<cp::Expression> keys;
  for (const auto& k : args.on) keys.push_back(cp::equal(cp::field_ref("target." + k), cp::field_ref("source." + k)));
  delta::MergeOptions options;
  options.merge_schema = args.merge_schema;
  if (args.delete_matched) options.matched.push_back(delta::MergeClause::Delete());
  if (args.update_all) options.matched.push_back(delta::MergeClause::UpdateAll());
  if (args.insert_all) options.not_matched.push_back(delta::MergeClause::InsertAll());
  if (options.matched.empty() && options.not_matched.empty()) {
    return arrow::Status::Invalid("merge needs at least one of --update-all, --delete-matched, --insert-all");
  }
  ARROW_ASSIGN_OR_RAISE(auto result, delta::Merge(location, source, cp::and_(keys), options));
  std::cout << location.display_name << ": merged " << result.first.source_rows << " source row(s): "
            << result.first.rows_updated << " updated, " << result.first.rows_inserted
            << " inserted, " << result.first.rows_deleted << " deleted (version " << result.second << ")\n";
  return arrow::Status::OK();
}

struct CreateArgs {
  std::string table;
  std::string columns;
  std::vector<std::string> partition_by;
  std::vector<std::string> properties;
};

arrow::Status Create(const Common& common, const CreateArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto location, Locate(common, args.table));
  delta::CreateOptions options;
  ARROW_ASSIGN_OR_RAISE(options.schema, ParseColumnList(args.columns));
  options.partition_columns = args.partition_by;
  for (const auto& p : args.properties) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return arrow::Status::Invalid("--property must be KEY=VALUE, got '", p, "'");
    }
    options.properties[p.substr(0, eq)] = p.substr(eq + 1);
  }
  ARROW_RETURN_NOT_OK(delta::DeltaTable::Create(location, options).status());
  std::cout << "created " << location.display_name << " at " << location.root << "\n";
  return arrow::Status::OK();
}

arrow::Status Changes(const Common& common, const std::string& name, int64_t from, int64_t to) {
  ARROW_ASSIGN_OR_RAISE(auto location, Locate(common, name));
  ARROW_ASSIGN_OR_RAISE(auto changes,
                        delta::ReadChanges(location, from, to >= 0 ? std::optional<int64_t>(to) : std::nullopt));
  arrow::TableBatchReader reader(changes);
  return Emit(reader, common);
}

int Run(const arrow::Status& status) {
  if (status.ok()) return 0;
  std::cerr << "error: " << status.message() << std::endl;
  return 1;
}

}  // namespace
}  // namespace tidelake::cli

int main(int argc, char** argv) {
  using namespace tidelake::cli;
  if (auto st = arrow::compute::Initialize(); !st.ok()) {
    std::cerr << "error: " << st.ToString() << std::endl;
    return 1;
  }
  CLI::App app{"tidelake: one lake of Delta tables for batch and streaming"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tidelake 0.1.0");
  Common common;
  app.add_option("--lake", common.lake, "lake root directory or URI")->capture_default_str();

  auto* table = app.add_subcommand("table", "manage and read Delta tables");
  table->require_subcommand(1);
  auto add_output = [&](CLI::App* cmd) {
    cmd->add_option("--format", common.format, "table, csv, json or parquet")->capture_default_str();
    cmd->add_option("--output,-o", common.output, "write to FILE instead of standard output");
    cmd->add_option("--lake", common.lake, "lake root directory or URI");
  };

  LoadArgs load;
  auto* load_cmd = table->add_subcommand("load", "append (or overwrite) rows from CSV, JSON-lines or Parquet files");
  load_cmd->add_option("table", load.table, "zone.table or a path")->required();
  load_cmd->add_option("inputs", load.inputs, "files or directories")->required();
  load_cmd->add_option("--input-format", load.input_format, "csv, json or parquet (default: by extension)");
  load_cmd->add_option("--partition-by", load.partition_by, "partition columns of a new table")->delimiter(',');
  load_cmd->add_flag("--overwrite", load.overwrite, "replace the table's rows");
  load_cmd->add_flag("--merge-schema", load.merge_schema, "add new columns to the table schema");
  load_cmd->add_option("--bad-rows", load.bad_rows, "fail (default) or quarantine: write malformed rows to <table>_quarantine");
  load_cmd->add_option("--lake", common.lake, "lake root directory or URI");

  ScanArgs scan;
  auto* scan_cmd = table->add_subcommand("scan", "print a table's rows");
  scan_cmd->add_option("table", scan.table, "zone.table or a path")->required();
  scan_cmd->add_option("--columns", scan.columns, "columns to print")->delimiter(',');
  scan_cmd->add_option("--version", scan.version, "read this version (time travel)");
  scan_cmd->add_option("--timestamp", scan.timestamp, "read the version current at this time (ms since epoch)");
  scan_cmd->add_option("--where", scan.where, "only rows matching: col = 1 AND (x IN ('a','b') OR y IS NULL)");
  scan_cmd->add_option("--limit", scan.limit, "print at most N rows");
  add_output(scan_cmd);

  std::string describe_name;
  auto* describe_cmd = table->add_subcommand("describe", "print a table's schema and state");
  describe_cmd->add_option("table", describe_name, "zone.table or a path")->required();
  add_output(describe_cmd);

  std::string history_name;
  int64_t history_limit = 0;
  auto* history_cmd = table->add_subcommand("history", "print a table's commits (DESCRIBE HISTORY)");
  history_cmd->add_option("table", history_name, "zone.table or a path")->required();
  history_cmd->add_option("--limit", history_limit, "only the newest N commits");
  add_output(history_cmd);

  std::string optimize_name, optimize_where;
  std::vector<std::string> zorder_by;
  auto* optimize_cmd = table->add_subcommand("optimize", "compact small files, optionally Z-ordering them");
  optimize_cmd->add_option("table", optimize_name, "zone.table or a path")->required();
  optimize_cmd->add_option("--zorder-by", zorder_by, "columns to cluster by")->delimiter(',');
  optimize_cmd->add_option("--where", optimize_where, "only partitions matching this predicate");
  optimize_cmd->add_option("--lake", common.lake, "lake root directory or URI");

  std::string vacuum_name;
  double retain_hours = -1;
  bool vacuum_force = false, vacuum_dry_run = false;
  auto* vacuum_cmd = table->add_subcommand("vacuum", "delete files no longer referenced by the table");
  vacuum_cmd->add_option("table", vacuum_name, "zone.table or a path")->required();
  vacuum_cmd->add_option("--retain-hours", retain_hours, "keep files removed less than N hours ago (default: table setting, 168)");
  vacuum_cmd->add_flag("--force", vacuum_force, "allow a retention shorter than the table's (unsafe for readers of old versions)");
  vacuum_cmd->add_flag("--dry-run", vacuum_dry_run, "list what would be deleted");
  vacuum_cmd->add_option("--lake", common.lake, "lake root directory or URI");

  std::string restore_name, restore_timestamp;
  int64_t restore_version = -1;
  auto* restore_cmd = table->add_subcommand("restore", "restore the table to an earlier version");
  restore_cmd->add_option("table", restore_name, "zone.table or a path")->required();
  restore_cmd->add_option("--version", restore_version, "version to restore");
  restore_cmd->add_option("--timestamp", restore_timestamp, "restore the version current at this time (ms since epoch)");
  restore_cmd->add_option("--lake", common.lake, "lake root directory or URI");

  CreateArgs create;
  auto* create_cmd = table->add_subcommand("create", "create an empty table");
  create_cmd->add_option("table", create.table, "zone.table or a path")->required();
  create_cmd->add_option("--columns", create.columns, "e.g. \"id long not null, name string, day date\"")->required();
  create_cmd->add_option("--partition-by", create.partition_by, "partition columns")->delimiter(',');
  create_cmd->add_option("--property", create.properties, "table property KEY=VALUE (e.g. delta.enableChangeDataFeed=true)");
  create_cmd->add_option("--lake", common.lake, "lake root directory or URI");

  std::string changes_name;
  int64_t changes_from = 0, changes_to = -1;
  auto* changes_cmd = table->add_subcommand("changes", "print the change data feed between versions");
  changes_cmd->add_option("table", changes_name, "zone.table or a path")->required();
  changes_cmd->add_option("--from-version", changes_from, "first version (inclusive)")->capture_default_str();
  changes_cmd->add_option("--to-version", changes_to, "last version (inclusive; default latest)");
  add_output(changes_cmd);

  std::string delete_name, delete_where;
  auto* delete_cmd = table->add_subcommand("delete", "delete rows (all rows without --where)");
  delete_cmd->add_option("table", delete_name, "zone.table or a path")->required();
  delete_cmd->add_option("--where", delete_where, "only rows matching this predicate");
  delete_cmd->add_option("--lake", common.lake, "lake root directory or URI");

  MergeArgs merge;
  auto* merge_cmd = table->add_subcommand("merge", "upsert rows from files into a table (MERGE INTO)");
  merge_cmd->add_option("table", merge.target, "zone.table or a path")->required();
  merge_cmd->add_option("inputs", merge.inputs, "source files or directories")->required();
  merge_cmd->add_option("--on", merge.on, "key columns matched between table and source")->delimiter(',')->required();
  merge_cmd->add_flag("--update-all", merge.update_all, "WHEN MATCHED THEN UPDATE SET *");
  merge_cmd->add_flag("--delete-matched", merge.delete_matched, "WHEN MATCHED THEN DELETE");
  merge_cmd->add_flag("--insert-all", merge.insert_all, "WHEN NOT MATCHED THEN INSERT *");
  merge_cmd->add_flag("--merge-schema", merge.merge_schema, "add new source columns to the table schema");
  merge_cmd->add_option("--lake", common.lake, "lake root directory or URI");

  SqlArgs sql_args;
  auto* sql_cmd = app.add_subcommand("sql", "run SQL: -c \"...\", -f script.sql, stdin, or an interactive shell");
  sql_cmd->add_option("-c,--command", sql_args.command, "SQL statements to run");
  sql_cmd->add_option("-f,--file", sql_args.file, "a file of SQL statements to run");
  sql_cmd->add_option("--memory-limit", sql_args.memory_limit, "memory one query may use, e.g. 4GB (default 4GB; 0: no limit)");
  sql_cmd->add_flag("--timer", sql_args.timer, "print each statement's run time to stderr");
  add_output(sql_cmd);

  StreamArgs stream_args;
  auto* stream = app.add_subcommand("stream", "run and watch streaming tables (CREATE STREAMING TABLE)");
  stream->require_subcommand(1);
  auto* stream_run = stream->add_subcommand("run", "run a SQL file, then keep its streaming tables up to date");
  stream_run->add_option("file", stream_args.file, "the SQL file")->required();
  stream_run->add_option("--trigger", stream_args.trigger, "interval, once or available-now")->capture_default_str();
  stream_run->add_flag("--end-of-input", stream_args.end_of_input,
                       "with --trigger available-now: the input is complete; close every open window at the end");
  stream_run->add_option("--interval", stream_args.interval, "the interval trigger's period, e.g. 500ms, 2s")
      ->capture_default_str();
  auto* stream_list = stream->add_subcommand("list", "list the lake's streaming tables");
  auto* stream_status = stream->add_subcommand("status", "print a streaming table's recent progress");
  stream_status->add_option("table", stream_args.table, "zone.table")->required();
  stream_status->add_option("-n,--lines", stream_args.status_lines, "progress records to print")->capture_default_str();
  auto* stream_stop = stream->add_subcommand("stop", "stop the process running a streaming table");
  stream_stop->add_option("table", stream_args.table, "zone.table")->required();
  for (auto* cmd : {stream_run, stream_list, stream_status, stream_stop}) {
    cmd->add_option("--lake", common.lake, "lake root directory or URI");
  }

  CLI11_PARSE(app, argc, argv);
  stream_args.lake = common.lake;
  if (stream_run->parsed()) {
    if (stream_args.trigger == "interval") KeepFreedMemory(argv);  // a continuous query
    return Run(RunStream(stream_args));
  }
  if (stream_list->parsed()) return Run(ListStreams(stream_args));
  if (stream_status->parsed()) return Run(StreamStatus(stream_args));
  if (stream_stop->parsed()) return Run(StopStream(stream_args));
  if (create_cmd->parsed()) return Run(Create(common, create));
  if (changes_cmd->parsed()) return Run(Changes(common, changes_name, changes_from, changes_to));
  if (delete_cmd->parsed()) return Run(DeleteFrom(common, delete_name, delete_where));
  if (merge_cmd->parsed()) return Run(MergeInto(common, merge));
  if (history_cmd->parsed()) return Run(History(common, history_name, history_limit));
  if (optimize_cmd->parsed()) return Run(OptimizeTable(common, optimize_name, zorder_by, optimize_where));
  if (vacuum_cmd->parsed()) return Run(VacuumTable(common, vacuum_name, retain_hours, vacuum_force, vacuum_dry_run));
  if (restore_cmd->parsed()) return Run(RestoreTable(common, restore_name, restore_version, restore_timestamp));
  if (load_cmd->parsed()) return Run(Load(common, load));
  if (scan_cmd->parsed()) return Run(ScanTable(common, scan));
  if (describe_cmd->parsed()) return Run(Describe(common, describe_name));
  if (sql_cmd->parsed()) {
    sql_args.lake = common.lake;
    sql_args.format = common.format;
    sql_args.output = common.output;
    return Run(RunSql(sql_args));
  }
  return 0;
}
